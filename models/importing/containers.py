"""HDF5 / netCDF containers (``.h5``, ``.he5``, ``.nc``, ... or a GDAL subdataset string
such as ``HDF5:"f.h5"://path``), read through GDAL's multidimensional API, never h5py.

Their numeric arrays are listed and the one named (or the only 3-D one) is read, a strip
of rows at a time (:class:`LazyCube`; :class:`StackedCube` puts several side by side), with
the wavelengths of its band dimension and its scale, offset and nodata.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal

from ..common.errors import CrnnError
from ..rasters.bands import BandInfo, to_nanometres
from ..rasters.files import gdal_exceptions
from .arrays import choose_variable, describe_variables
from .axes import axis_permutation

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


def array_name_key(name: str) -> str:
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
        return describe_variables([a.summary() for a in self.arrays if len(a.shape) == ndim])

    def find(self, wanted: str, role: str = "cube") -> ContainerArray:
        """The array named ``wanted``: its full name, its last part, or a subdataset
        string; spaces and underscores alike (GDAL writes spaces as underscores)."""
        subdataset = parse_subdataset(wanted)
        key = array_name_key(subdataset[1] if subdataset else wanted)
        exact = [a for a in self.arrays if array_name_key(a.name) == key]
        if exact:
            return exact[0]
        tails = [a for a in self.arrays if array_name_key(a.name).rsplit("/", 1)[-1] == key]
        if len(tails) == 1:
            return tails[0]
        if len(tails) > 1:
            raise CrnnError(f"Several arrays of '{self.label}' are named '{wanted}': "
                            f"{describe_variables([a.summary() for a in tails])}. "
                            "Give the full name.")
        raise CrnnError(f"The {role} variable '{wanted}' is not in '{self.label}'. Its "
                        f"arrays are: {describe_variables([a.summary() for a in self.arrays])}.")

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
                            f"{describe_variables([a.summary() for a in self.arrays])}.")
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


def container_bands(container: Container, array: ContainerArray, order: str) -> List[BandInfo]:
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


def read_container_labels(path: str, variable: Optional[str], shape: Tuple[int, int]
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


def container_ground_truth_shape(path: str, variable: Optional[str]) -> Tuple[int, ...]:
    """The stored shape of a ground truth in a container, read before the cube (a hint
    for the cube's axis order); () where the file has no single 2-D array to take."""
    subdataset = parse_subdataset(path)
    container = Container(subdataset[0] if subdataset else path)
    wanted = subdataset[1] if subdataset else variable
    if wanted:
        return container.find(wanted, "ground truth").shape
    flat = [a.shape for a in container.arrays if len(a.shape) == 2]
    return flat[0] if len(flat) == 1 else ()
