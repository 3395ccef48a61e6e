"""models/training/samples.py through its public functions (burn_polygons,
bands_without_data, read_training_pixels) against plain references written here from the
docstrings, on small real rasters (for ``make mutation``'s samples target).

Everything is reckoned in pixel coordinates (column, row): a rectangle drawn there is
mapped onto the raster's grid (any north-up geotransform: negative and non-integer
origins, pixel sizes from 0.1 to 30, columns running east or west, rows north or south),
and a pixel is taken when its centre lies inside a rectangle (with 'all touched', when the
rectangle overlaps its square). Rectangle edges lie off the pixel centres (and, for 'all
touched', off the pixels' borders), so the answer never hangs on rounding. Pixels that
rectangles of different classes claim are contested; a band has data when any taken pixel
holds a finite value other than nodata there; a pixel is valid when every band does and,
with two or more bands, not every band reads 0. The window that burn_polygons rasterises
is its documented one: the polygons' envelope in pixels, widened by one pixel on each side
(for 'all touched'), clipped to the raster.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from osgeo import gdal, ogr, osr

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.training.samples import (
    bands_without_data,
    burn_polygons,
    read_training_pixels,
)

NODATA = -9999.0
EXCEPTIONS = pytest.mark.usefixtures("gdal_exceptions_mode")
# where a rectangle's edge lies inside a pixel (in pixel units): never on a pixel's centre
# (with 'all touched', off_borders moves the edges on a border 0.1 pixel in)
CENTRE_FRACTIONS = (0.0, 0.2, 0.35, 0.8)
ORIGINS = st.one_of(
    st.sampled_from([0.0, -1234.5, -3.3, 0.7, 512.25, 500000.0, 4480000.0]),
    st.floats(-10000, 10000).map(lambda value: round(value, 2)))
FAST = settings(max_examples=120, deadline=None, derandomize=True, database=None)


# ---------------------------------------------------------------------------- helpers


def grid_transform(x0, dx, y0, dy):
    return (float(x0), float(dx), 0.0, float(y0), 0.0, float(dy))


def world(transform, col, row):
    return transform[0] + col * transform[1], transform[3] + row * transform[5]


def rectangle_wkb(transform, rect):
    """WKB of the rectangle between pixel coordinates (left, top) and (right, bottom)."""
    left, top, right, bottom = rect
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for col, row in ((left, top), (right, top), (right, bottom), (left, bottom), (left, top)):
        ring.AddPoint_2D(*world(transform, col, row))
    polygon = ogr.Geometry(ogr.wkbPolygon)
    polygon.AddGeometry(ring)
    return polygon.ExportToWkb()


EMPTY = ogr.CreateGeometryFromWkt("POLYGON EMPTY").ExportToWkb()


def polygons_of(transform, rects):
    """(WKB, class) pairs; a rectangle None is an empty polygon (it keeps its position)."""
    return [(EMPTY if rect is None else rectangle_wkb(transform, rect), value)
            for rect, value in rects]


def envelope_of(transform, rects):
    xs, ys = [], []
    for rect, _ in rects:
        if rect is not None:
            for col in (rect[0], rect[2]):
                for row in (rect[1], rect[3]):
                    x, y = world(transform, col, row)
                    xs.append(x)
                    ys.append(y)
    return min(xs), max(xs), min(ys), max(ys)


def expected_window(transform, width, height, rects):
    """(row0, row1, col0, col1): the envelope's pixels, one more on each side, clipped."""
    minx, maxx, miny, maxy = envelope_of(transform, rects)
    cols = [(x - transform[0]) / transform[1] for x in (minx, maxx)]
    rows = [(y - transform[3]) / transform[5] for y in (miny, maxy)]

    def span(values, size):
        first = min(max(math.floor(min(values)) - 1, 0), size)
        last = min(max(math.ceil(max(values)) + 1, 0), size)
        return first, last

    return span(rows, height) + span(cols, width)


def takes(rect, row, col, all_touched):
    left, top, right, bottom = rect
    if all_touched:
        return left < col + 1 and right > col and top < row + 1 and bottom > row
    return left < col + 0.5 < right and top < row + 0.5 < bottom


def reference_grid(height, width, rects, all_touched, leave_out=True):
    """(class + 1, polygon position + 1, contested) for every pixel of the raster."""
    classes = np.zeros((height, width), int)
    ids = np.zeros((height, width), int)
    claims = [[set() for _ in range(width)] for _ in range(height)]
    for position, (rect, value) in enumerate(rects):
        if rect is None:
            continue
        for row in range(height):
            for col in range(width):
                if takes(rect, row, col, all_touched):
                    claims[row][col].add(value)
                    classes[row, col] = value + 1
                    ids[row, col] = position + 1
    contested = np.array([[len(claim) > 1 for claim in line] for line in claims],
                         bool).reshape(height, width)
    if leave_out:
        classes[contested] = 0
    return classes, ids, contested


