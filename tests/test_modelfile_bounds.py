"""Issue 26: the model file is read within bounds and every header value is bounded.

A pipe, a device, a folder or a huge file of junk is refused after a few bytes (run in a
subprocess with a timeout and a memory limit, so a regression fails instead of hanging
or eating the machine's memory); an absurd network, deep JSON, tensors that do not fit
the network and non-finite standardisation, weights or edge scale are refused with a
message; files that training writes still load. The crafted files carry a correct
SHA-256, so only the bound under test fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, Tuple

import numpy as np
import pytest
from core_helpers import small_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hyperspectral_crnn.models.common.errors import CrnnError, ModelFileError
from hyperspectral_crnn.models.network.config import MAX_PARAMETERS, NetworkConfig, TrainingConfig
from hyperspectral_crnn.models.network.modelfile import MAGIC, load_model, save_model

PLUGINS = Path(__file__).resolve().parent.parent / ".build" / "plugins"
GIB = 1024**3


@pytest.fixture(scope="module")
def model():
    return small_model(epochs=1)


@pytest.fixture(scope="module")
def genuine(model, tmp_path_factory) -> Tuple[dict, Dict[str, np.ndarray]]:
    """The header and tensors of a file ``save_model`` wrote, parsed independently."""
    path = str(tmp_path_factory.mktemp("genuine") / "model.crnn")
    save_model(model, path)
    content = open(path, "rb").read()
    (length,) = struct.unpack_from("<Q", content, len(MAGIC))
    start = len(MAGIC) + 8
    header = json.loads(content[start : start + length])
    base = start + length
    arrays = {}
    for entry in header.pop("tensors"):
        array = np.frombuffer(content, np.dtype(entry["dtype"]).newbyteorder("<"),
                              int(np.prod(entry["shape"])), base + entry["offset"])
        arrays[entry["name"]] = array.reshape(entry["shape"]).copy()
    return header, arrays


def build(header: dict, arrays: Dict[str, np.ndarray], tensors=None) -> bytes:
    """A model file of ``header`` and ``arrays`` (``tensors`` overrides the tensor list)
    with a correct checksum."""
    entries, blobs, offset = [], [], 0
    for name, array in arrays.items():
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        entries.append({"name": name, "dtype": array.dtype.name, "shape": list(array.shape),
                        "offset": offset, "nbytes": len(data)})
        blobs.append(data)
        offset += len(data)
    header_bytes = json.dumps({**header, "tensors": entries if tensors is None else tensors}
                              ).encode()
    body = MAGIC + struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(blobs)
    return body + hashlib.sha256(body).digest()


def write(tmp_path, content: bytes, name: str = "crafted.crnn") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def crafted(genuine, tmp_path, net=None, arrays=None, **fields) -> str:
    """The genuine file with network settings, header fields or tensors changed."""
    header, genuine_arrays = genuine
    header = json.loads(json.dumps(header))
    header["network"].update(net or {})
    header.update(fields)
    return write(tmp_path, build(header, {**genuine_arrays, **(arrays or {})}))


def refused(path: str, *patterns: str) -> str:
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert message.startswith(f"Cannot read the model file '{path}'"), message
    for pattern in patterns:
        assert pattern in message, message
    return message


def load_in_subprocess(path: str, timeout: float = 60.0) -> Tuple[str, float]:
    """load_model in a child limited to 1 GiB of address space; returns its output and
    its wall time. A hang or an unbounded read fails the test, not the machine."""
    script = (
        "import sys\n"
        "from hyperspectral_crnn.models.common.errors import ModelFileError\n"
        "from hyperspectral_crnn.models.network.modelfile import load_model\n"
        "try:\n"
        "    load_model(sys.argv[1])\n"
        "except ModelFileError as error:\n"
        "    print('REFUSED', error)\n"
        "    sys.exit(3)\n"
        "print('LOADED')\n"
    )

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))

    env = {**os.environ, "PYTHONPATH": str(PLUGINS), "OPENBLAS_NUM_THREADS": "1"}
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", script, path], capture_output=True,
                              text=True, timeout=timeout, env=env, preexec_fn=limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"load_model('{path}') did not return within {timeout} s")
    output = done.stdout + done.stderr
    assert done.returncode == 3 and "Traceback" not in output, output
    return output, time.monotonic() - started


# ---------------------------------------------------------------------------------------
# Files that are not regular files, and huge files


def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = str(tmp_path / "pipe.crnn")
    os.mkfifo(fifo)
    output, _ = load_in_subprocess(fifo, timeout=30)
    assert "named pipe" in output and "not a model file" in output, output


def test_a_fifo_is_refused_in_process_too(tmp_path):
    """In this process too (a thread, so a regression that blocks in open() fails here
    after 10 s and is then released by opening the pipe's writing end)."""
    fifo = str(tmp_path / "pipe.crnn")
    os.mkfifo(fifo)
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(_try_load(fifo)), daemon=True)
    thread.start()
    thread.join(10)
    hung = thread.is_alive()
    if hung:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # release the blocked reader
        thread.join(10)
    assert not hung, "load_model blocked on a FIFO"
    assert "named pipe" in outcome[0], outcome


