"""Benchmark of the streaming classification (models/engine/inference.py).

Run from the repository root::

    .venv/bin/python benchmarks/inference.py                 # NetworkConfig() as it is now
    .venv/bin/python benchmarks/inference.py --config default --config small \\
        --config '{"rnn_hidden": 32, "rnn_layers": 1}'      # variants, side by side

Measures, per network config (untrained, randomly initialised weights: speed does not
depend on the weight values), on a synthetic Int16 raster of 200 bands tiled 256 x 256:

- throughput of ``classify_raster`` with a 3x3 uniform LOP, pixels/s, median of
  ``--repeats`` runs;
- the roofline fraction: ``count_flops(config, bands, classes)`` x pixels/s divided by
  the FLOP/s torch reaches on a 2048 x 2048 float32 matmul measured in the same run, and
  the ceiling: the normalised pixels/s of a network running at that matmul's full speed
  (REFERENCE_GFLOPS / FLOP per pixel), which no float32 engine passes;
- the LOP's share of the classification time (3x3 uniform ``lop_fuse`` over the same
  pixels, median of 3, over the median classification time);
- a batch size sweep (1k, 2k, 4k, 8k, 64k pixels per network batch);
- peak RSS (``/usr/bin/time -v``) and wall time of a classification of 500 x 500,
  1000 x 1000 and 2000 x 2000 pixels x 200 bands, each in a fresh subprocess: memory
  must stay flat as the raster grows, time should grow linearly with the pixel count.

Prints a table and writes the figures to docs/inference.json (``--json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from osgeo import gdal

from hyperspectral_crnn.benchmarks.machine import REFERENCE_GFLOPS, matmul_flops
from hyperspectral_crnn.models.common.classes import ClassInfo
from hyperspectral_crnn.models.engine.inference import classify_raster
from hyperspectral_crnn.models.engine.lop import LopSettings, lop_fuse
from hyperspectral_crnn.models.engine.request import (
    DEFAULT_BATCH_SIZE,
    ClassificationRequest,
    OutputPaths,
)
from hyperspectral_crnn.models.network.config import NetworkConfig
from hyperspectral_crnn.models.network.modelfile import CrnnModel

REPO = Path(__file__).resolve().parent.parent

PRESETS = {  # their accuracy on Indian Pines: docs/ablation.md
    "default": {},
    "fast": {"conv_channels": [16, 32, 32]},
    "fastest": {"conv_channels": [16, 32, 32], "rnn_hidden": 32, "rnn_layers": 1},
}
BATCHES = (1024, 2048, 4096, 8192, 65536)


def network_config(spec: str) -> tuple:
    """'default', a preset name, or a JSON object of NetworkConfig fields to override."""
    if spec in PRESETS:
        overrides, name = PRESETS[spec], spec
    else:
        overrides, name = json.loads(spec), spec
    fields = NetworkConfig().to_dict()
    fields.update(overrides)
    config = NetworkConfig.from_dict(fields)
    config.validate()
    return name, config


def untrained_model(config: NetworkConfig, bands: int, classes: int, seed: int = 0):
    import torch

    from hyperspectral_crnn.models.network.crnn import Crnn, state_to_numpy

    torch.manual_seed(seed)
    weights = state_to_numpy(Crnn(config, bands, classes).eval())
    rng = np.random.default_rng(seed)
    return CrnnModel(
        network=config,
        band_indices=list(range(1, bands + 1)),
        band_names=[f"Band {b}" for b in range(1, bands + 1)],
        mean=np.full(bands, 1000.0, np.float32),
        std=np.full(bands, 300.0, np.float32),
        classes=[ClassInfo(k, f"class {k}", "#%06x" % (k * 997 % 0xFFFFFF))
                 for k in range(1, classes + 1)],
        weights=weights,
        guide_components=(rng.normal(size=(10, bands)) / np.sqrt(bands)).astype(np.float32),
        edge_scale=1.0,
    )


def write_raster(path: str, size: int, bands: int, seed: int = 0) -> str:
    """A size x size Int16 raster of ``bands`` bands, tiled 256 x 256, band-interleaved."""
    if os.path.exists(path):
        return path
    rng = np.random.default_rng(seed)
    axis = np.linspace(0, 1, bands)
    shapes = np.stack([1000 + 400 * np.sin((k + 1) * np.pi * axis + k) for k in range(8)])
    dataset = gdal.GetDriverByName("GTiff").Create(
        path, size, size, bands, gdal.GDT_Int16,
        ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "INTERLEAVE=BAND", "BIGTIFF=YES"],
    )
    dataset.SetGeoTransform((0.0, 1.0, 0.0, 0.0, 0.0, -1.0))
    for top in range(0, size, 256):
        rows = min(256, size - top)
        r, c = np.mgrid[top:top + rows, 0:size]
        cover = (r // 37 + c // 29) % len(shapes)
        strip = shapes[cover] + rng.normal(0, 60, (rows, size, bands))
        strip = np.round(strip).astype(np.int16).transpose(2, 0, 1)
        for b in range(bands):
            dataset.GetRasterBand(b + 1).WriteArray(strip[b], 0, top)
    dataset = None
    return path


def classify_once(raster: str, model, folder: str, batch_size: int = DEFAULT_BATCH_SIZE,
                  lop_size: int = 3,
                  threads: int = 0, precision: str = "float32"):
    output = os.path.join(folder, "class.tif")
    request = ClassificationRequest(OutputPaths(output), LopSettings(lop_size, "uniform"),
                                    batch_size=batch_size, threads=threads,
                                    precision=precision)
    summary = classify_raster(raster, model, request)
    os.remove(output)
    if os.path.exists(output + ".aux.xml"):
        os.remove(output + ".aux.xml")
    return summary


def lop_seconds(size: int, classes: int, repeats: int = 3) -> float:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(classes), (size, size)).astype(np.float32).transpose(2, 0, 1)
    probs = np.ascontiguousarray(probs)
    valid = np.ones((size, size), bool)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        lop_fuse(probs, valid, 3, "uniform", 1)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_rss(raster: str, spec: str, bands: int, classes: int, folder: str,
             threads: int) -> dict:
    """One classification in a fresh process under /usr/bin/time -v."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", raster,
               "--config", spec, "--bands", str(bands), "--classes", str(classes),
               "--workdir", folder, "--threads", str(threads)]
    timer = shutil.which("time") or "/usr/bin/time"
    if os.path.exists(timer):
        result = subprocess.run([timer, "-v", *command], capture_output=True, text=True,
                                check=True)
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
        rss_mib = int(match.group(1)) / 1024
    else:  # no GNU time: the children's peak RSS from the kernel
        import resource

        result = subprocess.run(command, capture_output=True, text=True, check=True)
        rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    child = json.loads(result.stdout.strip().splitlines()[-1])
    return {"peak_rss_mib": round(rss_mib, 1), **child}


