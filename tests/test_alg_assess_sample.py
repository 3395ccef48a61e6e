"""crnn:assess with a reference sample: points, SAMPLING_DESIGN and STRATA, through
qgis_process and processing.run. The map and points rebuild Olofsson et al. (2014)'s
worked example (section 5) at 1/100 of its pixels with 100 times their area, so the
paper's printed hectares must come out."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr
from qgis.core import QgsProcessingException

from hyperspectral_crnn.algorithms.assess import AssessAlgorithm

REPO = Path(__file__).resolve().parent.parent
WRAPPER = REPO / "scripts" / "qgis_process"
COUNTS = np.array([[66, 0, 5, 4], [0, 55, 8, 12], [1, 0, 153, 11], [2, 1, 9, 313]])
ROWS, COLS = 250, 400
PIXEL = 300.0  # 9 ha: 100 x the paper's 0.09 ha, with 1/100 of its pixels
ORIGIN = (400_000.0, 4_500_000.0)
BLOCKS = [2_000, 1_500, 32_000, 64_500]  # 1/100 of the paper's map areas in pixels


def write_map(path: Path, epsg: int = 32616) -> np.ndarray:
    values = np.repeat(np.arange(1, 5, dtype=np.uint8), BLOCKS).reshape(ROWS, COLS)
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), COLS, ROWS, 1, gdal.GDT_Byte)
    dataset.SetGeoTransform((ORIGIN[0], PIXEL, 0, ORIGIN[1], 0, -PIXEL))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    dataset.SetProjection(srs.ExportToWkt())
    dataset.GetRasterBand(1).WriteArray(values)
    dataset.GetRasterBand(1).SetNoDataValue(0)
    dataset = None
    return values


def point_cells(values: np.ndarray):
    """(row, col, reference class) of the sample: for map class i, counts[i, j] points
    with reference j, spread over the class's pixels."""
    cells = []
    for i, row in enumerate(COUNTS):
        pixels = np.flatnonzero(values.ravel() == i + 1)
        picked = pixels[np.linspace(0, len(pixels) - 1, row.sum()).astype(int)]
        truth = np.repeat(np.arange(1, 5), row)
        cells += [(int(p // COLS), int(p % COLS), int(t)) for p, t in zip(picked, truth)]
    return cells


def write_points(path: Path, cells, epsg: int = 4326) -> str:
    """The sample as a GeoPackage of points in ``epsg`` (pixel centres, reprojected)."""
    utm, target = osr.SpatialReference(), osr.SpatialReference()
    utm.ImportFromEPSG(32616)
    target.ImportFromEPSG(epsg)
    for srs in (utm, target):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    transform = osr.CoordinateTransformation(utm, target)
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = source.CreateLayer("sample", target, ogr.wkbPoint)
    layer.CreateField(ogr.FieldDefn("ref", ogr.OFTInteger))
    for row, col, truth in cells:
        x, y = ORIGIN[0] + (col + 0.5) * PIXEL, ORIGIN[1] - (row + 0.5) * PIXEL
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(*transform.TransformPoint(x, y)[:2])
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(point)
        feature.SetField("ref", truth)
        layer.CreateFeature(feature)
    source = None
    return str(path)


@pytest.fixture(scope="module")
def olofsson(tmp_path_factory):
    folder = tmp_path_factory.mktemp("olofsson")
    values = write_map(folder / "map.tif")
    cells = point_cells(values)
    return {"map": str(folder / "map.tif"), "values": values, "cells": cells,
            "points": write_points(folder / "sample.gpkg", cells), "folder": folder}


def qgis_process(tmp_path: Path, *args: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "QGIS_PLUGINPATH")}
    env["CRNN_QGIS_CONFIG"] = str(tmp_path / "qgis")
    done = subprocess.run([str(WRAPPER), "--json", "run", "crnn:assess", "--", *args],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout[done.stdout.index("{"):])


def check_olofsson_figures(block: dict) -> None:
    """The paper's section 5.2, as printed (areas in whole hectares)."""
    assert block["design"] == "stratified" and block["area_unit"] == "ha"
    first = block["classes"][0]
    assert (round(first["area"]), round(first["area_ci95"])) == (21_158, 6_158)
    assert first["map_area"] == pytest.approx(18_000.0)
    assert (round(first["users_accuracy"], 2), round(first["users_ci95"], 3)) == (0.88, 0.074)
    assert (round(first["producers_accuracy"], 3),
            round(first["producers_ci95"], 3)) == (0.749, 0.213)
    assert [round(c["area"]) for c in block["classes"]] == [21_158, 11_686, 285_770, 581_386]
    overall = block["overall_accuracy"]
    assert (round(overall["estimate"], 3), round(overall["ci95"], 3)) == (0.947, 0.018)
    assert block["map_area_unit"] == "square metre"  # and the areas in it: m2 = 1e4 ha
    assert first["area_map_units"] == pytest.approx(first["area"] * 1e4)
    assert first["area_ci95_map_units"] == pytest.approx(first["area_ci95"] * 1e4)
    assert first["map_area_map_units"] == pytest.approx(18_000.0 * 1e4)


@pytest.mark.skipif(not os.path.exists("/usr/bin/qgis_process.bin"),
                    reason="qgis_process is not installed")
def test_points_in_another_crs_give_the_papers_areas_through_qgis_process(olofsson,
                                                                          tmp_path):
    report = tmp_path / "report.html"
    result = qgis_process(tmp_path, f"CLASSIFICATION={olofsson['map']}",
                          f"REFERENCE={olofsson['points']}", "REFERENCE_FIELD=ref",
                          "SAMPLING_DESIGN=stratified", f"OUTPUT_REPORT={report}")
    data = json.loads(Path(result["results"]["OUTPUT_JSON"]).read_text())
    check_olofsson_figures(data["stratified"])
    assert data["total"] == 640  # the point-count matrix beside the estimates
    assert result["results"]["OVERALL_ACCURACY"] == pytest.approx(587 / 640)
    page = report.read_text()
    assert "Area and accuracy estimated from the sample" in page
    assert "21,157.8 &plusmn; 6,157.6" in page


def write_boxes(path: Path, boxes) -> Path:
    """Reference polygons (row, col, rows, cols, class) on the map's grid, field 'ref'."""
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32616)
    layer = source.CreateLayer("reference", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("ref", ogr.OFTInteger))
    for row, col, rows, cols, value in boxes:
        x0, y0 = ORIGIN[0] + col * PIXEL, ORIGIN[1] - row * PIXEL
        x1, y1 = x0 + cols * PIXEL, y0 - rows * PIXEL
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkt(
            f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"))
        feature.SetField("ref", value)
        layer.CreateFeature(feature)
    source = layer = None
    return path


def _run(params: dict) -> dict:
    import processing

    return processing.run(AssessAlgorithm().create(), params)


def _stratified(result: dict) -> dict:
    return json.loads(Path(result["OUTPUT_JSON"]).read_text()).get("stratified")


def test_the_parameters_exist():
    algorithm = AssessAlgorithm()
    algorithm.initAlgorithm()
    design = algorithm.parameterDefinition("SAMPLING_DESIGN")
    assert design.options() == ["auto", "none", "simple", "stratified", "strata", "clusters"]
    assert algorithm.parameterDefinition("STRATA") is not None


def test_points_default_to_the_stratified_design(qgis_processing, olofsson, tmp_path):
    result = _run({"CLASSIFICATION": olofsson["map"], "REFERENCE": olofsson["points"],
                   "REFERENCE_FIELD": "ref", "OUTPUT_REPORT": str(tmp_path / "r.html")})
    check_olofsson_figures(_stratified(result))


def test_strata_design_reads_the_strata_raster(qgis_processing, olofsson, tmp_path):
    """Strata that equal the map's classes give the stratified design's figures."""
    strata = str(tmp_path / "strata.tif")
    gdal.Translate(strata, olofsson["map"])
    result = _run({"CLASSIFICATION": olofsson["map"], "REFERENCE": olofsson["points"],
                   "REFERENCE_FIELD": "ref", "SAMPLING_DESIGN": "strata", "STRATA": strata,
                   "OUTPUT_REPORT": str(tmp_path / "r.html")})
    block = _stratified(result)
    assert block["design"] == "strata"
    assert round(block["classes"][0]["area"]) == 21_158
    with pytest.raises(QgsProcessingException, match="needs the strata raster"):
        _run({"CLASSIFICATION": olofsson["map"], "REFERENCE": olofsson["points"],
              "REFERENCE_FIELD": "ref", "SAMPLING_DESIGN": "strata"})


def test_polygons_are_clusters_with_a_wider_interval(qgis_processing, olofsson, tmp_path):
    """Six reference polygons, one of them half wrong: each is a cluster."""
    boxes = [(0, 0, 5, 4, 1), (0, 10, 5, 4, 1), (8, 0, 3, 10, 3), (20, 5, 4, 4, 3),
             (100, 10, 6, 6, 4), (200, 50, 5, 5, 4)]  # row, col, rows, cols, class
    path = write_boxes(tmp_path / "polygons.gpkg", boxes)
    plain = _run({"CLASSIFICATION": olofsson["map"], "REFERENCE": str(path),
                  "REFERENCE_FIELD": "ref", "OUTPUT_REPORT": str(tmp_path / "p.html")})
    assert _stratified(plain) is None  # hand-drawn polygons: no estimate unless asked
    result = _run({"CLASSIFICATION": olofsson["map"], "REFERENCE": str(path),
                   "REFERENCE_FIELD": "ref", "SAMPLING_DESIGN": "clusters",
                   "OUTPUT_REPORT": str(tmp_path / "r.html")})
    block = _stratified(result)
    assert block["design"] == "clusters"
    data = json.loads(Path(result["OUTPUT_JSON"]).read_text())
    low, high = data["overall_accuracy_ci95"]
    assert block["overall_accuracy"]["estimate"] == pytest.approx(data["overall_accuracy"])
    assert 2 * block["overall_accuracy"]["ci95"] > 2 * (high - low)  # twice as wide


def test_designs_that_do_not_fit_are_refused(qgis_processing, olofsson, tmp_path):
    with pytest.raises(QgsProcessingException, match="each reference polygon as a cluster"):
        _run({"CLASSIFICATION": olofsson["map"], "REFERENCE": olofsson["points"],
              "REFERENCE_FIELD": "ref", "SAMPLING_DESIGN": "clusters"})
    with pytest.raises(QgsProcessingException, match="needs the strata raster"):
        _run({"CLASSIFICATION": olofsson["map"], "REFERENCE": olofsson["points"],
              "REFERENCE_FIELD": "ref", "SAMPLING_DESIGN": "strata"})


def test_a_map_in_degrees_gets_the_matrix_and_no_areas(qgis_processing, tmp_path):
    """Pixels in degrees differ in area: a design asked for is refused, 'auto' gives the
    confusion matrix alone."""
    values = np.repeat(np.arange(1, 5, dtype=np.uint8), 25).reshape(10, 10)
    degrees = str(tmp_path / "degrees.tif")
    dataset = gdal.GetDriverByName("GTiff").Create(degrees, 10, 10, 1, gdal.GDT_Byte)
    dataset.SetGeoTransform((10.0, 0.001, 0, 50.0, 0, -0.001))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    dataset.SetProjection(srs.ExportToWkt())
    dataset.GetRasterBand(1).WriteArray(values)
    dataset = None
    points = str(tmp_path / "points.gpkg")
    source = ogr.GetDriverByName("GPKG").CreateDataSource(points)
    layer = source.CreateLayer("points", srs, ogr.wkbPoint)
    layer.CreateField(ogr.FieldDefn("ref", ogr.OFTInteger))
    for row, col in ((1, 1), (4, 5), (8, 2)):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkt(
            f"POINT ({10.0 + (col + 0.5) * 0.001} {50.0 - (row + 0.5) * 0.001})"))
        feature.SetField("ref", int(values[row, col]))
        layer.CreateFeature(feature)
    source = layer = None
    result = _run({"CLASSIFICATION": degrees, "REFERENCE": points, "REFERENCE_FIELD": "ref",
                   "OUTPUT_REPORT": str(tmp_path / "a.html")})
    assert result["OVERALL_ACCURACY"] == 1.0 and _stratified(result) is None
    with pytest.raises(QgsProcessingException, match="geographic coordinates"):
        _run({"CLASSIFICATION": degrees, "REFERENCE": points, "REFERENCE_FIELD": "ref",
              "SAMPLING_DESIGN": "stratified", "OUTPUT_REPORT": str(tmp_path / "r.html")})
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "r.json").exists()


