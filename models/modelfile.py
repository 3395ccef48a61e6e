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
import os
import struct
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import numpy as np

from .config import NetworkConfig
from .errors import CrnnError, ModelFileError
from .files import write_atomically
from .spectra import scale_spectra

MAGIC = b"HSCRNN\x00\x1a"
FORMAT_VERSION = 1
_DTYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64}
_MAX_HEADER = 64 * 1024 * 1024


@dataclass(frozen=True)
class ClassInfo:
    """One output class: its pixel value in the class raster, name and '#rrggbb' colour."""

    value: int
    name: str
    color: str


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
    # trained on physical values (the bands' scale and offset applied, models/raster.py);
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
        from .network import PixelClassifier

        return PixelClassifier(
            self.network,
            self.weights,
            self.mean,
            self.std,
            self.n_classes,
            device=device,
            batch_size=batch_size,
            threads=threads,
            precision=precision,
        )

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
    body = MAGIC + struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(blobs)
    content = body + hashlib.sha256(body).digest()
    write_atomically(path, lambda temporary: _write_bytes(temporary, content))


def _optional_float(value: Optional[float]) -> Optional[float]:
    return None if value is None else float(value)


def _write_bytes(path: str, content: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(content)


def load_model(path: str) -> CrnnModel:
    """Read a model file, refusing anything that is not an intact file of a known version."""
    name = os.path.basename(path)

    def fail(reason: str) -> ModelFileError:
        return ModelFileError(f"Cannot read the model file '{path}': {reason}")

    try:
        with open(path, "rb") as stream:
            content = stream.read()
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None
    if len(content) == 0:
        raise fail("the file is empty. Train a model with 'Train CRNN' and choose its file.")
    if not content.startswith(MAGIC):
        raise fail(
            f"'{name}' is not a Hyperspectral CRNN model (it was written by another tool or "
            "is not a model at all). Choose a .crnn file written by 'Train CRNN'."
        )
    if len(content) < len(MAGIC) + 8 + 32:
        raise fail("the file is truncated (incomplete copy or download). Copy it again.")
    body, digest = content[:-32], content[-32:]
    (header_length,) = struct.unpack_from("<Q", content, len(MAGIC))
    start = len(MAGIC) + 8
    if header_length > _MAX_HEADER or start + header_length > len(body):
        raise fail("the file is truncated or corrupt (incomplete copy or download). Copy it again.")
    if hashlib.sha256(body).digest() != digest:
        raise fail(
            "its checksum does not match: the file is truncated or corrupt (an incomplete "
            "copy or download). Copy it again or retrain the model."
        )
    try:
        header = json.loads(body[start : start + header_length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise fail("its header is not valid JSON; the file is corrupt.") from None
    version = header.get("format_version") if isinstance(header, dict) else None
    if not isinstance(version, int):
        raise fail("its header has no format version; the file is corrupt.")
    if version > FORMAT_VERSION:
        raise fail(
            f"it uses model format {version}, newer than this plugin reads ({FORMAT_VERSION}). "
            "Update the Hyperspectral CRNN plugin."
        )
    try:
        network = NetworkConfig.from_dict(header["network"])
        network.validate()
        arrays = _read_tensors(header["tensors"], body, start + header_length)
        return CrnnModel(
            network=network,
            band_indices=[int(b) for b in header["band_indices"]],
            band_names=[str(b) for b in header["band_names"]],
            mean=arrays.pop("mean"),
            std=arrays.pop("std"),
            classes=[ClassInfo(int(c["value"]), str(c["name"]), str(c["color"]))
                     for c in header["classes"]],
            guide_components=arrays.pop("guide_components"),
            edge_scale=float(header["edge_scale"]),
            weights={k[len("weights/"):]: v for k, v in arrays.items()},
            provenance=dict(header.get("provenance", {})),
            history=list(header.get("history", [])),
            band_wavelengths=[_optional_float(w) for w in header.get("band_wavelengths", [])],
            band_fwhm=[_optional_float(w) for w in header.get("band_fwhm", [])],
            physical_values=bool(header.get("physical_values", False)),
            raster_band_count=(None if header.get("raster_band_count") is None
                               else int(header["raster_band_count"])),
        )
    except ModelFileError:
        raise
    except CrnnError as exc:
        raise fail(str(exc)) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise fail(f"its header is incomplete or inconsistent ({exc!r}); it is corrupt.") from None


def _read_tensors(entries: List[Dict[str, Any]], body: bytes, base: int) -> Dict[str, np.ndarray]:
    arrays = {}
    for entry in entries:
        dtype = _DTYPES.get(entry["dtype"])
        if dtype is None:
            raise ValueError(f"unsupported tensor type {entry['dtype']}")
        shape = tuple(int(s) for s in entry["shape"])
        begin = base + int(entry["offset"])
        nbytes = int(entry["nbytes"])
        count = int(np.prod(shape)) if shape else 1
        if begin < base or begin + nbytes > len(body) or nbytes != count * np.dtype(dtype).itemsize:
            raise ValueError(f"tensor {entry['name']} lies outside the file")
        array = np.frombuffer(body, dtype=np.dtype(dtype).newbyteorder("<"), count=count,
                              offset=begin)
        arrays[entry["name"]] = array.astype(dtype).reshape(shape)
    return arrays

