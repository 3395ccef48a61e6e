"""Streaming classification of a raster with a trained CRNN: the local engine.

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

The engine's pieces, module by module (models/engine/):

- request.py: ``ClassificationRequest`` (outputs, LOP, device, batch size, threads,
  precision, resampling), checked when made; every run starts from one.
- here: ``plan_classification`` (the checks that need the raster and the model, band
  matching), ``classify_raster`` and the streaming loop ``run_streaming``, which
  smoothing.py drives too; ``summarise`` (what a run produced).
- tiles.py: what both engines share: ``TileProducer`` (the network pass over a window),
  ``RowBuffer``, ``fuse_rows`` (the LOP over buffered rows, as ``Fusion`` says),
  ``classify_tile`` (a tile with the LOP's reach around it), ``class_type``.
- outputs.py: ``check_output_paths`` and ``OutputSet`` (GeoTIFFs staged under hidden
  names, moved into place only when everything succeeded).
- smoothing.py: ``smooth_probabilities``, the LOP over another tool's probabilities.
- cluster.py: ``classify_raster_on_cluster``, the same map from a Dask cluster's workers.
- lop.py: the linear opinion pool and ``LopSettings``.

torch is not imported here: the network runs through ``CrnnModel.classifier()``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, Optional, Sequence

import numpy as np

from ..common.callbacks import NO_HOOKS, Hooks
from ..common.classes import ClassInfo
from ..common.errors import CrnnError
from ..network.modelfile import CrnnModel
from ..rasters.band_matching import BandMatch, match_bands
from ..rasters.raster import SpectralRaster
from . import tiles
from .lop import LopSettings
from .outputs import OutputSet, check_output_paths
from .request import ClassificationRequest, OutputPaths
from .tiles import Fusion, RowBuffer, TileProducer, class_type, fuse_rows


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
# The local engine


def classify_raster(raster_path: str, model: CrnnModel, request: ClassificationRequest,
                    hooks: Hooks = NO_HOOKS) -> ClassificationSummary:
    """Classify ``raster_path`` with ``model``; write the request's outputs.

    Args:
        raster_path: any raster GDAL reads, holding the model's bands: found by
            wavelength where the model and the raster have wavelengths, else by number
            (1-based ``model.band_indices``; models/rasters/band_matching.py). Where the
            raster lacks some of the model's wavelengths, ``request.resample_spectra``
            interpolates its spectra onto them (within its range) instead of refusing.
        model: the trained model.
        request: the outputs, LOP (size 1 or 0 iterations = none), device ('cpu': all
            cores, 'cuda' or 'auto'), batch size, torch threads (0 = all cores; on a
            machine whose cores are busy with other work, 1 thread can be much faster:
            docs/inference.md) and the network's arithmetic ('float32', 'bfloat16' or
            'auto': ``network.resolve_precision``). The outputs: the class raster
            (GeoTIFF: smallest integer type that holds the class values and a nodata
            value that is not a class value; colour table and class names from the
            model); optionally the probabilities (Float32, one band per class: the
            LOP-fused posteriors, band descriptions = class names, nodata -1) and the
            confidence (Float32: the winning class's probability, nodata -1).
        hooks: progress (the fraction done, 0..1, after each read chunk), the cancel
            check (polled between network batches; True raises ``CancelledError``) and
            the log (a few lines of information).

    A pixel with its band's nodata value, NaN or +-Inf in any used band, or 0 in all of
    them (models/rasters/raster.py ``valid_mask``), is nodata in every output and casts no
    vote in its neighbours' LOP.
    """
    plan = plan_classification(raster_path, model, request, hooks)
    classifier = model.classifier(device=request.device, batch_size=request.batch_size,
                                  threads=request.threads, precision=request.precision)
    produce = TileProducer(plan.raster, model, classifier, request.batch_size, plan.edge)
    hooks.say(
        f"Classifying {plan.raster.width} x {plan.raster.height} pixels, "
        f"{plan.raster.n_bands} bands, {model.n_classes} classes on {classifier.device} "
        f"({_precision_name(classifier)}), batch {request.batch_size}; "
        f"{request.lop.describe()}."
    )
    return run_streaming(plan.raster, produce, model.classes, plan.outputs, plan.lop, hooks)


def _precision_name(classifier) -> str:
    dtype = getattr(classifier, "autocast_dtype", None)
    return "float32" if dtype is None else str(dtype).replace("torch.", "")


@dataclass
class ClassificationPlan:
    """A checked classification: the raster opened with the model's bands chosen, the
    output paths (absolute), the LOP with the model's edge scale. Both engines (this
    module's and models/engine/cluster.py) start here."""

    raster: SpectralRaster
    bands: BandMatch
    outputs: OutputPaths
    lop: LopSettings

    @property
    def edge(self) -> bool:
        """Whether the LOP needs the guide features (the edge weighting, switched on)."""
        return self.lop.uses_guide


def plan_classification(raster_path: str, model: CrnnModel, request: ClassificationRequest,
                        hooks: Hooks = NO_HOOKS) -> ClassificationPlan:
    """Check the paths and the model, and find the model's bands in the raster (by
    wavelength or number, ``band_matching.match_bands``), before any work. (The LOP and
    the batch size were checked when the request was made.)"""
    outputs = check_output_paths(raster_path, request.outputs)
    _check_model_bands(model)
    raster = SpectralRaster(raster_path, [], physical=model.physical_values)
    match = match_bands(raster.all_bands, model.band_indices, model.band_wavelengths,
                        model.band_fwhm, model.raster_band_count, request.resample_spectra,
                        f"the raster '{os.path.basename(raster_path)}'")
    raster.select(match.read, match.mixing)
    hooks.say(match.message)
    class_type(model.classes)  # raises on class values no integer type holds
    lop = replace(request.lop, edge_scale=float(model.edge_scale))
    return ClassificationPlan(raster, match, outputs, lop)


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
# The streaming loop


def run_streaming(raster: SpectralRaster, produce: Callable, classes: Sequence[ClassInfo],
                  paths: OutputPaths, lop: LopSettings, hooks: Hooks) -> ClassificationSummary:
    """Read the raster in block-aligned chunks, turn each into posteriors (``produce``),
    keep them in a buffer of full-width rows, and fuse and write output tiles of
    ``tiles.OUTPUT_TILE`` rows as soon as the rows within the LOP's reach below them are
    in. ``paths``: checked (``check_output_paths``)."""
    started = time.perf_counter()
    width, height = raster.width, raster.height
    fusion = Fusion.of(lop, classes, confidence=bool(paths.confidence),
                       probabilities=bool(paths.probabilities))
    reach = lop.reach
    strips = raster.strips()
    counts = np.zeros(len(classes), np.int64)
    tile_rows = tiles.OUTPUT_TILE  # read here, not imported: tests shrink it
    hooks.check()
    outputs = OutputSet(paths, raster.dataset, classes)
    try:
        buffer = RowBuffer(len(classes), width, tile_rows + 2 * reach + strips.rows)
        next_row = 0  # the first output row not written yet
        for strip in strips:
            buffer.forget_before(max(0, next_row - reach))
            for col, cols in strip.chunks:
                probs, valid, guide = produce(col, strip.row, cols, strip.height, hooks.check)
                if strip.ends_blocks:
                    # The chunk ends on a block boundary: its blocks are done with; drop
                    # them from GDAL's block cache so memory does not follow the width.
                    raster.flush_cache()
                buffer.put(strip.row, col, probs, valid, guide)
                hooks.advance((strip.row * width + (col + cols) * strip.height)
                              / (width * height))
            while next_row < height and (
                buffer.end == height
                or buffer.end >= min(height, next_row + tile_rows) + reach
            ):
                last = min(height, next_row + tile_rows)
                outputs.write(next_row, fuse_rows(buffer, next_row, last, fusion, counts))
                next_row = last
        hooks.check()
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise
    return summarise(width, height, classes, counts, paths, started, hooks)


def summarise(width: int, height: int, classes: Sequence[ClassInfo], counts: np.ndarray,
              paths: OutputPaths, started: float, hooks: Hooks) -> ClassificationSummary:
    """The summary of a finished run that began at ``started`` (``time.perf_counter``),
    also written to the log."""
    seconds = time.perf_counter() - started
    total = width * height
    valid_total = int(counts.sum())
    summary = ClassificationSummary(
        class_counts={int(c.value): int(n) for c, n in zip(classes, counts)},
        valid_pixels=valid_total,
        nodata_pixels=total - valid_total,
        seconds=seconds,
        pixels_per_second=total / seconds if seconds > 0 else float("inf"),
        output_path=paths.class_raster,
        probabilities_path=paths.probabilities,
        confidence_path=paths.confidence,
        width=width,
        height=height,
        class_names={int(c.value): c.name for c in classes},
    )
    hooks.say(summary.report())
    return summary


__all__ = [
    "ClassificationSummary",
    "ClassificationPlan",
    "classify_raster",
    "plan_classification",
    "run_streaming",
    "summarise",
]
