"""The evidence base: what each source article claims, paraphrased, with its paragraph (seeds/sNNN.yaml), and the
public facts of the historical cases, paraphrased, with their sources named (seeds/hNNN.yaml)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from redline.errors import Collector, Issue, ScenarioError
from redline.language import paths
from redline.language.typed import INVALID, Builder, Problem, spec
from redline.language.yamlio import load

ClaimKind = Literal[
    "support",
    "restraint",
    "retaliation",
    "red_line",
    "autonomy",
    "attribution",
    "capability",
    "domestic_constraint",
    "diplomacy",
    "fact",
]


@dataclass(frozen=True, kw_only=True)
class Window:
    start: dt.date = spec("First day.")
    end: dt.date = spec("Last day.")


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One thing an article (or a historical case's sources) says, in our words, with the paragraph it rests on."""

    id: str = spec("sNNN.cK (an article's claim) or hNNN.cK (a historical case's)")
    kind: ClaimKind = spec("What sort of claim it is.")
    paragraph: int | None = spec(
        "1-based index of the article's non-blank lines (required in article files; none in history files).",
        default=None,
        ge=1,
    )
    actors: tuple[str, ...] = spec("Actor ids the claim concerns.")
    claim: str = spec("The claim, paraphrased.")
    value: float | None = spec("For facts: the number.", default=None)
    comparator: Literal["=", ">", "<", ">=", "<=", "~"] | None = spec(
        "How the number bounds the fact.", default=None
    )
    unit: str | None = spec("What the number counts.", default=None)
    window: Window | None = spec("For facts: the period it covers.", default=None)

    def problems(self) -> Iterator[Problem]:
        if self.kind == "fact" and self.value is None:
            yield "value", "a claim of kind fact gives its value"


@dataclass(frozen=True, kw_only=True)
class Article:
    article: str = spec("File name of the article in the shared seeds folder.")
    title: str = spec("Headline.")
    date: dt.date = spec("Approximate publication date.")
    date_note: str = spec("How the date was inferred.", default="")
    claims: tuple[Claim, ...] = spec("What it claims.")

    @property
    def origin(self) -> str:
        """Where the claims come from: the article's file name."""
        return self.article

    def problems(self) -> Iterator[Problem]:
        prefix = "s" + self.article[:3] + ".c"
        for i, c in enumerate(self.claims):
            if c.id != f"{prefix}{i + 1}":
                yield ("claims", i, "id"), f"expected id '{prefix}{i + 1}' (ids run from c1 without gaps)"
            if c.paragraph is None:
                yield (
                    ("claims", i),
                    "missing required key 'paragraph' (a claim of an article names its paragraph)",
                )


@dataclass(frozen=True, kw_only=True)
class History:
    """A historical case (seeds/hNNN.yaml): well-known public facts, paraphrased, with the sources named."""

    source: str = spec("The public sources the claims rest on, by name (reports, resolutions, histories).")
    title: str = spec("What the case is.")
    date: dt.date = spec("The day of the case's opening event.")
    date_note: str = spec("What the date marks.", default="")
    claims: tuple[Claim, ...] = spec("What the sources establish.")

    @property
    def origin(self) -> str:
        """Where the claims come from: the named sources."""
        return self.source


EvidenceFile = Article | History

_PATTERNS = {"s": "s[0-9][0-9][0-9].yaml", "h": "h[0-9][0-9][0-9].yaml"}


def _files(folder: Path, kind: str) -> list[Path]:
    return sorted(folder.glob(_PATTERNS[kind]))


def _load(path: Path, cls: type) -> EvidenceFile:
    issues = Collector()
    doc = load(path)
    builder = Builder(doc, issues)
    built = builder.build(cls, doc.data, ())
    if isinstance(built, History):  # ids carry the file's own number: h001.c1, h001.c2, ...
        prefix = path.stem + ".c"
        for i, c in enumerate(built.claims):
            if c.id != f"{prefix}{i + 1}":
                builder.error(
                    ("claims", i, "id"), f"expected id '{prefix}{i + 1}' (ids run from c1 without gaps)"
                )
    issues.raise_if_any()
    assert built is not INVALID
    return built


def load_article(path: Path) -> Article:
    return _load(path, Article)  # type: ignore[return-value]


def load_history(path: Path) -> History:
    return _load(path, History)  # type: ignore[return-value]


@functools.cache
def evidence_base(folder: Path | None = None) -> dict[str, Claim]:
    """Every claim of every article and historical case in `folder` (the shipped seeds/ by default), by id."""
    folder = folder or paths.SEEDS
    files = evidence_files(folder)
    if not files:
        raise ScenarioError(
            [Issue(str(folder), 1, "", "no evidence files (sNNN.yaml or hNNN.yaml) in this folder")]
        )
    base: dict[str, Claim] = {}
    where: dict[str, str] = {}
    issues = []
    for path, f in zip(_files(folder, "s") + _files(folder, "h"), files, strict=True):
        for c in f.claims:
            if c.id in base:
                issues.append(
                    Issue(str(path), 1, "claims", f"claim id '{c.id}' is also used in {where[c.id]}")
                )
            base[c.id] = c
            where.setdefault(c.id, path.name)
    if issues:
        raise ScenarioError(issues)
    return base


def articles(folder: Path | None = None) -> list[Article]:
    """The article files (sNNN.yaml), in order."""
    return [load_article(f) for f in _files(folder or paths.SEEDS, "s")]


def histories(folder: Path | None = None) -> list[History]:
    """The historical cases (hNNN.yaml), in order."""
    return [load_history(f) for f in _files(folder or paths.SEEDS, "h")]


def evidence_files(folder: Path | None = None) -> list[EvidenceFile]:
    """Every evidence file: the articles first, then the historical cases."""
    return [*articles(folder), *histories(folder)]
