"""Training pixels from polygons against a pixel-by-pixel reference written here.

The reference asks OGR, pixel by pixel, whether the pixel's centre lies inside each
polygon (or, for 'all touched', whether the pixel's square meets it); a pixel that
polygons of two classes claim is left out and counted (of one class, the last polygon
wins), nodata/NaN/Inf pixels are dropped and counted, the spectra are the raster's values
(or the mean of the valid pixels in the window, with loops), and the neighbour pairs are
every (pixel, right or lower neighbour) with both valid. It shares no code with
models/training/samples.py (no rasterising, no strips, no window arithmetic), on north-up and
south-up grids, polygons across the raster's edge, overlapping and empty ones, and
several strip heights.
"""

from __future__ import annotations

import numpy as np
import pytest
from osgeo import gdal, ogr

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.training import samples
from hyperspectral_crnn.models.training.samples import read_training_pixels

pytestmark = pytest.mark.usefixtures("gdal_exceptions_mode")

BANDS, ROWS, COLS = 3, 23, 19
NODATA = -9999.0
NORTH_UP = (500.0, 10.0, 0.0, 2000.0, 0.0, -10.0)
SOUTH_UP = (500.0, 10.0, 0.0, 1770.0, 0.0, 10.0)  # row 0 is the southernmost

# Vertices off the pixel grid (no centre on an edge); (WKT, class index). The second
# overlaps the first (another class: their shared pixels are left out), the third
# crosses the raster's west and north edges on the north-up grid, the fourth is empty
# (skipped, but it keeps its position).
POLYGONS = [
    ("POLYGON((531.3 1953.7, 611.2 1953.7, 611.2 1871.9, 531.3 1871.9, 531.3 1953.7))", 0),
    ("POLYGON((583.6 1922.4, 652.8 1931.1, 641.7 1843.2, 583.6 1922.4))", 2),
    ("POLYGON((463.4 2031.7, 547.9 2031.7, 547.9 1978.6, 463.4 1978.6, 463.4 2031.7))", 1),
    ("POLYGON EMPTY", 1),
    ("POLYGON((612.4 1826.9, 676.3 1826.9, 676.3 1783.1, 612.4 1783.1, 612.4 1826.9))", 3),
]


def write(path, data, transform, nodata=NODATA):
    ds = gdal.GetDriverByName("GTiff").Create(str(path), data.shape[2], data.shape[1],
                                              data.shape[0], gdal.GDT_Float32)
    ds.SetGeoTransform(transform)
    for b in range(data.shape[0]):
        ds.GetRasterBand(b + 1).WriteArray(data[b])
        if nodata is not None:
            ds.GetRasterBand(b + 1).SetNoDataValue(nodata)
    ds = None
    return str(path)


def cube(seed=0):
    rng = np.random.default_rng(seed)
    data = rng.normal(1000, 100, (BANDS, ROWS, COLS)).astype(np.float32)
    holes = rng.random((ROWS, COLS)) < 0.12
    data[rng.integers(0, BANDS, holes.sum()), holes] = NODATA
    data[1, 6, 7] = np.nan
    data[2, 9, 9] = np.inf
    data[0, 8, 4] = -np.inf
    return data


def reference(data, transform, polygons, all_touched=False, window=1):
    bands, rows, cols = data.shape
    label = np.full((rows, cols), -1)
    group = np.full((rows, cols), -1)
    contested = np.zeros((rows, cols), bool)
    for position, (wkt, value) in enumerate(polygons):
        polygon = ogr.CreateGeometryFromWkt(wkt)
        if polygon.IsEmpty():
            continue
        for r in range(rows):
            for c in range(cols):
                xa, ya = transform[0] + c * transform[1], transform[3] + r * transform[5]
                xb, yb = xa + transform[1], ya + transform[5]
                if all_touched:
                    ring = f"{xa} {ya}, {xb} {ya}, {xb} {yb}, {xa} {yb}, {xa} {ya}"
                    hit = ogr.CreateGeometryFromWkt(f"POLYGON(({ring}))").Intersects(polygon)
                else:
                    centre = ogr.CreateGeometryFromWkt(f"POINT({(xa + xb) / 2} {(ya + yb) / 2})")
                    hit = polygon.Contains(centre)
                if hit:
                    contested[r, c] |= label[r, c] not in (-1, value)
                    label[r, c], group[r, c] = value, position
    label[contested] = -1
    valid = np.isfinite(data).all(axis=0) & (data != np.float32(NODATA)).all(axis=0)
    taken = label >= 0
    pixels = []
    for r, c in zip(*np.nonzero(taken & valid)):
        if window == 1:
            spectrum = data[:, r, c].astype(np.float64)
        else:
            h = window // 2
            around = [data[:, rr, cc].astype(np.float64)
                      for rr in range(max(0, r - h), min(rows, r + h + 1))
                      for cc in range(max(0, c - h), min(cols, c + h + 1)) if valid[rr, cc]]
            spectrum = np.mean(around, axis=0)
        pixels.append((r, c, label[r, c], group[r, c], spectrum))
    pairs = []
    for r, c in zip(*np.nonzero(taken)):
        for rr, cc in ((r, c + 1), (r + 1, c)):
            if rr < rows and cc < cols and valid[r, c] and valid[rr, cc]:
                pairs.append(np.concatenate([data[:, r, c], data[:, rr, cc]]))
    return pixels, int((taken & ~valid).sum()), pairs, int(contested.sum())


