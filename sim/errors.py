"""The one error type of bad input: every problem is a line `FILE:LINE: key.path: message`."""

from __future__ import annotations

from dataclasses import dataclass

from redline.words import escaped

MAX_ISSUES = 50  # a file with more problems than this is hopeless; more lines would only bury the first ones


@dataclass(frozen=True)
class Issue:
    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        # A message may list what is allowed (the shipped scenarios, say): it gets more room than a key path.
        file = escaped(self.file)  # a file name may hold what a key or value may
        return f"{file}:{self.line}: {_printable(self.path) or '(document)'}: {_printable(self.message, 600)}"


def _printable(text: str, limit: int = 300) -> str:
    """Keys and values quoted in messages come from untrusted files: escape what would break the one-line form."""
    out = escaped(text)
    return out if len(out) <= limit else out[: limit - 3] + "..."


class ScenarioError(Exception):
    """Bad input: a scenario, ladder, evidence file or override. Holds every issue found (up to a bound)."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues[:MAX_ISSUES]
        self.dropped = max(0, len(issues) - MAX_ISSUES)
        super().__init__(self.report())

    def report(self) -> str:
        lines = [str(i) for i in self.issues]
        if self.dropped:
            lines.append(f"... and {self.dropped} more problems")
        return "\n".join(lines)


class Collector:
    """Gathers issues for one source file; `raise_if_any` turns them into a ScenarioError."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, file: str, line: int, path: str, message: str) -> None:
        self.issues.append(Issue(file, line, path, message))

    def __bool__(self) -> bool:
        return bool(self.issues)

    def raise_if_any(self) -> None:
        if self.issues:  # in file order: overrides (files named --set) after the files they change
            raise ScenarioError(sorted(self.issues, key=lambda i: (i.file.startswith("--"), i.file, i.line)))


class SweepError(Exception):
    """A sweep that cannot go on as asked (a resume that does not match, a folder in the way): one line, exit 2."""


class OutputError(Exception):
    """An output folder that cannot be used: exists without --force, or cannot be written. One line, exit 2."""


class UsageError(Exception):
    """A bad flag or argument of a command: one line, exit status 2."""
