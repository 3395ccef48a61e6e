"""Accuracy and area from a reference sample (models/reports/area_estimates.py) against
the published worked examples, to the digits printed there, and against properties any
design must keep. No QGIS."""

from __future__ import annotations

import numpy as np
import pytest

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.reports.area_estimates import (
    Estimate,
    ReferenceSample,
    estimate_area_and_accuracy,
)

# Olofsson et al. (2014), Remote Sens. Environ. 148:42-57, section 5 (Table 8): four map
# classes (deforestation, forest gain, stable forest, stable non-forest), 30 m pixels, a
# stratified random sample of 640 pixels; rows map classes, columns reference classes.
OLOFSSON_2014_COUNTS = np.array([[66, 0, 5, 4], [0, 55, 8, 12], [1, 0, 153, 11],
                                 [2, 1, 9, 313]])
OLOFSSON_2014_MAP_PIXELS = {1: 200_000, 2: 150_000, 3: 3_200_000, 4: 6_450_000}
HECTARES_30M = 0.09


def sample_of(counts: np.ndarray, values=(1, 2, 3, 4)) -> ReferenceSample:
    """One unit per count: map class = row, reference class = column."""
    mapped, truth = [], []
    for i, row in enumerate(counts):
        for j, n in enumerate(row):
            mapped += [values[i]] * int(n)
            truth += [values[j]] * int(n)
    mapped = np.array(mapped)
    return ReferenceSample(mapped, np.array(truth), mapped.copy())


def test_olofsson_2014_worked_example():
    result = estimate_area_and_accuracy(sample_of(OLOFSSON_2014_COUNTS), "stratified",
                                        OLOFSSON_2014_MAP_PIXELS, pixel_area=HECTARES_30M)
    deforestation = result.classes[0]
    assert round(deforestation.area.estimate) == 21_158
    assert round(deforestation.area.ci95) == 6_158
    assert round(deforestation.users_accuracy.estimate, 2) == 0.88
    assert round(deforestation.users_accuracy.ci95, 3) == 0.074
    assert round(deforestation.producers_accuracy.estimate, 3) == 0.749
    assert round(deforestation.producers_accuracy.ci95, 3) == 0.213
    assert round(result.overall_accuracy.estimate, 3) == 0.947
    assert round(result.overall_accuracy.ci95, 3) == 0.018
    assert deforestation.map_area == pytest.approx(18_000.0)
    assert result.samples_per_stratum == {1: 75, 2: 75, 3: 165, 4: 325}
    assert result.notes == []



def test_olofsson_2014_every_printed_figure():
    """Section 5.2 prints two decimals for accuracies and whole hectares for areas. Two
    of its printed producer's intervals are typos (forest gain 0.23, stable non-forest
    0.01: eq. 7 gives 0.254 and 0.018), so they are checked at the digits eq. 7 gives."""
    result = estimate_area_and_accuracy(sample_of(OLOFSSON_2014_COUNTS), "stratified",
                                        OLOFSSON_2014_MAP_PIXELS, pixel_area=HECTARES_30M)
    printed = [  # user's, +-, producer's, +-, area, +-
        (0.88, 0.07, 0.75, 0.21, 21_158, 6_158),
        (0.73, 0.10, 0.85, 0.25, 11_686, 3_756),
        (0.93, 0.04, 0.93, 0.03, 285_770, 15_510),
        (0.96, 0.02, 0.96, 0.02, 581_386, 16_282),
    ]
    for figures, c in zip(printed, result.classes):
        assert (round(c.users_accuracy.estimate, 2), round(c.users_accuracy.ci95, 2),
                round(c.producers_accuracy.estimate, 2), round(c.producers_accuracy.ci95, 2),
                round(c.area.estimate), round(c.area.ci95)) == figures
    assert (round(result.overall_accuracy.estimate, 2),
            round(result.overall_accuracy.ci95, 2)) == (0.95, 0.02)
    # Table 9: the estimated area proportions, to the 4 decimals printed
    np.testing.assert_array_equal(np.round(result.area_matrix, 4), [
        [0.0176, 0, 0.0013, 0.0011], [0, 0.0110, 0.0016, 0.0024],
        [0.0019, 0, 0.2967, 0.0213], [0.0040, 0.0020, 0.0179, 0.6212]])


