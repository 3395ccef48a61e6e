"""Bring a hyperspectral cube into GIS files: arrays, containers, rasters -> GeoTIFF.

Inputs, and what is read from each (docs/sensors.md lists the products):

- MATLAB ``.mat`` (v4-v7) / NumPy ``.npy`` / ``.npz`` arrays: the classic benchmark scenes
  (Indian Pines, Pavia, Salinas, ...), without map coordinates;
- HDF5 / netCDF containers (``.h5``, ``.he5``, ``.nc``, ... or a GDAL subdataset string
  such as ``HDF5:"f.h5"://path``): their 3-D arrays are listed and the one named (or
  the only one) is imported, read through GDAL's multidimensional API. A PRISMA L2
  product (``PRS_L2?_HCO``) gives its VNIR and SWIR cubes as one cube, bands sorted by
  wavelength, with the centre wavelengths, FWHM, band flags and the L2 scale of the
  file's attributes;
- any raster GDAL reads (ENVI, GeoTIFF, EnMAP L2A, ...): copied with its own
  georeferencing, and its wavelength / FWHM / bad-band / scale metadata
  (models/rasters/bands.py) carried into the GeoTIFF as band metadata.

:func:`import_cube` writes the cube as a tiled, DEFLATE-compressed GeoTIFF in the data's
own type. An array without map coordinates is placed on a simple grid (top-left corner
at ``(origin_x, origin_y)``, square pixels, rows going down, i.e. north-up; the CRS is
optional). A ground-truth array becomes a label raster (nodata 0, colour table, class
names) and polygons of its class regions.

Array axes: the axis order of a 3-D array is set by the user (``axis_order``, one of
:data:`AXIS_ORDERS`) or recognised from a known product layout, the container's
dimension names, the ground truth's shape, or the array's sizes
(:func:`resolve_axis_order`); where none of them decides, the import is refused with a
message asking for the axis order. MATLAB v7.3 files are HDF5 and are refused with a
message saying how to re-save them.

Every output is written under a temporary name beside its destination and moved into
place only when complete, so a failure or a cancel never leaves a partial file.
This module uses numpy, scipy.io and GDAL/OGR/OSR only, never QGIS.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, ogr, osr

from ..common.callbacks import CancelCheck, LogCallback, ProgressCallback
from ..common.classes import ClassInfo
from ..common.errors import CancelledError, CrnnError
from ..common.palette import class_colour
from ..rasters.bands import BandInfo, read_band_info, to_nanometres, write_band_metadata
from ..rasters.files import (
    gdal_exceptions,
    memory_vector_driver,
    read_block,
    staged,
    style_class_band,
    writing,
)

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
V73_MESSAGE = (
    "MATLAB v7.3 (HDF5) files are not supported: re-save with save(..., '-v7') or "
    "export to .npy"
)
ARRAY_EXTENSIONS = (".mat", ".npy", ".npz")

CUBE_OPTIONS = ["TILED=YES", "BLOCKXSIZE=64", "BLOCKYSIZE=64", "COMPRESS=DEFLATE",
                "INTERLEAVE=PIXEL", "BIGTIFF=IF_SAFER"]
"""64 x 64 pixel-interleaved tiles: the classifier reads whole spectra of small windows
(same layout as the Indian Pines demo cube)."""
LABEL_OPTIONS = ["TILED=YES", "COMPRESS=DEFLATE"]
STRIP_ROWS = 64
"""Rows written at once: one row of tiles, so every tile is written exactly once."""

VECTOR_DRIVERS = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON",
                  ".json": "GeoJSON", ".fgb": "FlatGeobuf", ".sqlite": "SQLite"}
POLYGON_LAYER = "ground_truth"


def _no_log(message: str) -> None:
    pass


# --- placement ------------------------------------------------------------------------


@dataclass
class Placement:
    """Where an array without map coordinates is put.

    The top-left corner of the top-left pixel is at (``origin_x``, ``origin_y``);
    columns go east and rows go south by ``pixel_size`` (a north-up grid).
    ``crs_wkt`` empty means no CRS.
    """

    pixel_size: float = 1.0
    origin_x: float = 0.0
    origin_y: float = 0.0
    crs_wkt: str = ""

    def geotransform(self) -> Tuple[float, ...]:
        return (self.origin_x, self.pixel_size, 0.0, self.origin_y, 0.0, -self.pixel_size)

    def spatial_reference(self) -> Optional[osr.SpatialReference]:
        if not self.crs_wkt:
            return None
        srs = osr.SpatialReference()
        if srs.SetFromUserInput(self.crs_wkt) != 0:
            raise CrnnError(f"Cannot understand the CRS '{self.crs_wkt[:80]}'.")
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        return srs


# --- reading arrays -------------------------------------------------------------------


@dataclass
class LoadedArray:
    array: np.ndarray
    name: str  # the variable name, or the file name for .npy


def _describe(variables: Sequence[Tuple[str, Tuple[int, ...], str]]) -> str:
    if not variables:
        return "none"
    return ", ".join(f"{name} ({' x '.join(str(s) for s in shape)} {kind})"
                     for name, shape, kind in variables)


def _check_not_hdf5(path: str) -> None:
    with open(path, "rb") as stream:
        head = stream.read(2048)
    # MATLAB v7.3 files are HDF5 with a 512-byte user block after the text header; HDF5
    # looks for its signature at 0, 512, 1024, ...; we accept it anywhere in the head.
    if HDF5_SIGNATURE in head or head[:128].lstrip().startswith(b"MATLAB 7.3"):
        raise CrnnError(f"'{os.path.basename(path)}': {V73_MESSAGE}.")


def _mat_variables(path: str) -> List[Tuple[str, Tuple[int, ...], str]]:
    import scipy.io

    _check_not_hdf5(path)
    try:
        return [(name, tuple(shape), kind) for name, shape, kind in scipy.io.whosmat(path)]
    except NotImplementedError:
        raise CrnnError(f"'{os.path.basename(path)}': {V73_MESSAGE}.") from None
    except Exception as error:  # scipy raises ValueError, TypeError, ... on bad files
        raise CrnnError(f"Cannot read the MATLAB file '{path}': {error}") from None


def _load_mat(path: str, name: str) -> np.ndarray:
    import scipy.io

    try:
        data = scipy.io.loadmat(path, variable_names=[name])
    except NotImplementedError:
        raise CrnnError(f"'{os.path.basename(path)}': {V73_MESSAGE}.") from None
    except Exception as error:
        raise CrnnError(f"Cannot read variable '{name}' of '{path}': {error}") from None
    return np.asarray(data[name])


def _size_text(nbytes: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= size:
            return f"{nbytes / size:.1f} {unit}"
    return f"{nbytes} bytes"


def available_memory() -> Optional[int]:
    """Bytes of memory a new allocation may take: Linux's MemAvailable, else the physical
    memory where the system says it, else None (unknown)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def _npy_header(stream, name: str, path: str, stored: int, check: bool = True
                ) -> Tuple[Tuple[int, ...], np.dtype, int]:
    """(shape, dtype, bytes of values) that the .npy header at ``stream``'s start
    declares, read without the values. With ``check``, refuses Python objects (loading
    them could run code) and a header that declares more values than the ``stored``
    bytes hold (a damaged file, or a crafted one: numpy would try to allocate what it
    claims)."""
    base = os.path.basename(path)
    where = f"'{name}' in '{base}'" if name != base else f"'{base}'"
    try:
        version = np.lib.format.read_magic(stream)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)  # 3.0: 2.0's layout
        shape, _, dtype = read_header(stream)
    except (ValueError, TypeError, EOFError, OSError) as error:
        raise CrnnError(f"The array {where} is not a NumPy array ({error}). Save it with "
                        "np.save or np.savez.") from None
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    held = stored - stream.tell()
    if check and dtype.hasobject:
        raise CrnnError(
            f"The array {where} holds Python objects ({dtype}), which are never read: "
            "loading them could run code. Save a numeric array (no pickled objects), e.g. "
            "cube.astype('float32').")
    if check and nbytes > held:
        raise CrnnError(
            f"The array {where} is damaged: its header says {' x '.join(map(str, shape))} "
            f"{dtype} ({_size_text(nbytes)}), but the file holds {_size_text(max(0, held))} "
            "of values. Save it again.")
    return tuple(shape), dtype, nbytes


