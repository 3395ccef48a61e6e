"""The model file: weights plus a JSON header, in a small format that runs no code.

Layout (little-endian)::

    MAGIC (8 bytes) | header length (uint64) | header (UTF-8 JSON) | tensor bytes | SHA-256

The header lists every tensor (name, dtype, shape, offset, size) and everything needed
to use the model: architecture, bands, normalisation, classes, LOP guide, provenance.
The trailing SHA-256 covers all bytes before it, so a truncated or corrupted file (an
incomplete copy or download, a bad disk) is refused. It is an unkeyed checksum: anyone
who edits a file can recompute it, so it detects corruption, not tampering. The security
property is another: nothing is unpickled, so opening a file never runs code.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import struct
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Dict, List, Optional, Tuple

import numpy as np

from ..common.classes import ClassInfo
from ..common.errors import CrnnError, ModelFileError
from ..rasters.files import write_atomically
from .config import NetworkConfig
from .spectra import scale_spectra

MAGIC = b"HSCRNN\x00\x1a"
FORMAT_VERSION = 1
_DTYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64}
# The header of a real model is tens of KiB (network, classes, band names and wavelengths,
# provenance, one line of history per epoch); 16 MiB still holds MAX_BANDS bands with long
# names and a history of 50 000 epochs, and parsing it takes a fraction of a second.
_MAX_HEADER = 16 * 1024 * 1024
MAX_BANDS = 100_000  # bands a model may use: 400x a hyperspectral sensor's ~250
MAX_CLASSES = 65_535  # the probability raster has a band per class; a GeoTIFF holds 65 535
MAX_GUIDE_COMPONENTS = 64  # rows of the edge LOP's guide; training keeps 10
_MAX_INT32 = 2**31 - 1  # GDAL band numbers and the class raster's values are 32-bit
_READ_CHUNK = 1 << 20  # bytes hashed at a time
_CORRUPT = "the file is corrupt. Copy it again or retrain the model."
_TRUNCATED = "the file is truncated (incomplete copy or download). Copy it again."



@dataclass
class CrnnModel:
    """Everything needed to classify a raster with a trained CRNN."""

    network: NetworkConfig
    band_indices: List[int]  # 1-based GDAL band numbers of the training raster
    band_names: List[str]
    mean: np.ndarray  # per-band standardisation, fitted on training pixels
    std: np.ndarray
    classes: List[ClassInfo]
    weights: Dict[str, np.ndarray]
    guide_components: np.ndarray  # (C, bands): projection of standardised spectra for edge LOP
    edge_scale: float  # distance scale of the edge-aware LOP, from the training pixels
    provenance: Dict[str, Any] = field(default_factory=dict)
    history: List[Dict[str, float]] = field(default_factory=list)
    # per used band: centre wavelength and FWHM in nm (None where the raster did not say);
    # empty for files written before wavelengths were kept
    band_wavelengths: List[Optional[float]] = field(default_factory=list)
    band_fwhm: List[Optional[float]] = field(default_factory=list)
    # trained on physical values (the bands' scale and offset applied, models/rasters/raster.py);
    # False for older files, which read raw values
    physical_values: bool = False
    # bands of the training raster (None for older files)
    raster_band_count: Optional[int] = None

    @property
    def has_wavelengths(self) -> bool:
        return bool(self.band_wavelengths) and all(
            w is not None for w in self.band_wavelengths)

    @property
    def n_bands(self) -> int:
        return len(self.band_indices)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def classifier(self, device: str = "cpu", batch_size: int = 4096, threads: int = 0,
                   precision: str = "float32"):
        """A torch ``PixelClassifier`` for this model (imports torch); ``precision``:
        'float32', 'bfloat16' or 'auto' (``network.resolve_precision``)."""
        from .crnn import Compute, PixelClassifier

        return PixelClassifier(self.network, self.weights, self.mean, self.std, self.n_classes,
                               Compute(device, batch_size, threads, precision))

    def guide(self, spectra: np.ndarray) -> np.ndarray:
        """(N, bands) raw values -> (N, C) features whose distances drive the edge LOP."""
        standardised = (scale_spectra(spectra, self.network.unit_length) - self.mean) / self.std
        return standardised @ self.guide_components.T


def save_model(model: CrnnModel, path: str) -> None:
    """Write ``model`` to ``path`` atomically (a temporary file renamed into place)."""
    names = sorted(model.weights)
    arrays = {f"weights/{n}": model.weights[n] for n in names}
    arrays["mean"] = model.mean
    arrays["std"] = model.std
    arrays["guide_components"] = model.guide_components
    tensors, blobs, offset = [], [], 0
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        dtype = array.dtype.name
        if dtype not in _DTYPES:
            array, dtype = array.astype(np.float32), "float32"
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        tensors.append(
            {"name": name, "dtype": dtype, "shape": list(array.shape), "offset": offset,
             "nbytes": len(data)}
        )
        blobs.append(data)
        offset += len(data)
    header = {
        "format": "hyperspectral-crnn-model",
        "format_version": FORMAT_VERSION,
        "network": model.network.to_dict(),
        "band_indices": [int(b) for b in model.band_indices],
        "band_names": list(model.band_names),
        "classes": [{"value": c.value, "name": c.name, "color": c.color} for c in model.classes],
        "edge_scale": float(model.edge_scale),
        "provenance": model.provenance,
        "history": model.history,
        "band_wavelengths": [_optional_float(w) for w in model.band_wavelengths],
        "band_fwhm": [_optional_float(w) for w in model.band_fwhm],
        "physical_values": bool(model.physical_values),
        "raster_band_count": (None if model.raster_band_count is None
                              else int(model.raster_band_count)),
        "tensors": tensors,
    }
    header_bytes = json.dumps(header, sort_keys=True, allow_nan=False).encode("utf-8")
    if len(header_bytes) > _MAX_HEADER:  # never write a file that load_model refuses
        raise CrnnError(
            f"The model's header would be {len(header_bytes):,} bytes, more than the "
            f"{_MAX_HEADER:,} a model file may hold: use fewer bands or shorter band names.")
    body = MAGIC + struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(blobs)
    content = body + hashlib.sha256(body).digest()
    write_atomically(path, lambda temporary: _write_bytes(temporary, content))


def _optional_float(value: Optional[float]) -> Optional[float]:
    return None if value is None else float(value)


def _write_bytes(path: str, content: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(content)


def load_model(path: str) -> CrnnModel:
    """Read a model file, refusing anything that is not an intact file of a known version.

    Reads within bounds: only a regular file is opened; its magic, header length and
    header are read and checked first (every value bounded, the tensors' shapes fitted
    to the network), and the file's size must be what the header says before the tensors
    are read and the checksum compared. So a pipe, a device or a huge file of junk is
    refused after a few bytes, and a crafted header cannot make the loader hang.
    """

    def fail(reason: str) -> ModelFileError:
        return ModelFileError(f"Cannot read the model file '{path}': {reason}")

    try:
        stream, size = _open_regular_file(path)
    except _Refused as refused:
        raise fail(refused.reason) from None
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None
    try:
        with stream:
            return _read_model(stream, size, os.path.basename(path))
    except _Refused as refused:
        raise fail(refused.reason) from None
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None


class _Refused(Exception):
    """Why a model file is refused (made into the user's message by ``load_model``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _open_regular_file(path: str) -> Tuple[BinaryIO, int]:
    """The opened file and its size; only a regular file is opened (a FIFO would block
    and a device or folder never ends), checked again on the open descriptor so a file
    swapped for a pipe after the first check is refused too."""
    name = os.path.basename(path)
    _check_regular(os.stat(path).st_mode, name)
    flags = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
             | getattr(os, "O_CLOEXEC", 0))
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        _check_regular(info.st_mode, name)
        return os.fdopen(descriptor, "rb"), info.st_size
    except BaseException:
        os.close(descriptor)
        raise


