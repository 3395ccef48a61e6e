"""The LOP against a plain-loop reference written here, for every weighting.

The reference follows the pool's definition pixel by pixel, neighbour by neighbour:
P'(y_i) = sum_j w_ij P(y_j) / sum_j w_ij over the valid neighbours j in the window, with
the Gaussian's weights written out as numbers (sigma = window / 4) and the edge weight
exp(-|g_j - g_i|^2 / 2h^2) on top; k iterations are k single passes. It shares no code
with models/lop.py, so a wrong kernel, a skipped iteration or a wrong distance scale in
the product fails here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hyperspectral_crnn.models.lop import lop_fuse

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
