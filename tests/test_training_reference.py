"""Training's sampling and the edge LOP's scale, checked against what they promise.

Capping draws without replacement and differently for different seeds; the polygon-
grouped validation split holds out close to the requested share of each class's pixels
(not every polygon but one); the edge scale is 1.5 x the median neighbour distance,
worked out here by hand from known pairs.
"""

from __future__ import annotations

import numpy as np
import pytest

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.training.train import (
    EDGE_SCALE_FACTOR,
    cap_per_class,
    class_weights,
    fit_guide,
    fit_standardisation,
    validation_split,
)


def test_capping_draws_without_replacement_and_by_seed():
    labels = np.repeat([1, 2, 3], [500, 40, 300])
    draws = [cap_per_class(labels, 100, seed) for seed in range(4)]
    for chosen in draws:
        assert np.unique(chosen).size == chosen.size  # no pixel twice
        counts = np.bincount(labels[chosen])
        assert counts[1] == 100 and counts[2] == 40 and counts[3] == 100
    assert all(not np.array_equal(draws[0], other) for other in draws[1:])


@pytest.mark.parametrize("fraction", [0.1, 0.2, 0.3])
def test_the_polygon_split_holds_out_about_the_requested_share(fraction):
    rng = np.random.default_rng(0)
    labels, groups = [], []
    polygon = 0
    for value in (1, 2, 3):
        for _ in range(30):  # 30 polygons of 5-15 pixels per class
            size = int(rng.integers(5, 16))
            labels += [value] * size
            groups += [polygon] * size
            polygon += 1
    labels, groups = np.array(labels), np.array(groups)
    train, val = validation_split(labels, fraction, seed=1, groups=groups)
    assert np.intersect1d(train, val).size == 0 and train.size + val.size == labels.size
    for value in (1, 2, 3):
        members = labels == value
        share = np.isin(np.flatnonzero(members), val).sum() / members.sum()
        # whole polygons of at most 15 pixels among ~300: within one polygon of the share
        assert fraction - 0.01 <= share <= fraction + 16 / members.sum()
    # no polygon is split between training and validation
    assert not set(groups[train]) & set(groups[val])


def test_the_edge_scale_from_known_neighbour_pairs():
    rng = np.random.default_rng(2)
    standardised = rng.normal(0, 1, (200, 6)).astype(np.float32)
    labels = np.repeat([0, 1], 100)
    first = standardised[:50]
    steps = np.zeros_like(first)
    steps[:, 0] = np.arange(1, 51, dtype=np.float32)  # pair k differs by k along band 0
    components, scale = fit_guide(standardised, labels, 0, (first, first + steps))
    # each pair's guide distance is k x the length of band 0 in the kept components
    along = float(np.linalg.norm(components[:, 0]))
    distances = np.arange(1, 51) * along
    assert scale == pytest.approx(EDGE_SCALE_FACTOR * float(np.median(distances)), rel=1e-5)
    assert EDGE_SCALE_FACTOR == 1.5


# ---------------------------------------------------------------------------------------
# What the mutation run (docs/testing.md) showed unchecked.


def test_capping_at_one_and_at_zero_or_below():
    labels = np.repeat([4, 7, 9], [5, 1, 3])
    ones = cap_per_class(labels, 1, seed=0)
    assert sorted(labels[ones]) == [4, 7, 9]
    for n in (0, -1):
        np.testing.assert_array_equal(cap_per_class(labels, n, seed=0), np.arange(9))


def one_pixel_polygons(sizes):
    labels = np.repeat(np.arange(len(sizes)), sizes)
    return labels, np.arange(labels.size)


@pytest.mark.parametrize("fraction", [0.0, 0.2, 0.5, 0.9])
@pytest.mark.parametrize("grouped", [False, True])
def test_each_class_holds_out_exactly_its_share(fraction, grouped):
    """round(fraction x pixels) of each class, but never its last pixel (polygon); one-
    pixel polygons make the grouped split exact too."""
    sizes = [1, 2, 3, 10, 41]
    labels, groups = one_pixel_polygons(sizes)
    train, val = validation_split(labels, fraction, 3, groups if grouped else None)
    assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(labels.size))
    for value, size in enumerate(sizes):
        held = int(np.sum(labels[val] == value))
        assert held == min(int(round(fraction * size)), size - 1), (value, size)


@pytest.mark.parametrize("fraction", [1.0, 1.5, -0.1, -1.0])
def test_fractions_outside_zero_to_one_are_refused(fraction):
    with pytest.raises(CrnnError, match="fraction"):
        validation_split(np.zeros(10, int), fraction, 0)


