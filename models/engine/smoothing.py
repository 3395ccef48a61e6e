"""LOP smoothing of another tool's class probabilities (or ours): a K-band raster, one
class probability per band, fused and mapped to its most probable class.

``smooth_probabilities`` streams the raster through the local engine
(``inference.run_streaming``) with the probabilities read as they are in place of the
network's. ``check_probabilities`` first refuses a raster that is not probabilities (a
reflectance cube, scores, percentages), on a sample of its pixels, and says what it
looks like instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence

import numpy as np
from osgeo import gdal

from ..common.callbacks import NO_HOOKS, Hooks
from ..common.classes import ClassInfo
from ..common.errors import CrnnError
from ..common.palette import class_colour
from ..rasters.files import open_raster
from ..rasters.raster import SpectralRaster
from .inference import ClassificationSummary, run_streaming
from .outputs import check_output_paths
from .request import ClassificationRequest
from .tiles import class_type

#: ``check_probabilities`` looks at up to this many rows and, in each, columns (spread
#: evenly over the raster): 4096 pixels, a few row reads, whatever the raster's size.
PROBABILITY_SAMPLE = 64
#: A value may lie this far outside 0-1 (float rounding, a tool's clipping).
PROBABILITY_TOLERANCE = 1e-3
#: A pixel's bands may sum this far from 1: float32 posteriors sum to 1 within 1e-6; this
#: admits probabilities rounded to 3 decimals over up to 20 classes (20 x 0.0005).
PROBABILITY_SUM_TOLERANCE = 0.01
#: The share of sampled pixels that may fail those rules (a few odd pixels at the edges); a
#: reflectance cube or scores fail at nearly every pixel.
PROBABILITY_OUTLIERS = 0.01
#: Probabilities stored rounded (whole percent / 100, bytes / 255, 2 decimals) may sum up
#: to K x step / 2 away from 1 over K classes: the sum tolerance grows with the step found
#: in the values, up to this bound (far below the sums of a reflectance cube or scores).
PROBABILITY_SUM_BOUND = 0.25


@dataclass(frozen=True)
class BandClasses:
    """The class of each band of a probability raster: band k is class ``values[k]``
    (default 1..K), named ``names[k]`` (default the band's description or 'class k'),
    coloured ``colours[k]`` (default the palette's)."""

    values: Optional[Sequence[int]] = None
    names: Optional[Sequence[str]] = None
    colours: Optional[Sequence[str]] = None

    def of_bands(self, dataset: gdal.Dataset) -> List[ClassInfo]:
        """The classes of ``dataset``'s bands; a CrnnError where they do not match."""
        n = dataset.RasterCount
        values = list(self.values) if self.values is not None else list(range(1, n + 1))
        if len(values) != n:
            raise CrnnError(
                f"The probability raster has {n} bands but {len(values)} class values were "
                "given: give one class value per band."
            )
        if len(set(values)) != n:
            raise CrnnError("The class values must be distinct.")
        names = list(self.names) if self.names is not None else [
            dataset.GetRasterBand(b + 1).GetDescription() or f"class {values[b]}"
            for b in range(n)
        ]
        colours = list(self.colours) if self.colours is not None else [
            class_colour(b) for b in range(n)
        ]
        if len(names) != n or len(colours) != n:
            raise CrnnError(f"Give one class name and one colour per band ({n} bands).")
        return [ClassInfo(int(v), str(a), str(c)) for v, a, c in zip(values, names, colours)]


def smooth_probabilities(
    probabilities_path: str,
    request: ClassificationRequest,
    classes: BandClasses = BandClasses(),
    hooks: Hooks = NO_HOOKS,
) -> ClassificationSummary:
    """LOP-fuse an existing K-band probability raster and write its class raster.

    Streams like ``classify_raster``, with the request's LOP and outputs (its
    probabilities output: the fused probabilities). A pixel with nodata, NaN or +-Inf in
    any band, or 0 in all of them, is nodata everywhere.
    Only 'uniform' and 'gaussian' weights: the 'edge' LOP needs the spectra, so smooth
    with it while classifying (``classify_raster``) instead.
    """
    lop = request.lop  # checked with the request
    if lop.weights == "edge":
        raise CrnnError(
            "The 'edge' LOP needs the pixels' spectra, which a probability raster does not "
            "hold. Use 'uniform' or 'gaussian' here, or classify with the model and the "
            "'edge' LOP."
        )
    outputs = check_output_paths(probabilities_path, request.outputs)
    dataset = open_raster(probabilities_path)
    if dataset.RasterCount < 1:
        raise CrnnError(f"The raster '{probabilities_path}' has no bands.")
    infos = classes.of_bands(dataset)
    class_type(infos)
    raster = SpectralRaster(probabilities_path, dataset=dataset)
    check_probabilities(raster, os.path.basename(probabilities_path))

    def produce(x: int, y: int, w: int, h: int, check: Callable[[], None]):
        check()
        block, valid = raster.read(x, y, w, h)
        return block.transpose(2, 0, 1), valid, None

    hooks.say(f"Smoothing {dataset.RasterXSize} x {dataset.RasterYSize} pixels, "
              f"{len(infos)} classes; {lop.describe()}.")
    return run_streaming(raster, produce, infos, outputs, lop, hooks)


# ---------------------------------------------------------------------------------------
# Checks


def value_step(values: np.ndarray) -> float:
    """The step between the distinct values of ``values`` where they are rounded to one
    (at least 1e-4, with at most 10 001 distinct values), else 0."""
    distinct = np.unique(np.round(values.ravel(), 9))
    if distinct.size < 2 or distinct.size > 10001:
        return 0.0
    step = float(np.diff(distinct).min())
    return step if step >= 1e-4 else 0.0


def check_probabilities(raster: SpectralRaster, name: str) -> None:
    """Refuse a raster that is not one class probability per band: values in 0-1 summing
    to 1 at each pixel, on a sample of valid pixels spread over the raster. Anything else
    (a reflectance cube, scores, probabilities in percent) would be smoothed into a map of
    as many "classes" as it has bands without a word."""
    height, width = raster.height, raster.width
    rows = np.unique(np.linspace(0, height - 1, min(height, PROBABILITY_SAMPLE)).round())
    cols = np.unique(np.linspace(0, width - 1, min(width, PROBABILITY_SAMPLE)).round())
    cols = cols.astype(np.int64)
    pixels = []
    for row in rows.astype(int):
        block, valid = raster.read(0, int(row), width, 1, np.float64)
        keep = cols[valid[0, cols]]
        pixels.append(block[0, keep])
    # a raster has at least one row; the reader leaves out all-zero pixels of two or more
    # bands (some tools' mask)
    sample = np.concatenate(pixels)
    if not sample.size:
        return  # nothing valid sampled: the run itself says what it finds
    sums = sample.sum(axis=1)
    in_range = np.all((sample >= -PROBABILITY_TOLERANCE)
                      & (sample <= 1 + PROBABILITY_TOLERANCE), axis=1)
    rounded_by = sample.shape[1] * value_step(sample[in_range]) / 2
    tolerance = min(PROBABILITY_SUM_BOUND, max(PROBABILITY_SUM_TOLERANCE, rounded_by + 1e-6))
    good = in_range & (np.abs(sums - 1) <= tolerance)
    if np.mean(~good) <= PROBABILITY_OUTLIERS:
        return
    low, high, median = float(sample.min()), float(sample.max()), float(np.median(sums))
    bands = sample.shape[1]
    rounding = max(1.0, 0.5 * bands)  # whole-number values: each rounded by up to 0.5
    if high <= 100.5 and abs(median - 100) <= rounding:
        hint = ("They look like percentages: divide the raster by 100 first (Raster "
                "calculator), then smooth it.")
    elif high <= 255.5 and abs(median - 255) <= rounding:
        hint = ("They look like probabilities scaled to 0-255: divide the raster by 255 "
                "first (Raster calculator), then smooth it.")
    elif _fill_value(sample) is not None:
        hint = (f"Pixels of {_fill_value(sample):g} in every band look like a fill value: set "
                "it as the raster's nodata value (Layer properties > Transparency, or "
                "'Translate' with a nodata value), then smooth it.")
    elif np.mean(in_range) >= 1 - PROBABILITY_OUTLIERS:  # the odd pixels let through
        hint = ("The values lie in 0-1 but do not sum to 1: they may be scores rather than "
                "probabilities, or a class band is missing or extra. Give one probability "
                "band per class.")
    else:
        hint = ("Is it a reflectance or other image? Give the class probabilities "
                "'Classify with CRNN' writes (OUTPUT_PROBABILITIES) or another "
                "classifier's posteriors, one band per class.")
    raise CrnnError(
        f"'{name}' does not look like class probabilities (one band per class, values "
        f"0-1 summing to 1 at each pixel): in {len(sample)} sampled pixels of its {bands} "
        f"bands the values run from {low:.4g} to {high:.4g} and the band sums from "
        f"{float(sums.min()):.4g} to {float(sums.max()):.4g} (median {median:.4g}). {hint}")


def _fill_value(sample: np.ndarray) -> Optional[float]:
    """The value outside 0-1 that fills every band of the pixels where one lies outside
    0-1 (a nodata value the raster does not declare, such as -1 or -9999), or None."""
    outside = np.any((sample < -PROBABILITY_TOLERANCE) | (sample > 1 + PROBABILITY_TOLERANCE),
                     axis=1)
    if not outside.any():
        return None
    filled = sample[outside]
    if np.all(filled == filled[0, 0]):
        return float(filled[0, 0])
    return None


__all__ = ["smooth_probabilities", "BandClasses", "check_probabilities", "value_step"]
