"""The reference sample's design (models/reports/sample_design.py): the sample size and
allocation against Olofsson et al. (2014)'s printed example, and the points drawn from a
real GeoTIFF against properties every draw must keep. No QGIS."""

from __future__ import annotations

import numpy as np
import pytest
import scenes
from hypothesis import given, settings
from hypothesis import strategies as st
from osgeo import gdal

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.reports.sample_design import allocate, draw_points, sample_size

# Olofsson et al. (2014), section 5.1.1 and Table 5: map weights, expected user's
# accuracies, a target standard error of overall accuracy of 0.01
WEIGHTS = [0.020, 0.015, 0.320, 0.645]
USERS = [0.70, 0.60, 0.90, 0.95]


def test_olofsson_2014_sample_size_and_allocations():
    n = sample_size(WEIGHTS, USERS, 0.01)
    assert n == 641  # printed
    assert allocate(n, WEIGHTS, "equal") == [161, 160, 160, 160]  # printed: 160 each
    assert allocate(n, WEIGHTS, "proportional") == [13, 10, 205, 413]  # printed


def test_compromise_gives_rare_classes_their_floor():
    counts = allocate(641, WEIGHTS, "compromise", 50)
    assert counts[:2] == [50, 50] and sum(counts) == 641
    assert counts[2] / counts[3] == pytest.approx(0.320 / 0.645, rel=0.01)
    assert allocate(100, WEIGHTS, "compromise", 50) == [25, 25, 25, 25]  # too few points
    assert allocate(641, [0.25] * 4, "compromise", 50) == [161, 160, 160, 160]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.001, 1.0), min_size=1, max_size=8),
       st.integers(8, 2000), st.sampled_from(["compromise", "proportional", "equal"]),
       st.integers(1, 120))
