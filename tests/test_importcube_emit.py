"""NASA EMIT L2A reflectance (models/importing/emit.py): a small netCDF-4 file laid out
as the product's specification says (reflectance in swath geometry, the geometry lookup
table in the 'location' group, band parameters in 'sensor_band_parameters', the map
grid in the root attributes), imported to a GeoTIFF on the map grid. Each map pixel is
checked against a plain loop over the GLT. No QGIS."""

from __future__ import annotations

import numpy as np
import pytest
from osgeo import gdal, osr

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.importing.importcube import Placement, import_cube
from hyperspectral_crnn.models.rasters.bands import read_band_info

SWATH = (6, 5, 4)  # downtrack, crosstrack, bands
GRID = (7, 8)
GEOTRANSFORM = (-118.5, 0.000542232520256367, 0.0, 35.2, 0.0, -0.000542232520256367)
WAVELENGTHS = [381.0, 388.4, 1400.2, 2493.3]
FWHM = [8.4, 8.4, 8.6, 8.9]
GOOD = [1, 1, 0, 1]


def glt(seed: int = 0):
    """A rotated swath's lookup table: some map pixels empty (0), some swath pixels shown
    twice, 1-based."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, SWATH[1] + 1, GRID).astype(np.int32)
    y = rng.integers(1, SWATH[0] + 1, GRID).astype(np.int32)
    empty = rng.random(GRID) < 0.25
    x[empty] = 0
    y[empty] = 0
    return x, y


def write_emit(path, glt_x, glt_y, reflectance):
    driver = gdal.GetDriverByName("netCDF")
    dataset = driver.CreateMultiDimensional(str(path))
    root = dataset.GetRootGroup()
    dims = {name: root.CreateDimension(name, None, None, size) for name, size in (
        ("downtrack", SWATH[0]), ("crosstrack", SWATH[1]), ("bands", SWATH[2]),
        ("ortho_y", GRID[0]), ("ortho_x", GRID[1]))}
    float32 = gdal.ExtendedDataType.Create(gdal.GDT_Float32)
    cube = root.CreateMDArray("reflectance", [dims["downtrack"], dims["crosstrack"],
                                              dims["bands"]], float32)
    cube.SetNoDataValueDouble(-9999.0)
    cube.Write(reflectance)
    parameters = root.CreateGroup("sensor_band_parameters")
    for name, values, kind in (("wavelengths", WAVELENGTHS, gdal.GDT_Float32),
                               ("fwhm", FWHM, gdal.GDT_Float32),
                               ("good_wavelengths", GOOD, gdal.GDT_Int32)):
        array = parameters.CreateMDArray(name, [dims["bands"]],
                                         gdal.ExtendedDataType.Create(kind))
        array.Write(np.array(values, dtype=np.float32 if kind == gdal.GDT_Float32
                             else np.int32))
    location = root.CreateGroup("location")
    for name, values in (("glt_x", glt_x), ("glt_y", glt_y)):
        array = location.CreateMDArray(name, [dims["ortho_y"], dims["ortho_x"]],
                                       gdal.ExtendedDataType.Create(gdal.GDT_Int32))
        array.Write(values)
    attribute = root.CreateAttribute("geotransform", [6],
                                     gdal.ExtendedDataType.Create(gdal.GDT_Float64))
    attribute.Write(list(GEOTRANSFORM))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    text = root.CreateAttribute("spatial_ref", [], gdal.ExtendedDataType.CreateString())
    text.Write(srs.ExportToWkt())
    dims = cube = parameters = location = attribute = text = root = dataset = None
    return str(path)


@pytest.fixture()
def emit_file(tmp_path):
    rng = np.random.default_rng(3)
    reflectance = rng.random(SWATH).astype(np.float32)
    glt_x, glt_y = glt()
    path = write_emit(tmp_path / "EMIT_L2A_RFL_001_20230101T000000_2300100_001.nc",
                      glt_x, glt_y, reflectance)
    return path, reflectance, glt_x, glt_y


def test_the_swath_is_put_on_the_map_grid_exactly(emit_file, tmp_path):
    path, reflectance, glt_x, glt_y = emit_file
    out = str(tmp_path / "emit.tif")
    import_cube(path, out, Placement())
    dataset = gdal.Open(out)
    assert (dataset.RasterYSize, dataset.RasterXSize, dataset.RasterCount) == GRID + (4,)
    written = dataset.ReadAsArray().transpose(1, 2, 0)
    for row in range(GRID[0]):  # a plain loop over the lookup table
        for col in range(GRID[1]):
            if glt_x[row, col] == 0:
                assert (written[row, col] == -9999.0).all()
            else:
                expected = reflectance[glt_y[row, col] - 1, glt_x[row, col] - 1]
                np.testing.assert_array_equal(written[row, col], expected)
    assert dataset.GetGeoTransform() == pytest.approx(GEOTRANSFORM)
    srs = osr.SpatialReference(wkt=dataset.GetProjection())
    srs.AutoIdentifyEPSG()
    assert srs.GetAuthorityCode(None) == "4326"
    assert dataset.GetRasterBand(1).GetNoDataValue() == -9999.0


def test_the_bands_carry_wavelengths_fwhm_and_flags(emit_file, tmp_path):
    path, *_ = emit_file
    out = str(tmp_path / "emit.tif")
    import_cube(path, out, Placement())
    bands = read_band_info(gdal.Open(out), out)
    assert [b.wavelength for b in bands] == pytest.approx(WAVELENGTHS, abs=1e-3)
    assert [b.fwhm for b in bands] == pytest.approx(FWHM, abs=1e-3)
    assert [b.bad for b in bands] == [False, False, True, False]


def test_a_lookup_table_outside_the_swath_is_refused(tmp_path):
    glt_x, glt_y = glt()
    glt_x[0, 0], glt_y[0, 0] = SWATH[1] + 3, 1
    path = write_emit(tmp_path / "bad.nc", glt_x, glt_y, np.zeros(SWATH, np.float32))
    with pytest.raises(CrnnError, match="GLT points outside the swath"):
        import_cube(path, str(tmp_path / "bad.tif"), Placement())
    assert not (tmp_path / "bad.tif").exists()
