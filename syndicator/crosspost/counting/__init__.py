"""How each platform measures text: grapheme clusters, Mastodon's URL rule, Bluesky's facets.

graphemes: cluster counts (current Unicode, and Mastodon's conservative count), bytes, units.
tlds: the TLDs Mastodon's twitter-text recognises, cut down by the Public Suffix List.
mastodon: where Mastodon sees URLs, and its length of a status with its content warning.
richtext: Bluesky link and hashtag facets, as @atproto/api's RichText finds them.
"""