def test_olofsson_2013_example_1():
    """Olofsson et al. (2013), Remote Sens. Environ. 129:122-131, example 1: three
    classes, 500 units; map sizes in the paper's units (area = proportion x their sum).
    Its printed area of class 1 (45 651) follows from rounded intermediate values and is
    not checked; its standard errors are (eqs. 11-12)."""
    counts = np.array([[97, 0, 3], [3, 279, 18], [2, 1, 97]])
    sizes = {1: 22_353, 2: 1_122_543, 3: 610_228}
    result = estimate_area_and_accuracy(sample_of(counts, [1, 2, 3]), "stratified", sizes)
    first = result.classes[0]
    total = sum(sizes.values())
    assert round(first.area.estimate / total, 3) == 0.026
    assert round(first.area.ci95 / 1.96 / total, 5) == 0.00613
    assert round(first.area.ci95 / 1.96) == 10_751
    assert [round(c.users_accuracy.estimate, 2) for c in result.classes] == [0.97, 0.93, 0.97]
    assert round(first.producers_accuracy.estimate, 2) == 0.48
    assert round(result.overall_accuracy.estimate, 3) == 0.944


# Stehman (2014), Int. J. Remote Sens. 35:4923-4939, Table 2: four strata that are not
# the map classes (N_h = 40 000, 30 000, 20 000, 10 000; 10 units each), (map, reference).
STEHMAN_2014 = {
    1: "AA AA AA AA AA AC AB BA BB BC",
    2: "AA BB BB BB BB BB BA BA BB BB",
    3: "BC BC CC CC CC CD CD CB BB BA",
    4: "DD DD DD DD DD DD DD DC DC DB",
}
STEHMAN_2014_SIZES = {1: 40_000, 2: 30_000, 3: 20_000, 4: 10_000}


def stehman_sample() -> ReferenceSample:
    code = {"A": 1, "B": 2, "C": 3, "D": 4}
    units = [(h, code[pair[0]], code[pair[1]])
             for h, pairs in STEHMAN_2014.items() for pair in pairs.split()]
    strata, mapped, truth = (np.array(column) for column in zip(*units))
    return ReferenceSample(mapped, truth, strata)


def test_stehman_2014_strata_that_are_not_the_map_classes():
    """The figures printed on pp. 4932-4936. Its standard error of B's producer's
    accuracy (0.114) takes s2_x of stratum 4 as 0 where its own Table 3 gives 0.1: with
    0.1 eq. 28 gives 0.1166 (the EnMAP-Box's test expects the same)."""
    map_pixels = {1: 31_000, 2: 47_000, 3: 12_000, 4: 10_000}  # any map: the strata rule
    result = estimate_area_and_accuracy(stehman_sample(), "strata", map_pixels,
                                        STEHMAN_2014_SIZES)
    z = 1.96
    a, b, c, _ = result.classes
    total = 100_000
    assert round(a.area.estimate / total, 2) == 0.35
    assert round(c.area.estimate / total, 2) == 0.20
    assert round(a.area.ci95 / z / total, 3) == 0.082
    assert round(c.area.ci95 / z / total, 3) == 0.064
    assert round(result.overall_accuracy.estimate, 2) == 0.63
    assert round(result.overall_accuracy.ci95 / z, 3) == 0.085
    assert round(b.users_accuracy.estimate, 3) == 0.574
    assert round(b.users_accuracy.ci95 / z, 3) == 0.125
    assert round(b.producers_accuracy.estimate, 3) == 0.794
    assert round(b.producers_accuracy.ci95 / z, 4) == 0.1166
    assert round(result.area_matrix[1, 2], 2) == 0.08
    assert result.samples_per_stratum == {1: 10, 2: 10, 3: 10, 4: 10}

