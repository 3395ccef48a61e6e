"""The accuracy core: hand-computed figures, sklearn agreement, rasters read in strips."""

from __future__ import annotations

import json

import numpy as np
import pytest
from osgeo import gdal, osr

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.reports.assessment import assess_arrays, wilson_interval
from hyperspectral_crnn.models.reports.assessment_rasters import (
    ReferenceWindow,
    assess_raster,
    rasterise_reference,
)
from hyperspectral_crnn.models.reports.assessment_report import (
    json_path_for,
    render_html,
    write_report,
)

# Every core GDAL call behaves the same with GDAL exceptions off (QGIS 3.22) and on
# (QGIS 3.40+): each test runs in both (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("gdal_exceptions_mode")

# rows = reference, columns = predicted (classes 1, 2, 3)
HAND_MATRIX = np.array([[50, 3, 2],
                        [5, 40, 5],
                        [0, 10, 35]])


def _labels_from(matrix: np.ndarray, values=(1, 2, 3)):
    reference, predicted = [], []
    for i, ref in enumerate(values):
        for j, pred in enumerate(values):
            reference += [ref] * int(matrix[i, j])
            predicted += [pred] * int(matrix[i, j])
    return np.array(reference), np.array(predicted)


def test_hand_computed_example():
    reference, predicted = _labels_from(HAND_MATRIX)
    result = assess_arrays(reference, predicted)
    assert result.class_values == [1, 2, 3]
    assert result.matrix[:, :3].tolist() == HAND_MATRIX.tolist()
    assert result.matrix[:, 3].tolist() == [0, 0, 0]
    assert result.overall_accuracy == pytest.approx(125 / 150)
    # p_e = (55*55 + 50*53 + 45*42) / 150^2 = 7565 / 22500
    # kappa = (18750 - 7565) / (22500 - 7565) = 11185 / 14935
    assert result.kappa == pytest.approx(11185 / 14935)
    assert result.producers_accuracy == pytest.approx([50 / 55, 40 / 50, 35 / 45])
    assert result.users_accuracy == pytest.approx([50 / 55, 40 / 53, 35 / 42])
    assert result.average_accuracy == pytest.approx((50 / 55 + 40 / 50 + 35 / 45) / 3)
    pa, ua = 40 / 50, 40 / 53
    assert result.f1[1] == pytest.approx(2 * pa * ua / (pa + ua))
    assert result.class_names == ["Class 1", "Class 2", "Class 3"]


def test_wilson_interval_known_value():
    # p = 0.5, n = 100: centre 0.5, half-width z*sqrt(0.25/100 + z^2/40000)/(1 + z^2/100)
    low, high = wilson_interval(50, 100)
    assert (low + high) / 2 == pytest.approx(0.5)
    assert low == pytest.approx(0.4038, abs=1e-4) and high == pytest.approx(0.5962, abs=1e-4)
    low, high = wilson_interval(10, 10)
    # all correct: [n / (n + z^2), 1], never a [1, 1] interval
    assert high == pytest.approx(1.0) and low == pytest.approx(10 / (10 + 1.959964**2))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agrees_with_sklearn_on_random_labels(seed):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    reference = rng.integers(1, 7, 2000)
    predicted = np.where(rng.random(2000) < 0.6, reference, rng.integers(1, 8, 2000))
    result = assess_arrays(reference, predicted)
    labels = result.class_values
    expected = metrics.confusion_matrix(reference, predicted, labels=labels)
    assert result.matrix[:, :-1].tolist() == expected.tolist()
    assert result.kappa == pytest.approx(metrics.cohen_kappa_score(reference, predicted))
    assert result.overall_accuracy == pytest.approx(metrics.accuracy_score(reference, predicted))
    present = result.reference_totals > 0
    recall = metrics.recall_score(reference, predicted, labels=labels, average=None,
                                  zero_division=0)
    assert result.producers_accuracy[present] == pytest.approx(recall[present])
    assert result.average_accuracy == pytest.approx(recall[present].mean())
    precision = metrics.precision_score(reference, predicted, labels=labels, average=None,
                                        zero_division=0)
    assert np.nan_to_num(result.users_accuracy) == pytest.approx(precision)


