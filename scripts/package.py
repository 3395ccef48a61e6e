#!/usr/bin/env python3
"""Build the plugin zip that plugins.qgis.org accepts: ``dist/hyperspectral_crnn-<version>.zip``.

    make package                       # or: python3 scripts/package.py [--out-dir DIR]
    python3 scripts/package.py --strict  # fail (not warn) while metadata has placeholders

The zip holds one folder, ``hyperspectral_crnn/``, with the files git tracks that the
plugin needs at run time (their working-tree contents):

- every top-level ``*.py`` file, plus ``metadata.txt``, ``LICENSE`` and ``README.md``;
- every top-level folder that is a Python package (has a tracked ``__init__.py``), so a
  new runtime package is shipped without editing this script;
- the data folders in ``RUNTIME_DIRS`` (``resources/``, ``i18n/`` with its compiled
  ``.qm`` files only: the ``.ts`` sources stay in the repository; ``docs/``: its pages
  and pictures, which the help texts name and the Help button shows, help_pages.py).

Development entries (``DEV_ENTRIES``: tests, benchmarks, scripts, CI, build files)
and dotfiles are left out. Any other top-level entry stops the build until it is listed
on one side or the other, so nothing is shipped or dropped by accident.

The rules checked here are those of the plugin repository's upload validator
(qgis/QGIS-Django, ``qgis-app/plugins/validator.py``) and its approval guidelines
(https://plugins.qgis.org/docs/approval):

- at most 25,000,000 bytes; no ``..`` or absolute paths; no ``.pyc`` files and no
  ``__pycache__``, ``.git`` or ``__MACOSX`` folders; one top folder whose name starts
  with a letter and holds only ASCII letters, digits, ``_`` and ``-`` (for a new plugin:
  lowercase, digits and ``_``); ``__init__.py``, ``metadata.txt`` (section ``[general]``)
  and ``LICENSE`` in that folder;
- metadata ``name``, ``description``, ``version``, ``qgisMinimumVersion``, ``author``
  (no ``/``), ``email``, ``about``, ``tracker`` and ``repository`` present; ``tracker``,
  ``repository`` and ``homepage`` valid URLs that answer when the site requests them;
- plugins that ship binaries are not approved.

The zip is deterministic: entries sorted, fixed timestamps (``SOURCE_DATE_EPOCH`` when
set, else 1980-01-01), fixed permissions.
"""

from __future__ import annotations

import argparse
import configparser
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
PLUGIN_DIR = "hyperspectral_crnn"

# Top-level files shipped besides the top-level *.py files.
RUNTIME_FILES = ("metadata.txt", "LICENSE", "README.md")
# Top-level data folders shipped besides the Python packages; None: every tracked file,
# else only files with one of the suffixes.
RUNTIME_DIRS = {"resources": None, "i18n": (".qm",), "docs": (".md", ".png")}
# Top-level entries never shipped (dotfiles are left out too).
DEV_ENTRIES = ("tests", "benchmarks", "scripts", "demo", "Makefile", "pyproject.toml",
               "requirements.txt", "requirements-mutation.txt")

MAX_SIZE = 25_000_000
REQUIRED_METADATA = ("name", "description", "version", "qgisMinimumVersion", "author",
                     "email", "about", "tracker", "repository")
URL_METADATA = ("homepage", "tracker", "repository")
# Fields a maintainer sets before uploading; while they name example.org they are stubs.
PLACEHOLDER_FIELDS = ("email", "homepage", "tracker", "repository")
PLACEHOLDER = re.compile(r"(^|[@./])example\.(org|com|net)([/:]|$)", re.IGNORECASE)
FORBIDDEN_DIRS = ("__pycache__", ".git", "__MACOSX")
BINARY_SUFFIXES = (".pyc", ".pyo", ".pyd", ".so", ".dll", ".dylib", ".exe", ".a", ".lib",
                   ".o", ".obj", ".bin", ".jar", ".class", ".whl", ".egg")
NAME_RULE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]+$")
NEW_NAME_RULE = re.compile(r"^[a-z_][a-z0-9_]*$")


class PackageError(Exception):
    """The package cannot be built or breaks a rule of the plugin repository."""


