"""Load a scenario: read the file, follow `extends`, apply overrides, validate, resolve the ladder, check references.

    load_scenario("scenarios/axis-2023.yaml", overrides=["actors.iran.cost_sensitivity=0.5"])
    load_scenario("axis-2023")  # a shipped scenario, by name

returns a frozen `Scenario` or raises `ScenarioError` listing every problem as `FILE:LINE: key.path: message`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import typing
import weakref
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from redline.errors import Collector, Issue, ScenarioError
from redline.language import paths
from redline.language.evidence import evidence_base
from redline.language.spec import INJECTED_NOTE, Ladder, Scenario, Variant
from redline.language.typed import (
    INVALID,
    Builder,
    fields_of,
    hints,
    is_dataclass_type,
    optional_arm,
    suggest,
    tagged_variants,
    yaml_key,
)
from redline.language.yamlio import Document, Path_, dotted, load, parse

MAX_EXTENDS = 8  # variants of variants of ...; deeper is surely a cycle or a mistake
MAX_OVERRIDE = 10_000  # characters in one --set


@dataclasses.dataclass(frozen=True)
class Override:
    """One `key.path=value` change, with where it was written (a --set flag, or a variant file's line)."""

    path: str
    value: Any
    origin: tuple[str, int]
    remove: bool = False


def parse_override(text: str, n: int = 1, flag: str = "--set") -> Override:
    """`actors.iran.cost_sensitivity=0.5` -> Override. The value is read as YAML (a number, word, list ...).
    Problems name it as the `n`th `flag` (`--set:2`)."""
    label = (flag, n)
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError([Issue(*label, text[:60], f"write {flag} KEY.PATH=VALUE")])
    if len(raw) > MAX_OVERRIDE:
        raise ScenarioError([Issue(*label, key, f"value is longer than {MAX_OVERRIDE:,} characters")])
    try:
        # Read like a file's value, so that dates, numbers and nesting are checked the same way.
        value = parse(raw, "--set").data if raw.strip() else None
    except ScenarioError as e:
        if raw.lstrip()[:1] in (">", "<", "|", "%", "@", "`", "*", "!"):
            # Words that start with a character YAML reserves (a check's band, '>= 0.9') are the text they look
            # like; the language then checks the text where it goes.
            return Override(key.strip(), raw.strip(), label)
        message = e.issues[0].message if e.issues else "invalid YAML"
        message = message.replace("invalid YAML", "value is not valid YAML", 1).replace(
            "the file", "the value"
        )
        raise ScenarioError([Issue(*label, key, message)]) from None
    return Override(key.strip(), value, label)


def _segments(path: str) -> list[str]:
    return [s for s in path.split(".")]


def _is_index(seg: str) -> bool:
    """Whether a key path's segment names a list item by its index (digits, negative from the end)."""
    return re.fullmatch(r"-?[0-9]+", seg) is not None


def overlapping(paths: Sequence[str], scn: Any = None) -> tuple[int, int] | None:
    """The first two of `paths` (key paths) where the later names the same value as the earlier, or one inside
    the other (`a.b` and `a.b.c`), as (earlier, later) indices; None if each names a value of its own, so that the
    order they are applied in changes nothing. Paths are compared as written and, given the scenario `scn` they
    apply to, also in `canonical` form: an item named by its index and by its key are then told to be the same."""
    forms = [[tuple(x.strip() for x in _segments(p)) for p in paths]]
    if scn is not None:
        forms.append([canonical(scn, p.strip()) for p in paths])
    for j in range(len(paths)):
        for i in range(j):
            for split in forms:
                short = min(len(split[i]), len(split[j]))
                if split[i][:short] == split[j][:short]:
                    return i, j
    return None


def canonical(scn: Any, path: str) -> tuple:
    """A key path with list items by index and keys as written, so that two spellings of one value compare
    equal. A path that leads nowhere is left as it is, for the loader to report."""
    from redline.language.typed import fields_of, yaml_key

    node, out = scn, list[str | int]()
    for seg in path.split("."):
        try:
            if isinstance(node, dict):
                node = node[seg]
                out.append(seg)
            elif isinstance(node, tuple):
                # As the loader reads an item (_Patcher._index): an index in range, written in digits, first.
                if _is_index(seg):
                    if not -len(node) <= int(seg) < len(node):
                        return (path,)
                    i = int(seg) % len(node)
                else:
                    keys = [getattr(x, "key", getattr(x, "name", None)) for x in node]
                    i = keys.index(seg)
                node = node[i]
                out.append(i)
            else:
                names = {yaml_key(f): f.name for f in fields_of(type(node))}
                node = getattr(node, names[seg])
                out.append(seg)
        except (KeyError, ValueError, IndexError, TypeError, ZeroDivisionError):
            return (path,)
    return tuple(out)


class _Patcher:
    """Applies overrides to a parsed tree, walking the language's types beside it so that a misspelt key is
    caught with a suggestion, and moving line origins along so errors point at the override."""

    def __init__(self, doc: Document, issues: Collector):
        self.doc = doc
        self.issues = issues
        # Containers this patcher made: those it may change. Any other is copied first, so that a tree parsed
        # once can be patched for many sweep points without one point's changes leaking into the next.
        self._own: dict[int, Any] = {}  # by id; holding them keeps their ids from being reused

    def _owned(self, node: Any) -> Any:
        if id(node) in self._own:
            return node
        node = dict(node) if isinstance(node, dict) else list(node)
        self._own[id(node)] = node
        return node

    def fail(self, o: Override, message: str, at: str | None = None) -> None:
        self.issues.add(o.origin[0], o.origin[1], at or o.path, message)

    def apply(self, o: Override) -> None:
        segs = _segments(o.path)
        if any(not s for s in segs):
            return self.fail(o, "empty segment in key path")
        self.doc.data = self._owned(self.doc.data)
        node: Any = self.doc.data
        tp: Any = Scenario
        path: list[str | int] = []
        for i, seg in enumerate(segs):
            last = i == len(segs) - 1
            tp = optional_arm(tp) or tp
            if isinstance(node, list):
                idx = self._index(node, seg, o, path)
                if idx is None:
                    return None
                item_t = typing.get_args(tp)[0] if typing.get_origin(tp) is tuple else Any
                path.append(idx)
                if last:
                    return self._set(node, idx, o, path)
                node, tp = self._child(node, idx), item_t
                continue
            if not isinstance(node, dict):
                return self.fail(o, f"'{dotted(tuple(path))}' holds a single value; it has no key '{seg}'")
            child_t, creatable = self._child_type(tp, node, seg, o, path)
            if child_t is INVALID:
                return None
            path.append(seg)
            if last:
                before = node.get(seg)
                self._set(node, seg, o, path)
                variants = tagged_variants(optional_arm(tp) or tp) if seg == "type" else None
                new = variants.get(o.value) if variants and isinstance(o.value, str) else None
                if new is not None and o.value != before and is_dataclass_type(new):
                    # The keys a new type does not have are wrong because of the override: their problems are its.
                    fields = {yaml_key(f) for f in fields_of(new)}
                    for key in [k for k in node if k not in fields]:
                        self._move_origins((*path[:-1], key), o)
                return None
            if seg not in node or node[seg] is None:
                if not creatable:
                    return self.fail(o, f"no '{seg}' here", dotted(tuple(path)))
                node[seg] = {}
                self._move_origins(tuple(path), o)
            node, tp = self._child(node, seg), child_t
        return None

    def _child(self, node: Any, key: Any) -> Any:
        """`node[key]`, made this patcher's own if it is a container (`node` is already its own)."""
        child = node[key]
        if isinstance(child, dict | list):
            child = node[key] = self._owned(child)
        return child

    def _child_type(self, tp: Any, node: dict, seg: str, o: Override, path: list) -> tuple[Any, bool]:
        variants = tagged_variants(tp)
        if variants is not None:
            tag = node.get("type")
            tp = variants.get(tag, tp) if isinstance(tag, str) else tp
        if is_dataclass_type(tp):
            fields = {yaml_key(f): f for f in fields_of(tp)}
            if seg not in fields:
                self.fail(o, f"unknown key '{seg}'{suggest(seg, fields)}", dotted((*path, seg)))
                return INVALID, False
            return hints(tp)[fields[seg].name], True
        if typing.get_origin(tp) in (Mapping, dict):
            val_t = typing.get_args(tp)[1]
            if seg not in node and dataclasses.is_dataclass(optional_arm(val_t) or val_t):
                where = dotted(tuple(path)) or "the scenario"
                self.fail(o, f"no '{seg}' in {where}{suggest(seg, node)}", dotted((*path, seg)))
                return INVALID, False
            return val_t, True
        return Any, True

    def _index(self, items: list, seg: str, o: Override, path: list) -> int | None:
        if _is_index(seg):
            idx = int(seg)
            if -len(items) <= idx < len(items):
                return idx % len(items)
            self.fail(o, f"index {idx} is out of range (there are {len(items)} items)", dotted((*path, seg)))
            return None
        keys = [_item_key(it) for it in items]
        if seg in keys:
            return keys.index(seg)
        shown = [k for k in keys if k]
        self.fail(
            o,
            f"no item '{seg}'{suggest(seg, shown)}; address items by index or by key "
            "(relations: type:from:to; checks and actors: name)",
            dotted((*path, seg)),
        )
        return None

    def _set(self, container: Any, key: Any, o: Override, path: list) -> None:
        if o.remove:
            if isinstance(container, list):
                del container[key]
                self._shift(tuple(path[:-1]), key)
            elif key in container:
                del container[key]
            else:
                self.fail(o, "nothing to remove here")
            return
        had = container[key] if isinstance(container, list) or key in container else {}
        container[key] = o.value
        if isinstance(had, dict | list):
            self._move_origins(tuple(path), o)
        else:  # a single value has no origins below it: no need to look through them all
            self.doc.origins[tuple(path)] = o.origin

    def _move_origins(self, path: Path_, o: Override) -> None:
        origins = self.doc.origins
        for p in [p for p in origins if p[: len(path)] == path]:
            del origins[p]
        origins[path] = o.origin

    def _shift(self, list_path: Path_, removed: int) -> None:
        n = len(list_path)
        moved = {}
        for p, origin in list(self.doc.origins.items()):
            i = p[n] if p[:n] == list_path and len(p) > n else None
            if isinstance(i, int) and i >= removed:
                del self.doc.origins[p]
                if i > removed:
                    moved[(*list_path, i - 1, *p[n + 1 :])] = origin
        self.doc.origins.update(moved)


def _inject(doc: Document, text: str, n: int, issues: Collector) -> None:
    """Append an instructor's event, `DATE:SOURCE:TARGET:ACTION`, to the document's events."""
    parts = text.split(":")
    if len(parts) != 4 or not all(p.strip() for p in parts):
        issues.add(
            "--inject",
            n,
            text[:60],
            "write --inject DATE:SOURCE:TARGET:ACTION, e.g. 2024-01-10:usa:iran:threat",
        )
        return
    at, source, target, action = (p.strip() for p in parts)
    data = doc.data = dict(
        doc.data
    )  # copied, not changed: the parsed tree may be shared (see ParsedScenario)
    events = data.setdefault("events", [])
    if not isinstance(events, list):
        return  # the file's own error about `events` is reported when the scenario is built
    events = data["events"] = list(events)
    path = ("events", len(events))
    events.append(
        {
            "at": at,
            "source": source,
            "target": target,
            "action": action,
            "note": INJECTED_NOTE,
            "assumed": {"at": "an instructor's what-if"},
        }
    )
    doc.origins[path] = ("--inject", n)


def _item_key(item: Any) -> str | None:
    if isinstance(item, dict):
        if {"type", "from", "to"} <= item.keys():
            return f"{item['type']}:{item['from']}:{item['to']}"
        if "name" in item:
            return str(item["name"])
    return None


def _read(path: Path, issues: Collector, depth: int = 0, seen: tuple[Path, ...] = ()) -> Document:
    """The document of `path`, with any `extends` chain applied (base first, then the variant's changes)."""
    doc = load(path, str(path))
    if not isinstance(doc.data, dict):
        raise ScenarioError(
            [Issue(str(path), 1, "", "a scenario is a mapping of keys (scenario:, title:, ...)")]
        )
    if "extends" not in doc.data:
        return doc
    builder = Builder(doc, issues)
    variant = builder.build_dataclass(Variant, doc.data, ())
    if variant is INVALID:
        issues.raise_if_any()
    base_path = extended(path, variant.extends).resolve()
    root = (seen[0] if seen else path.resolve()).parent
    if not any(base_path.is_relative_to(r) for r in (root, paths.SCENARIOS.resolve())):
        # The same words whether the file exists or not: an error must not tell what lies outside the tree.
        raise ScenarioError(
            [
                Issue(
                    *doc.origin(("extends",)),
                    "extends",
                    f"'{variant.extends}' is outside the scenario's folder and the shipped scenarios",
                )
            ]
        )
    if base_path in seen or depth >= MAX_EXTENDS:
        raise ScenarioError(
            [Issue(*doc.origin(("extends",)), "extends", "extends forms a cycle or a chain too long")]
        )
    if not base_path.is_file():
        raise ScenarioError(
            [Issue(*doc.origin(("extends",)), "extends", f"no scenario file '{variant.extends}'")]
        )
    base = _read(base_path, issues, depth + 1, (*seen, path.resolve()))
    if "scenario" not in base.data:
        # Said without quoting the file: what is not a scenario may be anything, and none of it is ours to print.
        raise ScenarioError(
            [Issue(*doc.origin(("extends",)), "extends", f"'{variant.extends}' is not a scenario file")]
        )
    patcher = _Patcher(base, issues)
    for key in ("scenario", "title", "description"):
        if key in doc.data:
            base.data[key] = doc.data[key]
            base.origins[(key,)] = doc.origin((key,))
    for key, value in variant.set.items():
        patcher.apply(Override(key, value, doc.origin(("set", key))))
    # Removals name the items of the file as written: each path is first resolved to the items it names (a keyed
    # item to its index), then the removals run from the back of each list, an item's parts before the item, so
    # that one removal never moves what another names; an item named twice, in either way, is refused.
    removals = [(i, key, _resolved(base.data, key)) for i, key in enumerate(variant.remove)]
    removed: dict[tuple, str] = {}
    for i, key, where in sorted(removals, key=lambda r: _removal_order(r[2], r[1])):
        origin = doc.origin(("remove", i))
        if any(re.fullmatch(r"-\d+", seg) for seg in _segments(key)):
            issues.add(
                *origin, f"remove.{i}", "name an item by its index from 0 or by its key, not from the end"
            )
            continue
        if where is not None:
            if where in removed:
                first = removed[where]
                told = "is removed twice" if first == key else f"names what '{first}' removes already"
                issues.add(*origin, f"remove.{i}", f"'{key}' {told}")
                continue
            removed[where] = key
            key = dotted(where)
            if len(where) == 2 and where[0] == "actors":
                # what still names the actor is reported where it is written, in the file the variant extends:
                # the message names the removal too
                base.origins[(REMOVED, *where)] = origin
        patcher.apply(Override(key, None, origin, remove=True))
    return base


# The key under which a variant's removal of an actor is remembered among a document's origins (never a key a
# scenario may hold).
REMOVED = "(removed)"


def _resolved(data: Any, path: str) -> tuple | None:
    """The key path with each list item named by its index (`relations.supports:a:b` -> ("relations", 3)), or None
    if it does not lead anywhere (the patcher then says why)."""
    node, out = data, list[str | int]()
    for seg in _segments(path):
        if isinstance(node, list):
            keys = [_item_key(it) for it in node]
            if re.fullmatch(r"[0-9]+", seg) and int(seg) < len(node):
                idx = int(seg)
            elif seg in keys:
                idx = keys.index(seg)
            else:
                return None
            out.append(idx)
            node = node[idx]
        elif isinstance(node, dict) and seg in node:
            out.append(seg)
            node = node[seg]
        else:
            return None
    return tuple(out)


def _removal_order(where: tuple | None, path: str) -> tuple:
    """From the back of each list, an item's parts before the item; paths that lead nowhere last, as written."""
    if where is None:
        return ((3, path),)
    return (*((0, -s) if isinstance(s, int) else (1, s) for s in where), (2,))


def ladder_home(doc: Document, top: Path) -> Path:
    """The folder whose ladders/ a scenario's named ladder is looked for in: that of the file that names it (a
    variant's own, or the scenario it extends), or, for the default ladder, that of the first scenario of the
    chain. A variant elsewhere runs its parent's ladder, as the parent does; a `--set ladder=NAME` looks beside the
    scenario given."""
    if not isinstance(doc.data, dict) or "ladder" not in doc.data:
        return Path(doc.file).parent  # the first file of the chain: where a variant's parent was read
    file, _ = doc.origin(("ladder",))
    if file.startswith("--"):  # an override's label (--set), not a file
        return top.parent
    return Path(file).parent


def ladder_file(name: str, near: Path) -> Path | None:
    """The file of the ladder `name` for a scenario in the folder `near`: its own ladders/ first, then the shipped
    ones. A link out of the ladders folder is not followed: its target may be any file, and errors quote files."""
    for folder in (near / "ladders", paths.LADDERS):
        f = folder / f"{name}.yaml"
        if f.is_file() and f.resolve().is_relative_to(folder.resolve()):
            return f
    return None


def _ladder(name: str, near: Path, builder: Builder) -> Ladder | object:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return builder.error(("ladder",), f"'{name}' is not a ladder name (letters, digits, '-' and '_')")
    f = ladder_file(name, near)
    if f is not None:
        doc = load(f, str(f))
        ladder = Builder(doc, builder.issues).build_dataclass(Ladder, doc.data, ())
        if isinstance(ladder, Ladder) and ladder.ladder != name:
            # The tables record the ladder by the name it gives itself: the file's must be the one it is found by.
            builder.issues.add(
                *doc.origin(("ladder",)),
                "ladder",
                f"the file {f.name} names its ladder '{ladder.ladder}', not '{name}'",
            )
            return INVALID
        return ladder
    known = sorted(
        {p.stem for d in (near / "ladders", paths.LADDERS) if d.is_dir() for p in d.glob("*.yaml")}
    )
    return builder.error(("ladder",), f"no ladder named '{name}'{suggest(name, known)}")


@dataclasses.dataclass(frozen=True)
class ParsedScenario:
    """A scenario file read and parsed once, with its `extends` chain applied: many scenarios can be built from
    it, each with its own overrides (a sweep's points), without reading or parsing the files again.

        parsed = parse_scenario("axis-2023")
        scn = parsed.build(["actors.iran.cost_sensitivity=0.5"])  # == load_scenario("axis-2023", [...])

    The tree is never changed: overrides are applied to copies of the containers on their way."""

    path: Path
    doc: Document
    issues: tuple[Issue, ...]  # found while reading (a variant's own changes), reported with each build
    ladders: dict[str, Ladder] = dataclasses.field(default_factory=dict, compare=False, repr=False)
    built: _Built = dataclasses.field(default_factory=lambda: _Built(), compare=False, repr=False)

    def build(
        self,
        overrides: Iterable[str | Override] = (),
        *,
        evidence: Mapping[str, Any] | None = None,
        injects: Iterable[str] = (),
    ) -> Scenario:
        """Patch, validate and resolve one scenario. Raises ScenarioError with every problem found."""
        overrides = list(overrides)
        issues = Collector()
        issues.issues.extend(self.issues)
        doc = Document(self.doc.file, self.doc.data, dict(self.doc.origins))
        patcher = _Patcher(doc, issues)
        for n, o in enumerate(overrides, 1):
            patcher.apply(o if isinstance(o, Override) else parse_override(o, n))
        for n, text in enumerate(injects, 1):
            _inject(doc, text, n, issues)

        builder = _ReusingBuilder(doc, issues, self.built.of(self.doc.data))
        scn = builder.build_dataclass(Scenario, doc.data, ())
        # References are checked even when the file has other problems, so that one pass reports them all.
        raw = doc.data.get("ladder", "default") if scn is INVALID else scn.ladder
        ladder = (
            raw
            if isinstance(raw, Ladder)
            else self._ladder(raw, ladder_home(doc, self.path), builder)
            if isinstance(raw, str)
            else None
        )
        actors = doc.data.get("actors") if isinstance(doc.data.get("actors"), dict) else {}
        if scn is not INVALID and not scn.actors:
            builder.error(("actors",), "a scenario needs at least one actor")
        rungs = ladder.ids if isinstance(ladder, Ladder) else None
        _check_references(builder, actors.keys(), rungs, evidence)
        if scn is not INVALID and isinstance(ladder, Ladder):
            # A --set may move a value out of a lever's range on purpose (a what-if): the ranges are checked on
            # the scenario as its files say, the paths always.
            _check_levers(builder, dataclasses.replace(scn, ladder=ladder), ranges=not overrides)
        issues.raise_if_any()
        return dataclasses.replace(scn, ladder=ladder)

    def _ladder(self, name: str, near: Path, builder: Builder) -> Ladder | object:
        """A named ladder, read once: a sound one is kept for the next build, a faulty one read again so that
        each build reports its problems."""
        key = f"{near}/{name}"
        if key in self.ladders:
            return self.ladders[key]
        before = len(builder.issues.issues)
        ladder = _ladder(name, near, builder)
        if isinstance(ladder, Ladder) and len(builder.issues.issues) == before:
            self.ladders[key] = ladder
        return ladder


class _Built:
    """The objects built from the parsed tree's containers, by the container's id, for the next build to take
    as they are. Overrides never change a parsed container (they change copies), so a container met again at the
    same key path, as the same type, builds to the same object; only what built without a problem is kept, so
    errors are found afresh. Building the frozen objects is most of a build's time: a sweep's point changes a
    few values, and rebuilds only the containers on their way."""

    def __init__(self) -> None:
        self.parsed: set[int] | None = None  # ids of the parsed tree's containers, alive as long as the tree
        self.objects: dict[int, tuple[Path_, Any, dict, Any, list]] = {}

    def of(self, tree: Any) -> _Built:
        if self.parsed is None:
            self.parsed = set()
            stack = [tree]
            while stack:
                node = stack.pop()
                if isinstance(node, dict | list):
                    self.parsed.add(id(node))
                    stack.extend(node.values() if isinstance(node, dict) else node)
        return self


class _ReusingBuilder(Builder):
    def __init__(self, doc: Document, issues: Collector, built: _Built):
        super().__init__(doc, issues)
        self.built = built

    def build(self, tp: Any, value: Any, path: Path_, meta: Mapping[str, Any] | None = None) -> Any:
        parsed = self.built.parsed or set()
        if not isinstance(value, dict | list) or id(value) not in parsed:
            return super().build(tp, value, path, meta)
        meta = dict(meta or {})
        kept = self.built.objects.get(id(value))
        if kept is not None and kept[0] == path and kept[1] == tp and kept[2] == meta:
            self.refs.extend(kept[4])  # its references are checked again, against this build's actors
            return kept[3]
        issues, refs = len(self.issues.issues), len(self.refs)
        obj = super().build(tp, value, path, meta)
        if kept is None and obj is not INVALID and len(self.issues.issues) == issues:
            self.built.objects[id(value)] = (path, tp, meta, obj, self.refs[refs:])
        return obj


def parse_scenario(path: str | Path) -> ParsedScenario:
    """Read and parse a scenario file and the files it extends. Raises ScenarioError if they cannot be read;
    other problems are reported by `ParsedScenario.build`, as `load_scenario` reports them."""
    path = paths.scenario_path(path)
    issues = Collector()
    doc = _read(path, issues)
    return ParsedScenario(path, doc, tuple(issues.issues))


def load_scenario(
    path: str | Path,
    overrides: Iterable[str | Override] = (),
    *,
    evidence: Mapping[str, Any] | None = None,
    injects: Iterable[str] = (),
) -> Scenario:
    """Read, patch, validate and resolve one scenario file. Raises ScenarioError with every problem found.
    `injects` add events without editing the file: `DATE:SOURCE:TARGET:ACTION`, checked like the file's own.
    `path` may also name a shipped scenario: `load_scenario("axis-2023")`, `load_scenario("cases/lebanon-2006")`.
    Where it came from (the file, its hash, the overrides and injects) is remembered for the results of its runs:
    `source_of`."""
    for name, given in (("overrides", overrides), ("injects", injects)):
        # A list of one mistyped as the text itself (its characters would be taken one by one), or a mapping (its
        # keys alone would be taken).
        if isinstance(given, str | bytes):
            raise TypeError(f"{name} is a list of texts, e.g. [{given!r}]; got the text itself")
        if isinstance(given, Mapping):
            texts = [f"{k}={v}" for k, v in given.items()][:2]
            raise TypeError(f"{name} is a list of KEY.PATH=VALUE texts, e.g. {texts!r}; got a mapping")
    overrides, injects = list(overrides), list(injects)
    parsed = parse_scenario(path)
    scn = parsed.build(overrides, evidence=evidence, injects=injects)
    texts = [o if isinstance(o, str) else f"{o.path}={o.value!r}" for o in overrides]
    source = {
        "file": str(parsed.path),  # as the command line records it: a shipped scenario's name as its file
        "overrides": texts,
        "injects": injects,
    }  # and its hash, worked out when a manifest asks for it (it reads the files again)
    key = id(scn)
    _sources[key] = (weakref.ref(scn, lambda _, key=key: _sources.pop(key, None)), source)  # type: ignore[misc]
    return scn


# id(scenario) -> (a weak reference to it, where load_scenario read it from): a frozen scenario is known by identity
# (its hash would walk all of it), and forgotten when it is freed.
_sources: dict[int, tuple[weakref.ref, dict[str, Any]]] = {}


def source_of(scn: Scenario) -> dict[str, Any] | None:
    """The file, hash, overrides and injects `load_scenario` made `scn` from (None for a scenario made otherwise):
    what a results folder's manifest records, so that its runs can be made again."""
    found = _sources.get(id(scn))
    if found is None or found[0]() is not scn:
        return None
    source = found[1]
    if "hash" not in source:
        texts = [*source["overrides"], *(f"inject:{i}" for i in source["injects"])]
        source["hash"] = scenario_digest(Path(source["file"]), texts)
    return {key: source[key] for key in ("file", "hash", "overrides", "injects")}


_NOT_LEVERS = ("levers", "checks", "outcomes")


def _check_levers(builder: Builder, scn: Scenario, *, ranges: bool) -> None:
    """Each lever's path leads to a number of the scenario, within the lever's range and the range the language
    allows there."""
    for i, lever in enumerate(scn.levers):
        top = lever.path.partition(".")[0]
        if top in _NOT_LEVERS:
            # Levers, checks and outcomes judge runs and move the model; they are not the model.
            builder.error(("levers", i, "path"), f"'{lever.path}': a lever moves the model, not its {top}")
            continue
        try:
            value, meta = value_and_spec(scn, lever.path)
        except (KeyError, IndexError, ValueError, TypeError):
            builder.error(
                ("levers", i, "path"),
                f"'{lever.path}' is not a value of this scenario (if a variant removed it, remove the lever "
                f"too: remove: [levers.{lever.name}])",
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            builder.error(("levers", i, "path"), f"'{lever.path}' holds no number")
            continue
        ge, le = meta.get("ge"), meta.get("le")
        if len(lever.range) != 2 or lever.low >= lever.high:
            continue  # reported with the lever itself
        if (ge is not None and lever.low < ge) or (le is not None and lever.high > le):
            lo, hi = ("-inf" if ge is None else f"{ge:g}"), ("inf" if le is None else f"{le:g}")
            builder.error(
                ("levers", i, "range"), f"the range leaves what '{lever.path}' allows, [{lo}, {hi}]"
            )
        elif isinstance(value, int) and not (
            float(lever.low).is_integer() and float(lever.high).is_integer()
        ):
            builder.error(("levers", i, "range"), f"'{lever.path}' is a whole number: give whole ends")
        elif ranges and not lever.low <= value <= lever.high:
            builder.error(
                ("levers", i, "range"),
                f"[{lever.low:g}, {lever.high:g}] does not hold the scenario's {value:g}",
            )


def _check_references(builder: Builder, actors, rungs, claims: Mapping[str, Any] | None) -> None:
    if claims is None:
        claims = evidence_base() if any(ref[0] == "claim" for ref in builder.refs) else {}
    known = {"actor": actors, "rung": rungs, "claim": claims.keys()}
    what = {"actor": "actor", "rung": "rung on the ladder", "claim": "claim in seeds/"}
    for kind, value, at, default_of in builder.refs:
        if known[kind] is not None and value not in known[kind]:
            if default_of:
                builder.error(
                    at,
                    f"'{default_of}' is not given and its default, '{value}', is no {what[kind]}: give "
                    f"{default_of}",
                )
            else:
                gone = builder.doc.origins.get((REMOVED, "actors", value)) if kind == "actor" else None
                hint = (
                    f" (a variant removes it, at {gone[0]}:{gone[1]})"
                    if gone
                    else suggest(value, known[kind])
                )
                if not hint and kind != "claim":  # nothing close: the few names there are, to choose from
                    hint = f" (choose from: {', '.join(map(str, known[kind]))})"
                builder.error(at, f"unknown {what[kind]} '{value}'{hint}")


def extended(path: Path, extends: str) -> Path:
    """The file a variant at `path` extends: `extends` as a path from the variant's folder, or, if no file is
    there, the shipped scenario of that name (`axis-2023`, `cases/gulf-2019.yaml`)."""
    near = path.parent / extends
    if near.exists():
        return near
    return paths.shipped_scenarios().get(Path(extends).as_posix().removesuffix(".yaml"), near)


def extends_chain(path: str | os.PathLike[str]) -> list[Path]:
    """The file and the files it extends, base last, as far as they exist (for the output checks)."""
    out: list[Path] = []
    p: Path | None = Path(path)
    for _ in range(MAX_EXTENDS + 1):
        if p is None or not p.is_file() or p.resolve() in out:
            break
        out.append(p.resolve())
        try:
            text = p.read_bytes()[: 1 << 20]
        except OSError:
            break
        m = re.search(rb"^extends:\s*['\"]?([^'\"\s#]+)", text, re.M)
        p = extended(p, m.group(1).decode(errors="replace")) if m else None
    return out


def scenario_digest(path: str | Path, overrides: Sequence[str] = ()) -> str:
    """A short hash of the scenario's text, the files it extends, the ladder it names and the overrides: what a
    run depends on."""
    h = hashlib.sha256()
    try:  # a shipped scenario's name is its file
        top = paths.scenario_path(path)
    except ScenarioError:
        top = Path(path)
    p: Path | None = top
    for _ in range(MAX_EXTENDS + 1):
        if p is None or not p.is_file():
            break
        text = p.read_bytes()
        h.update(text)
        m = re.search(rb"^extends:\s*['\"]?([^'\"\s#]+)", text, re.M)
        p = extended(p, m.group(1).decode(errors="replace")) if m else None
    ladder = _named_ladder(top, overrides)
    if ladder is not None:
        h.update(ladder.read_bytes())
    h.update(json.dumps(list(overrides)).encode())
    return h.hexdigest()[:16]


def _named_ladder(path: Path, overrides: Sequence[str]) -> Path | None:
    """The file of the ladder the scenario at `path` names, as loading it finds it: in the file, in what it
    extends or in a variant's `set:` (the tree with its chain applied), or in a `--set ladder=NAME`, the last one
    winning. None for a ladder written out in the scenario, or one that cannot be found (loading says why)."""
    try:
        parsed = parse_scenario(path)
        name = parsed.doc.data.get("ladder", "default")
    except (ScenarioError, OSError, AttributeError):
        return None
    near = ladder_home(parsed.doc, parsed.path)
    for text in overrides:
        key, sep, value = str(text).partition("=")
        if sep and key.strip() == "ladder":
            name, near = value.strip().strip("'\""), parsed.path.parent
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return None
    return ladder_file(name, near)


def value_at(scn: Scenario, path: str) -> Any:
    """The value at a key path of a loaded scenario (the paths --set takes), e.g.
    `relations.supports:iran:hezbollah.control`."""
    return value_and_spec(scn, path)[0]


def value_and_spec(scn: Scenario, path: str) -> tuple[Any, Mapping[str, Any]]:
    """The value at a key path and the `spec` of the field that holds it (for a mapping's value, the mapping's)."""
    node: Any = scn
    meta: Mapping[str, Any] = {}
    for seg in _segments(path):
        if isinstance(node, Mapping):
            node = node[seg]
        elif isinstance(node, tuple):
            keys = [getattr(x, "key", getattr(x, "name", None)) for x in node]
            node = node[keys.index(seg)] if seg in keys else node[int(seg)]
        elif dataclasses.is_dataclass(node):
            found = {yaml_key(f): f for f in fields_of(type(node))}
            meta = found[seg].metadata
            node = getattr(node, found[seg].name)
        else:
            raise KeyError(path)
    return node, meta
