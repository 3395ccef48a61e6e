"""Small core functions checked by hand, fast enough to run once per mutant
(``make mutation``'s spectra and cluster targets): unit-length spectra, and the parts of
models/engine/cluster.py that run without a Dask scheduler (the tiles, the fingerprint, the
worker's thread count and one tile's task against the whole-image result)."""

from __future__ import annotations

import hashlib
import os
import platform
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperspectral_crnn.models.engine import cluster
from hyperspectral_crnn.models.engine.cluster import (
    TileResult,
    core_fingerprint,
    cut_tiles,
    worker_path,
)
from hyperspectral_crnn.models.engine.tiles import FusedRows
from hyperspectral_crnn.models.network.spectra import scale_spectra


def test_spectra_scaled_to_unit_length_by_hand():
    spectra = np.array([[3, 4, 0, 0], [0, 0, 0, 0], [-2, 1, 2, 4], [0, 0, 0, 7]], np.int16)
    scaled = scale_spectra(spectra, unit_length=True)
    assert scaled.dtype == np.float32 and scaled.shape == (4, 4)
    np.testing.assert_allclose(scaled, [[0.6, 0.8, 0, 0], [0, 0, 0, 0],
                                        [-0.4, 0.2, 0.4, 0.8], [0, 0, 0, 1]], rtol=1e-6)
    assert spectra[0, 0] == 3  # the input is left alone


def test_spectra_left_as_they_are_without_unit_length():
    spectra = np.array([[3.5, -4.25], [1e6, 0]])
    kept = scale_spectra(spectra, unit_length=False)
    assert kept.dtype == np.float32
    np.testing.assert_array_equal(kept, spectra.astype(np.float32))


def test_spectra_length_summed_in_float64():
    """float32 squares of 1e20 overflow; the length is summed in float64."""
    spectra = np.array([[3e20, 4e20]], np.float32)
    np.testing.assert_allclose(scale_spectra(spectra, True), [[0.6, 0.8]], rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(-3000, 3000), min_size=5, max_size=5),
                min_size=1, max_size=6))
def test_spectra_property_unit_length_and_direction(rows):
    spectra = np.array(rows, np.float64)
    scaled = scale_spectra(spectra, True).astype(np.float64)
    length = np.linalg.norm(spectra, axis=1)
    for s, x, n in zip(spectra, scaled, length):
        if n == 0:
            assert not x.any()
        else:
            np.testing.assert_allclose(x, s / n, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("width,height,side,expected", [
    (5, 3, 2, [(0, 0, 2, 2), (2, 0, 2, 2), (4, 0, 1, 2),
               (0, 2, 2, 1), (2, 2, 2, 1), (4, 2, 1, 1)]),
    (4, 4, 4, [(0, 0, 4, 4)]),
    (3, 2, 10, [(0, 0, 3, 2)]),
    (1, 3, 1, [(0, 0, 1, 1), (0, 1, 1, 1), (0, 2, 1, 1)]),
])
def test_tiles_by_hand(width, height, side, expected):
    assert cut_tiles(width, height, side) == expected


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 50))
def test_tiles_cover_every_pixel_once(width, height, side):
    cover = np.zeros((height, width), int)
    for x, y, w, h in cut_tiles(width, height, side):
        assert 0 < w <= side and 0 < h <= side
        cover[y:y + h, x:x + w] += 1
    assert (cover == 1).all()


def test_worker_path(tmp_path, monkeypatch):
    (tmp_path / "scene.tif").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    assert worker_path("scene.tif") == str(tmp_path / "scene.tif")
    assert worker_path("/vsis3/bucket/scene.tif") == "/vsis3/bucket/scene.tif"
    assert worker_path("missing.tif") == "missing.tif"


def test_core_fingerprint_is_the_digest_of_the_core_sources():
    core = Path(cluster.__file__).parent.parent  # models/, with its packages
    digest = hashlib.sha256()
    for path in sorted(core.rglob("*.py"), key=lambda p: p.relative_to(core).as_posix()):
        digest.update(path.relative_to(core).as_posix().encode() + path.read_bytes())
    assert core_fingerprint() == digest.hexdigest()


def test_tile_result_bytes():
    fused = FusedRows(np.zeros((2, 3), np.uint8), np.zeros((2, 3), np.float32), None)
    result = TileResult((0, 0, 3, 2), fused, np.zeros(4, np.int64), 0.5, 10, "w")
    assert result.result_bytes == 6 + 24 + 32
    full = FusedRows(np.zeros((2, 3), np.int16), None, np.zeros((4, 2, 3), np.float32))
    assert TileResult((0, 0, 3, 2), full, np.zeros(4, np.int64), 0, 0, "").result_bytes \
        == 12 + 96 + 32


@pytest.mark.parametrize("value,threads", [("3", 3), ("1", 1)])
def test_worker_threads_follow_omp_num_threads(monkeypatch, value, threads):
    monkeypatch.setenv("OMP_NUM_THREADS", value)
    assert cluster._worker_threads() == threads


@pytest.mark.parametrize("value", ["0", "x", None])
def test_worker_threads_default_to_the_cores(monkeypatch, value):
    """Outside a Dask worker: all of the machine's cores for the one task thread."""
    if value is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", value)
    assert cluster._worker_threads() == max(1, os.cpu_count() or 1)


def test_worker_probe_outside_a_worker():
    from osgeo import gdal

    answer = cluster._worker_probe(torch_needed=False)
    assert answer["python"] == platform.python_version()
    assert answer["core"] == core_fingerprint()
    assert answer["where"] == os.path.dirname(os.path.abspath(cluster.__file__))
    assert answer["gdal"] == gdal.__version__ and answer["numpy"] == np.__version__
    assert "torch" not in answer and "error" not in answer
    import torch

    assert cluster._worker_probe(torch_needed=True)["torch"] == torch.__version__
