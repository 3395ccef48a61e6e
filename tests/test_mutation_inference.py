"""The streaming engine (models/engine/inference.py: ``run_streaming``; tiles.py:
``fuse_rows``, the row buffer, ``classify_tile``) against the LOP run once on the whole
image, on random probability rasters: whatever the layout, read chunks, output tiles and
column pieces, a streamed or tiled pixel equals the whole-image pixel. No network:
``smooth_probabilities`` drives the same engine, so these tests take well under a second
each (``make mutation``'s inference target).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import scenes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from osgeo import gdal

from hyperspectral_crnn.models.common.callbacks import Hooks
from hyperspectral_crnn.models.common.classes import ClassInfo
from hyperspectral_crnn.models.common.errors import CancelledError, CrnnError
from hyperspectral_crnn.models.engine import tiles
from hyperspectral_crnn.models.engine.lop import LopSettings, lop_fuse
from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
from hyperspectral_crnn.models.engine.smoothing import BandClasses, smooth_probabilities
from hyperspectral_crnn.models.engine.tiles import (
    Fusion,
    RowBuffer,
    class_type,
    classify_tile,
    move_rows,
)
from hyperspectral_crnn.models.rasters import files

LAYOUTS = {
    "tiled": ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "INTERLEAVE=BAND"],
    "striped": ["INTERLEAVE=BAND", "BLOCKYSIZE=3"],
    "pixel": ["INTERLEAVE=PIXEL", "BLOCKYSIZE=5"],
}
NODATA = -5.0


def probabilities(classes: int, rows: int, cols: int, seed: int,
                  holes: bool = True) -> tuple:
    """(classes, rows, cols) posteriors with regions (so the LOP changes labels), plus
    nodata holes; and the validity mask."""
    rng = np.random.default_rng(seed)
    region = (np.arange(rows)[:, None] // 4 + np.arange(cols)[None] // 5) % classes
    raw = rng.dirichlet(np.ones(classes), (rows, cols)).transpose(2, 0, 1)
    raw[region, np.arange(rows)[:, None], np.arange(cols)[None]] += 0.6
    raw = (raw / raw.sum(axis=0)).astype(np.float32)
    valid = np.ones((rows, cols), bool)
    if holes:
        valid[rng.random((rows, cols)) < 0.08] = False
        valid[rows // 2:rows // 2 + 2, : cols // 3] = False
    return raw, valid


def request(*paths, lop=None) -> ClassificationRequest:
    """A request to write ``paths``: the class raster, then the fused probabilities and
    the confidence where given."""
    return ClassificationRequest(OutputPaths(*map(str, paths)), lop or LopSettings())


def write(path, raw, valid, layout) -> str:
    cube = np.where(valid, raw, NODATA).astype(np.float32)
    return scenes.write_raster(path, cube, gdal.GDT_Float32, LAYOUTS[layout], nodata=NODATA)


def read(path) -> np.ndarray:
    array = gdal.Open(str(path)).ReadAsArray()
    return array if array.ndim == 3 else array[None]


def expected(raw, valid, size, weights, iterations, values):
    """The whole image in one LOP, then the class values, confidence and counts by hand."""
    fused = lop_fuse(raw, valid, size, weights, iterations)
    winner = fused.argmax(axis=0)
    labels = np.asarray(values)[winner]
    counts = {v: int(((winner == k) & valid).sum()) for k, v in enumerate(values)}
    return fused, labels, counts


@pytest.mark.parametrize("size,iterations,reach", [(1, 5, 0), (3, 0, 0), (3, 1, 1),
                                                   (5, 1, 2), (3, 3, 3), (7, 2, 6)])
def test_lop_reach_by_hand(size, iterations, reach):
    """A pass of a size-s window looks s // 2 pixels far; passes add up."""
    assert LopSettings(size, "uniform", iterations).reach == reach


