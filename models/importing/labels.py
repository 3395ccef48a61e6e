"""The ground truth: class ids read from an array file, a container or a raster, checked
against the cube's rows and columns, and written as a label raster (nodata 0, colour
table, class names) and as polygons of its class regions.
"""

from __future__ import annotations

import os
from typing import List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, ogr, osr

from ..common.callbacks import NO_HOOKS, Hooks, LogCallback
from ..common.classes import ClassInfo
from ..common.errors import CrnnError
from ..common.palette import class_colour
from ..rasters.files import (
    gdal_exceptions,
    memory_vector_driver,
    read_block,
    staged,
    style_class_band,
    vector_output,
    writing,
)
from .arrays import ground_truth_array_shape, is_array_file, read_array
from .containers import container_ground_truth_shape, is_container, read_container_labels
from .gdal_cubes import open_source_raster
from .geotiff import GDAL_TYPES, IMPORT_CANCELLED

LABEL_OPTIONS = ["TILED=YES", "COMPRESS=DEFLATE"]
POLYGON_LAYER = "ground_truth"


def label_names(n_classes: int, names: Sequence[str], log: LogCallback = NO_HOOKS.say) -> List[str]:
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


def ground_truth_shape(path: Optional[str], variable: Optional[str]
                       ) -> Optional[Tuple[int, int]]:
    """The ground truth's rows and columns where they can be known before the cube is
    read (a hint for the cube's axis order); None where that is not plain."""
    if not path:
        return None
    try:
        if is_array_file(path):
            shape = ground_truth_array_shape(path, variable)
        elif is_container(path):
            shape = container_ground_truth_shape(path, variable)
        else:
            dataset = open_source_raster(path)
            shape = (dataset.RasterYSize, dataset.RasterXSize)
    except CrnnError:
        return None  # the ground truth's own reading says what is wrong with it
    squeezed = [int(size) for size in shape if size != 1]
    return (squeezed[0], squeezed[1]) if len(squeezed) == 2 else None


def read_ground_truth(path: str, variable: Optional[str], shape: Tuple[int, int]
                      ) -> Tuple[np.ndarray, str]:
    """(class ids of the cube's ``shape``, the name they were read under) from an array
    file, a container or a raster."""
    if is_array_file(path):
        loaded = read_array(path, variable, 2, "ground truth", shape_2d=shape)
        return as_labels(loaded.array, shape), loaded.name
    if is_container(path):
        array, name = read_container_labels(path, variable, shape)
        return as_labels(array, shape), name
    dataset = open_source_raster(path)
    labels = as_labels(read_block(dataset, 0, 0, dataset.RasterXSize,
                                  dataset.RasterYSize, [1])[0], shape)
    return labels, os.path.basename(path)


def write_labels(path: str, labels: np.ndarray, geotransform: Sequence[float],
                 srs: Optional[osr.SpatialReference], class_names: Sequence[str]) -> None:
    """Write a label raster in the smallest unsigned type, nodata 0, colour table (for
    Byte and UInt16) and category names ("Unlabelled" for 0)."""
    high = int(labels.max()) if labels.size else 0
    dtype = np.uint8 if high <= 255 else np.uint16 if high <= 65535 else np.uint32
    rows, cols = labels.shape
    with gdal_exceptions(), staged(path) as temporary, writing(gdal.GetDriverByName(
            "GTiff").Create(temporary, cols, rows, 1, GDAL_TYPES[np.dtype(dtype)],
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
                      hooks: Hooks = NO_HOOKS) -> int:
    """Polygons of the label raster's class regions (0 left out), with fields
    ``class_id`` (integer) and ``class`` (name). Returns the number of polygons."""
    driver, name = vector_output(path, POLYGON_LAYER, "polygons")

    def callback(fraction, message, data):
        return 0 if hooks.cancelled() else 1

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
            hooks.check(IMPORT_CANCELLED)
            raise CrnnError(f"Polygonising the ground truth failed: {error}") from None
        hooks.check(IMPORT_CANCELLED)
        with staged(path) as temporary:
            with writing(driver.CreateDataSource(temporary), path) as source:
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

