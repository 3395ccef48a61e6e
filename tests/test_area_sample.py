"""The reference sample and the map's areas read from real GeoTIFFs
(models/reports/area_sample.py), against plain counts over the arrays written. No QGIS."""

from __future__ import annotations

import numpy as np
import pytest
import scenes
from osgeo import gdal

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.reports.area_sample import (
    count_classes,
    map_pixel_area,
    map_unit,
    sample_at_points,
    sample_of_pixels,
)
from hyperspectral_crnn.models.reports.assessment_rasters import rasterise_reference

ORIGIN, PIXEL = scenes.ORIGIN, scenes.PIXEL


def class_map(tmp_path, rows=70, cols=45, seed=0, name="map.tif", nodata=255, epsg=32616):
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 5, (rows, cols)).astype(np.uint8)
    values[rng.random((rows, cols)) < 0.1] = nodata
    values[:3, :5] = 0
    path = scenes.write_raster(tmp_path / name, values[None], gdal.GDT_Byte, nodata=nodata,
                               epsg=epsg)
    return path, values


def centre(row: int, col: int):
    return ORIGIN[0] + (col + 0.5) * PIXEL, ORIGIN[1] - (row + 0.5) * PIXEL


@pytest.mark.parametrize("rows_per_read", [1, 7, 256])
def test_class_counts_equal_a_plain_count(tmp_path, rows_per_read):
    path, values = class_map(tmp_path)
    counts = count_classes(gdal.Open(path), rows_per_read)
    expected = {v: int(np.sum(values == v)) for v in (1, 2, 3, 4)}
    assert counts == expected


def test_pixel_area_in_hectares(tmp_path):
    path, _ = class_map(tmp_path)
    assert map_pixel_area(gdal.Open(path)) == (pytest.approx(PIXEL * PIXEL / 10_000), [])
    feet, _ = class_map(tmp_path, name="feet.tif", epsg=2249)  # US survey feet
    area, _ = map_pixel_area(gdal.Open(feet))
    assert area == pytest.approx((PIXEL * 1200 / 3937) ** 2 / 10_000, rel=1e-9)
    bare, _ = class_map(tmp_path, name="bare.tif", epsg=None)
    area, notes = map_pixel_area(gdal.Open(bare))
    assert area == pytest.approx(0.04) and "no CRS" in notes[0]
    degrees, _ = class_map(tmp_path, name="deg.tif", epsg=4326)
    with pytest.raises(CrnnError, match="geographic coordinates"):
        map_pixel_area(gdal.Open(degrees))


def test_points_read_the_map_under_them(tmp_path):
    path, values = class_map(tmp_path)
    picks = [(5, 6), (0, 0), (69, 44), (40, 10), (2, 4)]
    points = [(*centre(r, c), 1 + i % 4) for i, (r, c) in enumerate(picks)]
    points.append((ORIGIN[0] - 5.0, ORIGIN[1] - 5.0, 2))  # left of the map
    sample = sample_at_points(path, points)
    expected = [0 if values[r, c] in (0, 255) else int(values[r, c]) for r, c in picks]
    assert sample.predicted.tolist() == expected
    assert sample.reference.tolist() == [1, 2, 3, 4, 1]
    assert sample.strata.tolist() == expected
    assert "1 reference point(s) lie outside" in sample.notes[0]


def test_points_read_their_stratum_from_a_strata_raster_on_the_grid(tmp_path):
    path, _ = class_map(tmp_path)
    strata = np.arange(70)[:, None].repeat(45, axis=1) // 35 + 1  # top 1, bottom 2
    strata_path = scenes.write_raster(tmp_path / "strata.tif", strata[None].astype(np.uint8),
                                      gdal.GDT_Byte)
    sample = sample_at_points(path, [(*centre(10, 3), 1), (*centre(50, 3), 2)], strata_path)
    assert sample.strata.tolist() == [1, 2]
    other = scenes.write_raster(tmp_path / "other.tif", strata[None, :60].astype(np.uint8),
                                gdal.GDT_Byte)
    with pytest.raises(CrnnError, match="not on the classification's grid"):
        sample_at_points(path, [(*centre(10, 3), 1)], other)


