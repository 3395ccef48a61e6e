"""Which files a run reads and writes, and the check that no output lands on an input.

A run must never change an input, and two outputs of one run must never share a file
(one would be silently lost). Paths are compared as the file system sees them, not as
they are spelled: relative paths, ``..``, symbolic and hard links name the same file,
and names that differ in letter case alone are taken as one (they are one on the usual
macOS and Windows disks; refusing them elsewhere costs nothing). Each output also brings
the files written beside it (GDAL's ``.aux.xml``, QGIS's ``.qml`` style, a report's
``.json``, a shapefile's parts, a GeoPackage's journal); each input brings every file
its dataset is made of (an ENVI ``.hdr``, an ``.aux.xml``) and the side-cars GDAL or
QGIS would read with it. The check runs before any work.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from typing import List, Optional, Sequence, Set, Tuple

from ..common.errors import CrnnError

#: Room left in a path for the hidden staging folder outputs are written into
#: (models/rasters/files.py StagedFile: ".tmp-crnn-" + a random suffix + "/").
STAGING_ROOM = 40
_SUBDATASET = re.compile(r'^[A-Za-z0-9_]+:"([^"]+)"')
_VSI_ARCHIVE = re.compile(r"^/vsi(zip|tar|gzip|7z|rar)/", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][\w+.-]+:(?![\\/])")  # "memory:", not "C:\\" nor "C:/"
_CONNECTION = re.compile(r"^\s*\w+\s*=\s*['\"]?[^/\\]*(\s|$)")  # key=value ... (no path)


@dataclass(frozen=True)
class RunFile:
    """A path a run reads or writes, and the parameter (``key``) that named it."""

    key: str
    path: str
    companions: Tuple[str, ...] = ()  # files read or written beside ``path``
    label: str = ""  # what the parameter is, for messages ("Model file")

    @property
    def files(self) -> Tuple[str, ...]:
        return (self.path, *self.companions)

    @property
    def name(self) -> str:
        """The parameter as messages name it: 'MODEL (Model file)'."""
        return f"{self.key} ({self.label})" if self.label else self.key


def written_beside(path: str, kind: str, extra: Sequence[str] = ()) -> Tuple[str, ...]:
    """The files an output of ``kind`` ('raster', 'vector' or 'file') puts beside ``path``.

    ``extra`` are further patterns: ``{path}`` is the output's path, ``{stem}`` the path
    without its extension (e.g. ``{stem}.json`` for the JSON beside a report).
    """
    stem, extension = os.path.splitext(path)
    patterns: List[str] = list(extra)
    if kind == "raster":
        patterns += ["{path}.aux.xml", "{stem}.qml"]
    elif kind == "vector":
        if extension.lower() == ".shp":
            patterns += ["{stem}" + part for part in (".shx", ".dbf", ".prj", ".cpg", ".qix")]
        elif extension.lower() in (".gpkg", ".sqlite"):
            patterns += ["{path}-wal", "{path}-shm", "{path}-journal"]
    return tuple(dict.fromkeys(p.format(path=path, stem=stem) for p in patterns))


def dataset_files(source: str) -> Tuple[str, ...]:
    """The files on disk that make up a layer's ``source`` (a path, ``path|layername=..``,
    ``NETCDF:"path":var``, ``/vsizip/archive.zip/inner``), with the side-cars GDAL and
    QGIS read beside it where they exist; empty for a source that is no file (a
    database, a web service, a memory layer)."""
    path = file_of_source(source)
    if not path:
        return ()
    files = [path]
    if os.path.exists(path) and not (os.path.isfile(path) or os.path.isdir(path)):
        return (path,)  # a pipe or a device: opening it could block (the run refuses it)
    listed = None
    try:
        from osgeo import gdal

        from .files import gdal_exceptions_off

        with gdal_exceptions_off():
            dataset = gdal.OpenEx(source.split("|")[0], gdal.OF_READONLY)
            listed = dataset.GetFileList() if dataset is not None else None
            dataset = None
    except (ImportError, RuntimeError):
        pass
    for name in listed or []:
        name = file_of_source(name)
        if name:
            files.append(name)
    # its side-cars (statistics, metadata, a style) are the input's too; where GDAL opens
    # it, so is the .aux.xml it does not have yet (a file written there would change how
    # GDAL reads it). A style it lacks is not: an output's style never goes there
    # (styles_another_dataset)
    if listed is not None or os.path.exists(path + ".aux.xml"):
        files.append(path + ".aux.xml")
    if os.path.exists(os.path.splitext(path)[0] + ".qml"):
        files.append(os.path.splitext(path)[0] + ".qml")
    return tuple(dict.fromkeys(files))


def styles_another_dataset(path: str) -> List[str]:
    """The files beside ``path`` that share its name but not its extension (an ENVI
    ``scene.bsq``/``scene.hdr`` or ``scene.nc`` beside ``scene.tif``): QGIS would apply a
    ``<name>.qml`` written for ``path`` to them too, so none is written there."""
    folder, name = os.path.split(os.path.abspath(path))
    stem = os.path.splitext(name)[0]
    own = {name, name + ".aux.xml", stem + ".qml"}
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(other for other in names
                  if os.path.splitext(other)[0] == stem and other not in own)


def file_of_source(source: str) -> str:
    """The file on disk behind a layer source or GDAL name, or '' where there is none."""
    text = str(source or "").strip()
    if not text:
        return ""
    text = text.split("|")[0]
    if os.path.exists(text):  # a file, whatever characters its name holds
        return text
    match = _SUBDATASET.match(text)
    if match:
        text = match.group(1)
    if _VSI_ARCHIVE.match(text):  # the archive itself: the longest existing prefix
        parts = text[_VSI_ARCHIVE.match(text).end():].split("/")
        for end in range(len(parts), 0, -1):
            candidate = "/".join(parts[:end])
            if candidate and os.path.isfile(candidate):
                return os.path.normpath(candidate)
        return ""
    if text.startswith("/vsi") or "://" in text or _CONNECTION.match(text) \
            or _SCHEME.match(text):
        return ""  # a remote file, a connection ("dbname='gis' ...", "memory:", "ogr:...")
    return text


def check_outputs(inputs: Sequence[RunFile], outputs: Sequence[RunFile]) -> None:
    """Raise ``CrnnError`` where an output cannot be written where asked, or where a file
    it writes (itself or beside it) is an input's file or another output's file.

    Checked: the output's folder exists, is a folder and can be written to; the output
    is not a folder; its name (and its side-cars' names) fits the file system's limits;
    no shared file, whatever the spelling.
    """
    for output in outputs:
        check_writable(output)
    seen: List[Tuple[RunFile, str, Set[tuple]]] = []
    for run_file in inputs:
        for name in run_file.files:
            seen.append((run_file, name, _identities(name)))
    input_count = len(seen)
    for output in outputs:
        own = _identities(output.path)
        for name in output.companions:
            if _identities(name) & own:
                raise CrnnError(
                    f"{output.name} '{output.path}' is also the name of the file written "
                    f"beside it ('{os.path.basename(name)}'): one would replace the other. "
                    f"Choose another file name for {output.key}.")
        mine: List[Tuple[RunFile, str, Set[tuple]]] = []
        for name in output.files:
            identities = _identities(name)
            for index, (other, other_name, other_ids) in enumerate(seen):
                if other.key == output.key or not identities & other_ids:
                    continue
                raise CrnnError(_collision(output, name, other, other_name,
                                           index < input_count))
            mine.append((output, name, identities))
        seen += mine


def _collision(output: RunFile, name: str, other: RunFile, other_name: str,
               is_input: bool) -> str:
    what = (f"{output.name} '{output.path}'" if name == output.path else
            f"The file written beside {output.name} '{output.path}' "
            f"('{os.path.basename(name)}')")
    if is_input and other_name != other.path and not os.path.exists(other_name):
        return (f"{what} would be read as part of the input {other.name} '{other.path}' "
                f"(GDAL and QGIS read '{os.path.basename(other_name)}' with it). Choose "
                f"another file name for {output.key}; inputs are never changed.")
    if is_input:
        whose = ("the input" if other_name == other.path else
                 f"a file of the input ('{os.path.basename(other_name)}'):")
        return (f"{what} would overwrite {whose} {other.name} '{other.path}'. Choose another "
                f"file name for {output.key}; inputs are never overwritten.")
    return (f"{what} and {other.name} '{other.path}' would be written to the same file "
            f"('{name}'): give each output its own file name.")


def check_writable(output: RunFile) -> None:
    """Raise ``CrnnError`` where ``output`` cannot be written (before any work is done)."""
    path = os.path.abspath(output.path)
    folder = os.path.dirname(path)
    key = output.name
    blocker = _first_file_above(folder)
    if blocker is not None:
        raise CrnnError(
            f"{key} '{output.path}' lies below '{blocker}', which is a file, not a folder. "
            "Choose a path in an existing folder.")
    if not os.path.isdir(folder):
        locked = _first_locked_above(folder)
        if locked is not None:
            raise CrnnError(
                f"Cannot write {key} into '{folder}': no permission to enter '{locked}'. "
                "Choose a folder you can write to.")
        raise CrnnError(
            f"The folder '{folder}' for {key} does not exist. Create it or choose another "
            "path.")
    if os.path.isdir(path):
        raise CrnnError(
            f"{key} '{output.path}' is a folder: give a file name in it, such as "
            f"'{os.path.join(output.path, _example_name(output.path))}'.")
    for companion in output.companions:  # a folder there would stop the write half-way
        if os.path.exists(companion) and not _is_regular(companion):
            raise CrnnError(
                f"{key} '{output.path}' writes '{companion}' beside it, but that is a "
                "folder or another special file. Choose another file name.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CrnnError(
            f"Cannot write {key} into '{folder}': no permission to write there. Choose a "
            "folder you can write to.")
    if os.path.exists(path) and not _is_regular(path):
        raise CrnnError(
            f"{key} '{output.path}' exists and is not a regular file (a device or a pipe). "
            "Choose another file name.")
    name_max, path_max = _limits(folder)
    longest = max((os.path.basename(name) for name in output.files), key=_length)
    if _length(longest) > name_max:
        raise CrnnError(
            f"The file name of {key} is too long for this disk ('{longest}' has "
            f"{_length(longest)} bytes, at most {name_max} fit): choose a shorter name.")
    if _length(path) + STAGING_ROOM + _length(longest) - _length(os.path.basename(path)) \
            > path_max:
        raise CrnnError(
            f"The path of {key} is too long for this disk ({_length(path)} bytes): choose a "
            "shorter name or a folder nearer the root.")


def _example_name(path: str) -> str:
    return "output" + (os.path.splitext(path)[1] or ".tif")


def _length(name: str) -> int:
    return len(os.fsencode(name))


def _limits(folder: str) -> Tuple[int, int]:
    try:
        return os.pathconf(folder, "PC_NAME_MAX"), os.pathconf(folder, "PC_PATH_MAX")
    except (AttributeError, OSError, ValueError):  # Windows: no pathconf
        return 255, 32767 if os.name == "nt" else 4096


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _first_file_above(folder: str) -> Optional[str]:
    """The first path above ``folder`` (itself included) that exists and is no folder."""
    current = folder
    while True:
        if os.path.exists(current) and not os.path.isdir(current):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _first_locked_above(folder: str) -> Optional[str]:
    """The deepest existing folder above ``folder`` that this user may not enter."""
    current = os.path.dirname(folder)
    while not os.path.isdir(current):
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    return None if os.access(current, os.X_OK) and os.access(current, os.R_OK) else current


def _identities(path: str) -> Set[tuple]:
    """What names ``path`` on this machine: its resolved, case-normalised path; the file
    itself (device and inode) where it exists; its case-folded name in its folder (the
    folder's device and inode)."""
    real = os.path.realpath(os.path.abspath(path))
    identities: Set[tuple] = {("path", os.path.normcase(real))}
    try:
        status = os.stat(real)
        if status.st_ino:  # 0 where the file system has no inode numbers
            identities.add(("file", status.st_dev, status.st_ino))
    except OSError:
        pass
    folder, name = os.path.split(real)
    try:
        status = os.stat(folder)
    except OSError:
        return identities
    if status.st_ino:  # folded: two names that differ in case alone are one on some disks
        identities.add(("name", status.st_dev, status.st_ino, name.casefold()))
    return identities
