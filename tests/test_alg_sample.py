"""crnn:sample (a stratified random reference sample) and the loop it closes with
crnn:assess: through processing.run, qgis_process and a graphical model that labels the
points from a reference raster (QGIS's own 'Sample raster values')."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import scenes
from osgeo import gdal, ogr
from qgis.core import QgsProcessingException
from test_area_estimates import plain_loop_stratified

from hyperspectral_crnn.algorithms.sample import SampleAlgorithm
from hyperspectral_crnn.models.reports.sample_design import sample_size

REPO = Path(__file__).resolve().parent.parent
ROWS, COLS = 120, 150


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    """A four-class map (UTM, 20 m pixels) and the 'truth': the map with 12 % of its
    pixels in another class."""
    folder = tmp_path_factory.mktemp("sample")
    rng = np.random.default_rng(11)
    values = np.full((ROWS, COLS), 4, np.uint8)
    values[:30, :40] = 1
    values[40:60, :] = 2
    values[70:, 100:] = 3
    truth = values.copy()
    wrong = rng.random((ROWS, COLS)) < 0.12
    truth[wrong] = rng.integers(1, 5, int(wrong.sum()))
    return {"map": scenes.write_raster(folder / "map.tif", values[None], gdal.GDT_Byte,
                                       nodata=0),
            "truth": scenes.write_raster(folder / "truth.tif", truth[None], gdal.GDT_Byte,
                                         nodata=0),
            "values": values, "truth_values": truth, "folder": folder}


def _run(params: dict) -> dict:
    import processing

    return processing.run(SampleAlgorithm().create(), params)


def read_points(path: str, field: str = "reference"):
    source = ogr.Open(path)
    layer = source.GetLayer(0)
    rows = []
    for feature in layer:
        point = feature.GetGeometryRef()
        rows.append({"x": point.GetX(), "y": point.GetY(), "id": feature.GetField("id"),
                     "map_class": feature.GetField("map_class"),
                     "weight": feature.GetField("stratum_wt"),
                     "reference": feature.GetField(field)})
    return rows


def cell(point):
    col = int((point["x"] - scenes.ORIGIN[0]) // scenes.PIXEL)
    row = int((scenes.ORIGIN[1] - point["y"]) // scenes.PIXEL)
    return row, col


def test_the_parameters_exist():
    algorithm = SampleAlgorithm()
    algorithm.initAlgorithm()
    for key in ("CLASSIFICATION", "TARGET_SE", "USERS_ACCURACY", "SAMPLE_SIZE", "ALLOCATION",
                "MIN_PER_CLASS", "AREA", "MIN_DISTANCE", "SEED", "REFERENCE_FIELD",
                "OUTPUT"):
        assert algorithm.parameterDefinition(key) is not None, key
    assert algorithm.name() == "sample" and algorithm.groupId() == "accuracy"


def test_the_sample_is_sized_shared_and_placed_as_asked(qgis_processing, maps, tmp_path):
    out = str(tmp_path / "sample.gpkg")
    result = _run({"CLASSIFICATION": maps["map"], "TARGET_SE": 0.02,
                   "USERS_ACCURACY": "0.8, 3:0.6", "MIN_PER_CLASS": 40, "OUTPUT": out})
    values = maps["values"]
    shares = [float(np.mean(values == v)) for v in (1, 2, 3, 4)]
    n = sample_size(shares, [0.8, 0.8, 0.6, 0.8], 0.02)
    assert result["SAMPLE_SIZE_USED"] == n and result["OUTPUT"] == out
    points = read_points(out)
    assert len(points) == n and [p["id"] for p in points] == list(range(1, n + 1))
    counts = [sum(1 for p in points if p["map_class"] == v) for v in (1, 2, 3, 4)]
    # by hand: class 1 (1 200 of 18 000 pixels) would get 28 of the 426 points in
    # proportion, under the floor of 40; the other classes share the other 386 points
    # in proportion to their 3 000, 2 500 and 11 300 pixels
    assert n == 426 and counts[0] == 40 and sum(counts) == n
    for count, pixels in zip(counts[1:], (3000, 2500, 11300)):
        assert abs(count - 386 * pixels / 16800) < 1
    assert all(values[cell(p)] == p["map_class"] for p in points)
    assert all(p["reference"] is None for p in points)
    for p in points:
        assert p["weight"] == pytest.approx(shares[p["map_class"] - 1])


def test_bad_inputs_are_refused_and_leave_nothing(qgis_processing, maps, tmp_path):
    out = tmp_path / "bad.gpkg"
    with pytest.raises(QgsProcessingException, match="Cannot read the expected user's"):
        _run({"CLASSIFICATION": maps["map"], "USERS_ACCURACY": "high", "OUTPUT": str(out)})
    with pytest.raises(QgsProcessingException, match="class\\(es\\) the map does not have: 9"):
        _run({"CLASSIFICATION": maps["map"], "USERS_ACCURACY": "9:0.7", "OUTPUT": str(out)})
    with pytest.raises(QgsProcessingException, match="needs a name of its own"):
        _run({"CLASSIFICATION": maps["map"], "REFERENCE_FIELD": "map_class",
              "SAMPLE_SIZE": 40, "OUTPUT": str(out)})
    assert not out.exists()


def test_a_shapefile_sample_and_classes_with_too_few_points(qgis_processing, maps, tmp_path):
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    class Warnings(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.lines = []

        def pushWarning(self, text):
            self.lines.append(text)

    feedback = Warnings()
    out = str(tmp_path / "sample.shp")
    processing.run(SampleAlgorithm().create(), {
        "CLASSIFICATION": maps["map"], "SAMPLE_SIZE": 12, "ALLOCATION": "proportional",
        "OUTPUT": out}, context=QgsProcessingContext(), feedback=feedback)
    points = read_points(out)  # in proportion: 0.8, 2.0, 1.7 and 7.5 points
    assert len(points) == 12 and all(p["reference"] is None for p in points)
    assert any("fewer than 2 points: 1 (" in line for line in feedback.lines)
    with pytest.raises(QgsProcessingException, match="at most 10 letters"):
        _run({"CLASSIFICATION": maps["map"], "SAMPLE_SIZE": 30,
              "REFERENCE_FIELD": "reference_class", "OUTPUT": str(tmp_path / "b.shp")})


def test_points_fall_in_the_area_given_in_another_crs(qgis_processing, maps, tmp_path):
    """A rectangle over rows 10-49 and columns 20-79, drawn in WGS 84."""
    from osgeo import osr

    utm, wgs84 = osr.SpatialReference(), osr.SpatialReference()
    utm.ImportFromEPSG(32616)
    wgs84.ImportFromEPSG(4326)
    for srs in (utm, wgs84):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    to_wgs84 = osr.CoordinateTransformation(utm, wgs84)
    x0, y0 = scenes.ORIGIN[0] + 20 * scenes.PIXEL, scenes.ORIGIN[1] - 10 * scenes.PIXEL
    x1, y1 = x0 + 60 * scenes.PIXEL, y0 - 40 * scenes.PIXEL
    ring = ", ".join("{} {}".format(*to_wgs84.TransformPoint(x, y)[:2])
                     for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)))
    area = str(tmp_path / "area.gpkg")
    source = ogr.GetDriverByName("GPKG").CreateDataSource(area)
    layer = source.CreateLayer("area", wgs84, ogr.wkbPolygon)
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetGeometry(ogr.CreateGeometryFromWkt(f"POLYGON(({ring}))"))
    layer.CreateFeature(feature)
    feature = layer = source = None
    out = str(tmp_path / "sample.gpkg")
    _run({"CLASSIFICATION": maps["map"], "SAMPLE_SIZE": 60, "ALLOCATION": "equal",
          "AREA": area, "OUTPUT": out})
    points = read_points(out)
    assert len(points) == 60
    for p in points:
        row, col = cell(p)
        assert 10 <= row < 50 and 20 <= col < 80, (row, col)
    # weights are the classes' shares of the area: 20 x 20 of class 1 (rows 10-29,
    # columns 20-39), 10 x 60 of class 2 (rows 40-49), the rest class 4 (class 3 lies
    # outside)
    weights = {p["map_class"]: p["weight"] for p in points}
    assert weights == pytest.approx({1: 400 / 2400, 2: 600 / 2400, 4: 1400 / 2400})


def fill_reference(path: str, truth: np.ndarray) -> list:
    """What a user does in QGIS: type each point's reference class (here: the truth)."""
    source = ogr.Open(path, 1)
    layer = source.GetLayer(0)
    for feature in layer:
        row, col = cell({"x": feature.GetGeometryRef().GetX(),
                         "y": feature.GetGeometryRef().GetY()})
        feature.SetField("reference", int(truth[row, col]))
        layer.SetFeature(feature)
    source = None
    return read_points(path)


