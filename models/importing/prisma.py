"""PRISMA L1 / L2 products (``PRS_L2?_HCO`` in an ``.he5`` file): the VNIR and SWIR cubes
given as one cube, bands sorted by wavelength, with the centre wavelengths, FWHM, band
flags and the L2 scale of the file's attributes, and the L2D grid of its corners.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..common.callbacks import LogCallback
from ..common.errors import CrnnError
from ..rasters.bands import BandInfo
from .axes import axis_permutation, resolve_axis_order
from .containers import Container, ContainerArray, LazyCube, StackedCube
from .geotiff import CubeToWrite

_PRISMA_CUBE = re.compile(r"^/HDFEOS/SWATHS/PRS_(?P<level>L[0-9][A-Z]?)_HCO/Data Fields/"
                          r"(?P<detector>VNIR|SWIR)_Cube$")
PRISMA_LAYOUT = "rows_bands_cols"
"""How PRISMA stores VNIR_Cube and SWIR_Cube (rows, bands, columns), tests/test_importcube_prisma.py
names the sources."""
PRISMA_DN_MAX = 65535.0


def prisma_cubes(container: Container) -> Dict[str, Tuple[ContainerArray, str]]:
    """Detector ("VNIR", "SWIR") -> (its cube, processing level) of a PRISMA product;
    empty for any other file."""
    if not any(name.startswith("List_Cw_") for name in container.attributes):
        return {}
    found = {}
    for array in container.arrays:
        match = _PRISMA_CUBE.match(array.name)
        if match is not None and len(array.shape) == 3:
            found[match.group("detector")] = (array, match.group("level"))
    return found


def _prisma_band_infos(container: Container, detector: str, level: str,
                       log: LogCallback) -> List[Tuple[int, BandInfo]]:
    """(position in the stored cube, band) of one detector's bands with a wavelength."""
    tag = detector.capitalize()  # Vnir, Swir
    centres = container.attribute(f"List_Cw_{tag}")
    if centres is None:
        raise CrnnError(f"'{container.label}' has no List_Cw_{tag}: the {detector} band "
                        "wavelengths are missing.")
    flags = container.attribute(f"List_Cw_{tag}_Flags")
    widths = container.attribute(f"List_Fwhm_{tag}")
    low, high = (container.number(f"L2Scale{tag}Min"), container.number(f"L2Scale{tag}Max"))
    scale, offset = 1.0, 0.0
    if level.startswith("L2") and low is not None and high is not None:
        scale, offset = (high - low) / PRISMA_DN_MAX, low
        log(f"PRISMA {level} {detector}: reflectance = {low:g} + DN x ({high:g} - {low:g}) / "
            "65535, stored as each band's scale and offset.")
    else:
        log(f"PRISMA {level} {detector}: no L2ScaleMin/Max: the values are written as "
            "stored.")
    kept, dropped = [], 0
    for position, centre in enumerate(centres):
        if not centre > 0:
            dropped += 1
            continue
        width = widths[position] if widths is not None and position < widths.size else None
        bad = bool(flags is not None and position < flags.size and flags[position] == 0)
        kept.append((position, BandInfo(
            index=0, wavelength=float(centre),
            fwhm=float(width) if width is not None and width > 0 else None, bad=bad,
            scale=scale, offset=offset, nodata=0.0 if level.startswith("L2") else None,
            description=f"PRISMA {detector} {position + 1}")))
    if dropped:
        log(f"PRISMA {detector}: {dropped} band slots without a wavelength are left out.")
    return kept


def _prisma_grid(container: Container, rows: int, cols: int
                 ) -> Tuple[Optional[Tuple[float, ...]], str]:
    """The L2D grid: (geotransform, "EPSG:n") from Epsg_Code and the corner attributes
    (taken as pixel centres); (None, "") where they are missing."""
    code = container.number("Epsg_Code")
    corners = [container.number(f"Product_{corner}corner_{axis}")
               for corner, axis in (("UL", "easting"), ("UL", "northing"),
                                    ("LR", "easting"), ("LR", "northing"))]
    if code is None or any(value is None for value in corners) or rows < 2 or cols < 2:
        return None, ""
    west, north, east, south = corners
    width, height = (east - west) / (cols - 1), (north - south) / (rows - 1)
    if width <= 0 or height <= 0:
        return None, ""
    return (west - width / 2, width, 0.0, north + height / 2, 0.0, -height), f"EPSG:{int(code)}"


def prisma_cube(container: Container, cubes: Dict[str, Tuple[ContainerArray, str]],
                detectors: Sequence[str], axis_order: str, log: LogCallback) -> CubeToWrite:
    """The ``detectors``' cubes as one, bands sorted by wavelength, with their band
    metadata and the L2D grid where the product has one."""
    parts, entries = [], []
    for detector in detectors:
        array, level = cubes[detector]
        kept = _prisma_band_infos(container, detector, level, log)
        count = len(container.attribute(f"List_Cw_{detector.capitalize()}"))
        known = ((PRISMA_LAYOUT, "as PRISMA stores its cubes")
                 if array.shape[1] == count else None)
        order = resolve_axis_order(array.shape, axis_order, array.dimensions,
                                   band_count=count, known=known, log=log)
        stored = array.shape[axis_permutation(order)[2]]
        if stored != count:
            raise CrnnError(f"{array.name} has {stored} bands but List_Cw_"
                            f"{detector.capitalize()} lists {count} wavelengths.")
        part = len(parts)
        parts.append(LazyCube(container, array, order, [p for p, _ in kept]))
        entries += [(part, k, info) for k, (_, info) in enumerate(kept)]
    # output bands by wavelength; a stable sort keeps VNIR before SWIR where both overlap
    offsets = np.cumsum([0] + [part.shape[2] for part in parts])
    entries.sort(key=lambda entry: entry[2].wavelength)
    order = [int(offsets[part]) + k for part, k, _ in entries]
    bands = [replace(info, index=n) for n, (_, _, info) in enumerate(entries, start=1)]
    stacked = StackedCube(parts, order)
    geotransform, crs = _prisma_grid(container, stacked.shape[0], stacked.shape[1])
    level = cubes[detectors[0]][1]
    log(f"PRISMA {level}: {' + '.join(detectors)}, {len(bands)} bands sorted by wavelength "
        f"({bands[0].wavelength:g}-{bands[-1].wavelength:g} nm), "
        f"{sum(b.bad for b in bands)} flagged unusable.")
    return CubeToWrite(stacked, f"{' + '.join(detectors)} of {container.label}", bands,
                       geotransform, crs)

