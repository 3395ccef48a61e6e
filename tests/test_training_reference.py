"""Training's sampling and the edge LOP's scale, checked against what they promise.

Capping draws without replacement and differently for different seeds; the polygon-
grouped validation split holds out close to the requested share of each class's pixels
(not every polygon but one); the edge scale is 1.5 x the median neighbour distance,
worked out here by hand from known pairs.
"""

from __future__ import annotations

import numpy as np
import pytest

from hyperspectral_crnn.models.training import (
    EDGE_SCALE_FACTOR,
    cap_per_class,
    fit_guide,
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
