"""Streaming classification of a raster with a trained CRNN, and LOP smoothing of posteriors.

The raster is read through GDAL in row strips aligned with the file's own blocks (tiles
or strips, any interleave), only the model's bands, never the whole image. Each pixel
goes through the network exactly once: its class probabilities (and, for the edge-aware
LOP, its guide features) go into a rolling buffer of full-width rows. Output rows are
fused and written one output tile row (256 rows) at a time, as soon as the buffer holds
``lop.halo(size, iterations)`` rows below them; the buffer keeps only the rows that the
next tile row's halo still needs. Since the LOP of a pixel reads nothing beyond the halo,
the result equals whole-image processing exactly: no seams.

Memory follows the raster's width (a read chunk of about ``files.READ_BUDGET_BYTES`` of
spectra, plus about 256 + 2 x halo + strip rows of probabilities), not its height.

Outputs are GeoTIFFs written under a hidden temporary name in the output folder and
renamed into place only when everything succeeded: a failure or a cancel leaves neither
a partial output nor a temporary file behind.

The pieces are shared with the Dask engine (models/engine/cluster.py): ``plan_classification``
(checks, band matching), ``TileProducer`` (the network pass over a window),
``classify_tile`` (a tile with the LOP's reach around it, fused by ``_fuse_rows``) and
``_OutputSet`` (the staged outputs).

torch is not imported here: the network runs through ``CrnnModel.classifier()``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal

from ..common.callbacks import CancelCheck, LogCallback, ProgressCallback
from ..common.classes import ClassInfo
from ..common.errors import CancelledError, CrnnError
from ..common.palette import class_colour
from ..network.modelfile import CrnnModel
from ..network.window import read_network_input
from ..rasters.band_matching import BandMatch, match_bands
from ..rasters.files import (
    StagedFile,
    close_dataset,
    open_raster,
    style_class_band,
)
from ..rasters.raster import SpectralRaster
from .lop import check_lop, halo, lop_fuse

#: Columns per LOP call (plus the halo on both sides): bounds the LOP's temporaries.
LOP_COLUMNS = 512
#: Output tile side: outputs are tiled 256 x 256 and written one tile row at a time.
OUTPUT_TILE = 256
#: Default pixels per network batch (measured: docs/inference.md).
DEFAULT_BATCH_SIZE = 1024
#: Nodata of the probability and confidence rasters (probabilities lie in [0, 1]).
PROBABILITY_NODATA = -1.0
OUTPUT_EXTENSIONS = (".tif", ".tiff")
# (GDAL type, numpy type, lowest value, highest value), smallest first.
_CLASS_TYPES = (
    (gdal.GDT_Byte, np.uint8, 0, 255),
    (gdal.GDT_UInt16, np.uint16, 0, 65535),
    (gdal.GDT_Int16, np.int16, -32768, 32767),
    (gdal.GDT_Int32, np.int32, -(2**31), 2**31 - 1),
)

@dataclass
class ClassificationSummary:
    """What a classification (or smoothing) run produced."""

    class_counts: Dict[int, int]  # class value -> pixels of that class in the class raster
    valid_pixels: int
    nodata_pixels: int
    seconds: float
    pixels_per_second: float  # all pixels (valid and nodata) per wall second
    output_path: str
    probabilities_path: Optional[str] = None
    confidence_path: Optional[str] = None
    width: int = 0
    height: int = 0
    class_names: Dict[int, str] = field(default_factory=dict)

    def report(self) -> str:
        """A few lines for the Processing log."""
        total = max(self.valid_pixels, 1)
        lines = [
            f"{self.width} x {self.height} pixels: {self.valid_pixels} classified, "
            f"{self.nodata_pixels} nodata, in {self.seconds:.1f} s "
            f"({self.pixels_per_second:,.0f} pixels/s)."
        ]
        for value, count in self.class_counts.items():
            name = self.class_names.get(value, str(value))
            lines.append(f"  {value} {name}: {count} pixels ({100.0 * count / total:.1f} %)")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Public entries


def classify_raster(
    raster_path: str,
    model: CrnnModel,
    output_path: str,
    probabilities_path: Optional[str] = None,
    confidence_path: Optional[str] = None,
    lop_size: int = 3,
    lop_weights: str = "uniform",
    lop_iterations: int = 1,
    device: str = "cpu",
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Optional[ProgressCallback] = None,
    is_cancelled: Optional[CancelCheck] = None,
    log: Optional[LogCallback] = None,
    threads: int = 0,
    resample_spectra: bool = False,
    precision: str = "float32",
) -> ClassificationSummary:
    """Classify ``raster_path`` with ``model``; write the class raster and optional extras.

    Args:
        raster_path: any raster GDAL reads, holding the model's bands: found by
            wavelength where the model and the raster have wavelengths, else by number
            (1-based ``model.band_indices``; models/rasters/band_matching.py).
        model: the trained model.
        output_path: class raster (GeoTIFF): smallest integer type that holds the class
            values and a nodata value that is not a class value; colour table and class
            names from the model.
        probabilities_path: optional Float32 GeoTIFF, one band per class (LOP-fused
            posteriors), band descriptions = class names, nodata -1.
        confidence_path: optional Float32 GeoTIFF: the winning class's probability,
            nodata -1.
        lop_size, lop_weights, lop_iterations: the LOP (size 1 or 0 iterations = none).
        device: 'cpu' (all cores), 'cuda' or 'auto'.
        batch_size: pixels per network batch.
        progress: called with the fraction done (0..1) after each read chunk.
        is_cancelled: polled between network batches; True raises ``CancelledError``.
        log: receives a few lines of information.
        threads: CPU threads for torch (0 = all cores). On a machine whose cores are
            busy with other work, 1 thread can be much faster (docs/inference.md).
        resample_spectra: where the raster lacks some of the model's wavelengths,
            interpolate its spectra onto them (within its range) instead of refusing.
        precision: the network's arithmetic, 'float32', 'bfloat16' or 'auto'
            (``network.resolve_precision``).

    A pixel with its band's nodata value, NaN or +-Inf in any used band, or 0 in all of
    them (models/rasters/raster.py ``valid_mask``), is nodata in every output and casts no vote
    in its neighbours' LOP.
    """
    plan = plan_classification(raster_path, model, output_path, probabilities_path,
                               confidence_path, lop_size, lop_weights, lop_iterations,
                               batch_size, resample_spectra, log)
    classifier = model.classifier(device=device, batch_size=batch_size, threads=threads,
                                  precision=precision)
    produce = TileProducer(plan.raster, model, classifier, batch_size, plan.edge)
    if log:
        log(
            f"Classifying {plan.raster.width} x {plan.raster.height} pixels, "
            f"{plan.raster.n_bands} bands, {model.n_classes} classes on {classifier.device} "
            f"({_precision_name(classifier)}), batch {batch_size}; "
            f"LOP {lop_size}x{lop_size} {lop_weights} x{lop_iterations}."
        )
    return _run(plan.raster, produce, model.classes, plan.outputs, plan.lop, progress,
                is_cancelled, log)


def _precision_name(classifier) -> str:
    dtype = getattr(classifier, "autocast_dtype", None)
    return "float32" if dtype is None else str(dtype).replace("torch.", "")


@dataclass
class ClassificationPlan:
    """A checked classification: the raster opened with the model's bands chosen, the
    output paths, the LOP. Both engines (this module's and models/engine/cluster.py) start here."""

    raster: SpectralRaster
    bands: BandMatch
    outputs: List[Optional[str]]
    lop: LopSettings

    @property
    def edge(self) -> bool:
        """Whether the LOP needs the guide features (the edge weighting, switched on)."""
        return self.lop.weights == "edge" and self.lop.reach > 0


def plan_classification(
    raster_path: str, model: CrnnModel, output_path: str, probabilities_path: Optional[str],
    confidence_path: Optional[str], lop_size: int, lop_weights: str, lop_iterations: int,
    batch_size: int, resample_spectra: bool, log: Optional[LogCallback],
) -> ClassificationPlan:
    """Check the settings and paths and find the model's bands in the raster (by
    wavelength or number, ``band_matching.match_bands``), before any work."""
    check_lop(lop_size, lop_weights, lop_iterations)
    _check_batch_size(batch_size)
    outputs = check_output_paths(raster_path, output_path, probabilities_path, confidence_path)
    _check_model_bands(model)
    raster = SpectralRaster(raster_path, [], physical=model.physical_values)
    match = match_bands(raster.all_bands, model.band_indices, model.band_wavelengths,
                        model.band_fwhm, model.raster_band_count, resample_spectra,
                        f"the raster '{os.path.basename(raster_path)}'")
    raster.select(match.read, match.mixing)
    if log:
        log(match.message)
    _class_type(model.classes)  # raises on class values no integer type holds
    lop = LopSettings(lop_size, lop_weights, lop_iterations, float(model.edge_scale))
    return ClassificationPlan(raster, match, outputs, lop)


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


def smooth_probabilities(
    probabilities_path: str,
    output_path: str,
    fused_path: Optional[str] = None,
    confidence_path: Optional[str] = None,
    lop_size: int = 3,
    lop_weights: str = "uniform",
    lop_iterations: int = 1,
    class_values: Optional[Sequence[int]] = None,
    class_names: Optional[Sequence[str]] = None,
    class_colours: Optional[Sequence[str]] = None,
    progress: Optional[ProgressCallback] = None,
    is_cancelled: Optional[CancelCheck] = None,
    log: Optional[LogCallback] = None,
) -> ClassificationSummary:
    """LOP-fuse an existing K-band probability raster and write its class raster.

    Streams like ``classify_raster``. Every band is one class's probability (band k is
    class ``class_values[k]``, default 1..K; names default to the band descriptions or
    'class k'). A pixel with nodata, NaN or +-Inf in any band, or 0 in all of them, is
    nodata everywhere.
    Only 'uniform' and 'gaussian' weights: the 'edge' LOP needs the spectra, so smooth
    with it while classifying (``classify_raster``) instead.
    """
    check_lop(lop_size, lop_weights, lop_iterations)
    if lop_weights == "edge":
        raise CrnnError(
            "The 'edge' LOP needs the pixels' spectra, which a probability raster does not "
            "hold. Use 'uniform' or 'gaussian' here, or classify with the model and the "
            "'edge' LOP."
        )
    outputs = check_output_paths(probabilities_path, output_path, fused_path, confidence_path)
    dataset = open_raster(probabilities_path)
    n = dataset.RasterCount
    if n < 1:
        raise CrnnError(f"The raster '{probabilities_path}' has no bands.")
    values = list(class_values) if class_values is not None else list(range(1, n + 1))
    if len(values) != n:
        raise CrnnError(
            f"The probability raster has {n} bands but {len(values)} class values were "
            "given: give one class value per band."
        )
    if len(set(values)) != n:
        raise CrnnError("The class values must be distinct.")
    names = list(class_names) if class_names is not None else [
        dataset.GetRasterBand(b + 1).GetDescription() or f"class {values[b]}" for b in range(n)
    ]
    colours = list(class_colours) if class_colours is not None else [
        class_colour(b) for b in range(n)
    ]
    if len(names) != n or len(colours) != n:
        raise CrnnError(f"Give one class name and one colour per band ({n} bands).")
    classes = [ClassInfo(int(v), str(a), str(c)) for v, a, c in zip(values, names, colours)]
    _class_type(classes)
    raster = SpectralRaster(probabilities_path, dataset=dataset)
    check_probabilities(raster, os.path.basename(probabilities_path))

    def produce(x: int, y: int, w: int, h: int, check: Callable[[], None]):
        check()
        block, valid = raster.read(x, y, w, h)
        return block.transpose(2, 0, 1), valid, None

    if log:
        log(
            f"Smoothing {dataset.RasterXSize} x {dataset.RasterYSize} pixels, {n} classes; "
            f"LOP {lop_size}x{lop_size} {lop_weights} x{lop_iterations}."
        )
    lop = LopSettings(lop_size, lop_weights, lop_iterations)
    return _run(raster, produce, classes, outputs, lop, progress, is_cancelled, log)


# ---------------------------------------------------------------------------------------
# Checks

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
    sample = np.concatenate(pixels) if pixels else np.zeros((0, len(raster.bands)))
    sample = sample[np.any(sample != 0, axis=1)]  # all-zero pixels: some tools' mask
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
    elif np.mean(in_range) > 1 - PROBABILITY_OUTLIERS:
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


def _check_batch_size(batch_size: int) -> None:
    if int(batch_size) < 1:
        raise CrnnError(f"The batch size must be at least 1 pixel (got {batch_size}).")


def _same_file(a: str, b: str) -> bool:
    if os.path.exists(a) and os.path.exists(b):
        try:
            return os.path.samefile(a, b)
        except OSError:
            pass
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def check_output_paths(
    input_path: str, output_path: str, *optional: Optional[str]
) -> List[Optional[str]]:
    """Validate the output paths (class raster first); return them as absolute paths."""
    labels = ("class raster", "probability raster", "confidence raster")
    paths: List[Optional[str]] = []
    for label, path in zip(labels, (output_path, *optional)):
        if path is None or str(path).strip() == "":
            if label == "class raster":
                raise CrnnError("Choose a file for the class raster (a .tif path).")
            paths.append(None)
            continue
        path = os.path.abspath(str(path))
        if os.path.splitext(path)[1].lower() not in OUTPUT_EXTENSIONS:
            raise CrnnError(
                f"The {label} '{path}' must be a GeoTIFF: give it a .tif extension."
            )
        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            raise CrnnError(
                f"The folder of the {label} '{path}' does not exist. Create the folder "
                "first or choose another output path."
            )
        if not os.access(folder, os.W_OK):
            raise CrnnError(
                f"Cannot write the {label} into '{folder}': no write permission. Choose "
                "another folder."
            )
        if os.path.isdir(path):
            raise CrnnError(f"The {label} path '{path}' is a folder: give a file name.")
        if _same_file(path, input_path):
            raise CrnnError(
                f"The {label} '{path}' is the input raster itself. Choose another output "
                "file; the input is never overwritten."
            )
        for other_label, other in zip(labels, paths):
            if other is not None and _same_file(path, other):
                raise CrnnError(
                    f"The {label} and the {other_label} are the same file '{path}': give "
                    "each output its own file."
                )
        paths.append(path)
    return paths


def _check_model_bands(model: CrnnModel) -> None:
    """The model's own band list is sound (whether the raster has the bands is
    ``band_matching.match_bands``'s question)."""
    band_indices = [int(b) for b in model.band_indices]
    if not band_indices:
        raise CrnnError("The model lists no bands; it is corrupt. Retrain it.")
    lowest = min(band_indices)
    if lowest < 1:
        raise CrnnError(f"The model lists band {lowest}; bands are numbered from 1. Retrain it.")
    if int(np.asarray(model.mean).shape[0]) != len(band_indices):
        raise CrnnError(
            f"The model is inconsistent: {len(band_indices)} bands but a standardisation "
            f"for {np.asarray(model.mean).shape[0]}. Retrain it."
        )


# ---------------------------------------------------------------------------------------
# The class raster's type, nodata, colours


def _class_type(classes: Sequence[ClassInfo]) -> Tuple[int, type, int]:
    """(GDAL type, numpy type, nodata): the smallest type that holds every class value
    and one more value for nodata (0 where 0 is not a class, else the type's top/bottom)."""
    values = {int(c.value) for c in classes}
    if not values:
        raise CrnnError("The model has no classes; it is corrupt. Retrain it.")
    low, high = min(values), max(values)
    for gdal_type, np_type, lowest, highest in _CLASS_TYPES:
        if low < lowest or high > highest:
            continue
        for candidate in (0, highest, lowest, highest - 1, lowest + 1):
            if lowest <= candidate <= highest and candidate not in values:
                return gdal_type, np_type, candidate
    raise CrnnError(
        f"Class values from {low} to {high} do not fit a 32-bit integer raster. Use class "
        "values between -2147483647 and 2147483646."
    )


# ---------------------------------------------------------------------------------------
# Outputs under temporary names


class _Output:
    """A GeoTIFF written in a hidden staging folder, moved into place on success."""

    def __init__(self, path: str, like: gdal.Dataset, bands: int, gdal_type: int) -> None:
        self.path = path
        try:
            self.stage = StagedFile(path)
        except OSError as error:
            raise CrnnError(f"Cannot create '{path}': {error.strerror or error}. Check the "
                            "folder's free space and permissions.") from None
        self.temporary = self.stage.temporary
        options = ["TILED=YES", f"BLOCKXSIZE={OUTPUT_TILE}", f"BLOCKYSIZE={OUTPUT_TILE}",
                   "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"]
        if bands > 1:
            options.append("INTERLEAVE=BAND")
        driver = gdal.GetDriverByName("GTiff")
        try:
            self.dataset = driver.Create(
                self.temporary, like.RasterXSize, like.RasterYSize, bands, gdal_type, options
            )
        except RuntimeError:
            self.dataset = None
        if self.dataset is None:
            self.stage.discard()
            raise CrnnError(
                f"Cannot create '{path}': {gdal.GetLastErrorMsg() or 'write error'}. Check "
                "the folder's free space and permissions."
            )
        transform = like.GetGeoTransform(can_return_null=True)
        if transform is not None:
            self.dataset.SetGeoTransform(transform)
        projection = like.GetProjection()
        if projection:
            self.dataset.SetProjection(projection)

    def band(self, index: int) -> gdal.Band:
        return self.dataset.GetRasterBand(index)

    def _failed(self, error: Optional[str] = None) -> CrnnError:
        return CrnnError(
            f"Cannot write '{self.path}': {error or gdal.GetLastErrorMsg() or 'write error'}. "
            "Check the free disk space, or choose another folder."
        )

    def write(self, stack: np.ndarray, row: int, col: int = 0) -> None:
        """(bands, rows, cols) at (``row``, ``col``); flushed so finished tiles leave
        memory."""
        gdal.ErrorReset()
        for index, array in enumerate(stack, start=1):
            try:
                failed = self.band(index).WriteArray(array, col, row) != 0
            except RuntimeError:
                failed = True
            if failed:
                raise self._failed()
        try:
            self.dataset.FlushCache()
        except RuntimeError:
            raise self._failed() from None
        # GDAL reports a full disk while flushing only through its error state
        if gdal.GetLastErrorType() >= gdal.CE_Failure:
            raise self._failed()

    def _close(self) -> Optional[str]:
        """Close the file (writing the TIFF directory); return GDAL's error, or None."""
        if self.dataset is None:
            return None
        error = close_dataset(self.dataset)
        self.dataset = None
        return error

    def close(self) -> None:
        error = self._close()
        if error is not None:
            raise self._failed(error)

    def commit(self) -> None:
        self.close()
        self.stage.commit()

    def discard(self) -> None:
        self._close()  # its error, if any, goes with the file
        self.stage.discard()


# ---------------------------------------------------------------------------------------
# The streaming engine


def _move_rows(buffer: np.ndarray, shift: int, count: int, step: int = 16) -> None:
    """Move rows [shift, shift + count) of (bands, rows, cols) to the top, in place.

    A few rows at a time, front to back, so no full-size temporary is made (its size
    would follow the raster's width).
    """
    for start in range(0, count, step):
        stop = min(count, start + step)
        buffer[:, start:stop] = buffer[:, shift + start : shift + stop]


@dataclass(frozen=True)
class LopSettings:
    """The linear opinion pool of a run: window side, weighting, passes, and the edge
    weighting's distance scale (the model's; unused by the other weightings)."""

    size: int = 3
    weights: str = "uniform"
    iterations: int = 1
    edge_scale: float = 1.0

    @property
    def reach(self) -> int:
        """How far (pixels) a fused value looks: 0 when the pool is off."""
        return halo(self.size, self.iterations) if self.size > 1 and self.iterations > 0 else 0

    def fuse(self, probabilities: np.ndarray, valid: np.ndarray,
             guide: Optional[np.ndarray]) -> np.ndarray:
        return lop_fuse(probabilities, valid, self.size, self.weights, self.iterations,
                        guide=guide, edge_scale=self.edge_scale)


class _RowBuffer:
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
        _move_rows(self.probabilities, shift, kept)
        _move_rows(self.valid[None], shift, kept)
        if self.guide is not None:
            _move_rows(self.guide, shift, kept)
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
class _FusedRows:
    """The fused result of output rows: class values, and optionally the winning class's
    probability and all probabilities (nodata pixels carry the nodata values)."""

    labels: np.ndarray
    confidence: Optional[np.ndarray]
    probabilities: Optional[np.ndarray]


def _fuse_rows(buffer: _RowBuffer, first: int, last: int, lop: LopSettings,
               values: np.ndarray, class_type: type, class_nodata: int,
               counts: np.ndarray, confidence: bool, probabilities: bool,
               columns: Optional[Tuple[int, int]] = None) -> _FusedRows:
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
    reach, width = lop.reach, buffer.width
    start, stop = columns if columns is not None else (0, width)
    top, bottom = max(0, first - reach), min(buffer.end, last + reach)
    inner = slice(first - top, last - top)
    n_classes = buffer.probabilities.shape[0]
    rows = last - first
    fused_rows = _FusedRows(
        np.empty((rows, stop - start), class_type),
        np.empty((rows, stop - start), np.float32) if confidence else None,
        np.empty((n_classes, rows, stop - start), np.float32) if probabilities else None)
    for left in range(start, stop, LOP_COLUMNS):
        right = min(stop, left + LOP_COLUMNS)
        a, b = max(0, left - reach), min(width, right + reach)
        probabilities_ab, valid_ab, guide_ab = buffer.window(top, bottom, a, b)
        kept = (inner, slice(left - a, right - a))  # the piece's own rows and columns
        fused = lop.fuse(probabilities_ab, valid_ab, guide_ab)[(slice(None), *kept)]
        valid = valid_ab[kept]
        winner = fused.argmax(axis=0)
        piece = values[winner].astype(class_type)
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


def classify_tile(produce: Callable, lop: LopSettings, width: int, height: int,
                  tile: Tuple[int, int, int, int], classes: Sequence[ClassInfo],
                  confidence: bool, probabilities: bool,
                  check: Callable[[], None] = lambda: None) -> Tuple[_FusedRows, np.ndarray]:
    """One output tile (x, y, w, h) of a ``width`` x ``height`` raster on its own:
    ``produce`` on the tile and the LOP's reach around it, then the same fusion as the
    streaming engine (``_fuse_rows``), kept to the tile. Equal to the whole-image result
    for the reason ``_fuse_rows`` gives. Returns the fused tile and its class counts."""
    x, y, w, h = tile
    reach = lop.reach
    x0, y0 = max(0, x - reach), max(0, y - reach)
    x1, y1 = min(width, x + w + reach), min(height, y + h + reach)
    probs, valid, guide = produce(x0, y0, x1 - x0, y1 - y0, check)
    buffer = _RowBuffer(len(classes), x1 - x0, y1 - y0)
    buffer.put(0, 0, probs, valid, guide)
    values = np.array([c.value for c in classes])
    _, class_np, class_nodata = _class_type(classes)
    counts = np.zeros(len(classes), np.int64)
    fused = _fuse_rows(buffer, y - y0, y - y0 + h, lop, values, class_np, class_nodata,
                       counts, confidence, probabilities, columns=(x - x0, x - x0 + w))
    return fused, counts


class _OutputSet:
    """The run's GeoTIFFs (class raster; probabilities and confidence where asked),
    written row by row under temporary names and moved into place all together."""

    def __init__(self, paths: Sequence[Optional[str]], like: gdal.Dataset,
                 classes: Sequence[ClassInfo], class_gdal: int, class_nodata: int) -> None:
        self.outputs: List[_Output] = []
        try:
            self.classes = self._add(paths[0], like, 1, class_gdal)
            self.classes.band(1).SetDescription("class")
            style_class_band(self.classes.band(1), classes, class_nodata)
            self.probabilities = self.confidence = None
            if paths[1]:
                self.probabilities = self._add(paths[1], like, len(classes), gdal.GDT_Float32)
                for index, info in enumerate(classes, start=1):
                    self.probabilities.band(index).SetDescription(info.name)
                    self.probabilities.band(index).SetNoDataValue(PROBABILITY_NODATA)
            if paths[2]:
                self.confidence = self._add(paths[2], like, 1, gdal.GDT_Float32)
                self.confidence.band(1).SetDescription("confidence")
                self.confidence.band(1).SetNoDataValue(PROBABILITY_NODATA)
        except BaseException:
            self.discard()
            raise

    def _add(self, path: str, like: gdal.Dataset, bands: int, gdal_type: int) -> _Output:
        output = _Output(path, like, bands, gdal_type)
        self.outputs.append(output)
        return output

    def write(self, row: int, fused: _FusedRows, col: int = 0) -> None:
        self.classes.write(fused.labels[None], row, col)
        if self.confidence is not None:
            self.confidence.write(fused.confidence[None], row, col)
        if self.probabilities is not None:
            self.probabilities.write(fused.probabilities, row, col)

    def commit(self) -> None:
        """Close every file (so a late write error stops all), then move all into place."""
        for output in self.outputs:
            output.close()
        for output in self.outputs:
            output.commit()

    def discard(self) -> None:
        for output in self.outputs:
            output.discard()


def _run(
    raster: SpectralRaster,
    produce: Callable,
    classes: Sequence[ClassInfo],
    paths: List[Optional[str]],
    lop: LopSettings,
    progress: Optional[ProgressCallback],
    is_cancelled: Optional[CancelCheck],
    log: Optional[LogCallback],
) -> ClassificationSummary:
    """Read the raster in block-aligned chunks, turn each into posteriors (``produce``),
    keep them in a buffer of full-width rows, and fuse and write output tiles of
    ``OUTPUT_TILE`` rows as soon as the rows within the LOP's reach below them are in."""
    started = time.perf_counter()
    width, height = raster.width, raster.height
    values = np.array([c.value for c in classes])
    class_gdal, class_np, class_nodata = _class_type(classes)
    reach = lop.reach
    strips = raster.strips()
    counts = np.zeros(len(classes), np.int64)

    def check() -> None:
        if is_cancelled is not None and is_cancelled():
            raise CancelledError()

    check()
    outputs = _OutputSet(paths, raster.dataset, classes, class_gdal, class_nodata)
    try:
        buffer = _RowBuffer(len(classes), width, OUTPUT_TILE + 2 * reach + strips.rows)
        next_row = 0  # the first output row not written yet
        for strip in strips:
            buffer.forget_before(max(0, next_row - reach))
            for col, cols in strip.chunks:
                probs, valid, guide = produce(col, strip.row, cols, strip.height, check)
                if strip.ends_blocks:
                    # The chunk ends on a block boundary: its blocks are done with; drop
                    # them from GDAL's block cache so memory does not follow the width.
                    raster.flush_cache()
                buffer.put(strip.row, col, probs, valid, guide)
                if progress is not None:
                    progress((strip.row * width + (col + cols) * strip.height)
                             / (width * height))
            while next_row < height and (
                buffer.end == height
                or buffer.end >= min(height, next_row + OUTPUT_TILE) + reach
            ):
                last = min(height, next_row + OUTPUT_TILE)
                outputs.write(next_row, _fuse_rows(
                    buffer, next_row, last, lop, values, class_np, class_nodata, counts,
                    outputs.confidence is not None, outputs.probabilities is not None))
                next_row = last
        check()
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise
    return summarise(width, height, classes, counts, paths, started, log)


def summarise(width: int, height: int, classes: Sequence[ClassInfo], counts: np.ndarray,
              paths: Sequence[Optional[str]], started: float,
              log: Optional[LogCallback]) -> ClassificationSummary:
    """The summary of a finished run that began at ``started`` (``time.perf_counter``),
    also written to ``log``."""
    seconds = time.perf_counter() - started
    total = width * height
    valid_total = int(counts.sum())
    summary = ClassificationSummary(
        class_counts={int(c.value): int(n) for c, n in zip(classes, counts)},
        valid_pixels=valid_total,
        nodata_pixels=total - valid_total,
        seconds=seconds,
        pixels_per_second=total / seconds if seconds > 0 else float("inf"),
        output_path=paths[0],
        probabilities_path=paths[1],
        confidence_path=paths[2],
        width=width,
        height=height,
        class_names={int(c.value): c.name for c in classes},
    )
    if log:
        log(summary.report())
    return summary


__all__ = [
    "ClassificationSummary",
    "classify_raster",
    "smooth_probabilities",
    "DEFAULT_BATCH_SIZE",
    "PROBABILITY_NODATA",
]
