"""models/rasters/band_matching.py against independent references: resampled spectra against
``np.interp`` over the scene's good bands, direct matches against a plain nearest-band
loop (hypothesis, any order, bands flagged bad), every tolerance at its edge and every
refusal by hand (``make mutation``'s band_selection target). No files, no training."""

from __future__ import annotations

import numpy as np
import pytest
import scenes
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.rasters.band_matching import band_list_text, match_bands
from hyperspectral_crnn.models.rasters.bands import BandInfo
from hyperspectral_crnn.models.training.band_choice import (
    TrainingBands,
    choose_training_bands,
    parse_wavelength_ranges,
    training_bands,
)


def scene(centres, bad=(), fwhm=None):
    return [BandInfo(i + 1, float(w), fwhm, bad=(i + 1) in bad) for i, w in enumerate(centres)]


@settings(max_examples=80, deadline=None)
@given(data=st.data(), n=st.integers(2, 12), seed=st.integers(0, 10 ** 6))
def test_resampled_spectra_are_np_interp_over_the_good_bands(data, n, seed):
    rng = np.random.default_rng(seed)
    centres = np.round(rng.uniform(400, 2500, n), 1)
    assume(len(set(centres)) == n)
    bad = set(data.draw(st.lists(st.integers(1, n), max_size=n - 2)))
    good = sorted((w, i + 1) for i, w in enumerate(centres) if i + 1 not in bad)
    assume(len(good) >= 2)
    low, high = good[0][0], good[-1][0]
    targets = data.draw(st.lists(st.floats(low, high), min_size=1, max_size=8))
    targets += data.draw(st.lists(st.sampled_from([w for w, _ in good]), max_size=3))
    match = match_bands(scene(centres, bad), list(range(1, len(targets) + 1)), targets,
                        [], None, resample=True)
    assert not set(match.read) & bad  # a band flagged bad is never read
    if match.mixing is None:  # every target within 2 nm of its own good band: read as is
        assert all(abs(centres[i - 1] - w) <= 2.0 for i, w in zip(match.read, targets))
        assert len(set(match.read)) == len(targets)
        return
    spectra = rng.uniform(0, 5000, (4, n))  # 4 pixels' full spectra, scene band order
    got = spectra[:, np.array(match.read) - 1] @ match.mixing
    xs = np.array([w for w, _ in good])
    ys = spectra[:, [i - 1 for _, i in good]]
    expected = np.stack([np.interp(targets, xs, row) for row in ys])
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-7)
    assert (match.mixing > 0).any(axis=1).all()  # every band read counts
    assert match.read == sorted(match.read, key=lambda i: centres[i - 1])
    assert match.message.startswith(f"Spectra resampled onto the model's {len(targets)} "
                                    f"wavelengths from {len(match.read)} of {n} bands")


@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 10), seed=st.integers(0, 10 ** 6), fwhm=st.sampled_from([None, 6.0]))
def test_direct_matches_are_the_nearest_good_band(n, seed, fwhm):
    """Model bands within tolerance of a good scene band read it: a plain loop agrees."""
    rng = np.random.default_rng(seed)
    model = np.sort(rng.choice(np.arange(400, 2500, 25.0), n, replace=False))
    tolerance = 3.0 if fwhm else 2.0
    order = rng.permutation(n)
    centres = list(model[order] + rng.uniform(-tolerance, tolerance, n))
    extra = list(rng.uniform(400, 2500, 3))
    centres += extra
    bad = {len(centres) - 2}  # one of the extra bands
    bands = scene(centres, bad, fwhm)
    nearest = []
    for w in model:
        good = [b for b in bands if not b.bad]
        best = min(good, key=lambda b: abs(b.wavelength - w))
        nearest.append(best.index if abs(best.wavelength - w) <= tolerance else None)
    assume(None not in nearest and len(set(nearest)) == n)
    match = match_bands(bands, list(range(1, n + 1)), list(model), [fwhm] * n, None)
    assert match.read == nearest and match.mixing is None
    largest = max(abs(centres[i - 1] - w) for i, w in zip(nearest, model))
    assert match.message == (f"{n} of {len(centres)} bands matched by wavelength, largest "
                             f"offset {largest:.2g} nm.")


