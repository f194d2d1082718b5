"""How a build's problems are shown: every error, and repeated warnings summarised (issue 12).

A site whose posts all carry a key syndicator does not know (`image_credit`, say) would otherwise
print the same warning once per post on every build: thousands of lines that hide the one error.
A finished build keeps these lines in its record, so a build answered from it prints them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..posts.problem import Problem
from .report import RecordedProblems

SHOWN_PER_WARNING = 3  # files listed for a repeated warning unless --verbose


def problem_lines(problems: Iterable[Problem], *, verbose: bool = False) -> list[str]:
    """Lines to print: each error in full; each warning message with its first few files and a count."""
    if not verbose and isinstance(problems, RecordedProblems):
        return list(problems.shown)  # this function's lines, kept when the record was written
    problems = list(problems)
    lines = [str(p) for p in problems if p.severity != "warning"]
    by_message: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.severity == "warning":
            by_message.setdefault(problem.message, []).append(problem)
    for message, group in by_message.items():
        shown = group if verbose else group[:SHOWN_PER_WARNING]
        lines.extend(str(p) for p in shown)
        if len(group) > len(shown):
            lines.append(f"warning: {message}: in {len(group)} files, {len(group) - len(shown)} more not listed "
                         "(--verbose lists them all)")
    return lines
