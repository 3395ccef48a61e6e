"""Reading rasters and writing files safely: the small pieces every core module shares."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import socket
import tempfile
import time

try:  # file locks: POSIX only
    import fcntl
except ImportError:  # Windows
    fcntl = None
from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, ogr, osr

from ..common.classes import ClassInfo
from ..common.errors import CrnnError
from ..common.palette import rgb


@contextlib.contextmanager
def gdal_exceptions() -> Iterator[None]:
    """Make GDAL, OGR and OSR raise exceptions inside the block, then restore the state.

    QGIS 3.40 and newer switch GDAL exceptions on for the whole process when Processing
    loads, 3.22 leaves them off: code in this block behaves the same under both.
    """
    modules = (gdal, ogr, osr)
    before = [module.GetUseExceptions() for module in modules]
    for module in modules:
        module.UseExceptions()
    try:
        yield
    finally:
        # GDAL keeps a stack of error handlers: undo in reverse order.
        for module, used in reversed(list(zip(modules, before))):
            if not used:
                module.DontUseExceptions()


def close_dataset(dataset: gdal.Dataset) -> Optional[str]:
    """Write what GDAL caches for ``dataset`` and close it; return GDAL's error, or None.

    With GDAL exceptions on, dropping the last reference to a dataset whose final write
    fails (a full disk) raises inside its destructor, where Python can only print an
    "Exception ignored" traceback. Here the close runs with exceptions off and its error
    is returned. ``Dataset.Close()`` exists from GDAL 3.8 on; before, the binding's
    destructor is called the same way. Either way ``dataset`` (and its bands) must not be
    used afterwards: drop the references.
    """
    with gdal_exceptions_off():
        gdal.ErrorReset()
        try:
            if hasattr(dataset, "Close"):
                failed = dataset.Close() not in (None, 0)
            else:  # GDAL < 3.8: what Close() does, through the binding's own destructor
                failed = False
                if dataset.thisown:
                    dataset.thisown = 0  # so the proxy, once dropped, does not close again
                    type(dataset).__swig_destroy__(dataset)
        except RuntimeError as error:
            return str(error) or "write error"
        if failed or gdal.GetLastErrorType() >= gdal.CE_Failure:
            return gdal.GetLastErrorMsg() or "write error"
    return None


@contextlib.contextmanager
def gdal_exceptions_off() -> Iterator[None]:
    """GDAL, OGR and OSR report errors through their error state inside the block (as
    QGIS 3.22 leaves them), whatever the process's setting; restored after.

    GDAL keeps the three switches as a stack of error handlers, pushed gdal, ogr, osr:
    they come off in the reverse order. Where someone pushed them in another order the
    block runs with exceptions on (and the callers catch ``RuntimeError``).
    """
    switched: list = []
    try:
        for module in (osr, ogr, gdal):
            if module.GetUseExceptions():
                module.DontUseExceptions()
                switched.append(module)
    except RuntimeError:  # another order on GDAL's stack: leave it as it was
        pass
    try:
        yield
    finally:
        for module in reversed(switched):
            module.UseExceptions()


@contextlib.contextmanager
def writing(dataset: gdal.Dataset, path: str) -> Iterator[gdal.Dataset]:
    """Yield a dataset being written and close it on leaving the block.

    A GDAL error in the block (with exceptions on) or a close that fails raises a
    ``CrnnError`` naming ``path``; after any other error in the block the close's own
    error is dropped (the file is being discarded) and the block's error goes on. Either
    way nothing is left for a destructor to report.
    """
    try:
        yield dataset
    except RuntimeError as error:  # a GDAL write with exceptions on: a full disk, say
        close_dataset(dataset)
        raise _write_error(path, str(error)) from None
    except BaseException:
        close_dataset(dataset)
        raise
    error = close_dataset(dataset)
    if error is not None:
        raise _write_error(path, error)


def _write_error(path: str, error: str) -> CrnnError:
    return CrnnError(f"Cannot write '{path}': {error}. Check the free disk space, or "
                     "choose another folder.")


def memory_vector_driver() -> ogr.Driver:
    """OGR's in-memory vector driver: "MEM" from GDAL 3.11 on, where "Memory" is a
    deprecated alias that warns, and "Memory" before (older MEM is raster-only)."""
    return ogr.GetDriverByName("MEM" if int(gdal.VersionInfo()) >= 3110000 else "Memory")


class StagedFile:
    """A file written in a hidden folder beside its final path, then moved into place whole.

    ``temporary`` is where to write (same file name, same file system, so the move is a
    rename). :meth:`commit` moves everything written there into place, side-cars such as
    GDAL's ``.aux.xml`` included, and removes a stale side-car of an earlier file at the
    final path (it would describe the new file wrongly); :meth:`discard` removes it all.
    Files get the usual permissions (0666 less the umask), as files written directly do.
    A folder that cannot be written raises ``OSError``, as writing there directly would.
    The hidden folder is named after this host and process (:func:`stage_prefix`) and
    holds a lock file the run keeps locked, so a later run removes what a killed one left
    (:func:`remove_stale_stages`).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(self.folder, exist_ok=True)
        remove_stale_stages(self.folder)
        self._stage = tempfile.mkdtemp(prefix=stage_prefix(), dir=self.folder)
        self._lock = _hold_lock(os.path.join(self._stage, STAGE_LOCK))
        self.temporary = os.path.join(self._stage, os.path.basename(path))

    def commit(self) -> None:
        names = [name for name in os.listdir(self._stage) if name != STAGE_LOCK]
        for name in names:  # a folder in the way fails the commit before anything moves
            if os.path.isdir(os.path.join(self.folder, name)):
                raise IsADirectoryError(errno.EISDIR, "a folder is in the way",
                                        os.path.join(self.folder, name))
        sidecar = os.path.basename(self.path) + ".aux.xml"
        if not os.path.exists(os.path.join(self._stage, sidecar)) and \
                os.path.exists(os.path.join(self.folder, sidecar)):
            os.remove(os.path.join(self.folder, sidecar))
        for name in names:
            os.replace(os.path.join(self._stage, name), os.path.join(self.folder, name))
        self.discard()

    def beside(self, path: str) -> str:
        """Where to write a file that goes beside the output (same folder, e.g. a report's
        JSON), so that :meth:`commit` moves it into place with the output."""
        return os.path.join(self._stage, os.path.basename(path))

    def discard(self) -> None:
        shutil.rmtree(self._stage, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


STAGE_PREFIX = ".tmp-crnn-"  # hidden staging folders (tests look for leftovers by it)
#: A file in each stage that its run holds locked while it writes: a stage whose lock can
#: be taken is abandoned, whichever process namespace (container, Flatpak) wrote it.
STAGE_LOCK = ".lock"
#: How old an unlocked stage must be before it counts as abandoned: its run may not have
#: taken the lock yet.
UNLOCKED_STAGE_SECONDS = 60
#: A stage whose name says no host and process (written before they were named) is
#: removed once nothing in it has changed for this long.
STALE_UNNAMED_STAGE_SECONDS = 24 * 3600


def _host() -> str:
    """This computer's name as it goes into a stage's name (letters, digits, '.', '-')."""
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname()) or "host"


