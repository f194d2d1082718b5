"""Cross-posting: posts -> plan -> ledger rows -> claim -> endpoint.send -> record, with dry-run previews.

May import: endpoints, model, config, crosspost_settings, errors, redact, posts.content. Never
the build, daemon, server or CLI.
"""

from .report import Attempt, CrosspostReport, Outcome, Preview, Skip
from .runner import check_config, run
from .status import retry, status

__all__ = ["Attempt", "CrosspostReport", "Outcome", "Preview", "Skip", "check_config", "retry",
           "run", "status"]
