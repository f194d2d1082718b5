"""`syndicator build`, `check` and `new`: the publishing pipeline's commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import CONFIG_OPTION, main, now_utc, open_config, setup_logging
from ..build.problem_lines import problem_lines
from .progress import progress_printer

def _print_problems(problems, verbose: bool) -> None:
    for line in problem_lines(problems, verbose=verbose):
        click.echo(line, err=True)


VERBOSE_OPTION = click.option("--verbose", "-v", is_flag=True,
                              help="List every file with a repeated warning (by default: the first few and a count).")


@main.command()
@CONFIG_OPTION
@click.option("--no-cache", is_flag=True, help="Ignore the build cache and parse every post again.")
@VERBOSE_OPTION
def build(config_path: Path, no_cache: bool, verbose: bool) -> None:
    """Regenerate the feeds now."""
    from ..build import build as run_build

    setup_logging()
    config = open_config(config_path)
    report = run_build(config, now=now_utc(), use_cache=not no_cache, progress=progress_printer(sys.stderr), brief=True)
    _print_problems(report.problems, verbose)
    for line in report.summary(config.feeds.output):
        click.echo(line)
    if config.feeds.hubs:  # durable: a ping that fails now is sent by the next build
        from ..crosspost.websub_outbox import announce

        click.echo(announce(config, now=now_utc(), changed=report.changed).summary())
    if report.rejected or report.failed:  # a feed not written (a link in the way) is a failed build
        sys.exit(1)


@main.command()
@CONFIG_OPTION
@VERBOSE_OPTION
def check(config_path: Path, verbose: bool) -> None:
    """Validate config and posts; write nothing."""
    from ..crosspost.runner import check_config  # the [[endpoints]] tables
    from ..build import load_posts

    setup_logging()
    config = open_config(config_path)
    check_config(config)
    result = load_posts(config, bodies=False, cache=None)
    problems = result.problems
    _print_problems(problems, verbose)
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
    from ..posts.newpost import create

    config = open_config(config_path)
    path = create(config, title, now=now_utc(), author=author, fmt=fmt)
    click.echo(f"created {path}")
