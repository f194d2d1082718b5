"""A batch of problems summed up as it comes in, so that a full build's end need not read them all again.

A cold build's scan keeps each task's problems apart, encoded (build/parsed.py, report.HeldProblems).
At its end the build used to decode all of them three times, in the one process with nothing
else to do: to count the rejected files, to print (and record) the summarised lines of
build/problem_lines.py, and to encode them again for the record. A ProblemTally of each batch, made
while the workers are still parsing, answers the first two: problem_lines() over batches one
after another is their tallies' lines (`lines`), and the rejected files are their error paths; a
scan joins each batch's tally to those before it as they come in path order (`Joining`: at 100,000
posts a tally per batch held 2.8 MB), and keeps one.
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


class Joining:
    """Tallies joined one after another as they come (one tally held, however many batches)."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.counts: dict[str, int] = {}
        self.shown: dict[str, list[Problem]] = {}
        self.paths: set[str] = set()

    def add(self, tally: ProblemTally) -> None:
        """The next batch's tally."""
        self.errors += tally.errors
        self.paths |= tally.error_paths
        for message, (count, first) in tally.warnings.items():
            self.counts[message] = self.counts.get(message, 0) + count
            group = self.shown.setdefault(message, [])
            group.extend(first[:SHOWN_PER_WARNING - len(group)])

    def tally(self) -> ProblemTally:
        """The tally of every batch added, in that order (ProblemTally.of of them all)."""
        return ProblemTally(tuple(self.errors), {message: (count, tuple(self.shown[message]))
                                                 for message, count in self.counts.items()}, frozenset(self.paths))


def joined(tallies: Iterable[ProblemTally]) -> ProblemTally:
    """The tally of the batches these tally, one after another (ProblemTally.of of them all)."""
    joining = Joining()
    for tally in tallies:
        joining.add(tally)
    return joining.tally()


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