def test_one_reference_polygon_as_a_cluster(qgis_processing, olofsson, tmp_path):
    path = write_boxes(tmp_path / "one.gpkg", [(150, 100, 3, 3, 4)])
    result = _run({"CLASSIFICATION": olofsson["map"], "REFERENCE": str(path),
                   "REFERENCE_FIELD": "ref", "SAMPLING_DESIGN": "clusters",
                   "OUTPUT_REPORT": str(tmp_path / "r.html")})
    block = _stratified(result)
    assert block["overall_accuracy"] == {"estimate": 1.0, "ci95": None}
    assert any("One reference cluster" in note for note in block["notes"])


def test_a_label_raster_gets_no_estimate_unless_asked(qgis_processing, olofsson, tmp_path):
    reference = str(tmp_path / "truth.tif")
    gdal.Translate(reference, olofsson["map"])
    plain = _run({"CLASSIFICATION": olofsson["map"], "REFERENCE": reference,
                  "OUTPUT_REPORT": str(tmp_path / "a.html")})
    assert _stratified(plain) is None
    simple = _run({"CLASSIFICATION": olofsson["map"], "REFERENCE": reference,
                   "SAMPLING_DESIGN": "simple", "OUTPUT_REPORT": str(tmp_path / "b.html")})
    block = _stratified(simple)
    assert block["overall_accuracy"]["estimate"] == 1.0
    assert [c["area"] for c in block["classes"]] == pytest.approx(
        [c["map_area"] for c in block["classes"]])
