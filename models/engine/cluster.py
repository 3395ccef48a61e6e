"""Classification on a Dask cluster: the engine for big jobs (docs/scaling.md).

The client (QGIS, ``qgis_process`` or a script) connects to an existing Dask scheduler,
cuts the raster into output tiles and hands each tile to a worker. The worker reads its
own window of the input by path with ``SpectralRaster`` (a shared file system, or a GDAL
virtual path such as ``/vsis3/...``), with the LOP's reach around the tile (and the input
window's radius for the spectral-spatial option), runs the network and the LOP there
(``tiles.TileProducer`` and ``tiles.classify_tile``, the local engine's own pieces) and
returns the tile's class values (and probabilities, confidence). The client writes them
through the local engine's outputs (``outputs.OutputSet``: hidden staging files, moved
into place only when every tile is in). Since a fused pixel depends only on
pixels within the LOP's reach, each tile equals the same part of the whole-image result:
the map is the local engine's.

A run takes the local engine's ``ClassificationRequest`` and, in ``ClusterSettings``, what
only the cluster needs: the scheduler's address, the tile size, how long to wait for the
scheduler and the workers, a list for each tile's figures.

The job (model, band choice, LOP) is scattered to every worker once; each task carries
only its tile's corners. Tasks are pure, so Dask reruns the tiles of a worker lost
mid-run on the others. The workers need the plugin's core (the ``hyperspectral_crnn``
package, the same version as the client's), torch, GDAL and numpy: they are checked
before any tile is sent.

``distributed`` is optional and imported only here, inside functions.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import sys
import time
import uuid
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..common.callbacks import NO_HOOKS, Hooks
from ..common.errors import CrnnError
from ..network.modelfile import CrnnModel
from ..rasters.band_matching import BandMatch
from ..rasters.files import close_dataset
from ..rasters.raster import SpectralRaster
from .inference import (
    ClassificationPlan,
    ClassificationSummary,
    plan_classification,
    summarise,
)
from .outputs import OutputSet
from .request import ClassificationRequest
from .tiles import OUTPUT_TILE, FusedRows, Fusion, TileProducer, classify_tile

#: The version requirements.txt pins; the install command names it.
DISTRIBUTED_VERSION = "2026.8.0"
#: Seconds to reach the scheduler before giving up.
CONNECT_TIMEOUT = 5.0
#: Seconds to wait for a first worker, and for a worker while none is left.
WORKER_WAIT = 20.0


@dataclass(frozen=True)
class ClusterSettings:
    """What only a cluster run needs: the scheduler's address (``tcp://host:port``), the
    side of the square output tiles each task classifies (a multiple of 256 keeps the
    writes aligned with the output files' blocks), the seconds to reach the scheduler
    and to wait for a first worker (and for one while none is left), and a list that,
    where given, receives every tile's ``TileResult`` (for measurements)."""

    scheduler: str
    tile_size: int = OUTPUT_TILE
    connect_timeout: float = CONNECT_TIMEOUT
    worker_wait: float = WORKER_WAIT
    tile_log: Optional[List[TileResult]] = None


@dataclass(frozen=True)
class ClusterJob:
    """What every tile of a run shares: sent to each worker once. The request gives the
    network's device, batch size and precision (resolved on each worker: 'auto' is that
    worker's CPU)."""

    raster_path: str
    width: int
    height: int
    bands: BandMatch
    model: CrnnModel
    fusion: Fusion  # the plan's LOP, the model's classes, the optional outputs asked for
    request: ClassificationRequest

    @classmethod
    def of(cls, raster_path: str, model: CrnnModel, plan: ClassificationPlan,
           request: ClassificationRequest) -> ClusterJob:
        """The job of a planned run, its raster named ``raster_path`` for the workers."""
        fusion = Fusion.of(plan.lop, model.classes, bool(plan.outputs.confidence),
                           bool(plan.outputs.probabilities))
        return cls(raster_path, plan.raster.width, plan.raster.height, plan.bands, model,
                   fusion, replace(request, batch_size=int(request.batch_size)))


@dataclass
class TileResult:
    """A tile's fused outputs and what it cost on its worker."""

    tile: Tuple[int, int, int, int]
    fused: FusedRows
    counts: np.ndarray
    seconds: float  # on the worker: reading, network, LOP
    read_bytes: int  # input values read (the tile and its halo)
    worker: str

    @property
    def result_bytes(self) -> int:
        """Bytes of outputs the tile sends back to the client."""
        arrays = (self.fused.labels, self.fused.confidence, self.fused.probabilities,
                  self.counts)
        return sum(a.nbytes for a in arrays if a is not None)


# ---------------------------------------------------------------------------------------
# The client


def classify_raster_on_cluster(raster_path: str, model: CrnnModel,
                               request: ClassificationRequest, cluster: ClusterSettings,
                               hooks: Hooks = NO_HOOKS) -> ClassificationSummary:
    """``inference.classify_raster`` on the Dask cluster whose scheduler is at
    ``cluster.scheduler`` (``tcp://host:port``): the same checks, outputs and map.

    Every worker must read ``raster_path`` under that name. ``hooks``: progress follows
    finished tiles; the cancel check is polled while tiles run and cancels them.
    """
    started = time.perf_counter()
    distributed = import_distributed()
    tile_size = cluster.tile_size
    if int(tile_size) < 1:
        raise CrnnError(f"The tile size must be at least 1 pixel (got {tile_size}).")
    plan = plan_classification(raster_path, model, request, hooks)
    raster = plan.raster
    job = ClusterJob.of(worker_path(raster_path), model, plan, request)
    tiles = cut_tiles(raster.width, raster.height, int(tile_size))
    try:
        hooks.check()
        client = connect(distributed, cluster.scheduler, cluster.connect_timeout)
        try:
            workers = check_workers(client, cluster.scheduler, cluster.worker_wait)
            hooks.say(f"Classifying {raster.width} x {raster.height} pixels, "
                      f"{raster.n_bands} bands, {model.n_classes} classes on the Dask "
                      f"cluster at {cluster.scheduler} ({len(workers)} worker(s), "
                      f"{sum(workers.values())} thread(s)): {len(tiles)} tiles of up to "
                      f"{tile_size} x {tile_size} pixels; {request.lop.describe()}.")
            counts = _classify_tiles(distributed, client, job, plan, tiles, cluster, hooks)
        finally:
            client.close()
    finally:
        # the client's own handle on the input, closed now rather than by a late
        # collection (an error's traceback keeps it alive, maybe until GDAL is gone)
        close_dataset(raster.dataset)
    return summarise(raster.width, raster.height, model.classes, counts, plan.outputs,
                     started, hooks)


def _classify_tiles(distributed, client, job: ClusterJob, plan: ClassificationPlan,
                    tiles: List[Tuple[int, int, int, int]], cluster: ClusterSettings,
                    hooks: Hooks) -> np.ndarray:
    """Send the tiles, write each as it comes back; the class counts. On any error or a
    cancel the tiles are cancelled and no output is left."""
    classes = job.model.classes
    outputs = OutputSet(plan.outputs, plan.raster.dataset, classes)
    futures: list = []
    try:
        shared = client.scatter(job, broadcast=True, hash=False)
        run = uuid.uuid4().hex[:12]
        futures = [client.submit(_tile_task, shared, tile, key=f"crnn-tile-{run}-{i}")
                   for i, tile in enumerate(tiles)]
        counts = np.zeros(len(classes), np.int64)
        for done, result in enumerate(_finished(distributed, client, futures, cluster,
                                                hooks), start=1):
            x, y, _, _ = result.tile
            outputs.write(y, result.fused, x)
            counts += result.counts
            if cluster.tile_log is not None:
                cluster.tile_log.append(result)
            hooks.advance(done / len(tiles))
        hooks.check()
        outputs.commit()
    except BaseException:
        if futures:
            client.cancel(futures)
        outputs.discard()
        raise
    return counts


def import_distributed():
    """The ``distributed`` module, or a CrnnError that says how to install it."""
    try:
        import distributed
    except ImportError as error:
        raise CrnnError(
            f"A Dask scheduler was given, but the Python package 'distributed' cannot be "
            f"imported ({error}). Install it (pip install distributed=={DISTRIBUTED_VERSION}"
            "), or leave DASK_SCHEDULER empty to classify on this computer."
        ) from None
    return distributed


def worker_path(path: str) -> str:
    """The raster's name for the workers: absolute where it is a file here (a worker's
    working folder is not the client's); GDAL virtual paths (/vsi...) as they are."""
    return os.path.abspath(path) if os.path.exists(path) else path


def cut_tiles(width: int, height: int, side: int) -> List[Tuple[int, int, int, int]]:
    """(x, y, w, h) of the square tiles that cover the raster, row by row."""
    return [(x, y, min(side, width - x), min(side, height - y))
            for y in range(0, height, side) for x in range(0, width, side)]


def connect(distributed, scheduler: str, timeout: float):
    """A client of the scheduler at ``scheduler``, or a CrnnError within ``timeout`` s."""
    address = str(scheduler).strip()
    try:
        # A socket and a handshake first: a refused, unknown or foreign address fails at
        # once (Dask retries a refused connection until its timeout, and a Client that
        # failed to start stalls for seconds when collected)
        scheme, _ = distributed.comm.parse_address(address)
        if scheme in ("tcp", "tls"):
            host, port = distributed.comm.get_address_host_port(address)
            socket.create_connection((host, port), timeout=timeout).close()
        # a peer that accepts and then stays silent must not hold the run
        identity = asyncio.run(asyncio.wait_for(_identity(distributed, address, timeout),
                                                timeout))
        if not isinstance(identity, dict) or identity.get("type") != "Scheduler":
            raise ValueError("something else answers there, not a Dask scheduler")
        return distributed.Client(address, timeout=timeout, set_as_default=False)
    except Exception as error:  # OSError, TimeoutError, ValueError, garbage from a foreign peer
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if isinstance(error, TimeoutError):
            reason = f"no answer within {timeout:g} s"
        raise CrnnError(
            f"Cannot reach the Dask scheduler at '{address}' ({reason}). Check the "
            "address (tcp://host:port) and that the scheduler is "
            "running (dask scheduler), or leave DASK_SCHEDULER empty to classify on this "
            "computer."
        ) from None


async def _identity(distributed, address: str, timeout: float):
    """The scheduler's answer to Dask's 'identity' request."""
    foreign = "something else answers there, not a Dask scheduler"
    try:
        comm = await distributed.comm.connect(address, timeout=timeout)
    except (OSError, asyncio.TimeoutError, ValueError):
        raise
    except Exception:  # bytes that are no Dask handshake
        raise ValueError(foreign) from None
    try:
        await comm.write({"op": "identity"})
        return await asyncio.wait_for(comm.read(), timeout)
    except (OSError, asyncio.TimeoutError):
        raise
    except Exception:
        raise ValueError(foreign) from None
    finally:
        comm.abort()


def check_workers(client, scheduler: str, wait: float) -> Dict[str, int]:
    """{worker address: threads} of the cluster, once the scheduler and each worker are
    shown to import the plugin's core (the client's version), GDAL and numpy, and the
    workers torch; else a CrnnError. (The scheduler unpickles the tasks, which name the
    core's functions.)"""
    try:
        client.wait_for_workers(1, timeout=wait)
    except (TimeoutError, OSError):
        raise CrnnError(
            f"The Dask scheduler at '{scheduler}' has no workers (waited {wait:g} s). Start "
            f"some with: dask worker {scheduler}  (docs/scaling.md)."
        ) from None
    answers: Dict[str, object] = {}
    try:
        answers["the scheduler"] = client.run_on_scheduler(_worker_probe, False)
    except Exception as error:  # a scheduler that cannot unpickle the probe
        answers["the scheduler"] = error
    try:
        answers.update(client.run(_worker_probe, True, on_error="return"))
    except Exception as error:
        answers["the workers"] = error
    expected = core_fingerprint()
    problems = []
    for name, answer in answers.items():
        if isinstance(answer, BaseException):
            problems.append(f"{name}: {type(answer).__name__}: {answer}")
        elif answer.get("error"):
            problems.append(f"{name}: {answer['error']}")
        elif answer["core"] != expected:
            problems.append(f"{name}: runs another version of the plugin's core "
                            f"({answer['where']}) than this computer")
    if problems:
        raise CrnnError(
            "The Dask cluster cannot classify: " + "; ".join(problems) + ". The scheduler "
            "and each worker need the plugin's core (the folder holding hyperspectral_crnn "
            "on their PYTHONPATH, the same plugin version as here), GDAL and numpy, the "
            "workers torch too: see docs/scaling.md.")
    return {address: int(threads) for address, threads in client.nthreads().items()}


def _finished(distributed, client, futures, cluster: ClusterSettings, hooks: Hooks):
    """The tiles' results as they finish; polls the cancel check meanwhile, and fails when
    the scheduler is gone or no worker has been left for ``cluster.worker_wait`` s."""
    scheduler, wait = cluster.scheduler, cluster.worker_wait
    pending = distributed.as_completed(futures, loop=client.loop)
    remaining, last_worker_seen = len(futures), time.monotonic()
    while remaining:
        hooks.check()
        batch = pending.next_batch(block=False) if pending.has_ready() else []
        if not batch:
            if client.status not in ("running", "connecting"):
                raise CrnnError(f"Lost the connection to the Dask scheduler at "
                                f"'{scheduler}'; no file was written.")
            if time.monotonic() - last_worker_seen > 2.0:
                if client.nthreads():
                    last_worker_seen = time.monotonic()
                elif time.monotonic() - last_worker_seen > wait:
                    raise CrnnError(f"Every Dask worker of '{scheduler}' is gone; no file "
                                    "was written. Start workers and run again.")
            time.sleep(0.05)
            continue
        for future in batch:
            hooks.check()
            yield _tile_result(future)
            future.release()
            remaining -= 1


def _tile_result(future) -> TileResult:
    try:
        return future.result()
    except CrnnError:
        raise
    except Exception as error:
        raise CrnnError(f"A tile failed on a Dask worker: {type(error).__name__}: "
                        f"{error}") from None


def core_fingerprint() -> str:
    """A digest of the core's source files (the .py files of models/ and its packages)."""
    core = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    names = []
    for folder, subfolders, files in os.walk(core):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        names += [os.path.relpath(os.path.join(folder, name), core).replace(os.sep, "/")
                  for name in files if name.endswith(".py")]
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode())
        with open(os.path.join(core, name), "rb") as stream:
            digest.update(stream.read())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------
