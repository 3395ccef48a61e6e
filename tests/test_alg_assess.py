"""crnn:assess through processing.run on the Indian Pines scene."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException

from hyperspectral_crnn.algorithms.assess import AssessAlgorithm


def _run(params: dict) -> dict:
    import processing

    return processing.run(AssessAlgorithm().create(), params)


def _read(path: str) -> np.ndarray:
    dataset = gdal.Open(path)  # keep the dataset alive while its band is read
    return dataset.GetRasterBand(1).ReadAsArray()


@pytest.fixture(scope="module")
def altered(scene, tmp_path_factory):
    """The ground truth with known changes on test pixels: 50 swapped, 30 unclassified."""
    folder = tmp_path_factory.mktemp("assess")
    path = str(folder / "altered.tif")
    gdal.Translate(path, scene["ground_truth"])  # keeps the class names (.aux.xml)
    gt, test = _read(scene["ground_truth"]), _read(scene["test"])
    rows, cols = np.nonzero(test)
    rng = np.random.default_rng(0)
    picked = rng.choice(rows.size, 80, replace=False)
    changed = gt.copy()
    swap, blank = picked[:50], picked[50:]
    changed[rows[swap], cols[swap]] = gt[rows[swap], cols[swap]] % 16 + 1
    changed[rows[blank], cols[blank]] = 0
    dataset = gdal.Open(path, gdal.GA_Update)
    dataset.GetRasterBand(1).WriteArray(changed)
    dataset = None
    return {"path": path, "changed": changed, "test_pixels": int(rows.size)}


def test_metadata():
    algorithm = AssessAlgorithm()
    assert algorithm.name() == "assess"
    assert algorithm.requires_torch is False
    assert algorithm.group() == "Accuracy" and algorithm.groupId() == "accuracy"
    algorithm.initAlgorithm()
    for key in ("CLASSIFICATION", "REFERENCE", "REFERENCE_FIELD", "OUTPUT_REPORT"):
        assert algorithm.parameterDefinition(key).help(), key
    text = algorithm.shortHelpString()
    assert "Wilson" in text and "unclassified" in text


def test_ground_truth_against_test_pixels_is_perfect(qgis_processing, scene, tmp_path):
    report = str(tmp_path / "report.html")
    result = _run({"CLASSIFICATION": scene["ground_truth"], "REFERENCE": scene["test"],
                   "OUTPUT_REPORT": report})
    assert result["OVERALL_ACCURACY"] == 1.0
    assert result["AVERAGE_ACCURACY"] == 1.0
    assert result["KAPPA"] == pytest.approx(1.0)
    assert result["OUTPUT_REPORT"] == report and os.path.isfile(report)
    data = json.loads(open(result["OUTPUT_JSON"], encoding="utf-8").read())
    assert data["total"] == int((_read(scene["test"]) > 0).sum())
    assert data["class_values"] == list(range(1, 17))
    assert data["class_names"][0] == "Alfalfa"
    assert "Corn-notill" in open(report, encoding="utf-8").read()


def test_changed_pixels_give_the_expected_accuracy(qgis_processing, scene, altered):
    result = _run({"CLASSIFICATION": altered["path"], "REFERENCE": scene["test"]})
    n = altered["test_pixels"]
    assert result["OVERALL_ACCURACY"] == pytest.approx((n - 80) / n)
    assert result["OUTPUT_REPORT"] is None and result["OUTPUT_JSON"] is None


def test_polygons_in_wgs84_give_the_same_numbers(qgis_processing, scene, altered, tmp_path):
    wgs84 = str(tmp_path / "training_wgs84.gpkg")
    gdal.VectorTranslate(wgs84, scene["training"], dstSRS="EPSG:4326", format="GPKG")
    reports = {}
    for name, source, field in (("utm", scene["training"], "class_id"),
                                ("wgs84", wgs84, "class_id"),
                                ("names", wgs84, "class")):
        report = str(tmp_path / f"{name}.html")
        result = _run({"CLASSIFICATION": altered["path"], "REFERENCE": source,
                       "REFERENCE_FIELD": field, "OUTPUT_REPORT": report})
        reports[name] = json.loads(open(result["OUTPUT_JSON"], encoding="utf-8").read())
        reports[name]["result"] = result
    utm = reports["utm"]
    gt, test = _read(scene["ground_truth"]), _read(scene["test"])
    assert utm["total"] == int(((gt > 0) & (test == 0)).sum())  # every training pixel
    for other in ("wgs84", "names"):
        assert reports[other]["matrix"] == utm["matrix"]
        for key in ("OVERALL_ACCURACY", "AVERAGE_ACCURACY", "KAPPA"):
            assert reports[other]["result"][key] == pytest.approx(utm["result"][key])
    # the altered pixels are all test pixels: under the training polygons OA is 1
    assert utm["result"]["OVERALL_ACCURACY"] == 1.0


def test_polygons_see_changed_pixels(qgis_processing, scene, tmp_path):
    """Changing pixels under training polygons lowers the accuracy by exactly that much."""
    path = str(tmp_path / "changed_training.tif")
    gdal.Translate(path, scene["ground_truth"])  # keeps the class names (.aux.xml)
    gt, test = _read(scene["ground_truth"]), _read(scene["test"])
    training = (gt > 0) & (test == 0)
    rows, cols = np.nonzero(training)
    changed = gt.copy()
    changed[rows[:40], cols[:40]] = gt[rows[:40], cols[:40]] % 16 + 1
    dataset = gdal.Open(path, gdal.GA_Update)
    dataset.GetRasterBand(1).WriteArray(changed)
    dataset = None
    wgs84 = str(tmp_path / "training_wgs84.gpkg")
    gdal.VectorTranslate(wgs84, scene["training"], dstSRS="EPSG:4326", format="GPKG")
    n = int(training.sum())
    for source in (scene["training"], wgs84):
        result = _run({"CLASSIFICATION": path, "REFERENCE": source,
                       "REFERENCE_FIELD": "class_id"})
        assert result["OVERALL_ACCURACY"] == pytest.approx((n - 40) / n)


def test_mismatched_grid_is_refused(qgis_processing, scene, tmp_path):
    shifted = str(tmp_path / "shifted.tif")
    gdal.Translate(shifted, scene["test"], srcWin=[1, 0, 144, 145])
    with pytest.raises(QgsProcessingException, match="not on the classification's grid"):
        _run({"CLASSIFICATION": scene["ground_truth"], "REFERENCE": shifted})


def test_polygons_need_a_class_field(qgis_processing, scene):
    with pytest.raises(QgsProcessingException, match="REFERENCE_FIELD"):
        _run({"CLASSIFICATION": scene["ground_truth"], "REFERENCE": scene["training"]})


def test_unknown_class_names_are_listed(qgis_processing, scene, tmp_path):
    unnamed = str(tmp_path / "unnamed.tif")
    shutil.copy(scene["ground_truth"], unnamed)  # without its .aux.xml: no class names
    with pytest.raises(QgsProcessingException, match="Alfalfa"):
        _run({"CLASSIFICATION": unnamed, "REFERENCE": scene["training"],
              "REFERENCE_FIELD": "class"})
