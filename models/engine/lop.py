"""The linear opinion pool (LOP): spatial fusion of per-pixel class posteriors.

P'(y_i) = sum_{j in N_i} w_ij P(y_j), over an odd square window N_i, with the weights
renormalised over the valid neighbours (inside the image and not nodata), so borders and
holes do not bias the pool. Repeating the pool widens its reach by the radius each time.

Every pixel's result depends only on pixels within ``halo(size, iterations)`` of it, so
a block processed with that halo gives exactly the whole-image result.

``LopSettings`` is a run's pool (window, weighting, passes, the edge weighting's scale),
as the classification request (request.py) carries it and the engines fuse with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from scipy import ndimage

from ..common.errors import CrnnError
from ..network.config import LOP_WEIGHTS


def halo(size: int, iterations: int) -> int:
    """How many pixels around a block the LOP reads."""
    return (size // 2) * iterations


def check_lop(size: int, weights: str, iterations: int) -> None:
    if size < 1 or size % 2 == 0:
        raise CrnnError(
            f"The LOP window must be an odd number of pixels (1 = no fusion, 3 = the paper's "
            f"3x3), got {size}."
        )
    if weights not in LOP_WEIGHTS:
        raise CrnnError(f"Unknown LOP weighting '{weights}': use one of {LOP_WEIGHTS}.")
    if iterations < 0:
        raise CrnnError(f"LOP iterations must be 0 or more, got {iterations}.")


@dataclass(frozen=True)
class LopSettings:
    """The linear opinion pool of a run: window side, weighting, passes, and the edge
    weighting's distance scale (the model's, set by ``inference.plan_classification``;
    unused by the other weightings)."""

    size: int = 3
    weights: str = "uniform"
    iterations: int = 1
    edge_scale: float = 1.0

    def check(self) -> None:
        """Raise ``CrnnError`` on a window, weighting or pass count the pool refuses."""
        check_lop(self.size, self.weights, self.iterations)

    @property
    def reach(self) -> int:
        """How far (pixels) a fused value looks: 0 when the pool is off."""
        return halo(self.size, self.iterations) if self.size > 1 and self.iterations > 0 else 0

    @property
    def uses_guide(self) -> bool:
        """Whether the pool needs the guide features (the edge weighting, switched on)."""
        return self.weights == "edge" and self.reach > 0

    def describe(self) -> str:
        """The pool as the run's log names it: 'LOP 3x3 uniform x1'."""
        return f"LOP {self.size}x{self.size} {self.weights} x{self.iterations}"

    def fuse(self, probabilities: np.ndarray, valid: np.ndarray,
             guide: Optional[np.ndarray]) -> np.ndarray:
        return lop_fuse(probabilities, valid, self.size, self.weights, self.iterations,
                        guide=guide, edge_scale=self.edge_scale)


def spatial_kernel(size: int, weights: str) -> np.ndarray:
    """1-D spatial weights; the 2-D window is their outer product."""
    offsets = np.arange(size, dtype=np.float64) - size // 2
    if weights == "uniform":
        return np.ones(size)
    sigma = max(size / 4.0, 0.5)  # the window's edge sits at about two sigma
    return np.exp(-0.5 * (offsets / sigma) ** 2)


def lop_fuse(
    probabilities: np.ndarray,
    valid: Optional[np.ndarray] = None,
    size: int = 3,
    weights: str = "uniform",
    iterations: int = 1,
    guide: Optional[np.ndarray] = None,
    edge_scale: float = 1.0,
) -> np.ndarray:
    """Fuse posteriors over a window; invalid pixels come out as zeros.

    Args:
        probabilities: (classes, rows, cols) posteriors.
        valid: (rows, cols) bool; False pixels neither receive nor cast a vote.
        size: odd window side; 1 means no fusion.
        weights: 'uniform', 'gaussian' (spatial) or 'edge' (spatial Gaussian times the
            spectral similarity of each neighbour to the centre, so the pool does not blur
            across field boundaries).
        iterations: how many times the pool is applied.
        guide: (features, rows, cols) spectral features for 'edge'.
        edge_scale: distance in guide space at which an edge neighbour's weight falls to
            exp(-1/2).
    """
    check_lop(size, weights, iterations)
    probabilities = np.asarray(probabilities, dtype=np.float32)
    if probabilities.ndim != 3:
        raise CrnnError("LOP input must be (classes, rows, cols).")
    shape = probabilities.shape[1:]
    valid = np.ones(shape, bool) if valid is None else np.asarray(valid, bool)
    fused = np.where(valid, probabilities, 0.0).astype(np.float32)
    if size == 1 or iterations == 0:
        return fused
    if weights == "edge":
        if guide is None:
            raise CrnnError("The 'edge' LOP needs the spectral guide features.")
        return _edge_pool(fused, valid, size, iterations, guide, edge_scale)
    kernel = spatial_kernel(size, weights).astype(np.float32)
    mask = valid.astype(np.float32)
    denominator = _separable(mask[None], kernel)[0]
    denominator[~valid] = 1.0
    for _ in range(iterations):
        fused = _separable(fused, kernel) / denominator
        fused[:, ~valid] = 0.0
    return fused


def _separable(stack: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    out = ndimage.correlate1d(stack, kernel, axis=1, mode="constant", cval=0.0)
    return ndimage.correlate1d(out, kernel, axis=2, mode="constant", cval=0.0)


def _edge_pool(
    fused: np.ndarray,
    valid: np.ndarray,
    size: int,
    iterations: int,
    guide: np.ndarray,
    edge_scale: float,
) -> np.ndarray:
    """Weights per offset: spatial Gaussian x exp(-d^2 / 2h^2), d = guide distance."""
    guide = np.asarray(guide, dtype=np.float32)
    if guide.shape[1:] != valid.shape:
        raise CrnnError("The LOP guide must cover the same pixels as the probabilities.")
    radius = size // 2
    rows, cols = valid.shape
    spatial = spatial_kernel(size, "gaussian")
    padded_guide = np.pad(guide, ((0, 0), (radius, radius), (radius, radius)))
    padded_valid = np.pad(valid, radius)
    scale = np.float32(-0.5 / max(edge_scale, 1e-12) ** 2)
    offset_weights = []
    for dy in range(size):
        for dx in range(size):
            neighbour = padded_guide[:, dy : dy + rows, dx : dx + cols]
            distance = np.square(neighbour - guide).sum(axis=0)
            weight = np.exp(distance * scale) * np.float32(spatial[dy] * spatial[dx])
            # np.where, not a product: a NaN guide at an invalid pixel must not leak
            weight = np.where(padded_valid[dy : dy + rows, dx : dx + cols], weight, 0.0)
            offset_weights.append(weight.astype(np.float32))
    total = np.sum(offset_weights, axis=0)
    total[~valid] = 1.0
    for _ in range(iterations):
        padded = np.pad(fused, ((0, 0), (radius, radius), (radius, radius)))
        pooled = np.zeros_like(fused)
        index = 0
        for dy in range(size):
            for dx in range(size):
                pooled += offset_weights[index] * padded[:, dy : dy + rows, dx : dx + cols]
                index += 1
        fused = pooled / total
        fused[:, ~valid] = 0.0
    return fused
