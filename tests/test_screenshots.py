"""The committed dialog screenshots (docs/images/<algorithm>.png) show the algorithms as
they are: each was saved with the text it shows (<algorithm>.shows.txt, written by
scripts/screenshots.py); an algorithm whose title, help or parameters changed since
fails here until ``make screenshots`` renews its picture."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from hyperspectral_crnn.algorithms import algorithm_classes

REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "docs" / "images"


def screenshots_module():
    spec = importlib.util.spec_from_file_location("screenshots",
                                                  REPO / "scripts" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("algorithm_class", algorithm_classes(),
                         ids=lambda c: c().name())
def test_each_dialog_screenshot_shows_the_algorithm_as_it_is(qgis_app, algorithm_class):
    module = screenshots_module()
    algorithm = algorithm_class()
    algorithm.initAlgorithm()
    name = algorithm.name()
    assert name in module.ALGORITHMS, f"{name} has no screenshot: add it to ALGORITHMS"
    assert (IMAGES / f"{name}.png").is_file()
    shown = (IMAGES / f"{name}.shows.txt").read_text(encoding="utf-8")
    assert shown == module.dialog_contents(algorithm), (
        f"docs/images/{name}.png is stale: run make screenshots")