def child(args) -> None:
    _, config = network_config(args.config[0])
    dataset = gdal.Open(args.child)
    model = untrained_model(config, args.bands, args.classes)
    summary = classify_once(args.child, model, args.workdir, threads=args.threads)
    print(json.dumps({"pixels": dataset.RasterXSize * dataset.RasterYSize,
                      "seconds": round(summary.seconds, 3),
                      "pixels_per_second": round(summary.pixels_per_second, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", action="append",
                        help=f"'default', a preset ({', '.join(PRESETS)}) or a JSON object "
                             "of NetworkConfig overrides; repeat for variants")
    parser.add_argument("--size", type=int, default=1000, help="throughput raster side")
    parser.add_argument("--bands", type=int, default=200)
    parser.add_argument("--classes", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sweep-size", type=int, default=256,
                        help="raster side for the batch size sweep")
    parser.add_argument("--batches", default=",".join(map(str, BATCHES)))
    parser.add_argument("--rss-sizes", default="500,1000,2000",
                        help="raster sides of the peak-RSS runs ('' to skip)")
    parser.add_argument("--rss-config", default=None,
                        help="network of the RSS runs (default: the first --config)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads, 0 = all")
    parser.add_argument("--precision", action="append", choices=("float32", "bfloat16", "auto"),
                        help="the network's arithmetic (crnn:classify's PRECISION); repeat "
                             "to compare (default float32)")
    parser.add_argument("--json", default=str(REPO / "docs" / "inference.json"))
    parser.add_argument("--workdir", default=None, help="where the synthetic rasters go")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.config = args.config or ["default"]
    args.precision = args.precision or ["float32"]
    if args.child:
        child(args)
        return

    import torch

    from hyperspectral_crnn.models.network.crnn import count_flops

    workdir = args.workdir or tempfile.mkdtemp(prefix="crnn-bench-")
    os.makedirs(workdir, exist_ok=True)
    results = {
        "command": "benchmarks/inference.py " + " ".join(sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "threads_argument": args.threads,
                    "platform": platform.platform(), "torch": torch.__version__},
        "default_batch_size": DEFAULT_BATCH_SIZE,
        "raster": {"size": args.size, "bands": args.bands, "classes": args.classes,
                   "type": "Int16", "tiles": "256x256"},
        "weights": "untrained (random initialisation): speed does not depend on them",
        "configs": [],
    }
    started = time.perf_counter()
    raster = write_raster(os.path.join(workdir, f"r{args.size}.tif"), args.size, args.bands)
    print(f"synthetic raster {args.size}x{args.size}x{args.bands} written in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    from hyperspectral_crnn.models.network.crnn import use_all_cores

    use_all_cores(args.threads)  # the matmul reference runs with the same thread count
    flops_machine = matmul_flops()
    results["matmul_gflops"] = round(flops_machine / 1e9, 2)
    results["matmul_gflops_bfloat16"] = round(matmul_flops(dtype="bfloat16") / 1e9, 2)
    print(f"torch 2048x2048 matmul: float32 {flops_machine / 1e9:.1f} GFLOP/s, bfloat16 "
          f"{results['matmul_gflops_bfloat16']:.1f} GFLOP/s", flush=True)
    lop_time = lop_seconds(args.size, args.classes)
    sweep_raster = write_raster(os.path.join(workdir, f"r{args.sweep_size}.tif"),
                                args.sweep_size, args.bands)

    for spec, precision in ((s, p) for s in args.config for p in args.precision):
        name, config = network_config(spec)
        name = name if precision == "float32" else f"{name} {precision}"
        model = untrained_model(config, args.bands, args.classes)
        flops = count_flops(config, args.bands, args.classes)
        times = []
        for _ in range(args.repeats):
            times.append(classify_once(raster, model, workdir, threads=args.threads,
                                       precision=precision).seconds)
            print(f"  [{name}] run {len(times)}: {times[-1]:.1f} s", flush=True)
        seconds = statistics.median(times)
        speed = args.size**2 / seconds
        sweep = {}
        for batch in (int(b) for b in args.batches.split(",") if b):
            summary = classify_once(sweep_raster, model, workdir, batch_size=batch,
                                    threads=args.threads, precision=precision)
            sweep[batch] = round(summary.pixels_per_second, 1)
            print(f"  [{name}] batch {batch}: {sweep[batch]:.0f} px/s", flush=True)
        entry = {
            "name": name, "precision": precision, "config": config.to_dict(),
            "flops_per_pixel": flops,
            "seconds": [round(t, 3) for t in times], "median_seconds": round(seconds, 3),
            "pixels_per_second": round(speed, 1),
            # at the protocol's reference machine speed (../shared/protocol.md)
            "normalised_pixels_per_second": round(
                speed * REFERENCE_GFLOPS / (flops_machine / 1e9), 1),
            "roofline_fraction": round(flops * speed / flops_machine, 4),
            "normalised_ceiling_pixels_per_second": round(REFERENCE_GFLOPS * 1e9 / flops, 1),
            "lop_seconds": round(lop_time, 4), "lop_share": round(lop_time / seconds, 4),
            "batch_sweep_pixels_per_second": sweep,
            "batch_sweep_raster": f"{args.sweep_size}x{args.sweep_size}x{args.bands}",
        }
        results["configs"].append(entry)

    rss_sizes = [int(s) for s in args.rss_sizes.split(",") if s]
    if rss_sizes:
        spec = args.rss_config or args.config[0]
        runs = []
        for size in rss_sizes:
            path = write_raster(os.path.join(workdir, f"r{size}.tif"), size, args.bands)
            run = {"size": size, **peak_rss(path, spec, args.bands, args.classes, workdir,
                                               args.threads)}
            runs.append(run)
            print(f"  [rss {spec}] {size}x{size}: {run['peak_rss_mib']:.0f} MiB, "
                  f"{run['seconds']:.1f} s, {run['pixels_per_second']:.0f} px/s", flush=True)
        results["rss"] = {
            "config": spec, "runs": runs,
            "growth": round(runs[-1]["peak_rss_mib"] / runs[0]["peak_rss_mib"], 3),
            "time_per_pixel_ratio_last_first": round(
                (runs[-1]["seconds"] / runs[-1]["pixels"])
                / (runs[0]["seconds"] / runs[0]["pixels"]), 3),
        }
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(f"{'config':<24}{'FLOP/px':>10}{'px/s':>10}{'norm.':>10}{'ceiling':>10}"
          f"{'roofline':>10}{'LOP':>8}  batch sweep (px/s)")
    for entry in results["configs"]:
        sweep = "  ".join(f"{b}:{v:.0f}" for b, v in entry["batch_sweep_pixels_per_second"]
                          .items())
        print(f"{entry['name'][:23]:<24}{entry['flops_per_pixel']:>10.3g}"
              f"{entry['pixels_per_second']:>10.0f}{entry['normalised_pixels_per_second']:>10.0f}"
              f"{entry['normalised_ceiling_pixels_per_second']:>10.0f}"
              f"{100 * entry['roofline_fraction']:>9.2f}%"
              f"{100 * entry['lop_share']:>7.2f}%  {sweep}")
    if "rss" in results:
        print(f"peak RSS ({results['rss']['config']}): " + ", ".join(
            f"{r['size']}x{r['size']}: {r['peak_rss_mib']:.0f} MiB / {r['seconds']:.1f} s"
            for r in results["rss"]["runs"]) + f"; growth {results['rss']['growth']}x, "
            f"time per pixel last/first {results['rss']['time_per_pixel_ratio_last_first']}")
    if args.json:
        with open(args.json, "w") as stream:
            json.dump(results, stream, indent=2)
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
