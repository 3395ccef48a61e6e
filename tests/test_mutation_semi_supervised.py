"""The growth rules of models/training/semi_supervised.py against a plain loop over pixels and
training pixels (hypothesis, real GeoTIFFs): a pixel within the radius of a training pixel
whose spectral angle to it is within the bound takes its class, a pixel two classes reach
takes none, the bound is the floor or the noise factor x the median adjacent angle, never
above the cap, and nothing grows where that median passes the cap. Also the windows
self-training reads and the settings' bounds by hand (``make mutation``'s semi_supervised
target; no training)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scenes
from hypothesis import given, settings
from hypothesis import strategies as st
from osgeo import gdal

from hyperspectral_crnn.models.common.classes import ClassInfo
from hyperspectral_crnn.models.common.errors import CancelledError, CrnnError
from hyperspectral_crnn.models.training.semi_supervised import (
    GROW_ANGLE_CAP,
    PseudoLabels,
    SemiSupervisedConfig,
    _inside,
    grown_labels,
    pseudo_label_windows,
)


def angle(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    cosine = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    return math.acos(max(-1.0, min(1.0, cosine)))


def plain_growth(cube, seeds, validation, radius, floor, factor, cap):
    """The rules of grown_labels' docstring, pixel by pixel."""
    height, width, _ = cube.shape
    training = {(r, c) for r, c, _ in seeds}
    reached = {}  # pixel -> [(angle, class)]
    adjacent = []
    for r0, c0, value in seeds:
        for r in range(max(0, r0 - radius), min(height, r0 + radius + 1)):
            for c in range(max(0, c0 - radius), min(width, c0 + radius + 1)):
                if (r, c) in training or not cube[r, c].any() or not cube[r0, c0].any():
                    continue
                a = angle(cube[r, c], cube[r0, c0])
                reached.setdefault((r, c), []).append((a, value))
                if max(abs(r - r0), abs(c - c0)) == 1:
                    adjacent.append(a)
    noise = float(np.median(adjacent)) if adjacent else None
    bound = floor if noise is None else max(floor, factor * noise)
    capped, too_noisy = bound > cap, noise is not None and noise > cap
    bound = min(bound, cap)
    grown = {}
    # float32 spectra give angles to about 1e-4 rad near 0: pixels that close to the
    # bound may fall either way
    unsure = {pixel for pixel, pairs in reached.items()
              if any(abs(a - bound) < 1e-4 for a, _ in pairs) and not too_noisy}
    for pixel, pairs in reached.items():
        alike = {value for a, value in pairs if a <= bound and not too_noisy}
        if len(alike) == 1:
            grown[pixel] = alike.pop()
    scored = {p: v for p, v in validation.items() if p in grown}
    return dict(grown={p: v for p, v in grown.items() if p not in validation}, unsure=unsure,
                examined=len(reached), candidates=len(grown), bound=bound, noise=noise,
                capped=capped, too_noisy=too_noisy, validation=len(scored),
                agree=sum(grown[p] == v for p, v in scored.items()))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10 ** 6), radius=st.integers(1, 3),
       noise=st.sampled_from([0.002, 0.05, 0.3]), floor=st.sampled_from([0.02, 0.08, 0.2]),
       factor=st.sampled_from([0.0, 2.0, 5.0]), cap=st.sampled_from([0.2, 0.25, 1.0]),
       seeds=st.integers(1, 5))
