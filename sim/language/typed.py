"""Frozen dataclasses as the one definition of the scenario language.

A field declared with `spec(...)` carries its documentation, its allowed range and what it refers to (an actor, a
rung, a claim). From those declarations the `Builder` turns a parsed YAML tree into frozen objects, collecting
every problem with its line, and `json_schema` writes the JSON Schema that editors use. Nothing about the language
is written twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import re
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, Literal, get_args, get_origin

from redline.errors import Collector
from redline.language.yamlio import Document, Path_, dotted
from redline.words import escaped

INVALID = object()  # what a value becomes once its problems have been reported
Problem = tuple[
    str | Path_, str
]  # what a block's problems() yields: the key or key path under it, the message
# The control characters (Unicode's Cc: U+0000-001F and U+007F-009F) that text may not hold: all but a tab and a
# line break. Searched for as a pattern (a scenario holds thousands of characters of text), and the same as a JSON
# Schema pattern.
CONTROLS = "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f"
NO_CONTROL = f"^[^{CONTROLS}]*$"
_CONTROL = re.compile(f"[{CONTROLS}]")
MAX_TEXT = 5_000  # characters in one text value; the longest shipped one is about 600
MIN_DATE, MAX_DATE = dt.date(1800, 1, 1), dt.date(2200, 12, 31)


def _not_finite(text: str) -> bool:
    """`nan`, `inf`, `1e400`: YAML reads them as text, but they are meant as numbers, and wrong ones."""
    try:
        return not math.isfinite(float(text.strip().replace(".inf", "inf").replace(".nan", "nan")))
    except ValueError:
        return False


class FrozenMap(dict):
    """A read-only mapping that pickles (MappingProxyType does not), so scenarios can travel to worker processes."""

    def _readonly(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("scenario objects are frozen: use dataclasses.replace or an override")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]
    __ior__ = _readonly  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))


def spec(
    doc: str,
    *,
    default: Any = dataclasses.MISSING,
    ge: float | None = None,
    le: float | None = None,
    ref: str | None = None,
    value_ref: str | None = None,
    key: str | None = None,
) -> Any:
    """A field of the scenario language. `ref` names what a value (or a mapping's keys) must exist as:
    'actor', 'rung' or 'claim'; `value_ref` what a mapping's values refer to. `key` is the YAML key where it
    differs from the Python name (`from`)."""
    meta = {"doc": doc, "ge": ge, "le": le, "ref": ref, "value_ref": value_ref, "key": key}
    if isinstance(default, dict):
        frozen = FrozenMap(default)
        return dataclasses.field(default_factory=lambda: frozen, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def yaml_key(f: dataclasses.Field) -> str:
    return f.metadata.get("key") or f.name


def is_dataclass_type(tp: Any) -> typing.TypeGuard[type]:
    """A dataclass itself, not an instance of one: what the language's types are."""
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def fields_of(cls: type) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if f.init]


_HINTS: dict[type, dict[str, Any]] = {}


def hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def tagged_variants(tp: Any) -> dict[str, type] | None:
    """For a union of dataclasses that each fix `type: Literal[...]`, the class for each tag."""
    if get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    out: dict[str, type] = {}
    for arm in get_args(tp):
        if not is_dataclass_type(arm):
            return None
        tag = get_args(hints(arm).get("type"))
        if len(tag) != 1:
            return None
        out[tag[0]] = arm
    return out


def optional_arm(tp: Any) -> Any | None:
    """T for `T | None`, else None."""
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return args[0]
    return None


def suggest(word: object, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _range_text(ge: float | None, le: float | None) -> str:
    if ge is not None and le is not None:
        return f"in [{ge:g}, {le:g}]"
    return f">= {ge:g}" if ge is not None else f"<= {le:g}"


def _kind_of(value: Any) -> str:
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a whole number",
        float: "a number",
        type(None): "nothing (null)",
        dt.date: "a date",
    }.get(type(value), type(value).__name__)