def test_lop_defaults():
    """The LOP's defaults (docs: a 3 x 3 uniform pool, one pass, edge scale 1)."""
    lop = LopSettings()
    assert (lop.size, lop.weights, lop.iterations, lop.edge_scale) == (3, "uniform", 1, 1.0)


def test_move_rows_by_hand():
    buffer = np.arange(2 * 40 * 3).reshape(2, 40, 3)
    original = buffer.copy()
    move_rows(buffer, 5, 33, step=4)  # overlapping source and target, several steps
    np.testing.assert_array_equal(buffer[:, :33], original[:, 5:38])
    np.testing.assert_array_equal(buffer[:, 33:], original[:, 33:])
    default = original.copy()
    move_rows(default, 2, 38)  # the default step of 16: three steps, the last short
    np.testing.assert_array_equal(default[:, :38], original[:, 2:40])


def test_row_buffer_keeps_what_is_asked():
    buffer = RowBuffer(2, 5, 6)
    rows = np.arange(2 * 4 * 5, dtype=np.float32).reshape(2, 4, 5)
    valid = np.arange(20).reshape(4, 5) % 3 > 0
    guide = -rows
    buffer.put(0, 0, rows, valid, guide)
    assert (buffer.start, buffer.end) == (0, 4)
    buffer.forget_before(0)
    assert buffer.start == 0
    buffer.forget_before(3)
    assert (buffer.start, buffer.end) == (3, 4)
    p, v, g = buffer.window(3, 4, 1, 4)
    np.testing.assert_array_equal(p, rows[:, 3:4, 1:4])
    np.testing.assert_array_equal(v, valid[3:4, 1:4])
    np.testing.assert_array_equal(g, guide[:, 3:4, 1:4])
    more = rows[:, :2, :2] + 100
    buffer.put(4, 3, more, valid[:2, :2], guide[:, :2, :2])
    assert buffer.end == 6
    p, v, g = buffer.window(4, 6, 3, 5)
    np.testing.assert_array_equal(p, more)
    np.testing.assert_array_equal(g, guide[:, :2, :2])
    buffer.put(3, 0, rows[:, :1], valid[:1], None)  # an earlier row: end stays
    assert buffer.end == 6
    deep = RowBuffer(1, 2, 40)
    column = np.arange(64, dtype=np.float32).reshape(1, 32, 2)
    deep.put(0, 0, column, np.ones((32, 2), bool), None)
    deep.forget_before(10)  # 22 rows kept (32 - 10), moved up by 10
    np.testing.assert_array_equal(deep.window(10, 32, 0, 2)[0], column[:, 10:32])
    deep.forget_before(14)  # from start 10: moved up by 4 more
    np.testing.assert_array_equal(deep.window(14, 32, 0, 2)[0], column[:, 14:32])
    plain = RowBuffer(1, 2, 2)
    plain.put(0, 0, np.ones((1, 2, 2), np.float32), np.ones((2, 2), bool), None)
    assert plain.window(0, 2, 0, 2)[2] is None


@pytest.mark.parametrize("values,gdal_type,nodata", [
    ([1, 2, 3], gdal.GDT_Byte, 0),
    ([0, 1, 255], gdal.GDT_Byte, 254),  # 0 and the top taken: the top - 1
    ([0, 1, 254, 255], gdal.GDT_UInt16, 65535),  # then the bottom + 1 (1) taken too
    ([0, 2, 254, 255], gdal.GDT_Byte, 1),
    ([0, 1, 254], gdal.GDT_Byte, 255),
    ([-1, 0, 32767], gdal.GDT_Int16, -32768),
    ([1, 255], gdal.GDT_Byte, 0),
    ([1, 256], gdal.GDT_UInt16, 0),
    ([1, 65535], gdal.GDT_UInt16, 0),
    ([1, 65536], gdal.GDT_Int32, 0),
    ([-1, 2], gdal.GDT_Int16, 0),
    ([-1, 0, 2], gdal.GDT_Int16, 32767),
    ([-40000, 0], gdal.GDT_Int32, 2147483647),
])
def test_class_type_by_hand(values, gdal_type, nodata):
    classes = [ClassInfo(v, str(v), "#000000") for v in values]
    got_gdal, got_np, got_nodata = class_type(classes)
    assert (got_gdal, got_nodata) == (gdal_type, nodata)
    assert np.dtype(got_np) == gdal.GetDataTypeName(gdal_type).lower().replace(
        "byte", "uint8")


