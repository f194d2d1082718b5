"""The command line as a user runs it: a subprocess, its output and exit status."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "syndicator", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def example(tmp_path):
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    shutil.copytree(REPO / "posts", tmp_path / "posts")
    return tmp_path


def test_build_reports_counts_and_writes_feeds(example):
    result = run("build", cwd=example)
    assert result.returncode == 0, result.stderr
    assert "posts: 7 read, 5 published, 1 draft, 1 scheduled" in result.stdout
    assert "feeds: 56 written, 0 unchanged, 0 removed" in result.stdout  # 54 feeds, OPML, index.html
    again = run("build", cwd=example)
    assert "feeds: 0 written, 56 unchanged" in again.stdout


def test_broken_post_is_reported_without_traceback_and_exit_status_is_1(example):
    (example / "posts" / "2025-12-01-broken.md").write_bytes(b"---\ntitle: x\ndate: not-a-date\n---\n")
    (example / "posts" / "2025-12-02-typo.md").write_text("---\ntittle: Typo\ntitle: T\n---\nx\n")
    result = run("build", cwd=example)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "posts/2025-12-01-broken.md:3: date: 'not-a-date' is not a date" in result.stderr
    assert "posts/2025-12-02-typo.md:2: warning: unknown front matter key 'tittle' (did you mean 'title'?)" in result.stderr
    assert "6 published" in result.stdout and "1 rejected" in result.stdout
    assert (example / "feeds" / "rss.xml").exists()


def test_bad_config_is_one_clear_line(example):
    (example / "config.toml").write_text((example / "config.toml").read_text().replace("[feeds]", "[feds]"))
    result = run("build", cwd=example)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: config.toml: unknown section [feds] (did you mean 'feeds'?)"


def test_check_writes_nothing(example):
    result = run("--config", str(example / "config.toml"), "check", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "posts: 7 read, 7 good, 0 rejected" in result.stdout
    assert not (example / "feeds").exists() and not (example / ".syndicator").exists()


def test_new_creates_a_draft_with_id_date_and_author_then_refuses_to_overwrite(example):
    result = run("new", "Ünïcode café notes", cwd=example)
    assert result.returncode == 0, result.stderr
    created = [p for p in (example / "posts").glob("*ünïcode-café-notes.md")]
    assert len(created) == 1
    text = created[0].read_text()
    assert 'title: "Ünïcode café notes"' in text and "author: maya" in text and "id: \"tag:" in text
    assert run("check", cwd=example).returncode == 0
    again = run("new", "Ünïcode café notes", cwd=example)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_every_command_has_help(example):
    import click

    from syndicator.cli import main

    names = main.list_commands(click.Context(main))
    assert {"build", "check", "crosspost", "run", "serve", "import", "init", "sources"} <= set(names)
    for name in names:
        result = run(name, "--help", cwd=example)
        assert result.returncode == 0 and "Usage:" in result.stdout, name


@pytest.mark.parametrize("command", ["build", "check", "new", "crosspost", "status", "retry", "serve", "run"])
def test_a_config_error_is_one_line_and_exit_2_from_every_command(example, command):
    (example / "config.toml").write_text((example / "config.toml").read_text().replace("[feeds]", "[feds]"))
    result = run(command, *(["A title"] if command == "new" else []), cwd=example)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: config.toml: unknown section [feds] (did you mean 'feeds'?)"


@pytest.mark.parametrize("args", [["serve"], ["run", "--serve"]])
def test_a_busy_port_is_one_error_line_and_exit_1(example, args):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(*args, "--host", "127.0.0.1", "--port", str(port), cwd=example)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: cannot listen on 127.0.0.1:{port}: Address already in use"], result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2_and_other_expected_failures_exit_1():
    from syndicator.cli.app import exit_status
    from syndicator.errors import (AuthError, ConfigError, DaemonError, LedgerError, PostError, ServeError,
                                   SyndicatorError, UsageError)

    assert [exit_status(e("x")) for e in (ConfigError, UsageError)] == [2, 2]
    assert [exit_status(e("x")) for e in (SyndicatorError, PostError, LedgerError, DaemonError, ServeError,
                                          AuthError)] == [1] * 6


def test_unknown_author_is_a_usage_error(example):
    result = run("new", "Hello", "--author", "mya", cwd=example)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: unknown author 'mya' (did you mean 'maya'?)"
    assert not list((example / "posts").glob("*hello*"))


def test_only_the_command_group_turns_errors_into_exits():
    # The one error exit: no command module catches SyndicatorError or picks an exit status for one.
    cli = REPO / "syndicator" / "cli"
    catching = [p.name for p in cli.glob("*.py") if "except SyndicatorError" in p.read_text()
                or "type(exc).__name__" in p.read_text()]
    assert catching == ["app.py"]


def _readme_test_command() -> str:
    return next(line.strip() for line in (REPO / "README.md").read_text().splitlines() if "pytest" in line)


def test_ci_runs_exactly_the_readme_test_command():
    command = _readme_test_command()
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert command in ci_lines and "sudo" not in command


@pytest.mark.parametrize("uid, via_sudo", [("0", False), ("1000", True)])
def test_test_setup_uses_sudo_only_when_not_root(tmp_path, uid, via_sudo):
    # The outside commands the script runs are stubs on PATH that record their arguments; for
    # root there is no `sudo` at all, as on a fresh Debian machine.
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    for tool in ("dirname", "mkdir", "chmod"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    stubs = {"id": f"echo {uid}", "apt-get": "", "env": 'shift; "$@"',
             "python3": "mkdir -p .venv/bin && echo '#!/bin/sh' > .venv/bin/pip && chmod +x .venv/bin/pip",
             "npm": ""}
    if via_sudo:
        stubs["sudo"] = '"$@"'
    for name, body in stubs.items():
        (bin_dir / name).write_text(f'#!/bin/sh\necho "{name} $*" >> {log}\n{body}\n')
        (bin_dir / name).chmod(0o755)
    clone = tmp_path / "clone"
    (clone / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "test-setup", clone / "scripts" / "test-setup")
    result = subprocess.run(["/bin/bash", str(clone / "scripts" / "test-setup")], capture_output=True,
                            text=True, env={"PATH": str(bin_dir)}, timeout=60)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert [c for c in calls if c.startswith("apt-get")] == [
        "apt-get update -qq", "apt-get install -y -qq python3-venv newsboat chromium hugo jekyll ruby-jekyll-feed nodejs"]
    through_sudo = [c for c in calls if c.startswith("sudo ")]
    assert through_sudo == (["sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
                             "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv "
                             "newsboat chromium hugo jekyll ruby-jekyll-feed nodejs"] if via_sudo else [])
    assert "python3 -m venv .venv" in calls
    assert "npm ci --prefix tests/js --no-audit --no-fund --loglevel=error" in calls
