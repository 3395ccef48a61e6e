"""models/reports/assessment.py's figures against plain counts and textbook formulas written out
here (loops over pixels, the Wilson bounds as the roots of their quadratic), on random
labels (hypothesis), and its raster reading by hand: nodata of integer and float
rasters, names, colours, grids, overlap, strips (``make mutation``'s assessment target).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from osgeo import gdal, ogr, osr

from hyperspectral_crnn.models.common.errors import CancelledError, CrnnError
from hyperspectral_crnn.models.reports.assessment import (
    Assessment,
    assess_arrays,
    match_class_names,
    wilson_interval,
)
from hyperspectral_crnn.models.reports.assessment_rasters import (
    ReferenceWindow,
    _check_overlap,
    as_classes,
    assess_raster,
    band_classes,
    check_same_grid,
    missing_mask,
    rasterise_reference,
)

Z = 1.959963984540054


def plain(reference, predicted, missing):
    """The confusion matrix by a loop over the pixels, and the figures by their
    textbook definitions (Congalton and Green), unclassified pixels as errors."""
    values = sorted({int(r) for r, m in zip(reference, missing) if r != 0}
                    | {int(p) for r, p, m in zip(reference, predicted, missing)
                       if r != 0 and not m})
    k = len(values)
    matrix = [[0] * (k + 1) for _ in range(k)]
    for r, p, m in zip(reference, predicted, missing):
        if r == 0:
            continue
        matrix[values.index(int(r))][k if m else values.index(int(p))] += 1
    n = sum(map(sum, matrix))
    correct = sum(matrix[i][i] for i in range(k))
    rows = [sum(matrix[i]) for i in range(k)]
    cols = [sum(matrix[i][j] for i in range(k)) for j in range(k)]
    producers = [matrix[i][i] / rows[i] if rows[i] else math.nan for i in range(k)]
    users = [matrix[i][i] / cols[i] if cols[i] else math.nan for i in range(k)]
    f1 = []
    for pa, ua in zip(producers, users):
        if math.isnan(pa) or math.isnan(ua):
            f1.append(math.nan)
        else:
            f1.append(0.0 if pa + ua == 0 else 2 * pa * ua / (pa + ua))
    present = [pa for pa, r in zip(producers, rows) if r]
    oa = correct / n if n else math.nan
    pe = sum(rows[i] * cols[i] for i in range(k)) / (n * n) if n else math.nan
    kappa = (oa - pe) / (1 - pe) if n and pe != 1 else (1.0 if oa == 1 else 0.0)
    return dict(values=values, matrix=matrix, n=n, correct=correct, rows=rows, cols=cols,
                producers=producers, users=users, f1=f1, oa=oa, kappa=kappa,
                aa=sum(present) / len(present) if present else math.nan,
                unclassified=sum(matrix[i][k] for i in range(k)))


def same(a, b):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-12,
                               atol=1e-12, equal_nan=True)


@settings(max_examples=80, deadline=None)
@given(size=st.integers(1, 60), classes=st.integers(1, 5), seed=st.integers(0, 10 ** 6),
       miss=st.sampled_from([0.0, 0.2, 1.0]), none=st.booleans())
def test_figures_against_a_plain_count(size, classes, seed, miss, none):
    rng = np.random.default_rng(seed)
    values = rng.choice([1, 2, 3, 7, 40, 255, 1000], classes, replace=False)
    reference = np.where(rng.random(size) < 0.15, 0, rng.choice(values, size))
    predicted = np.where(rng.random(size) < 0.6, reference, rng.choice(values, size))
    predicted[reference == 0] = rng.choice(values, int((reference == 0).sum()))
    missing = rng.random(size) < miss
    expected = plain(reference, predicted, missing)
    if not expected["values"]:
        with pytest.raises(CrnnError, match="no labelled pixel"):
            assess_arrays(reference, predicted, None if none else missing)
        return
    result = assess_arrays(reference.reshape(1, -1), predicted.reshape(1, -1),
                           None if none and not missing.any() else missing.reshape(1, -1))
    assert result.class_values == expected["values"]
    assert result.matrix.tolist() == expected["matrix"]
    assert result.matrix.dtype == np.int64
    assert (result.total, result.correct, result.unclassified) == (
        expected["n"], expected["correct"], expected["unclassified"])
    assert result.reference_totals.tolist() == expected["rows"]
    assert result.predicted_totals.tolist() == expected["cols"]
    same(result.producers_accuracy, expected["producers"])
    same(result.users_accuracy, expected["users"])
    same(result.f1, expected["f1"])
    same(result.overall_accuracy, expected["oa"])
    same(result.average_accuracy, expected["aa"])
    same(result.kappa, expected["kappa"])
    assert result.class_names == [f"Class {v}" for v in expected["values"]]


def wilson_roots(successes, trials, z=Z):
    """The Wilson bounds: the p with (successes / trials - p)^2 = z^2 p (1 - p) / trials,
    a quadratic's two roots."""
    phat, a = successes / trials, z * z / trials
    roots = np.roots([1 + a, -(2 * phat + a), phat * phat])
    return float(min(roots.real)), float(max(roots.real))


