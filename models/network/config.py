"""Hyperparameters of the network and of training, as plain dataclasses.

Kept free of torch so the Processing algorithms can show the defaults in their dialogs
where torch is not installed. The defaults come from the ablation in docs/ablation.md.
"""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass
from typing import Any, Dict, Tuple

from ..common.errors import CrnnError

RNN_TYPES = ("gru", "lstm", "rnn")
READOUTS = ("last", "mean")
DEVICES = ("auto", "cpu", "cuda")
SPLITS = ("polygon", "pixel")
LOP_WEIGHTS = ("uniform", "gaussian", "edge")
VALIDATION_FRACTION = 0.15  # share of each class's training pixels held out (ablation)

# Upper bounds of the network's settings: what the plugin builds. Each is far above any
# sensible network (the default is conv 32,64,64 with kernels 7,3,3 and a GRU of 64 x 2),
# and they keep an absurd setting or model file from hanging or exhausting memory.
MAX_CONV_BLOCKS = 32  # convolution blocks: 10x the default's three
MAX_CHANNELS = 4096  # filters per block: 64x the default's widest
MAX_SPECTRAL_STEP = 4096  # kernel, pool and first stride: longer than any sensor's spectrum
MAX_RNN_HIDDEN = 8192  # units per recurrent layer: 128x the default
MAX_RNN_LAYERS = 32  # stacked recurrent layers: 16x the default
MAX_INPUT_WINDOW = 15  # the Processing parameter's maximum; 15 x 15 blurs most fields
# weights of the whole network: 1 GB of float32, about 5 GB to train (the weights, their
# gradients, two AdamW moments and the averaged copy); the default has about 80 000
MAX_PARAMETERS = 250_000_000


def check_input_window(window: int) -> None:
    """The spectral-spatial option's window (models/network/window.py): odd, 1 = off."""
    if window < 1 or window % 2 == 0:
        raise CrnnError(
            f"The input window must be an odd number of pixels (1 = each pixel's own "
            f"spectrum, the paper's method; 3 or 5 = the mean spectrum of that window), "
            f"got {window}."
        )