def _check_regular(mode: int, name: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        kind = "a folder"
    elif stat.S_ISFIFO(mode):
        kind = "a named pipe (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "not a regular file"
    raise _Refused(f"'{name}' is {kind}, not a model file. Choose a .crnn file written by "
                   "'Train CRNN'.")


def _read_exactly(stream, count: int) -> bytes:
    data = stream.read(count)
    if len(data) != count:
        raise _Refused(_TRUNCATED)
    return data


def _read_model(stream, size: int, name: str) -> CrnnModel:
    if size == 0:
        raise _Refused("the file is empty. Train a model with 'Train CRNN' and choose its file.")
    start = len(MAGIC) + 8
    lead = stream.read(start)
    if not lead.startswith(MAGIC):
        raise _Refused(
            f"'{name}' is not a Hyperspectral CRNN model (it was written by another tool or "
            "is not a model at all). Choose a .crnn file written by 'Train CRNN'."
        )
    if len(lead) < start or size < start + 32:
        raise _Refused(_TRUNCATED)
    (header_length,) = struct.unpack_from("<Q", lead, len(MAGIC))
    if header_length > _MAX_HEADER:
        raise _Refused(f"the file is truncated or corrupt (its header would be "
                       f"{header_length:,} bytes, more than the {_MAX_HEADER:,} a model's "
                       "header may hold). Copy it again or retrain the model.")
    if start + header_length + 32 > size:
        raise _Refused(_TRUNCATED)
    header_bytes = _read_exactly(stream, header_length)
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _Refused(f"its header is not valid JSON: {_CORRUPT}") from None
    version = header.get("format_version") if isinstance(header, dict) else None
    if isinstance(version, bool) or not isinstance(version, int):
        raise _Refused(f"its header has no format version: {_CORRUPT}")
    if version > FORMAT_VERSION:
        raise _Refused(
            f"it uses model format {version}, newer than this plugin reads ({FORMAT_VERSION}). "
            "Update the Hyperspectral CRNN plugin."
        )
    try:
        fields, entries, data_length = _check_header(header)
    except _Refused:
        raise
    except CrnnError as exc:
        raise _Refused(str(exc)) from None
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError,
            RecursionError) as exc:
        raise _Refused(f"its header is incomplete or inconsistent ({_show(exc)}): "
                       f"{_CORRUPT}") from None
    expected = start + header_length + data_length + 32
    if size != expected:
        raise _Refused(
            f"it is {size:,} bytes long, but its header describes {expected:,}: the file is "
            "truncated or corrupt (an incomplete copy or download). Copy it again."
        )
    digest = hashlib.sha256(lead)
    digest.update(header_bytes)
    data = bytearray(data_length)
    view = memoryview(data)
    for begin in range(0, data_length, _READ_CHUNK):
        chunk = view[begin : begin + _READ_CHUNK]
        if stream.readinto(chunk) != len(chunk):
            raise _Refused(_TRUNCATED)
        digest.update(chunk)
    if digest.digest() != _read_exactly(stream, 32) or stream.read(1):
        raise _Refused(
            "its checksum does not match: the file is truncated or corrupt (an incomplete "
            "copy or download). Copy it again or retrain the model."
        )
    arrays = _read_tensors(entries, data)
    _check_values(arrays)
    return CrnnModel(
        mean=arrays.pop("mean"),
        std=arrays.pop("std"),
        guide_components=arrays.pop("guide_components"),
        weights={k[len("weights/"):]: v for k, v in arrays.items()},
        **fields,
    )