def test_growth_follows_its_rules(tmp_path_factory, seed, radius, noise, floor, factor, cap,
                                  seeds):
    rng = np.random.default_rng(seed)
    height, width, bands = 7, 8, 4
    field = (np.arange(width)[None] >= width // 2).astype(int) + 2 * (
        np.arange(height)[:, None] >= 4)
    shapes = rng.uniform(100, 1000, (4, bands))
    cube = shapes[field] * (1 + rng.normal(0, noise, (height, width, bands)))
    cube[rng.random((height, width)) < 0.05] = 0.0  # no-signal pixels are never grown
    cube = cube.astype(np.float32)
    path = scenes.write_raster(tmp_path_factory.mktemp("grow") / "c.tif",
                               cube.transpose(2, 0, 1), gdal.GDT_Float32)
    cells = rng.choice(height * width, seeds + 2, replace=False)
    rows, cols = np.divmod(cells[:seeds], width)
    cube_ok = cube[rows, cols].any(axis=1)
    rows, cols = rows[cube_ok], cols[cube_ok]
    values = (10 * (field[rows, cols] + 1)).astype(np.int64)
    v_rows, v_cols = np.divmod(cells[seeds:], width)
    v_values = (10 * (field[v_rows, v_cols] + 1)).astype(np.int64)
    config = SemiSupervisedConfig(grow_radius=radius, grow_angle=min(floor, cap),
                                  grow_noise_factor=factor, grow_angle_cap=cap)
    found = grown_labels(path, list(range(1, bands + 1)), 1,
                         (rows, cols, values, cube[rows, cols]),
                         (v_rows, v_cols, v_values), config, seed=0)
    expected = plain_growth(cube, list(zip(rows.tolist(), cols.tolist(), values.tolist())),
                            dict(zip(zip(v_rows.tolist(), v_cols.tolist()),
                                     v_values.tolist())),
                            radius, min(floor, cap), factor, cap)
    grown = dict(zip(zip(found.rows.tolist(), found.cols.tolist()), found.values.tolist()))
    unsure = expected["unsure"]
    assert {p: v for p, v in grown.items() if p not in unsure} == {
        p: v for p, v in expected["grown"].items() if p not in unsure}
    np.testing.assert_array_equal(found.spectra, cube[found.rows, found.cols])
    assert found.pixels_read == expected["examined"]
    assert abs(found.candidates - expected["candidates"]) <= len(unsure)
    assert found.angle == pytest.approx(expected["bound"], abs=1e-4)
    if expected["noise"] is None:
        assert found.noise is None
    else:
        assert found.noise == pytest.approx(expected["noise"], abs=1e-4)
    assert (found.capped, found.too_noisy, found.cap) == (expected["capped"],
                                                          expected["too_noisy"], cap)
    if not unsure:
        assert (found.validation_pixels, found.validation_agree) == (
            expected["validation"], expected["agree"])
    assert found.validation_confident == found.validation_pixels
    assert found.validation_confident_agree == found.validation_agree


def test_growth_budget_and_cancel(tmp_path):
    cube = np.ones((5, 5, 3), np.float32)
    path = scenes.write_raster(tmp_path / "c.tif", cube.transpose(2, 0, 1), gdal.GDT_Float32)
    rows, cols = np.array([0, 4, 2]), np.array([0, 4, 2])
    known = (rows, cols, np.array([1, 1, 1]), cube[rows, cols])
    empty = (np.empty(0, np.int64),) * 3
    # 16 pixels at most: (2 * 1 + 1)^2 - 1 = 8 neighbours a seed, so 2 of the 3 seeds
    two = grown_labels(path, [1, 2, 3], 1, known, empty,
                       SemiSupervisedConfig(grow_radius=1, pixel_budget=16), seed=3)
    assert two.pixels_read in (3 + 3, 3 + 8)  # corner + corner, or corner + centre
    # 7 pixels: still one seed
    one = grown_labels(path, [1, 2, 3], 1, known, empty,
                       SemiSupervisedConfig(grow_radius=1, pixel_budget=7), seed=3)
    assert one.pixels_read in (3, 8)
    with pytest.raises(CancelledError):
        grown_labels(path, [1, 2, 3], 1, known, empty, SemiSupervisedConfig(grow_radius=1),
                     seed=0, is_cancelled=lambda: True)
    nothing = grown_labels(path, [1, 2, 3], 1, (np.empty(0, np.int64),) * 3
                           + (np.empty((0, 3)),), empty, SemiSupervisedConfig(), seed=0)
    assert nothing.values.size == 0 and nothing.pixels_read == 0 and nothing.noise is None
    assert nothing.spectra.shape == (0, 3)


@pytest.mark.parametrize("width,height,budget,tile,expected", [
    (4, 5, 20, 2, [(0, 0, 4, 5)]),
    (4, 5, 100, 2, [(0, 0, 4, 5)]),
])
def test_windows_the_whole_raster_within_the_budget(width, height, budget, tile, expected):
    assert pseudo_label_windows(width, height, budget, tile, seed=1) == expected


@settings(max_examples=60, deadline=None)
@given(width=st.integers(1, 40), height=st.integers(1, 40), budget=st.integers(1, 400),
       tile=st.integers(1, 12), seed=st.integers(0, 1000))
def test_windows_are_grid_cells_within_the_budget(width, height, budget, tile, seed):
    windows = pseudo_label_windows(width, height, budget, tile, seed)
    if width * height <= budget:
        assert windows == [(0, 0, width, height)]
        return
    cells = [(c, r, min(tile, width - c), min(tile, height - r))
             for r in range(0, height, tile) for c in range(0, width, tile)]
    assert windows == sorted(windows, key=cells.index)  # in reading order
    assert len(set(windows)) == len(windows) and set(windows) <= set(cells)
    total = sum(w * h for _, _, w, h in windows)
    assert total <= budget
    if any(w * h <= budget for _, _, w, h in cells):
        assert windows  # a cell that fits is always found
        left = [w * h for cell in cells if cell not in windows for _, _, w, h in [cell]]
        assert not left or total + min(left) > budget or total > 0
    else:
        assert windows == []
    assert pseudo_label_windows(width, height, budget, tile, seed) == windows