# On the workers

_CLASSIFIERS: Dict[int, tuple] = {}  # id(job) -> (job, classifier): one per job


def _worker_probe(torch_needed: bool) -> dict:
    """What the client checks before it sends tiles (runs on the scheduler and on each
    worker)."""
    answer = {"core": core_fingerprint(), "where": os.path.dirname(os.path.abspath(__file__)),
              "python": sys.version.split()[0]}
    try:
        from osgeo import gdal

        answer.update(gdal=gdal.__version__, numpy=np.__version__)
        if torch_needed:
            import torch

            answer.update(torch=torch.__version__)
    except Exception as error:
        answer["error"] = f"{type(error).__name__}: {error}"
    return answer


def _worker_threads() -> int:
    """torch threads per task: OMP_NUM_THREADS where set (a Dask nanny sets 1), else the
    cores shared among the worker's task threads."""
    try:
        threads = int(os.environ.get("OMP_NUM_THREADS", "0"))
    except ValueError:
        threads = 0
    if threads > 0:
        return threads
    try:
        from distributed import get_worker

        tasks = max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        tasks = 1
    return max(1, (os.cpu_count() or 1) // tasks)


def _classifier(job: ClusterJob):
    """The job's network in torch, built once per worker and job."""
    entry = _CLASSIFIERS.get(id(job))
    if entry is None or entry[0] is not job:
        request = job.request
        classifier = job.model.classifier(device=request.device,
                                          batch_size=request.batch_size,
                                          threads=_worker_threads(),
                                          precision=request.precision)
        _CLASSIFIERS.clear()  # one job at a time keeps one network in memory
        entry = _CLASSIFIERS[id(job)] = (job, classifier)
    return entry[1]


def _tile_task(job: ClusterJob, tile: Tuple[int, int, int, int]) -> TileResult:
    """Classify one tile (runs on a worker; pure: a rerun gives the same result)."""
    started = time.perf_counter()
    raster = SpectralRaster(job.raster_path, [], physical=job.model.physical_values)
    if (raster.width, raster.height) != (job.width, job.height):
        raise CrnnError(
            f"A Dask worker reads '{job.raster_path}' as {raster.width} x {raster.height} "
            f"pixels, the client as {job.width} x {job.height}: the workers must see the "
            "same file (a shared folder or a GDAL virtual path).")
    try:
        raster.select(job.bands.read, job.bands.mixing)
        produce = TileProducer(raster, job.model, _classifier(job), job.request.batch_size,
                               job.fusion.lop.uses_guide)
        fused, counts = classify_tile(produce, job.fusion, job.width, job.height, tile)
    finally:
        close_dataset(raster.dataset)
    x, y, w, h = tile
    reach = job.fusion.lop.reach + produce.radius
    read = ((min(job.width, x + w + reach) - max(0, x - reach))
            * (min(job.height, y + h + reach) - max(0, y - reach)) * raster.bytes_per_pixel)
    try:
        from distributed import get_worker

        worker = get_worker().address
    except (ImportError, ValueError):
        worker = ""
    return TileResult(tile, fused, counts, time.perf_counter() - started, read, worker)


__all__ = ["classify_raster_on_cluster", "ClusterSettings", "ClusterJob", "TileResult",
           "cut_tiles", "import_distributed", "DISTRIBUTED_VERSION"]
