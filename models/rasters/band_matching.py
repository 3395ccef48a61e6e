"""Which scene bands feed a model: matched by wavelength, resampled, or by number.

Classification finds the model's bands in the scene by wavelength (any order, any
superset; never a band the scene flags bad), or interpolates the scene's good bands onto
them where the user asks (RESAMPLE_SPECTRA: also where a model band matches only a flagged
band, or two model bands the same scene band); without wavelengths on either side the
scene must have the training raster's band count. The bands training reads are chosen in
models/training/band_choice.py. QGIS-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np

from ..common.errors import CrnnError
from .bands import BandInfo

#: A scene band matches a model band when their centres differ by at most this share of
#: the model band's FWHM (or ``MATCH_TOLERANCE_NM`` where the FWHM is unknown).
MATCH_FWHM_SHARE = 0.5
MATCH_TOLERANCE_NM = 2.0



def band_list_text(bands: Sequence[BandInfo], indices: Sequence[int], limit: int = 12) -> str:
    """Band labels for a message: the first ``limit``, then how many more."""
    by_index = {b.index: b for b in bands}
    names = [by_index[i].label() for i in indices[:limit]]
    more = len(indices) - limit
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


@dataclass
class BandMatch:
    """How a scene's bands feed a model: the scene bands to read (1-based) and, where
    spectra are resampled, the (read bands, model bands) matrix that maps them."""

    read: List[int]
    mixing: Optional[np.ndarray] = None
    message: str = ""


def match_bands(scene: Sequence[BandInfo], model_bands: Sequence[int],
                model_wavelengths: Sequence[Optional[float]],
                model_fwhm: Sequence[Optional[float]], raster_band_count: Optional[int],
                resample: bool = False, scene_name: str = "the raster") -> BandMatch:
    """Find the model's bands in ``scene`` (see the module docstring)."""
    model_has = bool(model_wavelengths) and all(w is not None for w in model_wavelengths)
    scene_has = bool(scene) and all(b.wavelength is not None for b in scene)
    if not (model_has and scene_has):
        return _match_by_number(scene, model_bands, raster_band_count, model_has, scene_has,
                                scene_name)
    good = [b for b in scene if not b.bad]  # bands the file flags bad are never read
    good_centres = np.array([b.wavelength for b in good], float)
    bad_centres = np.array([b.wavelength for b in scene if b.bad], float)
    bad_bands = [b for b in scene if b.bad]
    read, missing, offsets, flagged = [], [], [], []
    for position, wavelength in enumerate(model_wavelengths):
        fwhm = model_fwhm[position] if position < len(model_fwhm) else None
        tolerance = MATCH_FWHM_SHARE * fwhm if fwhm else MATCH_TOLERANCE_NM
        offset = tolerance + 1.0
        if good:
            nearest = int(np.argmin(np.abs(good_centres - wavelength)))
            offset = abs(float(good_centres[nearest]) - wavelength)
        if offset <= tolerance:
            read.append(good[nearest].index)
            offsets.append(offset)
        elif bad_bands and np.min(np.abs(bad_centres - wavelength)) <= tolerance:
            flagged.append(bad_bands[int(np.argmin(np.abs(bad_centres - wavelength)))].index)
        else:
            missing.append(wavelength)
    shared = len(set(read)) != len(read)
    if resample and (shared or flagged or missing):
        return _resampling(scene, np.asarray(model_wavelengths, float), scene_name)
    if flagged:
        raise CrnnError(
            f"{len(flagged)} of the model's bands match only bands flagged bad in "
            f"{scene_name} (bbl = 0): {band_list_text(scene, flagged)}. Tick 'Resample spectra to "
            "the model's wavelengths' (RESAMPLE_SPECTRA) to interpolate them from good "
            "neighbours, or clear the flags if these bands are good.")
    if shared:
        raise CrnnError(
            f"Several of the model's bands match the same band of {scene_name}: its bands "
            "are wider apart than the model's. Tick 'Resample spectra to the model's "
            "wavelengths' (RESAMPLE_SPECTRA) to interpolate them, or resample the raster to "
            "the model's bands.")
    if not missing:
        return BandMatch(read, None, (
            f"{len(read)} of {len(scene)} bands matched by wavelength, largest offset "
            f"{max(offsets):.2g} nm."))
    shown = ", ".join(f"{w:g}" for w in missing[:20])
    more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
    raise CrnnError(
        f"{_capital(scene_name)} lacks {len(missing)} of the model's {len(model_wavelengths)} "
        f"wavelengths (nm): {shown}{more}. Classify a raster with these bands, or tick "
        "'Resample spectra to the model's wavelengths' (RESAMPLE_SPECTRA).")


