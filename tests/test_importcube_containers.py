"""HDF5 / netCDF containers and axis orders through the import core.

netCDF files are written with GDAL's own netCDF driver (multidimensional API), laid out as
the CF conventions say (named dimensions, a coordinate variable of the band dimension with
its ``units``); plain HDF5 files with h5py (test-only: the plugin reads HDF5 through GDAL).
"""

from __future__ import annotations

import itertools
import os
import shutil

import h5py
import numpy as np
import pytest
from osgeo import gdal

from hyperspectral_crnn.models.common.callbacks import Hooks
from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.importing.axes import (
    AXIS_ORDERS,
    normalise_axis_order,
    orient_cube,
    resolve_axis_order,
)
from hyperspectral_crnn.models.importing.containers import parse_subdataset
from hyperspectral_crnn.models.importing.importcube import (
    LabelOutputs,
    Placement,
    ReadOptions,
    import_cube,
)
from hyperspectral_crnn.models.rasters.bands import read_band_info
from hyperspectral_crnn.models.rasters.files import gdal_exceptions

pytestmark = pytest.mark.usefixtures("gdal_exceptions_mode")

ROWS, COLS, BANDS = 11, 7, 5
WAVELENGTHS = [0.45, 0.55, 0.65, 0.85, 1.6]  # micrometres in the file


def _cube(seed=0) -> np.ndarray:
    """(rows, cols, bands) reflectance-like values."""
    return np.random.default_rng(seed).random((ROWS, COLS, BANDS)).astype(np.float32)


def _truth() -> np.ndarray:
    truth = np.zeros((ROWS, COLS), np.uint8)
    truth[2:6, 1:4] = 1
    truth[7:10, 3:6] = 2
    return truth


def write_netcdf(path, arrays: dict, with_wavelength=True) -> None:
    """A CF-style netCDF-4 file: dimensions y, wavelength, x; ``arrays`` maps a name to
    (dimension names, values)."""
    with gdal_exceptions():
        dataset = gdal.GetDriverByName("netCDF").CreateMultiDimensional(path)
        root = dataset.GetRootGroup()
        dims = {"y": root.CreateDimension("y", None, None, ROWS),
                "x": root.CreateDimension("x", None, None, COLS),
                "wavelength": root.CreateDimension("wavelength", None, None, BANDS)}
        if with_wavelength:
            coordinate = root.CreateMDArray("wavelength", [dims["wavelength"]],
                                            gdal.ExtendedDataType.Create(gdal.GDT_Float64))
            coordinate.Write(np.array(WAVELENGTHS))
            coordinate.SetUnit("micrometers")
        for name, (names, values) in arrays.items():
            kind = gdal.GDT_Float32 if values.dtype == np.float32 else gdal.GDT_Byte
            array = root.CreateMDArray(name, [dims[n] for n in names],
                                       gdal.ExtendedDataType.Create(kind))
            array.Write(np.ascontiguousarray(values))
        del root, dataset


def test_netcdf_by_dimension_names_with_wavelengths_and_ground_truth(tmp_path):
    cube, truth = _cube(), _truth()
    path = str(tmp_path / "scene.nc")
    write_netcdf(path, {"reflectance": (("y", "wavelength", "x"), cube.transpose(0, 2, 1)),
                        "labels": (("y", "x"), truth)})
    out = str(tmp_path / "scene.tif")
    messages = []
    result = import_cube(path, out, Placement(pixel_size=5),
                         ReadOptions(ground_truth_path=path, ground_truth_variable="labels"),
                         LabelOutputs(labels_path=str(tmp_path / "labels.tif")),
                         Hooks(log=messages.append))
    assert result.shape == (ROWS, COLS, BANDS) and result.cube_variable == "/reflectance"
    assert any("from its dimension names (y, wavelength, x)" in m for m in messages)
    dataset = gdal.Open(out)
    np.testing.assert_array_equal(dataset.ReadAsArray().transpose(1, 2, 0), cube)
    assert [b.wavelength for b in read_band_info(dataset)] == pytest.approx(
        [w * 1000 for w in WAVELENGTHS])
    assert dataset.GetGeoTransform() == (0.0, 5.0, 0.0, 0.0, 0.0, -5.0)
    np.testing.assert_array_equal(gdal.Open(str(tmp_path / "labels.tif")).ReadAsArray(),
                                  truth)
    assert result.classes == [1, 2] and result.ground_truth_variable == "/labels"


