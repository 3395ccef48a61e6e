"""The pieces the local engine (inference.py) and the Dask engine (cluster.py) share: a
window of the raster through the network, its posteriors kept in rows, the LOP over them.

``TileProducer`` turns a window of the raster into class posteriors (and, for the edge
LOP, guide features). ``RowBuffer`` keeps full-width rows of them while output rows still
need them; ``fuse_rows`` runs the LOP over buffered rows and turns the result into class
values, confidence and probabilities (``FusedRows``), as ``Fusion`` says. The local engine
streams the raster through one buffer; ``classify_tile`` fuses one output tile on its
own, as a cluster's worker does. Both equal the whole-image result (``fuse_rows`` says
why). ``class_type`` chooses the class raster's integer type and nodata value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal

from ..common.classes import ClassInfo
from ..common.errors import CrnnError
from ..network.modelfile import CrnnModel
from ..network.window import read_network_input
from ..rasters.raster import SpectralRaster
from .lop import LopSettings

#: Columns per LOP call (plus the halo on both sides): bounds the LOP's temporaries.
LOP_COLUMNS = 512
#: Output tile side: outputs are tiled 256 x 256 and written one tile row at a time.
OUTPUT_TILE = 256
#: Nodata of the probability and confidence rasters (probabilities lie in [0, 1]).
PROBABILITY_NODATA = -1.0
# (GDAL type, numpy type, lowest value, highest value), smallest first.
_CLASS_TYPES = (
    (gdal.GDT_Byte, np.uint8, 0, 255),
    (gdal.GDT_UInt16, np.uint16, 0, 65535),
    (gdal.GDT_Int16, np.int16, -32768, 32767),
    (gdal.GDT_Int32, np.int32, -(2**31), 2**31 - 1),
)


# ---------------------------------------------------------------------------------------
# The class raster's type


class ClassType(NamedTuple):
    """How the class raster stores class values: its GDAL and numpy types, and the value
    that marks nodata (no class has it)."""

    gdal_type: int
    numpy_type: type
    nodata: int


def class_type(classes: Sequence[ClassInfo]) -> ClassType:
    """The smallest type that holds every class value and one more value for nodata (0
    where 0 is not a class, else the type's top/bottom)."""
    values = {int(c.value) for c in classes}
    if not values:
        raise CrnnError("The model has no classes; it is corrupt. Retrain it.")
    low, high = min(values), max(values)
    for gdal_type, np_type, lowest, highest in _CLASS_TYPES:
        if low < lowest or high > highest:
            continue
        for candidate in (0, highest, lowest, highest - 1, lowest + 1):
            if lowest <= candidate <= highest and candidate not in values:
                return ClassType(gdal_type, np_type, candidate)
    raise CrnnError(
        f"Class values from {low} to {high} do not fit a 32-bit integer raster. Use class "
        "values between -2147483647 and 2147483646."
    )


@dataclass(frozen=True, eq=False)
class Fusion:
    """How buffered posteriors become output rows: the LOP, the class value of each
    posterior band, the class raster's type, and which optional outputs are wanted (the
    winning class's probability, all probabilities)."""

    lop: LopSettings
    values: np.ndarray
    class_type: ClassType
    confidence: bool = False
    probabilities: bool = False

    @classmethod
    def of(cls, lop: LopSettings, classes: Sequence[ClassInfo], confidence: bool = False,
           probabilities: bool = False) -> Fusion:
        """The fusion into ``classes`` (posterior band k is ``classes[k]``)."""
        return cls(lop, np.array([c.value for c in classes]), class_type(classes),
                   confidence, probabilities)

    @property
    def n_classes(self) -> int:
        return len(self.values)


# ---------------------------------------------------------------------------------------
# The network pass


class TileProducer:
    """The network pass over a window of the raster: class posteriors, validity and (for
    the edge LOP) guide features of its pixels. The local engine calls it per read chunk,
    the cluster's workers per tile (models/engine/cluster.py)."""

    def __init__(self, raster: SpectralRaster, model: CrnnModel, classifier,
                 batch_size: int, edge: bool) -> None:
        self.raster, self.model, self.classifier = raster, model, classifier
        self.batch_size, self.edge = batch_size, edge
        # the spectral-spatial option reads a halo of this many pixels
        self.radius = model.network.input_window // 2

    def __call__(self, x: int, y: int, w: int, h: int, check: Callable[[], None]):
        """(probabilities (classes, h, w), valid (h, w), guide (features, h, w) or None)."""
        batch_size, edge, model = self.batch_size, self.edge, self.model
        spectra, network_input, valid = read_network_input(self.raster,
            x, y, w, h, model.network.input_window)
        probs = np.zeros((h * w, self.classifier.n_classes), np.float32)
        guide = np.zeros((h * w, model.guide_components.shape[0]), np.float32) if edge else None
        for start in range(0, h * w, batch_size):
            check()
            stop = min(h * w, start + batch_size)
            piece_valid = valid[start:stop]
            if not piece_valid.any():
                continue
            piece = spectra[start:stop]
            if piece_valid.all():
                probs[start:stop] = self.classifier.predict_proba(network_input[start:stop])
                if edge:
                    guide[start:stop] = model.guide(piece)
            else:
                chosen = piece[piece_valid]
                probs[start:stop][piece_valid] = self.classifier.predict_proba(
                    network_input[start:stop][piece_valid])
                if edge:
                    guide[start:stop][piece_valid] = model.guide(chosen)
        probs = probs.T.reshape(-1, h, w)
        if edge:
            guide = guide.T.reshape(-1, h, w)
        return probs, valid.reshape(h, w), guide


# ---------------------------------------------------------------------------------------
# Rows of posteriors, and their fusion


def move_rows(buffer: np.ndarray, shift: int, count: int, step: int = 16) -> None:
    """Move rows [shift, shift + count) of (bands, rows, cols) to the top, in place.

    A few rows at a time, front to back, so no full-size temporary is made (its size
    would follow the raster's width).
    """
    for start in range(0, count, step):
        stop = min(count, start + step)
        buffer[:, start:stop] = buffer[:, shift + start : shift + stop]


class RowBuffer:
    """Posteriors, validity and LOP guide of the full-width raster rows [start, end), kept
    while output rows still need them (within the LOP's reach)."""

    def __init__(self, n_classes: int, width: int, capacity: int) -> None:
        self.width, self.capacity = width, capacity
        self.probabilities = np.zeros((n_classes, capacity, width), np.float32)
        self.valid = np.zeros((capacity, width), bool)
        self.guide: Optional[np.ndarray] = None
        self.start = self.end = 0

    def forget_before(self, row: int) -> None:
        """Drop the rows above ``row``: no output row left needs them."""
        if row <= self.start:
            return
        kept, shift = self.end - row, row - self.start
        move_rows(self.probabilities, shift, kept)
        move_rows(self.valid[None], shift, kept)
        if self.guide is not None:
            move_rows(self.guide, shift, kept)
        self.start = row

    def put(self, row: int, col: int, probabilities: np.ndarray, valid: np.ndarray,
            guide: Optional[np.ndarray]) -> None:
        """A chunk whose top-left pixel is raster (row, col); rows from ``end`` on."""
        rows, cols = valid.shape
        base = row - self.start
        self.probabilities[:, base:base + rows, col:col + cols] = probabilities
        self.valid[base:base + rows, col:col + cols] = valid
        if guide is not None:
            if self.guide is None:
                self.guide = np.zeros((guide.shape[0], self.capacity, self.width), np.float32)
            self.guide[:, base:base + rows, col:col + cols] = guide
        self.end = max(self.end, row + rows)

    def window(self, top: int, bottom: int, left: int, right: int):
        """(probabilities, valid, guide) of raster rows [top, bottom), columns
        [left, right): views into the buffer."""
        rows = slice(top - self.start, bottom - self.start)
        guide = None if self.guide is None else self.guide[:, rows, left:right]
        return self.probabilities[:, rows, left:right], self.valid[rows, left:right], guide


@dataclass
class FusedRows:
    """The fused result of output rows: class values, and optionally the winning class's
    probability and all probabilities (nodata pixels carry the nodata values)."""

    labels: np.ndarray
    confidence: Optional[np.ndarray]
    probabilities: Optional[np.ndarray]


def fuse_rows(buffer: RowBuffer, first: int, last: int, fusion: Fusion, counts: np.ndarray,
              columns: Optional[Tuple[int, int]] = None) -> FusedRows:
    """Class values of raster rows [first, last): the LOP over their buffered neighbours.
    ``columns`` (start, stop): only these buffer columns (default all).

    Why this equals the LOP run on the whole image: a pixel's fused value depends only on
    pixels within ``lop.reach`` of it, and ``lop_fuse`` renormalises over the pixels
    inside the image. The rows [first - reach, last + reach) are all in the buffer (the
    caller waits for them, clipped at the image's top and bottom), and each column piece
    takes ``reach`` columns on either side (clipped likewise), so every pixel kept
    (rows [first, last), the piece's own columns) sees exactly the neighbours it would in
    the whole image, and the pieces' temporaries do not grow with the raster's width.
    Class counts are added to ``counts``.
    """
    lop, values, (_, class_np, class_nodata) = fusion.lop, fusion.values, fusion.class_type
    reach, width = lop.reach, buffer.width
    start, stop = columns if columns is not None else (0, width)
    top, bottom = max(0, first - reach), min(buffer.end, last + reach)
    inner = slice(first - top, last - top)
    n_classes = buffer.probabilities.shape[0]
    rows = last - first
    fused_rows = FusedRows(
        np.empty((rows, stop - start), class_np),
        np.empty((rows, stop - start), np.float32) if fusion.confidence else None,
        np.empty((n_classes, rows, stop - start), np.float32) if fusion.probabilities else None)
    for left in range(start, stop, LOP_COLUMNS):
        right = min(stop, left + LOP_COLUMNS)
        a, b = max(0, left - reach), min(width, right + reach)
        probabilities_ab, valid_ab, guide_ab = buffer.window(top, bottom, a, b)
        kept = (inner, slice(left - a, right - a))  # the piece's own rows and columns
        fused = lop.fuse(probabilities_ab, valid_ab, guide_ab)[(slice(None), *kept)]
        valid = valid_ab[kept]
        winner = fused.argmax(axis=0)
        piece = values[winner].astype(class_np)
        piece[~valid] = class_nodata
        out = slice(left - start, right - start)  # the piece's columns in the result
        fused_rows.labels[:, out] = piece
        counts += np.bincount(winner[valid], minlength=n_classes)
        if fused_rows.confidence is not None:
            fused_rows.confidence[:, out] = np.where(
                valid, fused.max(axis=0), PROBABILITY_NODATA)
        if fused_rows.probabilities is not None:
            fused_rows.probabilities[:, :, out] = np.where(
                valid, fused, PROBABILITY_NODATA)
    return fused_rows


def classify_tile(produce: Callable, fusion: Fusion, width: int, height: int,
                  tile: Tuple[int, int, int, int],
                  check: Callable[[], None] = lambda: None) -> Tuple[FusedRows, np.ndarray]:
    """One output tile (x, y, w, h) of a ``width`` x ``height`` raster on its own:
    ``produce`` on the tile and the LOP's reach around it, then the same fusion as the
    streaming engine (``fuse_rows``), kept to the tile. Equal to the whole-image result
    for the reason ``fuse_rows`` gives. Returns the fused tile and its class counts."""
    x, y, w, h = tile
    reach = fusion.lop.reach
    x0, y0 = max(0, x - reach), max(0, y - reach)
    x1, y1 = min(width, x + w + reach), min(height, y + h + reach)
    probs, valid, guide = produce(x0, y0, x1 - x0, y1 - y0, check)
    buffer = RowBuffer(fusion.n_classes, x1 - x0, y1 - y0)
    buffer.put(0, 0, probs, valid, guide)
    counts = np.zeros(fusion.n_classes, np.int64)
    fused = fuse_rows(buffer, y - y0, y - y0 + h, fusion, counts,
                      columns=(x - x0, x - x0 + w))
    return fused, counts


__all__ = ["ClassType", "class_type", "Fusion", "TileProducer", "move_rows", "RowBuffer",
           "FusedRows", "fuse_rows", "classify_tile", "LOP_COLUMNS", "OUTPUT_TILE",
           "PROBABILITY_NODATA"]
