"""Benchmark of the reference sample and the area estimates: ``crnn:sample`` then
``crnn:assess`` (``SAMPLING_DESIGN=stratified``) through ``qgis_process``, on class maps
of 1, 4 and 10 million pixels.

Run from the repository root (after ``make setup``)::

    .venv/bin/python benchmarks/area.py                # writes docs/benchmarks_area.md
    .venv/bin/python benchmarks/area.py --sizes 1000   # a quick look

For each size: a Byte map of six classes (blocks of unequal area, 5 % of the pixels
flipped), a 640-point sample (``SAMPLE_SIZE=640``, compromise allocation), the points'
reference classes filled from a 'truth' map (the map with 10 % of its pixels in another
class), then the assessment with its report. Each ``qgis_process`` call runs under
``/usr/bin/time -v``: wall seconds (QGIS's start included) and peak RSS. Memory must
stay flat as the map grows (both algorithms read the map in strips); the issue's goal is
a 10-megapixel map assessed in under a minute.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

REPO = Path(__file__).resolve().parent.parent
WRAPPER = REPO / "scripts" / "qgis_process"


def write_maps(folder: Path, side_rows: int, side_cols: int, seed: int = 0):
    """(map path, truth path): six classes in bands of rows, 5 % noise; truth = map with
    10 % of its pixels changed. Written strip by strip (memory follows the width)."""
    rng = np.random.default_rng(seed)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32633)
    datasets, names = [], []
    for name in ("map.tif", "truth.tif"):
        dataset = gdal.GetDriverByName("GTiff").Create(
            str(folder / name), side_cols, side_rows, 1, gdal.GDT_Byte,
            ["TILED=YES", "COMPRESS=DEFLATE"])
        dataset.SetGeoTransform((500_000.0, 10.0, 0, 5_000_000.0, 0, -10.0))
        dataset.SetProjection(srs.ExportToWkt())
        dataset.GetRasterBand(1).SetNoDataValue(0)
        datasets.append(dataset)
        names.append(str(folder / name))
    dataset = None
    bounds = np.cumsum([0.02, 0.05, 0.13, 0.2, 0.25, 0.35]) * side_rows
    for start in range(0, side_rows, 512):
        rows = min(512, side_rows - start)
        band_of_row = np.searchsorted(bounds, np.arange(start, start + rows), side="right") + 1
        values = np.repeat(np.minimum(band_of_row, 6)[:, None], side_cols, axis=1)
        values = values.astype(np.uint8)
        noise = rng.random(values.shape) < 0.05
        values[noise] = rng.integers(1, 7, int(noise.sum()))
        truth = values.copy()
        changed = rng.random(values.shape) < 0.10
        truth[changed] = rng.integers(1, 7, int(changed.sum()))
        datasets[0].GetRasterBand(1).WriteArray(values, 0, start)
        datasets[1].GetRasterBand(1).WriteArray(truth, 0, start)
    datasets = None  # closes both files
    return names


def timed(args) -> tuple:
    """(wall seconds, peak RSS MiB) of one qgis_process run."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", str(WRAPPER), *args], capture_output=True,
                          text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-3000:])
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    return seconds, peak / 1024


def fill_reference(sample: str, truth: str) -> None:
    """The reference class of each point, read from the truth map (the user's labels)."""
    dataset = gdal.Open(truth)
    x0, dx, _, y0, _, dy = dataset.GetGeoTransform()
    band = dataset.GetRasterBand(1)
    source = ogr.Open(sample, 1)
    layer = source.GetLayer(0)
    for feature in layer:
        point = feature.GetGeometryRef()
        col, row = int((point.GetX() - x0) / dx), int((point.GetY() - y0) / dy)
        feature.SetField("reference", int(band.ReadAsArray(col, row, 1, 1)[0, 0]))
        layer.SetFeature(feature)
    source = None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="*", type=int, default=[1000, 2000, 3163],
                        help="map sides in pixels (square maps)")
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks_area.md"),
                        help="the Markdown file to write ('' for none)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="crnn-area-") as folder:
        os.environ["CRNN_QGIS_CONFIG"] = str(Path(folder) / "qgis")
        for side in args.sizes:
            work = Path(folder) / str(side)
            work.mkdir()
            map_path, truth = write_maps(work, side, side)
            sample = str(work / "sample.gpkg")
            sample_s, sample_mib = timed(["run", "crnn:sample", "--",
                                          f"CLASSIFICATION={map_path}", "SAMPLE_SIZE=640",
                                          f"OUTPUT={sample}"])
            fill_reference(sample, truth)
            assess_s, assess_mib = timed([
                "run", "crnn:assess", "--", f"CLASSIFICATION={map_path}",
                f"REFERENCE={sample}", "REFERENCE_FIELD=reference",
                "SAMPLING_DESIGN=stratified", f"OUTPUT_REPORT={work / 'area.html'}"])
            rows.append((side * side, sample_s, sample_mib, assess_s, assess_mib))
            print(f"{side * side / 1e6:5.1f} Mpx: sample {sample_s:5.1f} s {sample_mib:6.0f} "
                  f"MiB; assess {assess_s:5.1f} s {assess_mib:6.0f} MiB", flush=True)
    if args.out:
        lines = [
            "# Benchmark: reference sample and area estimates",
            "",
            "`crnn:sample` (640 points, compromise allocation) then `crnn:assess` "
            "(`SAMPLING_DESIGN=stratified`, with its report) through `qgis_process` on "
            "square Byte maps of six classes; wall seconds include QGIS's start, peak RSS "
            "from `/usr/bin/time -v`. Written by `.venv/bin/python benchmarks/area.py` on "
            f"{time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores.",
            "",
            "| map pixels | sample (s) | sample peak RSS (MiB) | assess (s) | assess peak "
            "RSS (MiB) |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [f"| {n:,} | {a:.1f} | {b:.0f} | {c:.1f} | {d:.0f} |"
                  for n, a, b, c, d in rows]
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
