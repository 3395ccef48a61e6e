"""The linear opinion pool on arrays: renormalisation, nodata, halo, weightings."""

import numpy as np
import pytest

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.engine.lop import LOP_WEIGHTS, halo, lop_fuse


def random_posteriors(rng, classes=4, rows=23, cols=31):
    p = rng.random((classes, rows, cols)).astype(np.float32)
    return p / p.sum(axis=0)


@pytest.mark.parametrize("weights", LOP_WEIGHTS)
def test_posteriors_stay_normalised_and_borders_unbiased(weights):
    rng = np.random.default_rng(1)
    p = random_posteriors(rng)
    guide = rng.normal(size=(3,) + p.shape[1:]).astype(np.float32)
    fused = lop_fuse(p, None, 5, weights, 3, guide, 1.0)
    np.testing.assert_allclose(fused.sum(axis=0), 1.0, atol=1e-5)
    constant = np.broadcast_to(np.array([0.7, 0.1, 0.1, 0.1], np.float32)[:, None, None], p.shape)
    np.testing.assert_allclose(lop_fuse(constant, None, 3, weights, 2, guide, 1.0), constant,
                               atol=1e-6)


def test_uniform_3x3_is_the_neighbourhood_mean():
    rng = np.random.default_rng(2)
    p = random_posteriors(rng, rows=5, cols=5)
    fused = lop_fuse(p, None, 3, "uniform", 1)
    np.testing.assert_allclose(fused[:, 2, 2], p[:, 1:4, 1:4].mean(axis=(1, 2)), rtol=1e-6)
    # a corner pools its 4 in-image neighbours only
    np.testing.assert_allclose(fused[:, 0, 0], p[:, :2, :2].mean(axis=(1, 2)), rtol=1e-6)


def test_nodata_neither_receives_nor_casts_a_vote():
    p = np.zeros((2, 3, 3), np.float32)
    p[0] = 1.0
    p[:, 1, 2] = [0.0, 1.0]  # an invalid pixel voting for class 1
    valid = np.ones((3, 3), bool)
    valid[1, 2] = False
    fused = lop_fuse(p, valid, 3, "uniform", 1)
    assert np.all(fused[:, 1, 2] == 0)
    np.testing.assert_allclose(fused[0][valid], 1.0)


def test_edge_weights_keep_a_boundary_sharp():
    # two fields side by side with different spectra and an unsure network
    labels = np.zeros((20, 20), int)
    labels[:, 10:] = 1
    p = np.stack([labels == 0, labels == 1]).astype(np.float32) * 0.6 + 0.2
    guide = np.where(labels == 0, 0.0, 5.0)[None].astype(np.float32)
    uniform = lop_fuse(p, None, 5, "uniform", 5).argmax(0)
    edge = lop_fuse(p, None, 5, "edge", 5, guide, 1.0)
    assert np.array_equal(edge.argmax(0), labels)
    # the edge pool keeps full confidence next to the boundary; the uniform one does not
    assert edge[0, 5, 9] > 0.79
    assert np.array_equal(uniform, labels)  # symmetric case: still right, but blurred
    assert lop_fuse(p, None, 5, "uniform", 5)[0, 5, 9] < 0.7


@pytest.mark.parametrize("weights", LOP_WEIGHTS)
def test_a_block_with_its_halo_equals_the_whole_image(weights):
    rng = np.random.default_rng(4)
    p = random_posteriors(rng, rows=40, cols=50)
    guide = rng.normal(size=(3, 40, 50)).astype(np.float32)
    valid = rng.random((40, 50)) > 0.1
    size, iterations = 5, 3
    whole = lop_fuse(p, valid, size, weights, iterations, guide, 1.5)
    h = halo(size, iterations)
    r0, r1, c0, c1 = 12, 27, 20, 33
    block = np.s_[max(r0 - h, 0) : r1 + h, max(c0 - h, 0) : c1 + h]
    part = lop_fuse(p[(slice(None),) + block], valid[block], size, weights, iterations,
                    guide[(slice(None),) + block], 1.5)
    inner = part[:, r0 - max(r0 - h, 0) : r0 - max(r0 - h, 0) + r1 - r0,
                 c0 - max(c0 - h, 0) : c0 - max(c0 - h, 0) + c1 - c0]
    np.testing.assert_allclose(inner, whole[:, r0:r1, c0:c1], atol=1e-6)


@pytest.mark.parametrize("size", [0, 2, -3])
def test_even_or_negative_window_is_refused(size):
    with pytest.raises(CrnnError, match="odd"):
        lop_fuse(np.ones((2, 3, 3), np.float32), None, size)


def test_window_one_changes_nothing():
    rng = np.random.default_rng(5)
    p = random_posteriors(rng)
    np.testing.assert_array_equal(lop_fuse(p, None, 1, "uniform", 4), p)


def test_nan_guide_at_nodata_does_not_leak_into_the_edge_pool():
    p = np.full((2, 5, 5), 0.5, np.float32)
    valid = np.ones((5, 5), bool)
    valid[2, 2] = False
    guide = np.zeros((1, 5, 5), np.float32)
    guide[0, 2, 2] = np.nan
    fused = lop_fuse(p, valid, 3, "edge", 2, guide, 1.0)
    assert np.isfinite(fused).all()
    np.testing.assert_allclose(fused[:, valid], 0.5, rtol=1e-6)