def test_several_cubes_are_listed_and_one_is_chosen(tmp_path):
    cube = _cube()
    path = str(tmp_path / "two.nc")
    write_netcdf(path, {"radiance": (("y", "x", "wavelength"), cube * 100),
                        "reflectance": (("wavelength", "y", "x"), cube.transpose(2, 0, 1))})
    out = str(tmp_path / "out.tif")
    with pytest.raises(CrnnError, match=r"holds 2 3-D arrays: /radiance \(11 x 7 x 5 "
                                        r"Float32\), /reflectance \(5 x 11 x 7 Float32\)\. "
                                        r"Name the one to import with VARIABLE"):
        import_cube(path, out, Placement())
    assert not os.path.exists(out)
    with pytest.raises(CrnnError, match="'albedo' is not in 'two.nc'.*/radiance"):
        import_cube(path, out, Placement(), ReadOptions(variable="albedo"))
    import_cube(path, out, Placement(), ReadOptions(variable="reflectance"))
    np.testing.assert_array_equal(gdal.Open(out).ReadAsArray().transpose(1, 2, 0), cube)
    # the same through GDAL's subdataset string
    out2 = str(tmp_path / "out2.tif")
    import_cube(f'NETCDF:"{path}":radiance', out2, Placement())
    np.testing.assert_allclose(gdal.Open(out2).ReadAsArray().transpose(1, 2, 0), cube * 100)


def test_netcdf_under_another_name_opens_as_a_container(tmp_path):
    """GDAL's classic API sees no bands, only subdatasets: read as a container, not the
    AttributeError of old."""
    path = str(tmp_path / "two.nc")
    write_netcdf(path, {"a": (("y", "x", "wavelength"), _cube()),
                        "b": (("y", "x", "wavelength"), _cube(1))})
    renamed = str(tmp_path / "scene.dat")
    shutil.copy(path, renamed)
    with pytest.raises(CrnnError, match="holds 2 3-D arrays"):
        import_cube(renamed, str(tmp_path / "x.tif"), Placement())
    import_cube(renamed, str(tmp_path / "b.tif"), Placement(), ReadOptions(variable="b"))
    np.testing.assert_array_equal(
        gdal.Open(str(tmp_path / "b.tif")).ReadAsArray().transpose(1, 2, 0), _cube(1))


def test_hdf5_without_dimension_names(tmp_path):
    cube = _cube()
    path = str(tmp_path / "scene.h5")
    with h5py.File(path, "w") as f:
        f.create_dataset("data/bsq", data=cube.transpose(2, 0, 1))  # 5 x 11 x 7
        f.create_dataset("data/bil", data=cube.transpose(0, 2, 1))  # 11 x 5 x 7
        f.create_dataset("data/gt", data=_truth())
    out = str(tmp_path / "bsq.tif")
    messages = []
    import_cube(path, out, Placement(), ReadOptions(variable="bsq"),
                hooks=Hooks(log=messages.append))
    np.testing.assert_array_equal(gdal.Open(out).ReadAsArray().transpose(1, 2, 0), cube)
    assert any("(bands, rows, columns) as its first axis is the smallest" in m
               for m in messages)
    # the middle axis smallest: refused, with the way out
    with pytest.raises(CrnnError, match=r"Cannot tell which axis of the 11 x 5 x 7 array "
                                        r"holds the bands\. Set AXIS_ORDER"):
        import_cube(path, str(tmp_path / "bil.tif"), Placement(),
                    ReadOptions(variable="/data/bil"))
    assert not os.path.exists(tmp_path / "bil.tif")
    for kwargs in ({"axis_order": "rows,bands,cols"},
                   {"ground_truth_path": path, "ground_truth_variable": "gt"}):
        out = str(tmp_path / "bil.tif")
        import_cube(path, out, Placement(), ReadOptions(variable="/data/bil", **kwargs))
        np.testing.assert_array_equal(gdal.Open(out).ReadAsArray().transpose(1, 2, 0), cube)
        os.remove(out)
    subdataset = f'HDF5:"{path}"://data/bsq'
    assert parse_subdataset(subdataset) == (path, "/data/bsq")
    import_cube(subdataset, out, Placement())
    np.testing.assert_array_equal(gdal.Open(out).ReadAsArray().transpose(1, 2, 0), cube)