def placed(grid, height, width):
    """The grid's window put back on the whole raster."""
    classes = np.zeros((height, width), int)
    ids = np.zeros((height, width), int)
    rows, cols = grid.classes.shape
    classes[grid.row0:grid.row0 + rows, grid.col0:grid.col0 + cols] = grid.classes
    ids[grid.row0:grid.row0 + rows, grid.col0:grid.col0 + cols] = grid.ids
    return classes, ids


def memory_raster(transform, width, height, epsg=None):
    dataset = gdal.GetDriverByName("MEM").Create("", width, height, 1, gdal.GDT_Float32)
    dataset.SetGeoTransform(transform)
    if epsg is not None:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        dataset.SetProjection(srs.ExportToWkt())
    return dataset


def write(path, data, transform=(0.0, 1.0, 0.0, 0.0, 0.0, -1.0), nodata=NODATA,
          scale=None, offset=None):
    """A GeoTIFF of a (bands, rows, cols) float32 cube."""
    bands, rows, cols = data.shape
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, bands,
                                                   gdal.GDT_Float32)
    dataset.SetGeoTransform(transform)
    for b in range(bands):
        band = dataset.GetRasterBand(b + 1)
        band.WriteArray(data[b])
        if nodata is not None:
            band.SetNoDataValue(nodata)
        if scale is not None:
            band.SetScale(scale)
        if offset is not None:
            band.SetOffset(offset)
    dataset = None
    return str(path)


def band_valid(value, nodata):
    return bool(np.isfinite(value)) and value != np.float32(nodata)


def pixel_valid(data, row, col, nodata):
    values = data[:, row, col]
    if not all(band_valid(v, nodata) for v in values):
        return False
    return len(values) < 2 or any(v != 0 for v in values)


def reference_pixels(data, classes, ids, nodata, window):
    """(pixels (row, col, label, group, spectrum), dropped, zero fills, pairs)."""
    bands, height, width = data.shape
    valid = np.array([[pixel_valid(data, r, c, nodata) for c in range(width)]
                      for r in range(height)], bool).reshape(height, width)
    half = window // 2
    pixels, pairs = [], []
    dropped = zeros = 0
    for r in range(height):
        for c in range(width):
            if not classes[r, c]:
                continue
            if not valid[r, c]:
                dropped += 1
                zeros += all(v == 0 for v in data[:, r, c])
            else:
                around = [data[:, a, b].astype(np.float64)
                          for a in range(max(0, r - half), min(height, r + half + 1))
                          for b in range(max(0, c - half), min(width, c + half + 1))
                          if valid[a, b]]
                pixels.append((r, c, classes[r, c] - 1, ids[r, c] - 1,
                               np.mean(around, axis=0)))
            for a, b in ((r, c + 1), (r + 1, c)):
                if a < height and b < width and valid[r, c] and valid[a, b]:
                    pairs.append(np.concatenate([data[:, r, c], data[:, a, b]]))
    return pixels, dropped, zeros, pairs


def off_borders(rects):
    """The rectangles with their edges on pixel borders moved 0.1 pixel in ('all
    touched' is then decided by the pixels' insides)."""
    return [(None if rect is None else tuple(v + 0.1 if v == int(v) else v for v in rect),
             value) for rect, value in rects]


def sorted_rows(array, width):
    """The rows of a (n, width) array (or list of rows) in lexical order."""
    array = np.asarray(array, np.float64).reshape(-1, width)
    return array[np.lexsort(array.T[::-1])]


def square(x0, y0, x1, y1):
    ring = f"{x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}"
    return ogr.CreateGeometryFromWkt(f"POLYGON(({ring}))").ExportToWkb()


# --------------------------------------------------------------------------- scenes


