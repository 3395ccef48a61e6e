"""The spectral-spatial input option: the network reads a window's mean spectrum.

With ``NetworkConfig.input_window`` = w > 1, each pixel's spectrum is replaced by the mean
spectrum of the valid pixels in the w x w window around it, in training and in
classification alike. This is an extension of the paper's method (which reads one
pixel's spectrum and leaves the spatial part to the LOP), so it is off (w = 1) by
default and labelled wherever it is benchmarked.

The sums add shifted slices in a fixed order, so a pixel's mean is bit-for-bit the same
whether it is computed in a block (with a halo of ``w // 2``) or in the whole image.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np

from ..rasters.raster import SpectralRaster
from .config import check_input_window


def window_mean(spectra: np.ndarray, valid: np.ndarray, window: int) -> np.ndarray:
    """Mean spectrum of the valid pixels in each pixel's window, float32.

    Args:
        spectra: (rows, cols, bands) raw values; invalid pixels may hold anything.
        valid: (rows, cols) True where the pixel has data.
        window: odd side of the window; pixels outside the array do not count.

    A pixel with no valid pixel in its window gets zeros (it is nodata anyway).
    """
    check_input_window(window)
    spectra = np.asarray(spectra, np.float32)
    if window == 1:
        return spectra.copy()
    radius = window // 2
    rows, cols = valid.shape
    weight = valid.astype(np.float32)
    padded = np.zeros((rows + 2 * radius, cols + 2 * radius, spectra.shape[2] + 1), np.float32)
    # copied where valid, not multiplied by the mask: an invalid pixel may hold NaN or Inf
    np.copyto(padded[radius:radius + rows, radius:radius + cols, :-1], spectra,
              where=valid[..., None])
    padded[radius:radius + rows, radius:radius + cols, -1] = weight
    down = padded[0:rows].copy()  # sums along the rows, then along the columns
    for shift in range(1, window):
        down += padded[shift:shift + rows]
    del padded  # at most two block-sized temporaries at a time
    total = down[:, 0:cols].copy()
    for shift in range(1, window):
        total += down[:, shift:shift + cols]
    del down
    count = total[..., -1:]
    return np.divide(total[..., :-1], count, out=np.zeros_like(spectra), where=count > 0)


def network_input(spectra: np.ndarray, valid: np.ndarray, window: int) -> np.ndarray:
    """What the network reads at each pixel of a block (rows, cols, bands), float32: its
    own spectrum, or with ``window`` > 1 the window mean (``window_mean``; the block must
    hold the window's halo around the pixels used). Training (models/training/samples.py)
    and classification (``read_network_input``) both take it from here."""
    if window == 1:
        return np.asarray(spectra, np.float32)
    return window_mean(spectra, valid, window)


def read_network_input(raster: SpectralRaster, col: int, row: int, width: int, height: int,
                       input_window: int, dtype: type = np.float32
                       ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A window of ``raster``'s pixels as the network reads them: (their own spectra
    (height x width, bands) as ``dtype``, the network's input (``network_input``, float32;
    with ``input_window`` > 1 read with its halo), valid (height x width,))."""
    radius = input_window // 2
    x0, y0 = max(0, col - radius), max(0, row - radius)
    x1 = min(raster.width, col + width + radius)
    y1 = min(raster.height, row + height + radius)
    region, region_valid = raster.read(x0, y0, x1 - x0, y1 - y0, dtype)
    inner = (slice(row - y0, row - y0 + height), slice(col - x0, col - x0 + width))
    own = region[inner].reshape(height * width, raster.n_bands)
    valid = region_valid[inner].reshape(height * width)
    if not radius:
        return own, network_input(own, valid, 1), valid
    inputs = network_input(region, region_valid, input_window)[inner]
    return own, inputs.reshape(height * width, raster.n_bands), valid
