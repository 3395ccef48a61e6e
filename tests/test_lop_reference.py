"""The LOP against a plain-loop reference written here, for every weighting.

The reference follows the pool's definition pixel by pixel, neighbour by neighbour:
P'(y_i) = sum_j w_ij P(y_j) / sum_j w_ij over the valid neighbours j in the window, with
the Gaussian's weights written out as numbers (sigma = window / 4) and the edge weight
exp(-|g_j - g_i|^2 / 2h^2) on top; k iterations are k single passes. It shares no code
with models/engine/lop.py, so a wrong kernel, a skipped iteration or a wrong distance scale in
the product fails here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.engine.lop import halo, lop_fuse

# exp(-o^2 / (2 sigma^2)) at offsets 0, 1, 2 with sigma = 3/4 (3x3) and 5/4 (5x5)
GAUSSIAN_1D = {3: [0.41111229, 1.0, 0.41111229],
               5: [0.27803730, 0.72614904, 1.0, 0.72614904, 0.27803730]}


def test_the_written_out_gaussian_weights():
    for size, weights in GAUSSIAN_1D.items():
        sigma = size / 4
        for offset, weight in zip(range(-(size // 2), size // 2 + 1), weights):
            assert weight == pytest.approx(math.exp(-offset ** 2 / (2 * sigma ** 2)), abs=1e-8)


def reference_pass(p, valid, size, weights, guide=None, edge_scale=1.0):
    classes, rows, cols = p.shape
    radius = size // 2
    out = np.zeros_like(p, dtype=np.float64)
    for r in range(rows):
        for c in range(cols):
            if not valid[r, c]:
                continue
            total, pooled = 0.0, np.zeros(classes)
            for dr in range(-radius, radius + 1):
                for dc in range(-radius, radius + 1):
                    rr, cc = r + dr, c + dc
                    if not (0 <= rr < rows and 0 <= cc < cols) or not valid[rr, cc]:
                        continue
                    if weights == "uniform":
                        w = 1.0
                    else:
                        w = GAUSSIAN_1D[size][dr + radius] * GAUSSIAN_1D[size][dc + radius]
                    if weights == "edge":
                        distance2 = float(np.sum((guide[:, rr, cc] - guide[:, r, c]) ** 2))
                        w *= math.exp(-distance2 / (2 * edge_scale ** 2))
                    total += w
                    pooled += w * p[:, rr, cc]
            out[:, r, c] = pooled / total
    return out


def scene(seed=0, classes=3, rows=9, cols=11):
    rng = np.random.default_rng(seed)
    p = rng.random((classes, rows, cols))
    p /= p.sum(axis=0)
    valid = rng.random((rows, cols)) > 0.15  # holes of nodata
    guide = rng.normal(0, 1, (2, rows, cols))
    return p.astype(np.float32), valid, guide.astype(np.float32)


@pytest.mark.parametrize("iterations", [1, 2, 3])
@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.parametrize("weights", ["uniform", "gaussian", "edge"])
def test_lop_equals_the_plain_loop(weights, size, iterations):
    p, valid, guide = scene(seed=size * 10 + iterations)
    edge_scale = 1.3
    expected = p.astype(np.float64) * valid
    for _ in range(iterations):
        expected = reference_pass(expected, valid, size, weights, guide, edge_scale)
    fused = lop_fuse(p, valid, size, weights, iterations, guide, edge_scale)
    np.testing.assert_allclose(fused, expected, atol=2e-6)
    assert np.all(fused[:, ~valid] == 0)


@pytest.mark.parametrize("weights", ["uniform", "gaussian", "edge"])
def test_k_iterations_are_k_single_passes(weights):
    p, valid, guide = scene(seed=5, rows=14, cols=12)
    once = p
    for _ in range(3):
        once = lop_fuse(once, valid, 3, weights, 1, guide, 0.8)
    np.testing.assert_allclose(lop_fuse(p, valid, 3, weights, 3, guide, 0.8), once,
                               atol=1e-6)
    # and more passes smooth more: the third pass is not the first
    assert not np.allclose(lop_fuse(p, valid, 3, weights, 1, guide, 0.8), once, atol=1e-3)


def test_the_edge_scale_sets_where_a_neighbour_counts():
    """Two pixels whose guides differ by exactly the scale: the neighbour's weight is
    the spatial weight times exp(-1/2), by hand."""
    p = np.array([[[1.0, 0.0]], [[0.0, 1.0]]], np.float32)  # 2 classes, 1 row, 2 cols
    guide = np.array([[[0.0, 2.0]]], np.float32)  # distance 2 between the pixels
    fused = lop_fuse(p, None, 3, "edge", 1, guide, edge_scale=2.0)
    neighbour = GAUSSIAN_1D[3][0] * math.exp(-0.5)  # same row, one column away
    assert fused[0, 0, 0] == pytest.approx(1.0 / (1.0 + neighbour), abs=1e-6)
    assert fused[1, 0, 0] == pytest.approx(neighbour / (1.0 + neighbour), abs=1e-6)
    # a scale 100x larger makes the edge pool the plain Gaussian pool
    wide = lop_fuse(p, None, 3, "edge", 1, guide, edge_scale=200.0)
    gaussian = lop_fuse(p, None, 3, "gaussian", 1)
    np.testing.assert_allclose(wide, gaussian, atol=1e-4)
    assert not np.allclose(fused, gaussian, atol=1e-2)


# ---------------------------------------------------------------------------------------
# What the mutation run (docs/testing.md) showed unchecked: the reach, the defaults, the
# arguments' bounds, no division by zero at holes, small edge scales.


@pytest.mark.parametrize("weights", ["uniform", "gaussian", "edge"])
@pytest.mark.parametrize("size, iterations", [(3, 1), (3, 2), (5, 1), (5, 2), (3, 3)])
def test_a_pixel_reads_exactly_halo_pixels_far(weights, size, iterations):
    """halo(size, iterations) = radius x iterations: a change that far from a pixel
    reaches it, one pixel further does not (the streamed classification relies on it)."""
    reach = (size // 2) * iterations
    assert halo(size, iterations) == reach
    n = 2 * reach + 3
    p, _, guide = scene(seed=3, rows=n, cols=n)
    guide[:] = 0.0  # the edge pool then weights like the Gaussian one: no zero weights
    centre = n // 2
    base = lop_fuse(p, None, size, weights, iterations, guide)
    for distance, reaches in ((reach, True), (reach + 1, False)):
        for dr, dc in ((distance, 0), (0, -distance), (distance, distance)):
            changed = p.copy()
            changed[:, centre + dr, centre + dc] = np.roll(changed[:, centre + dr,
                                                                   centre + dc], 1)
            fused = lop_fuse(changed, None, size, weights, iterations, guide)
            differs = not np.array_equal(fused[:, centre, centre], base[:, centre, centre])
            assert differs == reaches, (distance, dr, dc)
    assert halo(1, 5) == 0 and halo(7, 0) == 0


def test_the_defaults_are_one_uniform_3x3_pass_and_edge_scale_one():
    p, valid, guide = scene(seed=7)
    expected = reference_pass(p.astype(np.float64) * valid, valid, 3, "uniform")
    np.testing.assert_allclose(lop_fuse(p, valid), expected, atol=2e-6)
    expected = reference_pass(p.astype(np.float64) * valid, valid, 3, "edge", guide, 1.0)
    np.testing.assert_allclose(lop_fuse(p, valid, weights="edge", guide=guide), expected,
                               atol=2e-6)


def test_iterations_below_zero_are_refused_and_zero_changes_nothing():
    p, valid, guide = scene(seed=8)
    for iterations in (-1, -2):
        with pytest.raises(CrnnError, match="iterations"):
            lop_fuse(p, valid, 3, "uniform", iterations)
    for weights in ("uniform", "gaussian", "edge"):
        np.testing.assert_array_equal(lop_fuse(p, valid, 3, weights, 0, guide), p * valid)
    for size in (0, -1, -3, 2, 4, 6):
        with pytest.raises(CrnnError, match="odd"):
            lop_fuse(p, valid, size)


def test_no_fusion_needs_no_guide_for_the_edge_weighting():
    """Window 1 or 0 iterations: the posteriors come back masked, even for 'edge' without
    the guide (classification computes no guide then)."""
    p, valid, _ = scene(seed=9)
    np.testing.assert_array_equal(lop_fuse(p, valid, 1, "edge", 2), p * valid)
    np.testing.assert_array_equal(lop_fuse(p, valid, 5, "edge", 0), p * valid)
    with pytest.raises(CrnnError, match="guide"):
        lop_fuse(p, valid, 3, "edge", 1)


def test_probabilities_must_be_classes_rows_cols():
    p, _, _ = scene(seed=10)
    for wrong in (p[0], p[None], p[0, 0]):
        with pytest.raises(CrnnError, match="classes, rows, cols"):
            lop_fuse(wrong)


@pytest.mark.parametrize("rows, cols", [(8, 11), (10, 11), (9, 10), (9, 12), (8, 12)])
def test_a_guide_of_other_pixels_is_refused(rows, cols):
    p, valid, _ = scene(seed=11, rows=9, cols=11)
    guide = np.zeros((2, rows, cols), np.float32)
    with pytest.raises(CrnnError, match="same pixels"):
        lop_fuse(p, valid, 3, "edge", 1, guide)


def test_weightings_named_by_strings_built_at_run_time():
    """A weighting read from a file or a dialog is an equal string, not the same object."""
    p, valid, guide = scene(seed=12)
    for weights in ("uniform", "gaussian", "edge"):
        built = "".join(list(weights))
        assert built == weights and built is not weights
        np.testing.assert_array_equal(lop_fuse(p, valid, 3, built, 2, guide),
                                      lop_fuse(p, valid, 3, weights, 2, guide))
    assert not np.allclose(lop_fuse(p, valid, 3, "uniform"), lop_fuse(p, valid, 3, "gaussian"))


@pytest.mark.parametrize("weights", ["uniform", "gaussian", "edge"])
def test_nodata_holes_divide_nothing_by_zero(weights):
    p, valid, guide = scene(seed=13)
    assert (~valid).sum() > 5
    with np.errstate(all="raise"):
        fused = lop_fuse(p, valid, 5, weights, 2, guide, 0.7)
    assert np.all(fused[:, ~valid] == 0) and np.all(np.isfinite(fused))


@pytest.mark.parametrize("edge_scale", [0.3, 0.05])
def test_small_edge_scales_against_the_plain_loop(edge_scale):
    p, valid, guide = scene(seed=14)
    guide *= 0.1  # neighbours' distances of the order of the scale
    expected = reference_pass(p.astype(np.float64) * valid, valid, 3, "edge", guide,
                              edge_scale)
    np.testing.assert_allclose(lop_fuse(p, valid, 3, "edge", 1, guide, edge_scale),
                               expected, atol=2e-6)


def test_an_edge_scale_of_zero_keeps_only_neighbours_with_the_same_guide():
    p, valid, _ = scene(seed=15, rows=6, cols=6)
    guide = np.zeros((1, 6, 6), np.float32)
    guide[0, :, 3:] = 1.0  # two fields, left and right
    fused = lop_fuse(p, valid, 3, "edge", 1, guide, edge_scale=0.0)
    assert np.all(np.isfinite(fused))
    expected = np.zeros_like(fused)
    for r in range(6):
        for c in range(6):
            if not valid[r, c]:
                continue
            same = [(rr, cc) for rr in range(max(0, r - 1), min(6, r + 2))
                    for cc in range(max(0, c - 1), min(6, c + 2))
                    if valid[rr, cc] and guide[0, rr, cc] == guide[0, r, c]]
            weights = [GAUSSIAN_1D[3][rr - r + 1] * GAUSSIAN_1D[3][cc - c + 1]
                       for rr, cc in same]
            expected[:, r, c] = sum(w * p[:, rr, cc] for w, (rr, cc) in zip(weights, same))
            expected[:, r, c] /= sum(weights)
    np.testing.assert_allclose(fused, expected, atol=2e-6)
