"""The CRNN of Wu & Prasad (2017) in torch, and a ready-to-run pixel classifier.

A pixel's spectrum is a 1-channel sequence over the bands. Convolution blocks extract
local, shift-invariant spectral features and shorten the sequence by max-pooling;
stacked recurrent layers read the resulting feature sequence, so any band count works.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, List, Tuple

import numpy as np
import torch
from torch import nn

from ..common.errors import CrnnError
from .config import NetworkConfig
from .spectra import scale_spectra


class Crnn(nn.Module):
    """Conv blocks -> recurrent layers -> linear layer (logits; softmax is applied outside)."""

    def __init__(self, config: NetworkConfig, n_bands: int, n_classes: int) -> None:
        super().__init__()
        config.validate()
        config.check_bands(n_bands)
        self.config = config
        blocks = []
        in_channels = 1
        for block, (channels, kernel, pool) in enumerate(
            zip(config.conv_channels, config.kernel_sizes, config.pool_sizes)
        ):
            stride = config.first_stride if block == 0 else 1
            layers = [
                nn.Conv1d(in_channels, channels, kernel, stride=stride, padding=kernel // 2,
                          bias=not config.batch_norm)
            ]
            if config.batch_norm:
                layers.append(nn.BatchNorm1d(channels))
            layers.append(nn.ReLU(inplace=True))
            if pool > 1:
                layers.append(nn.MaxPool1d(pool))
            blocks.append(nn.Sequential(*layers))
            in_channels = channels
        self.conv = nn.Sequential(*blocks)
        rnn_class = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn": nn.RNN}[config.rnn_type]
        self.rnn = rnn_class(
            input_size=in_channels,
            hidden_size=config.rnn_hidden,
            num_layers=config.rnn_layers,
            batch_first=True,
            dropout=config.dropout if config.rnn_layers > 1 else 0.0,
        )
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.rnn_hidden, n_classes)

    def forward(self, spectra: torch.Tensor) -> torch.Tensor:
        """``spectra``: (batch, bands), standardised. Returns logits (batch, classes)."""
        features = self.conv(spectra.unsqueeze(1))  # (batch, channels, length)
        states, _ = self.rnn(features.transpose(1, 2))  # (batch, length, hidden)
        if self.config.readout == "mean":
            summary = states.mean(dim=1)
        else:
            summary = states[:, -1]
        return self.head(self.dropout(summary))

    def layer_shapes(self, n_bands: int) -> LayerShapes:
        """The per-pixel output shape of each layer, measured on a forward pass.

        What users are shown about the network (the training report's architecture table)
        comes from here, not from a formula: a hand-written one forgot the first stride
        once and told 32 x 100 ... 25 steps for a network that gives 32 x 50 ... 12. Hooks
        record the tensors of one all-zero spectrum going through the real modules.
        """
        seen: List[Tuple[int, ...]] = []
        rnn: List[Tuple[int, ...]] = []

        def output(_module: nn.Module, _inputs: tuple, result: torch.Tensor) -> None:
            seen.append(tuple(result.shape[1:]))

        def recurrent(_module: nn.Module, inputs: tuple, result: tuple) -> None:
            rnn.extend((tuple(inputs[0].shape[1:]), tuple(result[0].shape[1:])))

        hooks = [block.register_forward_hook(output) for block in self.conv]
        hooks.append(self.rnn.register_forward_hook(recurrent))
        hooks.append(self.head.register_forward_hook(output))
        training = self.training
        parameter = next(self.parameters())
        try:
            self.eval()  # batch norm cannot run on one pixel in training mode
            with torch.inference_mode():
                self(torch.zeros(1, n_bands, dtype=parameter.dtype, device=parameter.device))
        finally:
            self.train(training)
            for hook in hooks:
                hook.remove()
        (steps, features), (_, hidden) = rnn
        blocks = tuple((int(c), int(length)) for c, length in seen[:-1])
        return LayerShapes(n_bands, blocks, int(steps), int(features), int(hidden),
                           int(seen[-1][0]))


FEW_RECURRENT_STEPS = 10
"""Fewer steps than this leave the recurrent layers little of the spectrum's sequence to
read (the paper's network reads 12 of its 200 bands' features)."""


def recurrent_steps(config: NetworkConfig, n_bands: int) -> int:
    """How many steps the recurrent layers read for ``n_bands`` bands: measured on the
    real modules (:meth:`Crnn.layer_shapes`), not by a formula."""
    return Crnn(config, n_bands, 2).layer_shapes(n_bands).rnn_steps


@dataclass(frozen=True)
class LayerShapes:
    """Per-pixel shapes measured by :meth:`Crnn.layer_shapes` (the batch axis left out)."""

    bands: int  # the input: 1 channel x ``bands``
    blocks: Tuple[Tuple[int, int], ...]  # (channels, sequence length) after each conv block
    rnn_steps: int  # the sequence the recurrent layers read ...
    rnn_features: int  # ... of this many features a step
    rnn_hidden: int  # the size of each recurrent state
    classes: int  # the head's logits


def resolve_device(device: str) -> torch.device:
    """'auto' picks CUDA when present; 'cuda' without a GPU is an error that says so."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise CrnnError(
            "DEVICE is 'cuda' but torch sees no CUDA GPU here. Use 'cpu' or 'auto', or "
            "install a CUDA build of torch on a machine with an NVIDIA GPU."
        )
    if device not in ("cpu", "cuda"):
        raise CrnnError(f"Unknown device '{device}': use 'auto', 'cpu' or 'cuda'.")
    return torch.device(device)


PRECISIONS = ("auto", "float32", "bfloat16")


