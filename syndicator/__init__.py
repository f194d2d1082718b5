"""syndicator: feeds that carry their attribution, and cross-posting that never loses or repeats."""

__version__ = "0.1.0"