@pytest.mark.parametrize("values", [[], [2 ** 31], [-(2 ** 31) - 1, 0]])
def test_class_type_refuses_what_no_type_holds(values):
    with pytest.raises(CrnnError, match="no classes|32-bit"):
        class_type([ClassInfo(v, str(v), "#000000") for v in values])


@pytest.mark.parametrize("scale,fragment", [
    (100.0, "percentages"), (255.0, "0-255"), (0.5, "do not sum to 1"),
    (4000.0, "reflectance"),
])
def test_check_probabilities_refuses_other_rasters(tmp_path, scale, fragment):
    raw, valid = probabilities(3, 70, 66, 3, holes=False)
    source = write(tmp_path / "p.tif", raw * scale, valid, "tiled")
    with pytest.raises(CrnnError, match=fragment):
        smooth_probabilities(source, request(tmp_path / "c.tif"))
    assert not (tmp_path / "c.tif").exists()


def test_check_probabilities_allows_a_few_odd_pixels_and_all_zero_ones(tmp_path):
    raw, valid = probabilities(3, 70, 66, 3, holes=False)
    raw[:, ::7, ::7] = 0.0  # all-zero pixels: some tools' mask
    raw[:, 0, 0] = 2.0  # one odd sampled pixel of 4096
    source = write(tmp_path / "p.tif", raw, valid, "tiled")
    smooth_probabilities(source, request(tmp_path / "c.tif"))
    edge = raw.copy()
    edge[:, :, 0] = [[1.0005], [-0.0005], [0.0]]  # within the tolerance of 1e-3
    smooth_probabilities(write(tmp_path / "q.tif", edge, valid, "tiled"),
                         request(tmp_path / "d.tif"))
    twice = raw.copy()
    twice[:, :2] = 5.0  # 2 sampled rows of 64 odd: over 1 %
    with pytest.raises(CrnnError, match="does not look like class probabilities"):
        smooth_probabilities(write(tmp_path / "r.tif", twice, valid, "tiled"),
                             request(tmp_path / "e.tif"))


# the whole-image comparisons last: the checks by hand above are faster (make mutation
# runs these tests with -x, once per mutant)
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(1, 40), cols=st.integers(1, 21), classes=st.integers(2, 4),
       size=st.sampled_from([1, 3, 5]), weights=st.sampled_from(["uniform", "gaussian"]),
       iterations=st.integers(0, 3), layout=st.sampled_from(sorted(LAYOUTS)),
       output_tile=st.sampled_from([16, 32]), lop_columns=st.integers(1, 8),
       budget=st.sampled_from([1, 7, 40, 10 ** 6]), seed=st.integers(0, 10 ** 6))
