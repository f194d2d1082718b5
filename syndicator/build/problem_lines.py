"""How a build's problems are shown: every error, and repeated warnings summarised (issue 12).

A site whose posts all carry a key syndicator does not know (`image_credit`, say) would otherwise
print the same warning once per post on every build: thousands of lines that hide the one error.
A finished build keeps these lines in its record, so a build answered from it prints them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..posts.problem import Problem
from .report import HeldProblems, RecordedProblems

SHOWN_PER_WARNING = 3  # files listed for a repeated warning unless --verbose


def problem_lines(problems: Iterable[Problem], *, verbose: bool = False) -> list[str]:
    """Lines to print: each error in full; each warning message with its first few files and a count.

    One pass that keeps only the lines it prints (and a count per message), so 200,000 warnings
    of one kind cost three lines and a number, not a list of them all.
    """
    if not verbose and isinstance(problems, RecordedProblems):
        return list(problems.shown)  # this function's lines, kept when the record was written
    tallies = problems.tallies() if not verbose and isinstance(problems, HeldProblems) else None
    if tallies is not None:  # a full scan's: summed up batch by batch as they came (build/problem_tally.py)
        from .problem_tally import lines

        return lines(tallies)
    lines: list[str] = []
    shown: dict[str, list[Problem]] = {}  # by message, in order of first appearance
    counts: dict[str, int] = {}
    for problem in problems:
        if problem.severity != "warning":
            lines.append(str(problem))
            continue
        message = problem.message
        seen = counts.get(message, 0)
        counts[message] = seen + 1
        group = shown.setdefault(message, [])
        if verbose or seen < SHOWN_PER_WARNING:
            group.append(problem)
    for message, group in shown.items():
        lines.extend(map(str, group))
        if counts[message] > len(group):
            lines.append(more_line(message, counts[message], len(group)))
    return lines


def more_line(message: str, count: int, listed: int) -> str:
    """The line that ends a repeated warning's files: how many there are, and how many were not listed."""
    return f"warning: {message}: in {count} files, {count - listed} more not listed (--verbose lists them all)"