@st.composite
def scenes(draw, max_size=12, fractions=CENTRE_FRACTIONS, max_rects=4):
    """(width, height, transform, [(rectangle in pixel coordinates or None, class)])."""
    width = draw(st.integers(1, max_size))
    height = draw(st.integers(1, max_size))
    dx = draw(st.sampled_from([0.1, 0.25, 1.0, 3.0, 30.0])) * draw(st.sampled_from([1, -1]))
    dy = draw(st.sampled_from([0.1, 0.5, 1.0, 20.0])) * draw(st.sampled_from([-1, 1]))
    transform = grid_transform(draw(ORIGINS), dx, draw(ORIGINS), dy)

    def edges(size):
        a = draw(st.integers(-3, size + 2)) + draw(st.sampled_from(fractions))
        b = draw(st.integers(-3, size + 2)) + draw(st.sampled_from(fractions))
        return (min(a, b), max(a, b)) if a != b else (a, a + 1)

    rects = []
    for _ in range(draw(st.integers(1, max_rects))):
        value = draw(st.integers(0, 2))
        if draw(st.integers(0, 9)) == 0:
            rects.append((None, value))
            continue
        (left, right), (top, bottom) = edges(width), edges(height)
        rects.append(((left, top, right, bottom), value))
    return width, height, transform, rects


def options_set(**options):
    """The options a test sets (None: the function's own default is what is tested)."""
    return {name: value for name, value in options.items() if value is not None}


def burn_error(width, height, transform, rects):
    """The message burn_polygons must refuse the scene with, or None."""
    if all(rect is None for rect, _ in rects):
        return "no polygons with a geometry"
    row0, row1, col0, col1 = expected_window(transform, width, height, rects)
    if row1 <= row0 or col1 <= col0:
        return "No training polygon overlaps the raster"
    return None


# ------------------------------------------------------------------- burn_polygons


def check_burn(width, height, transform, rects, all_touched=False, leave_out=None):
    """burn_polygons on a raster of the grid (its defaults where an argument is None or
    False) against the reference: the window, the classes, the polygons, the count."""
    if all_touched:  # edges off the pixels' borders too
        rects = off_borders(rects)
    kwargs = options_set(all_touched=all_touched or None, leave_out_contested=leave_out)
    dataset = memory_raster(transform, width, height)
    error = burn_error(width, height, transform, rects)
    if error:
        with pytest.raises(CrnnError, match=error):
            burn_polygons(dataset, polygons_of(transform, rects), **kwargs)
        return
    grid = burn_polygons(dataset, polygons_of(transform, rects), **kwargs)
    row0, row1, col0, col1 = expected_window(transform, width, height, rects)
    assert (grid.row0, grid.col0) == (row0, col0)
    assert grid.classes.shape == grid.ids.shape == (row1 - row0, col1 - col0)
    classes, ids, contested = reference_grid(height, width, rects, all_touched,
                                             leave_out is None)
    got_classes, got_ids = placed(grid, height, width)
    np.testing.assert_array_equal(got_classes, classes)
    np.testing.assert_array_equal(got_ids, ids)
    assert grid.contested == int(contested.sum())


@FAST
@given(scene=scenes(), all_touched=st.booleans(), leave_out=st.sampled_from([None, False]))
def test_burnt_window_and_pixels_equal_the_reference(scene, all_touched, leave_out):
    check_burn(*scene, all_touched, leave_out)


@pytest.mark.parametrize("all_touched", [False, True])
@pytest.mark.parametrize("dx, dy", [(2.5, -0.5), (-2.5, -0.5), (2.5, 0.5), (-2.5, 0.5)],
                         ids=["east-north", "west-north", "east-south", "west-south"])
def test_the_window_on_grids_of_every_orientation(dx, dy, all_touched):
    """Columns running east or west, rows north or south, a negative origin off the
    pixel size's multiples: the window starts one pixel before the polygons and ends one
    after them (inside the raster), and holds their pixels."""
    transform = grid_transform(-317.3, dx, -41.9, dy)
    check_burn(12, 10, transform, [((2.35, 1.8, 7.2, 6.35), 0), ((5.8, 4.2, 9.35, 7.8), 1)],
               all_touched)
    check_burn(12, 10, transform, [((-1.8, -2.2, 3.35, 2.8), 2)], all_touched)
    check_burn(12, 10, transform, [((9.2, 8.35, 13.8, 11.2), 1)], all_touched)


def test_a_later_smaller_polygon_keeps_the_first_ones_extent():
    """The envelope grows over all polygons: a small second polygon inside the first one's
    north-west corner must not shrink it (coordinates where y < x and x < y both occur)."""
    transform = (0.0, 1.0, 0.0, 20.0, 0.0, -1.0)
    for rects in ([((2.2, 4.2, 15.8, 17.8), 0), ((3.2, 6.2, 4.8, 7.8), 1)],
                  [((2.2, 4.2, 15.8, 17.8), 1), ((13.2, 14.2, 14.8, 15.8), 0)],
                  [((2.2, 4.2, 15.8, 17.8), 0), ((3.2, 15.2, 4.8, 16.8), 0)]):
        grid = burn_polygons(memory_raster(transform, 20, 20), polygons_of(transform, rects))
        classes, ids, contested = reference_grid(20, 20, rects, False)
        got_classes, got_ids = placed(grid, 20, 20)
        np.testing.assert_array_equal(got_classes, classes)
        np.testing.assert_array_equal(got_ids, ids)
        assert grid.contested == contested.sum() and got_classes.sum() > 13 * 13