def plain_loop_stratified(counts, map_pixels):
    """Olofsson et al. (2014), eqs. 4-10, written out term by term."""
    k = len(counts)
    n_i = [sum(counts[i]) for i in range(k)]
    total = sum(map_pixels)
    w = [m / total for m in map_pixels]
    p = [[w[i] * counts[i][j] / n_i[i] for j in range(k)] for i in range(k)]
    column = [sum(p[i][j] for i in range(k)) for j in range(k)]
    se_share = []
    for j in range(k):
        v = 0.0
        for i in range(k):
            q = counts[i][j] / n_i[i]
            v += w[i] ** 2 * q * (1 - q) / (n_i[i] - 1)
        se_share.append(v ** 0.5)
    users = [p[i][i] / sum(p[i]) for i in range(k)]
    se_users = [(users[i] * (1 - users[i]) / (n_i[i] - 1)) ** 0.5 for i in range(k)]
    producers = [p[j][j] / column[j] for j in range(k)]
    se_producers = []
    for j in range(k):
        n_j = sum(map_pixels[i] / n_i[i] * counts[i][j] for i in range(k))
        first = map_pixels[j] ** 2 * (1 - producers[j]) ** 2 * users[j] * (1 - users[j]) / (
            n_i[j] - 1)
        second = producers[j] ** 2 * sum(
            map_pixels[i] ** 2 * counts[i][j] / n_i[i] * (1 - counts[i][j] / n_i[i])
            / (n_i[i] - 1) for i in range(k) if i != j)
        se_producers.append(((first + second) / n_j ** 2) ** 0.5)
    oa = sum(p[i][i] for i in range(k))
    se_oa = sum(w[i] ** 2 * users[i] * (1 - users[i]) / (n_i[i] - 1) for i in range(k)) ** 0.5
    return column, se_share, users, se_users, producers, se_producers, oa, se_oa


@pytest.mark.parametrize("seed", range(5))
def test_stratified_design_equals_the_papers_formulas(seed):
    """Random matrices: the one ratio estimator gives eqs. 4-10, the producer's accuracy's
    variance (eq. 7, Card 1982) included."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    counts = rng.integers(0, 30, (k, k)) + np.diag(rng.integers(5, 60, k))
    map_pixels = [int(v) for v in rng.integers(1000, 100_000, k)]
    result = estimate_area_and_accuracy(
        sample_of(counts, list(range(1, k + 1))), "stratified",
        dict(zip(range(1, k + 1), map_pixels)))
    column, se_share, users, se_users, producers, se_producers, oa, se_oa = (
        plain_loop_stratified(counts.tolist(), map_pixels))
    total = sum(map_pixels)
    z = 1.96
    for j, c in enumerate(result.classes):
        assert c.area.estimate == pytest.approx(column[j] * total, rel=1e-12)
        assert c.area.ci95 == pytest.approx(z * se_share[j] * total, rel=1e-9)
        assert c.users_accuracy.estimate == pytest.approx(users[j], rel=1e-12)
        assert c.users_accuracy.ci95 == pytest.approx(z * se_users[j], rel=1e-9)
        assert c.producers_accuracy.estimate == pytest.approx(producers[j], rel=1e-12)
        assert c.producers_accuracy.ci95 == pytest.approx(z * se_producers[j], rel=1e-9)
    assert result.overall_accuracy.estimate == pytest.approx(oa, rel=1e-12)
    assert result.overall_accuracy.ci95 == pytest.approx(z * se_oa, rel=1e-9)
    assert result.area_matrix.sum() == pytest.approx(1.0)


def test_a_census_has_the_map_as_its_estimate():
    """Every reference unit agrees with the map: each area is the map area, every
    accuracy 1, every interval 0."""
    counts = np.diag([40, 25, 60])
    result = estimate_area_and_accuracy(sample_of(counts, [3, 5, 7]), "stratified",
                                        {3: 500, 5: 300, 7: 1200}, pixel_area=0.25)
    assert [c.area.estimate for c in result.classes] == pytest.approx([125.0, 75.0, 300.0])
    assert [c.map_area for c in result.classes] == pytest.approx([125.0, 75.0, 300.0])
    assert [c.area.ci95 for c in result.classes] == pytest.approx([0, 0, 0], abs=1e-9)
    assert all(c.users_accuracy.estimate == c.producers_accuracy.estimate == 1.0
               for c in result.classes)
    assert result.overall_accuracy.estimate == 1.0


def test_a_simple_random_sample_gives_plain_shares():
    """One stratum: OA is the share of agreeing units, a class's area its share of the
    reference times the map's area, the interval the binomial one."""
    mapped = np.array([1] * 30 + [2] * 70)
    truth = np.array([1] * 25 + [2] * 5 + [2] * 60 + [1] * 10)
    result = estimate_area_and_accuracy(ReferenceSample(mapped, truth, np.zeros(100)),
                                        "simple", {1: 400, 2: 600}, pixel_area=1.0)
    assert result.overall_accuracy.estimate == pytest.approx(0.85)
    se = (0.85 * 0.15 / 99) ** 0.5
    assert result.overall_accuracy.ci95 == pytest.approx(1.96 * se)
    assert result.classes[0].area.estimate == pytest.approx(0.35 * 1000)
    assert result.classes[0].users_accuracy.estimate == pytest.approx(25 / 30)
    assert result.classes[0].producers_accuracy.estimate == pytest.approx(25 / 35)