@pytest.mark.parametrize("fwhm,offset,matched", [
    (10.0, 5.0, True), (10.0, 5.01, False), (None, 2.0, True), (None, 2.01, False),
    (0.0, 2.0, True), (0.0, 2.01, False), (4.0, 2.0, True), (4.0, 2.01, False),
])
def test_tolerance_at_its_edge(fwhm, offset, matched):
    bands = scene([500.0 + offset, 700.0])
    if matched:
        assert match_bands(bands, [1], [500.0], [fwhm], None).read == [1]
    else:
        with pytest.raises(CrnnError, match="lacks 1 of the model's 1 wavelengths"):
            match_bands(bands, [1], [500.0], [fwhm], None)


def test_fwhm_list_shorter_than_the_bands_falls_back_to_2_nm():
    bands = scene([500.0, 601.5, 703.0])
    match = match_bands(bands, [1, 2], [500.0, 600.0], [4.0], None)
    assert match.read == [1, 2]  # 1.5 nm off: within 2 nm
    with pytest.raises(CrnnError, match="lacks 1"):
        match_bands(bands, [1, 2], [500.0, 700.0], [4.0], None)  # 3 nm off


def test_a_band_whose_only_match_is_flagged_is_refused_with_the_list():
    bands = scene([500.0, 510.0, 520.0, 530.0], bad={2, 3})
    with pytest.raises(CrnnError, match=r"2 of the model's bands match only bands flagged "
                                        r"bad in the raster \(bbl = 0\): band 2 \(510 nm\), "
                                        r"band 3 \(520 nm\)"):
        match_bands(bands, [1, 2, 3], [500.0, 510.0, 520.0], [1.0] * 3, None)
    resampled = match_bands(bands, [1, 2, 3], [500.0, 510.0, 520.0], [1.0] * 3, None,
                            resample=True)
    assert resampled.read == [1, 4]
    np.testing.assert_allclose(resampled.mixing, [[1, 2 / 3, 1 / 3], [0, 1 / 3, 2 / 3]])


def test_the_flagged_band_named_is_the_nearest():
    bands = scene([500.0, 1000.0, 510.0, 1500.0], bad={2, 3})
    with pytest.raises(CrnnError, match=r"1 of the model's bands match only bands flagged "
                                        r"bad in the raster \(bbl = 0\): band 3 \(510 nm\)\."):
        match_bands(bands, [1], [510.5], [2.0], None)


def test_bands_of_one_centre_resample_without_a_division_by_zero():
    """Two good bands at 500 nm, the lowest centre: a target there lies between them, a
    span of 0 and a weight of 0 (no 0 / 0); it reads the first of them."""
    bands = scene([500.0, 500.0, 520.0, 540.0])
    with np.errstate(all="raise"):
        match = match_bands(bands, [1, 2], [500.0, 510.0], [0.1, 0.1], None, resample=True)
    spectra = np.array([[1.0, 3.0, 5.0, 7.0]])
    # 500 nm: band 1 alone; 510 nm: halfway between band 2 (3) and band 3 (5)
    np.testing.assert_allclose(spectra[:, np.array(match.read) - 1] @ match.mixing,
                               [[1.0, 4.0]])


def test_only_flagged_bands_in_the_scene():
    with pytest.raises(CrnnError, match="match only bands flagged bad"):
        match_bands(scene([500.0, 510.0], bad={1, 2}), [1], [500.0], [1.0], None)


def test_more_bands_than_cpython_caches_small_integers():
    """300 model bands matched one to one (lengths compared by value, not identity)."""
    centres = [400.0 + 5 * k for k in range(300)]
    match = match_bands(scene(centres), list(range(1, 301)), centres, [1.0] * 300, None)
    assert match.read == list(range(1, 301))
    by_number = [BandInfo(i) for i in range(1, 301)]
    assert match_bands(by_number, [1, 300], [], [], 300).read == [1, 300]


def test_a_flagged_band_at_the_tolerance_matches_and_a_far_one_does_not():
    bands = scene([400.0, 501.0, 1021.0], bad={2, 3})
    with pytest.raises(CrnnError, match=r"band 2 \(501 nm\)"):  # 1 nm off, FWHM 2
        match_bands(bands, [1], [500.0], [2.0], None)
    with pytest.raises(CrnnError, match="lacks 1 of the model's 1 wavelengths"):
        match_bands(bands, [1], [510.5], [2.0], None)  # 1021 is twice 510.5, not near it


