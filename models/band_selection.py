"""Which bands a model reads: chosen when training, matched when classifying.

Training leaves out bands the file flags as bad (ENVI ``bbl``), wavelength ranges the
user excludes, and bands with no data under the training polygons. Classification finds
the model's bands in the scene by wavelength (any order, any superset; never a band the
scene flags bad), or interpolates the scene's good bands onto them where the user asks
(RESAMPLE_SPECTRA: also where a model band matches only a flagged band, or two model bands
the same scene band); without wavelengths on either side the scene must have the training
raster's band count. QGIS-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .bands import BandInfo
from .errors import CrnnError

#: A scene band matches a model band when their centres differ by at most this share of
#: the model band's FWHM (or ``MATCH_TOLERANCE_NM`` where the FWHM is unknown).
MATCH_FWHM_SHARE = 0.5
MATCH_TOLERANCE_NM = 2.0


# ---------------------------------------------------------------------------------------
# Training


def parse_wavelength_ranges(text: Optional[str]) -> List[Tuple[float, float]]:
    """ "1340-1460, 1790-1960" -> [(1340, 1460), (1790, 1960)] (nanometres)."""
    ranges = []
    for item in re.split(r"[,;]", text or ""):
        item = item.strip()
        if not item:
            continue
        match = re.fullmatch(r"(\d+(?:\.\d*)?)\s*(?:-|\u2013|to)\s*(\d+(?:\.\d*)?)\s*(?:nm)?",
                             item, re.IGNORECASE)
        if match is None:
            raise CrnnError(
                f"Cannot read the wavelength range '{item}': write ranges in nanometres as "
                "'low-high', separated by commas, e.g. '1340-1460, 1790-1960'.")
        low, high = float(match.group(1)), float(match.group(2))
        if low > high:
            raise CrnnError(f"The wavelength range '{item}' runs backwards: write it low-high.")
        ranges.append((low, high))
    return ranges


@dataclass
class TrainingBands:
    """The bands training reads (1-based, file order) and why others were left out."""

    used: List[int]
    flagged_bad: List[int] = field(default_factory=list)
    excluded: List[int] = field(default_factory=list)
    without_data: List[int] = field(default_factory=list)
    bands: List[BandInfo] = field(default_factory=list)  # every band of the raster

    @property
    def used_bands(self) -> List[BandInfo]:
        by_index = {b.index: b for b in self.bands}
        return [by_index[i] for i in self.used]

    def notes(self) -> List[str]:
        """Log lines saying which bands were left out and why."""
        bands = self.bands
        lines = []
        if self.flagged_bad:
            lines.append(f"{len(self.flagged_bad)} band(s) flagged bad in the file's "
                         f"metadata (bbl) are left out: {_labels(bands, self.flagged_bad)}.")
        if self.excluded:
            lines.append(f"{len(self.excluded)} band(s) in the excluded wavelength ranges are "
                         f"left out: {_labels(bands, self.excluded)}.")
        if self.without_data:
            lines.append(f"{len(self.without_data)} band(s) hold no data (nodata or NaN) under "
                         f"the training polygons and are left out: "
                         f"{_labels(bands, self.without_data)}.")
        return lines


def choose_training_bands(bands: Sequence[BandInfo], requested: Optional[Sequence[int]] = None,
                          exclude: Sequence[Tuple[float, float]] = (),
                          honour_bad_bands: bool = True) -> TrainingBands:
    """The raster's bands (or the ``requested`` ones) less bad-flagged and excluded ones.

    A band the user asked for by number is kept even where the file flags it bad (the
    user chose it); excluded wavelength ranges apply to every band with a wavelength.
    """
    by_index = {b.index: b for b in bands}
    chosen = sorted(set(requested)) if requested else [b.index for b in bands]
    missing = [i for i in chosen if i not in by_index]
    if missing:
        raise CrnnError(f"Bands {missing} do not exist: the raster has {len(bands)} bands.")
    if exclude and not any(by_index[i].wavelength is not None for i in chosen):
        raise CrnnError(
            "Wavelength ranges to exclude were given, but the raster's bands have no "
            "wavelengths. Choose the bands by number instead (BANDS).")
    result = TrainingBands(used=[], bands=list(bands))
    for index in chosen:
        band = by_index[index]
        if honour_bad_bands and band.bad and not requested:
            result.flagged_bad.append(index)
        elif band.wavelength is not None and any(
                low <= band.wavelength <= high for low, high in exclude):
            result.excluded.append(index)
        else:
            result.used.append(index)
    if not result.used:
        raise CrnnError("Every band is left out (flagged bad or in an excluded range): "
                        "check EXCLUDE_WAVELENGTHS and the band selection.")
    return result


def training_bands(raster_path: str, requested: Optional[Sequence[int]], exclude: str,
                   polygons: Sequence[Tuple[bytes, int]],
                   all_touched: bool = False) -> TrainingBands:
    """The bands to train on: ``choose_training_bands``, then less the bands with no data
    under the polygons (unless no band has any: then the pixels are what is wrong, and
    reading them says so)."""
    from .raster import SpectralRaster
    from .samples import bands_without_data

    raster = SpectralRaster(raster_path, [])
    choice = choose_training_bands(raster.all_bands, requested,
                                   parse_wavelength_ranges(exclude))
    empty = bands_without_data(raster_path, choice.used, polygons, all_touched)
    if empty and len(empty) < len(choice.used):
        choice.without_data = empty
        choice.used = [b for b in choice.used if b not in set(empty)]
    return choice


def _labels(bands: Sequence[BandInfo], indices: Sequence[int], limit: int = 12) -> str:
    by_index = {b.index: b for b in bands}
    names = [by_index[i].label() for i in indices[:limit]]
    more = len(indices) - limit
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


# ---------------------------------------------------------------------------------------
# Classification


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
            f"{scene_name} (bbl = 0): {_labels(scene, flagged)}. Tick 'Resample spectra to "
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