@pytest.mark.parametrize("successes,trials", [(0, 1), (1, 1), (0, 10), (10, 10), (8, 10),
                                              (1, 3), (517, 600), (5, 1000)])
def test_wilson_bounds_are_the_roots_of_their_quadratic(successes, trials):
    low, high = wilson_interval(successes, trials)
    ref_low, ref_high = wilson_roots(successes, trials)
    assert low == pytest.approx(max(0.0, ref_low), abs=1e-12)
    assert high == pytest.approx(min(1.0, ref_high), abs=1e-12)
    assert 0.0 <= low <= successes / trials <= high + 1e-15 and high <= 1.0


def test_wilson_other_z_and_no_trials():
    assert wilson_interval(3, 9, z=1.0) == pytest.approx(wilson_roots(3, 9, 1.0), abs=1e-12)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))
    assert all(math.isnan(v) for v in wilson_interval(0, -1))


def test_empty_table_figures_are_nan():
    empty = Assessment([1, 2], ["a", "b"], np.zeros((2, 3), np.int64))
    assert math.isnan(empty.overall_accuracy) and math.isnan(empty.kappa)
    assert math.isnan(empty.average_accuracy)
    assert all(math.isnan(v) for v in empty.overall_accuracy_interval)
    assert np.isnan(empty.producers_accuracy).all() and np.isnan(empty.users_accuracy).all()


def test_kappa_of_one_class_everywhere():
    """Chance agreement 1: kappa is 1 for a perfect map (no division by zero)."""
    one = assess_arrays(np.full(5, 4), np.full(5, 4))
    assert one.kappa == 1.0 and one.overall_accuracy == 1.0
    assert one.overall_accuracy_interval == pytest.approx(wilson_roots(5, 5))
    d = one.to_dict()
    assert d["kappa"] == 1.0 and d["per_class"][0]["f1"] == 1.0
    assert d["overall_accuracy_ci95"] == pytest.approx(list(wilson_roots(5, 5)))


def test_f1_zero_where_both_accuracies_are_zero_and_nan_where_undefined():
    result = assess_arrays(np.array([1, 1, 2]), np.array([2, 2, 3]))
    assert result.class_values == [1, 2, 3]
    same(result.f1, [math.nan, 0.0, math.nan])  # class 1 never predicted, 3 not referenced
    d = result.to_dict()
    assert [c["f1"] for c in d["per_class"]] == [None, 0.0, None]
    assert d["total"] == 3 and d["correct"] == 0 and d["unclassified"] == 0


