"""crnn:importcube on containers through the real ``qgis_process`` (scripts/qgis_process):
a PRISMA L2D .he5 in, a GeoTIFF with wavelengths and a true-colour .qml out; a netCDF of
two cubes refused with their list, without a traceback."""

from __future__ import annotations

import os

import numpy as np
import pytest
from osgeo import gdal
from test_alg_importcube import _netcdf_with_two_cubes
from test_importcube_prisma import COLS, ROWS, write_prisma_l2d
from test_qgis_process import QGIS_PROCESS, _run_wrapper

from hyperspectral_crnn.models.rasters.bands import read_band_info

pytestmark = pytest.mark.skipif(not os.path.exists(QGIS_PROCESS),
                                reason=f"{QGIS_PROCESS} is not installed")


def test_prisma_and_an_ambiguous_container(tmp_path):
    prisma = str(tmp_path / "PRS_L2D_STD_20240601101010_20240601101014_0001.he5")
    write_prisma_l2d(prisma)
    out = tmp_path / "prisma.tif"
    done = _run_wrapper(["run", "crnn:importcube", "--", f"INPUT={prisma}", f"OUTPUT={out}"],
                        tmp_path, with_venv=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "as PRISMA stores its cubes" in done.stdout + done.stderr
    dataset = gdal.Open(str(out))
    assert (dataset.RasterYSize, dataset.RasterXSize, dataset.RasterCount) == (ROWS, COLS, 11)
    wavelengths = [band.wavelength for band in read_band_info(dataset, str(out))]
    assert wavelengths == sorted(wavelengths) and wavelengths[0] == 405.0
    qml = (tmp_path / "prisma.qml").read_text()
    assert 'type="multibandcolor"' in qml
    red = wavelengths.index(640.0) + 1
    assert f'redBand="{red}"' in qml

    two = str(tmp_path / "two.nc")
    _netcdf_with_two_cubes(two, np.zeros((6, 5, 4), np.float32))
    done = _run_wrapper(["run", "crnn:importcube", "--", f"INPUT={two}",
                         f"OUTPUT={tmp_path / 'two.tif'}"], tmp_path, with_venv=True)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "holds 2 3-D arrays: /reflectance (6 x 4 x 5 Float32)" in output, output
    assert "Traceback" not in output
    assert not (tmp_path / "two.tif").exists()
    done = _run_wrapper(["run", "crnn:importcube", "--", f'INPUT=NETCDF:"{two}":radiance',
                         "AXIS_ORDER=rows_cols_bands", f"OUTPUT={tmp_path / 'two.tif'}"],
                        tmp_path, with_venv=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert gdal.Open(str(tmp_path / "two.tif")).RasterCount == 4
