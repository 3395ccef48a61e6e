"""The spectral-spatial input option: window means, block by block and from polygons."""

import numpy as np
import pytest
from scenes import square_wkb, write_raster

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.network.config import NetworkConfig
from hyperspectral_crnn.models.network.window import window_mean
from hyperspectral_crnn.models.training.samples import read_training_pixels


def brute_force(spectra, valid, window):
    rows, cols, bands = spectra.shape
    radius = window // 2
    out = np.zeros((rows, cols, bands))
    for r in range(rows):
        for c in range(cols):
            r0, c0 = max(0, r - radius), max(0, c - radius)
            patch = spectra[r0:r + radius + 1, c0:c + radius + 1]
            ok = valid[r0:r + radius + 1, c0:c + radius + 1]
            if ok.any():
                out[r, c] = patch[ok].astype(np.float64).mean(axis=0)
    return out


@pytest.mark.parametrize("window", [1, 3, 5])
def test_window_mean_is_the_mean_of_valid_neighbours(window):
    rng = np.random.default_rng(0)
    spectra = rng.normal(1000, 100, (9, 11, 4)).astype(np.float32)
    valid = rng.random((9, 11)) > 0.2
    spectra[~valid] = np.nan  # invalid pixels may hold anything
    valid[0:3, 0:3] = False  # a corner with no valid pixel in a 3x3 window
    means = window_mean(spectra, valid, window)
    expected = brute_force(spectra, valid, window)
    if window == 1:
        expected[~valid] = spectra[~valid]
    np.testing.assert_allclose(means[valid], expected[valid], rtol=1e-6)
    assert means.dtype == np.float32


def test_a_block_with_its_halo_gives_the_whole_image_result():
    rng = np.random.default_rng(1)
    spectra = rng.normal(500, 80, (30, 25, 6)).astype(np.float32)
    valid = rng.random((30, 25)) > 0.1
    whole = window_mean(spectra, valid, 5)
    block = window_mean(spectra[8:20, 4:17], valid[8:20, 4:17], 5)  # halo of 2 around 10:18, 6:15
    np.testing.assert_array_equal(block[2:10, 2:11], whole[10:18, 6:15])


@pytest.mark.parametrize("window", [0, 2, -3])
def test_even_or_non_positive_windows_are_refused(window):
    with pytest.raises(CrnnError, match="odd number of pixels"):
        NetworkConfig(input_window=window).validate()
    with pytest.raises(CrnnError, match="odd number of pixels"):
        window_mean(np.zeros((3, 3, 2), np.float32), np.ones((3, 3), bool), window)


def test_training_pixels_read_the_window_means(tmp_path):
    """Polygons at the raster's edge and beside nodata: the means of the image around them."""
    rng = np.random.default_rng(2)
    data = rng.normal(1000, 50, (3, 20, 16)).astype(np.float32)
    data[:, 6, 6] = -9999
    path = write_raster(tmp_path / "cube.tif", data, transform=(0.0, 1.0, 0.0, 20.0, 0.0, -1.0),
                        nodata=-9999)

    # rows 0-2 x columns 0-3 (the top-left corner) and rows 5-7 x columns 5-7
    polygons = [(square_wkb(0, 17, 4, 20), 0), (square_wkb(5, 12, 8, 15), 1)]
    pixels = read_training_pixels(path, [1, 2, 3], polygons, input_window=3, rows_per_read=2)
    valid = np.ones((20, 16), bool)
    valid[6, 6] = False
    expected = window_mean(data.transpose(1, 2, 0), valid, 3)[pixels.rows, pixels.cols]
    np.testing.assert_array_equal(pixels.spectra, expected)
    assert pixels.dropped_nodata == 1 and len(pixels.labels) == 12 + 9 - 1
    plain = read_training_pixels(path, [1, 2, 3], polygons, rows_per_read=2)
    np.testing.assert_array_equal(plain.spectra, data[:, plain.rows, plain.cols].T)
    np.testing.assert_array_equal(plain.neighbours[0], pixels.neighbours[0])