def _try_load(path: str) -> str:
    try:
        load_model(path)
    except ModelFileError as error:
        return str(error)
    return "loaded"


def test_dev_zero_is_refused():
    output, seconds = load_in_subprocess("/dev/zero", timeout=30)
    assert "a device" in output and "not a model file" in output, output
    assert seconds < 20


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "model.crnn"
    folder.mkdir()
    refused(str(folder), "'model.crnn' is a folder, not a model file")


@pytest.mark.parametrize("lead", ["junk", "model"])
def test_a_sparse_3_gib_file_is_refused_after_a_few_bytes(genuine, tmp_path, lead):
    """3 GiB of junk, and a genuine model with 3 GiB appended: refused in a child that may
    not hold 1 GiB, within seconds (the old loader read and hashed all of it)."""
    content = b"no model here\n" * 10 if lead == "junk" else build(*genuine)
    path = tmp_path / "huge.crnn"
    with open(path, "wb") as stream:
        stream.write(content)
        stream.truncate(3 * GIB)
    output, seconds = load_in_subprocess(str(path), timeout=60)
    expected = ("not a Hyperspectral CRNN model" if lead == "junk"
                else "truncated or corrupt")
    assert expected in output, output
    assert seconds < 20, seconds


def test_a_header_length_beyond_the_bound_is_refused(tmp_path):
    path = write(tmp_path, MAGIC + struct.pack("<Q", 2**40) + b"{}" + bytes(32))
    refused(path, "header would be 1,099,511,627,776 bytes", "corrupt")


# ---------------------------------------------------------------------------------------
# The network in the header


@pytest.mark.parametrize("change, words", [
    ({"rnn_layers": 100_000}, ["RNN_LAYERS", "100000", "32"]),
    ({"rnn_hidden": 1_000_000}, ["RNN_HIDDEN", "1000000", "8192"]),
    ({"conv_channels": [10**9]}, ["CONV_CHANNELS", "1000000000", "4096"]),
    ({"conv_channels": [8] * 100, "kernel_sizes": [3] * 100, "pool_sizes": [1] * 100},
     ["convolution blocks", "100", "32"]),
    ({"kernel_sizes": [10**6]}, ["KERNEL_SIZES", "1000000"]),
    ({"pool_sizes": [10**6]}, ["POOL_SIZES", "1000000"]),
    ({"first_stride": 10**6}, ["FIRST_STRIDE", "1000000"]),
    ({"input_window": 100_001}, ["INPUT_WINDOW", "100001", "15"]),
    ({"conv_channels": [4096, 4096], "kernel_sizes": [7, 4096], "pool_sizes": [1, 1]},
     ["weights", f"{MAX_PARAMETERS:,}"]),
    ({"rnn_hidden": 64.5}, ["rnn_hidden", "whole number"]),
    ({"batch_norm": "no"}, ["batch_norm"]),
    ({"dropout": "x"}, ["dropout"]),
])
def test_absurd_network_settings_are_refused(genuine, tmp_path, change, words):
    started = time.monotonic()
    message = refused(crafted(genuine, tmp_path, net=change), *words)
    assert "retrain the model" in message
    assert time.monotonic() - started < 5


def test_rnn_hidden_too_big_for_memory_is_refused_before_training():
    """RNN_HIDDEN=1000000 once ended in torch's allocator error; now the bound's message
    comes before a tensor is made."""
    with pytest.raises(CrnnError, match="RNN_HIDDEN.*1000000.*8192"):
        small_model(epochs=1, network=NetworkConfig(rnn_hidden=1_000_000))


