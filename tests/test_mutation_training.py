"""The training module's arithmetic against plain references written from its documents:
the polygon split against every subset of a class's polygons, the per-class split counts
against a plain count, the standardisation's floor, the class targets, and the edge
LOP's fallback scale against a plain loop over the pairs it draws
(``make mutation``'s training target). No torch training here."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperspectral_crnn.models.common.classes import ClassInfo
from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.training.train import (
    EXACT_SPLIT_POLYGONS,
    WHOLE_POLYGON_FACTOR,
    class_targets,
    fit_guide,
    fit_standardisation,
    split_counts,
    validation_split,
)


def _polygons(sizes):
    """One class drawn as polygons of these pixel counts: (labels, polygon ids)."""
    groups = np.concatenate([np.full(size, i) for i, size in enumerate(sizes)])
    return np.zeros(groups.size, np.int64), groups


def _nearest_subset_sum(sizes, wanted, limit):
    """The documented rule by brute force: of the sums of whole polygons (at most
    ``limit``), the one nearest ``wanted`` (the smaller on a tie), if it lies within a
    factor 2 of it; else None."""
    sums = {sum(c) for r in range(1, len(sizes) + 1)
            for c in itertools.combinations(sizes, r)} if limit >= 1 else set()
    sums = sorted(s for s in sums if s <= limit)
    if not sums:
        return None
    best = min(sums, key=lambda s: (abs(s - wanted), s))
    return best if wanted / 2 <= best <= 2 * wanted else None


@settings(max_examples=300, deadline=None)
@given(sizes=st.lists(st.integers(1, 60), min_size=1, max_size=7),
       fraction=st.floats(0.01, 0.9), seed=st.integers(0, 2**16))
def test_the_polygon_split_takes_the_nearest_whole_polygons_else_a_cut(sizes, fraction, seed):
    labels, groups = _polygons(sizes)
    n = labels.size
    wanted = min(int(round(fraction * n)), n - 1)
    _, val = validation_split(labels, fraction, seed, groups)
    if wanted <= 0:
        assert val.size == 0
        return
    limit = min(int(np.floor(2 * fraction * n + 1e-9)), n - 1)
    best = _nearest_subset_sum(sizes, wanted, limit)
    held = set(groups[val].tolist())
    whole = all(np.sum(groups[val] == g) == sizes[g] for g in held)
    if best is not None:
        assert val.size == best and whole
    else:  # the last `wanted` pixels of a largest polygon
        assert val.size == wanted and len(held) == 1
        (polygon,) = held
        assert sizes[polygon] == max(sizes)
        assert np.array_equal(val, np.flatnonzero(groups == polygon)[-wanted:])


def test_the_factor_and_the_exact_bound_are_the_documented_ones():
    assert WHOLE_POLYGON_FACTOR == 2.0 and EXACT_SPLIT_POLYGONS == 256


@pytest.mark.parametrize("seed", range(3))
def test_many_polygons_are_taken_in_order_until_the_number_asked(seed):
    """Up to 256 polygons the sum nearest the number asked (99 of 3-pixel polygons for
    100), above that polygons in the seed's order until it is reached (102)."""
    labels, groups = _polygons([3] * EXACT_SPLIT_POLYGONS)
    _, val = validation_split(labels, 100 / labels.size, seed, groups)
    assert val.size == 99
    labels, groups = _polygons([3] * (EXACT_SPLIT_POLYGONS + 1))
    _, val = validation_split(labels, 100 / labels.size, seed, groups)
    assert val.size == 102


@pytest.mark.parametrize("seed", range(3))
def test_many_polygons_short_of_half_the_share_give_a_cut(seed):
    """Above 256 polygons, where the polygons that fit under twice the share come to
    less than half the number asked, the largest polygon is cut instead."""
    sizes = [1] * EXACT_SPLIT_POLYGONS + [2000]
    labels, groups = _polygons(sizes)
    fraction = 0.4  # 902 wanted, 1804 allowed: the 256 single pixels are < 451
    _, val = validation_split(labels, fraction, seed, groups)
    wanted = int(round(fraction * labels.size))
    assert val.size == wanted
    assert np.array_equal(val, np.flatnonzero(groups == EXACT_SPLIT_POLYGONS)[-wanted:])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**16), st.booleans())