def stage_prefix() -> str:
    """The start of this process's stage names: ``.tmp-crnn-<host>-<pid>-`` (mkdtemp
    adds a random end without '-')."""
    return f"{STAGE_PREFIX}{_host()}-{os.getpid()}-"


def _hold_lock(path: str) -> Optional[int]:
    """Create ``path`` and hold an exclusive lock on it (POSIX); the descriptor, or None
    where locks are not available (Windows, some network disks)."""
    if fcntl is None:
        return None
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a disk without locks: no lock file, so others go by the process id
        os.close(descriptor)
        os.remove(path)
        return None
    return descriptor


def _lock_is_free(path: str) -> Optional[bool]:
    """Whether nobody holds the lock of ``path`` (None: no lock file, or no locks)."""
    if fcntl is None or not os.path.isfile(path):
        return None
    try:
        descriptor = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(descriptor)  # closing releases a lock taken here
    return True


def _process_ended(pid: int) -> bool:
    """Whether no process ``pid`` runs on this computer (one we may not signal runs).
    Always False on Windows, where ``os.kill(pid, 0)`` would send Ctrl+C."""
    if pid <= 0 or os.name == "nt":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: another user's process; anything else: keep
        return False
    return False


def remove_stale_stages(folder: str) -> None:
    """Remove the stages in ``folder`` that a killed run left (SIGTERM, SIGKILL, power cut:
    no ``finally`` ran).

    A stage whose lock (:data:`STAGE_LOCK`) nobody holds is abandoned once a minute old
    or once its process has ended: this holds across containers that share the host
    name but not the process ids. Without a lock file (Windows, disks without locks,
    older stages), a stage of this host goes when its process has ended (POSIX), and
    any other once untouched for :data:`STALE_UNNAMED_STAGE_SECONDS`.
    """
    try:
        names = [name for name in os.listdir(folder) if name.startswith(STAGE_PREFIX)]
    except OSError:
        return
    host = _host()
    for name in names:
        stage = os.path.join(folder, name)
        if not os.path.isdir(stage) or os.path.islink(stage):
            continue
        named = re.fullmatch(r"(.+)-(\d+)-[^-]+", name[len(STAGE_PREFIX):])
        free = _lock_is_free(os.path.join(stage, STAGE_LOCK))
        age = time.time() - _last_change(stage)
        if free is not None:  # a run holds its stage's lock while it writes
            stale = free and (age > UNLOCKED_STAGE_SECONDS or (
                named is not None and named.group(1) == host
                and _process_ended(int(named.group(2)))))
        elif named is not None and named.group(1) == host and os.name != "nt":
            stale = _process_ended(int(named.group(2)))
        else:
            stale = age > STALE_UNNAMED_STAGE_SECONDS
        if stale:
            shutil.rmtree(stage, ignore_errors=True)