def test_the_standardisation_by_hand():
    """Per band; a std at most 1e-6 x max(1, the largest |mean| of any band) becomes 1."""
    columns = [
        np.array([1.0, 3.0] * 4),              # mean 2, std 1
        np.full(8, 5.0),                       # constant: std 1
        1e4 + np.array([-1e-3, 1e-3] * 4),     # std 1e-3 below 1e-6 x 1e4: 1
        np.array([-5e-3, 5e-3] * 4),           # std 5e-3 below 1e-2 too: 1
        np.array([-2.0, 0.0, 2.0, 0.0] * 2),   # mean 0, std sqrt(2)
    ]
    mean, std = fit_standardisation(np.stack(columns, axis=1))
    assert mean.dtype == std.dtype == np.float32
    np.testing.assert_allclose(mean, [2.0, 5.0, 1e4, 0.0, 0.0], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(std, [1.0, 1.0, 1.0, 1.0, np.sqrt(2)], rtol=1e-6)
    # every |mean| below 1: the floor is 1e-6 itself
    columns = [
        0.1 + np.array([-5e-7, 5e-7] * 4),     # std 5e-7: 1
        0.1 + np.array([-1.5e-6, 1.5e-6] * 4),  # std 1.5e-6: kept
        0.5 + np.array([-0.5, 0.5] * 4),       # std 0.5
    ]
    mean, std = fit_standardisation(np.stack(columns, axis=1))
    np.testing.assert_allclose(mean, [0.1, 0.1, 0.5], rtol=1e-6)
    np.testing.assert_allclose(std, [1.0, 1.5e-6, 0.5], rtol=1e-5)


def exact_fallback_scale(projected, labels):
    """A quarter of the median distance over every pair of pixels of one class."""
    distances = []
    for value in np.unique(labels):
        members = projected[labels == value]
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                distances.append(np.linalg.norm(members[i] - members[j]))
    return 0.25 * float(np.median(distances))


def test_without_pairs_the_scale_is_a_quarter_of_the_median_within_class_distance():
    rng = np.random.default_rng(4)
    centres = rng.normal(0, 20, (3, 6))
    spreads = [1.0, 2.0, 0.5]
    standardised = np.concatenate([rng.normal(centres[k], spreads[k], (120, 6))
                                   for k in range(3)] + [centres[:1] + 40])
    labels = np.concatenate([np.repeat([0, 1, 2], 120), [-1]])  # a one-pixel class first
    components, scale = fit_guide(standardised.astype(np.float32), labels, 0)
    # six bands: the kept components span them all, so guide distances are band distances
    assert components.shape == (6, 6)
    expected = exact_fallback_scale(standardised, labels)
    assert scale == pytest.approx(expected, rel=0.05)
    assert fit_guide(standardised.astype(np.float32), labels, 0, None)[1] == scale
    empty = (np.empty((0, 6), np.float32), np.empty((0, 6), np.float32))
    assert fit_guide(standardised.astype(np.float32), labels, 0, empty)[1] == scale


def test_the_fallback_scale_when_no_class_has_two_pixels_or_all_are_alike():
    rng = np.random.default_rng(5)
    single = rng.normal(0, 1, (4, 3)).astype(np.float32)
    assert fit_guide(single, np.arange(4), 0)[1] == 1.0
    alike = np.repeat(rng.normal(0, 1, (2, 3)), 30, axis=0).astype(np.float32)
    assert fit_guide(alike, np.repeat([0, 1], 30), 0)[1] == 1e-6
    # classes of two pixels, each pair 0.4 apart: a tenth of that
    pairs = rng.normal(0, 1, (3, 3))
    two = np.concatenate([pairs, pairs + np.array([0.4, 0.0, 0.0])]).astype(np.float32)
    assert fit_guide(two, np.tile([0, 1, 2], 2), 0)[1] == pytest.approx(0.1, rel=1e-5)
    tiny = (alike + rng.normal(0, 1e-3, alike.shape)).astype(np.float32)
    expected = exact_fallback_scale(tiny.astype(np.float64) @ fit_guide(
        tiny, np.repeat([0, 1], 30), 0)[0].T.astype(np.float64), np.repeat([0, 1], 30))
    assert fit_guide(tiny, np.repeat([0, 1], 30), 0)[1] == pytest.approx(expected, rel=0.1)


def test_the_scale_from_one_pair_tiny_pairs_and_identical_pairs():
    rng = np.random.default_rng(6)
    standardised = rng.normal(0, 1, (50, 4)).astype(np.float32)
    labels = np.repeat([0, 1], 25)
    a = standardised[:1]
    b = a.copy()
    b[0, 2] += 0.02  # one pair, 0.02 apart along band 2: all four axes are kept
    components, scale = fit_guide(standardised, labels, 0, (a, b))
    assert components.shape == (4, 4)
    assert scale == pytest.approx(1.5 * 0.02, rel=1e-4)
    assert fit_guide(standardised, labels, 0, (a, a.copy()))[1] == 1e-6


def test_the_guide_components_are_the_principal_axes():
    rng = np.random.default_rng(7)
    # 40 pixels x 30 bands with an offset: 10 components kept, by decreasing variance
    basis = np.linalg.qr(rng.normal(0, 1, (30, 30)))[0]
    scores = rng.normal(0, 1, (40, 30)) * np.linspace(30, 1, 30)
    standardised = (scores @ basis.T + 50.0).astype(np.float32)
    components, _ = fit_guide(standardised, np.repeat([0, 1], 20), 0)
    assert components.shape == (10, 30) and components.dtype == np.float32
    centred = standardised.astype(np.float64) - standardised.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred)
    top = vectors[:, ::-1][:, :10].T
    np.testing.assert_allclose(np.abs(np.sum(components * top, axis=1)), 1.0, atol=1e-3)
    # fewer pixels than components: as many axes as pixels
    few, _ = fit_guide(standardised[:5], np.repeat([0, 1], [2, 3]), 0)
    assert few.shape == (5, 30)


def test_class_weights_by_hand():
    labels = np.array([0, 0, 0, 1, 1, 3])  # counts 3, 2, 0, 1
    np.testing.assert_allclose(class_weights(labels, 4, 1.0), [1.0, 1.5, 1.0, 3.0])
    np.testing.assert_allclose(class_weights(labels, 4, 0.5),
                               [1.0, np.sqrt(1.5), 1.0, np.sqrt(3.0)], rtol=1e-6)
    assert class_weights(labels, 4, 1.0).dtype == np.float32