def test_unclassified_pixels_are_errors_like_an_extra_class():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(5)
    reference = rng.integers(1, 5, 1000)
    predicted = np.where(rng.random(1000) < 0.7, reference, rng.integers(1, 5, 1000))
    missing = rng.random(1000) < 0.1
    result = assess_arrays(reference, predicted, unclassified=missing)
    assert result.unclassified == int(missing.sum())
    assert result.total == 1000
    as_class = np.where(missing, -1, predicted)  # sklearn: unclassified = class never in reference
    assert result.overall_accuracy == pytest.approx(metrics.accuracy_score(reference, as_class))
    assert result.kappa == pytest.approx(metrics.cohen_kappa_score(reference, as_class))


def test_reference_zero_is_unlabelled_and_empty_reference_is_explained():
    result = assess_arrays(np.array([0, 0, 1, 2]), np.array([1, 2, 1, 1]))
    assert result.total == 2 and result.overall_accuracy == 0.5
    with pytest.raises(CrnnError, match="no labelled pixel"):
        assess_arrays(np.zeros(4, int), np.ones(4, int))


def _raster(path, array, nodata=None, transform=(1000.0, 10.0, 0.0, 2000.0, 0.0, -10.0),
            names=None, dtype=gdal.GDT_Byte):
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), array.shape[1], array.shape[0],
                                                   1, dtype)
    dataset.SetGeoTransform(transform)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32616)
    dataset.SetSpatialRef(srs)
    band = dataset.GetRasterBand(1)
    if nodata is not None:
        band.SetNoDataValue(nodata)
    if names:
        band.SetCategoryNames(names)
    band.WriteArray(array)
    dataset = None
    return str(path)


@pytest.fixture
def label_pair(tmp_path):
    rng = np.random.default_rng(3)
    reference = rng.integers(0, 4, (53, 41)).astype(np.uint8)
    classified = np.where(rng.random((53, 41)) < 0.8, reference, rng.integers(1, 4, (53, 41)))
    classified[reference == 0] = rng.integers(1, 4, int((reference == 0).sum()))
    classified[:3, :5] = 255  # nodata
    ref_path = _raster(tmp_path / "ref.tif", reference, nodata=0)
    cls_path = _raster(tmp_path / "cls.tif", classified.astype(np.uint8), nodata=255,
                       names=["none", "water", "forest", "field"])
    return reference, classified, ref_path, cls_path


def test_raster_strips_give_the_array_result(label_pair):
    reference, classified, ref_path, cls_path = label_pair
    expected = assess_arrays(reference, classified, unclassified=classified == 255)
    fractions = []
    result = assess_raster(cls_path, ref_path, rows_per_read=7, progress=fractions.append)
    assert result.matrix.tolist() == expected.matrix.tolist()
    assert result.unclassified == int(((classified == 255) & (reference > 0)).sum()) > 0
    assert result.class_names == ["water", "forest", "field"]
    assert fractions[-1] == pytest.approx(1.0)


def test_mismatched_grid_is_explained(label_pair, tmp_path):
    reference, _, _, cls_path = label_pair
    shifted = _raster(tmp_path / "shifted.tif", reference,
                      transform=(1005.0, 10.0, 0.0, 2000.0, 0.0, -10.0))
    with pytest.raises(CrnnError, match="not on the classification's grid.*Align"):
        assess_raster(cls_path, shifted)


