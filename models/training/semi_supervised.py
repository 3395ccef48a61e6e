"""Semi-supervised training: labels grown into alike neighbours, optional self-training.

With few labelled pixels the CRNN alone misreads much of the image. Fields are larger
than a pixel, so a training pixel's neighbours that look like it are almost always of
its class: giving them its label (``grown_labels``) multiplies the training pixels by
about ten at 97-99 % right on Indian Pines, and they lie where the network would
otherwise guess (docs/ablation.md, "Few labels"). The network stays the paper's CRNN.

The steps, each bounded:

1. growing (``grow_radius`` > 0, the default): each training pixel's class goes to the
   pixels within ``grow_radius`` pixels whose spectrum lies within ``grow_angle``
   radians of its own (a pixel two classes reach takes none); at most ``pixel_budget``
   neighbours are read, one training pixel's window at a time;
2. the first model trained from scratch on the labelled and grown pixels, its epochs
   scaled so it costs about as many optimisation steps as a supervised run on
   ``grow_cost`` times the labelled pixels (without growing: the supervised model);
3. ``rounds`` of self-training (0 by default: it lost points after growing): the model
   classifies a sample of the raster (``pseudo_label_windows``: the whole raster up to
   ``pixel_budget`` pixels, else random ``tile`` x ``tile`` tiles), its posteriors are
   pooled by the LOP inside each window, the confident pooled unlabelled pixels (at most
   ``per_class`` a class) become pseudo-labels, and the model is trained again, a round
   costing a supervised run on ``round_cost`` times the labelled pixels.

Memory is bounded by the budget: at most ``pixel_budget`` candidate spectra at a time.
Time is about ``grow_cost`` supervised runs (plus ``rounds`` retrainings and their
classification). Deterministic for a seed, as supervised training; the cancel callback
is checked every 256 training pixels grown, in every window and every training batch.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..common.callbacks import CancelCheck
from ..common.classes import ClassInfo
from ..common.errors import CancelledError, CrnnError
from ..engine.lop import check_lop, lop_fuse
from ..network.config import TrainingConfig
from ..network.modelfile import CrnnModel
from ..network.window import read_network_input
from ..rasters.raster import SpectralRaster
from .train import (
    CANCELLED,
    NO_TRAINING_HOOKS,
    TrainingData,
    TrainingHooks,
    TrainingSetup,
    class_targets,
    train_model,
    validation_split,
)

# The most the angle bound may reach, whatever the noise rule asks: 0.25 rad (14 degrees)
# is three times the 0.08 floor and 2.5 times ENVI's default SAM threshold (0.1), still
# under the 0.46 rad between the tests' field classes; at the 1.5 rad a noisy scene once
# asked for, every spectrum is "alike".
GROW_ANGLE_CAP = 0.25


@dataclass(frozen=True)
class SemiSupervisedConfig:
    """How the unlabelled pixels are used (defaults chosen in docs/ablation.md)."""

    # 65 536 pixels: the whole of a scene like Indian Pines (21 025), else 64 tiles of
    # 32 x 32 spread over the raster; about 2 s of classification at the CRNN's speed and
    # at most 65 536 x bands x 4 bytes of candidate spectra (52 MB at 200 bands)
    pixel_budget: int = 65536
    tile: int = 32
    lop_size: int = 3
    lop_weights: str = "edge"
    lop_iterations: int = 15
    threshold: float = 0.5  # pooled probability a pseudo-label needs
    per_class: int = 200  # at most this many pseudo-labels of each class
    rounds: int = 0  # self-training rounds after the first model (0: none)
    round_cost: float = 4.0  # a round's steps: a supervised run on this x the labelled pixels
    agree: bool = False  # keep only pixels whose own class is the pooled class
    select: str = "random"  # of a class's confident pixels: "random" or the "top" ones
    warm: bool = False  # a round starts from the previous model's weights
    clamp: bool = False  # training pixels pooled as their known class (label propagation)
    # growing: each training pixel's class given to the pixels within ``grow_radius``
    # (Chebyshev distance) whose spectral angle to it is at most ``grow_angle`` radians;
    # 0 turns it off. The first model then trains on them, its steps those of a
    # supervised run on ``grow_cost`` x the labelled pixels.
    grow_radius: int = 3
    grow_angle: float = 0.08  # at least; more where adjacent pixels differ more:
    grow_noise_factor: float = 2.0  # this x their median angle to the training pixels
    grow_angle_cap: float = GROW_ANGLE_CAP  # at most; nothing grows where that median is more
    grow_cost: float = 3.0

    def validate(self) -> None:
        if self.pixel_budget < 1 or self.tile < 1:
            raise CrnnError("The unlabelled pixel budget and the tile side must be positive.")
        check_lop(self.lop_size, self.lop_weights, self.lop_iterations)
        if not 0.0 <= self.threshold <= 1.0:
            raise CrnnError(f"The pseudo-label threshold must be in [0, 1], got "
                            f"{self.threshold}.")
        if self.per_class < 1 or self.rounds < 0 or self.round_cost <= 0:
            raise CrnnError("Pseudo-labels per class and round cost must be positive, "
                            "rounds at least 0.")
        if (self.grow_radius < 0 or not 0 < self.grow_angle < math.pi or self.grow_cost <= 0
                or self.grow_noise_factor < 0):
            raise CrnnError("The growing radius must be >= 0, its angle in (0, pi) radians "
                            "and its cost positive.")
        if not self.grow_angle <= self.grow_angle_cap < math.pi:
            raise CrnnError(f"The growing angle's cap ({self.grow_angle_cap} rad) must be at "
                            f"least its floor ({self.grow_angle} rad) and below pi.")

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


def pseudo_label_windows(width: int, height: int, budget: int, tile: int,
                         seed: int) -> List[Tuple[int, int, int, int]]:
    """The windows (col, row, width, height) whose pixels are pseudo-labelled.

    The whole raster where it has at most ``budget`` pixels; else tiles of a grid of
    ``tile`` x ``tile`` cells drawn at random (seeded) until the next would pass the
    budget, in reading order.
    """
    if width * height <= budget:
        return [(0, 0, width, height)]
    cells = [(col, row, min(tile, width - col), min(tile, height - row))
             for row in range(0, height, tile) for col in range(0, width, tile)]
    order = np.random.default_rng(seed).permutation(len(cells))
    chosen, total = [], 0
    for index in order:
        size = cells[index][2] * cells[index][3]
        if total + size > budget:
            if total:
                break
            continue
        chosen.append(int(index))
        total += size
    return [cells[i] for i in sorted(chosen)]


@dataclass
class PseudoLabels:
    """The pseudo-labelled pixels of one round and what they looked like."""

    spectra: np.ndarray  # (pixels, bands) raw values as the network reads them
    values: np.ndarray  # (pixels,) class values
    rows: np.ndarray
    cols: np.ndarray
    pixels_read: int  # valid unlabelled pixels classified (grown: looked at)
    candidates: int  # of them confident enough
    # the labelled validation pixels inside the windows: how many, and how many of them
    # the pooled class gets right, all of them and the confident ones
    validation_pixels: int = 0
    validation_agree: int = 0
    validation_confident: int = 0
    validation_confident_agree: int = 0
    angle: Optional[float] = None  # grown: the spectral angle bound used, radians
    # grown: the median angle between the training pixels and their adjacent pixels, the
    # cap on the bound, whether the noise rule asked for more than the cap, and whether
    # that median itself passes the cap (then nothing is grown)
    noise: Optional[float] = None
    cap: Optional[float] = None
    capped: bool = False
    too_noisy: bool = False

    def summary(self, classes: Sequence[ClassInfo]) -> Dict[str, Any]:
        counts = {c.name: int(np.sum(self.values == c.value)) for c in classes}
        return {
            "unlabelled_pixels": int(self.pixels_read),
            "confident_pixels": int(self.candidates),
            "pseudo_labels": int(self.values.size),
            "pseudo_label_counts": counts,
            "validation_pixels": int(self.validation_pixels),
            "validation_agreement": _ratio(self.validation_agree, self.validation_pixels),
            "validation_confident": int(self.validation_confident),
            "validation_confident_agreement": _ratio(self.validation_confident_agree,
                                                     self.validation_confident),
            **({} if self.angle is None else {
                "angle": round(self.angle, 5), "angle_cap": self.cap,
                "adjacent_angle": None if self.noise is None else round(self.noise, 5),
                "angle_capped": self.capped, "too_noisy": self.too_noisy}),
        }


def _ratio(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


Places = Tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, cols, class values of pixels
Window = Tuple[int, int, int, int]  # col, row, width, height


@dataclass(frozen=True)
class LabelledPlaces:
    """Where the labelled pixels lie in the raster, split as training splits them. None
    of them is ever pseudo-labelled; the training pixels vote for their class where
    ``clamp`` asks, the validation pixels score the pseudo-labels."""

    training: Places
    validation: Places


def pseudo_labels(
    raster_path: str,
    model: CrnnModel,
    labelled: LabelledPlaces,
    config: SemiSupervisedConfig,
    seed: int,
    device: str = "cpu",
    threads: int = 0,
    is_cancelled: Optional[CancelCheck] = None,
) -> PseudoLabels:
    """Confident pooled pseudo-labels of the raster's unlabelled pixels, scored on the
    labelled validation pixels (their agreement with the pooled class)."""
    raster = SpectralRaster(raster_path, model.band_indices, physical=model.physical_values)
    if raster.n_bands != model.n_bands:
        raise CrnnError("The raster does not have the model's bands.")
    classifier = model.classifier(device=device, threads=threads)
    values = np.array([c.value for c in model.classes])
    windows = pseudo_label_windows(raster.width, raster.height, config.pixel_budget,
                                   config.tile, seed)
    labelled_rows, labelled_cols = (np.concatenate([labelled.training[i], labelled.validation[i]])
                                    for i in (0, 1))
    taken: Tuple[List[np.ndarray], ...] = ([], [], [], [], [])  # spectra .. confidence
    read, scores = 0, np.zeros(4, np.int64)
    for window in windows:
        if is_cancelled is not None and is_cancelled():
            raise CancelledError(CANCELLED)
        pooled = _pooled_window(raster, classifier, model, config, window, labelled.training)
        is_labelled = _inside(labelled_rows, labelled_cols, pooled.rows, pooled.cols, window)
        take = pooled.valid & ~is_labelled & (pooled.sure >= config.threshold)
        if config.agree:
            take &= pooled.network_class == pooled.best
        read += int((pooled.valid & ~is_labelled).sum())
        for kept, value in zip(taken, (pooled.inputs[take].astype(np.float32),
                                       pooled.best[take], pooled.rows[take],
                                       pooled.cols[take], pooled.sure[take])):
            kept.append(value)
        scores += _validation_scores(pooled, window, labelled.validation, values,
                                     config.threshold)
    spectra, classes, rows, cols, confidence = (np.concatenate(kept) for kept in taken)
    keep = _kept_per_class(classes, confidence, model.n_classes, config, seed)
    return PseudoLabels(spectra[keep], values[classes[keep]], rows[keep], cols[keep], read,
                        int(classes.size), *(int(n) for n in scores))


@dataclass(frozen=True)
class _PooledWindow:
    """A window's pixels (flat, in reading order) classified and pooled by the LOP."""

    inputs: np.ndarray  # the network's input of each pixel
    valid: np.ndarray
    network_class: np.ndarray  # the network's own class (a position in the classes)
    best: np.ndarray  # the pooled class
    sure: np.ndarray  # the pooled class's probability
    rows: np.ndarray  # the pixels' places in the raster
    cols: np.ndarray


