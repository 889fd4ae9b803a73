"""The output protocol of every command that writes: what may be replaced, by whom, and how.

    out = FolderOutput("out/axis", force=True, inputs=[scenario_file])
    out.check()              # before any work: refuses a folder it may not touch, changes nothing on disk
    with out:                # takes the folder's lock, clears what killed commands left, stages a hidden sibling
        out.write(fill)      # fill(tmp) writes the files; the sibling replaces the folder in one rename

The rules:
- an output folder carries a marker file (`.redline-output`) naming it a redline output;
- `--force` replaces only an empty folder or a redline output: never a folder holding anything else (not even a
  redline output to which the user added files of their own), never the current folder (or one holding it), never
  an input's folder or a folder holding an input;
- a lock (an flock on a hidden sibling file) keeps a second writer out: it gets one line, exit status 2;
- results appear whole or not at all: written into a hidden sibling, then renamed into place;
- what a killed command leaves (`.NAME.partial-PID`, `.NAME.old-PID`, `.NAME.assembling-PID`, a folder of them
  marked as redline's) is cleared, or put back, by the next command that writes there, and nothing else is;
- a single file (`schema --out`, a debrief page) follows the same rules, with `accepts` naming what may be replaced.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from redline.errors import OutputError
from redline.words import escaped

MARKER = ".redline-output"
# What other redline commands add to an output folder after the command that made it (debrief pages, plots drawn
# again or for the first time, a picture of the network), and what a killed command leaves half-written: what
# --force may replace there besides the names the marker says the folder's own command wrote.
ADDED = re.compile(
    r"debrief-run-\d+\.(md|html)|(timeline|attacks|outcomes|network)\.png"
    r"|\..+\.partial(-\d+)?"  # write_atomic's, a sweep's sweep.json's
)
# All that redline commands write at the top of an output folder: for a folder whose marker does not list its names
# (written before markers did).
WRITTEN = re.compile(
    r"(manifest\.json|summary\.md|sweep\.json|compare\.md|sensitivity\.csv"
    r"|(events|metrics|runs|red_lines|points|outcomes)\.(parquet|csv)"
    r"|events|metrics|red_lines|parts"  # a sweep's tables partitioned by point, and its parts
    r"|(compare|heatmap|sensitivity)\.png"
    rf"|{ADDED.pattern})"
)
# A sweep's folders, whose files it writes as chunks finish.
SWEPT = ("events", "metrics", "red_lines", "parts")
# Inside a sweep's folders: a part file per point and chunk (events/point-00017/events-00034.parquet); in parts/,
# chunk markers, runs tables and Arrow parts; anywhere, a half-written file.
INSIDE = re.compile(r"point-\d+|[a-z_]+-\d+\.(parquet|arrow)|(done|ran)-\d+|\..+\.partial(-\d+)?")
MAX_NAME_BYTES = 255  # what Linux and macOS file systems allow for one name
MAX_PATH_BYTES = 4000  # and a little under what they allow for a whole path
# Always with the writer's process id: a name without one (a backup such as `.results.old`) is never redline's.
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>partial|old|assembling)-\d+$")


def _absolute(path: str | os.PathLike) -> Path:
    """The path made absolute without following a final symlink (so that a link is seen as a link)."""
    p = Path(os.path.abspath(os.fspath(path)))
    try:
        return p.parent.resolve() / p.name if p.name else p
    except (OSError, RuntimeError, ValueError):
        return p


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def scenario_inputs(files: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files a command reads: the scenarios given, the files they extend and their ladders' folders. An output
    may not be any of them nor hold any of them."""
    from redline.language.scenario import extends_chain

    out: list[Path] = []
    for f in files:
        for p in extends_chain(f):
            out += [p, p.parent / "ladders"]
    return out