def test_polygons_burn_by_pixel_centres(label_pair):
    _, classified, _, cls_path = label_pair
    from osgeo import ogr

    # a square covering pixel centres of rows 10-19, cols 20-29 labelled class 2
    square = ogr.CreateGeometryFromWkt(
        "POLYGON ((1200 1900, 1300 1900, 1300 1800, 1200 1800, 1200 1900))")
    window = rasterise_reference(gdal.Open(cls_path), [(square.ExportToWkb(), 2)])
    assert isinstance(window, ReferenceWindow)
    assert int((window.values == 2).sum()) == 100
    result = assess_raster(cls_path, window)
    assert result.total == 100
    assert result.correct == int((classified[10:20, 20:30] == 2).sum())

    far = ogr.CreateGeometryFromWkt("POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))")
    with pytest.raises(CrnnError, match="No reference polygon overlaps"):
        rasterise_reference(gdal.Open(cls_path), [(far.ExportToWkb(), 1)])


def test_overlapping_reference_polygons_of_two_classes_leave_their_pixels_out(label_pair):
    """A pixel under polygons of classes 1 and 2 has no reference class: it is neither
    class (the later polygon used to win silently) and the result says how many."""
    _, classified, _, cls_path = label_pair
    from osgeo import ogr

    # rows 10-19 x cols 20-29 (class 2) and rows 10-19 x cols 25-34 (class 1): 50 shared
    two = ogr.CreateGeometryFromWkt(
        "POLYGON ((1200 1900, 1300 1900, 1300 1800, 1200 1800, 1200 1900))")
    one = ogr.CreateGeometryFromWkt(
        "POLYGON ((1250 1900, 1350 1900, 1350 1800, 1250 1800, 1250 1900))")
    same = ogr.CreateGeometryFromWkt(  # class 2 again over class 2: no conflict
        "POLYGON ((1200 1900, 1220 1900, 1220 1880, 1200 1880, 1200 1900))")
    window = rasterise_reference(gdal.Open(cls_path), [(two.ExportToWkb(), 2),
                                                       (one.ExportToWkb(), 1),
                                                       (same.ExportToWkb(), 2)])
    assert window.contested == 50
    assert int((window.values == 2).sum()) == 50 and int((window.values == 1).sum()) == 50
    rows = slice(10 - window.row0, 20 - window.row0)
    assert not window.values[rows, 25 - window.col0:30 - window.col0].any()  # shared
    result = assess_raster(cls_path, window)
    assert result.total == 100
    expected = int((classified[10:20, 20:25] == 2).sum() + (classified[10:20, 30:35] == 1).sum())
    assert result.correct == expected
    assert any("50 pixel(s) lie under reference polygons of different classes" in note
               for note in result.notes)


def test_a_report_that_cannot_be_written_leaves_neither_file(label_pair, tmp_path):
    """Report and JSON are written both or neither: a folder where the JSON goes fails
    the write, with a message, and leaves no HTML (nor staging folder) behind."""
    _, _, ref_path, cls_path = label_pair
    result = assess_raster(cls_path, ref_path)
    out = tmp_path / "out"
    (out / "report.json").mkdir(parents=True)
    with pytest.raises(CrnnError, match="Cannot write the accuracy report"):
        write_report(result, str(out / "report.html"))
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]
    assert not any((out / "report.json").iterdir())


def test_report_files(label_pair, tmp_path):
    reference, classified, ref_path, cls_path = label_pair
    result = assess_raster(cls_path, ref_path)
    html_path = str(tmp_path / "out" / "report.html")
    json_path = write_report(result, html_path)
    assert json_path == json_path_for(html_path) == str(tmp_path / "out" / "report.json")
    data = json.loads(open(json_path, encoding="utf-8").read())
    assert data["matrix"] == result.matrix.tolist()
    assert data["class_values"] == [1, 2, 3]
    assert data["kappa"] == pytest.approx(result.kappa)
    assert "rows = reference" in data["matrix_layout"]
    text = open(html_path, encoding="utf-8").read()
    assert "<style>" in text and "http" not in text.replace("http-equiv", "")
    assert "Rows are reference classes" in text and "Wilson" in text
    assert text.count("<tr>") >= 3 + 2
    # no temporary files left beside the outputs
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.json"]
    # sections are pluggable
    assert render_html(result, sections=[lambda a: "<p>extra</p>"]).count("extra") == 1
