"""The benchmark's splits: the blocked one keeps test pixels away; the unit-length one."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hyperspectral_crnn.demo.indian_pines import load_indian_pines


def test_blocked_split_keeps_test_pixels_away_from_the_training_side(benchmark):
    cube, gt = load_indian_pines()
    split = benchmark.Split(cube, gt, 200, seed=0, block=16)
    train_side = benchmark.blocked_sides(gt.shape, 16)
    train = np.zeros(gt.size, bool)
    train[split.train_index] = True
    train = train.reshape(gt.shape)
    assert train_side[train].all()
    test_rows, test_cols = np.nonzero(split.test_mask)
    assert len(test_rows) > 2000
    for r, c in zip(test_rows, test_cols):
        assert not train_side[max(0, r - 2):r + 3, max(0, c - 2):c + 3].any()
    # every class can be learnt: the training side holds pixels of all 16
    assert len(np.unique(split.y[split.train_index])) == 16
    random = benchmark.Split(cube, gt, 200, seed=0)
    assert (random.test_mask | (random.gt == 0)).sum() > split.test_mask.sum()


def test_blocked_runs_are_not_reported_with_random_ones(benchmark, tmp_path, capsys):
    runs = []
    for blocked in (0, 16):
        path = tmp_path / f"run{blocked}.json"
        path.write_text(json.dumps({"rows": [], "command": "x", "blocked": blocked}))
        runs.append(str(path))
    with pytest.raises(SystemExit):
        benchmark.main(["--methods", "--include", *runs, "--out", str(tmp_path / "report")])
    assert "--blocked 0 and 16" in capsys.readouterr().err
    assert not (tmp_path / "report.md").exists()


def test_unit_length_split_has_the_same_pixels_and_its_own_guide(benchmark):
    cube, gt = load_indian_pines()
    plain = benchmark.Split(cube, gt, 200, seed=0)
    scaled = plain.with_unit_length()
    assert scaled.unit_length and scaled.with_unit_length() is scaled
    assert np.array_equal(scaled.train_index, plain.train_index)
    assert np.array_equal(scaled.test_mask, plain.test_mask)
    raw = cube.reshape(-1, cube.shape[-1]).astype(np.float64)
    unit = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    np.testing.assert_allclose(scaled.x * scaled.std + scaled.mean, unit, atol=1e-5)
    assert not np.allclose(scaled.guide, plain.guide)
    for method in ("crnn", "cnn1d-unit"):  # methods that read unit-length spectra
        unit_length, train_and_predict = benchmark.runners(1, 1)[method]
        assert unit_length
        with pytest.raises(ValueError, match="not scaled as the network expects"):
            train_and_predict(plain)


def test_report_gives_the_machine_speed_only_where_every_seed_recorded_it(benchmark, tmp_path):
    def rows(seed, method, gflops=None):
        extra = {} if gflops is None else {"matmul_gflops": gflops, "threads": 2}
        return [{"n": 200, "seed": seed, "method": method, "lop": lop, "train_seconds": 60.0,
                 "OA": 90.0, "AA": 90.0, "kappa": 90.0, **extra}
                for lop in ("alone", "lop3", "best")]

    this_run = rows(0, "crnn", 140.0) + rows(1, "crnn", 160.0) + rows(0, "svm", 150.0)
    # an earlier run's rows, from before rows recorded the speed and their thread count
    earlier = {"rows": rows(1, "svm") + rows(0, "crnn"), "threads": 1}
    merged = benchmark.merged_rows(this_run, [earlier])
    assert len(merged) == 12  # this run's crnn seed 0 wins over the earlier run's
    result = {"rows": merged, "threads": 2, "command": "x", "blocked": 0}
    summary = {(e["method"], e["lop"]): e for e in benchmark.summary(merged)}
    assert summary[("crnn", "alone")]["matmul_gflops"] == 150.0
    assert summary[("crnn", "alone")]["threads"] == "2"
    assert summary[("svm", "alone")]["matmul_gflops"] is None  # seed 1 lacks it
    assert summary[("svm", "alone")]["threads"] == "1/2"
    benchmark.write_markdown(result, tmp_path / "report.md")
    table = [line for line in (tmp_path / "report.md").read_text().splitlines()
             if line.startswith("| 200 |")]
    assert table[0].endswith("| 60.0 | 2 | 150 |")
    assert table[-1].endswith("| 60.0 | 1/2 |  |")
    assert (tmp_path / "report.md").read_text().count("matmul GFLOP/s") == 1


def test_machine_speed_is_measured_with_torch():
    from hyperspectral_crnn.benchmarks.machine import matmul_flops

    assert 1e9 < matmul_flops(repeats=1) < 1e14