def _pooled_window(raster: SpectralRaster, classifier, model: CrnnModel,
                   config: SemiSupervisedConfig, window: Window, known: Places) -> _PooledWindow:
    """The model's posteriors of a window pooled by the LOP (the training pixels
    ``known`` voting for their class where ``config.clamp`` asks)."""
    x0, y0, width, height = window
    own, inputs, flat_valid = read_network_input(
        raster, x0, y0, width, height, model.network.input_window, np.float64)
    own = own.astype(np.float32)  # the pixels' own spectra: the LOP's guide
    valid = flat_valid.reshape(height, width)
    probabilities = np.zeros((height * width, model.n_classes), np.float32)
    guide = np.zeros((height * width, model.guide_components.shape[0]), np.float32)
    if flat_valid.any():
        probabilities[flat_valid] = classifier.predict_proba(inputs[flat_valid])
        guide[flat_valid] = model.guide(own[flat_valid])
    network_class = probabilities.argmax(1)
    if config.clamp:
        # the training pixels vote for their known class
        here, where = _in_window(known, window)
        probabilities[where] = 0.0
        probabilities[where, class_targets(known[2][here], model.classes)] = 1.0
    pooled = lop_fuse(probabilities.T.reshape(-1, height, width), valid, config.lop_size,
                      config.lop_weights, config.lop_iterations,
                      guide.T.reshape(-1, height, width), model.edge_scale)
    pooled = pooled.reshape(model.n_classes, -1)
    window_rows, window_cols = np.divmod(np.arange(height * width), width)
    return _PooledWindow(inputs, flat_valid, network_class, pooled.argmax(0), pooled.max(0),
                         window_rows + y0, window_cols + x0)