def test_json_figures_by_hand():
    """2 classes: reference 1 -> 1, 1, 2 and one unclassified; reference 2 -> 2."""
    result = assess_arrays(np.array([1, 1, 1, 1, 2]), np.array([1, 1, 2, 0, 2]),
                           np.array([False, False, False, True, False]), {2: "two"})
    d = result.to_dict()
    low, high = wilson_roots(3, 5)
    assert d == {
        "matrix_layout": "rows = reference classes, columns = predicted classes, last "
                         "column = reference pixels left unclassified",
        "class_values": [1, 2], "class_names": ["Class 1", "two"],
        "matrix": [[2, 1, 1], [0, 1, 0]], "total": 5, "correct": 3, "unclassified": 1,
        "unclassified_policy": "counted as errors", "overall_accuracy": 0.6,
        "overall_accuracy_ci95": [pytest.approx(low), pytest.approx(high)],
        "overall_accuracy_ci_method": "Wilson score interval, 95 %",
        "average_accuracy": pytest.approx((0.5 + 1.0) / 2),
        # p_e = (4 x 2 + 1 x 2) / 25 = 0.4; kappa = (0.6 - 0.4) / 0.6
        "kappa": pytest.approx(1 / 3),
        "per_class": [
            {"value": 1, "name": "Class 1", "reference_pixels": 4, "predicted_pixels": 2,
             "producers_accuracy": 0.5, "users_accuracy": 1.0,
             "f1": pytest.approx(2 / 3)},
            {"value": 2, "name": "two", "reference_pixels": 1, "predicted_pixels": 2,
             "producers_accuracy": 1.0, "users_accuracy": 0.5,
             "f1": pytest.approx(2 / 3)}],
        "sources": {}, "notes": []}
    assert all(type(v) is int for v in d["class_values"] + d["matrix"][0])


def test_shapes_must_agree():
    with pytest.raises(CrnnError, match=r"Reference shape \(2,\) differs.*\(3,\)"):
        assess_arrays(np.ones(2), np.ones(3))


@pytest.mark.parametrize("dtype,nodata,block,missing", [
    (np.uint8, 255, [0, 1, 255, 254], [True, False, True, False]),
    (np.uint8, None, [0, 1, 255], [True, False, False]),
    (np.int16, -1, [-1, 0, 3, -2], [True, True, False, False]),
    (np.float32, -9999.0, [np.nan, np.inf, -np.inf, -9999, 0, 2], [1, 1, 1, 1, 1, 0]),
    (np.float32, float("nan"), [np.nan, 3.0, 0.0], [True, False, True]),
    (np.float64, None, [np.nan, 1.0, 2.0], [True, False, False]),
])
def test_missing_pixels_by_hand(dtype, nodata, block, missing):
    block = np.array(block, dtype)
    assert missing_mask(block, nodata).tolist() == [bool(m) for m in missing]


def test_integer_nodata_is_no_class_and_fractions_are_refused():
    """Issue 27 case 2: a Byte reference's nodata 255 counts as no class."""
    block = np.array([[1, 255], [2, 0]], np.uint8)
    classes = as_classes(block, missing_mask(block, 255), "reference raster")
    assert classes.tolist() == [[1, 0], [2, 0]] and classes.dtype == np.int64
    floats = np.array([1.0, 2.0, np.nan, 3.5], np.float32)
    with pytest.raises(CrnnError, match="reference raster holds non-integer values"):
        as_classes(floats, missing_mask(floats, None), "reference raster")
    floats[3] = 3.0
    assert as_classes(floats, missing_mask(floats, None), "x").tolist() == [1, 2, 0, 3]
    below = np.array([1.0, 1.2], np.float32)  # a fraction that rounds down is one too
    with pytest.raises(CrnnError, match="holds non-integer values"):
        as_classes(below, missing_mask(below, None), "x")
    holes = np.array([np.nan, np.nan], np.float32)  # nothing valid: nothing to check
    assert as_classes(holes, missing_mask(holes, None), "x").tolist() == [0, 0]


def test_class_names_match_by_name_or_number():
    names = {1: "Water", 2: " Forest ", 10: "field"}
    assert match_class_names([" water", "FOREST", "10", " 3 ", "Field"], names) == [
        1, 2, 10, 3, 10]
    with pytest.raises(CrnnError, match=r"not found among the classification's classes: "
                                        r"lake, sea\. The classification's classes are: "
                                        r"1 Water, 2  Forest , 10 field"):
        match_class_names(["sea", "lake", "1", "sea"], names)
    with pytest.raises(CrnnError, match="classes are: none"):
        match_class_names(["x"], {})