def sorted_rows(array):
    array = np.asarray(array, np.float64).reshape(len(array), -1)
    return array[np.lexsort(array.T[::-1])] if len(array) else array


@pytest.mark.parametrize("rows_per_read", [1, 4, 256])
@pytest.mark.parametrize("all_touched", [False, True])
@pytest.mark.parametrize("transform", [NORTH_UP, SOUTH_UP], ids=["north-up", "south-up"])
@pytest.mark.parametrize("window", [1, 3])
def test_training_pixels_equal_the_pixel_by_pixel_reference(tmp_path, transform, all_touched,
                                                            rows_per_read, window):
    data = cube()
    path = write(tmp_path / "cube.tif", data, transform)
    polygons = [(ogr.CreateGeometryFromWkt(wkt).ExportToWkb(), value)
                for wkt, value in POLYGONS]
    pixels = read_training_pixels(path, [1, 2, 3], polygons, all_touched=all_touched,
                                  rows_per_read=rows_per_read, input_window=window)
    expected, dropped, pairs, contested = reference(data, transform, POLYGONS, all_touched,
                                                    window)
    assert len(expected) > 40 and dropped > 3 and len(pairs) > 40 and contested > 3
    assert pixels.contested == contested
    order = np.lexsort((pixels.cols, pixels.rows))
    assert [(r, c) for r, c, *_ in expected] == list(zip(pixels.rows[order],
                                                         pixels.cols[order]))
    assert [label for _, _, label, _, _ in expected] == list(pixels.labels[order])
    assert [group for _, _, _, group, _ in expected] == list(pixels.groups[order])
    assert set(pixels.labels) == {0, 1, 2, 3} and 3 not in set(pixels.groups)
    spectra = np.array([spectrum for *_, spectrum in expected])
    assert pixels.spectra.dtype == np.float32
    np.testing.assert_allclose(pixels.spectra[order], spectra, rtol=1e-6)
    assert pixels.dropped_nodata == dropped
    assert pixels.labels.dtype == pixels.groups.dtype == np.int64
    got = np.concatenate(pixels.neighbours, axis=1)
    assert pixels.neighbours[0].dtype == pixels.neighbours[1].dtype == np.float32
    np.testing.assert_array_equal(sorted_rows(got), sorted_rows(pairs))


def test_the_neighbour_pairs_are_capped(tmp_path):
    """A 150 x 150 pixel polygon has 44,700 pairs: the first MAX_NEIGHBOUR_PAIRS are kept,
    each a true (pixel, right or lower neighbour) pair, whatever the strip height."""
    rows = cols = 160
    data = np.arange(rows * cols, dtype=np.float32).reshape(1, rows, cols)
    path = write(tmp_path / "big.tif", data, (0.0, 1.0, 0.0, 160.0, 0.0, -1.0), nodata=None)
    wkb = ogr.CreateGeometryFromWkt(
        "POLYGON((5.2 154.8, 155.1 154.8, 155.1 4.7, 5.2 4.7, 5.2 154.8))").ExportToWkb()
    for rows_per_read in (7, 256):
        pixels = read_training_pixels(path, [1], [(wkb, 0)], rows_per_read=rows_per_read)
        assert len(pixels.labels) == 150 * 150
        a, b = (p[:, 0].astype(np.int64) for p in pixels.neighbours)
        assert len(a) == samples.MAX_NEIGHBOUR_PAIRS == 20000
        assert np.all((b - a == 1) | (b - a == cols))
        assert len(set(zip(a, b))) == len(a)


