"""Bring a hyperspectral cube into GIS files: arrays, containers, rasters -> GeoTIFF.

This module holds the whole import (:func:`import_cube`) and what the ``crnn:importcube``
algorithm calls; the steps live beside it in models/importing/. Inputs, and what is read
from each (docs/sensors.md lists the products):

- MATLAB ``.mat`` (v4-v7) / NumPy ``.npy`` / ``.npz`` arrays (arrays.py): the classic
  benchmark scenes (Indian Pines, Pavia, Salinas, ...), without map coordinates;
- HDF5 / netCDF containers (containers.py; ``.h5``, ``.he5``, ``.nc``, ... or a GDAL
  subdataset string such as ``HDF5:"f.h5"://path``): the 3-D array named (or the only
  one), read through GDAL's multidimensional API. A PRISMA L2 product (prisma.py) gives
  its VNIR and SWIR cubes as one cube, bands sorted by wavelength, with their band
  metadata;
- any raster GDAL reads (gdal_cubes.py: ENVI, GeoTIFF, EnMAP L2A, ...): copied with its
  own georeferencing and its wavelength / FWHM / bad-band / scale metadata.

The cube is written as a tiled, DEFLATE-compressed GeoTIFF in the data's own type
(geotiff.py). An array without map coordinates is placed on a simple north-up grid
(:class:`Placement`). A 3-D array's axis order is set by the user or recognised (axes.py).
A ground truth becomes a label raster and polygons of its class regions (labels.py).

Every output is written under a temporary name beside its destination and moved into
place only when complete, so a failure or a cancel never leaves a partial file.
The package uses numpy, scipy.io and GDAL/OGR/OSR only, never QGIS.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field, replace
from typing import List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal

from ..common.callbacks import NO_HOOKS, Hooks
from ..rasters.bands import BandInfo
from .axes import normalise_axis_order
from .gdal_cubes import copy_raster
from .geotiff import IMPORT_CANCELLED, CubeToWrite, Placement, log_band_metadata, write_cube
from .labels import (
    ground_truth_shape,
    label_names,
    polygonise_labels,
    read_ground_truth,
    write_labels,
)
from .sources import read_input_cube

__all__ = ["ImportResult", "LabelOutputs", "Placement", "ReadOptions", "import_cube"]


@dataclass(frozen=True)
class ReadOptions:
    """What is read of the input files: which array is the cube and how its axes are
    stored, and where its ground truth is."""

    variable: Optional[str] = None  # the cube's array in a .mat / .npz / container
    axis_order: str = "auto"  # one of axes.AXIS_ORDERS; "auto" recognises it
    ground_truth_path: Optional[str] = None  # class ids, 0 = unlabelled
    ground_truth_variable: Optional[str] = None  # its array


@dataclass(frozen=True)
class LabelOutputs:
    """What the ground truth becomes: the names of its classes, the label raster, the
    polygons of its class regions (each written only where a path is given)."""

    class_names: Sequence[str] = ()
    labels_path: Optional[str] = None
    polygons_path: Optional[str] = None


READ_AS_FOUND = ReadOptions()
"""The largest (or only) cube, its axis order recognised, no ground truth."""
NO_LABEL_OUTPUTS = LabelOutputs()


@dataclass
class ImportResult:
    """What an import wrote: the cube's size, bands and name, the ground truth's classes."""

    shape: Tuple[int, int, int]  # rows, cols, bands
    cube_variable: str
    ground_truth_variable: Optional[str] = None
    classes: List[int] = field(default_factory=list)  # class values present
    class_names: List[str] = field(default_factory=list)  # names of values 1..K
    polygons: int = 0
    bands: List[BandInfo] = field(default_factory=list)  # the written bands' metadata


def import_cube(
    input_path: str,
    output_path: str,
    placement: Placement,
    reading: ReadOptions = READ_AS_FOUND,
    label_outputs: LabelOutputs = NO_LABEL_OUTPUTS,
    hooks: Hooks = NO_HOOKS,
) -> ImportResult:
    """Import a cube (and its ground truth) as GIS files.

    Args:
        input_path: .mat (v4-v7), .npy, .npz, an HDF5 / netCDF file (or a GDAL
            subdataset string of one), or any raster GDAL reads (copied through with its
            own georeferencing and band metadata).
        output_path: the GeoTIFF cube.
        placement: pixel size, top-left corner and CRS for arrays (and rasters without
            georeferencing).
        reading: the cube's ``variable`` in a .mat/.npz (default: the largest 3-D array)
            or its array in a container (default: the only 3-D array; a PRISMA product:
            its VNIR and SWIR cubes); its ``axis_order``, one of :data:`.axes.AXIS_ORDERS`
            ("auto" recognises it, else refuses with a message); the optional
            ``ground_truth_path`` (.mat/.npy/.npz/container/raster of class ids,
            0 = unlabelled, same rows and columns as the cube) and its
            ``ground_truth_variable`` (default: the 2-D array of the cube's size).
        label_outputs: names of classes 1..K (default "Class N"); where to write the
            label raster (a temporary file is used for the polygons when only
            ``polygons_path`` is given) and the class-region polygons.
        hooks: the log receives messages for the user, progress the fraction done;
            is_cancelled is polled and raises ``CancelledError`` (nothing is left behind).
    """
    reading = replace(reading, axis_order=normalise_axis_order(reading.axis_order))
    has_labels = bool(reading.ground_truth_path)
    cube_share = 0.7 if has_labels else 1.0
    cube_hooks = replace(hooks, progress=lambda fraction: hooks.advance(cube_share * fraction))
    truth_shape = (ground_truth_shape(reading.ground_truth_path, reading.ground_truth_variable)
                   if reading.axis_order == "auto" else None)
    cube, source = read_input_cube(input_path, reading.variable, reading.axis_order,
                                   truth_shape, hooks.say)
    if cube is not None:
        result = _write_read_cube(output_path, cube, placement, cube_hooks)
    else:
        result = _copy_gdal_raster(input_path, output_path, placement, source, reading,
                                   cube_hooks)
    if not has_labels:
        if label_outputs.labels_path or label_outputs.polygons_path:
            hooks.say("No ground truth given: no label raster or polygons are written.")
        hooks.advance(1.0)
        return result

    hooks.check(IMPORT_CANCELLED)
    _import_ground_truth(result, output_path, reading, label_outputs, hooks)
    hooks.advance(1.0)
    return result


def _write_read_cube(output_path: str, cube: CubeToWrite, placement: Placement,
                     hooks: Hooks) -> ImportResult:
    """The cube of an array file or container as GeoTIFF: on the file's own grid and CRS
    where it has them, else on the placement's."""
    target = placement
    if cube.crs and not placement.crs_wkt:
        target = replace(placement, crs_wkt=cube.crs)
    elif cube.crs:
        hooks.say("The given CRS replaces the file's own (assigned, not reprojected).")
    if cube.geotransform is not None:
        hooks.say("The file's own grid is kept (PIXEL_SIZE and the origin are not used).")
    write_cube(output_path, cube, target, hooks)
    shape = tuple(int(s) for s in cube.data.shape)
    if cube.bands:
        log_band_metadata(cube.bands, hooks.say)
    return ImportResult(shape=shape, cube_variable=cube.name, bands=list(cube.bands))


def _copy_gdal_raster(input_path: str, output_path: str, placement: Placement,
                      source: Optional[gdal.Dataset], reading: ReadOptions,
                      hooks: Hooks) -> ImportResult:
    """A raster GDAL reads, copied with its own georeferencing and band metadata (what
    says how to read an array does not apply)."""
    if reading.variable:
        hooks.say("VARIABLE is ignored for a raster file.")
    if reading.axis_order != "auto":
        hooks.say("AXIS_ORDER is ignored for a raster file: GDAL knows its layout.")
    shape, bands = copy_raster(input_path, output_path, placement, hooks, source)
    return ImportResult(shape=shape, cube_variable=os.path.basename(input_path),
                        bands=list(bands))


def _import_ground_truth(result: ImportResult, output_path: str, reading: ReadOptions,
                         label_outputs: LabelOutputs, hooks: Hooks) -> None:
    """Read the ground truth into ``result`` and write its label raster and polygons on
    the grid of the cube written at ``output_path``."""
    shape = result.shape
    labels, result.ground_truth_variable = read_ground_truth(
        reading.ground_truth_path, reading.ground_truth_variable, shape[:2])
    values = np.unique(labels)
    result.classes = [int(v) for v in values if v != 0]
    n_classes = int(labels.max()) if labels.size else 0
    result.class_names = label_names(n_classes, label_outputs.class_names, hooks.say)
    hooks.say(f"Ground truth: {len(result.classes)} classes, {int((labels > 0).sum())} "
              "labelled pixels.")
    # the label raster goes on the written cube's grid (a copied raster keeps its own)
    cube_dataset = gdal.Open(output_path)
    geotransform, srs = cube_dataset.GetGeoTransform(), cube_dataset.GetSpatialRef()
    cube_dataset = None
    with contextlib.ExitStack() as stack:
        target = label_outputs.labels_path
        if not target:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            target = os.path.join(folder, "labels.tif")
        write_labels(target, labels, geotransform, srs, result.class_names)
        hooks.advance(0.8)
        if label_outputs.polygons_path:
            result.polygons = polygonise_labels(target, label_outputs.polygons_path,
                                                result.class_names, hooks)