def mem(array, nodata=None, transform=(1000.0, 10.0, 0.0, 2000.0, 0.0, -10.0), epsg=32633,
        bands=1, dtype=gdal.GDT_Byte):
    dataset = gdal.GetDriverByName("MEM").Create("", array.shape[1], array.shape[0], bands,
                                                 dtype)
    dataset.SetGeoTransform(transform)
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        dataset.SetProjection(srs.ExportToWkt())
    for b in range(bands):
        dataset.GetRasterBand(b + 1).WriteArray(array)
        if nodata is not None:
            dataset.GetRasterBand(b + 1).SetNoDataValue(nodata)
    return dataset


def test_band_names_and_colours_by_hand():
    dataset = mem(np.zeros((2, 2), np.uint8))
    band = dataset.GetRasterBand(1)
    band.SetCategoryNames(["none", "water", "", "field"])
    table = gdal.ColorTable()
    table.SetColorEntry(0, (1, 2, 3, 255))
    table.SetColorEntry(1, (255, 0, 16, 255))
    table.SetColorEntry(2, (0, 0, 0, 0))  # transparent: no colour
    table.SetColorEntry(3, (10, 11, 12, 1))
    band.SetRasterColorTable(table)
    names, colours = band_classes(band)
    assert names == {1: "water", 3: "field"}
    assert colours == {1: "#ff0010", 3: "#0a0b0c"}
    assert band_classes(mem(np.zeros((1, 1), np.uint8)).GetRasterBand(1)) == ({}, {})


@pytest.mark.parametrize("shift,same_grid", [(0.0, True), (0.9e-5, True), (1.1e-5, False)])
@pytest.mark.parametrize("where", [0, 1, 3, 5])
def test_grid_tolerance_is_a_millionth_of_a_pixel(shift, same_grid, where):
    """Pixels of 10 m: geotransforms agreeing within 1e-5 are the same grid."""
    array = np.ones((3, 4), np.uint8)
    transform = [1000.0, 10.0, 0.0, 2000.0, 0.0, -10.0]
    moved = list(transform)
    moved[where] += shift
    if same_grid:
        check_same_grid(mem(array), mem(array, transform=moved), "ref")
    else:
        with pytest.raises(CrnnError, match="not on the classification's grid"):
            check_same_grid(mem(array), mem(array, transform=moved), "ref")


def test_grid_size_and_crs():
    array = np.ones((3, 4), np.uint8)
    with pytest.raises(CrnnError, match=r"\(4 x 2 pixels.*has 4 x 3 pixels"):
        check_same_grid(mem(array), mem(array[:2]), "ref")
    with pytest.raises(CrnnError, match="another CRS"):
        check_same_grid(mem(array), mem(array, epsg=32634), "ref")
    check_same_grid(mem(array), mem(array, epsg=None), "ref")
    check_same_grid(mem(array, epsg=None), mem(array), "ref")


def box(x0, y0, x1, y1) -> bytes:
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)):
        ring.AddPoint_2D(x, y)
    polygon = ogr.Geometry(ogr.wkbPolygon)
    polygon.AddGeometry(ring)
    return bytes(polygon.ExportToWkb())


@pytest.mark.parametrize("polygon,overlaps", [
    ((1010, 1980, 1020, 1990), True),
    ((1040, 1980, 1050, 1990), False),  # its left edge on the raster's right edge
    ((990, 1980, 1000, 1990), False),  # its right edge on the raster's left edge
    ((1010, 2000, 1020, 2010), False),  # its bottom on the raster's top
    ((1010, 1960, 1020, 1970), False),  # its top on the raster's bottom
    ((1039, 1970.5, 1041, 1971), True),
    ((999, 1999, 1001, 2001), True),
])
def test_overlap_is_strict_at_the_rasters_edges(polygon, overlaps):
    dataset = mem(np.ones((3, 4), np.uint8))  # x 1000-1040, y 1970-2000
    if overlaps:
        _check_overlap(dataset, [box(*polygon)])
    else:
        with pytest.raises(CrnnError, match="No reference polygon overlaps"):
            _check_overlap(dataset, [box(*polygon)])