def _match_by_number(scene: Sequence[BandInfo], model_bands: Sequence[int],
                     raster_band_count: Optional[int], model_has: bool, scene_has: bool,
                     scene_name: str) -> BandMatch:
    count = len(scene)
    highest = max((int(b) for b in model_bands), default=0)
    if highest > count:
        raise CrnnError(
            f"The model reads band {highest}, but {scene_name} has only {count} band(s). "
            "Classify a raster with the same bands as the one the model was trained on"
            + (f" ({raster_band_count} bands)." if raster_band_count else "."))
    if raster_band_count is not None and count != raster_band_count:
        side = ("the model" if not model_has else scene_name) + " has no wavelengths"
        has = f"has only {count} band(s)" if count < raster_band_count else f"has {count} bands"
        raise CrnnError(
            f"{_capital(scene_name)} {has}, but the model was trained on a raster of "
            f"{raster_band_count} bands, and {side}, so its bands cannot be matched. "
            "Classify a raster with the training raster's bands (or give both rasters "
            "wavelengths).")
    return BandMatch([int(b) for b in model_bands], None,
                     f"Bands read by number ({len(model_bands)} of {count}): "
                     f"{'the model' if not model_has else scene_name} has no wavelengths.")


def _capital(text: str) -> str:
    """``text`` to start a sentence."""
    return text[:1].upper() + text[1:]


def _resampling(scene: Sequence[BandInfo], targets: np.ndarray, scene_name: str) -> BandMatch:
    """Linear interpolation between the scene's good bands, in wavelength order."""
    good = sorted((b for b in scene if not b.bad), key=lambda b: b.wavelength)
    centres = np.array([b.wavelength for b in good], float)
    if len(good) < 2:
        raise CrnnError(f"{_capital(scene_name)} has fewer than two usable bands to resample from.")
    outside = targets[(targets < centres[0]) | (targets > centres[-1])]
    if outside.size:
        shown = ", ".join(f"{w:g}" for w in outside[:20])
        raise CrnnError(
            f"The model reads wavelengths outside {scene_name}'s range ({centres[0]:g}-"
            f"{centres[-1]:g} nm): {shown}. Spectra are not extrapolated: classify a raster "
            "that covers the model's wavelengths.")
    upper = np.clip(np.searchsorted(centres, targets, side="left"), 1, len(good) - 1)
    lower = upper - 1
    span = centres[upper] - centres[lower]
    weight = np.where(span > 0, (targets - centres[lower]) / np.where(span > 0, span, 1), 0)
    # (source band, target, weight) with no zero weights: a band is read only where it
    # counts, so a target on a band's centre does not read (and need data in) its neighbour
    terms = [(int(p), column, w) for column, (low, high, share) in
             enumerate(zip(lower, upper, weight))
             for p, w in ((low, 1.0 - share), (high, share)) if w > 0]
    used = sorted({p for p, _, _ in terms})
    row_of = {position: row for row, position in enumerate(used)}
    mixing = np.zeros((len(used), len(targets)))
    for position, column, w in terms:
        mixing[row_of[position], column] += w
    return BandMatch([good[p].index for p in used], mixing, (
        f"Spectra resampled onto the model's {len(targets)} wavelengths from "
        f"{len(used)} of {len(scene)} bands (linear interpolation)."))