def test_a_flagged_band_far_away_means_missing():
    bands = scene([500.0, 600.0], bad={2})
    with pytest.raises(CrnnError, match="lacks 1 of the model's 1 wavelengths"):
        match_bands(bands, [1], [620.0], [2.0], None)


def test_two_model_bands_on_one_scene_band():
    """Model bands closer than their FWHM (issue 27 case 3): refused without resampling,
    interpolated with it."""
    bands = scene([500.0, 513.0, 526.0])
    model = [503.25, 509.75, 516.25]
    with pytest.raises(CrnnError, match="Several of the model's bands match the same band"):
        match_bands(bands, [1, 2, 3], model, [8.0] * 3, None)
    match = match_bands(bands, [1, 2, 3], model, [8.0] * 3, None, resample=True)
    assert match.read == [1, 2, 3]
    np.testing.assert_allclose(match.mixing, [[0.75, 0.25, 0], [0.25, 0.75, 0.75],
                                              [0, 0, 0.25]])


def test_missing_wavelengths_listed_up_to_twenty():
    bands = scene([400.0, 900.0])
    model = [500.0 + 10 * k for k in range(23)]
    with pytest.raises(CrnnError) as error:
        match_bands(bands, list(range(1, 24)), model, [], None, scene_name="the scene")
    text = str(error.value)
    assert text.startswith("The scene lacks 23 of the model's 23 wavelengths (nm): 500, 510,")
    assert "690 and 3 more." in text and "700" not in text
    assert "RESAMPLE_SPECTRA" in text


def test_twenty_missing_wavelengths_are_all_shown():
    model = [500.0 + 10 * k for k in range(20)]
    with pytest.raises(CrnnError, match=r"lacks 20 of the model's 20 wavelengths \(nm\): 500, "
                                        r".*, 690\. Classify"):
        match_bands(scene([400.0, 900.0]), list(range(1, 21)), model, [], None)


def test_twenty_outside_wavelengths_are_all_shown():
    model = [300.0 + k for k in range(20)]
    with pytest.raises(CrnnError, match=r"\(400-900 nm\): 300, 301, .*, 318, 319\. Spectra"):
        match_bands(scene([400.0, 900.0]), list(range(1, 21)), model, [], None, resample=True)


def test_forty_five_missing_wavelengths_show_twenty_and_twenty_five_more():
    model = [500.0 + 10 * k for k in range(45)]
    with pytest.raises(CrnnError, match=r", 690 and 25 more\. Classify"):
        match_bands(scene([400.0, 1000.0]), list(range(1, 46)), model, [], None)


def test_twenty_one_outside_wavelengths_show_twenty():
    model = [300.0 + k for k in range(21)]
    with pytest.raises(CrnnError, match=r": 300, 301, .*, 318, 319\. Spectra"):
        match_bands(scene([400.0, 900.0]), list(range(1, 22)), model, [], None, resample=True)


def test_bands_closer_than_a_nanometre_resample_by_their_distance():
    match = match_bands(scene([500.0, 500.5, 501.0]), [1], [500.125], [0.1], None,
                        resample=True)
    assert match.read == [1, 2]
    np.testing.assert_allclose(match.mixing, [[0.75], [0.25]])


def test_twenty_one_missing_wavelengths_show_twenty_and_one_more():
    model = [500.0 + 10 * k for k in range(21)]
    with pytest.raises(CrnnError, match=r"lacks 21 of the model's 21 wavelengths \(nm\): 500, "
                                        r".*, 690 and 1 more\. Classify"):
        match_bands(scene([400.0, 900.0]), list(range(1, 22)), model, [], None)


def test_resampling_refuses_extrapolation_and_too_few_bands():
    with pytest.raises(CrnnError, match=r"outside the raster's range \(500-600 nm\): 490, "
                                        r"610\. Spectra are not extrapolated"):
        match_bands(scene([500.0, 600.0, 550.0]), [1, 2, 3], [490.0, 550.0, 610.0], [],
                    None, resample=True)
    with pytest.raises(CrnnError, match="The raster has fewer than two usable bands"):
        match_bands(scene([500.0, 600.0], bad={1}), [1], [550.0], [], None, resample=True)
    exact = match_bands(scene([500.0, 600.0]), [1, 2], [500.0, 600.0], [], None,
                        resample=True)
    assert exact.read == [1, 2] and exact.mixing is None  # matched: nothing resampled
    edge = match_bands(scene([600.0, 500.0, 700.0]), [1], [600.0 + 1e-9 + 5], [], None,
                       resample=True)
    assert edge.read == [1, 3]