def _npz_member(archive, name: str) -> str:
    """The zip member of ``archive``'s array ``name`` (np.savez adds '.npy')."""
    names = archive.zip.namelist()
    return name + ".npy" if name + ".npy" in names else name


def _npz_variables(archive) -> List[Tuple[str, Tuple[int, ...], str]]:
    """The archive's arrays (name, shape, dtype) from their headers, no values read (an
    array of objects is listed; reading it is refused); members that are no NumPy array
    are left out."""
    variables = []
    for name in archive.files:
        try:
            with archive.zip.open(_npz_member(archive, name)) as stream:
                is_array = stream.read(len(np.lib.format.MAGIC_PREFIX)) == \
                    np.lib.format.MAGIC_PREFIX
        except Exception as error:  # zipfile raises BadZipFile, zlib.error, OSError, ...
            raise CrnnError(f"Cannot read '{name}' in the NumPy archive "
                            f"'{archive.zip.filename}': {error}") from None
        if is_array:
            shape, dtype, _ = _npz_header(archive, name, check=False)
            variables.append((name, shape, str(dtype)))
    return variables


def _npz_header(archive, name: str, check: bool = True
                ) -> Tuple[Tuple[int, ...], np.dtype, int]:
    """:func:`_npy_header` of the archive's array ``name``."""
    member = _npz_member(archive, name)
    path = archive.zip.filename
    try:
        stored = archive.zip.getinfo(member).file_size
        with archive.zip.open(member) as stream:
            return _npy_header(stream, name, path, stored, check)
    except CrnnError:
        raise
    except Exception as error:  # zipfile raises BadZipFile, zlib.error, OSError, ...
        raise CrnnError(f"Cannot read '{name}' in the NumPy archive '{path}': {error}") \
            from None


def _load_npz(archive, name: str) -> np.ndarray:
    """The array ``name`` of an .npz archive, read whole once its header is checked: no
    objects, values present, and no larger than the memory available (an .npz member
    cannot be memory-mapped; a .npy file can, and is)."""
    path = archive.zip.filename
    shape, dtype, nbytes = _npz_header(archive, name)
    memory = available_memory()
    if memory is not None and nbytes > memory:
        raise CrnnError(
            f"The array '{name}' in '{os.path.basename(path)}' is "
            f"{' x '.join(map(str, shape))} {dtype} ({_size_text(nbytes)}), more than the "
            f"{_size_text(memory)} of memory available: an .npz array is read whole. Save "
            "it as .npy (np.save), which is read piece by piece.")
    try:
        return np.asarray(archive[name])
    except MemoryError:
        raise CrnnError(f"Not enough memory to read the array '{name}' "
                        f"({_size_text(nbytes)}) of '{os.path.basename(path)}'. Save it as "
                        ".npy (np.save), which is read piece by piece.") from None
    except Exception as error:  # a damaged member: BadZipFile, zlib.error, ValueError...
        raise CrnnError(f"Cannot read '{name}' in the NumPy archive '{path}': {error}") \
            from None