class Builder:
    """Builds frozen objects from a Document, reporting every problem with its file and line."""

    def __init__(self, doc: Document, issues: Collector):
        self.doc = doc
        self.issues = issues
        # (kind, value, path, the key whose default it is or ""), checked once all ids are known
        self.refs: list[tuple[str, str, Path_, str]] = []

    def error(self, path: Path_, message: str) -> object:
        file, line = self.doc.origin(path)
        self.issues.add(file, line, dotted(path), message)
        return INVALID

    def build(self, tp: Any, value: Any, path: Path_, meta: Mapping[str, Any] | None = None) -> Any:
        meta = meta or {}
        inner = optional_arm(tp)
        if inner is not None:
            return None if value is None else self.build(inner, value, path, meta)
        variants = tagged_variants(tp)
        if variants is not None:
            return self._tagged(variants, value, path)
        if get_origin(tp) in (typing.Union, types.UnionType):  # e.g. a ladder's name or its rungs
            for arm in get_args(tp):
                wants = (
                    "list"
                    if get_origin(arm) is tuple
                    else "dict"
                    if dataclasses.is_dataclass(arm)
                    else "scalar"
                )
                has = "list" if isinstance(value, list) else "dict" if isinstance(value, dict) else "scalar"
                if wants == has:
                    return self.build(arm, value, path, meta)
            return self.error(path, f"unexpected {_kind_of(value)}")
        if is_dataclass_type(tp):
            return self.build_dataclass(tp, value, path)
        origin = get_origin(tp)
        if origin is Literal:
            choices = get_args(tp)
            if value not in choices:
                allowed = ", ".join(map(str, choices))
                return self.error(
                    path, f"'{value}' is not one of: {allowed}{suggest(value, map(str, choices))}"
                )
            return value
        if origin is tuple:
            if not isinstance(value, list):
                return self.error(path, f"expected a list, got {_kind_of(value)}")
            item_t = get_args(tp)[0]
            items = [self.build(item_t, v, (*path, i), meta) for i, v in enumerate(value)]
            return INVALID if any(i is INVALID for i in items) else tuple(items)
        if origin in (Mapping, dict):
            if not isinstance(value, dict):
                return self.error(path, f"expected a mapping, got {_kind_of(value)}")
            val_t = get_args(tp)[1]
            out = {}
            for k, v in value.items():
                if meta.get("ref"):
                    self.refs.append((meta["ref"], k, (*path, k), ""))
                out[k] = self.build(val_t, v, (*path, k), {**meta, "ref": meta.get("value_ref")})
            if any(v is INVALID for v in out.values()):
                return INVALID
            return FrozenMap(out)
        return self._scalar(tp, value, path, meta)

    def _scalar(self, tp: Any, value: Any, path: Path_, meta: Mapping[str, Any]) -> Any:
        if tp is bool:
            if not isinstance(value, bool):
                return self.error(path, f"expected true or false, got {_kind_of(value)}")
            return value
        if tp in (int, float):
            if isinstance(value, str) and _not_finite(value):
                return self.error(path, f"expected a finite number, got {value.strip()[:40]}")
            if isinstance(value, bool) or not isinstance(value, int | float):
                return self.error(path, f"expected a number, got {_kind_of(value)}")
            if tp is int and not float(value).is_integer():
                return self.error(path, f"expected a whole number, got {value}")
            if not math.isfinite(value):
                return self.error(path, f"expected a finite number, got {value}")
            ge, le = meta.get("ge"), meta.get("le")
            if (ge is not None and value < ge) or (le is not None and value > le):
                return self.error(path, f"{value} is out of range: must be {_range_text(ge, le)}")
            return tp(value)
        if tp is str:
            if isinstance(value, str) and not value.strip():
                if meta.get("blank"):  # a text that may be left empty, as its default is
                    return ""
                return self.error(path, "is empty: give some text")
            if not isinstance(value, str):
                # YAML reads no, yes, on, off, 2024 or 1e3 as a truth or a number: quotes keep the word as written.
                hint = (
                    " (put it in quotes to make it text)"
                    if isinstance(value, bool | int | float | dt.date)
                    else ""
                )
                return self.error(path, f"expected text, got {_kind_of(value)}{hint}")
            if len(value) > MAX_TEXT:
                return self.error(path, f"text is {len(value):,} characters; at most {MAX_TEXT:,}")
            # A terminal acts on a control character (an escape sequence, a bell) when a command prints the text:
            # none belongs in a scenario but a line break or a tab.
            control = _CONTROL.search(value)
            if control is not None:
                return self.error(path, f"text holds the control character {escaped(control[0])}: remove it")
            if meta.get("ref"):
                self.refs.append((meta["ref"], value, path, ""))
            return value
        if tp is dt.date:
            day, why = None, ""
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                day = value
            elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                # Python reads other ISO forms too (2006W29, 20060712); the language has one, as files write it.
                try:
                    day = dt.date.fromisoformat(value.strip())
                except ValueError as e:  # e.g. 2030-02-30: "day is out of range for month"
                    why = f" ({e})" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()) else ""
            if day is None:
                return self.error(path, f"expected a date YYYY-MM-DD, got {str(value)[:40]!r}{why}")
            if not MIN_DATE <= day <= MAX_DATE:
                # Step arithmetic near year 1 or 9999 overflows Python's dates.
                return self.error(path, f"{day} is out of range: dates run from {MIN_DATE} to {MAX_DATE}")
            return day
        if tp is Any:
            return value
        raise TypeError(f"scenario language has an unsupported field type {tp!r}")  # a bug in the definitions

    def _tagged(self, variants: dict[str, type], value: Any, path: Path_) -> Any:
        if not isinstance(value, dict):
            return self.error(path, f"expected a mapping, got {_kind_of(value)}")
        tag = value.get("type")
        if not isinstance(tag, str) or tag not in variants:
            allowed = ", ".join(variants)
            return self.error((*path, "type"), f"'{tag}' is not one of: {allowed}{suggest(tag, variants)}")
        return self.build_dataclass(variants[tag], value, path)

    def build_dataclass(self, cls: type, value: Any, path: Path_) -> Any:
        if not isinstance(value, dict):
            return self.error(path, f"expected a mapping, got {_kind_of(value)}")
        fields = {yaml_key(f): f for f in fields_of(cls)}
        for key in value:
            if key not in fields:
                self.error((*path, key), f"unknown key '{key}'{suggest(key, fields)}")
        kwargs: dict[str, Any] = {}
        bad = False
        for key, f in fields.items():
            if key not in value:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    self.error(path, f"missing required key '{key}'")
                    bad = True
                elif isinstance(f.default, str) and f.metadata.get("ref"):
                    # a default that names a rung must name one of this scenario's ladder (its own may lack it)
                    self.refs.append((f.metadata["ref"], f.default, path, key))
                continue
            meta = f.metadata if f.default != "" else {**f.metadata, "blank": True}  # "" is its default
            built = self.build(hints(cls)[f.name], value[key], (*path, key), meta)
            bad |= built is INVALID
            kwargs[f.name] = built
        if bad or any(k not in fields for k in value):
            return INVALID
        obj = cls(**kwargs)
        for sub, message in getattr(obj, "problems", lambda: ())():
            self.error((*path, *(sub if isinstance(sub, tuple) else ((sub,) if sub else ()))), message)
        return obj


