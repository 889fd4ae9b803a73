"""What every plot shares: one colour per actor, names in words, a caption that says what was run, and figures
that draw into a caller's axes or are made here, written to a file only when a path is given.

Figures made here are plain `matplotlib.figure.Figure`s, not pyplot's: nothing here picks a backend, so a notebook
keeps its own, and a figure written to a file is never left open in pyplot's registry.
"""

from __future__ import annotations

import functools
import io
import textwrap
import warnings
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter, FuncFormatter

from redline.words import escaped, plural, tell_missing_glyphs

DPI = 100
# Tableau's ten, then ten more of its lighter or darker relatives: distinct for the first ten actors of a
# scenario, still distinct (if less so) up to twenty.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip


def actor_colors(*facts: dict[str, Any]) -> dict[str, str]:
    """One colour per actor, by its place in the scenario's list of actors. Given several scenarios (a baseline
    and its what-if), the first one's actors keep their colours and actors only a later one has come after, so
    the same actor has the same colour in every plot of a run, a comparison or a sweep."""
    order: dict[str, None] = {}
    for f in facts:
        order.update(dict.fromkeys(f.get("actors", {})))
    return {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(order)}


def actor_name(facts: dict[str, Any], actor: str) -> str:
    """The actor's name as the scenario gives it ("Militias in Iraq"), its id only if it has none."""
    info = facts.get("actors", {}).get(actor)
    return str(info.get("label") or actor) if isinstance(info, dict) else actor.replace("_", " ")


def step_name(unit: str, step: int, steps: int) -> str:
    """Step `step` (from 0, as the tables number it) as a class counts it: `Week 6 of 26 (step 5)`. The app, the
    debrief and the terminal game all say it so."""
    return f"{unit.capitalize()} {step + 1} of {steps} (step {step})"


def step_heading(unit: str, step: int, steps: int, first: object) -> str:
    """A step's name and its first day, e.g. `Week 6 of 26 (step 5), from 2023-11-11`; a day is its date alone."""
    name = step_name(unit, step, steps)
    return f"{name}: {first}" if unit == "day" else f"{name}, from {first}"


def in_words(name: str) -> str:
    """An id in words: `limited_strike` -> "limited strike"."""
    return name.replace("_", " ")


def rung_names(facts: dict[str, Any], short: bool = False) -> list[str]:
    """The ladder's rungs in words: their labels, or (short) their ids, where the labels would run long."""
    return [in_words(str(r["id"] if short else r.get("label") or r["id"])) for r in facts["ladder"]]


def param_name(path: str, facts: dict[str, Any] | None = None) -> str:
    """A --set path in words: `actors.iran.cost_sensitivity` -> "Iran: cost sensitivity"."""
    parts = path.split(".")
    if len(parts) >= 3 and parts[0] == "actors" and facts is not None:
        return f"{actor_name(facts, parts[1])}: {' '.join(parts[2:]).replace('_', ' ')}"
    if len(parts) >= 3 and parts[0] == "relations" and facts is not None:
        rels = facts.get("relations", [])
        key = parts[1].split(":")  # a relation by index, or as TYPE:FROM:TO
        r = None
        if key[0].isdigit() and int(key[0]) < len(rels):
            r = rels[int(key[0])]
        elif len(key) == 3:
            r = {"type": key[0], "from": key[1], "to": key[2]}
        if r is not None:
            who = f"{actor_name(facts, r['from'])} {r['type'].replace('_', ' ')} {actor_name(facts, r['to'])}"
            return f"{who}: {' '.join(parts[2:]).replace('_', ' ')}"
    return ": ".join(p.replace("_", " ") for p in parts)


def about(res: Any) -> str:
    """The caption line of a plot of results: scenario, runs and seed (a sweep's points too)."""
    f, m = res.facts, res.manifest
    sweep = m.get("sweep")
    if sweep:
        return (
            f"scenario {f['name']}: sweep of {sweep.get('points')} points x {sweep.get('runs_per_point')} runs, "
            f"root seed {sweep.get('root_seed')}"
        )
    extra = ""
    if f.get("overrides"):
        extra += f"; --set {', '.join(f['overrides'])}"
    if f.get("injects"):
        extra += f"; --inject {', '.join(f['injects'])}"
    seed = f", root seed {m['root_seed']}" if m.get("root_seed") is not None else ""
    return f"scenario {f['name']}: {plural(len(res.runs), 'run')}{seed}{extra}"


def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def panels(axes: Axes | Sequence[Axes] | None, n: int, figsize: tuple[float, float], **grid: Any):
    """The axes to draw `n` panels into: the caller's (`axes`, one Axes or a sequence of at least `n`), or those of
    a new figure laid out by `grid` (nrows, ncols, sharex, ...). Returns (figure, list of axes, made here)."""
    if axes is not None:
        given = [axes] if isinstance(axes, Axes) else list(np.ravel(np.asarray(axes, dtype=object)))
        if len(given) < n:
            raise ValueError(f"this plot draws {n} panels; {len(given)} axes were given")
        fig = given[0].figure
        return fig, given[:n], False
    fig = Figure(figsize=figsize, layout="constrained", dpi=DPI)
    made = fig.subplots(squeeze=False, **grid)
    return fig, list(made.ravel()), True


def finish(
    fig: Figure, path: str | Path | None, title: str | None, caption: str | None, made: bool
) -> Figure:
    """Title and caption a figure made here (one given by a caller keeps its own), then write it if asked."""
    if made and title:
        fig.suptitle(title + (f"\n{caption}" if caption else ""), fontsize=11)
    if path is not None:
        save(fig, Path(path))
    return fig