@contextlib.contextmanager
def _open_npz(path: str):
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as error:
        raise CrnnError(f"Cannot read the NumPy archive '{path}': {error}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):  # a .npy under an .npz name
        raise CrnnError(f"'{path}' is not a NumPy archive (a zip of arrays): save it with "
                        "np.savez, or name it .npy.")
    try:
        yield archive
    finally:
        archive.close()


def choose_variable(
    variables: Sequence[Tuple[str, Tuple[int, ...], str]],
    wanted: Optional[str],
    ndim: int,
    path: str,
    role: str,
    shape_2d: Optional[Tuple[int, int]] = None,
) -> str:
    """The named variable, or the default: the largest ``ndim``-D array (for a ground
    truth, the only 2-D array with the cube's rows and columns)."""
    names = [name for name, _, _ in variables]
    if wanted:
        if wanted not in names:
            raise CrnnError(
                f"The {role} variable '{wanted}' is not in '{os.path.basename(path)}'. "
                f"Its variables are: {_describe(variables)}."
            )
        return wanted
    candidates = [(name, shape) for name, shape, _ in variables if len(shape) == ndim]
    if ndim == 2 and shape_2d is not None:
        matching = [(n, s) for n, s in candidates if tuple(s[:2]) == tuple(shape_2d)]
        if len(matching) > 1:
            raise CrnnError(
                f"'{os.path.basename(path)}' has several 2-D arrays of {shape_2d[0]} x "
                f"{shape_2d[1]}: {', '.join(n for n, _ in matching)}. Name the ground "
                "truth variable."
            )
        candidates = matching or candidates
    if not candidates:
        raise CrnnError(
            f"'{os.path.basename(path)}' has no {ndim}-D array for the {role}. Its "
            f"variables are: {_describe(variables)}."
        )
    return max(candidates, key=lambda item: int(np.prod(item[1])))[0]


def read_array(path: str, variable: Optional[str] = None, ndim: int = 3, role: str = "cube",
               shape_2d: Optional[Tuple[int, int]] = None) -> LoadedArray:
    """Read an array from a .mat (v4-v7), .npy or .npz file.

    ``.npy`` files are memory-mapped (never pickles), so a large cube is read as it is
    written. For .mat and .npz, ``variable`` names the array; by default the largest
    ``ndim``-D one is taken.
    """
    if not os.path.isfile(path):
        raise CrnnError(f"The file '{path}' does not exist.")
    extension = os.path.splitext(path)[1].lower()
    if extension == ".npy":
        try:
            with open(path, "rb") as stream:
                _npy_header(stream, os.path.basename(path), path, os.path.getsize(path))
        except OSError as error:
            raise CrnnError(f"Cannot read the NumPy file '{path}': {error}.") from None
        try:
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        except Exception as error:
            raise CrnnError(
                f"Cannot read the NumPy file '{path}': {error}. Save it with np.save "
                "(numeric array, no pickled objects)."
            ) from None
        return LoadedArray(array, os.path.basename(path))
    if extension == ".mat":
        variables = _mat_variables(path)
        name = choose_variable(variables, variable, ndim, path, role, shape_2d)
        return LoadedArray(_load_mat(path, name), name)
    if extension == ".npz":
        with _open_npz(path) as archive:
            name = choose_variable(_npz_variables(archive), variable, ndim, path, role,
                                   shape_2d)
            return LoadedArray(_load_npz(archive, name), name)
    raise CrnnError(f"'{path}' is not a .mat, .npy or .npz file.")


def is_array_file(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in ARRAY_EXTENSIONS


# --- axis order -----------------------------------------------------------------------

AXIS_ORDERS = ("auto", "rows_cols_bands", "bands_rows_cols", "rows_bands_cols",
               "cols_rows_bands", "bands_cols_rows", "cols_bands_rows")
"""How a 3-D array's axes are stored, first axis first: "auto" recognises it; the others
name it (BIP = rows_cols_bands; BSQ = bands_rows_cols; BIL = rows_bands_cols). Written
with underscores: QGIS reads a comma in an enum value as a list of values;
:func:`normalise_axis_order` accepts "rows,cols,bands" and the like too."""
_AXIS_WORDS = {"rows": "rows", "row": "rows", "lines": "rows", "y": "rows",
               "cols": "cols", "col": "cols", "columns": "cols", "column": "cols",
               "samples": "cols", "x": "cols", "bands": "bands", "band": "bands"}


def normalise_axis_order(text: Optional[str]) -> str:
    """ "rows,bands,cols", "rows bands cols", "ROWS_BANDS_COLS" -> "rows_bands_cols";
    empty -> "auto"; anything else is refused with the accepted values."""
    words = [word for word in re.split(r"[\s,;_/-]+", (text or "").strip().lower()) if word]
    if not words or words == ["auto"]:
        return "auto"
    axes = [_AXIS_WORDS.get(word, "?") for word in words]
    if sorted(axes) != ["bands", "cols", "rows"]:
        raise CrnnError(f"Unknown axis order '{text}': use one of {', '.join(AXIS_ORDERS)}.")
    return "_".join(axes)


_AXIS_NAMES = {"rows": "rows", "cols": "columns", "bands": "bands"}
_BAND_AXIS_ORDERS = {0: "bands_rows_cols", 1: "rows_bands_cols", 2: "rows_cols_bands"}
# Dimension names that say what an axis is (netCDF / HDF5 dimension names, lower case).
_DIMENSION_ROLES = {
    "bands": ("band", "bands", "wavelength", "wavelengths", "wl", "lambda", "channel",
              "channels", "spectral", "spectrum", "nbands", "z"),
    "rows": ("y", "row", "rows", "line", "lines", "lat", "latitude", "nrows", "northing"),
    "cols": ("x", "col", "cols", "column", "columns", "sample", "samples", "lon",
             "longitude", "ncols", "easting"),
}


def describe_order(order: str) -> str:
    """ "rows_cols_bands" -> "(rows, columns, bands)"."""
    return "(" + ", ".join(_AXIS_NAMES[name] for name in order.split("_")) + ")"


def axis_permutation(order: str) -> Tuple[int, int, int]:
    """The transpose that turns an array stored in ``order`` into (rows, cols, bands)."""
    names = order.split("_")
    return names.index("rows"), names.index("cols"), names.index("bands")


def order_from_dimension_names(names: Sequence[str]) -> Optional[str]:
    """The axis order that a 3-D array's dimension names say, or None.

    All three named (``y, wavelength, x``), or only the bands' (``band``): then the other
    two are rows and columns in their stored order.
    """
    if len(names) != 3:
        return None
    roles = []
    for name in names:
        key = (name or "").strip().lower()
        roles.append(next((role for role, words in _DIMENSION_ROLES.items()
                           if key in words), None))
    known = [role for role in roles if role]
    if len(known) != len(set(known)) or "bands" not in known:
        return None
    if len(known) == 3:
        return "_".join(roles)
    band_axis = roles.index("bands")
    if len(known) == 2:  # the unnamed one is what is left
        missing = ({"rows", "cols"} - set(known)).pop()
        return "_".join(role or missing for role in roles)
    return _BAND_AXIS_ORDERS[band_axis]


def resolve_axis_order(
    shape: Sequence[int],
    requested: str = "auto",
    dimension_names: Sequence[str] = (),
    ground_truth_shape: Optional[Tuple[int, int]] = None,
    band_count: Optional[int] = None,
    known: Optional[Tuple[str, str]] = None,
    log: LogCallback = _no_log,
) -> str:
    """The axis order of a 3-D array of ``shape``, one of :data:`AXIS_ORDERS` but "auto".

    In this order of trust: the user's ``requested`` order; a ``known`` product layout
    (order, why); the container's ``dimension_names``; the ``ground_truth_shape`` (the
    axis left over by the truth's rows and columns holds the bands); a ``band_count``
    from the file's wavelength list; the sizes: a single smallest first or last axis
    (or the odd one out of two equal smallest, first or last: Indian Pines is
    145 x 145 x 200) holds the bands. A smallest middle axis (rows, bands, cols as
    PRISMA stores it, or a narrow scene?) or three equal sizes are refused: the user
    must say.
    """
    a, b, c = (int(size) for size in shape)
    sizes = f"{a} x {b} x {c}"
    requested = normalise_axis_order(requested)
    if requested != "auto":
        return _said(requested, shape, "as AXIS_ORDER says", log)
    if known is not None:
        return _said(known[0], shape, known[1], log)
    named = order_from_dimension_names(dimension_names)
    if named is not None:
        return _said(named, shape, "from its dimension names "
                     f"({', '.join(dimension_names)})", log)
    if ground_truth_shape is not None:
        truth = sorted(int(s) for s in ground_truth_shape)
        axes = [k for k in range(3)
                if sorted(int(shape[i]) for i in range(3) if i != k) == truth]
        if len(axes) == 1:
            return _said(_BAND_AXIS_ORDERS[axes[0]], shape,
                         "from the ground truth's {} x {} pixels".format(
                             *ground_truth_shape), log)
    if band_count is not None:
        axes = [k for k in range(3) if int(shape[k]) == int(band_count)]
        if len(axes) == 1:
            return _said(_BAND_AXIS_ORDERS[axes[0]], shape,
                         f"from its {band_count} wavelengths", log)
    smallest = min(a, b, c)
    axes = [k for k, size in enumerate((a, b, c)) if size == smallest]
    if len(axes) == 2:  # the odd one out holds the bands
        axes = [({0, 1, 2} - set(axes)).pop()]
    if len(axes) == 1 and axes[0] != 1:
        why = ("its first axis is the smallest" if axes[0] == 0 and smallest < min(b, c)
               else "its last axis is the smallest" if axes[0] == 2 and smallest < min(a, b)
               else "its first two axes are equal" if axes[0] == 2
               else "its last two axes are equal")
        return _said(_BAND_AXIS_ORDERS[axes[0]], shape, f"as {why}", log)
    raise CrnnError(
        f"Cannot tell which axis of the {sizes} array holds the bands. Set AXIS_ORDER: "
        "e.g. 'rows_bands_cols' for a cube stored band-interleaved by line (as PRISMA "
        "stores it), 'rows_cols_bands' or 'bands_rows_cols'.")


def _said(order: str, shape: Sequence[int], why: str, log: LogCallback) -> str:
    rows, cols, bands = (int(shape[i]) for i in axis_permutation(order))
    sizes = " x ".join(str(int(s)) for s in shape)
    log(f"The array is {sizes}, read as {describe_order(order)} {why}: {bands} bands of "
        f"{rows} x {cols} pixels.")
    return order


def orient_cube(array: np.ndarray, log: LogCallback = _no_log, order: str = "auto",
                ground_truth_shape: Optional[Tuple[int, int]] = None) -> np.ndarray:
    """Return a (rows, cols, bands) view of a cube stored in any axis order.

    ``order`` is one of :data:`AXIS_ORDERS`; "auto" recognises it
    (:func:`resolve_axis_order`). A 2-D array is one band; axes of length 1 of a
    higher-dimensional array are dropped.
    """
    if array.ndim == 2:
        log(f"The array is 2-D ({array.shape[0]} x {array.shape[1]}): written as one band.")
        return array[:, :, np.newaxis]
    if array.ndim != 3:
        squeezed = array.reshape([s for s in array.shape if s != 1])
        if squeezed.ndim not in (2, 3):
            raise CrnnError(f"The cube must be a 3-D array (rows, columns, bands); this one "
                            f"has shape {array.shape}.")
        return orient_cube(squeezed, log, order, ground_truth_shape)
    order = resolve_axis_order(array.shape, normalise_axis_order(order),
                               ground_truth_shape=ground_truth_shape, log=log)
    return array.transpose(axis_permutation(order))


# --- HDF5 / netCDF containers ---------------------------------------------------------

CONTAINER_EXTENSIONS = (".h5", ".he5", ".hdf5", ".hdf", ".nc", ".nc4", ".cdf")
_SUBDATASET = re.compile(r'^(?P<driver>HDF5|NETCDF):(?P<quoted>"(?P<qpath>[^"]+)"|'
                         r'(?P<path>[^:]+)):(?P<name>.+)$', re.IGNORECASE)


def parse_subdataset(text: str) -> Optional[Tuple[str, str]]:
    """``HDF5:"f.h5"://group/cube`` -> ("f.h5", "/group/cube"); ``NETCDF:"f.nc":var``
    -> ("f.nc", "var"); None for anything else."""
    match = _SUBDATASET.match((text or "").strip())
    if match is None:
        return None
    path = match.group("qpath") or match.group("path")
    name = match.group("name")
    if match.group("driver").upper() == "HDF5" and name.startswith("//"):
        name = name[1:]
    return path, name


def is_container(path: str) -> bool:
    """Whether ``path`` is an HDF5 / netCDF container (or a subdataset string of one)."""
    return (parse_subdataset(path) is not None
            or os.path.splitext(path)[1].lower() in CONTAINER_EXTENSIONS)


def _name_key(name: str) -> str:
    """Names compared as GDAL's subdataset strings write them (spaces as underscores)."""
    return name.strip().lstrip("/").replace(" ", "_").casefold()


@dataclass(frozen=True)
class ContainerArray:
    """One numeric array of a container: its full name, sizes and dimension names."""

    name: str  # e.g. "/HDFEOS/SWATHS/PRS_L2D_HCO/Data Fields/VNIR_Cube"
    shape: Tuple[int, ...]
    dimensions: Tuple[str, ...]
    kind: str  # GDAL's data type name

    def summary(self) -> Tuple[str, Tuple[int, ...], str]:
        return self.name, self.shape, self.kind


class Container:
    """An HDF5 / netCDF file opened with GDAL's multidimensional API (never h5py)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.label = os.path.basename(path)
        if not os.path.isfile(path):
            raise CrnnError(f"The file '{path}' does not exist.")
        with gdal_exceptions():
            try:
                self.dataset = gdal.OpenEx(path, gdal.OF_MULTIDIM_RASTER | gdal.OF_READONLY)
            except RuntimeError as error:
                raise CrnnError(f"Cannot open '{self.label}' as an HDF5 / netCDF file: "
                                f"{error}") from None
            if self.dataset is None:
                raise CrnnError(f"Cannot open '{self.label}' as an HDF5 / netCDF file.")
            self.root = self.dataset.GetRootGroup()
            self.arrays: List[ContainerArray] = []
            self._walk(self.root)
            self.attributes = {attribute.GetName(): attribute
                               for attribute in self.root.GetAttributes() or []}

    def _walk(self, group) -> None:
        for name in group.GetMDArrayNames() or []:
            array = group.OpenMDArray(name)
            kind = array.GetDataType()
            if kind.GetClass() != gdal.GEDTC_NUMERIC:
                continue
            dimensions = array.GetDimensions()
            self.arrays.append(ContainerArray(
                array.GetFullName(), tuple(int(d.GetSize()) for d in dimensions),
                tuple(d.GetName() for d in dimensions),
                gdal.GetDataTypeName(kind.GetNumericDataType())))
        for name in group.GetGroupNames() or []:
            self._walk(group.OpenGroup(name))

    def listing(self, ndim: int = 3) -> str:
        return _describe([a.summary() for a in self.arrays if len(a.shape) == ndim])

    def find(self, wanted: str, role: str = "cube") -> ContainerArray:
        """The array named ``wanted``: its full name, its last part, or a subdataset
        string; spaces and underscores alike (GDAL writes spaces as underscores)."""
        subdataset = parse_subdataset(wanted)
        key = _name_key(subdataset[1] if subdataset else wanted)
        exact = [a for a in self.arrays if _name_key(a.name) == key]
        if exact:
            return exact[0]
        tails = [a for a in self.arrays if _name_key(a.name).rsplit("/", 1)[-1] == key]
        if len(tails) == 1:
            return tails[0]
        if len(tails) > 1:
            raise CrnnError(f"Several arrays of '{self.label}' are named '{wanted}': "
                            f"{_describe([a.summary() for a in tails])}. Give the full name.")
        raise CrnnError(f"The {role} variable '{wanted}' is not in '{self.label}'. Its "
                        f"arrays are: {_describe([a.summary() for a in self.arrays])}.")

    def choose_cube(self, wanted: Optional[str]) -> ContainerArray:
        """The named array, or the only 3-D one; several are refused with their list."""
        if wanted:
            chosen = self.find(wanted)
            if len(chosen.shape) not in (2, 3):
                raise CrnnError(f"'{chosen.name}' of '{self.label}' is "
                                f"{len(chosen.shape)}-D: the cube must be a 3-D array.")
            return chosen
        cubes = [a for a in self.arrays if len(a.shape) == 3]
        if len(cubes) == 1:
            return cubes[0]
        if not cubes:
            raise CrnnError(f"'{self.label}' has no 3-D array for the cube. Its arrays are: "
                            f"{_describe([a.summary() for a in self.arrays])}.")
        raise CrnnError(f"'{self.label}' holds {len(cubes)} 3-D arrays: {self.listing()}. "
                        "Name the one to import with VARIABLE (or give its subdataset as "
                        "INPUT).")

    def open(self, name: str):
        return self.root.OpenMDArrayFromFullname(name)

    def attribute(self, name: str) -> Optional[np.ndarray]:
        """A numeric root attribute as a 1-D float array (None where it is missing)."""
        attribute = self.attributes.get(name)
        if attribute is None or attribute.GetDataType().GetClass() != gdal.GEDTC_NUMERIC:
            return None
        with gdal_exceptions():
            return np.asarray(attribute.ReadAsDoubleArray(), dtype=np.float64).ravel()

    def number(self, name: str) -> Optional[float]:
        values = self.attribute(name)
        return float(values[0]) if values is not None and values.size == 1 else None

    def read(self, array: ContainerArray) -> np.ndarray:
        with gdal_exceptions():
            try:
                return np.asarray(self.open(array.name).ReadAsArray())
            except RuntimeError as error:
                raise CrnnError(f"Cannot read '{array.name}' of '{self.label}': "
                                f"{error}") from None


class LazyCube:
    """A 3-D container array read a strip of rows at a time as (rows, cols, bands).

    ``bands`` picks (and orders) bands of the stored array; all by default.
    """

    def __init__(self, container: Container, array: ContainerArray, order: str,
                 bands: Optional[Sequence[int]] = None) -> None:
        self.container, self.array, self.order = container, array, order
        self.permutation = axis_permutation(order)
        rows, cols, count = (array.shape[i] for i in self.permutation)
        self.bands = None if bands is None else np.asarray(bands, dtype=np.int64)
        self.shape = (rows, cols, count if bands is None else len(self.bands))
        self.dtype = self.rows(0, 1).dtype if rows else np.dtype(np.float32)

    def rows(self, start: int, stop: int) -> np.ndarray:
        stop = min(stop, self.shape[0])
        row_axis = self.permutation[0]
        starts = [0, 0, 0]
        counts = list(self.array.shape)
        starts[row_axis], counts[row_axis] = start, stop - start
        with gdal_exceptions():
            try:
                block = self.container.open(self.array.name).ReadAsArray(
                    array_start_idx=starts, count=counts)
            except RuntimeError as error:
                raise CrnnError(f"Cannot read '{self.array.name}' of "
                                f"'{self.container.label}': {error}") from None
        block = np.asarray(block).transpose(self.permutation)
        return block if self.bands is None else block[:, :, self.bands]


class StackedCube:
    """Cubes of the same rows and columns side by side, bands in a given order."""

    def __init__(self, parts: Sequence[LazyCube], order: Sequence[int]) -> None:
        shapes = {part.shape[:2] for part in parts}
        if len(shapes) != 1:
            raise CrnnError("The cubes to join differ in size: "
                            f"{', '.join(f'{r} x {c}' for r, c in sorted(shapes))} pixels.")
        self.parts, self.order = list(parts), np.asarray(order, dtype=np.int64)
        rows, cols = shapes.pop()
        self.shape = (rows, cols, len(self.order))
        self.dtype = np.result_type(*[part.dtype for part in self.parts])

    def rows(self, start: int, stop: int) -> np.ndarray:
        block = np.concatenate([part.rows(start, stop).astype(self.dtype, copy=False)
                                for part in self.parts], axis=2)
        return block[:, :, self.order]


def _container_bands(container: Container, array: ContainerArray, order: str) -> List[BandInfo]:
    """Wavelengths from the band dimension's coordinate variable (netCDF convention,
    with its ``units``), scale / offset / nodata from the array's own attributes."""
    md = container.open(array.name)
    band_axis = axis_permutation(order)[2]
    count = array.shape[band_axis]
    wavelengths: List[Optional[float]] = [None] * count
    with gdal_exceptions():
        dimension = md.GetDimensions()[band_axis]
        coordinate = dimension.GetIndexingVariable()
        if coordinate is not None:
            units = coordinate.GetUnit() or ""  # the netCDF "units" attribute
            values = np.asarray(coordinate.ReadAsArray(), dtype=np.float64).ravel()
            if values.size == count:
                wavelengths = [to_nanometres(float(v), units) for v in values]
        scale, offset = md.GetScale(), md.GetOffset()
        nodata = md.GetNoDataValueAsDouble()
    return [BandInfo(index=k + 1, wavelength=wavelengths[k],
                     scale=1.0 if scale in (None, 0.0) else float(scale),
                     offset=float(offset or 0.0),
                     nodata=None if nodata is None or np.isnan(nodata) else float(nodata))
            for k in range(count)]


# --- PRISMA L2 --------------------------------------------------------------------------

_PRISMA_CUBE = re.compile(r"^/HDFEOS/SWATHS/PRS_(?P<level>L[0-9][A-Z]?)_HCO/Data Fields/"
                          r"(?P<detector>VNIR|SWIR)_Cube$")
PRISMA_LAYOUT = "rows_bands_cols"
"""How PRISMA stores VNIR_Cube and SWIR_Cube (rows, bands, columns), tests/test_importcube_prisma.py
names the sources."""
PRISMA_DN_MAX = 65535.0


def prisma_cubes(container: Container) -> Dict[str, Tuple[ContainerArray, str]]:
    """Detector ("VNIR", "SWIR") -> (its cube, processing level) of a PRISMA product;
    empty for any other file."""
    if not any(name.startswith("List_Cw_") for name in container.attributes):
        return {}
    found = {}
    for array in container.arrays:
        match = _PRISMA_CUBE.match(array.name)
        if match is not None and len(array.shape) == 3:
            found[match.group("detector")] = (array, match.group("level"))
    return found


def _prisma_band_infos(container: Container, detector: str, level: str,
                       log: LogCallback) -> List[Tuple[int, BandInfo]]:
    """(position in the stored cube, band) of one detector's bands with a wavelength."""
    tag = detector.capitalize()  # Vnir, Swir
    centres = container.attribute(f"List_Cw_{tag}")
    if centres is None:
        raise CrnnError(f"'{container.label}' has no List_Cw_{tag}: the {detector} band "
                        "wavelengths are missing.")
    flags = container.attribute(f"List_Cw_{tag}_Flags")
    widths = container.attribute(f"List_Fwhm_{tag}")
    low, high = (container.number(f"L2Scale{tag}Min"), container.number(f"L2Scale{tag}Max"))
    scale, offset = 1.0, 0.0
    if level.startswith("L2") and low is not None and high is not None:
        scale, offset = (high - low) / PRISMA_DN_MAX, low
        log(f"PRISMA {level} {detector}: reflectance = {low:g} + DN x ({high:g} - {low:g}) / "
            "65535, stored as each band's scale and offset.")
    else:
        log(f"PRISMA {level} {detector}: no L2ScaleMin/Max: the values are written as "
            "stored.")
    kept, dropped = [], 0
    for position, centre in enumerate(centres):
        if not centre > 0:
            dropped += 1
            continue
        width = widths[position] if widths is not None and position < widths.size else None
        bad = bool(flags is not None and position < flags.size and flags[position] == 0)
        kept.append((position, BandInfo(
            index=0, wavelength=float(centre),
            fwhm=float(width) if width is not None and width > 0 else None, bad=bad,
            scale=scale, offset=offset, nodata=0.0 if level.startswith("L2") else None,
            description=f"PRISMA {detector} {position + 1}")))
    if dropped:
        log(f"PRISMA {detector}: {dropped} band slots without a wavelength are left out.")
    return kept


def _prisma_grid(container: Container, rows: int, cols: int
                 ) -> Tuple[Optional[Tuple[float, ...]], str]:
    """The L2D grid: (geotransform, "EPSG:n") from Epsg_Code and the corner attributes
    (taken as pixel centres); (None, "") where they are missing."""
    code = container.number("Epsg_Code")
    corners = [container.number(f"Product_{corner}corner_{axis}")
               for corner, axis in (("UL", "easting"), ("UL", "northing"),
                                    ("LR", "easting"), ("LR", "northing"))]
    if code is None or any(value is None for value in corners) or rows < 2 or cols < 2:
        return None, ""
    west, north, east, south = corners
    width, height = (east - west) / (cols - 1), (north - south) / (rows - 1)
    if width <= 0 or height <= 0:
        return None, ""
    return (west - width / 2, width, 0.0, north + height / 2, 0.0, -height), f"EPSG:{int(code)}"


@dataclass
class _Cube:
    """What is written: the cube (an array or a lazy reader), its bands, and its grid
    where the file has its own."""

    data: object  # np.ndarray (rows, cols, bands), LazyCube or StackedCube
    name: str
    bands: List[BandInfo] = field(default_factory=list)
    geotransform: Optional[Tuple[float, ...]] = None
    crs: str = ""


def _prisma_cube(container: Container, cubes: Dict[str, Tuple[ContainerArray, str]],
                 detectors: Sequence[str], axis_order: str, log: LogCallback) -> _Cube:
    parts, entries = [], []
    for detector in detectors:
        array, level = cubes[detector]
        kept = _prisma_band_infos(container, detector, level, log)
        count = len(container.attribute(f"List_Cw_{detector.capitalize()}"))
        known = ((PRISMA_LAYOUT, "as PRISMA stores its cubes")
                 if array.shape[1] == count else None)
        order = resolve_axis_order(array.shape, axis_order, array.dimensions,
                                   band_count=count, known=known, log=log)
        stored = array.shape[axis_permutation(order)[2]]
        if stored != count:
            raise CrnnError(f"{array.name} has {stored} bands but List_Cw_"
                            f"{detector.capitalize()} lists {count} wavelengths.")
        part = len(parts)
        parts.append(LazyCube(container, array, order, [p for p, _ in kept]))
        entries += [(part, k, info) for k, (_, info) in enumerate(kept)]
    # output bands by wavelength; a stable sort keeps VNIR before SWIR where both overlap
    offsets = np.cumsum([0] + [part.shape[2] for part in parts])
    entries.sort(key=lambda entry: entry[2].wavelength)
    order = [int(offsets[part]) + k for part, k, _ in entries]
    bands = [replace(info, index=n) for n, (_, _, info) in enumerate(entries, start=1)]
    stacked = StackedCube(parts, order)
    geotransform, crs = _prisma_grid(container, stacked.shape[0], stacked.shape[1])
    level = cubes[detectors[0]][1]
    log(f"PRISMA {level}: {' + '.join(detectors)}, {len(bands)} bands sorted by wavelength "
        f"({bands[0].wavelength:g}-{bands[-1].wavelength:g} nm), "
        f"{sum(b.bad for b in bands)} flagged unusable.")
    return _Cube(stacked, f"{' + '.join(detectors)} of {container.label}", bands,
                 geotransform, crs)


def _container_cube(path: str, variable: Optional[str], axis_order: str,
                    ground_truth_shape: Optional[Tuple[int, int]], log: LogCallback) -> _Cube:
    """The cube of an HDF5 / netCDF file (``path`` may be a subdataset string)."""
    subdataset = parse_subdataset(path)
    if subdataset is not None:
        path, named = subdataset
        if variable and _name_key(variable) != _name_key(named):
            log(f"INPUT names the subdataset '{named}': VARIABLE '{variable}' is ignored.")
        variable = named
    container = Container(path)
    log(f"'{container.label}' holds the 3-D arrays: {container.listing()}.")
    cubes = prisma_cubes(container)
    if cubes:
        chosen = container.find(variable) if variable else None
        if chosen is None:
            return _prisma_cube(container, cubes, [d for d in ("VNIR", "SWIR") if d in cubes],
                                axis_order, log)
        named = [d for d, (array, _) in cubes.items() if array.name == chosen.name]
        if named:
            return _prisma_cube(container, cubes, named, axis_order, log)
    array = container.choose_cube(variable)
    if len(array.shape) == 2:
        return _Cube(container.read(array)[:, :, np.newaxis], array.name)
    order = resolve_axis_order(array.shape, axis_order, array.dimensions,
                               ground_truth_shape, log=log)
    bands = _container_bands(container, array, order)
    cube = LazyCube(container, array, order)
    if not any(b.wavelength is not None or b.scaled or b.nodata is not None for b in bands):
        bands = []
    return _Cube(cube, array.name, bands)


def _container_labels(path: str, variable: Optional[str], shape: Tuple[int, int]
                      ) -> Tuple[np.ndarray, str]:
    """A ground truth from a container: the named 2-D array, or the one of the cube's
    rows and columns."""
    subdataset = parse_subdataset(path)
    if subdataset is not None:
        path, variable = subdataset
    container = Container(path)
    if variable:
        array = container.find(variable, "ground truth")
    else:
        name = choose_variable([a.summary() for a in container.arrays], None, 2, path,
                               "ground truth", shape)
        array = container.find(name, "ground truth")
    return container.read(array), array.name


# --- data types -----------------------------------------------------------------------

_GDAL_TYPES = {
    np.dtype(np.uint8): gdal.GDT_Byte,
    np.dtype(np.uint16): gdal.GDT_UInt16,
    np.dtype(np.int16): gdal.GDT_Int16,
    np.dtype(np.uint32): gdal.GDT_UInt32,
    np.dtype(np.int32): gdal.GDT_Int32,
    np.dtype(np.float32): gdal.GDT_Float32,
    np.dtype(np.float64): gdal.GDT_Float64,
}


def _smallest_integer_type(low: int, high: int) -> Optional[np.dtype]:
    for dtype in (np.uint8, np.int16, np.uint16, np.int32, np.uint32):
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return np.dtype(dtype)
    return None


def _direct_type(dtype: np.dtype) -> Optional[np.dtype]:
    """The GeoTIFF data type of ``dtype`` where its values need no look (None: they do)."""
    dtype = np.dtype(dtype)
    if dtype in _GDAL_TYPES:
        return dtype
    return {np.dtype(np.bool_): np.dtype(np.uint8), np.dtype(np.int8): np.dtype(np.int16),
            np.dtype(np.float16): np.dtype(np.float32)}.get(dtype)


def storage_type(array: np.ndarray, log: LogCallback = _no_log) -> np.dtype:
    """The GeoTIFF data type for an array: its own where GDAL has it, integers kept
    integer (int8 -> Int16; 64-bit integers -> the smallest 32-bit type holding them)."""
    dtype = array.dtype
    direct = _direct_type(dtype)
    if direct is not None:
        return direct
    if dtype.kind in "iu":
        low, high = (int(array.min()), int(array.max())) if array.size else (0, 0)
        chosen = _smallest_integer_type(low, high)
        if chosen is None:
            log(f"Values {low}..{high} do not fit a 32-bit integer: written as Float64.")
            return np.dtype(np.float64)
        log(f"{dtype} array stored as {chosen} (values {low}..{high}).")
        return chosen
    raise CrnnError(f"Arrays of type {dtype} cannot be written to a GeoTIFF: convert the "
                    "cube to an integer or float type.")


# --- staging outputs ------------------------------------------------------------------


def _check_cancel(is_cancelled: Optional[CancelCheck]) -> None:
    if is_cancelled is not None and is_cancelled():
        raise CancelledError("The import was cancelled; no file was written.")


# --- writing --------------------------------------------------------------------------


def _lazy_storage_type(dtype: np.dtype, log: LogCallback) -> np.dtype:
    """The GeoTIFF type of a container array read in strips (no pass over its values)."""
    direct = _direct_type(dtype)
    if direct is not None:
        return direct
    if np.dtype(dtype).kind in "iuf":
        log(f"{dtype} values are written as Float64.")
        return np.dtype(np.float64)
    raise CrnnError(f"Arrays of type {dtype} cannot be written to a GeoTIFF.")


def write_cube(path: str, cube, placement: Placement,
               log: LogCallback = _no_log, progress: Optional[ProgressCallback] = None,
               is_cancelled: Optional[CancelCheck] = None,
               bands: Sequence[BandInfo] = (),
               geotransform: Optional[Sequence[float]] = None) -> None:
    """Write a (rows, cols, bands) cube as a tiled, compressed GeoTIFF, a strip of tile
    rows at a time, bands described "Band N".

    ``cube`` is an array or a :class:`LazyCube` / :class:`StackedCube` (read a strip at
    a time). ``bands``: their wavelength, FWHM, bad-band flag, scale, offset and nodata,
    written as band metadata (models/rasters/bands.py). ``geotransform``: the file's own grid,
    instead of the placement's.
    """
    rows, cols, count = cube.shape
    lazy = hasattr(cube, "rows")
    dtype = _lazy_storage_type(cube.dtype, log) if lazy else storage_type(cube, log)
    predictor = "3" if dtype.kind == "f" else "2"
    with gdal_exceptions(), staged(path) as temporary, writing(gdal.GetDriverByName(
            "GTiff").Create(temporary, cols, rows, count, _GDAL_TYPES[dtype],
                            options=CUBE_OPTIONS + [f"PREDICTOR={predictor}"]), path) as dataset:
        dataset.SetGeoTransform(tuple(geotransform) if geotransform is not None
                                else placement.geotransform())
        srs = placement.spatial_reference()
        if srs is not None:
            dataset.SetSpatialRef(srs)
        for index in range(count):
            dataset.GetRasterBand(index + 1).SetDescription(f"Band {index + 1}")
        if bands:
            write_band_metadata(dataset, bands)
            nodata = {band.nodata for band in bands if band.nodata is not None}
            if len(nodata) == 1:  # GeoTIFF keeps one nodata value for all bands
                value = nodata.pop()
                for index in range(count):
                    dataset.GetRasterBand(index + 1).SetNoDataValue(value)
        for start in range(0, rows, STRIP_ROWS):
            _check_cancel(is_cancelled)
            strip = (cube.rows(start, start + STRIP_ROWS) if lazy
                     else np.asarray(cube[start : start + STRIP_ROWS]))
            dataset.WriteArray(np.ascontiguousarray(strip.transpose(2, 0, 1), dtype=dtype),
                               0, start)
            if progress is not None:
                progress(min(1.0, (start + STRIP_ROWS) / rows))


def copy_raster(source_path: str, path: str, placement: Optional[Placement],
                log: LogCallback = _no_log, progress: Optional[ProgressCallback] = None,
                is_cancelled: Optional[CancelCheck] = None,
                source: Optional[gdal.Dataset] = None,
                ) -> Tuple[Tuple[int, int, int], List[BandInfo]]:
    """Copy any GDAL raster (ENVI, GeoTIFF, ...) to the same compressed GeoTIFF layout.

    Its own georeferencing is kept; ``placement`` is used where it has none, and its
    CRS (when set) is assigned in any case (no reprojection). Each band's wavelength,
    FWHM, bad-band flag, scale and offset, wherever the source keeps them
    (:func:`read_band_info`: ENVI header, GDAL metadata, EnMAP METADATA.XML, ...), are
    written as band metadata in the EnMAP-Box convention. Returns ((rows, cols, bands),
    the bands as written).
    """
    if source is None:
        source = open_source_raster(source_path)
    rows, cols, count = source.RasterYSize, source.RasterXSize, source.RasterCount
    has_geotransform = source.GetGeoTransform(can_return_null=True) is not None
    kind = source.GetRasterBand(1).DataType
    predictor = "3" if kind in (gdal.GDT_Float32, gdal.GDT_Float64) else "2"
    with gdal_exceptions():
        bands = read_band_info(source, source_path)

    def callback(fraction, message, data):
        if progress is not None:
            progress(fraction)
        return 0 if is_cancelled is not None and is_cancelled() else 1

    with gdal_exceptions(), staged(path) as temporary:
        try:
            copied = gdal.Translate(temporary, source, format="GTiff",
                                    creationOptions=CUBE_OPTIONS + [f"PREDICTOR={predictor}"],
                                    callback=callback)
        except RuntimeError as error:
            _check_cancel(is_cancelled)
            raise CrnnError(f"Cannot copy '{source_path}' to GeoTIFF: {error}") from None
        with writing(copied, path):
            _check_cancel(is_cancelled)
            if not has_geotransform and placement is not None:
                copied.SetGeoTransform(placement.geotransform())
                log("The raster has no georeferencing: placed with the given origin and pixel "
                    "size.")
            if placement is not None and placement.crs_wkt:
                copied.SetSpatialRef(placement.spatial_reference())
                if source.GetSpatialRef() is not None:
                    log("The given CRS replaces the raster's own (assigned, not reprojected).")
            write_band_metadata(copied, bands)
            if any(band.wavelength is not None for band in bands):
                # the ENVI driver's dataset-wide units (micrometres, ...) no longer apply
                copied.SetMetadataItem("wavelength_units", "Nanometers")
            for index in range(count):
                band = copied.GetRasterBand(index + 1)
                if not band.GetDescription():
                    band.SetDescription(f"Band {index + 1}")
    _log_band_metadata(bands, log)
    return (rows, cols, count), bands


def _log_band_metadata(bands: Sequence[BandInfo], log: LogCallback) -> None:
    known = [band for band in bands if band.wavelength is not None]
    if not known:
        log("The bands have no wavelengths: written by number only.")
        return
    parts = [f"{len(known)} of {len(bands)} bands with wavelengths "
             f"({min(b.wavelength for b in known):g}-{max(b.wavelength for b in known):g} nm)"]
    with_fwhm = sum(band.fwhm is not None for band in bands)
    if with_fwhm:
        parts.append(f"{with_fwhm} with FWHM")
    bad = sum(band.bad for band in bands)
    if bad:
        parts.append(f"{bad} flagged bad")
    scaled = sum(band.scaled for band in bands)
    if scaled:
        parts.append(f"{scaled} with a scale factor or offset")
    log("Band metadata written: " + ", ".join(parts) + ".")


def open_source_raster(path: str) -> gdal.Dataset:
    """Open a raster GDAL can read: a file, a GDAL subdataset string (``HDF4_SDS:...``),
    or for an ENVI header (.hdr) its data file."""
    if path.lower().endswith(".hdr"):
        stem = path[:-4]
        candidates = [c for c in [stem] + [stem + ext for ext in (
            ".img", ".dat", ".raw", ".bsq", ".bil", ".bip")] if os.path.isfile(c)]
    elif os.path.isfile(path) or ":" in path:
        candidates = [path]
    else:
        candidates = []
    for candidate in candidates:
        with gdal_exceptions():
            try:
                dataset = gdal.OpenEx(candidate, gdal.OF_RASTER | gdal.OF_READONLY)
            except RuntimeError:
                continue
        if dataset is not None:
            return dataset
    raise CrnnError(f"Cannot open '{path}' as a raster: use a .mat, .npy or .npz array, an "
                    "HDF5 / netCDF file, or a file GDAL reads (ENVI: the data file or its "
                    ".hdr).")


def label_names(n_classes: int, names: Sequence[str], log: LogCallback = _no_log) -> List[str]:
    """Names of classes 1..K: the given ones in order, "Class N" for the rest."""
    names = [name.strip() for name in names]
    if names and len(names) < n_classes:
        log(f"{len(names)} class names for {n_classes} classes: classes "
            f"{len(names) + 1}..{n_classes} are named 'Class N'.")
    if len(names) > n_classes:
        log(f"{len(names)} class names for {n_classes} classes: the last "
            f"{len(names) - n_classes} are not used.")
    return [names[i] if i < len(names) and names[i] else f"Class {i + 1}"
            for i in range(n_classes)]


def as_labels(array: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
    """A ground-truth array as non-negative integers of the cube's rows and columns."""
    labels = np.asarray(array)
    if labels.ndim > 2:
        labels = labels.reshape([s for s in labels.shape if s != 1] or [1])
    if labels.ndim != 2:
        raise CrnnError(f"The ground truth must be a 2-D array of class ids; this one has "
                        f"shape {np.asarray(array).shape}.")
    if labels.shape != tuple(shape):
        if labels.shape == tuple(shape)[::-1]:
            hint = " (it looks transposed: check how it was saved)"
        else:
            hint = ""
        raise CrnnError(f"The ground truth is {labels.shape[0]} x {labels.shape[1]} but the "
                        f"cube is {shape[0]} x {shape[1]} pixels{hint}. Use the ground truth "
                        "of this cube.")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
            raise CrnnError("The ground truth holds non-integer values: it must hold class "
                            "ids (0 = unlabelled).")
    elif labels.dtype.kind not in "iub":
        raise CrnnError(f"The ground truth has type {labels.dtype}: it must hold integer "
                        "class ids (0 = unlabelled).")
    if labels.size and labels.min() < 0:
        raise CrnnError("The ground truth holds negative values: class ids must be 0 "
                        "(unlabelled) or positive.")
    return labels.astype(np.int64)


def write_labels(path: str, labels: np.ndarray, geotransform: Sequence[float],
                 srs: Optional[osr.SpatialReference], class_names: Sequence[str]) -> None:
    """Write a label raster in the smallest unsigned type, nodata 0, colour table (for
    Byte and UInt16) and category names ("Unlabelled" for 0)."""
    high = int(labels.max()) if labels.size else 0
    dtype = np.uint8 if high <= 255 else np.uint16 if high <= 65535 else np.uint32
    rows, cols = labels.shape
    with gdal_exceptions(), staged(path) as temporary, writing(gdal.GetDriverByName(
            "GTiff").Create(temporary, cols, rows, 1, _GDAL_TYPES[np.dtype(dtype)],
                            options=LABEL_OPTIONS), path) as dataset:
        dataset.SetGeoTransform(tuple(geotransform))
        if srs is not None:
            dataset.SetSpatialRef(srs)
        band = dataset.GetRasterBand(1)
        band.SetDescription("Ground truth")
        # class value k is the k-th class: the palette's k-th colour
        style_class_band(band, [ClassInfo(value, name, class_colour(value - 1)) for value, name
                                in enumerate(class_names, start=1)], 0, "Unlabelled")
        band.WriteArray(labels.astype(dtype))


def polygonise_labels(label_path: str, path: str, class_names: Sequence[str],
                      is_cancelled: Optional[CancelCheck] = None) -> int:
    """Polygons of the label raster's class regions (0 left out), with fields
    ``class_id`` (integer) and ``class`` (name). Returns the number of polygons."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in VECTOR_DRIVERS:
        raise CrnnError(f"Cannot write polygons to '{os.path.basename(path)}': use one of "
                        f"{', '.join(sorted(VECTOR_DRIVERS))} (GeoPackage recommended).")

    def callback(fraction, message, data):
        return 0 if is_cancelled is not None and is_cancelled() else 1

    with gdal_exceptions():
        labels = gdal.Open(label_path)
        band = labels.GetRasterBand(1)
        srs = labels.GetSpatialRef()
        memory = memory_vector_driver().CreateDataSource("regions")
        regions = memory.CreateLayer("regions", srs=srs, geom_type=ogr.wkbPolygon)
        regions.CreateField(ogr.FieldDefn("class_id", ogr.OFTInteger))
        try:
            gdal.Polygonize(band, band.GetMaskBand(), regions, 0, [], callback=callback)
        except RuntimeError as error:
            _check_cancel(is_cancelled)
            raise CrnnError(f"Polygonising the ground truth failed: {error}") from None
        _check_cancel(is_cancelled)
        with staged(path) as temporary:
            driver = ogr.GetDriverByName(VECTOR_DRIVERS[extension])
            with writing(driver.CreateDataSource(temporary), path) as source:
                name = POLYGON_LAYER if extension == ".gpkg" else os.path.splitext(
                    os.path.basename(path))[0]
                layer = source.CreateLayer(name, srs=srs, geom_type=ogr.wkbPolygon)
                layer.CreateField(ogr.FieldDefn("class_id", ogr.OFTInteger))
                text = ogr.FieldDefn("class", ogr.OFTString)
                layer.CreateField(text)
                definition = layer.GetLayerDefn()
                count = 0
                layer.StartTransaction()
                for region in regions:
                    value = region.GetField("class_id")
                    feature = ogr.Feature(definition)
                    feature.SetField("class_id", value)
                    feature.SetField("class", class_names[value - 1]
                                     if 1 <= value <= len(class_names) else f"Class {value}")
                    feature.SetGeometry(region.GetGeometryRef())
                    layer.CreateFeature(feature)
                    count += 1
                layer.CommitTransaction()
    return count


# --- the whole import -----------------------------------------------------------------


def _subdatasets_cube(source: gdal.Dataset, path: str, variable: Optional[str],
                      axis_order: str, truth_shape: Optional[Tuple[int, int]],
                      log: LogCallback) -> _Cube:
    """A raster of no bands but subdatasets (an HDF5 / netCDF file of another name): read
    as a container where GDAL's multidimensional API opens it, else the subdatasets are
    listed for the user to choose one."""
    subdatasets = source.GetSubDatasets() or []
    if not subdatasets:
        raise CrnnError(f"'{os.path.basename(path)}' has no raster bands.")
    try:
        return _container_cube(path, variable, axis_order, truth_shape, log)
    except CrnnError as error:
        if os.path.isfile(path) and "Cannot open" not in str(error):
            raise
    listing = "; ".join(f"{name} ({description})" for name, description in subdatasets)
    raise CrnnError(f"'{os.path.basename(path)}' is a container of subdatasets: give one as "
                    f"INPUT. Its subdatasets: {listing}.")


@dataclass
class ImportResult:
    shape: Tuple[int, int, int]  # rows, cols, bands
    cube_variable: str
    ground_truth_variable: Optional[str] = None
    classes: List[int] = field(default_factory=list)  # class values present
    class_names: List[str] = field(default_factory=list)  # names of values 1..K
    polygons: int = 0
    bands: List[BandInfo] = field(default_factory=list)  # the written bands' metadata


def _ground_truth_shape(path: Optional[str], variable: Optional[str]
                        ) -> Optional[Tuple[int, int]]:
    """The ground truth's rows and columns where they can be known before the cube is
    read (a hint for the cube's axis order); None where that is not plain."""
    if not path:
        return None
    try:
        if is_array_file(path):
            if path.lower().endswith(".npy") or variable:
                shape = read_array(path, variable, 2, "ground truth").array.shape
            else:
                with contextlib.ExitStack() as stack:
                    if path.lower().endswith(".npz"):
                        archive = stack.enter_context(_open_npz(path))
                        listing = _npz_variables(archive)
                    else:
                        listing = _mat_variables(path)
                flat = [shape for _, shape, _ in listing if len(shape) == 2]
                shape = flat[0] if len(flat) == 1 else ()
        elif is_container(path):
            subdataset = parse_subdataset(path)
            container = Container(subdataset[0] if subdataset else path)
            wanted = subdataset[1] if subdataset else variable
            if wanted:
                shape = container.find(wanted, "ground truth").shape
            else:
                flat = [a.shape for a in container.arrays if len(a.shape) == 2]
                shape = flat[0] if len(flat) == 1 else ()
        else:
            dataset = open_source_raster(path)
            shape = (dataset.RasterYSize, dataset.RasterXSize)
    except CrnnError:
        return None  # the ground truth's own reading says what is wrong with it
    squeezed = [int(size) for size in shape if size != 1]
    return (squeezed[0], squeezed[1]) if len(squeezed) == 2 else None


def _read_cube(input_path: str, variable: Optional[str], axis_order: str,
               ground_truth_shape: Optional[Tuple[int, int]], log: LogCallback
               ) -> Optional[_Cube]:
    """The cube of an array file or container; None for a raster GDAL copies itself."""
    if is_array_file(input_path):
        loaded = read_array(input_path, variable, 3, "cube")
        return _Cube(orient_cube(loaded.array, log, axis_order, ground_truth_shape),
                     loaded.name)
    if is_container(input_path):
        return _container_cube(input_path, variable, axis_order, ground_truth_shape, log)
    return None


def import_cube(
    input_path: str,
    output_path: str,
    placement: Placement,
    variable: Optional[str] = None,
    ground_truth_path: Optional[str] = None,
    ground_truth_variable: Optional[str] = None,
    class_names: Sequence[str] = (),
    labels_path: Optional[str] = None,
    polygons_path: Optional[str] = None,
    log: LogCallback = _no_log,
    progress: Optional[ProgressCallback] = None,
    is_cancelled: Optional[CancelCheck] = None,
    axis_order: str = "auto",
) -> ImportResult:
    """Import a cube (and its ground truth) as GIS files.

    Args:
        input_path: .mat (v4-v7), .npy, .npz, an HDF5 / netCDF file (or a GDAL
            subdataset string of one), or any raster GDAL reads (copied through with its
            own georeferencing and band metadata).
        output_path: the GeoTIFF cube.
        placement: pixel size, top-left corner and CRS for arrays (and rasters without
            georeferencing).
        variable: the cube's variable in a .mat/.npz (default: the largest 3-D array) or
            its array in a container (default: the only 3-D array; a PRISMA product:
            its VNIR and SWIR cubes).
        ground_truth_path: optional .mat/.npy/.npz/container/raster of class ids
            (0 = unlabelled), same rows and columns as the cube.
        ground_truth_variable: its variable (default: the 2-D array of the cube's size).
        class_names: names of classes 1..K (default "Class N").
        labels_path: where to write the label raster (a temporary file is used for the
            polygons when only ``polygons_path`` is given).
        polygons_path: where to write the class-region polygons.
        log: receives messages for the user.
        progress: receives the fraction done.
        is_cancelled: polled; raises ``CancelledError`` (nothing is left behind).
        axis_order: how a 3-D array's axes are stored, one of :data:`AXIS_ORDERS`
            ("auto" recognises it, else refuses with a message).
    """
    axis_order = normalise_axis_order(axis_order)
    report = progress or (lambda fraction: None)
    has_labels = bool(ground_truth_path)
    cube_share = 0.7 if has_labels else 1.0

    def cube_progress(fraction: float) -> None:
        report(cube_share * fraction)

    truth_shape = (_ground_truth_shape(ground_truth_path, ground_truth_variable)
                   if axis_order == "auto" else None)
    source = None
    cube = _read_cube(input_path, variable, axis_order, truth_shape, log)
    if cube is None:
        source = open_source_raster(input_path)
        if source.RasterCount == 0:
            cube = _subdatasets_cube(source, input_path, variable, axis_order, truth_shape,
                                     log)
    if cube is not None:
        target = placement
        if cube.crs and not placement.crs_wkt:
            target = replace(placement, crs_wkt=cube.crs)
        elif cube.crs:
            log("The given CRS replaces the file's own (assigned, not reprojected).")
        if cube.geotransform is not None:
            log("The file's own grid is kept (PIXEL_SIZE and the origin are not used).")
        write_cube(output_path, cube.data, target, log, cube_progress, is_cancelled,
                   cube.bands, cube.geotransform)
        shape = tuple(int(s) for s in cube.data.shape)
        name, bands = cube.name, cube.bands
        if bands:
            _log_band_metadata(bands, log)
    else:
        if variable:
            log("VARIABLE is ignored for a raster file.")
        if axis_order != "auto":
            log("AXIS_ORDER is ignored for a raster file: GDAL knows its layout.")
        shape, bands = copy_raster(input_path, output_path, placement, log, cube_progress,
                                   is_cancelled, source)
        name = os.path.basename(input_path)
    result = ImportResult(shape=shape, cube_variable=name, bands=list(bands))
    if not has_labels:
        if labels_path or polygons_path:
            log("No ground truth given: no label raster or polygons are written.")
        report(1.0)
        return result

    _check_cancel(is_cancelled)
    if is_array_file(ground_truth_path):
        loaded = read_array(ground_truth_path, ground_truth_variable, 2, "ground truth",
                            shape_2d=shape[:2])
        labels = as_labels(loaded.array, shape[:2])
        result.ground_truth_variable = loaded.name
    elif is_container(ground_truth_path):
        array, name = _container_labels(ground_truth_path, ground_truth_variable, shape[:2])
        labels = as_labels(array, shape[:2])
        result.ground_truth_variable = name
    else:
        dataset = open_source_raster(ground_truth_path)
        labels = as_labels(read_block(dataset, ground_truth_path, 0, 0, dataset.RasterXSize,
                                      dataset.RasterYSize, [1])[0], shape[:2])
        dataset = None
        result.ground_truth_variable = os.path.basename(ground_truth_path)
    values = np.unique(labels)
    result.classes = [int(v) for v in values if v != 0]
    n_classes = int(labels.max()) if labels.size else 0
    result.class_names = label_names(n_classes, class_names, log)
    log(f"Ground truth: {len(result.classes)} classes, {int((labels > 0).sum())} labelled "
        "pixels.")
    # the label raster goes on the written cube's grid (a copied raster keeps its own)
    cube_dataset = gdal.Open(output_path)
    geotransform, srs = cube_dataset.GetGeoTransform(), cube_dataset.GetSpatialRef()
    cube_dataset = None
    with contextlib.ExitStack() as stack:
        target = labels_path
        if not target:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            target = os.path.join(folder, "labels.tif")
        write_labels(target, labels, geotransform, srs, result.class_names)
        report(0.8)
        if polygons_path:
            result.polygons = polygonise_labels(target, polygons_path, result.class_names,
                                                is_cancelled)
    report(1.0)
    return result