def cpu_has_native_bf16() -> bool:
    """True where the CPU computes bfloat16 in hardware (AVX512-BF16 or AMX): there bf16
    arithmetic is faster than float32; elsewhere it is emulated, and slower."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as stream:
            for line in stream:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    check = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
    return bool(check()) if check is not None else False


def resolve_precision(precision: str, device: torch.device):
    """The autocast dtype of a precision setting (None: float32 throughout).

    'auto' takes bfloat16 on a CPU that has it natively and float16 on a CUDA GPU (the
    CUDA path is untested here: no GPU was available), else float32.
    """
    if precision not in PRECISIONS:
        raise CrnnError(f"Unknown precision '{precision}': use {', '.join(PRECISIONS)}.")
    if precision == "float32":
        return None
    if precision == "bfloat16":
        return torch.bfloat16
    if device.type == "cuda":
        return torch.float16
    return torch.bfloat16 if cpu_has_native_bf16() else None


def use_all_cores(threads: int = 0) -> None:
    """Let torch use every core (or ``threads``) for the CPU kernels.

    numpy's OpenBLAS is held to one thread from then on: its idle worker threads spin
    on the cores that torch's threads wait for, which made training under qgis_process
    2.7x slower (docs/inference.md).
    """
    torch.set_num_threads(threads if threads > 0 else max(1, os.cpu_count() or 1))
    hold_openblas_to_one_thread()


def hold_openblas_to_one_thread() -> None:
    """Limit a loaded OpenBLAS to one thread (nothing where threadpoolctl is missing)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return
    ThreadpoolController().select(internal_api="openblas").limit(limits=1)


def state_to_numpy(module: nn.Module) -> Dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()}


def load_state(module: nn.Module, state: Dict[str, np.ndarray]) -> None:
    """Load weights, turning a shape or name mismatch into a readable error."""
    try:
        module.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()})
    except RuntimeError as exc:
        raise CrnnError(f"The weights do not fit the model's network: {exc}") from None


@dataclass(frozen=True)
class Compute:
    """Where and how the network runs: device ('cpu', 'cuda' or 'auto'), pixels per batch,
    CPU threads (0 = all cores) and arithmetic ('float32', 'bfloat16' or 'auto')."""

    device: str = "cpu"
    batch_size: int = 4096
    threads: int = 0
    precision: str = "float32"


class PixelClassifier:
    """A trained network with its standardisation, ready to turn spectra into probabilities."""

    def __init__(
        self,
        config: NetworkConfig,
        state: Dict[str, np.ndarray],
        mean: np.ndarray,
        std: np.ndarray,
        n_classes: int,
        compute: Compute = Compute(),
    ) -> None:
        device, batch_size = compute.device, compute.batch_size
        threads, precision = compute.threads, compute.precision
        self.device = resolve_device(device)
        self.autocast_dtype = resolve_precision(precision, self.device)
        if self.device.type == "cpu":
            use_all_cores(threads)
        self.batch_size = batch_size
        self.n_bands = int(mean.shape[0])
        self.n_classes = n_classes
        network = Crnn(config, self.n_bands, n_classes)
        load_state(network, state)
        self.network = network.to(self.device).eval()
        self.mean = torch.as_tensor(mean, dtype=torch.float32, device=self.device)
        self.inv_std = torch.as_tensor(1.0 / std, dtype=torch.float32, device=self.device)

    def network_input(self, spectra: np.ndarray) -> torch.Tensor:
        """(N, bands) raw values -> the scaled, standardised tensor the network reads."""
        scaled = np.ascontiguousarray(scale_spectra(spectra, self.network.config.unit_length))
        return (torch.from_numpy(scaled).to(self.device) - self.mean) * self.inv_std

    def predict_proba(self, spectra: np.ndarray) -> np.ndarray:
        """(N, bands) raw values -> (N, classes) float32 posterior probabilities."""
        spectra = np.asarray(spectra)
        if spectra.ndim != 2 or spectra.shape[1] != self.n_bands:
            raise CrnnError(
                f"Expected spectra of {self.n_bands} bands, got an array of shape {spectra.shape}."
            )
        out = np.empty((spectra.shape[0], self.n_classes), dtype=np.float32)
        autocast = torch.autocast(self.device.type, dtype=self.autocast_dtype or torch.float32,
                                  enabled=self.autocast_dtype is not None)
        with torch.inference_mode(), autocast:
            for start in range(0, spectra.shape[0], self.batch_size):
                chunk = self.network_input(spectra[start : start + self.batch_size])
                logits = self.network(chunk).float()
                out[start : start + chunk.shape[0]] = torch.softmax(logits, 1).cpu().numpy()
        return out


def count_flops(config: NetworkConfig, n_bands: int, n_classes: int) -> int:
    """Multiply-adds x 2 per pixel, for the roofline in the benchmarks."""
    flops = 0
    length, in_channels = n_bands, 1
    blocks = zip(config.conv_channels, config.kernel_sizes, config.pool_sizes)
    for block, (channels, kernel, pool) in enumerate(blocks):
        stride = config.first_stride if block == 0 else 1
        length = (length + 2 * (kernel // 2) - kernel) // stride + 1
        flops += 2 * length * in_channels * channels * kernel
        length //= pool
        in_channels = channels
    gates = {"gru": 3, "lstm": 4, "rnn": 1}[config.rnn_type]
    hidden = config.rnn_hidden
    for layer in range(config.rnn_layers):
        size_in = in_channels if layer == 0 else hidden
        flops += 2 * length * gates * hidden * (size_in + hidden)
    flops += 2 * hidden * n_classes
    return flops