@EXCEPTIONS
@pytest.mark.parametrize("transform", [(0.0, 1.0, 0.3, 8.0, 0.0, -1.0),
                                       (0.0, 1.0, -0.3, 8.0, 0.0, -1.0),
                                       (0.0, 1.0, 0.0, 8.0, 0.3, -1.0),
                                       (0.0, 1.0, 0.0, 8.0, -0.3, -1.0)],
                         ids=["row-rotation+", "row-rotation-", "shear+", "shear-"])
def test_rotated_and_sheared_grids_are_refused(tmp_path, transform):
    wkb = square(1.2, 2.2, 3.8, 5.8)
    with pytest.raises(CrnnError, match="Rotated rasters are not supported"):
        burn_polygons(memory_raster(transform, 6, 8), [(wkb, 0)])
    path = write(tmp_path / "rotated.tif", np.ones((2, 8, 6), np.float32), transform)
    for call in (read_training_pixels, bands_without_data):
        with pytest.raises(CrnnError, match="Rotated rasters are not supported"):
            call(path, [1, 2], [(wkb, 0)])


@EXCEPTIONS
def test_polygons_beyond_a_wide_or_tall_raster_are_explained():
    """Past the east edge of 300 columns, or the south edge of 300 rows: the window is
    empty at a large pixel number."""
    transform = (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)
    east = square(303.2, -2.8, 305.8, -0.2)
    south = square(0.2, -305.8, 0.8, -303.2)
    with pytest.raises(CrnnError, match="No training polygon overlaps the raster"):
        burn_polygons(memory_raster(transform, 300, 3), [(east, 0)])
    with pytest.raises(CrnnError, match="No training polygon overlaps the raster"):
        burn_polygons(memory_raster(transform, 3, 300), [(south, 0)])
    # inside, the same rasters burn the polygon's pixels
    inside = square(290.2, -2.8, 295.8, -0.2)
    grid = burn_polygons(memory_raster(transform, 300, 3), [(inside, 0)])
    assert placed(grid, 3, 300)[0].sum() == 3 * 6


def test_every_pixel_contested_where_two_classes_cover_the_whole_raster(tmp_path):
    transform = (10.0, 2.0, 0.0, 50.0, 0.0, -2.0)
    cover = square(7.0, 53.0, 23.0, 37.0)  # beyond every edge of the 6 x 5 raster
    polygons = [(cover, 0), (cover, 1)]
    grid = burn_polygons(memory_raster(transform, 6, 5), polygons)
    assert (grid.row0, grid.col0, grid.classes.shape) == (0, 0, (5, 6))
    assert grid.contested == 30 and not grid.classes.any() and (grid.ids == 2).all()
    kept = burn_polygons(memory_raster(transform, 6, 5), polygons, leave_out_contested=False)
    assert kept.contested == 30 and (kept.classes == 2).all()
    path = write(tmp_path / "covered.tif", np.arange(60, dtype=np.float32).reshape(2, 5, 6),
                 transform)
    message = re.escape("Every pixel under the training polygons (30) lies where polygons "
                        "of different classes overlap")
    with pytest.raises(CrnnError, match=message):
        read_training_pixels(path, [1, 2], polygons)


def test_polygons_overlapping_at_the_rasters_east_and_south_edges():
    transform = (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)
    rects = [((1.2, 1.2, 9.8, 7.8), 0), ((4.2, 3.2, 10.8, 9.8), 2), ((5.2, 0.2, 7.8, 8.8), 2)]
    for all_touched in (False, True):
        grid = burn_polygons(memory_raster(transform, 8, 6), polygons_of(transform, rects),
                             all_touched)
        classes, ids, contested = reference_grid(6, 8, rects, all_touched)
        got_classes, got_ids = placed(grid, 6, 8)
        np.testing.assert_array_equal(got_classes, classes)
        np.testing.assert_array_equal(got_ids, ids)
        assert grid.contested == contested.sum() > 0