def _in_window(places: Places, window: Window) -> Tuple[np.ndarray, np.ndarray]:
    """Which of the pixels lie in the window, and their flat positions in it."""
    rows, cols, _ = places
    x0, y0, width, height = window
    here = (rows >= y0) & (rows < y0 + height) & (cols >= x0) & (cols < x0 + width)
    return here, (rows[here] - y0) * width + (cols[here] - x0)


def _validation_scores(pooled: _PooledWindow, window: Window, validation: Places,
                       values: np.ndarray, threshold: float) -> np.ndarray:
    """The validation pixels in the window, those the pooled class gets right, the
    confident ones and the confident ones it gets right (``PseudoLabels``' order)."""
    here, where = _in_window(validation, window)
    if not here.any():
        return np.zeros(4, np.int64)
    ok = pooled.valid[where]
    right = values[pooled.best[where]] == validation[2][here]
    confident = pooled.sure[where] >= threshold
    return np.array([ok.sum(), (ok & right).sum(), (ok & confident).sum(),
                     (ok & confident & right).sum()], np.int64)


def _kept_per_class(classes: np.ndarray, confidence: np.ndarray, n_classes: int,
                    config: SemiSupervisedConfig, seed: int) -> np.ndarray:
    """Positions of the candidates kept: at most ``config.per_class`` of each class, at
    random (seeded) or the most confident ones, in their order."""
    rng = np.random.default_rng(seed)
    keep = []
    for k in range(n_classes):
        members = np.flatnonzero(classes == k)
        if members.size > config.per_class:
            if config.select == "top":
                ranked = np.argsort(-confidence[members], kind="stable")
                members = members[ranked[: config.per_class]]
            else:
                members = rng.choice(members, config.per_class, replace=False)
        keep.append(np.sort(members))
    return np.concatenate(keep)


