"""The exception tree. Every error syndicator raises on purpose derives from SyndicatorError.

    SyndicatorError
     +-- ConfigError          config.toml is unreadable or wrong (names the key path)
     +-- PostError            one post cannot be published (names the file and line)
 +-- NotAPost             a file in the posts folder that is no post (a section page); skipped quietly
     +-- LedgerError          the delivery ledger is unusable (locked, wrong schema version)
     +-- DeliveryError        one delivery attempt failed
     |    +-- TransientError  definitely not applied; retry later (connection refused, 429, 503)
     |    +-- PermanentError  will not succeed by retrying (400, 404, 410, 422)
     |    |    +-- AuthError  credentials rejected (401/403); the endpoint is paused
     |    |    +-- TooLongError  the platform counted the text over its limit (refit once)
     |    +-- AmbiguousError  may or may not have been applied (timeout, 5xx); settle before resending
     +-- DaemonError          the daemon cannot start (another one holds the lock)
     +-- ServeError           the feed server cannot listen on its address
     +-- UsageError           a command was given arguments it cannot use (exit status 2)
     +-- SourceError          a feed source could not be fetched or parsed (one failed poll)

The CLI's one error exit (cli/app.py) is the only place that turns these into messages and exit
codes: ConfigError and UsageError exit 2, every other SyndicatorError exits 1.
"""

from __future__ import annotations


class SyndicatorError(Exception):
    """Base of every expected failure; str() is a message fit for the user."""

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class ConfigError(SyndicatorError):
    """The configuration is invalid; the message names the file and key path."""


class PostError(SyndicatorError):
    """A post cannot be published; carries path= and line=."""

    def __init__(self, message: str, *, path: str = "", line: int = 0, **context: object) -> None:
        super().__init__(message, path=path, line=line, **context)
        self.path = path
        self.line = line


class NotAPost(SyndicatorError):
    """A file among the posts that its engine does not publish as a post (Hugo's `_index.md`)."""


class LedgerError(SyndicatorError):
    """The delivery ledger cannot be used."""


class DeliveryError(SyndicatorError):
    """One delivery attempt failed. retry_after is seconds the platform asked us to wait."""

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: float | None = None, **context: object) -> None:
        super().__init__(message, status=status, retry_after=retry_after, **context)
        self.status = status
        self.retry_after = retry_after


class TransientError(DeliveryError):
    """Definitely not applied; safe to retry later."""


class PermanentError(DeliveryError):
    """Retrying will not help."""


class AuthError(PermanentError):
    """Credentials were rejected; pause the endpoint until they are fixed."""


class TooLongError(PermanentError):
    """The platform counted the text over its limit although we measured it within: nothing was
    stored, so it may be refitted with a margin and resent once with the same key."""


class AmbiguousError(DeliveryError):
    """The request may have been applied; settle by the endpoint's rule before resending."""


class DaemonError(SyndicatorError):
    """The daemon cannot start or continue."""


class ServeError(SyndicatorError):
    """The feed server cannot listen (address in use, permission denied)."""


class UsageError(SyndicatorError):
    """A command's arguments cannot be used (an unknown author, a file that already exists)."""


class SourceError(SyndicatorError):
    """One poll of a feed source failed; retry_after is seconds the server asked us to wait."""

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: float | None = None, **context: object) -> None:
        super().__init__(message, status=status, retry_after=retry_after, **context)
        self.status = status
        self.retry_after = retry_after