def test_resampling_a_target_on_a_band_centre_reads_that_band_alone():
    match = match_bands(scene([500.0, 520.0, 540.0]), [1, 2], [510.0, 540.0], [1.0, 1.0],
                        None, resample=True)
    assert match.read == [1, 2, 3]
    np.testing.assert_allclose(match.mixing, [[0.5, 0], [0.5, 0], [0, 1]])
    lowest = match_bands(scene([500.0, 520.0, 540.0]), [1], [500.0], [1.0], None)
    assert lowest.read == [1]
    first = match_bands(scene([500.0, 520.0, 540.0]), [1, 2], [500.0, 507.0], [1.0, 1.0],
                        None, resample=True)
    assert first.read == [1, 2]
    np.testing.assert_allclose(first.mixing, [[1, 0.65], [0, 0.35]])


@pytest.mark.parametrize("model_w,scene_w,count,error", [
    ([], [None, None, None], 3, None),
    ([500.0, None], [500.0, 510.0, 520.0], 3, None),
    ([500.0, 510.0], [None, None, None], 3, None),
    ([], [None, None], 3, "The raster has only 2 band(s), but the model was trained on a "
                          "raster of 3 bands, and the model has no wavelengths"),
    ([], [None] * 4, 3, "The raster has 4 bands, but the model was trained on a raster of "
                        "3 bands"),
    ([500.0, 510.0], [None] * 4, 3, "and the raster has no wavelengths"),
])
def test_without_wavelengths_bands_are_read_by_number(model_w, scene_w, count, error):
    bands = scene([w if w is not None else 0 for w in scene_w])
    bands = [BandInfo(b.index, w) for b, w in zip(bands, scene_w)]
    if error:
        with pytest.raises(CrnnError, match=error.replace("(", r"\(").replace(")", r"\)")):
            match_bands(bands, [1, 2], model_w, [], count)
        return
    match = match_bands(bands, [1, 2], model_w, [], count)
    assert match.read == [1, 2] and match.mixing is None
    side = "the model" if not model_w or None in model_w else "the raster"
    assert match.message == f"Bands read by number (2 of {len(scene_w)}): {side} has no " \
                            "wavelengths."


def test_by_number_a_band_past_the_raster():
    bands = [BandInfo(1), BandInfo(2)]
    with pytest.raises(CrnnError, match=r"reads band 3, but the raster has only 2 band\(s\)\. "
                                        r"Classify a raster with the same bands as the one "
                                        r"the model was trained on \(3 bands\)\."):
        match_bands(bands, [1, 3], [], [], 3)
    with pytest.raises(CrnnError, match=r"trained on\.$"):
        match_bands(bands, [3], [], [], None)
    assert match_bands(bands, [2], [], [], None).read == [2]
    assert match_bands([], [], [], [], None).read == []


@pytest.mark.parametrize("text,ranges", [
    (None, []), ("", []), (" , ;", []), ("1340-1460", [(1340, 1460)]),
    ("1340 - 1460 nm, 1790\u20131960;2400 to 2500NM", [(1340, 1460), (1790, 1960),
                                                      (2400, 2500)]),
    ("400.5-400.5", [(400.5, 400.5)]), ("7.-9", [(7.0, 9.0)]),
    ("1-2,, 3-4", [(1, 2), (3, 4)]),  # an empty item between two is skipped
])
def test_wavelength_ranges_by_hand(text, ranges):
    assert parse_wavelength_ranges(text) == ranges


@pytest.mark.parametrize("text,message", [
    ("1460-1340", "runs backwards"), ("abc", "Cannot read the wavelength range 'abc'"),
    ("-5-10", "Cannot read"), ("1-2-3", "Cannot read"), ("1-2 µm", "Cannot read"),
])
def test_bad_wavelength_ranges(text, message):
    with pytest.raises(CrnnError, match=message):
        parse_wavelength_ranges(text)


def training_scene():
    return [BandInfo(1, 400.0), BandInfo(2, 1400.0), BandInfo(3, 1500.0, bad=True),
            BandInfo(4, 2000.0), BandInfo(5, 1460.0)]