def test_overlap_on_a_south_up_raster_and_empty_geometries():
    dataset = mem(np.ones((3, 4), np.uint8), transform=(1000.0, 10.0, 0, 1970.0, 0, 10.0))
    empty = bytes(ogr.Geometry(ogr.wkbPolygon).ExportToWkb())
    _check_overlap(dataset, [empty, box(1010, 1980, 1020, 1990)])
    with pytest.raises(CrnnError, match="No reference polygon overlaps"):
        _check_overlap(dataset, [empty])


def test_reference_polygons_refused_without_classes():
    dataset = mem(np.ones((3, 4), np.uint8))
    with pytest.raises(CrnnError, match="no polygon with a class value"):
        rasterise_reference(dataset, [])
    with pytest.raises(CrnnError, match="class value 0"):
        rasterise_reference(dataset, [(box(1010, 1980, 1020, 1990), 0)])
    window = rasterise_reference(dataset, [(box(1010, 1980, 1020, 1990), 7),
                                           (box(1020, 1970, 1040, 1990), 3)])
    full = np.zeros((3, 4), np.int64)
    full[window.row0:window.row0 + window.values.shape[0],
         window.col0:window.col0 + window.values.shape[1]] = window.values
    assert full.tolist() == [[0, 0, 0, 0], [0, 7, 3, 3], [0, 0, 3, 3]]


def write(path, array, nodata=None, dtype=gdal.GDT_Byte, bands=1):
    dataset = mem(array, nodata, bands=bands, dtype=dtype)
    gdal.GetDriverByName("GTiff").CreateCopy(str(path), dataset)
    return str(path)


@pytest.mark.parametrize("rows_per_read", [1, 2, 5, 256])
def test_rasters_in_strips_equal_the_plain_count(tmp_path, rows_per_read):
    rng = np.random.default_rng(4)
    reference = rng.choice([0, 1, 2, 3, 255], (7, 6)).astype(np.uint8)
    classified = np.where(rng.random((7, 6)) < 0.7, reference, rng.choice([1, 2, 3, 9],
                                                                           (7, 6)))
    classified[0, :3] = 0
    classified[6, 5] = 9
    cls_path = write(tmp_path / "c.tif", classified.astype(np.uint8), nodata=9, bands=2)
    ref_path = write(tmp_path / "r.tif", reference, nodata=255)
    seen = []
    result = assess_raster(cls_path, ref_path, rows_per_read=rows_per_read,
                           progress=seen.append, class_names={2: "two"})
    ref = np.where(reference == 255, 0, reference).ravel()
    missing = np.isin(classified, [0, 9]).ravel()
    expected = plain(ref, classified.ravel(), missing)
    assert result.matrix.tolist() == expected["matrix"]
    assert result.class_values == expected["values"] == [1, 2, 3]
    assert result.class_names == ["Class 1", "two", "Class 3"]
    steps = range(rows_per_read, 7 + rows_per_read, rows_per_read)
    assert seen == pytest.approx([min(s, 7) / 7 for s in steps])
    assert result.notes == ["The classification has 2 bands; band 1 was assessed."]
    assert result.sources == {"classification": cls_path, "reference": ref_path}


def test_reference_window_strips_skip_nothing_labelled(tmp_path):
    classified = np.array([[2, 2, 2, 2], [1, 2, 2, 1], [2, 1, 2, 1], [1, 2, 1, 2]], np.uint8)
    cls_path = write(tmp_path / "c.tif", classified)
    values = np.array([[0, 0], [0, 0], [2, 1]], np.int64)
    window = ReferenceWindow(1, 1, values, contested=2)  # rows 1-3, columns 1-2
    for rows_per_read in (1, 2, 3):
        result = assess_raster(cls_path, window, rows_per_read=rows_per_read)
        assert result.class_values == [1, 2]
        assert result.matrix.tolist() == [[1, 0, 0], [0, 1, 0]]  # row 3: 2 and 1
        assert result.notes[0].startswith("2 pixel(s) lie under reference polygons")
        assert result.sources["reference"].startswith("polygons")