def plain_counts(groups, mapped, truth):
    counts = {}
    for g, m, t in zip(groups.ravel(), mapped.ravel(), truth.ravel()):
        if t and m:
            counts[(int(g), int(m), int(t))] = counts.get((int(g), int(m), int(t)), 0) + 1
    return counts


def as_dict(sample):
    return {(int(g), int(m), int(t)): int(n) for g, m, t, n in zip(
        sample.strata, sample.map_classes, sample.reference, sample.counts)}


@pytest.mark.parametrize("rows_per_read", [4, 256])
def test_reference_raster_pixels_are_counted_units(tmp_path, rows_per_read):
    path, values = class_map(tmp_path)
    mapped = np.where(np.isin(values, (0, 255)), 0, values).astype(np.int64)
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 5, values.shape).astype(np.uint8)
    reference = scenes.write_raster(tmp_path / "ref.tif", truth[None], gdal.GDT_Byte,
                                    nodata=0)
    sample, unclassified = sample_of_pixels(path, reference, "stratified",
                                            rows_per_read=rows_per_read)
    assert as_dict(sample) == plain_counts(np.zeros_like(mapped), mapped, truth)
    assert unclassified == int(np.sum((truth != 0) & (mapped == 0)))
    strata = (np.arange(70)[:, None].repeat(45, axis=1) // 20 + 1).astype(np.uint8)
    strata[:, :2] = 0  # outside every stratum
    strata_path = scenes.write_raster(tmp_path / "strata.tif", strata[None], gdal.GDT_Byte,
                                      nodata=0)
    by_stratum, outside = sample_of_pixels(path, reference, "strata", strata_path,
                                           rows_per_read)
    kept = np.where(strata != 0, mapped, 0)
    assert as_dict(by_stratum) == plain_counts(strata, kept, truth)
    assert outside == int(np.sum((truth != 0) & ((mapped == 0) | (strata == 0))))


def test_polygons_are_clusters(tmp_path):
    path, values = class_map(tmp_path)
    mapped = np.where(np.isin(values, (0, 255)), 0, values).astype(np.int64)
    squares = [(10, 5, 4, 2), (30, 20, 6, 3), (50, 30, 3, 1)]  # row, col, side, class
    polygons = [(scenes.square_wkb(ORIGIN[0] + c * PIXEL, ORIGIN[1] - r * PIXEL,
                                   ORIGIN[0] + (c + side) * PIXEL,
                                   ORIGIN[1] - (r + side) * PIXEL), k)
                for r, c, side, k in squares]
    window = rasterise_reference(gdal.Open(path), polygons)
    sample, _ = sample_of_pixels(path, window, "clusters")
    groups = np.zeros(values.shape, np.int64)
    truth = np.zeros(values.shape, np.int64)
    for i, (r, c, side, k) in enumerate(squares):
        groups[r:r + side, c:c + side] = i + 1
        truth[r:r + side, c:c + side] = k
    assert as_dict(sample) == plain_counts(groups, mapped, truth)
    with pytest.raises(CrnnError, match="each reference polygon as a cluster"):
        sample_of_pixels(path, path, "clusters")


def test_strata_are_counted_where_the_map_has_a_class(tmp_path):
    """A stratum's pixels are those the map classifies: units on the map's nodata are
    left out of the sample, so its pixels must be too."""
    path, values = class_map(tmp_path)
    strata = (np.arange(70)[:, None].repeat(45, axis=1) // 35 + 1).astype(np.uint8)
    strata_path = scenes.write_raster(tmp_path / "strata.tif", strata[None], gdal.GDT_Byte)
    counts = count_classes(gdal.Open(strata_path), 16, within=gdal.Open(path))
    classified = ~np.isin(values, (0, 255))
    assert counts == {h: int(np.sum(classified & (strata == h))) for h in (1, 2)}


def test_the_map_unit_and_its_square_units_per_hectare(tmp_path):
    metres, _ = class_map(tmp_path)
    assert map_unit(gdal.Open(metres)) == ("metre", 10_000.0)
    feet, _ = class_map(tmp_path, name="feet.tif", epsg=2249)
    name, per_hectare = map_unit(gdal.Open(feet))
    assert "foot" in name.lower() and per_hectare == pytest.approx(10_000 / (1200 / 3937) ** 2)