def test_no_gdal_warning_for_a_raster_with_a_crs():
    """The polygons' layer carries the raster's CRS: rasterising warns about nothing."""
    messages = []

    def handler(level, number, message):
        messages.append((level, message))

    transform = (500000.0, 20.0, 0.0, 4480000.0, 0.0, -20.0)
    gdal.PushErrorHandler(handler)
    try:
        grid = burn_polygons(memory_raster(transform, 10, 8, epsg=32616),
                             [(square(500041.0, 4479859.0, 500119.0, 4479941.0), 0)])
    finally:
        gdal.PopErrorHandler()
    assert messages == []
    assert placed(grid, 8, 10)[0].sum() == 4 * 4


# -------------------------------------------------------------- bands_without_data


@st.composite
def band_scenes(draw):
    width, height, transform, rects = draw(scenes(max_size=10))
    bands = draw(st.integers(1, 5))
    chosen = draw(st.permutations(range(1, bands + 1)))
    chosen = chosen[:draw(st.integers(1, bands))]
    return (width, height, transform, rects, bands, list(chosen),
            draw(st.sampled_from([0.03, 0.15, 0.5])), draw(st.integers(0, 2 ** 16)))


@FAST
@given(scene=band_scenes(), all_touched=st.booleans(),
       rows_per_read=st.sampled_from([None, 1, 2, 3]))
def test_bands_without_data_equal_a_loop_over_the_pixels(tmp_path_factory, scene, all_touched,
                                                         rows_per_read):
    width, height, transform, rects, bands, chosen, share, seed = scene
    if all_touched:
        rects = off_borders(rects)
    rng = np.random.default_rng(seed)
    data = rng.integers(-50, 50, (bands, height, width)).astype(np.float32)
    holes = rng.random(data.shape) >= share
    data[holes] = rng.choice(np.array([np.nan, np.inf, -np.inf, NODATA], np.float32),
                             holes.sum())
    path = write(tmp_path_factory.mktemp("bands") / "cube.tif", data, transform)
    kwargs = options_set(all_touched=all_touched or None, rows_per_read=rows_per_read)
    polygons = polygons_of(transform, rects)
    error = burn_error(width, height, transform, rects)
    if error:
        with pytest.raises(CrnnError, match=error):
            bands_without_data(path, chosen, polygons, **kwargs)
        return
    classes, _, _ = reference_grid(height, width, rects, all_touched)
    expected = [band for band in chosen
                if not any(band_valid(data[band - 1, r, c], NODATA)
                           for r, c in zip(*np.nonzero(classes)))]
    assert bands_without_data(path, chosen, polygons, **kwargs) == expected


@EXCEPTIONS
def test_bands_without_data_by_hand(tmp_path):
    """Each band has data at one pixel only: the polygon's corners, its inside, the pixels
    just outside it; by default only pixel centres count."""
    data = np.full((6, 9, 10), np.nan, np.float32)
    data[0, 2, 3] = 5.0  # north-west corner of the polygon (rows 2-5, columns 3-6)
    data[1, 5, 6] = 5.0  # south-east corner
    data[2, 3, 4] = 0.0  # inside, reading 0 (a measurement in this band)
    data[3, 1, 3] = 5.0  # just north of it
    data[4, 6, 6] = 5.0  # just south of it
    data[5, 2, 7] = 5.0  # just east of it, touched by the polygon but its centre outside
    data[4, 4, 5] = NODATA  # nodata inside is no data
    transform = (-100.25, 0.5, 0.0, -20.5, 0.0, -0.5)
    path = write(tmp_path / "sparse.tif", data, transform)
    # columns 3.3-7.3, rows 2.4-5.7: centres of columns 3-6 and rows 2-5
    polygon = rectangle_wkb(transform, (3.3, 2.4, 7.3, 5.7))
    assert bands_without_data(path, [1, 2, 3, 4, 5, 6], [(polygon, 0)]) == [4, 5, 6]
    assert bands_without_data(path, [6, 5, 4, 3, 2, 1], [(polygon, 0)],
                              rows_per_read=1) == [6, 5, 4]
    assert bands_without_data(path, [1, 6, 4], [(polygon, 0)], all_touched=True) == [4]
    # a polygon touching the raster's north-west corner, and one at its south-east corner
    north_west = rectangle_wkb(transform, (-1.5, -1.5, 3.8, 2.8))
    assert bands_without_data(path, [1, 2, 3, 4, 5, 6], [(north_west, 0)]) == [2, 3, 5, 6]
    south_east = rectangle_wkb(transform, (6.2, 5.2, 11.5, 10.5))
    assert bands_without_data(path, [1, 2, 3, 4, 5, 6], [(south_east, 0)]) == [1, 3, 4, 6]


# ------------------------------------------------------------ read_training_pixels