def grown_labels(
    raster_path: str,
    band_indices: Sequence[int],
    input_window: int,
    known: Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    validation: Places,
    config: SemiSupervisedConfig,
    seed: int,
    is_cancelled: Optional[CancelCheck] = None,
) -> PseudoLabels:
    """Pseudo-labels grown from the training pixels into their spectrally alike neighbours.

    A pixel within ``config.grow_radius`` pixels of a training pixel whose spectrum (as
    the network reads it) lies within the angle bound of that pixel's takes its class;
    a pixel reached by two classes takes none. The bound is ``config.grow_angle``
    radians, or ``config.grow_noise_factor`` x the median angle between the training
    pixels and their adjacent pixels where that is larger (a noisier scene), but never
    more than ``config.grow_angle_cap``; where that median itself passes the cap, the
    scene is too noisy for "alike" to mean anything and nothing is grown (``too_noisy``:
    a capped bound would pick the few neighbours the noise happens to bring near).
    Fields are larger than a few pixels, so a neighbour that looks alike is almost always
    of the same class (docs/ablation.md, "Few labels"): unlike the network's own
    pseudo-labels, these reach the places the network still misreads.

    ``known``: (rows, cols, class values, spectra) of the training pixels the labels grow
    from; ``validation``: the validation pixels'. Neither is ever pseudo-labelled; the
    growth is scored on the validation pixels (as if unlabelled).

    Bounded: at most ``config.pixel_budget`` / ((2 radius + 1)^2 - 1) training pixels
    (drawn at random, seeded) seed the growth, so at most ``pixel_budget`` spectra are
    kept; each is read with its neighbourhood alone.
    """
    raster = SpectralRaster(raster_path, band_indices)
    reached = _reached(raster, input_window, known, config, seed, is_cancelled)
    examined = int(np.unique(reached.position).size)
    bound = _GrowthBound.of(reached, config)
    chosen, position, klass = _grown(reached, bound)
    # scored on the validation pixels reached, then those left out
    v_rows, v_cols, v_values = validation
    v_where = v_rows * raster.width + v_cols
    scored = np.isin(v_where, position)
    is_validation = np.isin(position, v_where)
    grown_class = dict(zip(position[is_validation].tolist(), klass[is_validation].tolist()))
    right = sum(grown_class[p] == v for p, v in zip(v_where[scored].tolist(),
                                                     v_values[scored].tolist()))
    keep = chosen[~is_validation]
    return PseudoLabels(
        spectra=reached.spectra[keep], values=klass[~is_validation],
        rows=position[~is_validation] // raster.width,
        cols=position[~is_validation] % raster.width,
        pixels_read=examined, candidates=int(position.size), angle=bound.angle,
        noise=bound.noise, cap=bound.cap, capped=bound.capped, too_noisy=bound.too_noisy,
        validation_pixels=int(scored.sum()), validation_agree=int(right),
        validation_confident=int(scored.sum()), validation_confident_agree=int(right))