def test_broken_and_empty_containers_are_explained(tmp_path):
    fake = tmp_path / "fake.h5"
    fake.write_bytes(b"not an HDF5 file at all" * 10)
    with pytest.raises(CrnnError, match="Cannot open 'fake.h5' as an HDF5 / netCDF file"):
        import_cube(str(fake), str(tmp_path / "x.tif"), Placement())
    flat = str(tmp_path / "flat.h5")
    with h5py.File(flat, "w") as f:
        f.create_dataset("image", data=np.zeros((4, 5), np.uint8))
    with pytest.raises(CrnnError, match=r"no 3-D array for the cube.*/image \(4 x 5 Byte\)"):
        import_cube(flat, str(tmp_path / "x.tif"), Placement())
    with pytest.raises(CrnnError, match="does not exist"):
        import_cube(f'HDF5:"{tmp_path / "missing.h5"}"://cube', str(tmp_path / "x.tif"),
                    Placement())
    assert not os.path.exists(tmp_path / "x.tif")


@pytest.mark.parametrize("order", AXIS_ORDERS[1:])
def test_every_axis_order_can_be_set(tmp_path, order):
    cube = _cube()
    stored = cube.transpose([("rows", "cols", "bands").index(n) for n in order.split("_")])
    np.save(str(tmp_path / "cube.npy"), stored)
    out = str(tmp_path / "cube.tif")
    import_cube(str(tmp_path / "cube.npy"), out, Placement(), ReadOptions(axis_order=order))
    np.testing.assert_array_equal(gdal.Open(out).ReadAsArray().transpose(1, 2, 0), cube)
    path = str(tmp_path / "cube.h5")
    with h5py.File(path, "w") as f:
        f.create_dataset("cube", data=stored)
    os.remove(out)
    import_cube(path, out, Placement(), ReadOptions(axis_order=order))
    np.testing.assert_array_equal(gdal.Open(out).ReadAsArray().transpose(1, 2, 0), cube)


def test_auto_axis_order_rules():
    said = []
    assert resolve_axis_order((5, 40, 30), log=said.append) == "bands_rows_cols"
    assert resolve_axis_order((200, 40, 30)) == "rows_cols_bands"
    assert resolve_axis_order((145, 145, 200)) == "rows_cols_bands"  # Indian Pines
    assert resolve_axis_order((610, 340, 103)) == "rows_cols_bands"  # Pavia University
    assert resolve_axis_order((103, 610, 340)) == "bands_rows_cols"
    assert resolve_axis_order((200, 145, 145)) == "bands_rows_cols"
    for ambiguous in ((610, 103, 340), (40, 30, 200), (50, 50, 50), (30, 60, 30)):
        with pytest.raises(CrnnError, match="Set AXIS_ORDER"):
            resolve_axis_order(ambiguous)
    # hints, in order of trust
    assert resolve_axis_order((610, 103, 340), ground_truth_shape=(610, 340)) == \
        "rows_bands_cols"
    assert resolve_axis_order((610, 103, 340), band_count=103) == "rows_bands_cols"
    assert resolve_axis_order((5, 6, 7), dimension_names=("lon", "lat", "band")) == \
        "cols_rows_bands"
    assert resolve_axis_order((5, 6, 7), dimension_names=("dim0", "bands", "dim2")) == \
        "rows_bands_cols"
    assert resolve_axis_order((5, 6, 7), dimension_names=("y", "x", "time"),
                              band_count=5) == "bands_rows_cols"  # names say nothing
    assert resolve_axis_order((5, 6, 7), "cols,bands,rows",
                              dimension_names=("y", "band", "x")) == "cols_bands_rows"
    assert normalise_axis_order(" Rows Bands Columns ") == "rows_bands_cols"
    assert normalise_axis_order("") == "auto"
    for wrong in ("x,y,z", "rows,rows,bands", "rows,cols"):
        with pytest.raises(CrnnError, match=f"Unknown axis order '{wrong}': use one of "
                                            "auto, rows_cols_bands"):
            resolve_axis_order((5, 6, 7), wrong)
    assert "read as (bands, rows, columns)" in said[0]
    # every order, each way round, through orient_cube
    cube = np.arange(3 * 4 * 5).reshape(3, 4, 5)
    for order in itertools.permutations(("rows", "cols", "bands")):
        stored = cube.transpose([("rows", "cols", "bands").index(n) for n in order])
        np.testing.assert_array_equal(orient_cube(stored, order=",".join(order)), cube)