def json_schema(tp: Any, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON Schema of a type of the scenario language, from the same declarations the Builder reads."""
    meta = meta or {}
    out: dict[str, Any]
    inner = optional_arm(tp)
    variants = tagged_variants(tp)
    if inner is not None:
        out = {"anyOf": [json_schema(inner, meta), {"type": "null"}]}
    elif variants is not None:
        out = {"oneOf": [json_schema(c) for c in variants.values()]}
    elif get_origin(tp) in (typing.Union, types.UnionType):
        out = {"anyOf": [json_schema(a) for a in get_args(tp)]}
    elif is_dataclass_type(tp):
        props, required = {}, []
        for f in fields_of(tp):
            props[yaml_key(f)] = json_schema(hints(tp)[f.name], f.metadata)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                required.append(yaml_key(f))
        out = {"type": "object", "properties": props, "additionalProperties": False}
        if required:
            out["required"] = required
        if tp.__doc__ and not tp.__doc__.startswith(tp.__name__ + "("):
            out["description"] = " ".join(tp.__doc__.split())
    elif get_origin(tp) is Literal:
        out = {"enum": list(get_args(tp))}
    elif get_origin(tp) is tuple:
        out = {"type": "array", "items": json_schema(get_args(tp)[0], {**meta, "doc": None})}
    elif get_origin(tp) in (Mapping, dict):
        out = {"type": "object", "additionalProperties": json_schema(get_args(tp)[1], {"doc": None})}
    elif tp is bool:
        out = {"type": "boolean"}
    elif tp in (int, float):
        out = {"type": "integer" if tp is int else "number"}
        if meta.get("ge") is not None:
            out["minimum"] = meta["ge"]
        if meta.get("le") is not None:
            out["maximum"] = meta["le"]
    elif tp is str:
        out = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": NO_CONTROL}
    elif tp is dt.date:
        out = {"type": "string", "format": "date"}
    elif tp is Any:
        out = {}
    else:
        raise TypeError(f"no JSON Schema for {tp!r}")
    if meta.get("doc"):
        out["description"] = meta["doc"]
    return out
