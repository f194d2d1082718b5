"""Feed sources: cross-post any blog's feed, exactly once, through the crosspost ledger.

    [[sources]] (settings) -> poll: fetch (conditional GET, limits) -> parse (feedparser /
    JSON Feed) -> identity (id, link, title+date; normalised links) -> classify (baseline,
    queued, held, duplicate) -> store (ledger database, one transaction) -> run: the crosspost
    Deliverer sends what is due, with the same claim-before-send rules as the posts folder.

status.py serves `syndicator sources`, `status`, /healthz and `retry --source`; preview.py
the dry run.
"""