def test_clusters_use_the_variance_between_clusters():
    """Six polygons of 430 pixels, all right but one polygon half wrong: the pixel
    interval would treat 430 pixels as independent; the clusters' is far wider."""
    sizes = [100, 80, 60, 90, 50, 50]
    mapped, truth, cluster = [], [], []
    for c, m in enumerate(sizes):
        mapped += [1 if c % 2 else 2] * m
        wrong = m // 2 if c == 0 else 0
        truth += [2 if c % 2 == 0 else 1] * (m - wrong) + [1] * wrong
        cluster += [c] * m
    sample = ReferenceSample(np.array(mapped), np.array(truth), np.array(cluster))
    clusters = estimate_area_and_accuracy(sample, "clusters", {1: 5000, 2: 5000})
    pixels = estimate_area_and_accuracy(sample, "simple", {1: 5000, 2: 5000})
    assert clusters.overall_accuracy.estimate == pytest.approx(380 / 430)
    assert pixels.overall_accuracy.estimate == pytest.approx(380 / 430)
    # by hand: cluster totals y_c, sizes m_c; V = n / (n - 1) sum (y - R m)^2 / (sum m)^2
    y = np.array([50, 80, 60, 90, 50, 50.0])
    m = np.array(sizes, float)
    r = y.sum() / m.sum()
    se = (np.sum((y - r * m) ** 2) / 5 / 6) ** 0.5 / m.mean()
    assert clusters.overall_accuracy.ci95 == pytest.approx(1.96 * se)
    assert clusters.overall_accuracy.ci95 > 2 * pixels.overall_accuracy.ci95
    assert clusters.samples_per_stratum == dict(enumerate(sizes))
    assert clusters.notes == []


def test_unsampled_and_single_unit_strata_are_noted_not_fatal():
    counts = np.array([[10, 2, 0], [1, 1, 0], [0, 0, 0]])
    counts[1] = [0, 1, 0]  # stratum 2: one unit
    result = estimate_area_and_accuracy(sample_of(counts, [1, 2, 3]), "stratified",
                                        {1: 1000, 2: 500, 3: 200})
    text = " ".join(result.notes)
    assert "Stratum 3 (200 pixels) has no sample unit" in text
    assert "Stratum 2 has one sample unit" in text
    assert "Class 3: its stratum has no sample unit, so its area" in text
    assert "cover the sampled strata: 1,500.0 of 1,700.0 ha" in text
    third = result.classes[2]
    assert third.users_accuracy.estimate is None and third.area.estimate is None
    assert third.producers_accuracy.estimate is None and third.map_area == 200.0
    # the estimates cover the sampled strata: 1500 pixels
    assert sum(c.area.estimate for c in result.classes[:2]) == pytest.approx(1500.0)


def test_one_cluster_has_estimates_without_intervals():
    sample = ReferenceSample(np.array([1, 1, 2]), np.array([1, 1, 1]), np.zeros(3))
    result = estimate_area_and_accuracy(sample, "clusters", {1: 60, 2: 40})
    assert result.overall_accuracy == Estimate(pytest.approx(2 / 3), None)
    assert result.classes[0].area.estimate == pytest.approx(100.0)
    assert result.classes[0].area.ci95 is None
    assert "One reference cluster" in result.notes[0]


def test_strata_that_are_not_the_map_classes():
    """Two strata cutting across two map classes: with proportional allocation the
    estimates are the sample's plain shares (a self-weighting sample)."""
    mapped = np.array([1, 1, 2, 2, 1, 2, 2, 2])
    truth = np.array([1, 2, 2, 2, 1, 2, 1, 2])
    strata = np.array([1, 1, 1, 1, 2, 2, 2, 2])
    result = estimate_area_and_accuracy(ReferenceSample(mapped, truth, strata), "strata",
                                        {1: 30, 2: 70}, {1: 50, 2: 50})
    assert result.overall_accuracy.estimate == pytest.approx(6 / 8)
    assert result.classes[0].users_accuracy.estimate == pytest.approx(2 / 3)
    assert result.classes[0].producers_accuracy.estimate == pytest.approx(2 / 3)
    assert result.classes[1].area.estimate == pytest.approx(5 / 8 * 100)


