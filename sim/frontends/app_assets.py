"""Solara's browser files, for a machine that cannot reach the CDN they come from.

Solara's server fetches the JavaScript and CSS of its page from a CDN the first time a browser asks for them, and
keeps them in a cache folder. So that the app works offline once installed, fill that cache at install time (`make`
does it) with

    redline app --install-assets        # or: python -m redline.frontends.app_assets

which packs the few npm packages the page loads with `npm pack`, as the solara-assets package does when it is
built. Nothing here imports Solara until it is called.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

NPM_TIMEOUT = 120  # seconds for one `npm pack`
# Offline, npm would retry each fetch for minutes: one try with a short wait says so at once.
ONE_TRY = ("--fetch-retries=0", "--fetch-timeout=30000")


class AssetsError(Exception):
    """The files could not be fetched: one line saying why."""


def needed() -> list[str]:
    """The npm packages (`name@version`) the page of the installed Solara loads from its CDN."""
    import solara.server.settings as server_settings
    import solara.util

    template = Path(solara.__file__).parent / "server" / "templates" / "solara.html.j2"
    found = re.findall(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+@\d[\w.-]*)/", template.read_text())
    skip = "solara-vuetify-app@" if solara.util.IPYVUETIFY_V3 else "solara-vuetify3-app@"
    packages = [p for p in dict.fromkeys(found) if skip not in p]
    if server_settings.assets.fontawesome_enabled:
        m = re.match(r"/?((?:@[\w.-]+/)?[\w.-]+@\d[\w.-]*)/", server_settings.assets.fontawesome_path)
        if m:
            packages.append(m.group(1))
    return packages


def cache_dir() -> Path:
    import solara.server.settings as server_settings

    return Path(server_settings.assets.proxy_cache_dir)


def missing(cache: Path | None = None) -> list[str]:
    cache = cache or cache_dir()
    return [p for p in needed() if not (cache / p / "package.json").is_file()]


def fetch(packages: list[str], cache: Path, npm: str) -> None:
    """`npm pack` each package and unpack it as CACHE/NAME@VERSION, where Solara's server looks."""
    with tempfile.TemporaryDirectory() as tmp:
        for package in packages:
            try:
                done = subprocess.run(
                    [npm, "pack", package, "--json", "--pack-destination", tmp, *ONE_TRY],
                    cwd=tmp,
                    capture_output=True,
                    text=True,
                    timeout=NPM_TIMEOUT,
                )
            except subprocess.TimeoutExpired:
                raise AssetsError(f"npm pack {package} took more than {NPM_TIMEOUT} s") from None
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or ["no message"])[-1]
                raise AssetsError(f"npm pack {package} failed: {last}")
            filename = json.loads(done.stdout)[0]["filename"]
            target = cache / package
            target.parent.mkdir(parents=True, exist_ok=True)
            # Unpacked beside its place and renamed into it, so that a server or another fetch running at the
            # same time never sees half a package.
            unpacked = Path(tempfile.mkdtemp(prefix=".partial-", dir=target.parent))
            try:
                with tarfile.open(Path(tmp) / Path(filename).name) as tar:
                    tar.extractall(unpacked, filter="data")
                if (target / "package.json").is_file():
                    continue  # fetched meanwhile
                shutil.rmtree(target, ignore_errors=True)  # a broken leftover
                with contextlib.suppress(OSError):
                    os.rename(unpacked / "package", target)
            finally:
                shutil.rmtree(unpacked, ignore_errors=True)
            if not (target / "package.json").is_file():
                raise AssetsError(f"could not put {package} into {cache}")


def ensure(quiet: bool = True) -> list[str]:
    """Fetch whatever the cache lacks; return what was fetched. Raises AssetsError if it cannot."""
    cache = cache_dir()
    todo = missing(cache)
    if not todo:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError(f"npm is needed to fetch {', '.join(todo)} (or a connection to Solara's CDN)")
    if not quiet:
        print(f"fetching {', '.join(todo)} into {cache}", file=sys.stderr)
    fetch(todo, cache, npm)
    return todo


def main() -> int:
    try:
        fetched = ensure(quiet=False)
    except AssetsError as e:
        print(f"redline.frontends.app_assets: {e}", file=sys.stderr)
        return 1
    print("Solara's browser files: " + ("fetched " + ", ".join(fetched) if fetched else "all there already"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
