"""A batch of problems summed up as it comes in, so that a full build's end need not read them all again.

A cold build's scan keeps each task's problems apart, encoded (build/parsed.py, report.HeldProblems).
At its end the build used to decode all of them three times, in the one process with nothing
else to do: to count the rejected files, to print (and record) the summarised lines of
build/problem_lines.py, and to encode them again for the record. A ProblemTally of each batch, made
while the workers are still parsing, answers the first two: problem_lines() over batches one
after another is their tallies' lines (`lines`), and the rejected files are their error paths; a
scan keeps the tally of all its batches (`joined`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..posts.problem import Problem
from .problem_lines import SHOWN_PER_WARNING, more_line


@dataclass(frozen=True)
class ProblemTally:
    """What problem_lines() and the rejected count need of one batch of problems, in its order."""

    errors: tuple[Problem, ...]  # every problem that is not a warning, in order
    # per warning message, in order of first appearance: how many, and the first SHOWN_PER_WARNING
    warnings: dict[str, tuple[int, tuple[Problem, ...]]]
    error_paths: frozenset[str]  # the files with an error (a rejected file)

    @staticmethod
    def of(problems: Iterable[Problem]) -> "ProblemTally":
        """The tally of these problems."""
        errors: list[Problem] = []
        counts: dict[str, int] = {}
        shown: dict[str, list[Problem]] = {}
        for problem in problems:
            if problem.severity != "warning":
                errors.append(problem)
                continue
            message = problem.message
            seen = counts.get(message, 0)
            counts[message] = seen + 1
            if seen < SHOWN_PER_WARNING:
                shown.setdefault(message, []).append(problem)
        return ProblemTally(tuple(errors), {message: (count, tuple(shown[message])) for message, count in counts.items()},
                     frozenset(p.path for p in errors if p.severity == "error"))


def joined(tallies: Iterable[ProblemTally]) -> ProblemTally:
    """The tally of the batches these tally, one after another (ProblemTally.of of them all): a scan's
    whole, kept instead of one per batch (at 100,000 posts their first problems alone were 2 MB)."""
    errors: list[Problem] = []
    counts: dict[str, int] = {}
    shown: dict[str, list[Problem]] = {}
    paths: set[str] = set()
    for tally in tallies:
        errors += tally.errors
        paths |= tally.error_paths
        for message, (count, first) in tally.warnings.items():
            counts[message] = counts.get(message, 0) + count
            group = shown.setdefault(message, [])
            group.extend(first[:SHOWN_PER_WARNING - len(group)])
    return ProblemTally(tuple(errors), {message: (count, tuple(shown[message])) for message, count in counts.items()},
                        frozenset(paths))


def lines(tallies: Sequence[ProblemTally]) -> list[str]:
    """problem_lines() (not verbose) of the batches these tally, one after another."""
    out = [str(problem) for tally in tallies for problem in tally.errors]
    counts: dict[str, int] = {}
    shown: dict[str, list[Problem]] = {}
    for tally in tallies:
        for message, (count, first) in tally.warnings.items():
            counts[message] = counts.get(message, 0) + count
            group = shown.setdefault(message, [])
            group.extend(first[:SHOWN_PER_WARNING - len(group)])
    for message, group in shown.items():
        out.extend(map(str, group))
        if counts[message] > len(group):
            out.append(more_line(message, counts[message], len(group)))
    return out