def test_windows_drawn_at_random_by_hand():
    """4 x 4 raster, tiles of 2: four cells of 4 pixels; a budget of 9 takes two."""
    windows = pseudo_label_windows(4, 4, 9, 2, seed=0)
    order = np.random.default_rng(0).permutation(4)
    cells = [(0, 0, 2, 2), (2, 0, 2, 2), (0, 2, 2, 2), (2, 2, 2, 2)]
    assert windows == [cells[i] for i in sorted(order[:2])]
    # edge cells are smaller: 5 x 3 with tiles of 2 -> cells of 4, 4, 2, 2, 2, 1
    small = pseudo_label_windows(5, 3, 3, 2, seed=5)
    assert sum(w * h for _, _, w, h in small) <= 3 and small


def test_inside_marks_the_pixels_of_the_window():
    rows, cols = np.array([1, 2, 5, 2, 0]), np.array([3, 4, 4, 1, 9])
    marked = _inside(rows, cols, None, None, (3, 1, 2, 2))  # columns 3-4, rows 1-2
    assert marked.reshape(2, 2).tolist() == [[True, False], [False, True]]


@pytest.mark.parametrize("changes", [
    dict(pixel_budget=1, tile=1), dict(threshold=0.0), dict(threshold=1.0),
    dict(per_class=1, rounds=0, round_cost=0.01), dict(grow_radius=0),
    dict(grow_angle=0.01, grow_angle_cap=0.01), dict(grow_angle_cap=3.14),
    dict(grow_noise_factor=0.0), dict(grow_cost=0.01),
])
def test_semi_supervised_settings_at_their_bounds(changes):
    SemiSupervisedConfig(**changes).validate()


@pytest.mark.parametrize("changes,message", [
    (dict(pixel_budget=0), "budget and the tile side"), (dict(tile=0), "tile side"),
    (dict(lop_size=2), "odd"), (dict(threshold=-0.01), r"threshold must be in \[0, 1\]"),
    (dict(threshold=1.01), "threshold"), (dict(per_class=0), "per class"),
    (dict(rounds=-1), "rounds at least 0"), (dict(round_cost=0.0), "round cost"),
    (dict(grow_radius=-1), "growing radius"), (dict(grow_angle=0.0), "growing radius"),
    (dict(grow_angle=math.pi), "growing radius"), (dict(grow_cost=0.0), "growing radius"),
    (dict(grow_noise_factor=-0.1), "growing radius"),
    (dict(grow_angle=0.3), r"cap \(0.25 rad\) must be at least its floor \(0.3 rad\)"),
    (dict(grow_angle_cap=math.pi), "below pi"),
])
def test_bad_semi_supervised_settings(changes, message):
    with pytest.raises(CrnnError, match=message):
        SemiSupervisedConfig(**changes).validate()


def test_defaults_and_summary_by_hand():
    config = SemiSupervisedConfig()
    assert (config.pixel_budget, config.tile, config.grow_radius, config.grow_angle,
            config.grow_noise_factor, config.grow_angle_cap, config.rounds) == (
        65536, 32, 3, 0.08, 2.0, GROW_ANGLE_CAP, 0)
    assert GROW_ANGLE_CAP == 0.25 and config.to_dict()["grow_cost"] == 3.0
    found = PseudoLabels(np.zeros((3, 2)), np.array([10, 20, 10]), np.zeros(3, int),
                         np.zeros(3, int), pixels_read=9, candidates=5,
                         validation_pixels=3, validation_agree=2, validation_confident=0)
    classes = [ClassInfo(10, "a", "#000000"), ClassInfo(20, "b", "#000000"),
               ClassInfo(30, "c", "#000000")]
    assert found.summary(classes) == {
        "unlabelled_pixels": 9, "confident_pixels": 5, "pseudo_labels": 3,
        "pseudo_label_counts": {"a": 2, "b": 1, "c": 0}, "validation_pixels": 3,
        "validation_agreement": 0.6667, "validation_confident": 0,
        "validation_confident_agreement": None}
    found.angle, found.noise, found.cap, found.capped = 0.1234567, 0.0456789, 0.25, True
    summary = found.summary(classes)
    assert (summary["angle"], summary["adjacent_angle"], summary["angle_cap"],
            summary["angle_capped"], summary["too_noisy"]) == (0.12346, 0.04568, 0.25, True,
                                                               False)
    found.noise = None
    assert found.summary(classes)["adjacent_angle"] is None
