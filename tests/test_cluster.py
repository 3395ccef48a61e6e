"""Classification on a real Dask cluster on this machine (issue 19): a ``dask scheduler``
and two ``dask worker`` processes (one thread each) started here, no mocks.

The cluster's map must equal the local engine's (labels identical, probabilities within
1e-6), also when a worker is killed part-way; an unreachable address fails in seconds,
a cancel stops the tiles, and neither leaves a file; workers without the plugin's core
are refused with a message that says what they need. Through ``qgis_process`` too, and
the loop over scenes that docs/scaling.md shows.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from core_helpers import SMALL_NETWORK, small_model
from osgeo import gdal
from test_bad_process import QGIS_PROCESS, WRAPPER, qgis_process
from test_bad_process import env as env  # noqa: F401 (the fixture, used by name)
from test_inference import LAYOUTS, read, scene, write_raster

from hyperspectral_crnn.benchmarks.cluster import VENV_PACKAGES, LocalCluster, free_port
from hyperspectral_crnn.models.common.callbacks import Hooks
from hyperspectral_crnn.models.common.errors import CancelledError, CrnnError
from hyperspectral_crnn.models.engine.inference import classify_raster
from hyperspectral_crnn.models.engine.lop import LopSettings
from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
from hyperspectral_crnn.models.network.modelfile import save_model
from hyperspectral_crnn.models.rasters.bands import BandInfo, write_band_metadata

distributed = pytest.importorskip("distributed")
from hyperspectral_crnn.models.engine.cluster import (  # noqa: E402
    ClusterSettings,
    classify_raster_on_cluster,
)

REPO = Path(__file__).resolve().parent.parent
LOP = LopSettings(3, "edge", 2)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = LocalCluster(tmp_path_factory.mktemp("dask"))
    try:
        cluster.workers = [cluster.start_worker(), cluster.start_worker()]
        cluster.wait_for_workers(2)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def model():
    return small_model(epochs=8)


@pytest.fixture(scope="module")
def raster(tmp_path_factory):
    """A tiled float scene with nodata holes (NaN and the band's nodata value)."""
    cube = scene(150, 130, seed=5)
    cube[:, 40:44, 50:70] = np.nan
    cube[3, 100:103, 10:12] = -9999.0
    folder = tmp_path_factory.mktemp("cluster_scene")
    return write_raster(folder / "scene.tif", cube, LAYOUTS["tiled"], nodata=-9999.0)


def outputs(folder: Path, name: str) -> OutputPaths:
    return OutputPaths(str(folder / f"{name}.tif"), str(folder / f"{name}_p.tif"),
                       str(folder / f"{name}_c.tif"))


def never(folder: Path) -> ClassificationRequest:
    """A request whose outputs a failing run must never write."""
    return ClassificationRequest(outputs(folder, "never"))


def assert_same_maps(folder: Path, a: str, b: str) -> None:
    np.testing.assert_array_equal(read(folder / f"{a}.tif"), read(folder / f"{b}.tif"))
    for suffix in ("_p", "_c"):
        np.testing.assert_allclose(read(folder / f"{a}{suffix}.tif"),
                                   read(folder / f"{b}{suffix}.tif"), rtol=0, atol=1e-6)
    # class names (GDAL keeps them in the .aux.xml) and colours as the local engine's
    assert "<Category>class 3</Category>" in (folder / f"{b}.tif.aux.xml").read_text()
    assert ((folder / f"{a}.tif.aux.xml").read_text()
            == (folder / f"{b}.tif.aux.xml").read_text())
    tables = []
    for name in (a, b):
        dataset = gdal.Open(str(folder / f"{name}.tif"))
        table = dataset.GetRasterBand(1).GetColorTable()
        tables.append([table.GetColorEntry(i) for i in range(table.GetCount())])
        dataset = None
    assert tables[0] == tables[1] and len(tables[0]) >= 4


def test_cluster_map_equals_the_local_engine(cluster, model, raster, tmp_path):
    """Tiles of 48 pixels with the edge LOP's reach of 2 around them: every tile border
    and the holes must come out as the local engine has them."""
    local = classify_raster(raster, model,
                            ClassificationRequest(outputs(tmp_path, "local"), LOP, threads=1))
    lines, fractions, tiles, shared = [], [], [], []

    def jobs_of_the_tiles(dask_scheduler) -> dict:
        """On the scheduler (a local function: pickled by value): {key: workers
        holding it} of what the tile tasks depend on."""
        tiles = [task for key, task in dask_scheduler.tasks.items()
                 if str(key).startswith("crnn-tile-")]
        keys = {str(dependency.key): len(dependency.who_has)
                for task in tiles for dependency in task.dependencies}
        assert all(len(task.dependencies) == 1 for task in tiles)
        return keys


    def progress(fraction):
        fractions.append(fraction)
        if not shared:  # while the tiles run: what they depend on, and where it is
            with distributed.Client(cluster.address, set_as_default=False) as observer:
                shared.append(observer.run_on_scheduler(jobs_of_the_tiles))

    summary = classify_raster_on_cluster(
        raster, model, ClassificationRequest(outputs(tmp_path, "cluster"), LOP),
        ClusterSettings(cluster.address, tile_size=48, tile_log=tiles),
        Hooks(log=lines.append, progress=progress))
    # the model went to each worker once: one piece of data that every tile names, held
    # by both workers, not a copy inside each task
    (job, holders), = shared[0].items()
    assert job.startswith("ClusterJob-") and holders == 2
    assert_same_maps(tmp_path, "local", "cluster")
    assert summary.class_counts == local.class_counts
    assert summary.nodata_pixels == local.nodata_pixels > 20 * 4
    assert len(tiles) == 12 and fractions == [k / 12 for k in range(1, 13)]
    with distributed.Client(cluster.address, set_as_default=False) as client:
        assert {tile.worker for tile in tiles} == set(client.nthreads())  # both worked
    assert any("on the Dask cluster" in line and "2 worker(s)" in line for line in lines)
    assert sorted(os.listdir(tmp_path)) == sorted(
        [f"{n}{s}.tif" for n in ("local", "cluster") for s in ("", "_p", "_c")]
        + ["local.tif.aux.xml", "cluster.tif.aux.xml"])


def test_bands_by_wavelength_and_input_window_on_the_cluster(cluster, tmp_path):
    """A model with wavelengths on a raster holding its bands reversed among others, and
    the spectral-spatial option (the input window's radius joins the halo)."""
    windowed = small_model(epochs=4, network=dataclasses.replace(SMALL_NETWORK,
                                                                 input_window=3))
    wavelengths = [400.0 + 10 * b for b in range(40)]
    windowed = dataclasses.replace(windowed, band_wavelengths=wavelengths,
                                   band_fwhm=[10.0] * 40)
    cube = scene(70, 90, seed=6)
    extra = cube[:5] * 0.5
    reversed_cube = np.concatenate([cube[::-1], extra])
    path = write_raster(tmp_path / "reversed.tif", reversed_cube, LAYOUTS["pixel"])
    dataset = gdal.Open(path, gdal.GA_Update)
    write_band_metadata(dataset, [BandInfo(i + 1, w, 10.0) for i, w in
                                  enumerate(wavelengths[::-1] + [2000.0 + i for i in range(5)])])
    dataset = None
    lop = LopSettings(5, "uniform", 1)
    classify_raster(path, windowed, ClassificationRequest(outputs(tmp_path, "local"), lop,
                                                          threads=1))
    lines = []
    classify_raster_on_cluster(path, windowed, ClassificationRequest(outputs(tmp_path, "cl"), lop),
                               ClusterSettings(cluster.address, tile_size=32),
                               Hooks(log=lines.append))
    assert_same_maps(tmp_path, "local", "cl")
    assert "40 of 45 bands matched by wavelength, largest offset 0 nm." in lines


def test_a_worker_killed_mid_run_has_its_tiles_rerun(cluster, model, raster, tmp_path):
    classify_raster(raster, model,
                    ClassificationRequest(outputs(tmp_path, "local"), LOP, threads=1))
    victim = cluster.workers[0]
    killed_at = []

    def kill_once(fraction):
        if not killed_at:
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=10)
            killed_at.append(fraction)

    tiles = []
    try:
        classify_raster_on_cluster(raster, model,
                                   ClassificationRequest(outputs(tmp_path, "cluster"), LOP),
                                   ClusterSettings(cluster.address, tile_size=24,
                                                   tile_log=tiles),
                                   Hooks(progress=kill_once))
        assert_same_maps(tmp_path, "local", "cluster")
        assert killed_at[0] < 0.5 and victim.returncode == -signal.SIGKILL
        assert len(tiles) == 42 and len({tile.tile for tile in tiles}) == 42
        # after the kill, only the survivor classified
        assert len({tile.worker for tile in tiles[len(tiles) // 2:]}) == 1
    finally:
        cluster.workers[0] = cluster.start_worker()
        cluster.wait_for_workers(2)


def test_unreachable_scheduler_fails_in_seconds_without_a_file(model, raster, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    with pytest.raises(CrnnError, match=re.escape(f"Cannot reach the Dask scheduler at "
                                                  f"'{address}'")):
        classify_raster_on_cluster(raster, model, never(tmp_path), ClusterSettings(address))
    assert time.monotonic() - started < 8
    with pytest.raises(CrnnError, match="missing port number"):
        classify_raster_on_cluster(raster, model, never(tmp_path),
                                   ClusterSettings("tcp://127.0.0.1"))
    # a peer that stays silent, then a web server (its answer is no Dask handshake)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        silent = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(CrnnError, match="no answer within 1 s"):
            classify_raster_on_cluster(raster, model, never(tmp_path),
                                       ClusterSettings(silent, connect_timeout=1))
        assert time.monotonic() - started < 4

    def answer_like_a_web_server(server):
        while True:
            try:
                connection, _ = server.accept()
            except OSError:  # the test closed the socket: done
                return
            with connection:
                connection.recv(1024)
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        threading.Thread(target=answer_like_a_web_server, args=(server,), daemon=True).start()
        with pytest.raises(CrnnError, match="something else answers there, not a Dask "
                                            "scheduler"):
            classify_raster_on_cluster(
                raster, model, never(tmp_path),
                ClusterSettings(f"tcp://127.0.0.1:{server.getsockname()[1]}"))
    assert os.listdir(tmp_path) == []


def test_cancel_stops_the_tiles_and_leaves_no_file(cluster, model, raster, tmp_path):
    calls = []
    with pytest.raises(CancelledError):
        classify_raster_on_cluster(raster, model,
                                   ClassificationRequest(outputs(tmp_path, "never"), LOP),
                                   ClusterSettings(cluster.address, tile_size=16),
                                   Hooks(progress=calls.append,
                                         is_cancelled=lambda: bool(calls)))
    assert len(calls) == 1 and calls[0] < 0.1
    assert os.listdir(tmp_path) == []
    with distributed.Client(cluster.address, set_as_default=False) as observer:
        deadline = time.monotonic() + 10  # the scheduler forgets the cancelled tiles
        while observer.run_on_scheduler(
                lambda dask_scheduler: sum(k.startswith("crnn-tile-")
                                           for k in map(str, dask_scheduler.tasks))):
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_a_cluster_without_the_core_is_refused(model, raster, tmp_path_factory):
    """What the cluster needs is checked before any tile is sent: a scheduler without
    workers, then a scheduler and a worker without the plugin's core on their path."""
    folder = tmp_path_factory.mktemp("bare")
    bare = LocalCluster(folder, core=False)
    try:
        with pytest.raises(CrnnError, match="has no workers .waited 1 s.. Start some with: "
                                            "dask worker"):
            classify_raster_on_cluster(raster, model, never(folder),
                                       ClusterSettings(bare.address, worker_wait=1))
        worker = bare.start_worker(core=False)
        bare.wait_for_workers(1)
        with pytest.raises(CrnnError) as error:
            classify_raster_on_cluster(raster, model, never(folder),
                                       ClusterSettings(bare.address))
        message = str(error.value)
        assert message.startswith("The Dask cluster cannot classify: the scheduler: "
                                  "ModuleNotFoundError: No module named 'hyperspectral_crnn'")
        assert "tcp://127.0.0.1" in message and message.count("hyperspectral_crnn'") == 2
        assert "on their PYTHONPATH" in message and "docs/scaling.md" in message
        assert worker.poll() is None  # refused, not crashed
        assert not any(name.startswith("never") for name in os.listdir(folder))
    finally:
        bare.stop()


# --- through qgis_process --------------------------------------------------------------

needs_qgis_process = pytest.mark.skipif(not os.path.exists(QGIS_PROCESS),
                                        reason=f"{QGIS_PROCESS} is not installed")


@pytest.fixture(scope="module")
def model_file(model, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("model") / "scene.crnn")
    save_model(model, path)
    return path


def run_ok(env, parameters) -> str:
    code, output, _ = qgis_process(env, "crnn:classify", parameters)
    assert code == 0, output
    assert "Traceback" not in output, output
    return output


@needs_qgis_process
def test_qgis_process_on_the_cluster_gives_the_local_map(env, cluster, model_file, raster,
                                                          tmp_path):
    common = {"INPUT": raster, "MODEL": model_file, "DEVICE": "cpu", "LOP_SIZE": 3,
              "LOP_WEIGHTS": "edge", "LOP_ITERATIONS": 2}
    for name, extra in (("local", {}), ("cluster", {"DASK_SCHEDULER": cluster.address})):
        output = run_ok(env, {**common, **extra, "OUTPUT": str(tmp_path / f"{name}.tif"),
                              "OUTPUT_PROBABILITIES": str(tmp_path / f"{name}_p.tif"),
                              "OUTPUT_CONFIDENCE": str(tmp_path / f"{name}_c.tif")})
        assert ("on the Dask cluster" in output) == (name == "cluster"), output
    assert_same_maps(tmp_path, "local", "cluster")


@needs_qgis_process
def test_qgis_process_with_a_worker_killed_part_way(env, cluster, model, model_file, raster,
                                                    tmp_path):
    """15 tiles of 256 x 256; a worker is killed as soon as the scheduler holds a first
    finished tile."""
    dataset = gdal.Open(raster)
    big = write_raster(tmp_path / "big.tif", np.tile(read(raster), (1, 4, 8)),
                       LAYOUTS["tiled"], nodata=dataset.GetRasterBand(1).GetNoDataValue())
    dataset = None
    classify_raster(big, model, ClassificationRequest(OutputPaths(str(tmp_path / "local.tif")),
                                                      threads=1))
    command = [str(WRAPPER), "run", "crnn:classify", "--", f"INPUT={big}",
               f"MODEL={model_file}", f"OUTPUT={tmp_path / 'cluster.tif'}",
               f"DASK_SCHEDULER={cluster.address}"]
    victim = cluster.workers[1]
    try:
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        with distributed.Client(cluster.address, set_as_default=False) as observer:
            deadline = time.monotonic() + 120
            while not observer.run_on_scheduler(lambda dask_scheduler: any(
                    str(key).startswith("crnn-tile-") and task.state == "memory"
                    for key, task in dask_scheduler.tasks.items())):
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.02)
            assert process.poll() is None  # part-way
            os.kill(victim.pid, signal.SIGKILL)
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0 and "Traceback" not in output, output
        assert victim.wait(timeout=10) == -signal.SIGKILL
        assert "15 tiles" in output and "(2 worker(s)" in output
        np.testing.assert_array_equal(read(tmp_path / "cluster.tif"),
                                      read(tmp_path / "local.tif"))
    finally:
        cluster.workers[1] = cluster.start_worker()
        cluster.wait_for_workers(2)


@needs_qgis_process
def test_qgis_process_unreachable_scheduler(env, model_file, raster, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    code, output, _ = qgis_process(env, "crnn:classify", {
        "INPUT": raster, "MODEL": model_file, "OUTPUT": str(tmp_path / "never.tif"),
        "DASK_SCHEDULER": address})
    assert code != 0 and f"Cannot reach the Dask scheduler at '{address}'" in output, output
    assert "Traceback" not in output and os.listdir(tmp_path) == []
    assert time.monotonic() - started < 30  # QGIS's start included


@needs_qgis_process
def test_without_distributed_the_key_is_refused_with_the_install_command(env, model_file,
                                                                         raster, tmp_path):
    """The venv's packages without dask and distributed (links to all the others), as
    scripts/qgis_process puts a venv on QGIS's path."""
    packages = tmp_path / "venv" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    packages = packages / "site-packages"
    packages.mkdir(parents=True)
    for source in VENV_PACKAGES:
        for entry in Path(source).iterdir():
            if not re.match(r"(dask|distributed)\b", entry.name):
                (packages / entry.name).symlink_to(entry)
    code, output, _ = qgis_process({**env, "CRNN_VENV": str(tmp_path / "venv")},
                                   "crnn:classify", {
        "INPUT": raster, "MODEL": model_file, "OUTPUT": str(tmp_path / "never.tif"),
        "DASK_SCHEDULER": "tcp://127.0.0.1:8786"})
    assert code != 0, output
    assert "needs the Python package 'distributed'" in output, output
    assert re.search(r"-m pip install distributed --target \S+", output), output
    assert "Traceback" not in output and not (tmp_path / "never.tif").exists()


def doc_loop() -> str:
    """The shell loop over scenes in docs/scaling.md."""
    text = (REPO / "docs" / "scaling.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    loops = [block for block in blocks if "for scene in" in block]
    assert len(loops) == 1, blocks
    return loops[0]


@needs_qgis_process
def test_the_documented_loop_over_scenes(env, cluster, model, model_file, tmp_path):
    scenes_folder, maps = tmp_path / "scenes", tmp_path / "maps"
    scenes_folder.mkdir()
    maps.mkdir()
    write_raster(scenes_folder / "fields.tif", scene(60, 50, seed=7))
    (scenes_folder / "broken.tif").write_text("not a raster")  # fails; the loop goes on
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    command = bin_folder / "qgis_process"  # the wrapper finds the checkout by its own path
    command.write_text(f'#!/bin/sh\nexec "{WRAPPER}" "$@"\n')
    command.chmod(0o755)
    variables = {**env, "PATH": f"{bin_folder}:{env['PATH']}", "SCHEDULER": cluster.address,
                 "MODEL": model_file, "SCENES": str(scenes_folder), "MAPS": str(maps)}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", doc_loop()], env=variables,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "on the Dask cluster" in done.stdout, done.stdout
    classify_raster(str(scenes_folder / "fields.tif"), model,
                    ClassificationRequest(OutputPaths(str(tmp_path / "local.tif")), threads=1))
    np.testing.assert_array_equal(read(maps / "fields_classes.tif"),
                                  read(tmp_path / "local.tif"))
    assert (maps / "failed.txt").read_text().split() == [str(scenes_folder / "broken.tif")]


def test_the_key_is_declared_on_both_algorithms(provider):
    """qgis_process ignores unknown keys, so DASK_SCHEDULER must exist."""
    from qgis.core import QgsApplication, QgsProcessingParameterDefinition

    registry = QgsApplication.processingRegistry()
    for algorithm in ("crnn:classify", "crnn:trainclassify"):
        parameter = registry.algorithmById(algorithm).parameterDefinition("DASK_SCHEDULER")
        assert parameter is not None, algorithm
        assert parameter.flags() & QgsProcessingParameterDefinition.Flag.FlagAdvanced
        assert parameter.flags() & QgsProcessingParameterDefinition.Flag.FlagOptional
        assert not parameter.defaultValue()
