"""The evidence base: what each source article claims, paraphrased, with its paragraph (seeds/sNNN.yaml)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sim import paths
from sim.errors import Collector, Issue, ScenarioError
from sim.typed import INVALID, Builder, spec
from sim.yamlio import load

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
    """One thing an article says, in our words, with the paragraph it rests on."""

    id: str = spec("sNNN.cK")
    kind: ClaimKind = spec("What sort of claim it is.")
    paragraph: int = spec("1-based index of the article's non-blank lines.", ge=1)
    actors: tuple[str, ...] = spec("Actor ids the claim concerns.")
    claim: str = spec("The claim, paraphrased.")
    value: float | None = spec("For facts: the number.", default=None)
    comparator: Literal["=", ">", "<", ">=", "<=", "~"] | None = spec(
        "How the number bounds the fact.", default=None
    )
    unit: str | None = spec("What the number counts.", default=None)
    window: Window | None = spec("For facts: the period it covers.", default=None)

    def problems(self) -> Iterator[tuple[str, str]]:
        if self.kind == "fact" and self.value is None:
            yield "value", "a claim of kind fact gives its value"


@dataclass(frozen=True, kw_only=True)
class Article:
    article: str = spec("File name of the article in the shared seeds folder.")
    title: str = spec("Headline.")
    date: dt.date = spec("Approximate publication date.")
    date_note: str = spec("How the date was inferred.", default="")
    claims: tuple[Claim, ...] = spec("What it claims.")

    def problems(self) -> Iterator[tuple[str, str]]:
        prefix = "s" + self.article[:3] + ".c"
        for i, c in enumerate(self.claims):
            if c.id != f"{prefix}{i + 1}":
                yield ("claims", i, "id"), f"expected id '{prefix}{i + 1}' (ids run from c1 without gaps)"


def load_article(path: Path) -> Article:
    issues = Collector()
    doc = load(path)
    built = Builder(doc, issues).build(Article, doc.data, ())
    issues.raise_if_any()
    assert built is not INVALID
    return built


@functools.cache
def evidence_base(folder: Path | None = None) -> dict[str, Claim]:
    """Every claim of every article in `folder` (the shipped seeds/ by default), by id."""
    folder = folder or paths.SEEDS
    files = sorted(folder.glob("s[0-9][0-9][0-9].yaml"))
    if not files:
        raise ScenarioError([Issue(str(folder), 1, "", "no evidence files (sNNN.yaml) in this folder")])
    return {c.id: c for f in files for c in load_article(f).claims}


def articles(folder: Path | None = None) -> list[Article]:
    return [load_article(f) for f in sorted((folder or paths.SEEDS).glob("s[0-9][0-9][0-9].yaml"))]
