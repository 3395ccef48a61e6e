"""Which cube an input holds: an array file's (any axis order), an HDF5 / netCDF
container's (a PRISMA product's VNIR and SWIR joined), or none for a raster GDAL copies
as it is (models/importing/gdal_cubes.py).
"""

from __future__ import annotations

import os
from typing import Optional, Tuple

import numpy as np
from osgeo import gdal

from ..common.callbacks import LogCallback
from ..common.errors import CrnnError
from .arrays import is_array_file, read_array
from .axes import orient_cube, resolve_axis_order
from .containers import (
    Container,
    LazyCube,
    array_name_key,
    container_bands,
    is_container,
    parse_subdataset,
)
from .emit import emit_cube, is_emit
from .gdal_cubes import open_source_raster
from .geotiff import CubeToWrite
from .prisma import prisma_cube, prisma_cubes


def read_input_cube(input_path: str, variable: Optional[str], axis_order: str,
                    ground_truth_shape: Optional[Tuple[int, int]], log: LogCallback
                    ) -> Tuple[Optional[CubeToWrite], Optional[gdal.Dataset]]:
    """The cube ``input_path`` holds, and its GDAL dataset where GDAL opens it as a
    raster: (cube, None) for an array file or container, (None, dataset) for a raster
    that is copied as it is, (cube, dataset) for a raster of subdatasets read as a
    container."""
    cube = _read_cube(input_path, variable, axis_order, ground_truth_shape, log)
    if cube is not None:
        return cube, None
    source = open_source_raster(input_path)
    if source.RasterCount == 0:
        return (_subdatasets_cube(source, input_path, variable, axis_order,
                                  ground_truth_shape, log), source)
    return None, source


def _container_cube(path: str, variable: Optional[str], axis_order: str,
                    ground_truth_shape: Optional[Tuple[int, int]], log: LogCallback
                    ) -> CubeToWrite:
    """The cube of an HDF5 / netCDF file (``path`` may be a subdataset string)."""
    subdataset = parse_subdataset(path)
    if subdataset is not None:
        path, named = subdataset
        if variable and array_name_key(variable) != array_name_key(named):
            log(f"INPUT names the subdataset '{named}': VARIABLE '{variable}' is ignored.")
        variable = named
    container = Container(path)
    log(f"'{container.label}' holds the 3-D arrays: {container.listing()}.")
    if is_emit(container) and (not variable
                               or array_name_key(variable) in ("reflectance", "/reflectance")):
        return emit_cube(container, log)
    cubes = prisma_cubes(container)
    if cubes:
        chosen = container.find(variable) if variable else None
        if chosen is None:
            return prisma_cube(container, cubes, [d for d in ("VNIR", "SWIR") if d in cubes],
                               axis_order, log)
        named = [d for d, (array, _) in cubes.items() if array.name == chosen.name]
        if named:
            return prisma_cube(container, cubes, named, axis_order, log)
    array = container.choose_cube(variable)
    if len(array.shape) == 2:
        return CubeToWrite(container.read(array)[:, :, np.newaxis], array.name)
    order = resolve_axis_order(array.shape, axis_order, array.dimensions,
                               ground_truth_shape, log=log)
    bands = container_bands(container, array, order)
    cube = LazyCube(container, array, order)
    if not any(b.wavelength is not None or b.scaled or b.nodata is not None for b in bands):
        bands = []
    return CubeToWrite(cube, array.name, bands)


def _subdatasets_cube(source: gdal.Dataset, path: str, variable: Optional[str],
                      axis_order: str, truth_shape: Optional[Tuple[int, int]],
                      log: LogCallback) -> CubeToWrite:
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


def _read_cube(input_path: str, variable: Optional[str], axis_order: str,
               ground_truth_shape: Optional[Tuple[int, int]], log: LogCallback
               ) -> Optional[CubeToWrite]:
    """The cube of an array file or container; None for a raster GDAL copies itself."""
    if is_array_file(input_path):
        loaded = read_array(input_path, variable, 3, "cube")
        return CubeToWrite(orient_cube(loaded.array, log, axis_order, ground_truth_shape),
                           loaded.name)
    if is_container(input_path):
        return _container_cube(input_path, variable, axis_order, ground_truth_shape, log)
    return None