def _show(value: Any) -> str:
    """A value for a message, cut short: a crafted header may hold megabytes in one."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _whole(value: Any, what: str, low: int, high: int) -> int:
    """``value`` as an int in [low, high] (integral floats too: older writers may have
    written 1.0), else refused naming ``what``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _Refused(f"its {what} is {_show(value)}, not a whole number from {low:,} to "
                       f"{high:,}: {_CORRUPT}")
    return value


def _finite(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _Refused(f"its {what} is {_show(value)}, not a finite number: {_CORRUPT}")
    return float(value)


def _list(value: Any, what: str, high: int, low: int = 0) -> list:
    if not isinstance(value, list) or not low <= len(value) <= high:
        count = len(value) if isinstance(value, list) else _show(value)
        raise _Refused(f"its {what} should be a list of {low:,} to {high:,} entries, got "
                       f"{count}: {_CORRUPT}")
    return value


def _check_header(header: Dict[str, Any]) -> Tuple[Dict[str, Any], List[Dict[str, Any]], int]:
    """The model's fields (but its tensors), the tensor entries checked against the
    network, and the length of the tensor bytes; ``_Refused`` or ``CrnnError`` where a
    value is missing, of the wrong type or out of bounds."""
    if not isinstance(header["network"], dict):
        raise _Refused(f"its header has no network settings: {_CORRUPT}")
    network = NetworkConfig.from_dict(header["network"])  # may ask for an update
    band_indices = [_whole(b, "band number", 1, _MAX_INT32)
                    for b in _list(header["band_indices"], "band list", MAX_BANDS, 1)]
    n_bands = len(band_indices)
    raster_band_count = header.get("raster_band_count")
    if raster_band_count is not None:
        raster_band_count = _whole(raster_band_count, "raster band count", max(band_indices),
                                   _MAX_INT32)
    try:
        network.validate()
        network.check_bands(n_bands)
    except CrnnError as exc:
        raise _Refused(f"{exc} The model file describes a network this plugin does not "
                       "build: retrain the model.") from None
    band_names = _list(header["band_names"], "band names", MAX_BANDS)
    if not all(isinstance(b, str) for b in band_names):
        raise _Refused(f"its band names are not all text: {_CORRUPT}")
    optional_floats = {}
    for key in ("band_wavelengths", "band_fwhm"):
        what = "band wavelength" if key == "band_wavelengths" else "band FWHM"
        optional_floats[key] = [None if w is None else _finite(w, what)
                                for w in _list(header.get(key, []), key, MAX_BANDS)]
    classes = []
    for entry in _list(header["classes"], "class list", MAX_CLASSES, 1):
        value = _whole(entry["value"], "class value", -_MAX_INT32 - 1, _MAX_INT32)
        if not isinstance(entry["name"], str) or not isinstance(entry["color"], str):
            raise _Refused(f"its class {value} has no text name or colour: {_CORRUPT}")
        classes.append(ClassInfo(value, entry["name"], entry["color"]))
    edge_scale = _finite(header["edge_scale"], "edge scale")
    if edge_scale <= 0:
        raise _Refused(f"its edge scale is {edge_scale}, not positive: {_CORRUPT}")
    provenance = header.get("provenance", {})
    history = header.get("history", [])
    if not isinstance(provenance, dict) or not isinstance(history, list) or not all(
            isinstance(r, dict) and all(isinstance(v, (int, float)) for v in r.values())
            for r in history):
        raise _Refused(f"its provenance or training history is malformed: {_CORRUPT}")
    physical_values = header.get("physical_values", False)
    if physical_values not in (True, False):
        raise _Refused(f"its physical_values is {_show(physical_values)}, not true or false: "
                       f"{_CORRUPT}")
    fields = dict(
        network=network, band_indices=band_indices, band_names=band_names, classes=classes,
        edge_scale=edge_scale, provenance=provenance, history=history,
        physical_values=bool(physical_values), raster_band_count=raster_band_count,
        **optional_floats,
    )
    shapes = {f"weights/{k}": v for k, v in _network_shapes(network, len(classes)).items()}
    shapes["mean"] = shapes["std"] = (n_bands,)
    entries, data_length = _check_tensors(header["tensors"], shapes, n_bands)
    return fields, entries, data_length


def _network_shapes(network: NetworkConfig, n_classes: int) -> Dict[str, tuple]:
    """The name and shape of every tensor in ``models.network.crnn.Crnn``'s state dict,
    worked out without torch (tests/test_modelfile_bounds.py compares them with it)."""
    shapes: Dict[str, tuple] = {}
    in_channels = 1
    blocks = zip(network.conv_channels, network.kernel_sizes)
    for block, (channels, kernel) in enumerate(blocks):
        shapes[f"conv.{block}.0.weight"] = (channels, in_channels, kernel)
        if network.batch_norm:
            for name in ("weight", "bias", "running_mean", "running_var"):
                shapes[f"conv.{block}.1.{name}"] = (channels,)
            shapes[f"conv.{block}.1.num_batches_tracked"] = ()
        else:
            shapes[f"conv.{block}.0.bias"] = (channels,)
        in_channels = channels
    gates = {"gru": 3, "lstm": 4, "rnn": 1}[network.rnn_type] * network.rnn_hidden
    for layer in range(network.rnn_layers):
        size_in = in_channels if layer == 0 else network.rnn_hidden
        shapes[f"rnn.weight_ih_l{layer}"] = (gates, size_in)
        shapes[f"rnn.weight_hh_l{layer}"] = (gates, network.rnn_hidden)
        shapes[f"rnn.bias_ih_l{layer}"] = (gates,)
        shapes[f"rnn.bias_hh_l{layer}"] = (gates,)
    shapes["head.weight"] = (n_classes, network.rnn_hidden)
    shapes["head.bias"] = (n_classes,)
    return shapes


def _check_tensors(entries: Any, shapes: Dict[str, tuple],
                   n_bands: int) -> Tuple[List[Dict[str, Any]], int]:
    """The tensor entries, each of the shape the network needs and lying apart in the
    tensor bytes, and the length of those bytes."""
    entries = _list(entries, "tensor list", len(shapes) + 1, len(shapes) + 1)
    checked, seen = [], set()
    for entry in entries:
        name, dtype = entry["name"], entry["dtype"]
        if not isinstance(name, str):
            raise _Refused(f"its tensor list holds the name {_show(name)}: {_CORRUPT}")
        if name in seen:
            raise _Refused(f"its tensor list names {name} twice: {_CORRUPT}")
        seen.add(name)
        if not isinstance(dtype, str) or dtype not in _DTYPES:
            raise _Refused(f"its tensor {_show(name)} has the unsupported type "
                           f"{_show(dtype)}: {_CORRUPT}")
        shape = tuple(_whole(s, "tensor dimension", 0, _MAX_INT32)
                      for s in _list(entry["shape"], "tensor shape", 3))
        if name == "guide_components":
            if len(shape) != 2 or shape[1] != n_bands or shape[0] > MAX_GUIDE_COMPONENTS:
                raise _Refused(
                    f"its guide_components has shape {shape}, not (up to "
                    f"{MAX_GUIDE_COMPONENTS}, {n_bands} bands): {_CORRUPT}")
        elif name not in shapes:
            raise _Refused(f"it holds the tensor {_show(name)}, which the network in its "
                           f"header has not: {_CORRUPT}")
        elif shape != shapes[name] and not (shapes[name] == () and shape == (1,)):
            # save_model writes a scalar (batch norm's count) as shape (1,)
            raise _Refused(f"its tensor {name} has shape {shape}, but the network in its "
                           f"header needs {shapes[name]}: {_CORRUPT}")
        offset = _whole(entry["offset"], "tensor offset", 0, 2**63)
        nbytes = _whole(entry["nbytes"], "tensor size", 0, 2**63)
        if nbytes != math.prod(shape) * np.dtype(_DTYPES[dtype]).itemsize:
            raise _Refused(f"its tensor {name} has {nbytes:,} bytes, not the size of its "
                           f"shape {shape}: {_CORRUPT}")
        checked.append((name, _DTYPES[dtype], shape, offset, nbytes))
    end = 0
    for name, _, _, offset, nbytes in sorted(checked, key=lambda e: e[3]):
        if offset < end:
            raise _Refused(f"its tensor {name} overlaps another: {_CORRUPT}")
        end = offset + nbytes
    return checked, end


def _read_tensors(entries: List[Dict[str, Any]], data: bytearray) -> Dict[str, np.ndarray]:
    arrays = {}
    for name, dtype, shape, offset, nbytes in entries:
        count = nbytes // np.dtype(dtype).itemsize
        array = np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<"), count=count,
                              offset=offset)
        arrays[name] = array.astype(dtype).reshape(shape)
    return arrays


def _check_values(arrays: Dict[str, np.ndarray]) -> None:
    """Refuse values that would make every pixel come out as the first class: non-finite
    weights, standardisation or guide, and standard deviations that are not positive
    (training floors them at a positive value: models/training.fit_standardisation)."""
    for name, array in arrays.items():
        if not np.isfinite(array).all():
            what = ("weights" if name.startswith("weights/")
                    else {"mean": "per-band mean", "std": "per-band standard deviation",
                          "guide_components": "edge LOP guide"}[name])
            raise _Refused(
                f"its {what} ({name}) holds NaN or infinite values, so every pixel would "
                "get the same class (training went wrong, or the file is corrupt). Retrain "
                "the model, or copy the file again.")
    std = arrays["std"].astype(np.float32)
    with np.errstate(divide="ignore", over="ignore"):
        bad = ~((std > 0) & np.isfinite(np.float32(1) / std))
    if bad.any():
        band = int(np.flatnonzero(bad)[0])
        raise _Refused(
            f"its per-band standard deviation of band {band + 1} is {float(std[band]):g}, "
            "not positive, so the standardisation divides by it (training never writes "
            "such a value: the file is corrupt). Retrain the model, or copy the file again.")