def read_metadata(text: str) -> dict[str, str]:
    """The ``[general]`` section of a metadata.txt, keys case kept, values stripped."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keep qgisMinimumVersion's case
    parser.read_string(text)
    if not parser.has_section("general"):
        raise PackageError("metadata.txt has no [general] section")
    return {key: value.strip() for key, value in parser.items("general")}


def placeholders(metadata: dict[str, str]) -> list[str]:
    """``field=value`` for each field a maintainer still has to set."""
    return [f"{field}={metadata.get(field, '')}" for field in PLACEHOLDER_FIELDS
            if not metadata.get(field) or PLACEHOLDER.search(metadata[field])]


def tracked_files(repo: Path) -> list[str]:
    """Files git tracks (as in the index), that exist in the working tree, sorted."""
    try:
        listing = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], check=True,
                                 capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise PackageError(f"git ls-files failed in {repo}: {error}") from error
    names = [name for name in listing.decode("utf-8").split("\0") if name]
    return sorted(name for name in names if (repo / name).is_file())


def select_files(files: list[str]) -> list[str]:
    """The run-time files among the tracked ``files`` (paths relative to the repository)."""
    packages = {name.split("/")[0] for name in files
                if name.count("/") == 1 and name.endswith("/__init__.py")}
    selected, unknown = [], set()
    for name in files:
        top, _, rest = name.partition("/")
        if top.startswith(".") or top in DEV_ENTRIES:
            continue
        if not rest:  # a top-level file
            if top.endswith(".py") or top in RUNTIME_FILES:
                selected.append(name)
            else:
                unknown.add(top)
        elif top in packages:
            if not name.endswith((".pyc", ".pyo")) and "__pycache__" not in name.split("/"):
                selected.append(name)
        elif top in RUNTIME_DIRS:
            suffixes = RUNTIME_DIRS[top]
            if suffixes is None or name.endswith(suffixes):
                selected.append(name)
        else:
            unknown.add(top + "/")
    if unknown:
        raise PackageError(
            "top-level entries neither shipped nor excluded: " + ", ".join(sorted(unknown))
            + ". List each in RUNTIME_FILES / RUNTIME_DIRS (shipped) or DEV_ENTRIES (left"
            " out) in scripts/package.py.")
    return selected


def zip_timestamp() -> tuple[int, int, int, int, int, int]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        stamp = time.gmtime(max(int(epoch), 315532800))  # zip dates start in 1980
        return stamp[:6]
    return (1980, 1, 1, 0, 0, 0)


def write_zip(repo: Path, files: list[str], target: Path) -> None:
    """Write ``files`` under ``PLUGIN_DIR/`` to ``target``: sorted, fixed dates and modes."""
    stamp = zip_timestamp()
    folders = {PLUGIN_DIR + "/"}
    for name in files:
        parts = name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folders.add(f"{PLUGIN_DIR}/{'/'.join(parts[:depth])}/")
    entries = sorted([(folder, None) for folder in folders]
                     + [(f"{PLUGIN_DIR}/{name}", name) for name in files])
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for arcname, source in entries:
            info = zipfile.ZipInfo(arcname, date_time=stamp)
            info.create_system = 3  # Unix, so the modes below are read
            if source is None:
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
            else:
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, (repo / source).read_bytes(), compresslevel=9)
    partial.replace(target)


def check_zip(path: Path) -> list[str]:
    """The upload rules ``path`` breaks (empty: none), checked as plugins.qgis.org does,
    except that URLs are not fetched."""
    problems = []
    if path.stat().st_size > MAX_SIZE:
        problems.append(f"{path.stat().st_size} bytes, over the {MAX_SIZE}-byte limit")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if archive.testzip() is not None:
            problems.append("a member fails its CRC check")
        for name in names:
            parts = name.split("/")
            if ".." in name or name.startswith("/"):
                problems.append(f"path information in {name}")
            if any(part in FORBIDDEN_DIRS for part in parts):
                problems.append(f"forbidden folder in {name}")
            if name.lower().endswith(BINARY_SUFFIXES):
                problems.append(f"binary or compiled file {name}")
        tops = {name.split("/")[0] for name in names}
        if tops != {PLUGIN_DIR}:
            problems.append(f"top-level entries {sorted(tops)}, not one folder {PLUGIN_DIR}/")
        if not (NAME_RULE.match(PLUGIN_DIR) and NEW_NAME_RULE.match(PLUGIN_DIR)):
            problems.append(f"folder name {PLUGIN_DIR} breaks the naming rule")
        for required in ("__init__.py", "metadata.txt", "LICENSE"):
            if f"{PLUGIN_DIR}/{required}" not in names:
                problems.append(f"no {PLUGIN_DIR}/{required}")
        if f"{PLUGIN_DIR}/metadata.txt" not in names:
            return problems
        metadata = read_metadata(archive.read(f"{PLUGIN_DIR}/metadata.txt").decode("utf-8"))
        icon = metadata.get("icon", "")
        if icon and f"{PLUGIN_DIR}/{icon.removeprefix('./')}" not in names:
            problems.append(f"the icon {icon} is not in the zip")
    for field in REQUIRED_METADATA:
        if not metadata.get(field):
            problems.append(f"metadata {field} missing or empty")
    if "/" in metadata.get("author", ""):
        problems.append("metadata author contains a slash")
    for field in URL_METADATA:
        url = urlparse(metadata.get(field, ""))
        if metadata.get(field) and not (url.scheme and url.netloc):
            problems.append(f"metadata {field} is not a URL")
    return problems


def build(out_dir: Path, repo: Path = REPO, strict: bool = False) -> Path:
    """Build, check and return the zip; warn on stderr while metadata has placeholders."""
    metadata = read_metadata((repo / "metadata.txt").read_text(encoding="utf-8"))
    version = metadata.get("version", "")
    if not re.fullmatch(r"[0-9A-Za-z.+_-]+", version):
        raise PackageError(f"metadata.txt: version {version!r} cannot name a file")
    stubs = placeholders(metadata)
    if stubs:
        message = ("metadata.txt still has placeholder values: " + ", ".join(stubs)
                   + ". plugins.qgis.org rejects an upload whose tracker, repository or"
                   " homepage does not answer; set them before uploading (README.md,"
                   " Release checklist).")
        if strict:
            raise PackageError(message)
        print(f"WARNING: {message}", file=sys.stderr)
    files = select_files(tracked_files(repo))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PLUGIN_DIR}-{version}.zip"
    write_zip(repo, files, target)
    problems = check_zip(target)
    if problems:
        raise PackageError(f"{target} breaks the upload rules:\n  " + "\n  ".join(problems))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", type=Path, default=REPO / "dist",
                        help="folder for the zip (default: dist/ in the repository)")
    parser.add_argument("--strict", action="store_true",
                        help="fail instead of warning while metadata has placeholders")
    args = parser.parse_args(argv)
    try:
        target = build(args.out_dir, strict=args.strict)
    except PackageError as error:
        print(f"scripts/package.py: {error}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(target) as archive:
        count = sum(1 for name in archive.namelist() if not name.endswith("/"))
    print(f"{target}: {count} files, {target.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
