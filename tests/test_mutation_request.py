"""The classification request and the LOP's settings as docs/inference.md describes them:
their defaults, that they cannot change once made, the batch size's lower bound, and
when the pool needs the guide features (``make mutation``'s request and lop targets)."""

from __future__ import annotations

import dataclasses

import pytest

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.engine.lop import LopSettings
from hyperspectral_crnn.models.engine.request import (
    DEFAULT_BATCH_SIZE,
    ClassificationRequest,
    OutputPaths,
)


def test_the_documented_defaults():
    request = ClassificationRequest(OutputPaths("classes.tif"))
    assert DEFAULT_BATCH_SIZE == 1024  # docs/inference.md: measured there
    assert (request.lop, request.device, request.batch_size, request.threads,
            request.precision, request.resample_spectra) == (
        LopSettings(3, "uniform", 1), "cpu", 1024, 0, "float32", False)
    assert request.outputs == OutputPaths("classes.tif", None, None)


def test_requests_and_settings_cannot_change_once_made():
    request = ClassificationRequest(OutputPaths("classes.tif"))
    for thing, field in ((request, "batch_size"), (request.outputs, "class_raster"),
                         (request.lop, "size")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(thing, field, 5)


@pytest.mark.parametrize("batch", [0, -1, -3])
def test_a_batch_under_one_pixel_is_refused(batch):
    with pytest.raises(CrnnError, match=rf"^The batch size must be at least 1 pixel "
                                        rf"\(got {batch}\)\.$"):
        ClassificationRequest(OutputPaths("classes.tif"), batch_size=batch)


@pytest.mark.parametrize("batch", [1, 2, 7])
def test_a_batch_of_one_pixel_or_more_is_taken(batch):
    assert ClassificationRequest(OutputPaths("c.tif"), batch_size=batch).batch_size == batch


@pytest.mark.parametrize("size, weights, iterations, expected", [
    (3, "edge", 1, True), (5, "edge", 3, True),
    (1, "edge", 1, False), (3, "edge", 0, False),  # the pool is off: no guide read
    (3, "uniform", 1, False), (3, "gaussian", 2, False), (1, "uniform", 0, False),
])
def test_the_guide_is_needed_by_the_edge_pool_alone_when_it_is_on(size, weights, iterations,
                                                                  expected):
    assert LopSettings(size, weights, iterations).uses_guide is expected