@dataclass(frozen=True)
class _Reached:
    """The pixels the growth looks at, once per training pixel that reaches them."""

    position: np.ndarray  # flat position in the raster (row * width + col)
    klass: np.ndarray  # the reaching training pixel's class value
    angle: np.ndarray  # the spectral angle between them, radians
    adjacent: np.ndarray  # whether it is adjacent to that training pixel
    spectra: np.ndarray  # its spectrum as the network reads it, float32


def _reached(raster: SpectralRaster, input_window: int,
             known: Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
             config: SemiSupervisedConfig, seed: int,
             is_cancelled: Optional[CancelCheck]) -> _Reached:
    """Every valid pixel (not a training pixel) within the radius of the training pixels
    that seed the growth (within the budget), read one training pixel's window at a
    time."""
    rows, cols, values, spectra = known
    radius = config.grow_radius
    width, height = raster.width, raster.height
    seeds = np.arange(values.size)
    most = max(1, config.pixel_budget // ((2 * radius + 1) ** 2 - 1))
    if seeds.size > most:
        seeds = np.sort(np.random.default_rng(seed).choice(seeds, most, replace=False))
    training = set((rows * width + cols).tolist())
    positions, classes, angles, adjacent, found_spectra = [], [], [], [], []
    for number, i in enumerate(seeds):
        if number % 256 == 0 and is_cancelled is not None and is_cancelled():
            raise CancelledError(CANCELLED)
        row, col = int(rows[i]), int(cols[i])
        y0, y1 = max(0, row - radius), min(height, row + radius + 1)
        x0, x1 = max(0, col - radius), min(width, col + radius + 1)
        _, network_input, valid = read_network_input(raster, x0, y0, x1 - x0, y1 - y0,
                                                     input_window)
        own = np.asarray(spectra[i], np.float64)
        norms = np.linalg.norm(network_input, axis=1) * np.linalg.norm(own)
        window_rows, window_cols = np.mgrid[y0:y1, x0:x1]
        where = (window_rows * width + window_cols).ravel()
        take = valid & (norms > 0) & np.array([p not in training for p in where.tolist()])
        cosine = (network_input[take] @ own) / norms[take]
        positions.append(where[take])
        classes.append(np.full(int(take.sum()), values[i]))
        angles.append(np.arccos(np.clip(cosine, -1.0, 1.0)))
        adjacent.append(np.maximum(np.abs(window_rows.ravel()[take] - row),
                                   np.abs(window_cols.ravel()[take] - col)) == 1)
        found_spectra.append(network_input[take].astype(np.float32))
    return _Reached(
        position=np.concatenate(positions) if positions else np.empty(0, np.int64),
        klass=np.concatenate(classes) if classes else np.empty(0, np.int64),
        angle=np.concatenate(angles) if angles else np.empty(0),
        adjacent=np.concatenate(adjacent) if adjacent else np.empty(0, bool),
        spectra=(np.concatenate(found_spectra) if found_spectra
                 else np.empty((0, raster.n_bands), np.float32)))


@dataclass(frozen=True)
class _GrowthBound:
    """The spectral angle up to which a reached pixel counts as alike, and why."""

    angle: float  # radians
    noise: Optional[float]  # the median angle to the adjacent pixels (None: none reached)
    cap: float
    capped: bool  # the noise rule asked for more than the cap
    too_noisy: bool  # the median itself passes the cap: nothing grows

    @classmethod
    def of(cls, reached: _Reached, config: SemiSupervisedConfig) -> _GrowthBound:
        """The floor, or the noise factor x the typical angle between a training pixel
        and an adjacent pixel where the scene varies more from pixel to pixel (noise,
        texture); never above the cap."""
        near = reached.adjacent
        bound, cap = config.grow_angle, config.grow_angle_cap
        noise = float(np.median(reached.angle[near])) if near.any() else None
        if noise is not None:
            bound = max(bound, config.grow_noise_factor * noise)
        capped, too_noisy = bound > cap, noise is not None and noise > cap
        return cls(min(bound, cap), noise, cap, capped, too_noisy)


def _grown(reached: _Reached, bound: _GrowthBound
           ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pixels that take a class: reached within the bound, by one class only.
    Returns their positions in ``reached``, in the raster, and their class values."""
    alike = (np.flatnonzero(reached.angle <= bound.angle) if not bound.too_noisy
             else np.empty(0, np.int64))
    position, klass, angle = reached.position[alike], reached.klass[alike], reached.angle[alike]
    order = np.lexsort((angle, position))  # by pixel, the nearest spectrum first
    position, klass = position[order], klass[order]
    first = np.flatnonzero(np.r_[True, position[1:] != position[:-1]][: position.size])
    agreed = (np.minimum.reduceat(klass, first) == np.maximum.reduceat(klass, first)
              if first.size else np.empty(0, bool))
    chosen = alike[order[first[agreed]]]
    return chosen, position[first[agreed]], klass[first[agreed]]


def _inside(rows: np.ndarray, cols: np.ndarray, window_rows: np.ndarray,
            window_cols: np.ndarray, window: Tuple[int, int, int, int]) -> np.ndarray:
    """For each pixel of a window (flat), whether it is one of (rows, cols)."""
    x0, y0, width, height = window
    marked = np.zeros((height, width), bool)
    inside = (rows >= y0) & (rows < y0 + height) & (cols >= x0) & (cols < x0 + width)
    marked[rows[inside] - y0, cols[inside] - x0] = True
    return marked.ravel()


def train_semi_supervised(
    data: TrainingData,
    raster_path: str,
    positions: Tuple[np.ndarray, np.ndarray],
    setup: Optional[TrainingSetup] = None,
    semi: Optional[SemiSupervisedConfig] = None,
    hooks: TrainingHooks = NO_TRAINING_HOOKS,
    provenance: Optional[Dict[str, object]] = None,
) -> CrnnModel:
    """``train_model`` that also learns from the raster's unlabelled pixels.

    ``positions``: (rows, cols) of the labelled pixels in the raster at ``raster_path``,
    whose spectra ``data.spectra`` are (as ``samples.read_training_pixels`` reads them).
    Other arguments as ``train_model``'s. Each epoch record carries ``round`` (0: the
    first model, on the grown labels or, without growing, the supervised one) and
    ``progress`` (the fraction of the whole run done, 0..1). The model's provenance gets
    ``semi_supervised``: the method, the settings, and per step (``source``: "grown" or
    "pooled") the unlabelled pixels looked at, the pseudo-labels' class counts and their
    agreement with the labelled validation pixels.
    """
    semi = semi or SemiSupervisedConfig()
    semi.validate()
    setup = setup or TrainingSetup()
    seed = setup.training.seed
    data = dataclasses.replace(data, labels=np.asarray(data.labels))
    labels = data.labels
    rows, cols = (np.asarray(p, np.int64) for p in positions)
    if rows.shape != labels.shape or cols.shape != labels.shape:
        raise CrnnError("Give a raster position for every labelled pixel.")
    targets = class_targets(labels, data.classes)
    train_idx, val_idx = validation_split(targets, setup.validation_fraction, seed,
                                          data.groups)
    places = LabelledPlaces((rows[train_idx], cols[train_idx], labels[train_idx]),
                            (rows[val_idx], cols[val_idx], labels[val_idx]))
    stages = _Stages(data, setup, hooks, provenance, semi.rounds + 1,
                     len(labels) - len(val_idx))
    report: List[Dict[str, Any]] = []
    if semi.grow_radius:
        grown = grown_labels(raster_path, data.bands.indices, setup.network.input_window,
                             (*places.training, np.asarray(data.spectra)[train_idx]),
                             places.validation, semi, seed, hooks.is_cancelled)
        config = stages.scaled(grown, semi.grow_cost)
        model = stages.train(0, config, grown)
        report.append({**grown.summary(data.classes), "epochs": config.epochs,
                       "source": "grown"})
    else:
        model = stages.train(0, setup.training)
    seconds = model.provenance.get("training_seconds", 0.0)
    for stage in range(1, semi.rounds + 1):
        pseudo = pseudo_labels(raster_path, model, places, semi, seed + stage,
                               setup.training.device, setup.training.threads,
                               hooks.is_cancelled)
        config = stages.scaled(pseudo, semi.round_cost)
        model = stages.train(stage, config, pseudo, model.weights if semi.warm else None)
        seconds += model.provenance.get("training_seconds", 0.0)
        report.append({**pseudo.summary(data.classes), "epochs": config.epochs,
                       "source": "pooled"})
    methods = (["labels grown into spectrally alike neighbours"] * bool(semi.grow_radius)
               + ["self-training on LOP-pooled pseudo-labels"] * bool(semi.rounds))
    model.provenance["semi_supervised"] = {
        "method": ", then ".join(methods) or "none",
        "settings": semi.to_dict(),
        "rounds": report,
        "unlabelled_pixels": sum(r["unlabelled_pixels"] for r in report),
    }
    model.provenance["training_seconds"] = round(seconds, 3)
    return model


@dataclass(frozen=True)
class _Stages:
    """What every stage of a semi-supervised run trains with (the labelled pixels, the
    setup, the caller's hooks and provenance), and how it scales a stage's epochs."""

    data: TrainingData
    setup: TrainingSetup
    hooks: TrainingHooks
    provenance: Optional[Dict[str, object]]
    count: int  # stages: the first model and the rounds
    labelled: int  # labelled pixels trained on (the validation pixels held out)

    def scaled(self, pseudo: PseudoLabels, cost: float) -> TrainingConfig:
        """The steps of a supervised run on ``cost`` x the labelled pixels."""
        config = self.setup.training
        total = self.labelled + pseudo.values.size
        epochs = max(1, math.ceil(config.epochs * cost * self.labelled / max(total, 1)))
        return dataclasses.replace(config, epochs=min(epochs, config.epochs))

    def train(self, stage: int, config: TrainingConfig, pseudo: Optional[PseudoLabels] = None,
              initial_weights: Optional[Dict[str, np.ndarray]] = None) -> CrnnModel:
        """Stage ``stage``'s model, on the labelled pixels and ``pseudo``; its epoch
        records say the stage and the whole run's progress."""

        def record_epoch(record: Dict[str, float]) -> None:
            record["round"] = stage
            record["progress"] = (stage + record["epoch"] / config.epochs) / self.count
            self.hooks.epoch_done(record)

        data = dataclasses.replace(
            self.data, pseudo=None if pseudo is None else (pseudo.spectra, pseudo.values))
        return train_model(data, dataclasses.replace(self.setup, training=config),
                           TrainingHooks(record_epoch, self.hooks.is_cancelled),
                           self.provenance, initial_weights)