@pytest.mark.skipif(not os.path.exists("/usr/bin/qgis_process.bin"),
                    reason="qgis_process is not installed")
def test_sample_then_assess_through_qgis_process(maps, tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "QGIS_PLUGINPATH")}
    env["CRNN_QGIS_CONFIG"] = str(tmp_path / "qgis")

    def run(algorithm, *args):
        done = subprocess.run([str(REPO / "scripts" / "qgis_process"), "--json", "run",
                               algorithm, "--", *args], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout[done.stdout.index("{"):])["results"]

    sample = str(tmp_path / "sample.gpkg")
    run("crnn:sample", f"CLASSIFICATION={maps['map']}", "SAMPLE_SIZE=300",
        "ALLOCATION=equal", "SEED=4", f"OUTPUT={sample}")
    points = fill_reference(sample, maps["truth_values"])
    results = run("crnn:assess", f"CLASSIFICATION={maps['map']}", f"REFERENCE={sample}",
                  "REFERENCE_FIELD=reference", "SAMPLING_DESIGN=stratified",
                  f"OUTPUT_REPORT={tmp_path / 'accuracy.html'}")
    block = json.loads(Path(results["OUTPUT_JSON"]).read_text())["stratified"]
    counts = np.zeros((4, 4), int)
    for p in points:
        counts[p["map_class"] - 1, p["reference"] - 1] += 1
    map_pixels = [int(np.sum(maps["values"] == v)) for v in (1, 2, 3, 4)]
    column, se_share, users, _, producers, _, oa, se_oa = plain_loop_stratified(
        counts.tolist(), map_pixels)
    hectares = scenes.PIXEL ** 2 / 10_000 * sum(map_pixels)
    assert block["overall_accuracy"]["estimate"] == pytest.approx(oa)
    assert block["overall_accuracy"]["ci95"] == pytest.approx(1.96 * se_oa)
    for k, c in enumerate(block["classes"]):
        assert c["area"] == pytest.approx(column[k] * hectares)
        assert c["area_ci95"] == pytest.approx(1.96 * se_share[k] * hectares)
        assert c["users_accuracy"] == pytest.approx(users[k])
        assert c["producers_accuracy"] == pytest.approx(producers[k])


