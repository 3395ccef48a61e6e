"""The model file: round trip, and every kind of bad file refused with a clear message."""

import os
import pickle
import struct

import numpy as np
import pytest
from core_helpers import small_model

from hyperspectral_crnn.models.common.errors import ModelFileError
from hyperspectral_crnn.models.network.modelfile import MAGIC, load_model, save_model


@pytest.fixture(scope="module")
def model():
    return small_model(epochs=3)


@pytest.fixture()
def model_path(model, tmp_path):
    path = str(tmp_path / "model.crnn")
    save_model(model, path)
    return path


def test_round_trip_keeps_everything(model, model_path):
    loaded = load_model(model_path)
    assert loaded.network == model.network
    assert loaded.classes == model.classes
    assert loaded.band_indices == model.band_indices
    assert loaded.band_names == model.band_names
    assert loaded.history == model.history
    assert loaded.provenance == model.provenance
    assert loaded.edge_scale == model.edge_scale
    np.testing.assert_array_equal(loaded.mean, model.mean)
    np.testing.assert_array_equal(loaded.guide_components, model.guide_components)
    assert sorted(loaded.weights) == sorted(model.weights)
    for name, weight in model.weights.items():
        np.testing.assert_array_equal(loaded.weights[name], weight)
    spectra = np.random.default_rng(0).normal(1000, 100, (50, model.n_bands))
    np.testing.assert_array_equal(loaded.classifier().predict_proba(spectra),
                                  model.classifier().predict_proba(spectra))


def test_saving_leaves_no_temporary_file(model_path):
    assert os.listdir(os.path.dirname(model_path)) == ["model.crnn"]


def test_saved_files_get_the_usual_permissions(model, tmp_path):
    """0666 less the umask, like a GeoTIFF GDAL writes: not mkstemp's 0600."""
    umask = os.umask(0o022)
    try:
        for mask in (0o022, 0o002):
            os.umask(mask)
            path = tmp_path / f"model-{mask:o}.crnn"
            save_model(model, str(path))
            assert path.stat().st_mode & 0o777 == 0o666 & ~mask
    finally:
        os.umask(umask)


def write(tmp_path, content: bytes) -> str:
    path = str(tmp_path / "bad.crnn")
    with open(path, "wb") as stream:
        stream.write(content)
    return path


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"just some text\nnot a model\n", "not a Hyperspectral CRNN model"),
        (b"PK\x03\x04" + b"\x00" * 100, "not a Hyperspectral CRNN model"),
        (MAGIC + b"\x01", "truncated"),
    ],
)
def test_bad_files_are_refused(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(ModelFileError, match=message) as info:
        load_model(path)
    assert path in str(info.value)


def test_truncated_file_is_refused(model_path, tmp_path):
    content = open(model_path, "rb").read()
    for cut in (len(content) // 3, len(content) - 10):
        with pytest.raises(ModelFileError, match="truncated|checksum"):
            load_model(write(tmp_path, content[:cut]))


def test_corrupted_weights_are_refused(model_path, tmp_path):
    content = bytearray(open(model_path, "rb").read())
    content[-100] ^= 0xFF
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(write(tmp_path, bytes(content)))


def rewritten(model_path, tmp_path, change) -> str:
    """A copy of the model file with its JSON header edited by ``change(header)``, its
    checksum recomputed."""
    import hashlib
    import json

    content = open(model_path, "rb").read()
    (length,) = struct.unpack_from("<Q", content, len(MAGIC))
    start = len(MAGIC) + 8
    header = json.loads(content[start : start + length])
    change(header)
    new_header = json.dumps(header).encode()
    body = (MAGIC + struct.pack("<Q", len(new_header)) + new_header
            + content[start + length : -32])
    return write(tmp_path, body + hashlib.sha256(body).digest())


def test_newer_format_version_asks_for_an_update(model_path, tmp_path):
    path = rewritten(model_path, tmp_path, lambda h: h.update(format_version=99))
    with pytest.raises(ModelFileError, match="newer than this plugin reads"):
        load_model(path)


def test_input_window_in_the_header(model_path, tmp_path):
    """Files written before the option read as window 1; an even window is refused."""
    older = rewritten(model_path, tmp_path, lambda h: h["network"].pop("input_window"))
    assert load_model(older).network.input_window == 1
    even = rewritten(model_path, tmp_path, lambda h: h["network"].update(input_window=4))
    with pytest.raises(ModelFileError, match="odd number of pixels") as error:
        load_model(even)
    assert os.path.basename(even) in str(error.value)


def test_files_from_before_unit_length_read_their_spectra_unscaled(model, model_path, tmp_path):
    assert model.network.unit_length and load_model(model_path).network.unit_length
    older = rewritten(model_path, tmp_path, lambda h: h["network"].pop("unit_length"))
    assert load_model(older).network.unit_length is False


class Payload:
    """Unpickling this would create a file: the loader must never unpickle."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickle_payload_never_runs(tmp_path):
    marker = str(tmp_path / "pwned")
    path = write(tmp_path, pickle.dumps(Payload(marker)))
    with pytest.raises(ModelFileError, match="not a Hyperspectral CRNN model"):
        load_model(path)
    assert not os.path.exists(marker)


def test_torch_checkpoint_with_payload_never_runs(tmp_path):
    import torch

    marker = str(tmp_path / "pwned")
    path = str(tmp_path / "model.crnn")
    torch.save({"state": Payload(marker)}, path)
    assert not os.path.exists(marker)
    with pytest.raises(ModelFileError, match="not a Hyperspectral CRNN model"):
        load_model(path)
    assert not os.path.exists(marker)


def test_missing_file_names_the_file(tmp_path):
    path = str(tmp_path / "nowhere.crnn")
    with pytest.raises(ModelFileError, match="nowhere.crnn"):
        load_model(path)