def _last_change(folder: str) -> float:
    """The newest modification time of ``folder`` and what it holds (now where it cannot
    be read, so that it stays)."""
    try:
        times = [os.stat(folder).st_mtime]
        times += [entry.stat(follow_symlinks=False).st_mtime for entry in os.scandir(folder)]
    except OSError:
        return time.time()
    return max(times)


@contextlib.contextmanager
def staged(path: str) -> Iterator[str]:
    """Yield where to write ``path``; on leaving the block without an error the file (and
    its side-cars) move into place, otherwise nothing is left behind."""
    stage = StagedFile(path)
    try:
        yield stage.temporary
        stage.commit()
    finally:
        stage.discard()


def write_atomically(path: str, write: Callable[[str], None]) -> None:
    """Call ``write(temporary)``, then move the file into place; a failure or a cancel
    leaves neither ``path`` nor a temporary file behind."""
    with staged(path) as temporary:
        write(temporary)


VECTOR_DRIVERS = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON",
                  ".json": "GeoJSON", ".fgb": "FlatGeobuf", ".sqlite": "SQLite"}


def vector_output(path: str, gpkg_layer: str, what: str) -> Tuple[ogr.Driver, str]:
    """The OGR driver that writes ``path`` (by its extension) and the layer's name in it:
    ``gpkg_layer`` in a GeoPackage, the file's stem elsewhere; ``what`` names the
    features in the message for an extension no driver here writes."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in VECTOR_DRIVERS:
        raise CrnnError(f"Cannot write {what} to '{os.path.basename(path)}': use one of "
                        f"{', '.join(sorted(VECTOR_DRIVERS))} (GeoPackage recommended).")
    name = gpkg_layer if extension == ".gpkg" else os.path.splitext(os.path.basename(path))[0]
    return ogr.GetDriverByName(VECTOR_DRIVERS[extension]), name


def open_raster(path: str) -> gdal.Dataset:
    """Open a raster read-only, or raise a ``CrnnError`` that names the file."""
    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY) if path else None
    except RuntimeError:  # GDAL exceptions switched on by someone else
        dataset = None
    if dataset is None and not os.path.exists(str(path)):
        raise CrnnError(f"The raster '{path}' does not exist. Check the path.")
    if dataset is None:
        raise CrnnError(
            f"Cannot open the raster '{path}': {gdal.GetLastErrorMsg() or 'not a raster'}. "
            "Choose a raster file GDAL can read."
        )
    return dataset


def read_block(dataset: gdal.Dataset, col: int, row: int, width: int, height: int,
               band_indices: Sequence[int], buf_type: Optional[int] = None,
               interleave: str = "band") -> np.ndarray:
    """The chosen bands (1-based) in a window: (bands, rows, cols), or (rows, cols, bands)
    with ``interleave="pixel"``, as ``buf_type`` (a GDAL type; None keeps the file's).

    The one way the core reads raster values: a read error raises a ``CrnnError`` naming
    the file (the name the dataset was opened with) and rows, whether GDAL exceptions are
    on or off.
    """
    path = dataset.GetDescription()
    gdal.ErrorReset()
    try:
        block = dataset.ReadAsArray(col, row, width, height, buf_type=buf_type,
                                    interleave=interleave, band_list=list(band_indices))
    except RuntimeError:  # GDAL exceptions on: the message is in GDAL's error state too
        block = None
    if block is None:
        # GDAL 3.8+ adds "May be caused by: ..." lines: one line reads better in a log
        reason = " ".join((gdal.GetLastErrorMsg() or "read error").split())
        raise CrnnError(
            f"Cannot read rows {row}-{row + height - 1} of '{path}': {reason}. Check that "
            "the file is intact."
        )
    if block.ndim == 2:  # one band
        block = block[None] if interleave == "band" else block[..., None]
    return block


#: Spectra read per chunk (bytes of the read buffer); bounds memory on wide rasters.
READ_BUDGET_BYTES = 64 * 1024 * 1024


def read_layout(dataset: gdal.Dataset, band_indices: Sequence[int],
                bytes_per_pixel: int) -> Tuple[int, int]:
    """(strip rows, chunk columns) aligned with the file's blocks, within the read budget.

    A tiled file is read one tile row at a time, in chunks of whole tiles; a striped one
    in strips of whole blocks spanning the full width. Only where a single block exceeds
    the budget are reads smaller than a block (GDAL then caches the block).
    """
    width, height = dataset.RasterXSize, dataset.RasterYSize
    block_x, block_y = dataset.GetRasterBand(band_indices[0]).GetBlockSize()
    block_x, block_y = max(1, min(block_x, width)), max(1, min(block_y, height))
    budget = max(1, READ_BUDGET_BYTES // max(1, bytes_per_pixel))  # pixels per chunk
    if block_x >= width:  # striped: whole-width strips of whole blocks
        rows = block_y * max(1, (budget // width) // block_y)
        if rows * width > 2 * budget:
            rows = max(1, budget // width)
        return min(rows, height), width
    if block_x * block_y <= 2 * budget:  # tiled: one tile row, chunks of whole tiles
        columns = block_x * max(1, budget // (block_x * block_y))
        return block_y, min(columns, width)
    rows = max(1, min(block_y, budget // block_x))  # huge tiles: part of a tile at a time
    return rows, block_x


@dataclass(frozen=True)
class Strip:
    """Full-width rows [row, row + height) read in column chunks (first column, columns);
    ``ends_blocks``: the strip ends on the file's block boundary (or the last row), so the
    blocks it read can leave GDAL's cache."""

    row: int
    height: int
    chunks: Tuple[Tuple[int, int], ...]
    ends_blocks: bool


class BlockStrips:
    """The raster's rows in strips aligned with its blocks, each read in chunks within
    ``READ_BUDGET_BYTES`` (:func:`read_layout`); ``rows`` is the strips' height."""

    def __init__(self, dataset: gdal.Dataset, band_indices: Sequence[int],
                 bytes_per_pixel: int) -> None:
        self.width, self.height = dataset.RasterXSize, dataset.RasterYSize
        self.rows, self.columns = read_layout(dataset, band_indices, bytes_per_pixel)
        block_y = dataset.GetRasterBand(band_indices[0]).GetBlockSize()[1]
        self.block_rows = max(1, min(block_y, self.height))

    def __iter__(self) -> Iterator[Strip]:
        chunks = tuple((col, min(self.columns, self.width - col))
                       for col in range(0, self.width, self.columns))
        for row in range(0, self.height, self.rows):
            end = min(self.height, row + self.rows)
            yield Strip(row, end - row, chunks,
                        end % self.block_rows == 0 or end == self.height)


def check_band_indices(dataset: gdal.Dataset, band_indices: Sequence[int], path: str) -> None:
    """Every band index (1-based) must exist in the raster."""
    bad = [b for b in band_indices if not 1 <= b <= dataset.RasterCount]
    if bad:
        raise CrnnError(
            f"The raster '{path}' has {dataset.RasterCount} band(s), but band(s) {bad} are "
            "requested. Choose bands that exist, or the raster the model was trained on."
        )


def style_class_band(band: gdal.Band, classes: Sequence[ClassInfo], nodata: int,
                     nodata_name: str = "") -> None:
    """Nodata, a colour table and category names on a class raster's band, so QGIS and
    other GIS show class names and colours without a style file.

    GeoTIFF colour tables and category lists are indexed from 0 upward: a Byte or UInt16
    band with non-negative values gets them, others only the nodata value. Nodata (and
    values that are no class) are transparent; ``nodata_name`` names the nodata value
    where it falls inside the list (e.g. "Unlabelled" for 0).
    """
    band.SetNoDataValue(nodata)
    values = [int(c.value) for c in classes]
    if band.DataType not in (gdal.GDT_Byte, gdal.GDT_UInt16) or not values or min(values) < 0:
        return
    top = max(max(values), nodata if nodata >= 0 else 0)
    if top > 65535:
        return
    table = gdal.ColorTable()
    for index in range(top + 1):
        table.SetColorEntry(index, (0, 0, 0, 0))
    names = [""] * (max(values) + 1)
    if 0 <= nodata < len(names):
        names[nodata] = nodata_name
    for info in classes:
        colour = rgb(info.color)
        if colour is not None:
            table.SetColorEntry(int(info.value), (*colour, 255))
        names[int(info.value)] = info.name
    band.SetRasterColorTable(table)
    band.SetRasterColorInterpretation(gdal.GCI_PaletteIndex)
    band.SetCategoryNames(names)