def test_streamed_smoothing_equals_the_whole_image(tmp_path_factory, monkeypatch, rows, cols,
                                                   classes, size, weights, iterations,
                                                   layout, output_tile, lop_columns,
                                                   budget, seed):
    """Output tiles of 16 rows (the GeoTIFF's least block side), column pieces of a few
    columns and read chunks down to one pixel: still the whole-image LOP, pixel for
    pixel."""
    folder = tmp_path_factory.mktemp("stream")
    monkeypatch.setattr(tiles, "OUTPUT_TILE", output_tile)
    monkeypatch.setattr(tiles, "LOP_COLUMNS", lop_columns)
    monkeypatch.setattr(files, "READ_BUDGET_BYTES", budget * classes * 4)
    raw, valid = probabilities(classes, rows, cols, seed)
    values = [3 * k + 2 for k in range(classes)]
    source = write(folder / "p.tif", raw, valid, layout)
    summary = smooth_probabilities(
        source, request(folder / "c.tif", folder / "f.tif", folder / "k.tif",
                        lop=LopSettings(size, weights, iterations)),
        BandClasses(values=values))
    fused, labels, counts = expected(raw, valid, size, weights, iterations, values)
    np.testing.assert_array_equal(read(folder / "c.tif")[0], np.where(valid, labels, 0))
    np.testing.assert_allclose(read(folder / "f.tif"), np.where(valid, fused, -1.0),
                               rtol=0, atol=1e-6)
    np.testing.assert_allclose(read(folder / "k.tif")[0],
                               np.where(valid, fused.max(axis=0), -1.0), rtol=0, atol=1e-6)
    assert summary.class_counts == counts
    assert summary.valid_pixels == int(valid.sum())
    assert summary.nodata_pixels == rows * cols - int(valid.sum())
    assert (summary.width, summary.height) == (cols, rows)
    assert 0 < summary.seconds < 60
    assert summary.pixels_per_second == pytest.approx(rows * cols / summary.seconds)
    assert summary.output_path == str(folder / "c.tif")
    assert (summary.probabilities_path, summary.confidence_path) == (
        str(folder / "f.tif"), str(folder / "k.tif"))
    assert summary.class_names == {v: f"class {v}" for v in values}


@pytest.mark.parametrize("rows,cols,size,iterations,budget_rows", [
    (40, 5, 5, 1, 1),  # reach 2, strips of one row: the buffer at its fullest
    (45, 4, 3, 3, 1),  # reach 3
    (60, 3, 3, 5, 1),  # reach 5: a buffer of 16 + 2 x 5 + 1 rows, 16 + 2 x 5 of them kept
    (300, 3, 3, 1, 7),  # more rows than CPython's cached small integers
])
def test_streamed_tall_rasters_equal_the_whole_image(tmp_path, monkeypatch, rows, cols, size,
                                                     iterations, budget_rows):
    monkeypatch.setattr(tiles, "OUTPUT_TILE", 16)
    monkeypatch.setattr(files, "READ_BUDGET_BYTES", budget_rows * cols * 2 * 4)
    raw, valid = probabilities(2, rows, cols, 7)
    source = write(tmp_path / "p.tif", raw, valid, "striped")
    started = time.perf_counter()
    summary = smooth_probabilities(source, request(tmp_path / "c.tif", tmp_path / "f.tif",
                                                   lop=LopSettings(size,
                                                                   iterations=iterations)))
    elapsed = time.perf_counter() - started
    fused, labels, _ = expected(raw, valid, size, "uniform", iterations, [1, 2])
    np.testing.assert_array_equal(read(tmp_path / "c.tif")[0], np.where(valid, labels, 0))
    np.testing.assert_allclose(read(tmp_path / "f.tif"), np.where(valid, fused, -1.0),
                               rtol=0, atol=1e-6)
    assert 0 < summary.seconds <= elapsed


def test_progress_rises_to_one_and_cancel_stops(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "READ_BUDGET_BYTES", 3 * 12 * 4)
    raw, valid = probabilities(3, 10, 12, 1)
    source = write(tmp_path / "p.tif", raw, valid, "striped")
    seen = []
    smooth_probabilities(source, request(tmp_path / "c.tif"), hooks=Hooks(progress=seen.append))
    # a budget of 12 pixels reads one row of 12 at a time: a tenth of the 120 pixels
    assert seen == pytest.approx([k / 10 for k in range(1, 11)])
    # a budget of 36 pixels: strips of 3 rows (the blocks' height), the last of 1 row
    monkeypatch.setattr(files, "READ_BUDGET_BYTES", 3 * 36 * 4)
    seen.clear()
    smooth_probabilities(source, request(tmp_path / "b.tif"), hooks=Hooks(progress=seen.append))
    assert seen == pytest.approx([0.3, 0.6, 0.9, 1.0])
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(CancelledError):
        smooth_probabilities(source, request(tmp_path / "d.tif"),
                             hooks=Hooks(is_cancelled=cancel))
    assert not (tmp_path / "d.tif").exists()