@pytest.mark.parametrize("design,fragment", [
    ("random", "Unknown sampling design 'random'"),
    ("strata", "needs a strata raster"),
])
def test_bad_designs_are_refused(design, fragment):
    with pytest.raises(CrnnError, match=fragment):
        estimate_area_and_accuracy(sample_of(np.diag([3, 3])[:, :2][:2], [1, 2]), design,
                                   {1: 10, 2: 10})


def test_units_in_strata_the_map_lacks_are_refused():
    sample = ReferenceSample(np.array([1, 9]), np.array([1, 9]), np.array([1, 9]))
    with pytest.raises(CrnnError, match="strata of which the map has no pixels: 9"):
        estimate_area_and_accuracy(sample, "stratified", {1: 10, 2: 10})


def test_the_json_block_has_the_interface_keys():
    result = estimate_area_and_accuracy(sample_of(OLOFSSON_2014_COUNTS), "stratified",
                                        OLOFSSON_2014_MAP_PIXELS, pixel_area=HECTARES_30M)
    block = result.as_json({1: "Deforestation"})
    assert set(block) >= {"design", "area_unit", "overall_accuracy", "classes"}
    assert block["area_unit"] == "ha" and block["design"] == "stratified"
    assert set(block["overall_accuracy"]) == {"estimate", "ci95"}
    first = block["classes"][0]
    assert set(first) >= {"value", "name", "map_area", "area", "area_ci95",
                          "users_accuracy", "users_ci95", "producers_accuracy",
                          "producers_ci95"}  # the interface's keys; more may be added
    assert first["name"] == "Deforestation" and block["classes"][1]["name"] == "2"


@pytest.mark.parametrize("design", ["stratified", "simple", "clusters"])
def test_counted_units_equal_the_units_one_by_one(design):
    """A (map, reference, stratum) entry with count c is c alike units."""
    rng = np.random.default_rng(7)
    mapped = rng.integers(1, 4, 300)
    truth = np.where(rng.random(300) < 0.8, mapped, rng.integers(1, 4, 300))
    groups = mapped if design != "clusters" else rng.integers(0, 12, 300)
    units = ReferenceSample(mapped, truth, groups)
    keys, counts = np.unique(np.stack([mapped, truth, groups]), axis=1, return_counts=True)
    counted = ReferenceSample(keys[0], keys[1], keys[2], counts)
    pixels = {1: 5000, 2: 3000, 3: 2000}
    one = estimate_area_and_accuracy(units, design, pixels)
    other = estimate_area_and_accuracy(counted, design, pixels)
    assert other.overall_accuracy.estimate == pytest.approx(one.overall_accuracy.estimate)
    assert other.overall_accuracy.ci95 == pytest.approx(one.overall_accuracy.ci95)
    for a, b in zip(one.classes, other.classes):
        for field in ("area", "users_accuracy", "producers_accuracy"):
            assert getattr(b, field).estimate == pytest.approx(getattr(a, field).estimate)
            assert getattr(b, field).ci95 == pytest.approx(getattr(a, field).ci95)
    assert other.samples_per_stratum == one.samples_per_stratum


