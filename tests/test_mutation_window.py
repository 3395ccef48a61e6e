"""models/window.window_mean against a plain loop over each pixel's window: the mean of
the valid pixels inside the image, zeros where there is none. Windows up to 9, images down
to one row or column, NaN and Inf under invalid pixels (``make mutation``'s window
target)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperspectral_crnn.models.network.window import window_mean


def reference(spectra: np.ndarray, valid: np.ndarray, window: int) -> np.ndarray:
    rows, cols, bands = spectra.shape
    r = window // 2
    out = np.zeros((rows, cols, bands))
    for i in range(rows):
        for j in range(cols):
            picked = [spectra[a, b].astype(np.float64)
                      for a in range(max(0, i - r), min(rows, i + r + 1))
                      for b in range(max(0, j - r), min(cols, j + r + 1)) if valid[a, b]]
            if picked:
                out[i, j] = np.mean(picked, axis=0)
    return out


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 6), cols=st.integers(1, 6), bands=st.integers(1, 3),
       window=st.sampled_from([1, 3, 5, 7, 9]), seed=st.integers(0, 10 ** 6),
       share=st.sampled_from([0.0, 0.3, 0.7, 1.0]))
def test_window_mean_is_the_plain_mean_of_valid_neighbours(rows, cols, bands, window, seed,
                                                           share):
    rng = np.random.default_rng(seed)
    spectra = rng.integers(-500, 3000, (rows, cols, bands)).astype(np.float32)
    valid = rng.random((rows, cols)) >= share
    spectra[~valid] = np.where(rng.random(((~valid).sum(), bands)) < 0.5, np.nan, np.inf)
    got = window_mean(spectra, valid, window)
    assert got.dtype == np.float32 and got.shape == spectra.shape
    expected = reference(spectra, valid, window)
    # window 1 copies the pixels as they are: invalid ones keep their values (nodata)
    keep = valid if window == 1 else np.ones_like(valid)
    np.testing.assert_allclose(got[keep], expected[keep], rtol=1e-5, atol=1e-3)


def test_isolated_pixels_by_hand():
    """A valid pixel alone in its window keeps its spectrum; a pixel with no valid pixel
    within reach gets zeros."""
    spectra = np.full((5, 5, 2), 7.0, np.float32)
    spectra[0, 0] = [4.0, -2.0]
    valid = np.zeros((5, 5), bool)
    valid[0, 0] = True
    got = window_mean(spectra, valid, 3)
    np.testing.assert_array_equal(got[0, 0], [4.0, -2.0])
    np.testing.assert_array_equal(got[1, 1], [4.0, -2.0])
    np.testing.assert_array_equal(got[2:, :], 0.0)
    np.testing.assert_array_equal(got[:, 2:], 0.0)


@pytest.mark.parametrize("shape", [(1, 1), (1, 4), (4, 1), (2, 2)])
@pytest.mark.parametrize("window", [3, 5, 7])
def test_tiny_images_by_hand(shape, window):
    """Every pixel of an image smaller than the window sees all of it."""
    rows, cols = shape
    spectra = np.arange(rows * cols * 2, dtype=np.float32).reshape(rows, cols, 2)
    valid = np.ones(shape, bool)
    got = window_mean(spectra, valid, window)
    if window // 2 >= max(rows, cols) - 1:
        np.testing.assert_allclose(got, np.broadcast_to(spectra.mean(axis=(0, 1)), got.shape))
    np.testing.assert_allclose(got, reference(spectra, valid, window), rtol=1e-6)