@st.composite
def pixel_scenes(draw):
    width, height, transform, rects = draw(scenes(max_size=9))
    return (width, height, transform, rects, draw(st.integers(1, 3)),
            draw(st.sampled_from([0.0, 0.15, 0.4, 0.9])), draw(st.integers(0, 2 ** 16)))


@FAST
@given(scene=pixel_scenes(), all_touched=st.booleans(),
       rows_per_read=st.sampled_from([None, 1, 2, 3]), window=st.sampled_from([1, 3, 5, 7]))
def test_training_pixels_equal_a_loop_over_the_pixels(tmp_path_factory, scene, all_touched,
                                                      rows_per_read, window):
    width, height, transform, rects, bands, share, seed = scene
    if all_touched:
        rects = off_borders(rects)
    rng = np.random.default_rng(seed)
    data = rng.integers(-300, 300, (bands, height, width)).astype(np.float32)
    holes = rng.random((height, width)) < share
    fills = holes & (rng.random((height, width)) < 0.5)
    data[:, fills] = 0.0  # the zero fill of an image without nodata
    bad = holes & ~fills
    data[rng.integers(0, bands, bad.sum()), bad] = rng.choice(
        np.array([np.nan, np.inf, NODATA], np.float32), bad.sum())
    path = write(tmp_path_factory.mktemp("pixels") / "cube.tif", data, transform)
    kwargs = options_set(all_touched=all_touched or None, rows_per_read=rows_per_read,
                         input_window=window if window > 1 else None)
    polygons = polygons_of(transform, rects)
    error = burn_error(width, height, transform, rects)
    if error:
        with pytest.raises(CrnnError, match=error):
            read_training_pixels(path, list(range(1, bands + 1)), polygons, **kwargs)
        return
    classes, ids, contested = reference_grid(height, width, rects, all_touched)
    expected, dropped, zeros, pairs = reference_pixels(data, classes, ids, NODATA, window)
    if not classes.any():
        error = ("lies where polygons of different classes overlap" if contested.any()
                 else "cover no pixel centre of the raster")
    elif not expected and zeros:
        error = re.escape(f"have no data: {zeros} of the {dropped} read 0 in every band")
    elif (len({label for _, _, label, _, _ in expected}) > 1
          and all((spectrum == expected[0][4]).all() for *_, spectrum in expected)):
        error = "have the same value in every band"
    if error:
        with pytest.raises(CrnnError, match=error):
            read_training_pixels(path, list(range(1, bands + 1)), polygons, **kwargs)
        return
    got = read_training_pixels(path, list(range(1, bands + 1)), polygons, **kwargs)
    order = np.lexsort((got.cols, got.rows))
    assert [(r, c) for r, c, *_ in expected] == list(zip(got.rows[order], got.cols[order]))
    assert [label for _, _, label, _, _ in expected] == list(got.labels[order])
    assert [group for _, _, _, group, _ in expected] == list(got.groups[order])
    spectra = np.array([spectrum for *_, spectrum in expected]).reshape(-1, bands)
    np.testing.assert_allclose(got.spectra[order], spectra, rtol=1e-5, atol=1e-3)
    assert got.dropped_nodata == dropped and got.contested == int(contested.sum())
    np.testing.assert_array_equal(
        sorted_rows(np.concatenate(got.neighbours, axis=1), 2 * bands),
        sorted_rows(pairs, 2 * bands))


@pytest.mark.parametrize("window", [5, 7])
def test_wide_windows_take_their_whole_halo(tmp_path, window):
    """A window of 5 or 7 around pixels in the raster's middle reaches 2 or 3 pixels out,
    whatever the strip height; the neighbour pairs stay single pixels."""
    rng = np.random.default_rng(3)
    data = rng.integers(1, 500, (2, 16, 17)).astype(np.float32)
    data[0, 5, 4] = NODATA
    transform = (-40.0, 2.5, 0.0, 7.5, 0.0, -2.5)
    path = write(tmp_path / "cube.tif", data, transform)
    rects = [((7.3, 7.2, 9.8, 8.8), 0), ((9.2, 8.2, 10.8, 9.8), 1)]
    classes, ids, _ = reference_grid(16, 17, rects, False)
    expected, dropped, _, pairs = reference_pixels(data, classes, ids, NODATA, window)
    for rows_per_read in (1, 256):
        got = read_training_pixels(path, [1, 2], polygons_of(transform, rects),
                                   rows_per_read=rows_per_read, input_window=window)
        order = np.lexsort((got.cols, got.rows))
        assert list(zip(got.rows[order], got.cols[order])) == [(r, c) for r, c, *_ in expected]
        np.testing.assert_allclose(got.spectra[order], [s for *_, s in expected], rtol=1e-6)
        np.testing.assert_array_equal(
            sorted_rows(np.concatenate(got.neighbours, axis=1), 2 * len(data)),
            sorted_rows(pairs, 2 * len(data)))


