"""Accuracy and area from a reference sample (models/reports/area_estimates.py) against
the published worked examples, to the digits printed there, and against properties any
design must keep. No QGIS."""

from __future__ import annotations

import numpy as np
import pytest

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.reports.area_estimates import (
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
    z = 1.959963984540054
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
    assert result.overall_accuracy.ci95 == pytest.approx(1.959963984540054 * se)
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
    assert clusters.overall_accuracy.ci95 == pytest.approx(1.959963984540054 * se)
    assert clusters.overall_accuracy.ci95 > 2 * pixels.overall_accuracy.ci95
    assert clusters.samples_per_stratum == dict(enumerate(sizes))


def test_unsampled_and_single_unit_strata_are_noted_not_fatal():
    counts = np.array([[10, 2, 0], [1, 1, 0], [0, 0, 0]])
    counts[1] = [0, 1, 0]  # stratum 2: one unit
    result = estimate_area_and_accuracy(sample_of(counts, [1, 2, 3]), "stratified",
                                        {1: 1000, 2: 500, 3: 200})
    text = " ".join(result.notes)
    assert "Stratum 3 (200 pixels) has no sample unit" in text
    assert "Stratum 2 has one sample unit" in text
    assert "Class 3: no sample unit is mapped as it" in text
    third = result.classes[2]
    assert third.users_accuracy.estimate is None and third.area.estimate == 0.0
    assert third.map_area == 200.0
    # the estimates cover the sampled strata: 1500 pixels
    assert sum(c.area.estimate for c in result.classes) == pytest.approx(1500.0)


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
    assert set(first) == {"value", "name", "map_area", "area", "area_ci95",
                          "users_accuracy", "users_ci95", "producers_accuracy",
                          "producers_ci95"}
    assert first["name"] == "Deforestation" and block["classes"][1]["name"] == "2"
