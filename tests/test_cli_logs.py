"""A command's log lines mask what looks secret (cli/logs.py), though redact.py loads with the first line."""

from __future__ import annotations

import logging

from syndicator.cli.logs import setup_logging


def test_a_commands_log_lines_mask_tokens(capsys):
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        setup_logging()
        logging.getLogger("syndicator.test").warning("sent with Authorization: Bearer s3cr3t-t0ken-value")
        logging.getLogger("syndicator.test").warning("posted to %s", "https://hooks.slack.com/services/T0/B0/xyzzy")
    finally:
        root.handlers[:], root.level = handlers, level
    err = capsys.readouterr().err
    assert "s3cr3t-t0ken-value" not in err and "xyzzy" not in err
    assert err.count("WARNING syndicator.test:") == 2 and "hooks.slack.com" in err
