"""The Indian Pines accuracy benchmark of ../shared/protocol.md.

For each N (training pixels per class) and seed: the protocol split (N random pixels per
class, half of a class with fewer than 2N; validation pixels for early stopping come out
of the training pixels), then, on the same split:

- the CRNN (our default), alone, with the paper's 3x3 uniform LOP, and with the best LOP
  (and labelled variants: without unit-length scaling, with the 5x5 input window), run
  through the plugin's own path: the training pixels read from the scene's GeoTIFF under
  one square polygon per pixel (``models.training.samples.read_training_pixels``), a model trained
  by ``models.training.train.train_model`` as crnn:train does, and the GeoTIFF classified by
  ``models.engine.inference.classify_raster`` with each LOP, as crnn:classify does;
- an RBF-SVM (C and gamma by 3-fold cross-validation on the training pixels only) and a
  random forest (500 trees), each alone and with the same two LOPs;
- the paper's neural baselines written from their papers: a 1-D CNN over the spectrum
  (Hu et al. 2015) and a GRU over the bands (Mou et al. 2017), trained with our training_config.

The baselines read the same split: the same training, validation and test pixels, and an
edge LOP guided and scaled as the plugin's (principal axes of the standardised training
spectra, scale from the pixels' right and lower neighbours as read_training_pixels pairs
them).

OA, AA and kappa on every labelled pixel that is not a training pixel; mean +- std over
seeds; training time. Writes docs/benchmarks.json and docs/benchmarks.md.

    .venv/bin/python benchmarks/indian_pines.py                 # N 100 200 300, 5 seeds
    .venv/bin/python benchmarks/indian_pines.py --n 200 --seeds 0 1 --methods crnn svm
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
from scipy import ndimage

from hyperspectral_crnn.benchmarks.machine import matmul_flops
from hyperspectral_crnn.demo.indian_pines import (
    CLASS_COLOURS,
    CLASS_NAMES,
    SYNTHETIC_GEOTRANSFORM,
    load_indian_pines,
    protocol_split,
    write_scene,
)
from hyperspectral_crnn.models.common.classes import ClassInfo
from hyperspectral_crnn.models.engine.inference import classify_raster
from hyperspectral_crnn.models.engine.lop import LopSettings, lop_fuse
from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
from hyperspectral_crnn.models.network.config import (
    VALIDATION_FRACTION,
    NetworkConfig,
    TrainingConfig,
)
from hyperspectral_crnn.models.network.modelfile import CrnnModel
from hyperspectral_crnn.models.network.spectra import scale_spectra
from hyperspectral_crnn.models.network.window import window_mean
from hyperspectral_crnn.models.rasters.files import open_raster, read_block
from hyperspectral_crnn.models.reports.assessment import assess_arrays
from hyperspectral_crnn.models.training.samples import TrainingPixels, read_training_pixels
from hyperspectral_crnn.models.training.semi_supervised import (
    SemiSupervisedConfig,
    grown_labels,
    train_semi_supervised,
)
from hyperspectral_crnn.models.training.train import (
    ModelBands,
    TrainingData,
    TrainingSetup,
    fit_guide,
    fit_standardisation,
    train_model,
    train_network,
    validation_split,
)

REPO = Path(__file__).resolve().parent.parent

PAPER_LOP = dict(size=3, weights="uniform", iterations=1)
BEST_LOP = dict(size=3, weights="edge", iterations=15)  # best of the LOP study (docs/ablation.md)
# Wu & Prasad 2017, CRNN-LOP on their 19-class Indian Pines scene (a different scene).
PAPER_OA = {100: 96.61, 200: 96.98, 300: 98.08}
METHODS = ("crnn", "crnn-raw", "crnn-unweighted", "crnn-window5", "crnn-raw-window5", "svm",
           "svm-unit", "svm-window5", "rf", "cnn1d", "cnn1d-unit", "gru", "crnn-semi",
           "label-spreading", "svm-grown")
# not in a run unless asked for (--methods): the few-label study's
# (docs/benchmarks_few_labels.md)
FEW_LABEL_METHODS = ("crnn-semi", "label-spreading", "svm-grown")
# the paper's neural baselines, run at --baseline-n only
BASELINES = ("cnn1d", "cnn1d-unit", "gru")


def blocked_sides(shape: tuple, block: int) -> np.ndarray:
    """True on the training side of a checkerboard of ``block`` x ``block`` cells."""
    rows, cols = np.indices(shape)
    return (rows // block + cols // block) % 2 == 0


_SCENE: dict = {}


def scene_raster(cube: np.ndarray) -> str:
    """The scene's GeoTIFF (``demo.indian_pines.write_scene``) holding ``cube``.

    Written once per process into a temporary folder that goes away at exit.
    """
    if "path" not in _SCENE:
        folder = tempfile.TemporaryDirectory(prefix="indian_pines_benchmark_")
        _SCENE["folder"] = folder  # kept alive, removed at exit
        _SCENE["path"] = write_scene(folder.name)["cube"]
        _SCENE["cube"] = load_indian_pines()[0]
    if not np.array_equal(cube, _SCENE["cube"]):
        raise ValueError("the benchmark's GeoTIFF holds the Indian Pines scene, not this cube")
    return _SCENE["path"]


def training_polygons(train_mask: np.ndarray, gt: np.ndarray
                      ) -> Tuple[List[Tuple[bytes, int]], List[ClassInfo]]:
    """One square polygon per training pixel (its footprint on the scene's grid) and the
    classes that have pixels, as crnn:train hands them to ``read_training_pixels``:
    (WKB, index into the classes) pairs, classes in increasing value."""
    from osgeo import ogr

    present = [int(v) for v in np.unique(gt[train_mask])]
    classes = [ClassInfo(v, CLASS_NAMES[v - 1], "#{:02x}{:02x}{:02x}".format(
        *CLASS_COLOURS[v - 1])) for v in present]
    position = {v: i for i, v in enumerate(present)}
    x0, dx, _, y0, _, dy = SYNTHETIC_GEOTRANSFORM
    polygons = []
    for row, col in zip(*np.nonzero(train_mask)):
        left, top = x0 + col * dx, y0 + row * dy
        right, bottom = left + dx, top + dy
        # float(): numpy 2 would write np.float64(...) into the WKT
        ring = ", ".join(f"{float(x)!r} {float(y)!r}" for x, y in ((left, top), (right, top),
                                                     (right, bottom), (left, bottom),
                                                     (left, top)))
        wkb = ogr.CreateGeometryFromWkt(f"POLYGON (({ring}))").ExportToWkb()
        polygons.append((bytes(wkb), position[int(gt[row, col])]))
    return polygons, classes


class Split:
    """One protocol split with everything the methods share.

    ``block`` > 0 gives the spatially blocked variant: training pixels only from one side
    of a checkerboard of ``block``-pixel cells, test pixels only from the other side and
    at least 3 pixels from it, so no test pixel shares a 5x5 window with the training side.
    ``unit_length``: the spectra are scaled to unit length before the standardisation, as
    the plugin does for ``NetworkConfig.unit_length`` (the LOP's guide reads them too).
    """

    def __init__(self, cube: np.ndarray, gt: np.ndarray, n: int, seed: int,
                 block: int = 0, unit_length: bool = False) -> None:
        self.shape = gt.shape
        self.gt = gt
        self.n, self.block, self.unit_length = n, block, unit_length
        if block:
            train_side = blocked_sides(gt.shape, block)
            train_mask = protocol_split(np.where(train_side, gt, 0), n, seed)
            # no test pixel's 5x5 window reaches the training side
            near = ndimage.binary_dilation(train_side, np.ones((5, 5), bool))
            self.test_mask = (gt > 0) & ~near
        else:
            train_mask = protocol_split(gt, n, seed)
            self.test_mask = (gt > 0) & ~train_mask
        train_index = np.flatnonzero(train_mask.ravel())
        self.train_index = train_index
        # the scene as a QGIS user has it: its GeoTIFF and one polygon per training pixel
        self.raster = scene_raster(cube)
        self.bands = list(range(1, cube.shape[-1] + 1))
        self.polygons, self.classes = training_polygons(train_mask, gt)
        # the plugin's (training pixel, right or lower neighbour) pairs, raw
        self.neighbours = self.training_pixels().neighbours
        pixels = scale_spectra(cube.reshape(-1, cube.shape[-1]), unit_length)
        labels = gt.ravel().astype(np.int64) - 1
        # the pixel split train_model makes (the pixels in the same order, the same seed)
        fit, val = validation_split(labels[train_index], VALIDATION_FRACTION, seed)
        self.fit_index, self.val_index = train_index[fit], train_index[val]
        self.mean, self.std = fit_standardisation(pixels[train_index])
        self.x = (pixels - self.mean) / self.std
        self.y = labels
        # the guide and edge scale as train_model fits them
        pairs = tuple((scale_spectra(side, unit_length) - self.mean) / self.std
                      for side in self.neighbours)
        components, self.edge_scale = fit_guide(self.x[train_index], labels[train_index],
                                                seed, pairs)
        self.guide = (self.x @ components.T).T.reshape((-1,) + gt.shape)
        self.seed = seed
        self.cube = cube

    def training_pixels(self, input_window: int = 1) -> TrainingPixels:
        """The training pixels as crnn:train reads them from the scene's GeoTIFF.

        They come in the order of ``train_index`` (row by row), checked, so the
        validation split of ``train_model`` is the one of ``fit_index`` / ``val_index``.
        """
        pixels = read_training_pixels(self.raster, self.bands, self.polygons,
                                      input_window=input_window)
        where = np.ravel_multi_index((pixels.rows, pixels.cols), self.shape)
        if not np.array_equal(where, self.train_index) or pixels.dropped_nodata:
            raise RuntimeError("the polygons did not give back exactly the training pixels")
        return pixels

    def classify(self, model: CrnnModel, lop: Optional[dict], threads: int) -> np.ndarray:
        """The class raster crnn:classify writes for the scene (class values, as an array)."""
        lop = lop or dict(size=1, weights="uniform", iterations=1)
        with tempfile.TemporaryDirectory(prefix="indian_pines_classes_") as folder:
            path = os.path.join(folder, "classes.tif")
            pool = LopSettings(lop["size"], lop["weights"], lop["iterations"])
            classify_raster(self.raster, model,
                            ClassificationRequest(OutputPaths(path), pool, threads=threads))
            dataset = open_raster(path)
            classes = read_block(dataset, 0, 0, dataset.RasterXSize,
                                 dataset.RasterYSize, [1])[0]
            dataset = None
        return classes.astype(np.int64)

    def with_input_window(self, window: int) -> Split:
        """This split with each pixel's window mean spectrum as the network's input.

        The LOP's guide stays on the pixels' own spectra, as in the plugin.
        """
        means = window_mean(self.cube, np.ones(self.shape, bool), window)
        means = scale_spectra(means.reshape(-1, means.shape[-1]), self.unit_length)
        mean, std = fit_standardisation(means[self.train_index])
        windowed = copy.copy(self)
        windowed.x = (means - mean) / std
        return windowed

    def with_unit_length(self) -> Split:
        """This split with unit-length spectra (the same pixels; a new guide)."""
        if self.unit_length:
            return self
        return Split(self.cube, self.gt, self.n, self.seed, self.block, unit_length=True)

    def scores(self, predicted: np.ndarray) -> Dict[str, float]:
        """OA, AA, kappa (percent) of a (rows, cols) class value map on the test pixels."""
        reference = np.where(self.test_mask, self.gt, 0)
        result = assess_arrays(reference, predicted)
        return {"OA": 100 * result.overall_accuracy, "AA": 100 * result.average_accuracy,
                "kappa": 100 * result.kappa}

    def fused(self, probabilities: np.ndarray, size: int, weights: str,
              iterations: int) -> np.ndarray:
        cube = probabilities.T.reshape((-1,) + self.shape)
        out = lop_fuse(cube, None, size, weights, iterations, self.guide, self.edge_scale)
        return out.reshape(out.shape[0], -1).T

    def predictor(self, probabilities: np.ndarray) -> Predictor:
        """A baseline's class map for an LOP (None: alone) from its (pixels, classes)
        probabilities over every class, fused on this split's guide."""

        def predict(lop: Optional[dict]) -> np.ndarray:
            fused = probabilities if lop is None else self.fused(probabilities, **lop)
            return fused.argmax(1).reshape(self.shape) + 1

        return predict


# a trained method's class map (class values) for an LOP setting (None: no LOP)
Predictor = Callable[[Optional[dict]], np.ndarray]
Method = Callable[[Split], Predictor]


def check_scaling(split: Split, network: NetworkConfig) -> None:
    if split.unit_length != network.unit_length:
        raise ValueError("the split's spectra are not scaled as the network expects")


def crnn(network: NetworkConfig, training_config: TrainingConfig, threads: int,
         semi: Optional[SemiSupervisedConfig] = None) -> Method:
    """The CRNN through the plugin's path: crnn:train's ``train_model``, crnn:classify's
    ``classify_raster`` (which runs the LOP) on the scene's GeoTIFF. With ``semi``, as
    crnn:train with SEMI_SUPERVISED: ``train_semi_supervised`` on the same pixels, which
    also reads the scene's unlabelled pixels."""

    def run(split: Split) -> Predictor:
        check_scaling(split, network)
        pixels = split.training_pixels(network.input_window)
        data = TrainingData(
            pixels.spectra, [split.classes[i].value for i in pixels.labels], split.classes,
            ModelBands(split.bands, [f"Band {b}" for b in split.bands]),
            groups=None,  # the protocol draws pixels: a pixel split
            neighbours=pixels.neighbours,
        )
        setup = TrainingSetup(network, dataclasses.replace(training_config, seed=split.seed),
                              VALIDATION_FRACTION)
        if semi is None:
            model = train_model(data, setup)
        else:
            model = train_semi_supervised(data, split.raster, (pixels.rows, pixels.cols), setup,
                                          semi)
        return lambda lop: split.classify(model, lop, threads)

    return run


def neural(build: Callable, network: NetworkConfig, training_config: TrainingConfig) -> Method:
    """A baseline that trains ``build(bands, classes)`` with ``training_config`` on the split's
    training and validation pixels (``network`` gives the spectra's scaling)."""

    def run(split: Split) -> Predictor:
        check_scaling(split, network)
        if network.input_window > 1:
            split = split.with_input_window(network.input_window)
        import torch

        trained = train_network((split.x[split.fit_index], split.y[split.fit_index]),
                                (split.x[split.val_index], split.y[split.val_index]),
                                len(CLASS_NAMES), network,
                                dataclasses.replace(training_config, seed=split.seed), build=build)
        module = build(split.x.shape[1], len(CLASS_NAMES))
        module.load_state_dict({k: torch.from_numpy(v) for k, v in trained.weights.items()})
        module.eval()
        with torch.inference_mode():
            probabilities = np.concatenate([
                torch.softmax(module(torch.from_numpy(split.x[s : s + 4096])), 1).numpy()
                for s in range(0, split.x.shape[0], 4096)])
        return split.predictor(probabilities)

    return run


def hu_cnn(n_bands: int, n_classes: int):
    """Hu et al. 2015: one conv layer (20 kernels of ceil(B/9)), max-pool, FC 100 (tanh)."""
    import math

    from torch import nn

    k1 = math.ceil(n_bands / 9)
    k2 = math.ceil(k1 / 5)
    length = (n_bands - k1 + 1) // k2

    class HuCnn(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv1d(1, 20, k1)
            self.pool = nn.MaxPool1d(k2)
            self.fc = nn.Linear(20 * length, 100)
            self.out = nn.Linear(100, n_classes)

        def forward(self, x):
            h = self.pool(torch_tanh(self.conv(x.unsqueeze(1))))
            return self.out(torch_tanh(self.fc(h.flatten(1))))

    return HuCnn()


def mou_gru(n_bands: int, n_classes: int):
    """Mou et al. 2017: every band one time step of a GRU (64 units), last state -> FC."""
    from torch import nn

    class MouGru(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.gru = nn.GRU(1, 64, batch_first=True)
            self.out = nn.Linear(64, n_classes)

        def forward(self, x):
            states, _ = self.gru(x.unsqueeze(2))
            return self.out(states[:, -1])

    return MouGru()


def torch_tanh(x):
    import torch

    return torch.tanh(x)


def svm(split: Split) -> Predictor:
    """RBF-SVM with LIBSVM's posteriors (pairwise Platt scaling, then pairwise coupling).

    These are what SVM users get (``SVC(probability=True)``, as in dzetsaka and the
    EnMAP-Box), and they fuse better through the LOP than one-vs-rest sigmoid calibration
    (docs/ablation.md), so the baseline is the strong one.
    """
    return _svm(split, split.train_index, split.y[split.train_index])


def _svm(split: Split, fit_index: np.ndarray, fit_labels: np.ndarray) -> Predictor:
    """The grid search on the training pixels, the final fit on ``fit_index``."""
    import warnings

    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.svm import SVC

    x, y = split.x[split.train_index], split.y[split.train_index]
    folds = StratifiedKFold(3, shuffle=True, random_state=split.seed)
    grid = GridSearchCV(SVC(kernel="rbf"), {"C": [10, 100, 1000, 10000],
                                            "gamma": ["scale", 0.001, 0.01]},
                        cv=folds, n_jobs=-1)
    grid.fit(x, y)
    with warnings.catch_warnings():  # scikit-learn 1.9 deprecates probability=True
        warnings.simplefilter("ignore", FutureWarning)
        model = SVC(kernel="rbf", probability=True, random_state=split.seed,
                    **grid.best_params_).fit(split.x[fit_index], fit_labels)
    return split.predictor(model.predict_proba(split.x))


def svm_grown(split: Split) -> Predictor:
    """The SVM given SEMI_SUPERVISED's grown labels (``grown_labels`` with the defaults,
    from every training pixel): a peer with the same unlabelled-pixel step as ours. Its
    hyper-parameters come from the training pixels alone, as the SVM's."""
    width = split.shape[1]
    rows, cols = np.divmod(split.train_index, width)
    values = split.y[split.train_index] + 1  # the scene's class values
    nothing = (np.empty(0, np.int64),) * 3
    grown = grown_labels(split.raster, split.bands, 1,
                         (rows, cols, values, split.cube[rows, cols]), nothing,
                         SemiSupervisedConfig(), split.seed)
    return _svm(split, np.concatenate([split.train_index, grown.rows * width + grown.cols]),
                np.concatenate([split.y[split.train_index], grown.values - 1]))


def label_spreading(split: Split) -> Predictor:
    """The semi-supervised peer: scikit-learn's label spreading (Zhou et al. 2004) over
    every pixel of the scene, the training pixels labelled, on the first 30 principal
    components of the split's standardised spectra, a 10-nearest-neighbour graph; its
    label distributions are the posteriors the LOPs pool."""
    from sklearn.decomposition import PCA
    from sklearn.semi_supervised import LabelSpreading

    features = PCA(30, random_state=split.seed).fit_transform(split.x)
    targets = np.full(split.x.shape[0], -1)
    targets[split.train_index] = split.y[split.train_index]
    model = LabelSpreading(kernel="knn", n_neighbors=10, max_iter=100, n_jobs=1)
    model.fit(features, targets)
    probabilities = np.zeros((split.x.shape[0], len(CLASS_NAMES)), np.float32)
    probabilities[:, model.classes_] = model.label_distributions_
    return split.predictor(probabilities)


def forest(split: Split) -> Predictor:
    from sklearn.ensemble import RandomForestClassifier

    model = RandomForestClassifier(500, n_jobs=-1, random_state=split.seed)
    model.fit(split.x[split.train_index], split.y[split.train_index])
    return split.predictor(model.predict_proba(split.x))


def runners(epochs: int, threads: int) -> Dict[str, tuple[bool, Method]]:
    """Method name -> (whether it reads unit-length spectra, the method)."""
    network = NetworkConfig()
    raw = dataclasses.replace(network, unit_length=False)
    training_config = TrainingConfig(device="cpu", threads=threads)
    baseline = dataclasses.replace(training_config, epochs=epochs)
    crnns = {
        "crnn": (network, training_config),
        "crnn-raw": (raw, training_config),
        "crnn-unweighted": (raw, dataclasses.replace(training_config, class_weighting=0.0)),
        "crnn-window5": (dataclasses.replace(network, input_window=5), training_config),
        "crnn-raw-window5": (dataclasses.replace(raw, input_window=5), training_config),
    }
    methods = {name: (net.unit_length, crnn(net, rec, threads))
               for name, (net, rec) in crnns.items()}
    methods["crnn-semi"] = (True, crnn(network, training_config, threads,
                                       SemiSupervisedConfig()))
    return {
        **methods,
        "svm": (False, svm),
        "svm-unit": (True, svm),
        "svm-window5": (False, lambda split: svm(split.with_input_window(5))),
        "rf": (False, forest),
        "label-spreading": (True, label_spreading),
        "svm-grown": (True, svm_grown),
        "cnn1d": (False, neural(hu_cnn, raw, baseline)),
        "cnn1d-unit": (True, neural(hu_cnn, network, baseline)),
        "gru": (False, neural(mou_gru, raw, baseline)),
    }


def run(ns: List[int], seeds: List[int], methods: List[str], baseline_epochs: int,
        baseline_ns: List[int], threads: int = 0, block: int = 0) -> dict:
    import torch

    from hyperspectral_crnn.models.network.crnn import use_all_cores

    use_all_cores(threads)
    cube, gt = load_indian_pines()
    available = runners(baseline_epochs, threads)
    rows = []
    for n in ns:
        for seed in seeds:
            splits = {False: Split(cube, gt, n, seed, block)}
            for method in methods:
                if method in BASELINES and n not in baseline_ns:
                    continue
                unit_length, train_and_predict = available[method]
                # unit-length methods get a split whose LOP guide reads those spectra too,
                # built once per split for all of them
                if unit_length not in splits:
                    splits[True] = splits[False].with_unit_length()
                split = splits[unit_length]
                # the machine's speed drifts from day to day and within one; measured per
                # method so each training time has its own reference
                gflops = round(matmul_flops() / 1e9, 1)
                torch.manual_seed(seed)
                # training and the classification of the scene without LOP
                started = time.perf_counter()
                predict = train_and_predict(split)
                alone = predict(None)
                seconds = time.perf_counter() - started
                for lop_name, lop in (("alone", None), ("lop3", PAPER_LOP), ("best", BEST_LOP)):
                    predicted = alone if lop is None else predict(lop)
                    row = {"n": n, "seed": seed, "method": method, "lop": lop_name,
                           "train_seconds": round(seconds, 2), "matmul_gflops": gflops,
                           "threads": torch.get_num_threads(), **split.scores(predicted)}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    return {"rows": rows, "threads": torch.get_num_threads(), "cpu": platform.processor()
            or platform.machine(), "best_lop": BEST_LOP, "paper_lop": PAPER_LOP,
            "network": NetworkConfig().to_dict(), "training": TrainingConfig().to_dict(),
            "baseline_epochs": baseline_epochs, "baseline_n": baseline_ns, "blocked": block}


def summary(rows: List[dict]) -> List[dict]:
    groups: Dict[tuple, List[dict]] = {}
    for row in rows:
        groups.setdefault((row["n"], row["method"], row["lop"]), []).append(row)
    table = []
    order = {"alone": 0, "lop3": 1, "best": 2}
    for (n, method, lop), members in sorted(groups.items(),
                                            key=lambda g: (g[0][0], g[0][1], order[g[0][2]])):
        entry = {"n": n, "method": method, "lop": lop, "seeds": len(members)}
        for key in ("OA", "AA", "kappa", "train_seconds"):
            values = [m[key] for m in members]
            entry[key] = statistics.mean(values)
            entry[key + "_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
        # rows from before the machine's speed was recorded have none
        speeds = [m["matmul_gflops"] for m in members if "matmul_gflops" in m]
        entry["matmul_gflops"] = statistics.mean(speeds) if len(speeds) == len(members) else None
        entry["threads"] = "/".join(str(t) for t in sorted({m["threads"] for m in members}))
        table.append(entry)
    return table


LABELS = {"crnn": "CRNN (ours)",
          "crnn-raw": "CRNN without unit-length scaling (the default before 2026-12-03)",
          "crnn-unweighted": "CRNN without unit-length scaling or class weighting",
          "crnn-window5": "CRNN, 5x5 input window (spectral-spatial option)",
          "crnn-raw-window5": "CRNN, 5x5 input window, without unit-length scaling",
          "svm-window5": "RBF-SVM, 5x5 input window",
          "svm": "RBF-SVM", "svm-unit": "RBF-SVM on unit-length spectra",
          "rf": "Random forest", "cnn1d": "1-D CNN (Hu 2015)",
          "cnn1d-unit": "1-D CNN (Hu 2015) on unit-length spectra",
          "gru": "GRU over bands (Mou 2017)",
          "crnn-semi": "CRNN, semi-supervised (SEMI_SUPERVISED)",
          "label-spreading": "Label spreading (semi-supervised peer)",
          "svm-grown": "RBF-SVM on unit-length spectra, with the grown labels"}
LOP_LABELS = {"alone": "alone", "lop3": "+ 3x3 uniform LOP (paper)",
              "best": "+ {size}x{size} {weights} LOP x{iterations}".format(**BEST_LOP)}


def write_markdown(result: dict, path: Path) -> None:
    table = summary(result["rows"])
    lines = [
        "# Indian Pines benchmark",
        "",
        "Protocol: ../shared/protocol.md (N training pixels per class, half of a class with "
        "fewer than 2N; the rest of the labelled pixels are the test set; validation pixels "
        "for early stopping come out of the training pixels). Figures are mean +- std over "
        "the seeds run, in percent; training time in wall seconds with the torch threads "
        "per process given beside it, on a shared 2-core machine (noisy: compare within a "
        "table). The machine's speed varies from day to day, and training time with it: "
        "\"matmul\" is the GFLOP/s of a 2048 x 2048 float32 matrix product measured with "
        "the same threads just before each training (mean over the seeds; blank for rows "
        "run before it was recorded).",
        "",
    ]
    if result.get("blocked"):
        lines += [
            f"**Spatially blocked split** (`--blocked {result['blocked']}`), not the "
            "protocol's: training pixels are drawn (N per class, same rule) only from one "
            f"side of a checkerboard of {result['blocked']} x {result['blocked']}-pixel "
            "cells; test pixels are the labelled pixels of the other side at least 3 pixels "
            "from it, so no test pixel's 5x5 window holds a pixel of the training side. "
            "Classes with no test pixel there drop out of AA.",
            "",
        ]
    lines += [
        "Commands (separate processes, rows reported together): "
        if "; " in result["command"] else "Command: ",
        "; ".join(f"`{c}`" for c in result["command"].split("; ")),
        "",
        "| N | method | LOP | seeds | OA | AA | kappa | train s | threads | matmul GFLOP/s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for e in table:
        speed = "" if e["matmul_gflops"] is None else f"{e['matmul_gflops']:.0f}"
        lines.append(
            f"| {e['n']} | {LABELS[e['method']]} | {LOP_LABELS[e['lop']]} | {e['seeds']} | "
            f"{e['OA']:.2f} +- {e['OA_std']:.2f} | {e['AA']:.2f} +- {e['AA_std']:.2f} | "
            f"{e['kappa']:.2f} +- {e['kappa_std']:.2f} | {e['train_seconds']:.1f} | "
            f"{e['threads']} | {speed} |")
    lines += [
        "",
        "## How the methods were run",
        "",
        "- CRNN: the plugin's defaults (`NetworkConfig()`, `TrainingConfig()`; "
        "docs/ablation.md), run through the plugin's own path: the training pixels read "
        "from the scene's GeoTIFF under one square polygon per pixel "
        "(`models.training.samples.read_training_pixels`), the model trained by "
        "`models.training.train.train_model` as crnn:train does (pixel validation split), and "
        "the GeoTIFF classified by `models.engine.inference.classify_raster` with each LOP, as "
        "crnn:classify does; train s covers reading the pixels, training and the "
        "classification without LOP. Each spectrum is scaled to unit length before the "
        "per-band standardisation (`unit_length`), and the edge LOP's guide reads the "
        "same scaled spectra.",
        "- CRNN without unit-length scaling: `NetworkConfig(unit_length=False)`, the "
        "default before 2026-12-03; without class weighting also "
        "`TrainingConfig(class_weighting=0)`.",
        "- CRNN, 5x5 input window: the same network reading each pixel's 5x5 mean "
        "spectrum (`NetworkConfig(input_window=5)`, models/network/window.py), a spectral-spatial "
        "extension of the paper's method, off by default. With random training pixels, as "
        "in this protocol, a test pixel's window often holds training pixels, which "
        "flatters any method that reads neighbours; `--blocked` measures it on test "
        "pixels away from the training pixels (docs/benchmarks_blocked.md).",
        "- LOPs: the paper's uniform 3x3 pool applied once, and the best setting of the "
        "ablation, {size}x{size} {weights} applied {iterations} times, with the edge scale "
        "fitted on the training pixels and their right and lower neighbours "
        "(`models.training.train.fit_guide`, pairs as `read_training_pixels` takes them); the "
        "baselines' LOPs use the same guide and scale, fitted on their split."
        .format(**BEST_LOP),
        "- RBF-SVM: C and gamma by 3-fold cross-validation on the training pixels only; "
        "posteriors by LIBSVM's pairwise Platt scaling and coupling (scikit-learn "
        "`SVC(probability=True)`), the class is their argmax.",
        "- RBF-SVM on unit-length spectra: the same SVM given the CRNN's scaled "
        "spectra, so the scaling can be judged against what it does for the SVM.",
        "- RBF-SVM, 5x5 input window: the same SVM on the 5x5 mean spectra, so the "
        "spectral-spatial option can be judged against what the SVM does with the same "
        "input.",
        "- Random forest: 500 trees.",
    ]
    ran = {r["method"] for r in result["rows"]}
    baselines = [text for method, text in (
        ("cnn1d", "1-D CNN (Hu et al. 2015: one convolution of ceil(B/9), max-pool, 100 tanh "
                  "units)"),
        ("gru", "GRU over the bands (Mou et al. 2017: 64 units, one band per step)"),
    ) if method in ran]
    if baselines:
        lines.append(
            f"- {' and '.join(baselines)}: as in the "
            f"{'papers' if len(baselines) > 1 else 'paper'}, trained with our "
            f"training_config for {result['baseline_epochs']} epochs, at N = "
            f"{', '.join(map(str, result['baseline_n']))}.")
    if "crnn-semi" in ran:
        semi = SemiSupervisedConfig()
        lines.append(
            "- CRNN, semi-supervised: crnn:train with SEMI_SUPERVISED "
            "(`models.training.semi_supervised.train_semi_supervised`, default "
            "`SemiSupervisedConfig()`): the training pixels' labels grown into the "
            f"pixels within {semi.grow_radius} pixels whose spectral angle to them is at "
            f"most {semi.grow_angle:g} rad (or {semi.grow_noise_factor:g}x the median angle "
            "to the adjacent pixels, if more), then one training on the labelled and grown "
            f"pixels at {semi.grow_cost:g}x the supervised steps (docs/ablation.md, "
            "\"Few labels\"); train s covers all of it.")
    if "label-spreading" in ran:
        lines.append(
            "- Label spreading: the semi-supervised peer, scikit-learn's `LabelSpreading` "
            "(knn graph of 10 neighbours, alpha 0.2) over every pixel of the scene on the "
            "first 30 principal components of the unit-length, standardised spectra, the "
            "training pixels labelled; its label distributions go through the same LOPs.")
    if "svm-grown" in ran:
        lines.append(
            "- RBF-SVM with the grown labels: the unit-length SVM (its hyper-parameters "
            "from the training pixels) fitted on the training pixels and the labels "
            "SEMI_SUPERVISED grows from them (`grown_labels`, the same defaults): a peer "
            "given our unlabelled-pixel step.")
    if "cnn1d-unit" in ran:
        lines.append("- 1-D CNN on unit-length spectra: the same network given the CRNN's "
                     "scaled spectra, with the LOP guide of the CRNN's split.")
    lines += [
        "",
        "## The paper's figures, for reference",
        "",
        "Wu & Prasad (2017) report CRNN-LOP overall accuracies of "
        + ", ".join(f"{v} % (N = {k})" for k, v in PAPER_OA.items())
        + ". They were measured on a different, 19-class Indian Pines scene, so they are a "
        "reference level, not a like-for-like comparison.",
        "",
    ]
    path.write_text("\n".join(lines))


def merged_rows(rows: List[dict], earlier: List[dict]) -> List[dict]:
    """This run's rows, then those of earlier runs for (n, seed, method) not yet covered.

    The first run that has an (n, seed, method) gives its rows; this run's rows win.
    Rows from before rows recorded their thread count get their run's.
    """
    merged = list(rows)
    covered = {(r["n"], r["seed"], r["method"]) for r in rows}
    for result in earlier:
        found = [{"threads": result["threads"], **r} for r in result["rows"]
                 if (r["n"], r["seed"], r["method"]) not in covered]
        covered |= {(r["n"], r["seed"], r["method"]) for r in found}
        merged += found
    return merged


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 200, 300])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--methods", nargs="*",
                        default=[m for m in METHODS if m not in FEW_LABEL_METHODS],
                        choices=METHODS,
                        help="none: train nothing, report the --include files' rows")
    # the published tables' settings (docs/benchmarks.md): Mou's GRU takes minutes a seed
    parser.add_argument("--baseline-epochs", type=int, default=100)
    parser.add_argument("--baseline-n", type=int, nargs="+", default=[200],
                        help="N at which the neural baselines (cnn1d, cnn1d-unit, gru) run")
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks"))
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads (0 = all cores); 1 when runs share the machine")
    parser.add_argument("--blocked", type=int, default=0, metavar="CELL",
                        help="spatially blocked split: train on one side of a checkerboard "
                        "of CELL-pixel cells, test on the other (0 = the protocol's random "
                        "split)")
    parser.add_argument("--include", nargs="+", default=[], metavar="JSON",
                        help="report the rows of these earlier runs' JSON files too (runs "
                        "split over processes); this run's rows replace theirs")
    args = parser.parse_args(argv)
    if not args.methods and not args.include:
        parser.error("with no --methods, give the runs to report with --include")
    included = [json.loads(Path(p).read_text()) for p in args.include]
    splits = {earlier.get("blocked", 0) for earlier in included}
    if args.methods or args.blocked:
        splits.add(args.blocked)
    if len(splits) > 1:
        parser.error("the runs reported together must share one split: --blocked "
                     f"{' and '.join(map(str, sorted(splits)))} were given")
    if args.methods:
        result = run(args.n, args.seeds, args.methods, args.baseline_epochs, args.baseline_n,
                     args.threads, args.blocked)
    else:  # the settings of the first included run, its rows merged below
        result = {**included[0], "rows": []}
    commands = [earlier["command"] for earlier in included]
    if args.methods:
        commands.append("benchmarks/indian_pines.py " + " ".join(argv or sys.argv[1:]))
    # the baselines' epochs are those of the run whose baseline rows are reported
    for source in [result] + included:
        if any(r["method"] in BASELINES for r in source["rows"]):
            result["baseline_epochs"] = source["baseline_epochs"]
            break
    result["rows"] = merged_rows(result["rows"], included)
    result["command"] = "; ".join(commands)
    result["baseline_n"] = sorted({r["n"] for r in result["rows"]
                                   if r["method"] in BASELINES}) or args.baseline_n
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=1))
    write_markdown(result, out.with_suffix(".md"))
    print(out.with_suffix(".md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