# Fonts with the glyphs of scripts that DejaVu Sans (Matplotlib's) lacks: Chinese, Japanese, Korean, Thai,
# Devanagari. A text that needs one is drawn with those of them installed here, after its own.
FALLBACK_FONTS = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Source Han Sans SC", "WenQuanYi Zen Hei",
    "Droid Sans Fallback", "PingFang SC", "Hiragino Sans", "Microsoft YaHei", "Malgun Gothic", "Noto Sans Thai",
    "Noto Sans Devanagari", "Arial Unicode MS",
)  # fmt: skip


@functools.cache
def fallback_fonts() -> tuple[str, ...]:
    """Those of FALLBACK_FONTS installed here (Matplotlib logs a warning for a family it cannot find)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(f for f in FALLBACK_FONTS if f in installed)


@functools.cache
def _glyphs(path: str) -> frozenset[int]:
    from matplotlib import font_manager

    return frozenset(font_manager.get_font(path).get_charmap())


def _lacking(words: str, props: Any) -> set[str]:
    """The characters of `words` (but line breaks) that the font `props` selects has no glyph for."""
    if words.isascii():  # every font Matplotlib may pick has these
        return set()
    from matplotlib import font_manager

    have = _glyphs(font_manager.findfont(props))
    return {c for c in words if ord(c) not in have and c != "\n"}


def _with_fallbacks(props: Any, lacking: set[str]) -> set[str]:
    """Draw a text of `props` with the installed fallback fonts after its own; the characters none of them has."""
    from matplotlib import font_manager

    families = list(props.get_family())
    families += [f for f in fallback_fonts() if f not in families]
    props.set_family(families)
    for name in families[1:]:
        lacking = {c for c in lacking if ord(c) not in _glyphs(font_manager.findfont(name))}
    return lacking


def printable(fig: Figure) -> set[str]:
    """Names and titles come from files (a scenario, a results folder's manifest): each control character in the
    figure's texts and tick labels but a line break is drawn as its escape, as the commands print it, where the font
    has no glyph for it (Matplotlib would warn on the terminal of a command that prints one line). A text with
    characters its font lacks is drawn with the fallback fonts installed after its own (one its font covers is left
    as it is). Returns the characters that no installed font has."""
    missing: set[str] = set()
    for text in fig.findobj(Text):
        words = text.get_text()
        shown = escaped(words, keep="\n", controls=True)
        if shown != words:
            text.set_text(shown)
        lacking = _lacking(shown, text.get_fontproperties())
        if lacking:
            missing |= _with_fallbacks(text.get_fontproperties(), lacking)
            text.stale = True
    # Tick labels given by name are set again from their formatter at each draw: a formatter of names (a list, or a
    # function over it) gives them escaped. Numbers print.
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            names = axis.get_major_formatter()
            if isinstance(names, FixedFormatter):
                names.seq = [escaped(str(s), keep="\n", controls=True) for s in names.seq]
                labels = "".join(names.seq)
            elif isinstance(names, FuncFormatter):
                # wrapped once, however often the figure is written
                if getattr(names.func, "func", None) is not _escaped_label:
                    names.func = partial(_escaped_label, names.func)
                labels = "".join(names.format_ticks(list(axis.get_majorticklocs())))
            else:
                continue  # numbers and dates: every font has their characters
            if labels.isascii():  # as most names are
                continue
            props = axis.majorTicks[0].label1.get_fontproperties()  # new ticks copy the first's
            lacking = _lacking(labels, props)
            if lacking:
                chain = props.copy()
                missing |= _with_fallbacks(chain, lacking)
                axis.set_tick_params(labelfontfamily=chain.get_family())
    return missing


def _escaped_label(label: Callable[[Any, Any], Any], x: Any, pos: Any) -> str:
    return escaped(str(label(x, pos)), keep="\n", controls=True)


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    return rendered(fig, dpi)


def rendered(fig: Figure, dpi: int = DPI, suffix: str = ".png") -> bytes:
    """The figure's bytes in the format of `suffix`, the characters no font here has told in one line."""
    data, missing = drawn(fig, dpi, suffix)
    tell_missing_glyphs(missing)
    return data


# The formats a figure is written in, by the file's suffix, with the metadata that would make two writings of one
# figure differ (a date, the software's version) left out.
FORMATS = {
    ".png": {"Software": None},
    ".pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    ".svg": {"Creator": None, "Date": None},
}


def drawn(fig: Figure, dpi: int = DPI, suffix: str = ".png") -> tuple[bytes, set[str]]:
    """The figure as PNG (or, by `suffix`, PDF or SVG) bytes, and the characters of its texts that no font here has
    (drawn as boxes)."""
    missing = printable(fig)
    buf = io.BytesIO()
    fmt, metadata = suffix.removeprefix("."), FORMATS[suffix]
    with warnings.catch_warnings(), matplotlib.rc_context({"svg.hashsalt": "redline"}):  # SVG ids: not random
        # Matplotlib warns once per character it has no glyph for; the caller tells them all in one line instead.
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font", UserWarning)
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata)
    return buf.getvalue(), missing


def save(fig: Figure, out: Path) -> Path:
    """Write the figure atomically (a half-written file never replaces a good one), in the format its suffix names:
    PNG, or PDF or SVG for a paper."""
    from redline.results.outputs import write_atomic

    if out.suffix.lower() not in FORMATS:
        raise ValueError(f"{out}: a figure is written as .png, .pdf or .svg; name the file with one of them")
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(out, rendered(fig, DPI, out.suffix.lower()))


def legend_outside(ax: Axes, handles: Iterable[Any] | None = None, **kw: Any) -> None:
    """A legend right of the axes, where it covers no line."""
    args = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 8, "frameon": False, **kw}
    if handles is not None:
        ax.legend(handles=list(handles), **args)
    else:
        ax.legend(**args)
