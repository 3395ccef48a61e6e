"""float32 against bfloat16 on Indian Pines: the same map, how much faster?

Run after ``make demo`` (it writes the scene, the test labels and a trained model)::

    .venv/bin/python benchmarks/precision.py [--threads 2] [--repeats 3]

For each precision: the class map of the whole scene through ``classify_raster`` (the
3x3 uniform LOP, the classify default, and the 3x3 edge LOP x15), its overall accuracy on
the test pixels, and the share of pixels on which it agrees with the float32 map; then
the network alone on 65 536 of the scene's spectra, pixels/s (median of ``--repeats``),
normalised to a 169 GFLOP/s float32 2048 x 2048 matmul measured in the same run
(../shared/protocol.md). Prints a table; the figures go to docs/inference.md by hand.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from osgeo import gdal

from hyperspectral_crnn.benchmarks.machine import REFERENCE_GFLOPS, matmul_flops
from hyperspectral_crnn.models.engine.inference import classify_raster
from hyperspectral_crnn.models.engine.lop import LopSettings
from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
from hyperspectral_crnn.models.network.crnn import cpu_has_native_bf16, use_all_cores
from hyperspectral_crnn.models.network.modelfile import load_model

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "out" / "demo"
LOPS = {"3x3 uniform": LopSettings(3, "uniform", 1), "3x3 edge x15": LopSettings(3, "edge", 15)}


def band(path: Path) -> np.ndarray:
    dataset = gdal.Open(str(path))  # alive while its band is read
    return dataset.GetRasterBand(1).ReadAsArray()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEMO / "indian_pines.crnn"))
    parser.add_argument("--scene", default=str(DEMO / "indian_pines.tif"))
    parser.add_argument("--test", default=str(DEMO / "indian_pines_test.tif"))
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    model = load_model(args.model)
    use_all_cores(args.threads)
    test = band(Path(args.test))
    labelled = test > 0
    print(f"CPU has native bf16: {cpu_has_native_bf16()}")
    maps = {}
    with tempfile.TemporaryDirectory() as folder:
        for lop_name, lop in LOPS.items():
            for precision in ("float32", "bfloat16"):
                out = str(Path(folder) / f"{precision}.tif")
                classify_raster(args.scene, model, ClassificationRequest(
                    OutputPaths(out), lop, threads=args.threads, precision=precision))
                maps[lop_name, precision] = band(Path(out))
            for precision in ("float32", "bfloat16"):
                found = maps[lop_name, precision]
                oa = 100 * float((found[labelled] == test[labelled]).mean())
                agree = 100 * float((found == maps[lop_name, "float32"]).mean())
                print(f"{lop_name:13s} {precision:9s} OA {oa:6.2f} %   agrees with float32 "
                      f"on {agree:7.3f} % of {found.size} pixels")
    cube = gdal.Open(args.scene).ReadAsArray().reshape(model.n_bands, -1).T.astype(np.float32)
    rng = np.random.default_rng(0)
    spectra = cube[rng.integers(0, cube.shape[0], 65536)]
    for precision in ("float32", "bfloat16"):
        classifier = model.classifier(threads=args.threads, batch_size=1024,
                                      precision=precision)
        classifier.predict_proba(spectra[:4096])  # warm up
        rates, gflops = [], []
        for _ in range(args.repeats):
            gflops.append(matmul_flops() / 1e9)
            started = time.perf_counter()
            classifier.predict_proba(spectra)
            rates.append(len(spectra) / (time.perf_counter() - started))
        rate, machine = statistics.median(rates), statistics.median(gflops)
        print(f"network alone {precision:9s} {rate:9.0f} px/s at {machine:5.0f} GFLOP/s "
              f"matmul = {rate * REFERENCE_GFLOPS / machine:9.0f} px/s normalised "
              f"(median of {args.repeats})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