def test_strips_that_start_further_east(tmp_path):
    """One strip's pixels start several columns east of another's: each strip is read
    where its own pixels lie."""
    data = np.arange(3 * 10 * 14, dtype=np.float32).reshape(3, 10, 14) + 1
    transform = (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)
    path = write(tmp_path / "cube.tif", data, transform)
    rects = [((4.2, 1.2, 5.8, 2.8), 0), ((8.2, 5.2, 11.8, 7.8), 1)]
    for window in (1, 3):
        got = read_training_pixels(path, [1, 2, 3], polygons_of(transform, rects),
                                   rows_per_read=1, input_window=window)
        classes, ids, _ = reference_grid(10, 14, rects, False)
        expected, _, _, pairs = reference_pixels(data, classes, ids, NODATA, window)
        order = np.lexsort((got.cols, got.rows))
        assert list(zip(got.rows[order], got.cols[order])) == [(r, c) for r, c, *_ in expected]
        np.testing.assert_allclose(got.spectra[order], [s for *_, s in expected], rtol=1e-6)
        np.testing.assert_array_equal(
            sorted_rows(np.concatenate(got.neighbours, axis=1), 2 * len(data)),
            sorted_rows(pairs, 2 * len(data)))


# ------------------------------------------------------------------ the messages

TWO_CLASSES_TRANSFORM = (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)


def two_classes(path_folder, spectrum, name="flat.tif"):
    """A 4 x 6 raster whose every pixel holds ``spectrum``, under polygons of two classes
    (2 x 2 pixels each)."""
    spectrum = np.asarray(spectrum, np.float32)
    data = np.repeat(spectrum[:, None, None], 4 * 6, axis=1).reshape(len(spectrum), 4, 6)
    path = write(path_folder / name, data, TWO_CLASSES_TRANSFORM)
    rects = [((0.2, 0.2, 1.8, 1.8), 0), ((3.2, 2.2, 4.8, 3.8), 1)]
    return path, polygons_of(TWO_CLASSES_TRANSFORM, rects)


@EXCEPTIONS
@pytest.mark.parametrize("spectrum, text", [
    ([0.5, 0.5, 0.5, 0.5], "0.5 in all 4 bands"),
    ([-3.25], "-3.25 in all 1 bands"),
    ([1.5, 2.5], "1.5, 2.5"),
    ([5, 4, 3, 2, 1], "5, 4, 3, 2, 1"),
    ([1, 2, 3, 4, 5], "1, 2, 3, 4, 5"),
    ([1, 2, 3, 4, 5, 6], "1, 2, 3, 4, 5, ..."),
    ([9, 8, 7, 6, 5, 4, 3], "9, 8, 7, 6, 5, ..."),
    ([2, 2, 2, 7], "2, 2, 2, 7"),
])
def test_identical_spectra_of_two_classes_are_refused_with_the_spectrum(tmp_path, spectrum,
                                                                         text):
    path, polygons = two_classes(tmp_path, spectrum)
    message = (f"The 8 training pixels have the same value in every band (every spectrum "
               f"reads {text}), so no class can be told from another.")
    with pytest.raises(CrnnError) as raised:
        read_training_pixels(path, list(range(1, len(spectrum) + 1)), polygons)
    assert message in str(raised.value)


def test_identical_spectra_of_one_class_are_fine(tmp_path):
    path, polygons = two_classes(tmp_path, [0.5, 0.5, 0.5])
    got = read_training_pixels(path, [1, 2, 3], polygons[:1])
    assert len(got.labels) == 4 and set(got.labels) == {0}
    np.testing.assert_array_equal(got.spectra, np.full((4, 3), 0.5, np.float32))


@pytest.mark.parametrize("first", ["largest", "smallest"])
def test_different_spectra_are_fine_whichever_the_first_pixel_is(tmp_path, first):
    """The first pixel read (the polygons' north-west one) holds the largest (or smallest)
    value of every band: the spectra still differ."""
    data = np.full((3, 4, 6), 10.0, np.float32)
    data[:, 0, 0] = 20.0 if first == "largest" else 5.0
    data[1, 3, 4] = 12.0 if first == "largest" else 7.0
    path = write(tmp_path / "cube.tif", data, TWO_CLASSES_TRANSFORM)
    rects = [((0.2, 0.2, 1.8, 1.8), 0), ((3.2, 2.2, 4.8, 3.8), 1)]
    got = read_training_pixels(path, [1, 2, 3], polygons_of(TWO_CLASSES_TRANSFORM, rects))
    assert len(got.labels) == 8 and set(got.labels) == {0, 1}