def test_allocations_sum_to_the_sample(weights, total, allocation, floor):
    counts = allocate(total, weights, allocation, floor)
    assert sum(counts) == total and all(c >= 0 for c in counts)
    if allocation == "compromise":
        assert min(counts) >= min(floor, total // len(weights))
    if allocation == "equal":
        assert max(counts) - min(counts) <= 1


@pytest.mark.parametrize("args,fragment", [
    ((WEIGHTS, USERS, 0.0), "target standard error"),
    ((WEIGHTS, [0.7, 1.0, 0.9, 0.9], 0.01), "between 0 and 1"),
])
def test_bad_sizes_are_refused(args, fragment):
    with pytest.raises(CrnnError, match=fragment):
        sample_size(*args)


def class_map(tmp_path, rows=90, cols=70, seed=0):
    rng = np.random.default_rng(seed)
    values = np.where(rng.random((rows, cols)) < 0.03, 3, 1).astype(np.uint8)
    values[:, cols // 2:] = 2
    values[rng.random((rows, cols)) < 0.05] = 0  # nodata
    path = scenes.write_raster(tmp_path / "map.tif", values[None], gdal.GDT_Byte, nodata=0)
    return gdal.Open(path), values


@pytest.mark.parametrize("rows_per_read", [1, 16, 256])
def test_points_lie_on_their_class_and_do_not_repeat(tmp_path, rows_per_read):
    dataset, values = class_map(tmp_path)
    drawn = draw_points(dataset, {1: 40, 2: 30, 3: 25}, seed=5, rows_per_read=rows_per_read)
    assert len(drawn.cells) == 95 and drawn.notes == []
    assert len(set((r, c) for r, c, _ in drawn.cells)) == 95
    assert all(values[r, c] == v for r, c, v in drawn.cells)
    assert {v: sum(1 for *_, k in drawn.cells if k == v) for v in (1, 2, 3)} == {
        1: 40, 2: 30, 3: 25}
    assert drawn.class_pixels == {v: int(np.sum(values == v)) for v in (1, 2, 3)}


def test_the_draw_is_seeded_and_strips_do_not_change_it(tmp_path):
    dataset, _ = class_map(tmp_path)
    first = draw_points(dataset, {1: 20, 2: 20}, seed=3, rows_per_read=7).cells
    assert draw_points(dataset, {1: 20, 2: 20}, seed=3, rows_per_read=64).cells == first
    assert draw_points(dataset, {1: 20, 2: 20}, seed=4).cells != first


def test_every_pixel_of_a_class_is_as_likely(tmp_path):
    """Drawing 1 of the 4 pixels of a class, 4000 times: each about 1000 times."""
    values = np.ones((6, 6), np.uint8)
    values[1, 2] = values[4, 4] = values[5, 0] = values[0, 5] = 2
    dataset = gdal.Open(scenes.write_raster(tmp_path / "tiny.tif", values[None],
                                            gdal.GDT_Byte))
    hits = {}
    for seed in range(4000):
        (cell,) = draw_points(dataset, {2: 1}, seed=seed).cells
        hits[cell[:2]] = hits.get(cell[:2], 0) + 1
    assert set(hits) == {(1, 2), (4, 4), (5, 0), (0, 5)}
    assert all(880 < n < 1120 for n in hits.values())  # 4.3 binomial sd either side


def test_points_keep_their_distance(tmp_path):
    dataset, _ = class_map(tmp_path)
    drawn = draw_points(dataset, {1: 15, 2: 15}, seed=1, min_distance=6)
    cells = np.array([(r, c) for r, c, _ in drawn.cells], float)
    gaps = np.sqrt(((cells[:, None] - cells[None]) ** 2).sum(-1))
    assert gaps[~np.eye(len(cells), dtype=bool)].min() >= 6
    crowded = draw_points(dataset, {3: 40}, seed=1, min_distance=30)
    assert len(crowded.cells) < 40 and "at the minimum distance" in crowded.notes[0]


def test_spaced_points_are_drawn_until_the_class_is_full(tmp_path):
    """150 points 6 pixels apart fit a 100 x 100 class easily: every one is placed."""
    values = np.ones((100, 100), np.uint8)
    dataset = gdal.Open(scenes.write_raster(tmp_path / "one.tif", values[None],
                                            gdal.GDT_Byte))
    for seed in range(5):
        drawn = draw_points(dataset, {1: 150}, seed=seed, min_distance=6)
        assert len(drawn.cells) == 150 and drawn.notes == []


def test_a_class_the_map_lacks_is_refused(tmp_path):
    dataset, _ = class_map(tmp_path)
    with pytest.raises(CrnnError, match="no pixel of class"):
        draw_points(dataset, {7: 5})


def test_points_fall_inside_the_area_only(tmp_path):
    """A square of 20 x 25 pixels: the class counts and the points are those inside."""
    from hyperspectral_crnn.models.reports.sample_design import count_in_area, draw_area

    dataset, values = class_map(tmp_path)
    x0, y0 = scenes.ORIGIN[0] + 30 * scenes.PIXEL, scenes.ORIGIN[1] - 40 * scenes.PIXEL
    square = scenes.square_wkb(x0, y0 - 20 * scenes.PIXEL, x0 + 25 * scenes.PIXEL, y0)
    area = draw_area(dataset, [square])
    inside = np.zeros(values.shape, bool)
    inside[40:60, 30:55] = True
    expected = {v: int(np.sum(inside & (values == v))) for v in (1, 2, 3)}
    assert count_in_area(dataset, area, 7) == {v: n for v, n in expected.items() if n}
    drawn = draw_points(dataset, {1: 10, 2: 10}, seed=2, area=area, rows_per_read=9)
    assert len(drawn.cells) == 20
    assert all(inside[r, c] and values[r, c] == v for r, c, v in drawn.cells)
    assert drawn.class_pixels == {v: n for v, n in expected.items() if n}


def test_an_area_off_the_map_is_refused(tmp_path):
    from hyperspectral_crnn.models.reports.sample_design import draw_area

    dataset, _ = class_map(tmp_path)
    far = scenes.square_wkb(0, 0, 10, 10)
    with pytest.raises(CrnnError, match="covers no pixel centre"):
        draw_area(dataset, [far])
    with pytest.raises(CrnnError, match="has no polygon"):
        draw_area(dataset, [])