def test_the_default_and_wide_networks_stay_within_the_bounds():
    NetworkConfig().validate()
    NetworkConfig(conv_channels=(512, 1024, 1024), rnn_hidden=4096, rnn_layers=1).validate()
    NetworkConfig(rnn_type="lstm", rnn_hidden=2048, rnn_layers=4).validate()


@pytest.mark.parametrize("network", [
    NetworkConfig(),
    NetworkConfig(batch_norm=True, rnn_type="lstm", rnn_layers=3, conv_channels=(4, 6),
                  kernel_sizes=(3, 5), pool_sizes=(2, 1)),
    NetworkConfig(rnn_type="rnn", rnn_layers=1, readout="mean", first_stride=3),
])
def test_the_shapes_the_loader_expects_are_the_networks(network):
    """The loader's torch-free list of tensor shapes is the real Crnn's state dict, and
    ``parameter_count`` counts its weights."""
    from hyperspectral_crnn.models.network.crnn import Crnn
    from hyperspectral_crnn.models.network.modelfile import _network_shapes

    crnn = Crnn(network, 200, 7)
    state = {k: tuple(v.shape) for k, v in crnn.state_dict().items()}
    assert _network_shapes(network, 7) == state
    assert network.parameter_count(7) == sum(
        int(np.prod(shape)) for name, shape in state.items()
        if not name.endswith("num_batches_tracked"))


def test_deeply_nested_json_is_refused(tmp_path):
    header = ('{"format_version": 1, "x": ' + "[" * 200_000 + "]" * 200_000 + "}").encode()
    body = MAGIC + struct.pack("<Q", len(header)) + header
    refused(write(tmp_path, body + hashlib.sha256(body).digest()), "not valid JSON", "corrupt")


def test_deep_nesting_in_the_network_settings_is_refused(genuine, tmp_path):
    nested: list = []
    for _ in range(50):
        nested = [nested]
    refused(crafted(genuine, tmp_path, net={"conv_channels": nested}), "corrupt")


# ---------------------------------------------------------------------------------------
# Other header values


@pytest.mark.parametrize("fields, words", [
    ({"band_indices": []}, ["band list", "1 to 100,000"]),
    ({"band_indices": [0] * 40}, ["band number", "0"]),
    ({"band_indices": [1.5] * 40}, ["band number", "1.5"]),
    ({"band_indices": list(range(1, 100_002))}, ["band list", "got 100001"]),
    ({"classes": []}, ["class list"]),
    ({"classes": [{"value": 2**40, "name": "a", "color": "#000000"}] * 3},
     ["class value", "1099511627776"]),
    ({"classes": [{"value": "one", "name": "a", "color": "#000000"}] * 3}, ["class value"]),
    ({"classes": [{"value": 1, "name": 7, "color": "#000000"}] * 3}, ["class 1"]),
    ({"edge_scale": 0.0}, ["edge scale", "not positive"]),
    ({"edge_scale": -1.0}, ["edge scale", "not positive"]),
    ({"edge_scale": float("nan")}, ["edge scale", "nan", "not a finite number"]),
    ({"edge_scale": float("inf")}, ["edge scale", "not a finite number"]),
    ({"edge_scale": "wide"}, ["edge scale"]),
    ({"raster_band_count": 10}, ["raster band count"]),
    ({"band_wavelengths": [float("nan")] * 40}, ["band wavelength"]),
    ({"band_names": [1] * 40}, ["band names"]),
    ({"history": [{"epoch": "one"}]}, ["history"]),
    ({"physical_values": "yes"}, ["physical_values"]),
    ({"network": [1, 2]}, ["no network settings"]),
])
def test_out_of_bounds_header_values_are_refused(genuine, tmp_path, fields, words):
    refused(crafted(genuine, tmp_path, **fields), *words, "corrupt")


def test_the_network_must_fit_the_bands(genuine, tmp_path):
    """40 bands cannot go through a stride 64 and a pool of 4: refused at load."""
    refused(crafted(genuine, tmp_path, net={"first_stride": 64}), "too few for this network")


# ---------------------------------------------------------------------------------------
# Tensors


