"""Read untrusted YAML into plain Python values, keeping the line of every key.

Scenario files are untrusted: only YAML's safe subset is understood, the file size is bounded, alias expansion is
bounded (a "billion laughs" file stops at a node budget) and so is nesting. Every failure is a ScenarioError with the
file and line; nothing here raises anything else.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from redline.errors import Issue, ScenarioError

MAX_BYTES = 512 * 1024  # scenario files are a few KB; the flagship is far below this
MAX_NODES = 50_000  # bound on values after alias expansion; the flagship has about 2,000
MAX_DEPTH = 64  # no scenario needs deeper nesting than a dozen levels

Path_ = tuple[str | int, ...]


def dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


@dataclass
class Document:
    """A parsed YAML document: its data and, for every key path, the source (file, line) it came from."""

    file: str
    data: Any
    origins: dict[Path_, tuple[str, int]] = field(default_factory=dict)

    def origin(self, path: Path_) -> tuple[str, int]:
        """The nearest recorded origin of `path` or of one of its parents."""
        p = tuple(path)
        while p:
            if p in self.origins:
                return self.origins[p]
            p = p[:-1]
        return self.origins.get((), (self.file, 1))


def _fail(file: str, line: int, message: str, path: str = "") -> ScenarioError:
    return ScenarioError([Issue(file, line, path, message)])


def read_text(path: str | os.PathLike, label: str | None = None) -> str:
    """The file's text, refusing what is not a regular, bounded, UTF-8 file."""
    label = label or str(path)
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise _fail(label, 1, "not a regular file")
        if size > MAX_BYTES:
            raise _fail(
                label, 1, f"file is {size:,} bytes; scenario files are limited to {MAX_BYTES:,} bytes"
            )
        raw = p.read_bytes()
    except FileNotFoundError:
        raise _fail(label, 1, "no such file") from None
    except IsADirectoryError:
        raise _fail(label, 1, "is a directory, not a file") from None
    except PermissionError:
        raise _fail(label, 1, "cannot read the file (permission denied)") from None
    except OSError as e:
        raise _fail(label, 1, f"cannot read the file ({e.strerror or e})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise _fail(label, line, f"not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start})") from None


# A name: an id, a key (at most 64 letters, digits, '_', '.', '-').
_NAME = re.compile(r"[\w.-]{1,64}")


def _interned(text: str) -> str:
    """A name is interned: an actor's id is written many times (its key, each relation and event naming it), and the
    model looks ids up in dicts thousands of times a run; one object per id makes each look-up an identity check
    instead of a comparison of characters (3% of a run). Other text (titles, notes) is not: an interned string is
    kept until the process ends, and a long-lived process (the app) reads many scenarios."""
    return sys.intern(text) if _NAME.fullmatch(text) else text


def parse(text: str, label: str) -> Document:
    """Parse one YAML document from `text` into plain values with line origins."""
    if not text.strip():
        raise _fail(label, 1, "the file is empty")
    _guard_nesting(text, label)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        what = e.problem or e.context or "invalid YAML"
        raise _fail(label, line, f"invalid YAML: {what}") from None
    except yaml.YAMLError as e:
        raise _fail(label, 1, f"invalid YAML: {str(e).splitlines()[0]}") from None
    except RecursionError:
        raise _fail(
            label, 1, f"nesting is too deep (scenario files nest at most {MAX_DEPTH} levels)"
        ) from None
    if node is None:
        raise _fail(label, 1, "the file holds no YAML document")
    doc = Document(label, None)
    doc.data = _Converter(label, doc.origins).convert(node, (), 0)
    return doc


