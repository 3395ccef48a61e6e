"""The probability check of ``crnn:smooth`` (models/engine/smoothing.py) at the bounds
its docstrings state: which pixels it samples, how far values and sums may stray, the
step of rounded probabilities, the hint it gives for percentages, 0-255 values, fill
values and scores; the classes of the bands. Small Float64 rasters, so every bound is
met exactly; no QGIS (``make mutation``'s smoothing target).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scenes
from osgeo import gdal

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.common.palette import class_colour
from hyperspectral_crnn.models.engine.lop import LopSettings
from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
from hyperspectral_crnn.models.engine.smoothing import (
    BandClasses,
    check_probabilities,
    smooth_probabilities,
    value_step,
)
from hyperspectral_crnn.models.rasters.raster import SpectralRaster

SIXTEENTH = 1 / 16  # exact in binary: sums of sixteenths meet the bounds exactly


def cube_of(pixels, rows: int = 10, cols: int = 10) -> np.ndarray:
    """A (bands, rows, cols) cube whose pixels repeat ``pixels`` (a list of spectra) in
    row-major order."""
    pixels = np.asarray(pixels, np.float64)
    index = np.arange(rows * cols) % len(pixels)
    return pixels[index].reshape(rows, cols, -1).transpose(2, 0, 1)


def check(tmp_path, cube: np.ndarray, name: str = "p.tif") -> None:
    path = scenes.write_raster(tmp_path / name, np.asarray(cube, np.float64), gdal.GDT_Float64)
    check_probabilities(SpectralRaster(path), name)


def refused(tmp_path, cube: np.ndarray) -> str:
    with pytest.raises(CrnnError, match="does not look like class probabilities") as caught:
        check(tmp_path, cube)
    return str(caught.value)


def with_odd_pixels(normal, odd, count: int) -> np.ndarray:
    """A 10 x 10 raster (every pixel sampled) of ``normal`` pixels and ``count`` ``odd``
    ones."""
    cube = cube_of([normal])
    cube[:, 0, :count] = np.asarray(odd, np.float64)[:, None]
    return cube


# ---------------------------------------------------------------------------------------
# The sample


def test_the_sample_reads_up_to_64_rows_from_the_first_to_the_last(tmp_path, monkeypatch):
    seen = []
    read = SpectralRaster.read

    def spy(self, x, y, w, h, *args):
        seen.append((x, y, w, h))
        return read(self, x, y, w, h, *args)

    monkeypatch.setattr(SpectralRaster, "read", spy)
    check(tmp_path, cube_of([[0.5, 0.5]], rows=100, cols=7))
    assert len(seen) == 64
    assert {(x, w, h) for x, _, w, h in seen} == {(0, 7, 1)}
    rows = [y for _, y, _, _ in seen]
    assert rows[0] == 0 and rows[-1] == 99 and rows == sorted(set(rows))
    seen.clear()
    check(tmp_path, cube_of([[0.5, 0.5]], rows=30, cols=7), "q.tif")
    assert [y for _, y, _, _ in seen] == list(range(30))


def test_a_raster_up_to_64_columns_wide_is_sampled_in_every_column(tmp_path):
    cube = cube_of([[0.25, 0.75]], rows=64, cols=64)
    cube[:, :, 31] = 3.0  # one column of 64: over 1 % of the sample
    refused(tmp_path, cube)


@pytest.mark.parametrize("column", [0, 89])
def test_the_sample_takes_the_first_and_the_last_column(tmp_path, column):
    """64 sampled columns of 90: one odd column is 1 / 64 of the sample, over 1 %."""
    cube = cube_of([[0.25, 0.75]], rows=64, cols=90)
    cube[:, :, column] = 3.0
    refused(tmp_path, cube)


# ---------------------------------------------------------------------------------------
# The step of rounded values


def test_value_step_of_rounded_values():
    assert value_step(np.array([0.0, 0.25])) == 0.25
    assert value_step(np.array([0.0, 0.25, 0.5, 0.5])) == 0.25
    assert value_step(np.array([0.0, 1e-4])) == 1e-4  # the smallest step taken
    assert value_step(np.array([0.0, 5e-5, 1e-4])) == 0.0
    assert value_step(np.array([0.5, 0.5])) == 0.0  # one value: no step
    assert value_step(np.array([0.7])) == 0.0


def test_value_step_merges_float_noise_below_1e_9_only():
    assert value_step(np.array([0.1, 0.1 + 4e-10, 0.2])) == pytest.approx(0.1)
    assert value_step(np.array([0.1, 0.1 + 4e-9, 0.2])) == 0.0  # two values 4e-9 apart


def test_value_step_takes_at_most_10001_distinct_values():
    assert value_step(np.arange(10001) / 1000) == pytest.approx(0.001)
    assert value_step(np.arange(10002) / 1000) == 0.0


# ---------------------------------------------------------------------------------------
# How far values and sums may stray


def test_values_may_lie_1e_3_outside_0_1(tmp_path):
    check(tmp_path, cube_of([[1.001, -0.001, 0.0], [0.5, 0.5, 0.0]]))
    for odd in ([1.002, 0.0, 0.0], [-0.002, 1.0, 0.002], [1.5, -0.5, 0.0]):
        refused(tmp_path, cube_of([odd]))


def test_continuous_sums_may_stray_by_1_percent(tmp_path):
    rng = np.random.default_rng(4)
    base = rng.dirichlet(np.ones(3), 1600)
    assert value_step(base) == 0.0  # no rounding step: the tolerance is 0.01
    for factor in (1.009, 0.991):
        check(tmp_path, cube_of(base * factor, 40, 40))
    for factor in (1.011, 0.989):
        refused(tmp_path, cube_of(base * factor, 40, 40))


def test_rounded_sums_may_stray_by_half_a_step_per_class(tmp_path):
    """Four classes in sixteenths: each rounded by up to 1/32, the sum by up to 4/32."""
    check(tmp_path, SIXTEENTH * cube_of([[5, 5, 4, 4], [3, 3, 4, 4], [4, 4, 4, 4]]))
    refused(tmp_path, SIXTEENTH * cube_of([[5, 5, 5, 4], [4, 4, 4, 4]]))
    refused(tmp_path, SIXTEENTH * cube_of([[3, 3, 3, 4], [4, 4, 4, 4]]))


def test_rounded_sums_stray_by_a_quarter_at_most(tmp_path):
    """Sixteen classes in sixteenths could stray by 1/2: the bound is 1/4, met exactly."""
    check(tmp_path, SIXTEENTH * cube_of([[2] * 4 + [1] * 12]))
    refused(tmp_path, SIXTEENTH * cube_of([[2] * 5 + [1] * 11]))


def test_one_percent_of_odd_pixels_is_let_through(tmp_path):
    check(tmp_path, with_odd_pixels([0.5, 0.5], [0.9, 0.9], 1))
    refused(tmp_path, with_odd_pixels([0.5, 0.5], [0.9, 0.9], 2))


# ---------------------------------------------------------------------------------------
# What the refusal says


@pytest.mark.parametrize("pixel", [[100.5, 0.5, 0.5], [98.5, 0.0, 0.0], [50, 30, 20]])
def test_percentages_rounded_to_whole_numbers(tmp_path, pixel):
    """Three bands: each rounded by up to 0.5, so the sum lies within 1.5 of 100."""
    assert "look like percentages" in refused(tmp_path, cube_of([pixel]))


def test_one_band_of_percentages_may_be_one_off(tmp_path):
    assert "look like percentages" in refused(tmp_path, cube_of([[99.2]]))


@pytest.mark.parametrize("pixel", [[51.0, 51.0, 0.0], [101.0, -1.0, 0.0], [256.0, 0.0, 0.0]])
def test_not_percentages(tmp_path, pixel):
    message = refused(tmp_path, cube_of([pixel]))
    assert "percentages" not in message and "0-255" not in message


@pytest.mark.parametrize("pixel", [[255.5, 0.5, 0.5], [253.5, 0.0, 0.0], [100, 100, 55]])
def test_probabilities_scaled_to_255(tmp_path, pixel):
    assert "scaled to 0-255" in refused(tmp_path, cube_of([pixel]))


def test_a_negative_fill_value(tmp_path):
    """The probabilities reach the bounds exactly and are not taken for the fill."""
    cube = cube_of([[1.0005, -0.0005, 0.0], [1.001, -0.001, 0.0], [0.999, 0.001, 0.0]])
    cube[:, 0, :5] = -1.0
    assert "Pixels of -1 in every band look like a fill value" in refused(tmp_path, cube)


@pytest.mark.parametrize("fill", [5.0, 2.0])
def test_a_positive_fill_value(tmp_path, fill):
    cube = cube_of([[0.5, 0.5, 0.0]])
    cube[:, 0, :5] = fill
    assert f"Pixels of {fill:g} in every band look like a fill value" in refused(tmp_path,
                                                                                  cube)


def test_a_fill_value_at_one_sampled_pixel(tmp_path):
    """50 pixels, one filled: 2 % of the sample."""
    cube = cube_of([[0.5, 0.5]], rows=5, cols=10)
    cube[:, 2, 3] = -1.0
    assert "Pixels of -1 in every band" in refused(tmp_path, cube)


def test_a_fill_value_in_one_band(tmp_path):
    cube = cube_of([[1.0]])
    cube[:, 0, :5] = -1.0
    assert "Pixels of -1 in every band" in refused(tmp_path, cube)


@pytest.mark.parametrize("first,second", [(-1.0, -2.0), (-2.0, -1.0)])
def test_odd_pixels_of_several_values_are_no_fill(tmp_path, first, second):
    cube = cube_of([[0.5, 0.5, 0.0]])
    cube[:, 0, :5] = first
    cube[:, 1, :5] = second
    assert "fill value" not in refused(tmp_path, cube)


def test_scores_in_0_1_with_at_most_1_percent_outside(tmp_path):
    scores = with_odd_pixels([0.2, 0.2, 0.1], [2.0, 0.5, 0.5], 1)
    assert "do not sum to 1" in refused(tmp_path, scores)
    mixed = with_odd_pixels([0.2, 0.2, 0.1], [2.0, 0.5, 0.5], 2)
    assert "Is it a reflectance or other image?" in refused(tmp_path, mixed)
    half = cube_of([[0.2, 0.2, 0.1], [2.0, 0.5, 0.5]])
    assert "Is it a reflectance or other image?" in refused(tmp_path, half)


# ---------------------------------------------------------------------------------------
# The classes of the bands


def memory_raster(bands: int) -> gdal.Dataset:
    return gdal.GetDriverByName("MEM").Create("", 2, 2, bands, gdal.GDT_Float32)


def test_the_classes_of_the_bands_by_default():
    dataset = memory_raster(3)
    dataset.GetRasterBand(2).SetDescription("Water")
    infos = BandClasses().of_bands(dataset)
    assert [(i.value, i.name, i.color) for i in infos] == [
        (1, "class 1", class_colour(0)), (2, "Water", class_colour(1)),
        (3, "class 3", class_colour(2))]
    named = BandClasses(values=[10, 20, 30]).of_bands(memory_raster(3))
    assert [i.name for i in named] == ["class 10", "class 20", "class 30"]


def test_many_bands_have_their_classes():
    """Counts above 256 are not the interpreter's cached small integers."""
    dataset = memory_raster(300)
    assert len(BandClasses().of_bands(dataset)) == 300
    values = list(range(1000, 1300))
    given = BandClasses(values, [f"c{v}" for v in values], ["#102030"] * 300)
    assert [i.value for i in given.of_bands(dataset)] == values