def test_training_bands_by_hand():
    choice = choose_training_bands(training_scene(), None, [(1340, 1460)])
    assert (choice.used, choice.flagged_bad, choice.excluded) == ([1, 4], [3], [2, 5])
    assert [b.index for b in choice.used_bands] == [1, 4]
    assert choice.notes() == [
        "1 band(s) flagged bad in the file's metadata (bbl) are left out: band 3 (1500 nm).",
        "2 band(s) in the excluded wavelength ranges are left out: band 2 (1400 nm), band 5 "
        "(1460 nm)."]
    asked = choose_training_bands(training_scene(), [4, 3, 3], [])
    assert asked.used == [3, 4] and not asked.flagged_bad  # asked for by number: kept
    ignored = choose_training_bands(training_scene(), None, [], honour_bad_bands=False)
    assert ignored.used == [1, 2, 3, 4, 5]
    plain = choose_training_bands([BandInfo(1), BandInfo(2)])
    assert plain.used == [1, 2] and plain.notes() == []


def test_a_range_includes_its_edges():
    bands = [BandInfo(1, 1340.0), BandInfo(2, 1339.9), BandInfo(3, 1460.0), BandInfo(4, 1461.0)]
    assert choose_training_bands(bands, None, [(1340, 1460)]).excluded == [1, 3]


def test_training_bands_read_pixel_centres_by_default(tmp_path):
    """Band 2 has data only in pixel (0, 1); the polygon covers pixel (0, 0) and the left
    quarter of pixel (0, 1), not its centre: by centres band 2 has no data there."""
    cube = np.ones((2, 3, 3), np.float32)
    cube[1] = np.nan
    cube[1, 0, 1] = 5.0
    path = scenes.write_raster(tmp_path / "s.tif", cube)
    x0, y1 = scenes.ORIGIN
    polygon = [(scenes.square_wkb(x0, y1 - scenes.PIXEL, x0 + 1.25 * scenes.PIXEL, y1), 0)]
    assert training_bands(path, None, "", polygon).used == [1]
    assert training_bands(path, None, "", polygon, all_touched=True).used == [1, 2]


def test_training_bands_refused():
    with pytest.raises(CrnnError, match=r"Bands \[6, 9\] do not exist: the raster has 5"):
        choose_training_bands(training_scene(), [1, 9, 6])
    with pytest.raises(CrnnError, match="have no wavelengths"):
        choose_training_bands([BandInfo(1), BandInfo(2)], None, [(1, 2)])
    with pytest.raises(CrnnError, match="Every band is left out"):
        choose_training_bands(training_scene(), [2, 5], [(1340, 1460)])
    mixed = choose_training_bands([BandInfo(1), BandInfo(2, 500.0)], None, [(400, 450)])
    assert mixed.used == [1, 2]


def test_labels_stop_at_twelve():
    bands = [BandInfo(i, 400.0 + i) for i in range(1, 16)]
    text = band_list_text(bands, list(range(1, 16)))
    assert text.startswith("band 1 (401 nm), band 2 (402 nm)")
    assert text.endswith("band 12 (412 nm) and 3 more")
    assert band_list_text(bands, list(range(1, 13))).endswith("band 12 (412 nm)")
    assert band_list_text(bands, list(range(1, 14))).endswith("band 12 (412 nm) and 1 more")
    notes = TrainingBands(used=[1], without_data=[2, 3], bands=bands).notes()
    assert notes == ["2 band(s) hold no data (nodata or NaN) under the training polygons "
                     "and are left out: band 2 (402 nm), band 3 (403 nm)."]


def test_no_band_with_data_keeps_all_bands_of_a_long_cube(tmp_path):
    """300 bands, none with data under the polygon: the bands stay (reading the pixels
    then says what is wrong), as with few bands (counts above 256 are not the
    interpreter's cached small integers)."""
    from osgeo import gdal
    from scenes import ORIGIN, PIXEL, square_wkb, write_raster

    cube = np.full((300, 6, 6), np.nan, np.float32)
    path = write_raster(str(tmp_path / "long.tif"), cube, gdal.GDT_Float32)
    polygon = [(square_wkb(ORIGIN[0], ORIGIN[1] - 3 * PIXEL, ORIGIN[0] + 3 * PIXEL,
                           ORIGIN[1]), 0)]
    choice = training_bands(path, None, "", polygon)
    assert choice.used == list(range(1, 301)) and not choice.without_data
