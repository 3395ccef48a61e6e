"""Spectra scaled to unit length: what the network and the edge LOP read (``unit_length``).

Brightness differences within a class (shading, illumination, soil moisture) scale a
pixel's whole spectrum; dividing by its Euclidean length removes them and keeps the
spectrum's shape, as the spectral angle does. Classes told apart by brightness alone
lose that cue, so ``NetworkConfig.unit_length`` can be turned off.
"""

from __future__ import annotations

import numpy as np


def scale_spectra(spectra: np.ndarray, unit_length: bool) -> np.ndarray:
    """(pixels, bands) raw values -> float32, of Euclidean length 1 where ``unit_length``.

    The one place a model's raw spectra are scaled, ahead of its standardisation: in
    training, in classification and for the edge LOP's guide alike. An all-zero spectrum
    stays zero.
    """
    spectra = np.asarray(spectra, np.float32)
    if not unit_length:
        return spectra
    length = np.sqrt(np.einsum("ij,ij->i", spectra, spectra, dtype=np.float64))
    length[length == 0] = 1.0
    # divided in float64 and written straight to float32: no full-size float64 copy
    return np.divide(spectra, length[:, None], out=np.empty_like(spectra), casting="same_kind")