def test_estimates_cannot_change_once_made():
    import dataclasses

    sample = ReferenceSample(np.array([1, 2]), np.array([1, 2]), np.array([1, 2]))
    result = estimate_area_and_accuracy(sample, "stratified", {1: 10, 2: 10})
    for thing, field in ((sample, "counts"), (result.overall_accuracy, "ci95"),
                         (result.classes[0], "map_area")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(thing, field, None)


@pytest.mark.parametrize("arrays", [
    ([1, 2], [1, 2], [1]),  # a stratum missing
    ([1, 2], [1], [1, 2]),
    ([[1, 2]], [[1, 2]], [[1, 2]]),  # two-dimensional
    (1, 1, 1),  # no array of units at all
])
def test_one_value_per_unit_is_asked_for(arrays):
    with pytest.raises(CrnnError, match="one map class, reference class, stratum"):
        ReferenceSample(*(np.array(a) for a in arrays))
    with pytest.raises(CrnnError, match="stratum and count per"):
        ReferenceSample(np.array([1, 2]), np.array([1, 2]), np.array([1, 2]), np.array([1]))


def test_designs_given_as_text_from_elsewhere():
    """A design read from a parameter is an equal string, not the same object."""
    sample = stehman_sample()
    for design in ("strata", "stratified", "clusters"):
        text = "".join(list(design))
        sizes = STEHMAN_2014_SIZES if design == "strata" else None
        pixels = {1: 40_000, 2: 30_000, 3: 20_000, 4: 10_000}
        one = estimate_area_and_accuracy(sample, design, pixels, sizes)
        other = estimate_area_and_accuracy(sample, text, pixels, sizes)
        assert one.overall_accuracy == other.overall_accuracy
        assert one.design == design


def test_simple_design_areas_use_the_pixel_area():
    mapped = np.array([1] * 3 + [2] * 7)
    result = estimate_area_and_accuracy(ReferenceSample(mapped, mapped, np.zeros(10)),
                                        "simple", {1: 300, 2: 700}, pixel_area=0.25)
    assert [c.area.estimate for c in result.classes] == pytest.approx([75.0, 175.0])


def test_a_reference_class_the_map_lacks_has_no_map_area():
    sample = ReferenceSample(np.array([1, 1, 2, 2]), np.array([1, 3, 2, 2]), np.zeros(4))
    result = estimate_area_and_accuracy(sample, "simple", {1: 50, 2: 50})
    third = result.classes[2]
    assert third.value == 3 and third.map_area == 0.0
    assert third.area.estimate == pytest.approx(25.0)


def test_two_clusters_have_an_interval_and_no_note():
    sample = ReferenceSample(np.array([1, 1, 1, 2]), np.array([1, 2, 1, 2]),
                             np.array([5, 5, 9, 9]))
    result = estimate_area_and_accuracy(sample, "clusters", {1: 60, 2: 40})
    assert result.notes == [] and result.overall_accuracy.ci95 is not None
    # by hand: y = (1, 2), m = (2, 2), R = 3/4; d = (-0.5, 0.5); V = (0.5 / 1) / (2 * 4)
    assert result.overall_accuracy.estimate == pytest.approx(0.75)
    assert result.overall_accuracy.ci95 == pytest.approx(1.96 * (0.5 / 8) ** 0.5)


def test_strata_of_no_pixels_one_pixel_and_two_units():
    """A stratum of 0 pixels is no stratum (no note); one of 1 pixel, unsampled, is
    noted; a one-pixel class mapped in its own stratum still has a user's accuracy; a
    stratum of two units has a variance."""
    sample = ReferenceSample(np.array([1, 1, 2, 3]), np.array([1, 2, 2, 3]),
                             np.array([1, 1, 2, 3]))
    result = estimate_area_and_accuracy(sample, "stratified",
                                        {1: 60, 2: 39, 3: 1, 4: 0, 5: 1})
    text = " ".join(result.notes)
    assert "Stratum 4" not in text and "Stratum 5 (1 pixels) has no sample unit" in text
    assert "Stratum 2 has one sample unit" in text and "Stratum 3 has one" in text
    assert result.classes[2].users_accuracy.estimate == 1.0
    # by hand: OA = (60 * 1/2 + 39 + 1) / 100 over the sampled 100 pixels; stratum 1
    # alone varies: s2 = 1/2, V = 60^2 * (1/2) / 2 / 100^2
    assert result.overall_accuracy.estimate == pytest.approx(70 / 100)
    assert result.overall_accuracy.ci95 == pytest.approx(1.96 * (3600 * 0.25 / 10_000) ** 0.5)


def test_a_stratified_class_without_units_in_its_stratum():
    """Class 3 (1 pixel) has no unit in its stratum: no area, no producer's accuracy, one
    note; class 4, seen only in the reference, is no stratum and keeps its area."""
    sample = ReferenceSample(np.array([1, 1, 2, 2]), np.array([1, 4, 2, 2]),
                             np.array([1, 1, 2, 2]))
    design = "".join(["strat", "ified"])  # an equal string, not the same object
    result = estimate_area_and_accuracy(sample, design, {1: 60, 2: 39, 3: 1})
    third, fourth = result.classes[2], result.classes[3]
    assert third.area.estimate is None and third.producers_accuracy.estimate is None
    assert fourth.value == 4 and fourth.area.estimate == pytest.approx(30.0)  # 60 x 1/2
    notes = " ".join(result.notes)
    assert "Class 3: its stratum has no sample unit" in notes
    assert "Class 3: no sample unit" not in notes
