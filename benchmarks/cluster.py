"""Benchmark of classification on a Dask cluster (models/engine/cluster.py) against the local
engine, on this machine; and ``LocalCluster``, the scheduler and workers it starts (also
used by tests/test_cluster.py).

Run from the repository root::

    .venv/bin/python benchmarks/cluster.py            # 512 x 512 x 224 bands, 3 runs each

Measures, with the default network (untrained, random weights: speed does not depend on
them) on a synthetic Int16 raster of EnMAP's 224 bands tiled 256 x 256, LOP 3x3 uniform:

- the local engine (``classify_raster``) with 1 and 2 torch threads;
- the cluster engine with 1 and then 2 single-threaded workers (``OMP_NUM_THREADS=1``),
  all on this machine;
- per tile: seconds on the worker (read, network, LOP), input bytes read, bytes sent back
  to the client, and the client's overhead per tile (wall time with 1 worker minus the
  worker's busy time, over the tiles), plus the fixed cost of a run (connect, checks,
  scattering the job) from a run on a 16 x 16 raster and the job's pickled size.

Medians of ``--repeats`` runs; prints a table and writes docs/scaling.json.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import pickle
import platform
import signal
import site
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parent.parent
PLUGINS = REPO / ".build" / "plugins"  # holds the hyperspectral_crnn link (scripts/qgis_process)
# The venv's base interpreter with the venv's packages on PYTHONPATH, where no .pth file is
# read: the checkout's .pth (scripts/checkout_path.py) would give every process the core,
# so only PYTHONPATH does, as docs/scaling.md tells users to
PYTHON = os.path.realpath(sys.executable)
VENV_PACKAGES = [p for p in site.getsitepackages()
                 if p.startswith(sys.prefix) and os.path.isdir(p)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def python_path(core: bool) -> dict:
    """This environment with the venv's packages on PYTHONPATH, and with ``core`` the
    folder holding hyperspectral_crnn."""
    folders = ([str(PLUGINS)] if core else []) + VENV_PACKAGES
    return {**os.environ, "PYTHONPATH": os.pathsep.join(folders)}


def _end_with_parent() -> None:
    """In the child: a SIGTERM when the process that started it dies (Linux), so a crashed
    test run leaves no scheduler or worker behind."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class LocalCluster:
    """A ``dask scheduler`` and its workers as processes of this machine, each in its own
    session (so a kill reaches it alone), their logs in ``folder``. ``core``: whether
    the scheduler has the plugin's core on its path."""

    def __init__(self, folder: Path, core: bool = True) -> None:
        self.folder, self.processes = Path(folder), []
        self.address = f"tcp://127.0.0.1:{free_port()}"
        port = self.address.rsplit(":", 1)[1]
        self._spawn("scheduler", ["distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", port, "--no-dashboard"], python_path(core))
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(self.log("scheduler")) from None
                time.sleep(0.2)

    def _spawn(self, name: str, arguments: list, env: dict) -> subprocess.Popen:
        with open(self.folder / f"{name}.log", "w") as log:
            process = subprocess.Popen([PYTHON, "-m", *arguments], env=env, stdout=log,
                                       stderr=subprocess.STDOUT, cwd=self.folder,
                                       start_new_session=True, preexec_fn=_end_with_parent)
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text()

    def start_worker(self, core: bool = True) -> subprocess.Popen:
        """A worker of one thread; ``core``: with the plugin's core on its PYTHONPATH."""
        env = python_path(core)
        env["OMP_NUM_THREADS"] = "1"  # as a Dask nanny sets it
        return self._spawn(f"worker{len(self.processes)}", [
            "distributed.cli.dask_worker", self.address, "--nworkers", "1", "--nthreads",
            "1", "--no-nanny", "--no-dashboard"], env)

    def wait_for_workers(self, count: int) -> None:
        """Until exactly ``count`` workers are connected (lost ones gone)."""
        import distributed

        with distributed.Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=60)
            deadline = time.monotonic() + 30
            while len(client.nthreads()) != count:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{len(client.nthreads())} workers, not {count}")
                time.sleep(0.1)

    def stop(self) -> None:
        """The workers killed (they keep nothing; a terminated one may wait seconds for
        the scheduler to say goodbye), then the scheduler terminated."""
        scheduler, *workers = self.processes
        for process in workers:
            if process.poll() is None:
                process.kill()
        for process in workers:
            process.wait()
        scheduler.terminate()
        try:
            scheduler.wait(timeout=10)
        except subprocess.TimeoutExpired:
            scheduler.kill()
            scheduler.wait()