def test_cancel_between_strips(tmp_path):
    cls_path = write(tmp_path / "c.tif", np.ones((4, 4), np.uint8))
    ref_path = write(tmp_path / "r.tif", np.ones((4, 4), np.uint8))
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(CancelledError, match="cancelled"):
        assess_raster(cls_path, ref_path, rows_per_read=2, is_cancelled=cancel)
    assert len(calls) == 2


@pytest.mark.parametrize("polygon", [
    (1050, 1980, 1060, 1990),  # wholly right of the raster
    (980, 1980, 990, 1990),  # wholly left
    (1010, 2010, 1020, 2020),  # wholly above
    (1010, 1950, 1020, 1960),  # wholly below
])
def test_polygons_wholly_beside_the_raster_do_not_overlap(polygon):
    dataset = mem(np.ones((3, 4), np.uint8))  # x 1000-1040, y 1970-2000
    with pytest.raises(CrnnError, match="No reference polygon overlaps"):
        _check_overlap(dataset, [box(*polygon)])


def test_an_empty_geometry_overlaps_nothing_even_at_the_origin():
    """An empty polygon's envelope is (0, 0, 0, 0): a raster around the origin must not
    take it for an overlap."""
    dataset = mem(np.ones((20, 20), np.uint8), transform=(-10.0, 1.0, 0, 10.0, 0, -1.0))
    empty = bytes(ogr.Geometry(ogr.wkbPolygon).ExportToWkb())
    with pytest.raises(CrnnError, match="No reference polygon overlaps"):
        _check_overlap(dataset, [empty])


@pytest.mark.parametrize("transform,shift,same_grid", [
    ([1000.0, 30.0, 0.0, 2000.0, 0.0, -10.0], 2e-5, True),  # the larger side: 30 m
    ([1000.0, 10.0, 0.0, 2000.0, 0.0, -30.0], 2e-5, True),
    ([10.0, 1e-4, 0.0, 50.0, 0.0, -1e-4], 1e-9, False),  # degrees: 1e-10 is the bound
    ([0.0, 1.0, 0.0, 0.0, 0.0, -1.0], 1e-6, True),  # exactly a millionth of a pixel
])
def test_grid_tolerance_follows_the_larger_pixel_side(transform, shift, same_grid):
    array = np.ones((3, 4), np.uint8)
    moved = list(transform)
    moved[0] += shift
    if same_grid:
        check_same_grid(mem(array, transform=transform), mem(array, transform=moved), "ref")
    else:
        with pytest.raises(CrnnError, match="not on the classification's grid"):
            check_same_grid(mem(array, transform=transform), mem(array, transform=moved),
                            "ref")


def test_a_larger_reference_is_another_grid():
    with pytest.raises(CrnnError, match="not on the classification's grid"):
        check_same_grid(mem(np.ones((3, 4), np.uint8)), mem(np.ones((4, 5), np.uint8)), "ref")


def test_negative_class_values_are_burnt_as_given():
    dataset = mem(np.ones((3, 4), np.uint8))
    window = rasterise_reference(dataset, [(box(1010, 1980, 1020, 1990), -3)])
    assert set(np.unique(window.values).tolist()) == {-3, 0}


def test_negative_reference_classes_are_classes():
    """Only 0 means unlabelled: a class value of -3 is counted like any other."""
    result = assess_arrays(np.array([-3, -3, 2, 0]), np.array([-3, 2, 2, 2]))
    assert result.class_values == [-3, 2] and result.total == 3 and result.correct == 2


@pytest.mark.parametrize("reference_shape", [(3, 5), (4, 4), (2, 4)])
def test_arrays_of_other_shapes_are_refused(reference_shape):
    with pytest.raises(CrnnError, match="differs from the classification shape"):
        assess_arrays(np.ones(reference_shape, int), np.ones((3, 4), int))


def test_names_by_value():
    result = assess_arrays(np.array([1, 2]), np.array([1, 2]), class_names={1: "Water"})
    assert result.names_by_value == {1: "Water", 2: result.class_names[1]}