def test_a_graphical_model_samples_labels_and_assesses(qgis_processing, provider, maps,
                                                       tmp_path):
    """crnn:sample -> 'Sample raster values' (the reference raster's class at each point)
    -> crnn:assess, as a model built with the API the Graphical Modeler uses."""
    import processing
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelOutput,
        QgsProcessingParameterRasterLayer,
    )
    from qgis.core import QgsProcessingModelChildParameterSource as Source

    model = QgsProcessingModelAlgorithm("sample and assess", "tests", "sampleassess")
    for name in ("MAP", "TRUTH"):
        model.addModelParameter(QgsProcessingParameterRasterLayer(name, name),
                                _model_parameter(name))
    steps = [
        ("crnn:sample", "sample", {"CLASSIFICATION": Source.fromModelParameter("MAP"),
                                    "SAMPLE_SIZE": Source.fromStaticValue(200),
                                    "SEED": Source.fromStaticValue(2)}, {}),
        ("native:rastersampling", "label", {
            "INPUT": Source.fromChildOutput("sample", "OUTPUT"),
            "RASTERCOPY": Source.fromModelParameter("TRUTH"),
            "COLUMN_PREFIX": Source.fromStaticValue("truth_")}, {}),
        ("crnn:assess", "assess", {
            "CLASSIFICATION": Source.fromModelParameter("MAP"),
            "REFERENCE": Source.fromChildOutput("label", "OUTPUT"),
            "REFERENCE_FIELD": Source.fromStaticValue("truth_1")},
         {"OUTPUT_REPORT": "report"}),
    ]
    for algorithm_id, child_id, sources, outputs in steps:
        step = QgsProcessingModelChildAlgorithm(algorithm_id)
        step.setChildId(child_id)
        for key, source in sources.items():
            step.addParameterSources(key, [source])
        model_outputs = {}
        for key, name in outputs.items():
            output = QgsProcessingModelOutput(name)
            output.setChildOutputName(key)
            output.setChildId(child_id)
            model_outputs[name] = output
        step.setModelOutputs(model_outputs)
        model.addChildAlgorithm(step)
    report = str(tmp_path / "report.html")
    processing.run(model, {"MAP": maps["map"], "TRUTH": maps["truth"],
                           "assess:report": report})
    data = json.loads(Path(report).with_suffix(".json").read_text())
    assert data["total"] == 200 and data["stratified"]["design"] == "stratified"
    assert 0.7 < data["stratified"]["overall_accuracy"]["estimate"] < 1.0


def _model_parameter(name: str):
    from qgis.core import QgsProcessingModelParameter

    return QgsProcessingModelParameter(name)
