"""NASA EMIT L2A surface reflectance (``EMIT_L2A_RFL_*.nc``, netCDF-4) put on its map
grid: the file stores ``reflectance`` in swath geometry (downtrack, crosstrack, bands)
and, in its ``location`` group, a geometry lookup table (GLT): ``glt_x`` and ``glt_y``
give, for each pixel of the map grid, the 1-based swath column and row it shows (0: no
pixel). The root attributes ``geotransform`` and ``spatial_ref`` place that grid. Each
map pixel takes its swath pixel's values exactly (no interpolation); map pixels the GLT
leaves empty are the file's fill value, -9999. ``sensor_band_parameters`` gives each
band's wavelength and FWHM (nm) and ``good_wavelengths`` its flag (0: bad band).
"""

from __future__ import annotations

from typing import List, Optional

import numpy as np

from ..common.callbacks import LogCallback
from ..common.errors import CrnnError
from ..rasters.bands import BandInfo
from .containers import Container, LazyCube
from .geotiff import CubeToWrite

EMIT_FILL = -9999.0
EMIT_ARRAYS = ("/reflectance", "/location/glt_x", "/location/glt_y",
               "/sensor_band_parameters/wavelengths")


def is_emit(container: Container) -> bool:
    """Whether a container is laid out as an EMIT L2A product."""
    names = {array.name for array in container.arrays}
    return all(name in names for name in EMIT_ARRAYS)


class GltCube:
    """A swath cube read through a GLT, a strip of map rows at a time: (rows, cols,
    bands) of the map grid, each pixel its swath pixel's values, the fill elsewhere."""

    def __init__(self, swath: LazyCube, glt_x: np.ndarray, glt_y: np.ndarray,
                 fill: float = EMIT_FILL) -> None:
        if glt_x.shape != glt_y.shape or glt_x.ndim != 2:
            raise CrnnError("The GLT's glt_x and glt_y must be 2-D arrays of one shape.")
        inside = (glt_x > 0) & (glt_y > 0)
        if np.any(glt_x[inside] > swath.shape[1]) or np.any(glt_y[inside] > swath.shape[0]):
            raise CrnnError(f"The GLT points outside the swath of {swath.shape[0]} x "
                            f"{swath.shape[1]} pixels: the file is damaged or not EMIT L2A.")
        self.swath, self.fill = swath, fill
        self.glt_x, self.glt_y = glt_x.astype(np.int64), glt_y.astype(np.int64)
        self.shape = (glt_x.shape[0], glt_x.shape[1], swath.shape[2])
        self.dtype = np.result_type(swath.dtype, np.float32)

    def rows(self, start: int, stop: int) -> np.ndarray:
        x, y = self.glt_x[start:stop], self.glt_y[start:stop]
        inside = (x > 0) & (y > 0)
        out = np.full(x.shape + (self.shape[2],), self.fill, self.dtype)
        needed = np.unique(y[inside] - 1)
        if needed.size:
            block = np.concatenate([self.swath.rows(int(r), int(r) + 1) for r in needed])
            at = np.searchsorted(needed, y[inside] - 1)
            out[inside] = block[at, x[inside] - 1]
        return out


def emit_cube(container: Container, log: LogCallback) -> CubeToWrite:
    """The reflectance on the map grid, its bands (wavelength, FWHM, bad-band flag,
    nodata -9999) and the grid's geotransform and CRS."""
    reflectance = container.find("/reflectance")
    if len(reflectance.shape) != 3:
        raise CrnnError(f"'{container.label}': reflectance is not a 3-D array.")
    swath = LazyCube(container, reflectance, "rows_cols_bands")
    glt_x = container.read(container.find("/location/glt_x"))
    glt_y = container.read(container.find("/location/glt_y"))
    cube = GltCube(swath, glt_x, glt_y)
    geotransform = container.attribute("geotransform")
    if geotransform is None or geotransform.size != 6:
        raise CrnnError(f"'{container.label}' has no 6-number 'geotransform' attribute for "
                        "the GLT's map grid.")
    crs = _text_attribute(container, "spatial_ref")
    bands = _emit_bands(container, swath.shape[2])
    log(f"EMIT L2A: the {swath.shape[0]} x {swath.shape[1]} pixel swath put on its "
        f"{cube.shape[0]} x {cube.shape[1]} pixel map grid through the GLT (values kept "
        f"exactly); {sum(b.bad for b in bands)} of {len(bands)} bands flagged bad "
        "(good_wavelengths = 0).")
    return CubeToWrite(cube, f"reflectance of {container.label} (map grid, GLT)", bands,
                       tuple(float(v) for v in geotransform), crs)


def _emit_bands(container: Container, count: int) -> List[BandInfo]:
    def values(name: str) -> Optional[np.ndarray]:
        names = {array.name for array in container.arrays}
        full = f"/sensor_band_parameters/{name}"
        return container.read(container.find(full)).ravel() if full in names else None

    wavelengths, fwhm, good = values("wavelengths"), values("fwhm"), values("good_wavelengths")
    if wavelengths is None or wavelengths.size != count:
        raise CrnnError(f"'{container.label}' has {count} bands but "
                        f"{0 if wavelengths is None else wavelengths.size} wavelengths.")
    return [BandInfo(index=b + 1, wavelength=float(wavelengths[b]),
                     fwhm=None if fwhm is None else float(fwhm[b]),
                     bad=good is not None and not good[b], nodata=EMIT_FILL)
            for b in range(count)]


def _text_attribute(container: Container, name: str) -> str:
    attribute = container.attributes.get(name)
    if attribute is None:
        return ""
    try:
        return str(attribute.ReadAsString() or "")
    except RuntimeError:
        return ""


__all__ = ["is_emit", "emit_cube", "GltCube", "EMIT_FILL"]
