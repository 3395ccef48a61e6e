"""Each algorithm's Toolbox dialog opens in QGIS desktop (under Xvfb) and shows something.

Runs scripts/screenshots.py in a subprocess with a real display server, as a user would
open the dialogs, and checks every screenshot exists and is not blank. The map is the
ground truth styled by the plugin (no training, so the test stays quick).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from qgis.PyQt.QtGui import QImage

from hyperspectral_crnn.algorithms import algorithm_classes

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None,
                                reason="xvfb-run is missing (Debian package xvfb): no display "
                                       "server to open QGIS dialogs in")


def _distinct_colours(image: QImage, step: int = 7) -> int:
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)


@pytest.fixture(scope="module")
def screenshots(repo, scene, tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # a real display
    result = subprocess.run(
        ["xvfb-run", "-a", sys.executable, str(repo / "scripts" / "screenshots.py"),
         str(folder), "--ground-truth", "--scene", os.path.dirname(scene["cube"])],
        capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return folder


@pytest.mark.parametrize("name", [cls().name() for cls in algorithm_classes()]
                         + ["map", "install_dependencies"])
def test_screenshot_is_there_and_not_blank(screenshots, name, qgis_app):
    image = QImage(str(screenshots / f"{name}.png"))
    assert not image.isNull(), f"{name}.png was not written"
    assert image.width() >= 800 and image.height() >= 500
    assert _distinct_colours(image) >= 20, f"{name}.png looks blank"


def test_float_spin_boxes_show_their_defaults_whole_and_no_trailing_zeros():
    """A fraction shows as 0.15, not 0.150000, and no default loses a digit."""
    from qgis.core import QgsProcessingParameterNumber

    seen = 0
    for algorithm_class in algorithm_classes():
        algorithm = algorithm_class()
        algorithm.initAlgorithm()
        for parameter in algorithm.parameterDefinitions():
            if not (isinstance(parameter, QgsProcessingParameterNumber)
                    and parameter.dataType() == QgsProcessingParameterNumber.Type.Double):
                continue
            decimals = parameter.metadata()["widget_wrapper"]["decimals"]
            default = parameter.defaultValue()
            assert 2 <= decimals <= 6, parameter.name()
            if default is not None:
                assert float(f"{default:.{decimals}f}") == pytest.approx(default, abs=1e-12)
            seen += 1
    train = [a for a in algorithm_classes() if a().name() == "train"][0]()
    train.initAlgorithm()
    assert train.parameterDefinition("VALIDATION_FRACTION").metadata()[
        "widget_wrapper"]["decimals"] == 2
    assert seen > 10
