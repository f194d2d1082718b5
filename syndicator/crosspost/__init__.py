"""Cross-posting: posts -> plan -> ledger rows -> claim -> endpoint.send -> record, with dry-run previews.

May import: endpoints, model, config, errors, redact. Never the build, daemon, server or CLI.
"""

from .runner import CrosspostReport, Preview, check_config, retry, run, status

__all__ = ["CrosspostReport", "Preview", "check_config", "retry", "run", "status"]