def test_split_counts_are_a_plain_count(seed, polygons):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 80))
    targets = rng.integers(0, 3, n)
    groups = rng.integers(0, 6, n) if polygons else None
    order = rng.permutation(n)
    cut = int(rng.integers(0, n + 1))
    train_idx, val_idx = np.sort(order[:cut]), np.sort(order[cut:])
    classes = [ClassInfo(v, f"c{v}", "#000000") for v in (4, 5, 6)]
    counts = split_counts(targets, train_idx, val_idx, classes, groups)
    assert list(counts) == ["c4", "c5", "c6"]
    for i, name in enumerate(counts):
        entry = counts[name]
        train = [p for p in train_idx if targets[p] == i]
        val = [p for p in val_idx if targets[p] == i]
        assert entry["training"] == len(train) and entry["validation"] == len(val)
        total = len(train) + len(val)
        assert entry["validation_share"] == (round(len(val) / total, 4) if total else 0.0)
        if groups is None:
            assert "validation_polygons" not in entry and "cut_polygons" not in entry
            continue
        held = {groups[p] for p in val}
        trained = {groups[p] for p in train}
        assert entry["validation_polygons"] == len(held - trained)
        assert entry["cut_polygons"] == len(held & trained)


def test_class_targets_are_positions_and_refuse_unknown_values():
    classes = [ClassInfo(7, "a", "#000000"), ClassInfo(3, "b", "#000000")]
    assert class_targets([3, 7, 7, 3], classes).tolist() == [1, 0, 0, 1]
    assert class_targets([3], classes).dtype == np.int64
    with pytest.raises(CrnnError, match="Class value 9 has no entry in the class list"):
        class_targets([7, 9], classes)
    with pytest.raises(CrnnError, match="at least two classes"):
        class_targets([7], classes[:1])


def test_the_standardisation_floors_a_deviation_at_its_bound():
    """A band whose deviation is at most 1e-6 x max(1, |mean|) is not scaled (std 1): at
    the bound exactly too."""
    at_bound = np.array([[0.0], [2e-6]])  # |mean| <= 1: the bound is 1e-6
    assert np.float64(at_bound[:, 0].std()) == 1e-6
    assert fit_standardisation(at_bound)[1].tolist() == [1.0]
    # the bound follows the largest |mean| of all bands
    spectra = np.array([[0.0, 1.0, 500.0], [2e-6, 3.0, 500.0 + 2e-3]])
    mean, std = fit_standardisation(spectra)
    assert std.tolist() == [1.0, 1.0, pytest.approx(1e-3, rel=1e-4)]
    assert mean.dtype == std.dtype == np.float32
    # a deviation just under the bound of a large mean: floored too
    _, std = fit_standardisation(np.array([[1000.0], [1000.0 + 1.9e-3]]))
    assert std.tolist() == [1.0]


def _fallback_scale(projected, labels, seed):
    """The documented fallback: a quarter of the median distance between pixels of one
    class, over min(2000, m^2) pairs (i, j) drawn uniformly with the seed's generator per
    class in value order, pairs with i == j dropped."""
    rng = np.random.default_rng(seed)
    distances = []
    for value in sorted(set(labels.tolist())):
        members = projected[labels == value]
        m = len(members)
        if m < 2:
            continue
        draws = rng.integers(0, m, size=(min(2000, m * m), 2))
        for i, j in draws:
            if i != j:
                distances.append(float(np.linalg.norm(members[i] - members[j])))
    return 0.25 * float(np.median(distances)) if distances else 1.0


@pytest.mark.parametrize("members", [2, 5, 44, 60])
def test_the_edge_scale_without_pairs_is_a_quarter_of_the_median_class_distance(members):
    rng = np.random.default_rng(members)
    spectra = rng.normal(size=(3 * members, 4))
    labels = np.repeat([0, 1, 2], members)
    labels[-1] = 3  # a class of one pixel draws nothing
    components, scale = fit_guide(spectra, labels, 11)
    projected = spectra @ components.T
    assert scale == pytest.approx(_fallback_scale(projected, labels, 11), rel=1e-5)
    # with neighbour pairs: 1.5 x their median guide distance
    a, b = spectra[:5], spectra[5:10]
    _, scale = fit_guide(spectra, labels, 11, (a, b))
    distance = np.linalg.norm((a - b) @ components.T, axis=1)
    assert scale == pytest.approx(1.5 * float(np.median(distance)), rel=1e-6)