def test_weights_that_do_not_fit_the_network_are_refused(genuine, tmp_path):
    _, arrays = genuine
    wrong = np.zeros((3, 17), np.float32)  # the head of a network with 17 hidden units
    refused(crafted(genuine, tmp_path, arrays={"weights/head.weight": wrong}),
            "weights/head.weight has shape (3, 17)", "needs (3, 16)")
    # the classes in the header must match the head too
    header, _ = genuine
    refused(crafted(genuine, tmp_path, classes=header["classes"][:2]),
            "weights/head.bias has shape (3,)", "needs (2,)")
    refused(crafted(genuine, tmp_path, arrays={"weights/extra": np.zeros(3, np.float32)}),
            "tensor list", "corrupt")
    missing = {k: v for k, v in arrays.items() if k != "weights/rnn.bias_hh_l0"}
    missing["weights/other"] = arrays["weights/rnn.bias_hh_l0"]
    refused(write(tmp_path, build(header, missing)), "weights/other", "has not")


def test_mean_std_and_guide_need_one_entry_per_band(genuine, tmp_path):
    refused(crafted(genuine, tmp_path, arrays={"mean": np.zeros(39, np.float32)}),
            "mean has shape (39,)", "needs (40,)")
    refused(crafted(genuine, tmp_path, arrays={"guide_components": np.zeros((3, 41),
                                                                            np.float32)}),
            "guide_components has shape (3, 41)")
    refused(crafted(genuine, tmp_path, arrays={"guide_components": np.zeros((65, 40),
                                                                            np.float32)}),
            "guide_components has shape (65, 40)")


@pytest.mark.parametrize("change, words", [
    (lambda e: e[0].update(shape=[-1]), ["tensor dimension", "-1"]),
    (lambda e: e[0].update(shape=[2**40, 2**40]), ["tensor dimension"]),
    (lambda e: e[0].update(nbytes=e[0]["nbytes"] + 4), ["bytes, not the size of its shape"]),
    (lambda e: e[1].update(offset=0), ["overlaps"]),
    (lambda e: e[0].update(dtype="complex128"), ["unsupported type"]),
    (lambda e: e[1].update(name=e[0]["name"]), ["twice"]),
    (lambda e: e[0].update(shape=[1, 1, 1, 1, 1]), ["tensor shape"]),
    (lambda e: e[0].update(offset=2**62), ["truncated or corrupt"]),
    (lambda e: e.append(dict(e[0])), ["tensor list"]),
])
def test_inconsistent_tensor_entries_are_refused(genuine, tmp_path, change, words):
    header, arrays = genuine
    entries, offset = [], 0
    for name, array in arrays.items():
        entries.append({"name": name, "dtype": array.dtype.name, "shape": list(array.shape),
                        "offset": offset, "nbytes": array.nbytes})
        offset += array.nbytes
    change(entries)
    refused(write(tmp_path, build(header, arrays, tensors=entries)), *words)


# ---------------------------------------------------------------------------------------
# Non-finite and non-positive values


@pytest.mark.parametrize("name, value, words", [
    ("mean", np.nan, ["per-band mean (mean)", "NaN or infinite", "Retrain"]),
    ("mean", np.inf, ["per-band mean (mean)", "NaN or infinite"]),
    ("std", np.nan, ["per-band standard deviation (std)", "NaN or infinite"]),
    ("std", -np.inf, ["per-band standard deviation (std)", "NaN or infinite"]),
    ("std", 0.0, ["standard deviation of band 6 is 0", "not positive"]),
    ("std", -2.0, ["standard deviation of band 6 is -2", "not positive"]),
    ("std", 1e-45, ["standard deviation of band 6 is 1.4013e-45"]),  # 1 / std overflows
    ("guide_components", np.nan, ["edge LOP guide", "NaN or infinite"]),
    ("weights/rnn.weight_hh_l0", np.nan, ["weights (weights/rnn.weight_hh_l0)", "NaN"]),
    ("weights/head.weight", np.inf, ["weights (weights/head.weight)", "NaN or infinite"]),
])
def test_non_finite_values_are_refused(genuine, tmp_path, name, value, words):
    array = genuine[1][name].copy()
    array.reshape(-1)[5] = value
    refused(crafted(genuine, tmp_path, arrays={name: array}), *words)


# ---------------------------------------------------------------------------------------
# What training writes still loads