def _guard_nesting(text: str, label: str) -> None:
    """Refuse deep nesting before YAML's recursive composer meets it: a cheap scan of brackets and indentation
    (brackets inside quoted text are counted too, which only matters for files that are absurd anyway)."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        depth += 1 if m.group() in "[{" else -1
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, m.start()) + 1
            raise _fail(label, line, f"nesting is too deep (scenario files nest at most {MAX_DEPTH} levels)")
    deep = _DEEP_INDENT.search(text)
    if deep:
        line = text.count("\n", 0, deep.start()) + 1
        raise _fail(label, line, f"indented too deep (scenario files nest at most {MAX_DEPTH} levels)")


# libyaml's composer where PyYAML was built with it: it keeps line marks and parses ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BRACKETS = re.compile(r"[\[\]{}]")
_EXPONENT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]*[0-9]")
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:str")
_WORD_TAGS = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:null")
_DEEP_INDENT = re.compile(rf"^ {{{4 * MAX_DEPTH + 1},}}\S", re.M)


def load(path: str | os.PathLike, label: str | None = None) -> Document:
    label = label or str(path)
    return parse(read_text(path, label), label)


class _Converter:
    """Node graph -> plain values. Counts every value it makes, so shared (aliased) nodes cannot blow up."""

    def __init__(self, label: str, origins: dict[Path_, tuple[str, int]]):
        self.label = label
        self.origins = origins
        self.budget = MAX_NODES
        self.scalars = yaml.SafeLoader("")

    def convert(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        line = node.start_mark.line + 1
        if depth > MAX_DEPTH:
            raise _fail(self.label, line, f"nesting is too deep (at most {MAX_DEPTH} levels)", dotted(path))
        self.budget -= 1
        if self.budget < 0:
            raise _fail(
                self.label,
                line,
                f"too many values after expanding aliases (limit {MAX_NODES:,})",
                dotted(path),
            )
        self.origins.setdefault(path, (self.label, line))
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for knode, vnode in node.value:
                kline = knode.start_mark.line + 1
                if not isinstance(knode, yaml.ScalarNode):
                    raise _fail(
                        self.label, kline, "a key must be a plain word, not a list or mapping", dotted(path)
                    )
                if knode.tag == "tag:yaml.org,2002:merge":
                    raise _fail(self.label, kline, "merge keys ('<<') are not supported", dotted(path))
                # A key is a name as written: `yes:` or `null:` is that word, not YAML 1.1's true or none.
                key = knode.value if knode.tag in _WORD_TAGS else str(self._scalar(knode))
                if key in out:
                    raise _fail(self.label, kline, f"duplicate key '{key}'", dotted(path))
                self.origins[(*path, key)] = (self.label, kline)
                key = _interned(key)
                out[key] = self.convert(vnode, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(v, (*path, i), depth + 1) for i, v in enumerate(node.value)]
        value = self._scalar(node)
        return _interned(value) if type(value) is str else value

    def _scalar(self, node: yaml.Node) -> Any:
        if not getattr(
            node, "style", None
        ):  # plain, unquoted: numbers as YAML 1.2 and people read them, not as YAML 1.1
            if node.tag == "tag:yaml.org,2002:str" and _EXPONENT.fullmatch(node.value):
                return float(node.value)  # 1e3 (YAML 1.1 wants 1.0e+3, and reads 1e3 as text)
            if node.tag in _NUMBER_TAGS and _LEADING_ZERO.fullmatch(node.value):
                return int(
                    node.value.replace("_", ""), 10
                )  # 010 is ten (YAML 1.1: octal eight), 08 eight (text)
            if node.tag in _NUMBER_TAGS and ":" in node.value:
                return node.value  # 1:30 is text, not YAML 1.1's base-60 ninety
        try:
            value = self.scalars.construct_object(node)
        except yaml.YAMLError as e:  # the first line: the rest names PyYAML's own stream, not the file
            first = str(getattr(e, "problem", None) or e).splitlines()[0]
            raise _fail(self.label, node.start_mark.line + 1, f"bad value: {first}") from None
        except ValueError as e:  # e.g. a date like 2023-02-30
            if node.tag == "tag:yaml.org,2002:timestamp":
                return node.value  # as text: where a date is expected, the language names the key it is under
            raise _fail(self.label, node.start_mark.line + 1, f"bad value {node.value!r}: {e}") from None
        if isinstance(value, dt.datetime):
            return (
                node.value
            )  # a date and a time: text as written, which the language refuses where a date goes
        if isinstance(value, bytes | set):
            raise _fail(self.label, node.start_mark.line + 1, f"unsupported YAML type {node.tag}")
        return value
