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

import numpy as np

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