@pytest.mark.parametrize("network", [
    NetworkConfig(conv_channels=(4, 4), kernel_sizes=(3, 3), pool_sizes=(2, 1),
                  batch_norm=True, rnn_type="lstm", rnn_hidden=8, rnn_layers=2),
    NetworkConfig(conv_channels=(4,), kernel_sizes=(5,), pool_sizes=(2,), rnn_type="rnn",
                  rnn_hidden=8, rnn_layers=1, input_window=3, readout="mean"),
])
def test_trained_models_load(tmp_path, network):
    model = small_model(n_bands=12, epochs=1, network=network,
                        training_config=TrainingConfig(epochs=1, batch_size=32, device="cpu"))
    path = str(tmp_path / "trained.crnn")
    save_model(model, path)
    loaded = load_model(path)
    assert loaded.network == network
    spectra = np.random.default_rng(0).normal(1000, 100, (20, 12))
    np.testing.assert_array_equal(loaded.classifier().predict_proba(spectra),
                                  model.classifier().predict_proba(spectra))


def test_a_constant_band_trains_and_loads(tmp_path):
    """fit_standardisation floors a constant band's std at 1: the loader accepts it."""
    from hyperspectral_crnn.models.common.classes import ClassInfo
    from hyperspectral_crnn.models.training.train import (
        ModelBands,
        TrainingData,
        TrainingSetup,
        train_model,
    )

    rng = np.random.default_rng(0)
    spectra = rng.normal(1000, 50, (60, 12)).astype(np.float32)
    spectra[:, 3] = 700.0
    labels = np.repeat([1, 2], 30)
    model = train_model(
        TrainingData(spectra, labels,
                     [ClassInfo(1, "a", "#ff0000"), ClassInfo(2, "b", "#00ff00")],
                     ModelBands(list(range(1, 13)), [f"B{b}" for b in range(12)])),
        TrainingSetup(NetworkConfig(conv_channels=(4,), kernel_sizes=(3,), pool_sizes=(2,),
                                    rnn_hidden=8, rnn_layers=1, unit_length=False),
                      TrainingConfig(epochs=1, batch_size=32, device="cpu")))
    path = str(tmp_path / "constant.crnn")
    save_model(model, path)
    assert load_model(path).std[3] == 1.0


# ---------------------------------------------------------------------------------------
# Property: whatever follows the magic, the loader refuses it or loads it


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_after_the_magic_are_refused_or_load(tmp_path_factory, tail):
    path = str(tmp_path_factory.mktemp("fuzz") / "fuzz.crnn")
    with open(path, "wb") as stream:
        stream.write(MAGIC + tail)
    try:
        load_model(path)
    except ModelFileError:
        pass


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12)
KEYS = ["network", "band_indices", "band_names", "classes", "edge_scale", "provenance",
        "history", "band_wavelengths", "band_fwhm", "physical_values", "raster_band_count",
        "format_version"]
NETWORK_KEYS = list(NetworkConfig().to_dict())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(KEYS + NETWORK_KEYS + ["tensor"]), JSON, st.integers(0, 20),
       st.sampled_from(["name", "dtype", "shape", "offset", "nbytes"]))
def test_any_header_value_is_refused_or_loads(genuine, tmp_path_factory, key, value, index,
                                              part):
    """One header value replaced by any JSON value (the checksum made right): the loader
    refuses it with ModelFileError or loads a model that classifies (finite probabilities);
    no other exception escapes."""
    header, arrays = genuine
    header = json.loads(json.dumps(header))
    tensors = None
    if key in NETWORK_KEYS:
        header["network"][key] = value
    elif key == "tensor":
        tensors, offset = [], 0
        for name, array in arrays.items():
            tensors.append({"name": name, "dtype": array.dtype.name,
                            "shape": list(array.shape), "offset": offset,
                            "nbytes": array.nbytes})
            offset += array.nbytes
        tensors[index % len(tensors)][part] = value
    else:
        header[key] = value
    path = str(tmp_path_factory.mktemp("fuzz") / "fuzz.crnn")
    with open(path, "wb") as stream:
        stream.write(build(header, arrays, tensors))
    try:
        loaded = load_model(path)
    except ModelFileError:
        return
    spectra = np.random.default_rng(0).normal(1000, 100, (4, loaded.n_bands))
    assert np.isfinite(loaded.classifier().predict_proba(spectra)).all()
    assert np.isfinite(loaded.guide(spectra)).all()
