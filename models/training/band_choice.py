"""Which bands training reads.

Training leaves out bands the file flags as bad (ENVI ``bbl``), wavelength ranges the
user excludes, and bands with no data under the training polygons; how a scene's bands
are found again when classifying is models/rasters/band_matching.py. QGIS-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from ..common.errors import CrnnError
from ..rasters.band_matching import band_list_text
from ..rasters.bands import BandInfo
from ..rasters.raster import SpectralRaster
from .samples import bands_without_data


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
                         f"metadata (bbl) are left out: {band_list_text(bands, self.flagged_bad)}.")
        if self.excluded:
            lines.append(f"{len(self.excluded)} band(s) in the excluded wavelength ranges are "
                         f"left out: {band_list_text(bands, self.excluded)}.")
        if self.without_data:
            lines.append(f"{len(self.without_data)} band(s) hold no data (nodata or NaN) under "
                         f"the training polygons and are left out: "
                         f"{band_list_text(bands, self.without_data)}.")
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
    raster = SpectralRaster(raster_path, [])
    choice = choose_training_bands(raster.all_bands, requested,
                                   parse_wavelength_ranges(exclude))
    empty = bands_without_data(raster_path, choice.used, polygons, all_touched)
    if empty and len(empty) < len(choice.used):
        choice.without_data = empty
        choice.used = [b for b in choice.used if b not in set(empty)]
    return choice