class _Target:
    """What folder and file outputs share: the checks of where they go, the lock, the leftovers."""

    kind = "output"

    def __init__(self, path: str | os.PathLike, *, force: bool = False, inputs: Iterable[Path] = ()):
        self.given = str(path)
        self.path = _absolute(path)
        self.force = force
        self.inputs = [_absolute(p) for p in inputs]
        self._lock: int | None = None
        self._lock_path = self.path.parent / f".{self.path.name}.lock"

    def fail(self, message: str) -> OutputError:
        return OutputError(f"{escaped(self.given)}: {message}")

    # --- checks, before any work; nothing on disk changes ------------------------------------------------------

    def check(self) -> None:
        if "\0" in self.given:
            raise self.fail("the name holds a NUL byte")
        if not self.given.isprintable():  # control characters, line separators, invisible and bidi marks
            # A newline or a bell in a folder's name breaks every line that names it later.
            raise self.fail("the name holds a control character or an invisible one")
        name = self.path.name
        if not name or self.path == self.path.parent:
            raise self.fail("cannot write to the root of the file system")
        if any(len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES for part in self.path.parts):
            raise self.fail(f"a name in the path is longer than {MAX_NAME_BYTES} bytes")
        if len(str(self.path).encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
            raise self.fail(f"the path is longer than {MAX_PATH_BYTES} bytes")
        with contextlib.suppress(OSError):
            cwd = Path.cwd().resolve()
            if _inside(cwd, self.path):
                raise self.fail("is the current folder or holds it; name a new folder")
        for i in self.inputs:
            if _inside(i, self.path):
                raise self.fail(f"holds an input of this command ({i.name}); name another {self.kind}")
        self._check_existing()
        self._check_parent()

    def _check_existing(self) -> None:  # the part that differs between folders and files
        raise NotImplementedError

    def _check_parent(self) -> None:
        probe = self.path.parent
        try:
            while not probe.exists():
                if probe.is_symlink():
                    raise self.fail(f"cannot write here ({probe} is a broken link)")
                probe = probe.parent
        except OSError as e:
            raise self.fail(f"cannot write here ({e.strerror or e})") from None
        if not probe.is_dir():
            raise self.fail(f"cannot write here ({probe} is not a folder)")
        if not os.access(probe, os.W_OK | os.X_OK):
            raise self.fail(f"cannot write here ({probe} is not writable)")
        # Permission bits do not say it all (a read-only file system seen by root, /sys, /proc): a folder made and
        # removed at once tells before the command prints its plan or runs anything.
        try:
            made = tempfile.mkdtemp(prefix=".redline-probe-", dir=probe)
        except OSError as e:
            raise self.fail(f"cannot write here ({e.strerror or e})") from None
        with contextlib.suppress(
            OSError
        ):  # a folder that takes new names but keeps them (append-only) is writable
            os.rmdir(made)

    # --- the lock and the leftovers ----------------------------------------------------------------------------

    def __enter__(self):
        self.check()
        self._made = [p for p in (self.path.parent, *self.path.parent.parents) if not p.exists()]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            self._unmake()
            raise self.fail(f"cannot write here ({e.strerror or e})") from None
        try:
            self._acquire()
        except BaseException:
            self._unmake()
            raise
        try:
            self._recover()
            self.check()  # again under the lock: another command may have written here meanwhile
            self._begin()
        except BaseException:
            self._release()
            self._unmake()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._end()
        finally:
            self._release()
            if not self.path.exists():
                self._unmake()

    def _unmake(self) -> None:
        """The folders made to hold an output that was not written go again (those still empty)."""
        for p in getattr(self, "_made", ()):
            try:
                p.rmdir()
            except OSError:
                break

    def _acquire(self) -> None:
        for _ in range(5):
            try:
                fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as e:
                raise self.fail(f"cannot write here ({e.strerror or e})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                os.close(fd)
                if e.errno in (errno.EAGAIN, errno.EACCES):
                    raise self.fail(
                        "another redline command is writing there; wait for it to end or choose another "
                        f"{self.kind}"
                    ) from None
                raise self.fail(f"cannot lock it ({e.strerror or e})") from None
            # The holder before us unlinks the lock file as it releases it: a lock taken on an unlinked file
            # guards nothing, so take it again on the file now at that path.
            try:
                same = os.fstat(fd).st_ino == os.stat(self._lock_path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._lock = fd
                return
            os.close(fd)
        raise self.fail("cannot lock it (the lock file keeps changing)")

    def _release(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._lock_path)
            os.close(self._lock)
            self._lock = None

    def leftovers(self) -> list[tuple[str, Path]]:
        """(kind, path) of what commands killed while writing here left beside it."""
        out = []
        try:
            entries = list(self.path.parent.iterdir())
        except OSError:
            return []
        for p in entries:
            m = _LEFTOVER.match(p.name)
            if m and m["name"] == self.path.name and _left_by_redline(p):
                out.append((m["kind"], p))
        return sorted(out, key=lambda kp: _mtime(kp[1]))

    def _recover(self) -> None:
        for _, p in self.leftovers():
            _remove(p)

    def _begin(self) -> None:
        pass

    def _end(self) -> None:
        pass


def _pid_limit() -> int:
    """Above it no number is a process id (Linux says where; 4,194,304 is the most it allows)."""
    try:
        return int(Path("/proc/sys/kernel/pid_max").read_text())
    except (OSError, ValueError):
        return 4_194_304


_PID_LIMIT = _pid_limit()


def _left_by_redline(p: Path) -> bool:
    """A leftover's name is not proof enough before it is removed: its number must be one a process could have
    (a backup named by its date is not), and a folder must carry redline's marker (its staging folders are marked
    when made, and an old folder moved aside was a redline output)."""
    if p.is_symlink() or int(p.name.rpartition("-")[2]) > _PID_LIMIT:
        return False
    if p.is_dir():
        return (p / MARKER).is_file() or _written_before_markers(p)
    return p.is_file()


def _written_before_markers(folder: Path) -> bool:
    """A results folder or sweep that redline wrote before output folders carried a marker: its manifest names
    redline's version, or the sweep it holds."""
    manifest = folder / "manifest.json"
    try:
        if not manifest.is_file() or manifest.stat().st_size > 16 * 1024 * 1024:
            return False
        m = json.loads(manifest.read_text())
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(m, dict) and (
        (isinstance(m.get("versions"), dict) and "redline" in m["versions"])
        or isinstance(m.get("sweep"), dict)
    )


def _mtime(p: Path) -> float:
    try:
        return p.lstat().st_mtime
    except OSError:
        return 0.0


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            p.unlink()


def output_holding(path: Path) -> Path | None:
    """The redline output that `path` lies inside (not `path` itself), if any: the nearest one up the tree."""
    with contextlib.suppress(OSError):
        for folder in _absolute(path).parents:  # resolved: links on the way are followed
            if (folder / MARKER).is_file() or _written_before_markers(folder):
                return folder
    return None


class FolderOutput(_Target):
    """A results folder: made whole in a hidden sibling, then renamed into place."""

    kind = "folder"

    def __init__(self, path, *, force=False, inputs=(), command: str = "run", resume: bool = False):
        super().__init__(path, force=force, inputs=inputs)
        self.command = command
        self.resume = resume  # a sweep goes on in the folder it left
        self.tmp: Path | None = None

    def _check_existing(self) -> None:
        p = self.path
        holder = output_holding(p)
        if holder is not None:
            # Its tables would take the folder for one of theirs (a sweep's partitions) and its --force for a file
            # no redline command wrote.
            raise self.fail(f"is inside the redline output {holder}; name a folder outside it")
        if p.is_symlink():
            raise self.fail("is a symbolic link; name the folder itself")
        if not p.exists():
            if self.resume and not any(kind == "old" for kind, _ in self.leftovers()):
                raise self.fail("nothing to resume (no such folder)")
            return
        if not p.is_dir():
            raise self.fail("exists and is not a folder")
        if self.resume:
            return
        try:
            entries = [e.name for e in p.iterdir() if e.name != MARKER]
        except OSError as e:
            raise self.fail(f"cannot be read ({e.strerror or e})") from None
        if not entries:
            return
        if not self.force:
            if (p / "sweep.json").is_file() and not (p / "manifest.json").exists():
                raise self.fail("holds an unfinished sweep; --resume goes on with it, --force starts again")
            if self.is_redline_output():
                if self.command == "sweep" and (p / "sweep.json").is_file():
                    # a finished sweep: resumed, it runs nothing and draws what it lacks (plots)
                    raise self.fail("already holds a sweep; --resume goes on with it, --force replaces it")
                raise self.fail("already exists; use --force to replace it")
        if not self.is_redline_output():
            raise self.fail(
                "already exists and holds files that are not a redline output; --force replaces only a "
                "redline output or an empty folder"
            )
        theirs = self._not_written_by_redline(entries)
        if theirs:
            shown = ", ".join(theirs[:3]) + (f" and {len(theirs) - 3} more" if len(theirs) > 3 else "")
            raise self.fail(
                f"is a redline output, but it also holds {shown}, which no redline command wrote; --force would "
                "remove them: move them out first, or name another folder"
            )

    def is_redline_output(self) -> bool:
        return (self.path / MARKER).is_file() or _written_before_markers(self.path)

    def _recover(self) -> None:
        found = self.leftovers()
        if not self.path.exists():
            # Killed between moving the old folder aside and renaming the new one in: put the old one back.
            olds = [p for kind, p in found if kind == "old" and p.is_dir()]
            if olds:
                os.replace(olds[-1], self.path)
        if self.path.is_dir() and not (self.path / "parts").exists():
            # A sweep killed while assembling: the folders it carried (its parts, then its tables partitioned by
            # point) go back, so that --resume finds them.
            for kind, p in reversed(found):
                if kind == "assembling" and (p / "parts").is_dir():
                    for entry in sorted(p.iterdir()):
                        if (
                            entry.is_dir()
                            and not entry.is_symlink()
                            and not (self.path / entry.name).exists()
                        ):
                            os.replace(entry, self.path / entry.name)
                    break
        for _, p in found:
            if p.exists() or p.is_symlink():
                _remove(p)

    def _begin(self) -> None:
        self.tmp = self._staging("partial")

    def _staging(self, kind: str) -> Path:
        tmp = self.path.parent / f".{self.path.name}.{kind}-{os.getpid()}"
        _remove(tmp)
        try:
            tmp.mkdir()
            self._mark(tmp)
        except OSError as e:
            _remove(tmp)
            raise self.fail(f"cannot write here ({e.strerror or e})") from None
        return tmp

    def _mark(self, folder: Path) -> None:
        """The marker, with the names the command wrote (a library caller's `extra` files among them): what a later
        --force may replace, besides what other commands add (ADDED). A folder marked while still empty (a sweep
        about to fill it) lists nothing, and any name redline writes (WRITTEN) is taken for its own."""
        wrote = sorted(e.name for e in folder.iterdir() if e.name != MARKER)
        marker: dict[str, Any] = {"redline": "output", "command": self.command}
        if wrote:
            marker["wrote"] = wrote
        (folder / MARKER).write_text(json.dumps(marker) + "\n")

    def _written_by_redline(self) -> set[str] | None:
        """The names the marker says the command that made the folder wrote (None if it does not say)."""
        try:
            wrote = json.loads((self.path / MARKER).read_text()[:1_000_000]).get("wrote")
        except (OSError, ValueError, AttributeError, RecursionError):
            return None
        return {w for w in wrote if isinstance(w, str)} if isinstance(wrote, list) else None

    def _not_written_by_redline(self, entries: list[str]) -> list[str]:
        """The entries of the folder (a sweep's folders looked into) that no redline command wrote there: the
        user's, which --force must not remove."""
        ours = self._written_by_redline()
        theirs = []
        for e in sorted(entries):
            known = (e in ours or ADDED.fullmatch(e)) if ours is not None else WRITTEN.fullmatch(e)
            if not known:
                theirs.append(e)
            elif e in SWEPT and (self.path / e).is_dir() and not (self.path / e).is_symlink():
                for sub in sorted((self.path / e).rglob("*")):
                    if not INSIDE.fullmatch(sub.name) or sub.is_symlink():
                        theirs.append(str(sub.relative_to(self.path)))
        return theirs

    def _end(self) -> None:
        if self.tmp is not None:
            _remove(self.tmp)
            self.tmp = None

    def write(
        self, fill: Callable[[Path], None], *, carry: Sequence[str] = (), staging: str = "partial"
    ) -> Path:
        """`fill(tmp)` writes the folder's files; then the folder is replaced in one step. `carry` names entries of
        the present folder moved into the new one (a sweep's parts), put back if anything fails."""
        if self._lock is None:
            raise RuntimeError("FolderOutput.write outside `with`")  # a bug in the caller, not bad input
        if staging == "partial" and self.tmp is not None:
            tmp = self.tmp
        else:
            self._end()
            tmp = self.tmp = self._staging(staging)
        moved: list[str] = []
        try:
            fill(tmp)
            for name in carry:
                if (self.path / name).exists():
                    os.replace(self.path / name, tmp / name)
                    moved.append(name)
            self._mark(tmp)  # with all the folder holds, what it carried over among them
            self._swap(tmp)
        except BaseException as e:
            for name in moved:
                if (tmp / name).exists() and self.path.is_dir() and not (self.path / name).exists():
                    os.replace(tmp / name, self.path / name)
            _remove(tmp)
            self.tmp = None
            if isinstance(e, OSError):
                raise self.fail(f"cannot be written ({e.strerror or e})") from None
            raise
        self.tmp = None
        return self.path

    def _swap(self, tmp: Path) -> None:
        old = None
        if self.path.exists():
            old = self.path.parent / f".{self.path.name}.old-{os.getpid()}"
            _remove(old)
            os.replace(self.path, old)
        try:
            os.replace(tmp, self.path)
        except BaseException:
            if old is not None and not self.path.exists():
                os.replace(old, self.path)  # the folder as it was, rather than none
            raise
        if old is not None:
            _remove(old)

    def prepare_in_place(self) -> None:
        """For a sweep, which writes its parts into the folder as they finish: an empty, marked folder (the old
        one, if --force allowed it, moved aside and removed)."""
        self._end()
        tmp = self._staging("partial")
        try:
            self._swap(tmp)
        except OSError as e:
            _remove(tmp)
            raise self.fail(f"cannot be written ({e.strerror or e})") from None

    def write_file(self, name: str, data: bytes) -> Path:
        """One file written into the live folder atomically (a sweep's part, a plot redrawn)."""
        return write_atomic(self.path / name, data)


class FileOutput(_Target):
    """One file: never an existing file without --force, and with it only a file that `accepts` recognises as
    this command's own kind of output; never inside a redline output but `home`, the results it belongs to (a
    debrief's). Written beside itself, then renamed into place."""

    kind = "file"

    def __init__(
        self,
        path,
        *,
        force=False,
        inputs=(),
        accepts: Callable[[Path], bool] | None = None,
        home: str | os.PathLike | None = None,
    ):
        super().__init__(path, force=force, inputs=inputs)
        self.accepts = accepts
        self.home = Path(home).resolve() if home is not None else None

    def _check_existing(self) -> None:
        p = self.path
        holder = output_holding(p)
        if holder is not None and not (holder == self.home == p.parent):
            # A sweep's tables would read it as one of their parts, and the folder's --force as a stranger's file.
            raise self.fail(f"is inside the redline output {holder}; write it outside")
        if p.is_symlink():
            raise self.fail("is a symbolic link; name the file itself")
        if not p.exists():
            return
        if p.is_dir():
            raise self.fail("is a folder; name a file")
        if not p.is_file():
            raise self.fail("exists and is not a regular file")
        if not self.force:
            raise self.fail("already exists; use --force to replace it")
        if self.accepts is None or not self.accepts(p):
            raise self.fail("is not an output of this command; --force replaces only such a file")

    def write(self, data: bytes | str) -> Path:
        if self._lock is None:
            raise RuntimeError("FileOutput.write outside `with`")
        try:
            return write_atomic(self.path, data.encode() if isinstance(data, str) else data)
        except OSError as e:
            raise self.fail(f"cannot be written ({e.strerror or e})") from None


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to a hidden sibling, flush it to disk, and rename it over `path`."""
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


@contextlib.contextmanager
def locked_folder(path: str | os.PathLike):
    """Hold the lock of an existing results folder while a command rewrites files inside it (plot, debrief)."""
    target = _LockOnly(path)
    with target:
        yield target.path


class _LockOnly(_Target):
    kind = "folder"

    def check(self) -> None:
        pass

    def _recover(self) -> None:
        """Half-written files of a command killed while rewriting files in the folder (a plot)."""
        with contextlib.suppress(OSError):
            for p in self.path.iterdir():
                if _LEFTOVER.match(p.name) and p.is_file():
                    _remove(p)
