"""The evidence base: every article has claims, ids run in order, paragraphs exist, nothing is copied; every
historical case names its sources and its ids run in order."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from redline.language.evidence import articles, evidence_base, histories

from .conftest import ROOT

SHARED = ROOT.parent / "shared"
ARTICLES = SHARED / "seeds"
ACTORS = {
    "iran",
    "israel",
    "usa",
    "hamas",
    "hezbollah",
    "houthis",
    "iraqi_militias",
    "syrian_militias",
    "lebanon",
    "shipping",
    "jordan",
    "europe",
    "gulf_states",
}


def test_every_article_has_10_to_25_claims():
    arts = articles()  # the article files (sNNN.yaml) only
    assert [a.article[:3] for a in arts] == ["000", "001", "002", "003", "004"]
    for a in arts:
        assert 10 <= len(a.claims) <= 25, a.article
        assert all(set(c.actors) <= ACTORS for c in a.claims)
        assert all(c.kind != "fact" or c.value is not None for c in a.claims)
        assert all(c.paragraph is not None for c in a.claims), a.article


def test_every_history_names_a_source_and_its_ids_run_without_gaps():
    files = sorted((ROOT / "seeds").glob("h[0-9][0-9][0-9].yaml"))
    cases = histories()
    assert len(cases) == len(files) >= 5
    for path, h in zip(files, cases, strict=True):
        assert h.source.strip() and h.title.strip(), path.name
        assert 6 <= len(h.claims) <= 12, path.name
        assert [c.id for c in h.claims] == [f"{path.stem}.c{k}" for k in range(1, len(h.claims) + 1)], (
            path.name
        )
        assert all(c.kind != "fact" or c.value is not None for c in h.claims), path.name


def test_a_history_file_needs_a_source_and_ids_of_its_own_number(tmp_path):
    from redline import ScenarioError
    from redline.language.evidence import evidence_base as base

    good = (ROOT / "seeds" / "h001.yaml").read_text()
    (tmp_path / "h001.yaml").write_text(good.replace("id: h001.c2", "id: h001.c9"))
    with pytest.raises(ScenarioError, match=r"h001.yaml:\d+: claims.1.id: expected id 'h001.c2'"):
        base(Path(tmp_path))
    (tmp_path / "h001.yaml").write_text(good.replace("source:", "sources:"))
    with pytest.raises(ScenarioError, match=r"missing required key 'source'"):
        base(Path(tmp_path))


@pytest.mark.skipif(not ARTICLES.is_dir(), reason="the source articles are not beside the project")
def test_files_and_paragraphs_point_into_the_articles():
    for a in articles():
        text = (ARTICLES / a.article).read_text()
        paragraphs = [line for line in text.splitlines() if line.strip()]
        assert all(1 <= c.paragraph <= len(paragraphs) for c in a.claims), a.article


@pytest.mark.skipif(
    not (SHARED / "tools" / "copied_text.py").is_file(), reason="the copy checker is not here"
)
def test_no_sentence_is_copied_from_an_article():
    r = subprocess.run([sys.executable, str(SHARED / "tools" / "copied_text.py"), str(ROOT)],
                       capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stdout


def test_every_claim_a_shipped_scenario_cites_exists():
    known = evidence_base()
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        cited = set(re.findall(r"\bs\d{3}\.c\d+\b", path.read_text()))
        assert cited and cited <= known.keys(), (path.name, sorted(cited - known.keys()))


def test_every_case_rests_on_a_history_and_its_claims_exist():
    known = evidence_base()
    cases = sorted((ROOT / "scenarios" / "cases").glob("*.yaml"))
    assert len(cases) >= 5
    for path in cases + sorted((ROOT / "scenarios" / "holdout").glob("*.yaml")):
        cited = set(re.findall(r"\b[sh]\d{3}\.c\d+\b", path.read_text()))
        assert any(c.startswith("h") for c in cited), path.name
        assert cited <= known.keys(), (path.name, sorted(cited - known.keys()))


def test_a_claim_of_an_article_names_its_paragraph(tmp_path):
    from redline import ScenarioError
    from redline.language.evidence import evidence_base as base

    good = (ROOT / "seeds" / "s000.yaml").read_text()
    (tmp_path / "s000.yaml").write_text(re.sub(r"\n\s*paragraph: \d+", "", good, count=1))
    with pytest.raises(ScenarioError, match=r"s000.yaml:\d+: claims.0: missing required key 'paragraph'"):
        base(Path(tmp_path))


def test_seeds_command_filters(cli):
    status, out, _ = cli("seeds", "--actor", "hezbollah", "--kind", "domestic_constraint")
    assert status == 0 and "s002.c14" in out and "s001.c1 " not in out
    status, out, _ = cli("seeds", "--actor", "pakistan")
    assert status == 0 and "h005.c9" in out and "Inter-Services Public Relations" in out and "¶" not in out
    status, _, err = cli("seeds", "--kind", "rumour")
    assert status == 2 and "invalid choice" in err


def test_a_broken_seed_file_is_reported_with_its_line(tmp_path):
    from redline import ScenarioError
    from redline.language.evidence import evidence_base as base

    good = (ROOT / "seeds" / "s000.yaml").read_text()
    (tmp_path / "s000.yaml").write_text(good.replace("id: s000.c2", "id: s000.c9"))
    with pytest.raises(ScenarioError, match=r"s000.yaml:\d+: claims.1.id: expected id 's000.c2'"):
        base(Path(tmp_path))
