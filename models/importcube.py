"""Bring a hyperspectral cube into GIS files: .mat / .npy / .npz / any GDAL raster -> GeoTIFF.

The classic benchmark scenes (Indian Pines, Pavia, Salinas, Houston, ...) come as
MATLAB or NumPy arrays without map coordinates. :func:`import_cube` writes the cube as
a tiled, DEFLATE-compressed GeoTIFF in the array's own data type, placed on a simple
grid (top-left corner at ``(origin_x, origin_y)``, square pixels, rows going down, i.e.
north-up; the CRS is optional), and a ground-truth array as a label raster (nodata 0,
colour table, class names) and as polygons of its class regions.

Array axes: the classic scenes are stored (rows, columns, bands), which is assumed;
when the first axis is strictly the smallest, the array is taken as (bands, rows,
columns) and a message says so. MATLAB v7.3 files are HDF5 and are refused with a
message saying how to re-save them.

Every output is written under a temporary name beside its destination and moved into
place only when complete, so a failure or a cancel never leaves a partial file.
This module uses numpy, scipy.io and GDAL/OGR/OSR only, never QGIS.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, ogr, osr

from .callbacks import CancelCheck, LogCallback, ProgressCallback
from .errors import CancelledError, CrnnError
from .files import (
    gdal_exceptions,
    memory_vector_driver,
    read_block,
    staged,
    style_class_band,
    writing,
)
from .modelfile import ClassInfo
from .palette import class_colour

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


def _npz_variables(archive) -> List[Tuple[str, Tuple[int, ...], str]]:
    variables = []
    for name in archive.files:
        array = archive[name]
        variables.append((name, array.shape, str(array.dtype)))
    return variables


@contextlib.contextmanager
def _open_npz(path: str):
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as error:
        raise CrnnError(f"Cannot read the NumPy archive '{path}': {error}") from None
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
            return LoadedArray(np.asarray(archive[name]), name)
    raise CrnnError(f"'{path}' is not a .mat, .npy or .npz file.")


def is_array_file(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in ARRAY_EXTENSIONS


def orient_cube(array: np.ndarray, log: LogCallback = _no_log) -> np.ndarray:
    """Return a (rows, cols, bands) view of a cube stored either way.

    (rows, cols, bands) is assumed; a first axis strictly smaller than both others is
    taken as the bands axis. A 2-D array is one band.
    """
    if array.ndim == 2:
        log(f"The array is 2-D ({array.shape[0]} x {array.shape[1]}): written as one band.")
        return array[:, :, np.newaxis]
    if array.ndim != 3:
        squeezed = array.reshape([s for s in array.shape if s != 1])
        if squeezed.ndim not in (2, 3):
            raise CrnnError(f"The cube must be a 3-D array (rows, columns, bands); this one "
                            f"has shape {array.shape}.")
        return orient_cube(squeezed, log)
    a, b, c = array.shape
    if a < b and a < c:
        log(f"The array is {a} x {b} x {c}; its first axis is the smallest, so it is read "
            f"as (bands, rows, columns): {a} bands of {b} x {c} pixels.")
        return array.transpose(1, 2, 0)
    log(f"The array is {a} x {b} x {c}, read as (rows, columns, bands): {c} bands of "
        f"{a} x {b} pixels.")
    return array


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


def storage_type(array: np.ndarray, log: LogCallback = _no_log) -> np.dtype:
    """The GeoTIFF data type for an array: its own where GDAL has it, integers kept
    integer (int8 -> Int16; 64-bit integers -> the smallest 32-bit type holding them)."""
    dtype = array.dtype
    if dtype in _GDAL_TYPES:
        return dtype
    if dtype == np.bool_:
        return np.dtype(np.uint8)
    if dtype == np.int8:
        return np.dtype(np.int16)
    if dtype == np.float16:
        return np.dtype(np.float32)
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


def write_cube(path: str, cube: np.ndarray, placement: Placement,
               log: LogCallback = _no_log, progress: Optional[ProgressCallback] = None,
               is_cancelled: Optional[CancelCheck] = None) -> None:
    """Write a (rows, cols, bands) array as a tiled, compressed GeoTIFF, a strip of tile
    rows at a time, bands described "Band N"."""
    rows, cols, bands = cube.shape
    dtype = storage_type(cube, log)
    predictor = "3" if dtype.kind == "f" else "2"
    with gdal_exceptions(), staged(path) as temporary, writing(gdal.GetDriverByName(
            "GTiff").Create(temporary, cols, rows, bands, _GDAL_TYPES[dtype],
                            options=CUBE_OPTIONS + [f"PREDICTOR={predictor}"]), path) as dataset:
        dataset.SetGeoTransform(placement.geotransform())
        srs = placement.spatial_reference()
        if srs is not None:
            dataset.SetSpatialRef(srs)
        for index in range(bands):
            dataset.GetRasterBand(index + 1).SetDescription(f"Band {index + 1}")
        for start in range(0, rows, STRIP_ROWS):
            _check_cancel(is_cancelled)
            strip = np.asarray(cube[start : start + STRIP_ROWS])
            dataset.WriteArray(np.ascontiguousarray(strip.transpose(2, 0, 1), dtype=dtype),
                               0, start)
            if progress is not None:
                progress(min(1.0, (start + STRIP_ROWS) / rows))


def copy_raster(source_path: str, path: str, placement: Optional[Placement],
                log: LogCallback = _no_log, progress: Optional[ProgressCallback] = None,
                is_cancelled: Optional[CancelCheck] = None) -> Tuple[int, int, int]:
    """Copy any GDAL raster (ENVI, HDF, ...) to the same compressed GeoTIFF layout.

    Its own georeferencing is kept; ``placement`` is used where it has none, and its
    CRS (when set) is assigned in any case (no reprojection). Returns (rows, cols, bands).
    """
    source = open_source_raster(source_path)
    rows, cols, bands = source.RasterYSize, source.RasterXSize, source.RasterCount
    has_geotransform = source.GetGeoTransform(can_return_null=True) is not None
    kind = source.GetRasterBand(1).DataType
    predictor = "3" if kind in (gdal.GDT_Float32, gdal.GDT_Float64) else "2"

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
            for index in range(bands):
                band = copied.GetRasterBand(index + 1)
                if not band.GetDescription():
                    band.SetDescription(f"Band {index + 1}")
    return rows, cols, bands


def open_source_raster(path: str) -> gdal.Dataset:
    """Open a raster GDAL can read; for an ENVI header (.hdr), its data file."""
    candidates = [path]
    if path.lower().endswith(".hdr"):
        stem = path[:-4]
        candidates = [stem] + [stem + ext for ext in (".img", ".dat", ".raw", ".bsq", ".bil",
                                                      ".bip")]
    for candidate in candidates:
        if not os.path.isfile(candidate):
            continue
        with gdal_exceptions():
            try:
                dataset = gdal.OpenEx(candidate, gdal.OF_RASTER | gdal.OF_READONLY)
            except RuntimeError:
                continue
        if dataset is not None:
            return dataset
    raise CrnnError(f"Cannot open '{path}' as a raster: use a .mat, .npy or .npz array, or a "
                    "file GDAL reads (ENVI: choose the data file next to the .hdr).")


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


@dataclass
class ImportResult:
    shape: Tuple[int, int, int]  # rows, cols, bands
    cube_variable: str
    ground_truth_variable: Optional[str] = None
    classes: List[int] = field(default_factory=list)  # class values present
    class_names: List[str] = field(default_factory=list)  # names of values 1..K
    polygons: int = 0


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
) -> ImportResult:
    """Import a cube (and its ground truth) as GIS files.

    Args:
        input_path: .mat (v4-v7), .npy, .npz, or any raster GDAL reads (copied through
            with its own georeferencing).
        output_path: the GeoTIFF cube.
        placement: pixel size, top-left corner and CRS for arrays (and rasters without
            georeferencing).
        variable: the cube's variable in a .mat/.npz (default: the largest 3-D array).
        ground_truth_path: optional .mat/.npy/.npz/raster of class ids (0 = unlabelled),
            same rows and columns as the cube.
        ground_truth_variable: its variable (default: the 2-D array of the cube's size).
        class_names: names of classes 1..K (default "Class N").
        labels_path: where to write the label raster (a temporary file is used for the
            polygons when only ``polygons_path`` is given).
        polygons_path: where to write the class-region polygons.
        log: receives messages for the user.
        progress: receives the fraction done.
        is_cancelled: polled; raises ``CancelledError`` (nothing is left behind).
    """
    report = progress or (lambda fraction: None)
    has_labels = bool(ground_truth_path)
    cube_share = 0.7 if has_labels else 1.0

    def cube_progress(fraction: float) -> None:
        report(cube_share * fraction)

    if is_array_file(input_path):
        loaded = read_array(input_path, variable, 3, "cube")
        cube = orient_cube(loaded.array, log)
        write_cube(output_path, cube, placement, log, cube_progress, is_cancelled)
        shape = tuple(int(s) for s in cube.shape)
        name = loaded.name
    else:
        if variable:
            log("VARIABLE is ignored for a raster file.")
        shape = copy_raster(input_path, output_path, placement, log, cube_progress,
                            is_cancelled)
        name = os.path.basename(input_path)
    result = ImportResult(shape=shape, cube_variable=name)
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