@pytest.mark.parametrize("classes,fragment", [
    (BandClasses(values=[1, 2]), "3 bands but 2 class values"),
    (BandClasses(values=[1, 2, 3, 4]), "3 bands but 4 class values"),
    (BandClasses(values=[1, 1, 2]), "must be distinct"),
    (BandClasses(names=["a", "b"]), "one class name and one colour per band"),
    (BandClasses(names=["a", "b", "c", "d"]), "one class name and one colour per band"),
    (BandClasses(colours=["#000000"] * 2), "one class name and one colour per band"),
    (BandClasses(colours=["#000000"] * 4), "one class name and one colour per band"),
])
def test_classes_that_do_not_fit_the_bands_are_refused(classes, fragment):
    with pytest.raises(CrnnError, match=fragment):
        classes.of_bands(memory_raster(3))


def test_band_classes_cannot_change_once_made():
    """One is a default argument, shared by every call."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        BandClasses().values = [1]


# ---------------------------------------------------------------------------------------
# The rasters smoothed


def request(tmp_path, weights: str = "uniform") -> ClassificationRequest:
    return ClassificationRequest(OutputPaths(str(tmp_path / "classes.tif")),
                                 LopSettings(weights=weights))


def test_the_edge_lop_is_refused_however_its_name_was_made(tmp_path):
    source = scenes.write_raster(tmp_path / "p.tif", cube_of([[0.5, 0.5]]), gdal.GDT_Float64)
    with pytest.raises(CrnnError, match="'edge' LOP needs the pixels' spectra"):
        smooth_probabilities(source, request(tmp_path, "".join(["ed", "ge"])))


def test_one_class_is_smoothed_and_no_band_is_refused(tmp_path):
    source = scenes.write_raster(tmp_path / "one.tif", np.ones((1, 6, 5)), gdal.GDT_Float64)
    summary = smooth_probabilities(source, request(tmp_path))
    assert summary.class_counts == {1: 30}
    np.testing.assert_array_equal(gdal.Open(str(tmp_path / "classes.tif")).ReadAsArray(),
                                  np.ones((6, 5)))
    # a container of two arrays: GDAL opens it as a raster of no bands (subdatasets only)
    container = gdal.GetDriverByName("netCDF").CreateMultiDimensional(str(tmp_path / "two.nc"))
    group = container.GetRootGroup()
    axes = [group.CreateDimension(n, None, None, size) for n, size in (("y", 4), ("x", 5))]
    for name in ("a", "b"):
        group.CreateMDArray(name, axes, gdal.ExtendedDataType.Create(gdal.GDT_Float32)).Write(
            np.ones((4, 5), np.float32))
    axes = group = container = None
    with pytest.raises(CrnnError, match="has no bands"):
        smooth_probabilities(str(tmp_path / "two.nc"), request(tmp_path))

