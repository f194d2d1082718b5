"""The command line: the one place that turns errors into messages and exit codes.

Each command is a thin shell over a pipeline function; no logic lives here.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from . import __version__
from .config import Config
from .config import find_config
from .config import load as load_config
from .errors import SyndicatorError

logger = logging.getLogger(__name__)

CONFIG_OPTION = click.option(
    "--config", "config_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
    help="Path to the config (default: ./syndicator.toml, else ./config.toml with a [site] table).",
)


def now_utc() -> datetime:
    """The current time; the only clock the commands read."""
    return datetime.now(timezone.utc)


def open_config(path: Path | None) -> Config:
    """Load the config or exit with its message (exit status 2).

    --config may stand before the command (`syndicator --config x.toml build`) or after it.
    """
    if path is None:
        ctx = click.get_current_context(silent=True)
        path = ctx.find_root().obj if ctx else None
    try:
        return load_config(path or find_config(Path.cwd()))
    except SyndicatorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicator")
@CONFIG_OPTION
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """syndicator: publish feeds from a posts directory and cross-post them."""
    ctx.obj = config_path


# Commands are added below, one section per pipeline.


def setup_logging(level: str = "warning", fmt: str = "text") -> None:
    """Configure the root logger once for a command: one line per event on stderr."""
    import json as _json

    class _Json(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                    "level": record.levelname.lower(), "logger": record.name,
                    "message": record.getMessage()}
            if record.exc_info or record.exc_text:  # the daemon logs job failures with tracebacks
                line["exc"] = record.exc_text or self.formatException(record.exc_info)
            return _json.dumps(line, ensure_ascii=False)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Json() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    try:
        from .redact import RedactingFilter  # masks secrets in every log line
        handler.addFilter(RedactingFilter())
    except ImportError:
        pass
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


# ---- build / check / new -------------------------------------------------------------------

def _progress_printer():
    """A progress callback for long builds, only on a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        click.echo(f"\rparsing posts: {done}/{total}", err=True, nl=done >= total)

    return show


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@main.command()
@CONFIG_OPTION
@click.option("--no-cache", is_flag=True, help="Ignore the build cache and parse every post again.")
def build(config_path: Path, no_cache: bool) -> None:
    """Regenerate the feeds now."""
    from .build.pipeline import build as run_build

    setup_logging()
    config = open_config(config_path)
    try:
        report = run_build(config, now=now_utc(), use_cache=not no_cache, progress=_progress_printer())
    except SyndicatorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    _print_problems(report.problems)
    due = f" (next due {report.next_due.isoformat()})" if report.next_due else ""
    click.echo(f"posts: {report.files} read, {len(report.published)} published, {report.drafts} draft, "
               f"{report.future} scheduled{due}, {report.rejected} rejected")
    click.echo(f"feeds: {len(report.written)} written, {report.unchanged} unchanged, "
               f"{len(report.removed)} removed in {config.feeds.output}")
    if report.rejected:
        sys.exit(1)


@main.command()
@CONFIG_OPTION
def check(config_path: Path) -> None:
    """Validate config and posts; write nothing."""
    from .posts.loader import load_posts

    setup_logging()
    config = open_config(config_path)
    problems = []
    try:
        from .crosspost.runner import check_config  # the [[endpoints]] tables
    except ImportError:
        check_config = None
    if check_config is not None:
        try:
            check_config(config)
        except SyndicatorError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
    result = load_posts(config, bodies=False, cache=None)
    problems = result.problems
    _print_problems(problems)
    click.echo(f"config: ok; posts: {result.files} read, {len(result.posts)} good, {result.rejected} rejected, "
               f"{sum(1 for p in problems if p.severity == 'warning')} warnings")
    if result.rejected:
        sys.exit(1)


@main.command()
@CONFIG_OPTION
@click.argument("title")
@click.option("--author", help="Author key from [authors] (default: the site's author).")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
def new(config_path: Path, title: str, author: str | None, fmt: str) -> None:
    """Create a post file with a minted id, the current time and the default author."""
    from .posts.newpost import create

    config = open_config(config_path)
    try:
        path = create(config, title, now=now_utc(), author=author, fmt=fmt)
    except SyndicatorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"created {path}")


# --- run: the daemon (issue 4) ---------------------------------------------------------------


@main.command("run")
@CONFIG_OPTION
@click.option("--once", is_flag=True,
              help="One build and one cross-posting pass, then exit (for cron or systemd timers).")
@click.option("--serve/--no-serve", default=None,
              help="Also serve the feeds over HTTP (default: [daemon] serve in the config).")
