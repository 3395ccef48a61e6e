"""Which bands show a hyperspectral raster in true colour: the choice, without QGIS.

A remote-sensing user expects a scene to open as the eye would see it, not as bands
1-2-3. :func:`true_colour_bands` picks the bands nearest the red, green and blue
targets from their wavelengths (models/rasters/bands.py reads them); algorithms/styling.py turns
the choice into a QGIS renderer with a percentile stretch (:data:`STRETCH_PERCENT`).
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

from .bands import BandInfo

TRUE_COLOUR_NM = (640.0, 550.0, 460.0)
"""Red, green and blue targets in nanometres: red, green and blue light as a colour
camera sees it, the usual true-colour choice for imaging spectrometers."""
MAX_OFFSET_NM = 40.0
"""The farthest a band may lie from its target: beyond it the scene has no band of that
colour (a SWIR-only sensor, a gap in the spectrum) and QGIS's default rendering stays."""
STRETCH_PERCENT = (2.0, 98.0)
"""Cumulative count cut of each channel's stretch: the darkest and brightest 2 % of the
pixels saturate, so a few bright roofs or clouds do not darken the whole picture."""


def true_colour_bands(bands: Sequence[BandInfo]) -> Optional[Tuple[int, int, int]]:
    """The 1-based (red, green, blue) band numbers nearest 640 / 550 / 460 nm.

    Bands without a wavelength and bands flagged bad are not candidates. None when a
    target has no band within :data:`MAX_OFFSET_NM`, or two targets would share a band:
    then the raster keeps QGIS's default rendering.
    """
    candidates = [band for band in bands if band.wavelength is not None and not band.bad]
    chosen = []
    for target in TRUE_COLOUR_NM:
        if not candidates:
            return None
        nearest = min(candidates, key=lambda band: (abs(band.wavelength - target), band.index))
        if abs(nearest.wavelength - target) > MAX_OFFSET_NM:
            return None
        chosen.append(nearest.index)
    if len(set(chosen)) < 3:
        return None
    return chosen[0], chosen[1], chosen[2]