@EXCEPTIONS
def test_zero_fill_under_the_polygons_is_counted_in_the_message(tmp_path):
    """Six pixels under the polygon: two read 0 in every band (the fill), four are nodata,
    NaN or Inf."""
    data = np.full((3, 3, 4), 7.0, np.float32)
    data[:, 0, 1] = 0.0
    data[:, 1, 2] = 0.0
    data[0, 0, 2] = NODATA
    data[1, 1, 0] = np.nan
    data[2, 0, 0] = np.inf
    data[:, 1, 1] = [NODATA, 0.0, 0.0]  # nodata, not the fill
    path = write(tmp_path / "cube.tif", data)
    polygon = rectangle_wkb((0.0, 1.0, 0.0, 0.0, 0.0, -1.0), (0.2, 0.2, 2.8, 1.8))
    message = ("The pixels under the training polygons have no data: 2 of the 6 read 0 in "
               "every band (the fill of an image without a nodata value, not a measurement), "
               "the others nodata, NaN or Inf.")
    with pytest.raises(CrnnError) as raised:
        read_training_pixels(path, [1, 2, 3], [(polygon, 0)])
    assert message in str(raised.value)


def test_zero_fill_beside_valid_pixels_is_dropped(tmp_path):
    data = np.full((2, 3, 4), 7.0, np.float32)
    data[:, 0, 1] = 0.0
    data[1, 1, 2] = 0.0  # one band reading 0 is a measurement
    path = write(tmp_path / "cube.tif", data)
    polygon = rectangle_wkb((0.0, 1.0, 0.0, 0.0, 0.0, -1.0), (0.2, 0.2, 2.8, 1.8))
    got = read_training_pixels(path, [1, 2], [(polygon, 0)])
    assert got.dropped_nodata == 1 and len(got.labels) == 5
    assert list(zip(got.rows, got.cols)) == [(0, 0), (0, 2), (1, 0), (1, 1), (1, 2)]


def test_scaled_zero_fill_is_counted_in_the_message(tmp_path):
    """A raw 0 reads as the band's offset: the fill is told by its raw zeros."""
    data = np.full((2, 3, 4), 7.0, np.float32)
    data[:, 0, :3] = 0.0
    data[0, 1, :3] = NODATA
    path = write(tmp_path / "scaled.tif", data, scale=0.5, offset=100.0)
    polygon = rectangle_wkb((0.0, 1.0, 0.0, 0.0, 0.0, -1.0), (0.2, 0.2, 2.8, 1.8))
    with pytest.raises(CrnnError, match=re.escape("no data: 3 of the 6 read 0 in every band")):
        read_training_pixels(path, [1, 2], [(polygon, 0)])


@pytest.mark.parametrize("nodata, scale, offset", [(0.5, None, None), (0.5, 1.0, 100.0),
                                                   (50.0, 1.0, 100.0)])
def test_all_nodata_that_is_not_the_fill_gives_no_pixels_and_no_message(tmp_path, nodata,
                                                                         scale, offset):
    """Nodata near 0 (or near the offset) is no zero fill: no pixel, nothing to explain
    here (training then reports that no class has pixels)."""
    data = np.full((2, 3, 4), nodata, np.float32)
    path = write(tmp_path / "cube.tif", data, nodata=nodata, scale=scale, offset=offset)
    polygon = rectangle_wkb((0.0, 1.0, 0.0, 0.0, 0.0, -1.0), (0.2, 0.2, 2.8, 1.8))
    got = read_training_pixels(path, [1, 2], [(polygon, 0)])
    assert got.dropped_nodata == 6 and got.contested == 0
    assert got.spectra.shape == (0, 2) and len(got.labels) == len(got.rows) == 0


def test_ordinary_pixels_are_read_without_warnings(tmp_path):
    data = np.arange(2 * 5 * 6, dtype=np.float32).reshape(2, 5, 6) + 1
    data[:, 2, 2] = 0.0
    path = write(tmp_path / "cube.tif", data)
    polygon = rectangle_wkb((0.0, 1.0, 0.0, 0.0, 0.0, -1.0), (0.2, 0.2, 4.8, 3.8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = read_training_pixels(path, [1, 2], [(polygon, 0)])
    assert len(got.labels) == 5 * 4 - 1 and got.dropped_nodata == 1
