"""HTTP serving of the feeds output directory: `syndicator serve` and the daemon's server.

Why threads (http.server.ThreadingHTTPServer) and not asyncio: the work per request is a
stat, a cache lookup and one write of a few kilobytes, so a thread per connection costs
little; the standard library's HTTP/1.1 parser is mature and the handler stays plain
synchronous code that the daemon can run in a background thread next to its blocking
scheduler. Slow clients are contained by a per-connection socket timeout (a client that
stalls mid-request is dropped after `timeout` seconds) and a cap on concurrent connections
(beyond it a connection gets an immediate 503), so one slow client never blocks another.

What is served, and what never is (issue 4):

    /            index page for people: the index.html the last build wrote (index_page)
    /healthz     JSON: last build, post counts, cross-posting status (secrets removed)
    /<file>      a regular file inside the output directory with a known feed type

Refused with 404: `..` and `.` segments (also percent-encoded), encoded `/` or `\\`,
backslashes, NUL and control characters, empty segments (`//`), any name starting with `.`
(dotfiles and the build's `.name.tmp-*` temporary files) or looking temporary, symlinks
that resolve outside the directory, directories, and file types not in paths._TYPES (so
feeds/README.md stays private). Methods other than GET and HEAD get 405.

Modules: paths (request path safety, content types), files (entities with ETags and gzip, the
file cache), health (/healthz without a daemon, scrubbing), handler (the request handler),
listener (FeedServer, make_server, serve_in_thread). They all log as `syndicator.server`.
"""

from __future__ import annotations

from .files import Entity, FileCache
from .handler import Handler
from .health import file_health, scrub
from .listener import FeedServer, HealthFn, make_server, serve_in_thread
from .paths import content_type, resolve, safe_segments

__all__ = ["Entity", "FeedServer", "FileCache", "Handler", "HealthFn", "content_type", "file_health",
           "make_server", "resolve", "safe_segments", "scrub", "serve_in_thread"]