@click.option("--host", default=None, help="Address to serve on (default: [server] host).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to serve on (default: [server] port; 0 picks a free one).")
@click.option("--poll", is_flag=True,
              help="Watch posts by polling instead of filesystem notifications (network filesystems).")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]),
              default="info", show_default=True, help="Least severe log level shown.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Log lines as text or as JSON objects.")
def run_command(config_path: Path, once: bool, serve: bool | None, host: str | None,
                port: int | None, poll: bool, log_level: str, log_format: str) -> None:
    """Run the daemon: rebuild on change, publish scheduled posts, cross-post, serve.

    Watches the posts directory and the config file and rebuilds the feeds within a second of
    a change; publishes future-dated posts at their time; cross-posts on the [daemon]
    schedule and after new posts appear; pings WebSub hubs. SIGHUP reloads the config,
    SIGTERM stops cleanly. Only one daemon may run per state directory.
    """
    from .daemon import run
    from .errors import DaemonError

    setup_logging(log_level, log_format)
    config = open_config(config_path)
    try:
        status = run(config, once=once, serve=serve, poll=poll, host=host, port=port)
    except DaemonError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    sys.exit(status)


# ---------------------------------------------------------------- serve (issue 4)

@main.command()
@CONFIG_OPTION
@click.option("--host", default=None, help="Address to listen on (default: [server] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (default: [server] port, 8080; 0 picks a free one).")
def serve(config_path: Path, host: str | None, port: int | None) -> None:
    """Serve the feeds directory over HTTP: feeds, an index page at / and /healthz."""
    import signal
    import threading

    from .server import make_server

    config = open_config(config_path)
    setup_logging("info")
    try:
        server = make_server(config, host=host, port=port)
    except OSError as exc:
        where = f"{host or config.server.host}:{config.server.port if port is None else port}"
        click.echo(f"error: cannot listen on {where}: {exc.strerror or exc}", err=True)
        sys.exit(1)

    def stop(signum: int, frame: object) -> None:
        # shutdown() waits for serve_forever() to return, so it cannot run in this (its) thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    if not config.feeds.output.is_dir():
        logger.warning("%s does not exist yet; run `syndicator build`", config.feeds.output)
    click.echo(f"serving {config.feeds.output} at http://{shown}:{bound_port}/ (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


# ---- crosspost / status / retry (issue 3) ---------------------------------------------------


def _since(value: str | None, config: Config) -> datetime | None:
    """--since DATE: an ISO date or date-time; without a zone, the site's time zone."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        click.echo(f"error: --since {value!r} is not a date like 2026-05-01 or "
                   "2026-05-01T09:00", err=True)
        sys.exit(2)
    return when if when.tzinfo else when.replace(tzinfo=config.site.timezone)


def _print_preview(report) -> None:
    """The dry run, one block per delivery, then what would be skipped and why."""
    click.echo("dry run: nothing is sent and the ledger is not touched")
    waiting: dict[tuple[str, str], list[str]] = {}
    for p in report.previews:
        if p.action == "skip":
            continue
        if p.action == "wait" and p.length is None:  # drafts and scheduled posts
            waiting.setdefault((p.post_id, p.reason), []).append(p.endpoint)
            continue
        head = f"\n[{p.endpoint}] {p.post_id}" + (f"  {p.title!r}" if p.title else "")
        click.echo(head)
        if p.length is None:
            click.echo(f"  {p.action}: {p.reason}")
            continue
        limit = f"/{p.limit}" if p.limit is not None else " (no limit)"
        over = "  OVER THE LIMIT" if p.limit is not None and p.length > p.limit else ""
        click.echo(f"  {p.action}: length {p.length}{limit}{over}" + (f"; {p.reason}" if p.reason else ""))
        for line in p.text.splitlines() or [""]:
            click.echo(f"  | {line}")
        for key, value in p.details.items():
            click.echo(f"  {key}: {value}")
        if p.dropped:
            click.echo(f"  dropped to fit: {', '.join(p.dropped)}")
    if waiting:
        click.echo("\nnot yet eligible:")
    for (post_id, why), endpoints in waiting.items():
        click.echo(f"  {post_id}: {why} ({', '.join(endpoints)})")
    groups: dict[tuple[str, str], list[str]] = {}
    for post_id, endpoint, why in report.skipped:
        groups.setdefault((endpoint, why), []).append(post_id)
    if groups:
        click.echo("\nskipped:")
    for (endpoint, why), ids in groups.items():
        shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        click.echo(f"  [{endpoint}] {len(ids)} post(s): {why}: {shown}")


@main.command("crosspost")
@CONFIG_OPTION
@click.option("--dry-run", is_flag=True,
              help="Show each message with its measured length and what would be skipped; "
                   "send nothing and touch nothing.")
@click.option("--endpoint", "endpoint_name", metavar="NAME", help="Only this endpoint.")
@click.option("--backfill", type=click.IntRange(min=1), metavar="N",
              help="For an endpoint seen for the first time: also send the N newest posts.")
@click.option("--since", metavar="DATE",
              help="For an endpoint seen for the first time: also send posts published since DATE.")
def crosspost_command(config_path: Path | None, dry_run: bool, endpoint_name: str | None,
                      backfill: int | None, since: str | None) -> None:
    """Send new posts to every configured endpoint, once (plan, then deliver what is due).

    The first run for an endpoint records the posts that already exist as skipped and sends
    nothing (use --backfill or --since to send some of them). Every delivery is recorded in
    the ledger before it is sent, so a crash never loses or duplicates a post.
    """
    from . import crosspost
    from .posts.loader import load_posts

    setup_logging("info")
    config = open_config(config_path)
    when = _since(since, config)
    try:
        result = load_posts(config)
        for problem in result.problems:
            click.echo(f"warning: {problem}", err=True)
        report = crosspost.run(config, result.posts, now=now_utc(), dry_run=dry_run,
                               endpoint=endpoint_name, backfill=backfill, since=when)
    except SyndicatorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2 if type(exc).__name__ == "ConfigError" else 1)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if dry_run:
        _print_preview(report)
        return
    for name, reason in sorted(report.paused.items()):
        click.echo(f"paused: {name}: {reason}", err=True)
    click.echo(report.summary())
    if report.paused or report.count("failed") or report.count("unknown"):
        sys.exit(1)


def _status_table(data: dict) -> None:
    click.echo(f"ledger: {data['ledger']}" + ("" if data["exists"] else " (none yet: run "
                                               "`syndicator crosspost`)"))
    states = ("pending", "sent", "failed", "unknown", "skipped")
    rows = [("ENDPOINT", "TYPE", "STATE", *(s.upper() for s in states))]
    for e in data["endpoints"]:
        state = ("paused" if e["paused"] else "active" if e["enabled"] else "disabled") \
            if e["configured"] else "removed"
        counts = dict(e["counts"])
        counts["pending"] += counts.get("sending", 0)
        rows.append((e["name"], e["type"] or "-", state, *(str(counts[s]) for s in states)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    for e in data["endpoints"]:
        if e["paused"]:
            click.echo(f"\npaused {e['name']}: {e['paused_reason']}")
    if data["recent"]:
        click.echo("\nlatest deliveries:")
        for r in data["recent"]:
            click.echo(f"  {r['sent_at']}  [{r['endpoint']}] {r['post_id']}  {r['remote_url'] or '-'}")
    if data["problems"]:
        click.echo("\nneeds attention (`syndicator retry` re-queues):")
        for r in data["problems"]:
            click.echo(f"  [{r['endpoint']}] {r['post_id']}: {r['state']} after {r['attempts']} "
                       f"attempt(s): {r['last_error'] or '-'}")
    if data["retrying"]:
        click.echo("\nretrying:")
        for r in data["retrying"]:
            click.echo(f"  [{r['endpoint']}] {r['post_id']}: {r['attempts']} attempt(s), next at "
                       f"{r['next_attempt_at'] or 'next run'}: {r['last_error'] or '-'}")


@main.command("status")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def status_command(config_path: Path | None, as_json: bool) -> None:
    """Show cross-posting per endpoint: counts by state, pauses, latest deliveries, failures."""
    import json

    from . import crosspost

    config = open_config(config_path)
    try:
        data = crosspost.status(config)
    except SyndicatorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2 if type(exc).__name__ == "ConfigError" else 1)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _status_table(data)


@main.command("retry")
@CONFIG_OPTION
@click.option("--endpoint", "endpoint_name", metavar="NAME", help="Only this endpoint.")
@click.option("--post", "post_id", metavar="ID", help="Only this post (its entry id).")
def retry_command(config_path: Path | None, endpoint_name: str | None, post_id: str | None) -> None:
    """Re-queue failed (and unknown) deliveries and resume paused endpoints.

    They are sent by the next `syndicator crosspost` (or the daemon's next pass).
    """
    from . import crosspost

    setup_logging("info")
    config = open_config(config_path)
    try:
        before = crosspost.status(config)
        count = crosspost.retry(config, endpoint=endpoint_name, post_id=post_id, now=now_utc())
    except SyndicatorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2 if type(exc).__name__ == "ConfigError" else 1)
    if post_id is None or endpoint_name is not None:
        for e in before["endpoints"]:
            if e["paused"] and endpoint_name in (None, e["name"]):
                click.echo(f"resumed {e['name']}")
    click.echo(f"re-queued {count} deliver{'y' if count == 1 else 'ies'}"
               + ("; run `syndicator crosspost` to send" if count else ""))
