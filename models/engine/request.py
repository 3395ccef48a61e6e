"""A classification request: what one run writes and how, built once from the caller's
parameters and checked when it is made.

The local engine (inference.py ``classify_raster``), the Dask engine (cluster.py
``classify_raster_on_cluster``) and the smoothing of probability rasters (smoothing.py
``smooth_probabilities``) all take one. The checks that need the input raster (the
output paths against it, the model's bands) come when the run starts
(``inference.plan_classification``, ``smooth_probabilities``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..common.errors import CrnnError
from .lop import LopSettings

#: Default pixels per network batch (measured: docs/inference.md).
DEFAULT_BATCH_SIZE = 1024


@dataclass(frozen=True)
class OutputPaths:
    """The GeoTIFFs a run writes: the class raster, and where asked (a path, not None)
    the LOP-fused probabilities (one band per class) and the confidence (the winning
    class's probability). As given; ``outputs.check_output_paths`` checks them against
    the input and makes them absolute."""

    class_raster: Optional[str]
    probabilities: Optional[str] = None
    confidence: Optional[str] = None


@dataclass(frozen=True)
class ClassificationRequest:
    """One classification's settings: its outputs, the LOP, the network's device, batch
    size (pixels), CPU threads (0 = all cores), arithmetic ('float32', 'bfloat16' or
    'auto') and whether spectra may be resampled onto the model's wavelengths.

    Checked when made, the LOP first, then the batch size (the order the engines always
    checked them in), so a request that exists is one the engines accept.
    """

    outputs: OutputPaths
    lop: LopSettings = field(default_factory=LopSettings)
    device: str = "cpu"
    batch_size: int = DEFAULT_BATCH_SIZE
    threads: int = 0
    precision: str = "float32"
    resample_spectra: bool = False

    def __post_init__(self) -> None:
        self.lop.check()
        if int(self.batch_size) < 1:
            raise CrnnError(
                f"The batch size must be at least 1 pixel (got {self.batch_size}).")


__all__ = ["ClassificationRequest", "OutputPaths", "DEFAULT_BATCH_SIZE"]
