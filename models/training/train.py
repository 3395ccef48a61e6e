"""Training the CRNN: sampling, validation split, standardisation, the training loop.

``train_model`` takes what a model learns from (``TrainingData``), how it is trained
(``TrainingSetup``) and what it reports (``TrainingHooks``). Everything here is
deterministic for a seed on the CPU (same thread count), reports each epoch through the
hooks' epoch callback and stops within a batch when their cancel check says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..common.callbacks import CancelCheck, EpochCallback
from ..common.classes import ClassInfo
from ..common.errors import CancelledError, CrnnError
from ..network.config import VALIDATION_FRACTION, NetworkConfig, TrainingConfig
from ..network.modelfile import CrnnModel
from ..network.spectra import scale_spectra
from ..rasters.bands import BandInfo

GUIDE_COMPONENTS = 10  # principal components that steer the edge-aware LOP


def cap_per_class(labels: np.ndarray, n_per_class: int, seed: int) -> np.ndarray:
    """Indices of at most ``n_per_class`` pixels of each class (0 = keep all), sorted."""
    if n_per_class <= 0:
        return np.arange(labels.shape[0])
    rng = np.random.default_rng(seed)
    chosen = []
    for value in np.unique(labels):
        members = np.flatnonzero(labels == value)
        if members.size > n_per_class:
            members = rng.choice(members, n_per_class, replace=False)
        chosen.append(members)
    return np.sort(np.concatenate(chosen))


# Whole polygons keep validation pixels away from training pixels: they are held out
# wherever some add up to between half and twice the number asked (0.15 of 300 pixels: 23
# to 90); only where none do is part of one polygon held out instead.
WHOLE_POLYGON_FACTOR = 2.0
# Above this many polygons in a class, whole polygons are taken in the seed's order until
# the number asked is reached (the subset sums' cost grows with polygons x pixels; with so
# many polygons the first ones already come close).
EXACT_SPLIT_POLYGONS = 256


def validation_split(
    labels: np.ndarray,
    fraction: float,
    seed: int,
    groups: Optional[np.ndarray] = None,
) -> Tuple[np.ndarray, np.ndarray]:
    """Hold out about ``fraction`` of each class for validation; return (train, val) indices.

    Each class gives ``round(fraction * pixels)`` pixels (never more than twice the share,
    always leaving training pixels). With ``groups`` (a polygon id per pixel) these are
    whole polygons where some of them add up to between half and twice that number
    (``WHOLE_POLYGON_FACTOR``), so validation pixels are not the neighbours of training
    pixels; where they cannot (one big polygon and small ones, a single polygon) the last
    pixels of the class's largest polygon are held out, which are its last rows when the
    pixels come in row order as ``read_training_pixels`` reads them: one block, not pixels
    scattered among training pixels. Deterministic for the inputs and the seed.
    """
    if not 0.0 <= fraction < 1.0:
        raise CrnnError(
            f"The validation fraction must be at least 0 and below 1, got {fraction}: "
            "training needs pixels of every class."
        )
    rng = np.random.default_rng(seed)
    held_out = np.zeros(labels.shape[0], bool)
    if fraction > 0:
        for value in np.unique(labels):
            members = np.flatnonzero(labels == value)
            wanted = min(int(round(fraction * members.size)), members.size - 1)
            if groups is None:
                held_out[rng.permutation(members)[:wanted]] = True
            elif wanted > 0:
                held_out[_polygons_held_out(members, groups[members], wanted,
                                            fraction, rng)] = True
    return np.flatnonzero(~held_out), np.flatnonzero(held_out)


def _polygons_held_out(members: np.ndarray, member_groups: np.ndarray, wanted: int,
                       fraction: float, rng: np.random.Generator) -> np.ndarray:
    """The pixels of one class to hold out: whole polygons adding up nearest ``wanted``
    (at most twice the share, never all of them), else the last ``wanted`` pixels of the
    largest polygon."""
    ids, sizes = np.unique(member_groups, return_counts=True)
    order = rng.permutation(ids.size)  # the seed decides among equally good choices
    ids, sizes = ids[order], sizes[order]
    # at most twice the share, and one pixel short of all: a class keeps training pixels
    limit = min(int(np.floor(2 * fraction * members.size + 1e-9)), members.size - 1)
    if ids.size > EXACT_SPLIT_POLYGONS:
        chosen = _first_polygons(sizes, wanted, limit)
    else:
        chosen = _nearest_sum(sizes, wanted, limit)
    if chosen is not None:
        return members[np.isin(member_groups, ids[chosen])]
    largest = ids[int(np.argmax(sizes))]  # the first of the largest in the seed's order
    return members[member_groups == largest][-wanted:]


def _nearest_sum(sizes: np.ndarray, wanted: int, limit: int) -> Optional[np.ndarray]:
    """Positions in ``sizes`` of the subset whose sum is nearest ``wanted`` (not above
    ``limit``; the smaller sum on a tie), or None where no subset comes within a factor
    ``WHOLE_POLYGON_FACTOR`` of it.

    Subset sums by dynamic programming: ``by[s]`` is the polygon that first reached the sum
    s, walking back through ``s - sizes[by[s]]`` gives the subset.
    """
    if limit < 1:
        return None
    by = np.full(limit + 1, -1, np.int64)
    by[0] = sizes.size  # the empty subset
    for i, size in enumerate(sizes):
        if size > limit:
            continue
        new = np.flatnonzero((by[: limit + 1 - size] >= 0) & (by[size:] < 0)) + size
        by[new] = i
    reached = np.flatnonzero(by[1:] >= 0) + 1
    if not reached.size:
        return None
    best = int(reached[np.argmin(np.abs(reached - wanted))])  # argmin: the smaller on a tie
    if not wanted / WHOLE_POLYGON_FACTOR <= best <= WHOLE_POLYGON_FACTOR * wanted:
        return None
    chosen = []
    while best:
        chosen.append(int(by[best]))
        best -= int(sizes[by[best]])
    return np.array(chosen, np.int64)


def _first_polygons(sizes: np.ndarray, wanted: int, limit: int) -> Optional[np.ndarray]:
    """Positions in ``sizes`` of the polygons taken in their order (those that fit under
    ``limit``) until ``wanted`` pixels are reached; None where they come to less than
    half of it."""
    chosen, total = [], 0
    for i, size in enumerate(sizes):
        if total >= wanted:
            break
        if total + size <= limit:
            chosen.append(i)
            total += int(size)
    if total < wanted / WHOLE_POLYGON_FACTOR:
        return None
    return np.array(chosen, np.int64)


def split_counts(targets: np.ndarray, train_idx: np.ndarray, val_idx: np.ndarray,
                 classes: Sequence[ClassInfo],
                 groups: Optional[np.ndarray] = None) -> Dict[str, Dict[str, Any]]:
    """Per class name: training and validation pixels, the share held out and, for the
    polygon split, how (whole polygons, part of one): the provenance and the log say it,
    so a user sees when validation took more or other pixels than asked."""
    counts: Dict[str, Dict[str, Any]] = {}
    for i, c in enumerate(classes):
        train, val = train_idx[targets[train_idx] == i], val_idx[targets[val_idx] == i]
        entry: Dict[str, Any] = {
            "training": int(train.size),
            "validation": int(val.size),
            "validation_share": round(val.size / max(1, train.size + val.size), 4),
        }
        if groups is not None:
            held = set(np.unique(groups[val]).tolist())
            cut = held & set(np.unique(groups[train]).tolist())
            entry["validation_polygons"] = len(held - cut)  # held out whole
            entry["cut_polygons"] = len(cut)  # partly held out
        counts[c.name] = entry
    return counts


def class_targets(labels: Sequence[int], classes: Sequence[ClassInfo]) -> np.ndarray:
    """Class values -> positions in ``classes`` (the network's targets), int64."""
    if len(classes) < 2:
        raise CrnnError("Training needs at least two classes with pixels.")
    index_of = {int(c.value): i for i, c in enumerate(classes)}
    try:
        return np.array([index_of[int(v)] for v in labels], np.int64)
    except KeyError as exc:
        raise CrnnError(f"Class value {exc} has no entry in the class list.") from None


def fit_standardisation(spectra: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Per-band mean and standard deviation of the training pixels (std floored)."""
    spectra = np.asarray(spectra, np.float64)
    mean = spectra.mean(axis=0)
    std = spectra.std(axis=0)
    std = np.where(std > 1e-6 * max(1.0, float(np.abs(mean).max())), std, 1.0)
    return mean.astype(np.float32), std.astype(np.float32)


EDGE_SCALE_FACTOR = 1.5  # h = 1.5 x the median neighbour distance: best of 1, 1.5, 2, 3


def fit_guide(
    standardised: np.ndarray,
    labels: np.ndarray,
    seed: int,
    neighbours: Optional[Tuple[np.ndarray, np.ndarray]] = None,
) -> Tuple[np.ndarray, float]:
    """Principal axes of the training spectra and the edge LOP's distance scale h.

    h is 1.5 x the median guide distance between training pixels and their 4-neighbours
    in the image (``neighbours``: standardised spectra of such pairs), so neighbours as
    alike as typical adjacent pixels keep most of their vote and those across a field
    boundary lose it. Without pairs, a quarter of the median distance between pixels of
    one class stands in (about the same on Indian Pines). Both come from training pixels,
    never from the image being classified, so a block gives the whole image's result.
    """
    centred = standardised - standardised.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[: min(GUIDE_COMPONENTS, vt.shape[0])].astype(np.float32)
    if neighbours is not None and len(neighbours[0]) > 0:
        distance = np.linalg.norm((neighbours[0] - neighbours[1]) @ components.T, axis=1)
        return components, max(EDGE_SCALE_FACTOR * float(np.median(distance)), 1e-6)
    projected = standardised @ components.T
    rng = np.random.default_rng(seed)
    distances = []
    for value in np.unique(labels):
        members = projected[labels == value]
        if members.shape[0] < 2:
            continue
        pairs = rng.integers(0, members.shape[0], size=(min(2000, members.shape[0] ** 2), 2))
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        distances.append(np.linalg.norm(members[pairs[:, 0]] - members[pairs[:, 1]], axis=1))
    scale = 0.25 * float(np.median(np.concatenate(distances))) if distances else 1.0
    return components, max(scale, 1e-6)


def class_weights(labels: np.ndarray, n_classes: int, power: float) -> np.ndarray:
    """Loss weight per class: (largest count / the class's count) ** power, float32.

    Classes absent from ``labels`` get weight 1 (they never appear as a target anyway).
    """
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    present = counts > 0
    weights = np.ones(n_classes)
    weights[present] = (counts.max() / counts[present]) ** power
    return weights.astype(np.float32)


CANCELLED = "Training was cancelled; no model was written."


@dataclass(frozen=True)
class ModelBands:
    """The bands a model reads, as the training raster has them."""

    indices: Sequence[int]  # 1-based, in the raster
    names: Sequence[str]
    # what the raster says of them (wavelength, FWHM), kept in the model so a scene can be
    # matched by wavelength; the spectra are then physical values as SpectralRaster reads
    infos: Optional[Sequence[BandInfo]] = None
    # the training raster's band count, to refuse a raster of another band count where
    # wavelengths are missing
    raster_band_count: Optional[int] = None


@dataclass(frozen=True)
class TrainingData:
    """What a model learns from: the labelled pixels, their classes and bands."""

    spectra: np.ndarray  # (pixels, bands) raw values of the used bands
    labels: Sequence[int]  # (pixels,) class values, each one of ``classes``' values
    classes: Sequence[ClassInfo]
    bands: ModelBands
    # polygon id per pixel for a polygon-grouped validation split; None: a pixel split
    groups: Optional[np.ndarray] = None
    # raw spectra of (training pixel, adjacent pixel) pairs for the edge LOP's distance
    # scale (see ``fit_guide``)
    neighbours: Optional[Tuple[np.ndarray, np.ndarray]] = None
    # (raw spectra, class values) of pseudo-labelled pixels trained on beside the training
    # pixels (``models.training.semi_supervised``); they take no part in the
    # standardisation, the guide or the validation
    pseudo: Optional[Tuple[np.ndarray, np.ndarray]] = None


@dataclass(frozen=True)
class TrainingSetup:
    """How a model is trained: its network, the training run's hyperparameters and the
    share of each class held out for validation."""

    network: NetworkConfig = field(default_factory=NetworkConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    validation_fraction: float = VALIDATION_FRACTION


@dataclass(frozen=True)
class TrainingHooks:
    """What training reports to its caller and polls from it: each epoch's figures
    (``on_epoch``; the caller turns them into progress and log lines) and the cancel
    check, polled in every batch. Either may be None."""

    on_epoch: Optional[EpochCallback] = None
    is_cancelled: Optional[CancelCheck] = None

    def check(self) -> None:
        """Raise ``CancelledError`` once cancelled: no model is written."""
        if self.is_cancelled is not None and self.is_cancelled():
            raise CancelledError(CANCELLED)

    def epoch_done(self, record: Dict[str, float]) -> None:
        if self.on_epoch is not None:
            self.on_epoch(record)


NO_TRAINING_HOOKS = TrainingHooks()


@dataclass
class TrainedNetwork:
    weights: Dict[str, np.ndarray]
    history: List[Dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0


def train_network(
    train: Tuple[np.ndarray, np.ndarray],
    validation: Optional[Tuple[np.ndarray, np.ndarray]],
    n_classes: int,
    network: NetworkConfig,
    training_config: TrainingConfig,
    hooks: TrainingHooks = NO_TRAINING_HOOKS,
    build: Optional[Callable[[int, int], Any]] = None,
) -> TrainedNetwork:
    """Train on standardised spectra; ``train`` and ``validation`` are (spectra, labels),
    labels 0..n_classes-1 (no validation: None or no pixels).

    ``training_config`` says how: AdamW, one-cycle schedule, mixup, a class-weighted
    loss, an EMA of the weights, and the EMA weights of the epoch with the lowest
    validation loss kept (the last epoch's without validation pixels).
    ``build(n_bands, n_classes)`` makes another torch module to train with the same
    settings (the benchmark's baselines).
    """
    from torch import nn

    from ..network.crnn import state_to_numpy

    network.validate()
    training_config.validate()
    run = _TrainingRun(network, training_config, train, n_classes, build)
    has_val = validation is not None and len(validation[1]) > 0
    if has_val:
        val_x, val_y = run.tensors(*validation)
        # the validation loss that picks the epoch counts every pixel the same
        val_loss_fn = nn.CrossEntropyLoss(label_smoothing=training_config.label_smoothing)
    result = TrainedNetwork(weights=state_to_numpy(run.average))
    best_loss = float("inf")
    started = time.perf_counter()
    for epoch in range(1, training_config.epochs + 1):
        record = run.epoch(epoch, hooks)
        if has_val:
            val_loss, val_accuracy = _evaluate(run.average, val_x, val_y, val_loss_fn,
                                               training_config.batch_size * 16)
            record.update(val_loss=val_loss, val_accuracy=val_accuracy)
            if val_loss < best_loss:
                best_loss = val_loss
                result.best_epoch = epoch
                result.weights = state_to_numpy(run.average)
        else:
            result.best_epoch = epoch
        record["seconds"] = time.perf_counter() - started
        result.history.append(record)
        hooks.epoch_done(record)
        patience = training_config.patience
        if has_val and patience and epoch - result.best_epoch >= patience:
            break
    if not has_val:
        result.weights = state_to_numpy(run.average)
    result.seconds = time.perf_counter() - started
    return result


class _TrainingRun:
    """One run's torch state (the module, its weight average, optimiser, schedule and
    random streams, made in this order from the seed) and its passes over the pixels."""

    def __init__(self, network: NetworkConfig, config: TrainingConfig,
                 train: Tuple[np.ndarray, np.ndarray], n_classes: int,
                 build: Optional[Callable[[int, int], Any]]):
        import copy

        import torch
        from torch import nn

        from ..network.crnn import Crnn, resolve_device, use_all_cores

        self.network, self.config = network, config
        self.device = resolve_device(config.device)
        if self.device.type == "cpu":
            use_all_cores(config.threads)
        torch.manual_seed(config.seed)
        self.generator = torch.Generator().manual_seed(config.seed)
        self.mixing = np.random.default_rng(config.seed)
        build = build or (lambda bands, classes: Crnn(network, bands, classes))
        self.module = build(train[0].shape[1], n_classes).to(self.device)
        self.average = copy.deepcopy(self.module) if config.ema_decay > 0 else self.module
        self.x, self.y = self.tensors(*train)
        weights = class_weights(train[1], n_classes, config.class_weighting)
        self.loss_fn = nn.CrossEntropyLoss(weight=torch.as_tensor(weights, device=self.device),
                                           label_smoothing=config.label_smoothing)
        self.optimiser = torch.optim.AdamW(
            self.module.parameters(), lr=config.learning_rate,
            weight_decay=config.weight_decay,
        )
        steps_per_epoch = max(1, -(-self.x.shape[0] // config.batch_size))
        self.schedule = torch.optim.lr_scheduler.OneCycleLR(
            self.optimiser, max_lr=config.learning_rate,
            total_steps=config.epochs * steps_per_epoch,
            pct_start=0.3,
        )
        self.step = 0

    def tensors(self, spectra: np.ndarray, labels: np.ndarray):
        import torch

        return (torch.as_tensor(spectra, dtype=torch.float32, device=self.device),
                torch.as_tensor(labels, dtype=torch.int64, device=self.device))

    def epoch(self, epoch: int, hooks: TrainingHooks) -> Dict[str, float]:
        """One pass over the training pixels in a new random order: its record."""
        import torch

        self.module.train()
        order = torch.randperm(self.x.shape[0], generator=self.generator).to(self.device)
        loss_sum, correct = 0.0, 0
        for start in range(0, self.x.shape[0], self.config.batch_size):
            hooks.check()
            batch = order[start : start + self.config.batch_size]
            if batch.numel() < 2 and self.network.batch_norm:
                continue  # batch norm cannot train on a single pixel
            logits, targets, loss = self._loss(batch)
            self._descend(loss)
            loss_sum += loss.item() * batch.numel()
            correct += int((logits.argmax(1) == targets).sum())
        return {
            "epoch": epoch,
            "train_loss": loss_sum / self.x.shape[0],
            "train_accuracy": correct / self.x.shape[0],
            "learning_rate": float(self.schedule.get_last_lr()[0]),
        }

    def _loss(self, batch):
        """(logits, targets, loss) of a batch, its pixels mixed with a shuffled copy of
        themselves where ``mixup`` asks."""
        import torch

        inputs, targets = self.x[batch], self.y[batch]
        mixup = self.config.mixup
        if mixup > 0:
            share = float(self.mixing.beta(mixup, mixup))
            partner = torch.randperm(batch.numel(), generator=self.generator).to(self.device)
            logits = self.module(share * inputs + (1 - share) * inputs[partner])
            loss = (share * self.loss_fn(logits, targets)
                    + (1 - share) * self.loss_fn(logits, targets[partner]))
        else:
            logits = self.module(inputs)
            loss = self.loss_fn(logits, targets)
        return logits, targets, loss

    def _descend(self, loss) -> None:
        """One optimiser and schedule step, and the weights' average follows."""
        import torch

        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        self.schedule.step()
        self.step += 1
        if self.average is not self.module:
            # the decay ramps up, so short runs are not dominated by the initial weights
            decay = min(self.config.ema_decay, (1.0 + self.step) / (10.0 + self.step))
            with torch.no_grad():
                for kept, current in zip(self.average.parameters(), self.module.parameters()):
                    kept.lerp_(current, 1.0 - decay)
                for kept, current in zip(self.average.buffers(), self.module.buffers()):
                    kept.copy_(current)


def _starting_from(network: NetworkConfig, weights: Dict[str, np.ndarray]):
    """A ``build`` for ``train_network``: the CRNN holding ``weights`` to start from."""

    def build(n_bands: int, n_classes: int):
        from ..network.crnn import Crnn, load_state

        module = Crnn(network, n_bands, n_classes)
        load_state(module, weights)
        return module

    return build


def _evaluate(module, x, y, loss_fn, batch_size: int) -> Tuple[float, float]:
    import torch

    module.eval()
    loss_sum, correct = 0.0, 0
    with torch.inference_mode():
        for start in range(0, x.shape[0], batch_size):
            logits = module(x[start : start + batch_size])
            target = y[start : start + batch_size]
            loss_sum += float(loss_fn(logits, target)) * target.numel()
            correct += int((logits.argmax(1) == target).sum())
    return loss_sum / x.shape[0], correct / x.shape[0]


def train_model(
    data: TrainingData,
    setup: Optional[TrainingSetup] = None,
    hooks: TrainingHooks = NO_TRAINING_HOOKS,
    provenance: Optional[Dict[str, object]] = None,
    initial_weights: Optional[Dict[str, np.ndarray]] = None,
) -> CrnnModel:
    """Train a complete model from training spectra and their class values.

    The spectra are scaled as ``setup.network`` asks and standardised with every training
    pixel's mean and deviation (validation pixels included); the edge LOP's guide is
    fitted on them; ``initial_weights`` are the network's weights to start from
    (fine-tuning), else a fresh network from the seed. ``provenance`` goes into the
    model's provenance with what the run records.
    """
    setup = setup or TrainingSetup()
    network, training_config = setup.network, setup.training
    spectra = scale_spectra(data.spectra, network.unit_length)
    targets = class_targets(data.labels, data.classes)
    network.check_bands(spectra.shape[1])
    train_idx, val_idx = validation_split(targets, setup.validation_fraction,
                                          training_config.seed, data.groups)
    mean, std = fit_standardisation(spectra)  # every training pixel, validation included

    def standardise(raw: np.ndarray) -> np.ndarray:
        return (scale_spectra(raw, network.unit_length) - mean) / std

    standardised = (spectra - mean) / std
    pairs = None
    if data.neighbours is not None:
        pairs = (standardise(data.neighbours[0]), standardise(data.neighbours[1]))
    components, edge_scale = fit_guide(standardised, targets, training_config.seed, pairs)
    train_x, train_y = standardised[train_idx], targets[train_idx]
    if data.pseudo is not None and len(data.pseudo[1]):
        # pseudo-labelled pixels (models/training/semi_supervised.py) join the training
        # pixels only: the standardisation, the guide and the validation stay the
        # labelled pixels'
        train_x = np.concatenate([train_x, standardise(data.pseudo[0]).astype(np.float32)])
        train_y = np.concatenate([train_y, class_targets(data.pseudo[1], data.classes)])
    trained = train_network(
        (train_x, train_y), (standardised[val_idx], targets[val_idx]),
        len(data.classes), network, training_config, hooks,
        build=None if initial_weights is None else _starting_from(network, initial_weights),
    )
    counts = split_counts(targets, train_idx, val_idx, data.classes, data.groups)
    return CrnnModel(
        network=network,
        band_indices=[int(b) for b in data.bands.indices],
        band_names=[str(b) for b in data.bands.names],
        mean=mean,
        std=std,
        classes=list(data.classes),
        weights=trained.weights,
        guide_components=components,
        edge_scale=edge_scale,
        provenance=_provenance(provenance, counts, setup, data.groups is not None, trained),
        history=trained.history,
        band_wavelengths=[b.wavelength for b in data.bands.infos] if data.bands.infos else [],
        band_fwhm=[b.fwhm for b in data.bands.infos] if data.bands.infos else [],
        physical_values=True,
        raster_band_count=data.bands.raster_band_count,
    )


def _provenance(given: Optional[Dict[str, object]], counts: Dict[str, Dict[str, Any]],
                setup: TrainingSetup, polygon_split: bool,
                trained: TrainedNetwork) -> Dict[str, object]:
    """The caller's provenance with what the run records: the split, the settings, the
    kept epoch and its validation figures, the time."""
    best = trained.history[trained.best_epoch - 1] if trained.history else {}
    info = dict(given or {})
    info.update(
        samples=counts,
        training_config=setup.training.to_dict(),
        validation_fraction=setup.validation_fraction,
        split="polygon" if polygon_split else "pixel",
        best_epoch=trained.best_epoch,
        epochs_run=len(trained.history),
        training_seconds=round(trained.seconds, 3),
        validation_accuracy=best.get("val_accuracy"),
        validation_loss=best.get("val_loss"),
        date=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    return info