def test_pairs_keep_neighbours_outside_the_polygons_but_not_outside_the_raster(tmp_path):
    data = np.arange(2 * 4 * 5, dtype=np.float32).reshape(2, 4, 5)
    path = write(tmp_path / "small.tif", data, (0.0, 1.0, 0.0, 4.0, 0.0, -1.0))
    # the pixel in the last row and column: no neighbour inside the raster
    corner = ogr.CreateGeometryFromWkt(
        "POLYGON((4.2 0.8, 4.9 0.8, 4.9 0.1, 4.2 0.1, 4.2 0.8))").ExportToWkb()
    pixels = read_training_pixels(path, [1, 2], [(corner, 0)])
    assert list(zip(pixels.rows, pixels.cols)) == [(3, 4)]
    assert len(pixels.neighbours[0]) == len(pixels.neighbours[1]) == 0
    # a pixel in the middle: its right and lower neighbours, outside the polygon
    middle = ogr.CreateGeometryFromWkt(
        "POLYGON((2.2 2.8, 2.9 2.8, 2.9 2.1, 2.2 2.1, 2.2 2.8))").ExportToWkb()
    pixels = read_training_pixels(path, [1, 2], [(middle, 0)], input_window=3)
    np.testing.assert_array_equal(pixels.neighbours[0], [data[:, 1, 2], data[:, 1, 2]])
    np.testing.assert_array_equal(pixels.neighbours[1], [data[:, 1, 3], data[:, 2, 2]])
    np.testing.assert_allclose(pixels.spectra[0], data[:, 0:3, 1:4].mean(axis=(1, 2)))


@pytest.mark.parametrize("transform", [(0.0, 1.0, 0.3, 4.0, 0.0, -1.0),
                                       (0.0, 1.0, 0.0, 4.0, -0.3, -1.0)])
def test_rotated_rasters_are_refused(tmp_path, transform):
    path = write(tmp_path / "rotated.tif", np.ones((1, 4, 5), np.float32), transform)
    square = ogr.CreateGeometryFromWkt(
        "POLYGON((1.2 2.8, 2.9 2.8, 2.9 1.1, 1.2 1.1, 1.2 2.8))").ExportToWkb()
    with pytest.raises(CrnnError, match="Rotated"):
        read_training_pixels(path, [1], [(square, 0)])


def test_only_empty_polygons_are_explained(tmp_path):
    path = write(tmp_path / "small.tif", np.ones((1, 4, 5), np.float32),
                 (0.0, 1.0, 0.0, 4.0, 0.0, -1.0))
    empty = ogr.CreateGeometryFromWkt("POLYGON EMPTY").ExportToWkb()
    with pytest.raises(CrnnError, match="no polygons with a geometry"):
        read_training_pixels(path, [1], [(empty, 0), (empty, 1)])


def test_a_polygon_beside_the_raster_is_explained(tmp_path):
    """1.5 pixels beyond each edge: nothing overlaps, even with all touched pixels."""
    path = write(tmp_path / "small.tif", np.ones((1, 4, 5), np.float32),
                 (0.0, 1.0, 0.0, 4.0, 0.0, -1.0))
    for wkt in ("POLYGON((6.5 3, 8 3, 8 1, 6.5 1, 6.5 3))",      # east
                "POLYGON((-3 3, -1.5 3, -1.5 1, -3 1, -3 3))",    # west
                "POLYGON((1 6, 3 6, 3 5.5, 1 5.5, 1 6))",         # north
                "POLYGON((1 -1.5, 3 -1.5, 3 -3, 1 -3, 1 -1.5))"):  # south
        wkb = ogr.CreateGeometryFromWkt(wkt).ExportToWkb()
        for all_touched in (False, True):
            with pytest.raises(CrnnError, match="No training polygon overlaps"):
                read_training_pixels(path, [1], [(wkb, 0)], all_touched=all_touched)


def test_the_class_list_from_the_polygons_values():
    from hyperspectral_crnn.models.common.palette import class_colour
    from hyperspectral_crnn.models.training.samples import classes_from_keys

    numeric = classes_from_keys([7, 2, 11], True, {"11": "#010203"}, {2: "Water", 7: ""})
    assert [(c.value, c.name, c.color) for c in numeric] == [
        (2, "Water", class_colour(0)), (7, "Class 7", class_colour(1)),
        (11, "Class 11", "#010203")]
    text = classes_from_keys(["oak", "corn", "hay"], False, {"hay": "#0a0b0c"}, {1: "x"})
    assert [(c.value, c.name, c.color) for c in text] == [
        (1, "corn", class_colour(0)), (2, "hay", "#0a0b0c"), (3, "oak", class_colour(2))]
    assert classes_from_keys([], True, {}, {}) == []


def test_classes_with_and_without_pixels():
    from hyperspectral_crnn.models.training.samples import classes_with_pixels

    assert classes_with_pixels(np.array([0, 0, 2, 2, 2, 4]), 6) == ([0, 2, 4], [1, 3, 5])
    assert classes_with_pixels(np.array([1]), 3) == ([1], [0, 2])
    assert classes_with_pixels(np.array([], np.int64), 2) == ([], [0, 1])