@pytest.mark.parametrize("size,iterations", [(3, 1), (5, 2), (1, 4), (3, 0)])
@pytest.mark.parametrize("lop_columns", [512, 3])
def test_tiles_on_their_own_equal_the_whole_image(monkeypatch, size, iterations, lop_columns):
    """``classify_tile`` (the cluster's engine) on every tile of several tilings, fused in
    one piece or in pieces of 3 columns."""
    monkeypatch.setattr(tiles, "LOP_COLUMNS", lop_columns)
    raw, valid = probabilities(3, 19, 17, 5)
    classes = [ClassInfo(v, f"c{v}", "#000000") for v in (7, 300, 9)]
    values = [c.value for c in classes]
    fused, labels, _ = expected(raw, valid, size, "gaussian", iterations, values)
    lop = LopSettings(size, "gaussian", iterations)
    asked = []

    def produce(x, y, w, h, check):
        asked.append((x, y, w, h))
        return raw[:, y:y + h, x:x + w], valid[y:y + h, x:x + w], None

    for side in (1, 4, 7, 30):
        for y in range(0, 19, side):
            for x in range(0, 17, side):
                w, h = min(side, 17 - x), min(side, 19 - y)
                tile, counts = classify_tile(produce, Fusion.of(lop, classes, True, True),
                                             17, 19, (x, y, w, h))
                reach = lop.reach
                assert asked[-1] == (max(0, x - reach), max(0, y - reach),
                                     min(17, x + w + reach) - max(0, x - reach),
                                     min(19, y + h + reach) - max(0, y - reach))
                part = (slice(y, y + h), slice(x, x + w))
                np.testing.assert_array_equal(
                    tile.labels, np.where(valid[part], labels[part], 0))
                np.testing.assert_allclose(
                    tile.probabilities, np.where(valid[part], fused[(slice(None),) + part],
                                                 -1.0), rtol=0, atol=1e-6)
                np.testing.assert_allclose(
                    tile.confidence, np.where(valid[part], fused.max(axis=0)[part], -1.0),
                    rtol=0, atol=1e-6)
                winner = fused.argmax(axis=0)[part]
                assert counts.tolist() == [int(((winner == k) & valid[part]).sum())
                                           for k in range(3)]
                assert tile.labels.dtype == np.uint16  # 300 needs 16 bits


def test_tile_without_confidence_or_probabilities():
    raw, valid = probabilities(2, 6, 6, 2)
    classes = [ClassInfo(1, "a", "#000000"), ClassInfo(2, "b", "#000000")]
    tile, _ = classify_tile(lambda x, y, w, h, c: (raw[:, y:y + h, x:x + w],
                                                   valid[y:y + h, x:x + w], None),
                            Fusion.of(LopSettings(), classes, False, False), 6, 6,
                            (0, 0, 6, 6))
    assert tile.confidence is None and tile.probabilities is None


def test_a_plan_needs_the_guide_only_for_the_edge_lop():
    from hyperspectral_crnn.models.engine.inference import ClassificationPlan

    plain = ClassificationPlan(None, None, None, LopSettings())
    edge = ClassificationPlan(None, None, None, LopSettings(3, "edge", 2))
    assert plain.edge is False and edge.edge is True


def test_a_model_of_300_bands_is_sound_and_a_short_standardisation_is_not():
    """Band counts above 256 are not the interpreter's cached small integers."""
    from types import SimpleNamespace

    from hyperspectral_crnn.models.engine.inference import _check_model_bands

    _check_model_bands(SimpleNamespace(band_indices=list(range(1, 301)), mean=np.zeros(300)))
    with pytest.raises(CrnnError, match="300 bands but a standardisation for 299"):
        _check_model_bands(SimpleNamespace(band_indices=list(range(1, 301)),
                                           mean=np.zeros(299)))