def _median_run(run, repeats: int) -> dict:
    times, tiles = [], []
    for _ in range(repeats):
        log: List = []
        started = time.perf_counter()
        run(log)
        times.append(time.perf_counter() - started)
        tiles.append(log)
    middle = sorted(range(repeats), key=times.__getitem__)[repeats // 2]
    return {"seconds": times, "median": statistics.median(times), "tiles": tiles[middle]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=512, help="raster side")
    parser.add_argument("--bands", type=int, default=224)
    parser.add_argument("--classes", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--local-threads", default="1,2",
                        help="torch threads of the local engine's runs ('' for none)")
    parser.add_argument("--json", default=str(REPO / "docs" / "scaling.json"))
    args = parser.parse_args()

    import torch

    from hyperspectral_crnn.benchmarks.inference import untrained_model, write_raster
    from hyperspectral_crnn.benchmarks.machine import matmul_flops
    from hyperspectral_crnn.models.engine.cluster import (
        ClusterJob,
        ClusterSettings,
        _tile_task,
        classify_raster_on_cluster,
    )
    from hyperspectral_crnn.models.engine.inference import classify_raster
    from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
    from hyperspectral_crnn.models.network.config import NetworkConfig

    folder = Path(tempfile.mkdtemp(prefix="crnn-cluster-"))
    raster = write_raster(str(folder / "scene.tif"), args.size, args.bands)
    tiny = write_raster(str(folder / "tiny.tif"), 16, args.bands)
    model = untrained_model(NetworkConfig(), args.bands, args.classes)
    pixels = args.size * args.size
    output = str(folder / "class.tif")
    request = ClassificationRequest(OutputPaths(output))
    torch.set_num_threads(1)
    results = {
        "command": "benchmarks/cluster.py " + " ".join(sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "torch": torch.__version__,
                    "matmul_gflops_1_thread": round(matmul_flops() / 1e9, 1)},
        "raster": {"size": args.size, "bands": args.bands, "classes": args.classes,
                   "type": "Int16", "tiles": "256x256"},
        "runs": {},
    }

    def report(name: str, figures: dict) -> None:
        figures["pixels_per_second"] = pixels / figures["median"]
        results["runs"][name] = {k: v for k, v in figures.items() if k != "tiles"}
        print(f"{name:<22} {figures['median']:7.1f} s  {figures['pixels_per_second']:8.0f} "
              f"px/s  (runs: {', '.join(f'{t:.1f}' for t in figures['seconds'])})",
              flush=True)

    for threads in [int(t) for t in args.local_threads.split(",") if t]:
        report(f"local, {threads} thread(s)", _median_run(
            lambda log, t=threads: classify_raster(
                raster, model, ClassificationRequest(OutputPaths(output), threads=t)),
            args.repeats))
    cluster = LocalCluster(folder)
    try:
        cluster.start_worker()
        cluster.wait_for_workers(1)
        fixed = _median_run(lambda log: classify_raster_on_cluster(
            tiny, model, request, ClusterSettings(cluster.address, tile_log=log)),
            args.repeats)
        for workers in (1, 2):
            if workers == 2:
                cluster.start_worker()
                cluster.wait_for_workers(2)
            figures = _median_run(lambda log: classify_raster_on_cluster(
                raster, model, request, ClusterSettings(cluster.address, tile_log=log)),
                args.repeats)
            report(f"cluster, {workers} worker(s)", figures)
            if workers == 1:
                tiles = figures["tiles"]
                busy = sum(t.seconds for t in tiles)
                results["per_tile"] = {
                    "tiles": len(tiles),
                    "worker_seconds": busy / len(tiles),
                    "read_bytes": statistics.mean(t.read_bytes for t in tiles),
                    "result_bytes": statistics.mean(t.result_bytes for t in tiles),
                    "client_overhead_seconds": (figures["median"] - busy) / len(tiles),
                }
    finally:
        cluster.stop()
    from hyperspectral_crnn.models.engine.inference import plan_classification

    plan = plan_classification(raster, model, request)
    job = ClusterJob.of(raster, model, plan, request)
    results["fixed"] = {"seconds": fixed["median"],
                        "job_bytes": len(pickle.dumps(job)),
                        "task_bytes": len(pickle.dumps((_tile_task, "crnn-tile-0123456789ab-0",
                                                        (0, 0, 256, 256))))}
    print(json.dumps({k: results[k] for k in ("per_tile", "fixed")}, indent=1))
    with open(args.json, "w") as stream:
        json.dump(results, stream, indent=1)
        stream.write("\n")


if __name__ == "__main__":
    main()