@dataclass(frozen=True)
class NetworkConfig:
    """Architecture of the CRNN: conv blocks over the spectrum, then recurrent layers.

    Defaults from the Indian Pines ablation (docs/ablation.md): three conv blocks with a
    stride-2 first layer shorten 200 bands to a sequence of 12 for two GRU layers of 64.
    Batch norm cost 1.1 points of OA and half the speed, so it is off; dropout did not
    help once mixup and weight averaging were on. ``input_window`` > 1 is the
    spectral-spatial option (models/network/window.py): the network then reads the mean spectrum
    of that window around each pixel instead of the pixel's own. ``unit_length`` divides
    each spectrum by its Euclidean length before the per-band standardisation
    (models/network/spectra.py), so shading and illumination drop out and the spectrum's shape
    stays; on Indian Pines it gained 1.6 points of OA alone and 0.5 after the edge LOP,
    and 1.2 after the LOP on the spatially blocked split.
    """

    conv_channels: Tuple[int, ...] = (32, 64, 64)
    kernel_sizes: Tuple[int, ...] = (7, 3, 3)
    pool_sizes: Tuple[int, ...] = (2, 2, 2)
    first_stride: int = 2
    batch_norm: bool = False
    rnn_type: str = "gru"
    rnn_hidden: int = 64
    rnn_layers: int = 2
    readout: str = "last"
    dropout: float = 0.0
    input_window: int = 1  # 1 = the pixel's own spectrum (the paper's method)
    unit_length: bool = True  # each spectrum scaled to unit length before standardisation

    def __post_init__(self) -> None:
        for name in ("conv_channels", "kernel_sizes", "pool_sizes"):
            object.__setattr__(self, name, tuple(int(v) for v in getattr(self, name)))
        object.__setattr__(self, "input_window", int(self.input_window))
        object.__setattr__(self, "unit_length", bool(self.unit_length))

    def validate(self) -> None:
        """Raise ``CrnnError`` naming the first inconsistent hyperparameter."""
        for name in ("first_stride", "rnn_hidden", "rnn_layers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise CrnnError(f"The network's {name} must be a whole number, got {value!r:.40}.")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, numbers.Real):
            raise CrnnError(f"The network's dropout must be a number, got {self.dropout!r:.40}.")
        if self.batch_norm not in (True, False):
            raise CrnnError(f"The network's batch_norm must be true or false, got "
                            f"{self.batch_norm!r:.40}.")
        n = len(self.conv_channels)
        if n == 0:
            raise CrnnError("The network needs at least one convolution block.")
        if len(self.kernel_sizes) != n or len(self.pool_sizes) != n:
            raise CrnnError(
                f"Give one kernel size and one pool size per convolution block: "
                f"{n} blocks, {len(self.kernel_sizes)} kernel sizes, "
                f"{len(self.pool_sizes)} pool sizes."
            )
        if min(self.conv_channels) < 1 or min(self.kernel_sizes) < 1 or min(self.pool_sizes) < 1:
            raise CrnnError("Channels, kernel sizes and pool sizes must be positive.")
        if self.first_stride < 1:
            raise CrnnError(f"The first stride must be >= 1, got {self.first_stride}.")
        if self.rnn_type not in RNN_TYPES:
            raise CrnnError(f"Unknown recurrent layer '{self.rnn_type}': use one of {RNN_TYPES}.")
        if self.readout not in READOUTS:
            raise CrnnError(f"Unknown readout '{self.readout}': use one of {READOUTS}.")
        if self.rnn_hidden < 1 or self.rnn_layers < 1:
            raise CrnnError("The recurrent layers need a hidden size and a layer count >= 1.")
        if not 0.0 <= self.dropout < 1.0:
            raise CrnnError(f"Dropout must be in [0, 1), got {self.dropout}.")
        check_input_window(self.input_window)
        self._check_upper_bounds()

    def _check_upper_bounds(self) -> None:
        """Refuse settings beyond what the plugin builds (the MAX_* constants), before
        torch tries to allocate them."""
        bounds = (
            ("convolution blocks", "CONV_CHANNELS", len(self.conv_channels), MAX_CONV_BLOCKS),
            ("convolution channels", "CONV_CHANNELS", max(self.conv_channels), MAX_CHANNELS),
            ("kernel size", "KERNEL_SIZES", max(self.kernel_sizes), MAX_SPECTRAL_STEP),
            ("pool size", "POOL_SIZES", max(self.pool_sizes), MAX_SPECTRAL_STEP),
            ("first stride", "FIRST_STRIDE", self.first_stride, MAX_SPECTRAL_STEP),
            ("recurrent hidden size", "RNN_HIDDEN", self.rnn_hidden, MAX_RNN_HIDDEN),
            ("recurrent layer count", "RNN_LAYERS", self.rnn_layers, MAX_RNN_LAYERS),
            ("input window", "INPUT_WINDOW", self.input_window, MAX_INPUT_WINDOW),
        )
        for label, key, value, bound in bounds:
            if value > bound:
                raise CrnnError(
                    f"The {label} ({key}) is {value}, more than the {bound} this plugin "
                    f"builds. Choose a smaller value."
                )
        weights = self.parameter_count()
        if weights > MAX_PARAMETERS:
            raise CrnnError(
                f"This network would have {weights:,} weights, more than the "
                f"{MAX_PARAMETERS:,} this plugin builds (about {4 * weights / 1e9:.1f} GB "
                f"of float32, several times that to train). Use fewer or narrower "
                f"convolution blocks, smaller kernels, a smaller RNN_HIDDEN or fewer RNN_LAYERS."
            )

    def parameter_count(self, n_classes: int = 0) -> int:
        """The network's weights (models/network.Crnn; the classifier head's only where
        ``n_classes`` > 0), counted without torch so a huge network is refused unbuilt."""
        total, in_channels = 0, 1
        for channels, kernel in zip(self.conv_channels, self.kernel_sizes):
            total += in_channels * channels * kernel + (4 if self.batch_norm else 1) * channels
            in_channels = channels
        gates = {"gru": 3, "lstm": 4, "rnn": 1}.get(self.rnn_type, 4)
        hidden = self.rnn_hidden
        for layer in range(self.rnn_layers):
            size_in = in_channels if layer == 0 else hidden
            total += gates * hidden * (size_in + hidden + 2)
        if n_classes > 0:
            total += (hidden + 1) * n_classes
        return total

    def sequence_length(self, n_bands: int) -> int:
        """Length of the feature sequence the recurrent layers read for ``n_bands`` bands."""
        length = n_bands
        for block, (kernel, pool) in enumerate(zip(self.kernel_sizes, self.pool_sizes)):
            stride = self.first_stride if block == 0 else 1
            length = (length + 2 * (kernel // 2) - kernel) // stride + 1  # padding kernel // 2
            length //= pool
        return length

    def check_bands(self, n_bands: int) -> None:
        """Raise ``CrnnError`` where the spectrum is too short for the pooling stack."""
        if self.sequence_length(n_bands) < 1:
            total = self.first_stride
            for pool in self.pool_sizes:
                total *= pool
            raise CrnnError(
                f"{n_bands} bands are too few for this network: its stride and pooling shrink "
                f"the spectrum by {total}x. Use more bands, or fewer or smaller pooling layers."
            )

    def to_dict(self) -> Dict[str, Any]:
        items = dataclasses.asdict(self).items()
        return {k: list(v) if isinstance(v, tuple) else v for k, v in items}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> NetworkConfig:
        # model files written before unit_length existed did not scale their spectra
        return cls(**_known_fields(cls, {"unit_length": False, **data}))


@dataclass(frozen=True)
class TrainingConfig:
    """The training settings (docs/ablation.md).

    AdamW with a one-cycle schedule over the whole run, mixup, and an exponential moving
    average (EMA) of the weights; the EMA weights of the epoch with the lowest validation
    loss are kept. The loss weights each class by (largest class count / its count) to
    the power ``class_weighting``, so a class with few training pixels is not ignored.
    Early stopping with patience fought the one-cycle schedule (it stopped at a high
    learning rate, 68-73 % OA), so ``patience`` is 0 (off) by default.
    """

    epochs: int = 80
    batch_size: int = 64
    learning_rate: float = 5e-3
    weight_decay: float = 1e-4
    patience: int = 0  # 0 = run every epoch; else stop after this many without improvement
    label_smoothing: float = 0.0
    mixup: float = 0.2  # Beta(alpha, alpha) of the mixing weight; 0 = off
    ema_decay: float = 0.995  # 0 = no weight averaging
    class_weighting: float = 0.5  # 0 = every pixel counts the same; 1 = every class does
    seed: int = 0
    device: str = "auto"
    threads: int = 0  # 0 = all cores

    def validate(self) -> None:
        if self.epochs < 1:
            raise CrnnError(f"Epochs must be at least 1 (got {self.epochs}).")
        if self.batch_size < 1:
            raise CrnnError(f"Batch size must be at least 1 (got {self.batch_size}).")
        if not self.learning_rate > 0:
            raise CrnnError(f"The learning rate must be positive (got {self.learning_rate}).")
        if self.patience < 0 or self.mixup < 0 or not 0.0 <= self.ema_decay < 1.0:
            raise CrnnError("Patience and mixup must be >= 0 and the EMA decay in [0, 1).")
        if not 0.0 <= self.class_weighting <= 1.0:
            raise CrnnError(
                f"Class weighting must be between 0 (off) and 1 (every class counts the "
                f"same), got {self.class_weighting}."
            )
        if self.device not in DEVICES:
            raise CrnnError(f"Unknown device '{self.device}': use one of {DEVICES}.")

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> TrainingConfig:
        return cls(**_known_fields(cls, data))


def _known_fields(cls: type, data: Dict[str, Any]) -> Dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise CrnnError(
            f"Unknown {cls.__name__} settings {unknown}: the model was written by a newer "
            f"version of the plugin. Update the plugin."
        )
    return dict(data)


__all__ = ["NetworkConfig", "TrainingConfig", "RNN_TYPES", "READOUTS", "DEVICES", "SPLITS",
           "LOP_WEIGHTS", "VALIDATION_FRACTION", "MAX_PARAMETERS"]
