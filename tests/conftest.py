"""Make the checkout importable as the package ``hyperspectral_crnn``.

The repository root is the plugin folder. ``.build/plugins/hyperspectral_crnn`` is a
symlink to it (created here when missing), and ``.build/plugins`` goes on ``sys.path``,
so plain ``.venv/bin/pytest`` works. QGIS itself is started by pytest-qgis.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PLUGINS = REPO / ".build" / "plugins"
PLUGIN_LINK = PLUGINS / "hyperspectral_crnn"


def _ensure_plugin_link() -> None:
    PLUGINS.mkdir(parents=True, exist_ok=True)
    if not PLUGIN_LINK.exists():
        if PLUGIN_LINK.is_symlink():  # a dangling link
            PLUGIN_LINK.unlink()
        try:
            os.symlink("../..", PLUGIN_LINK)
        except FileExistsError:  # made meanwhile by a concurrent run
            pass


_ensure_plugin_link()
if str(PLUGINS) not in sys.path:
    sys.path.insert(0, str(PLUGINS))


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root (the plugin folder)."""
    return REPO


@pytest.fixture(scope="session")
def scene(tmp_path_factory) -> dict[str, str]:
    """The Indian Pines scene written once per session (N = 200, seed 0)."""
    from hyperspectral_crnn.demo.indian_pines import write_scene

    return write_scene(tmp_path_factory.mktemp("indian_pines"), n_per_class=200, seed=0)


@pytest.fixture(scope="module")
def benchmark():
    """benchmarks/indian_pines.py loaded as a module (a script, not part of the package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "indian_pines_benchmark", REPO / "benchmarks" / "indian_pines.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def provider(qgis_app, qgis_processing):
    """The ``crnn`` provider registered the way QGIS does it (classFactory + initProcessing)."""
    import hyperspectral_crnn

    plugin = hyperspectral_crnn.classFactory(None)
    plugin.initProcessing()
    yield
    # Feedback objects and contexts held in reference cycles (an exception's traceback
    # refers to the frame that ran the algorithm) must go while QGIS runs: collected
    # after it exits, they crash Python (seen on QGIS 3.44)
    gc.collect()
    plugin.unload()


@pytest.fixture(scope="module")
def fields(tmp_path_factory) -> dict:
    """The small scene of tests/scenes.py: three fields and training polygons."""
    from scenes import write_field_scene

    return write_field_scene(str(tmp_path_factory.mktemp("fields")))


@pytest.fixture(params=["exceptions-off", "exceptions-on"])
def gdal_exceptions_mode(request):
    """Run a test with GDAL, OGR and OSR exceptions off (QGIS 3.22) and on (QGIS 3.40+
    turns them on for the whole process when Processing loads); restore them after."""
    from osgeo import gdal, ogr, osr

    modules = (gdal, ogr, osr)  # GDAL stacks the switches: on in this order, off reversed

    def switch(wanted: list) -> None:
        for module in reversed(modules):
            if module.GetUseExceptions():
                module.DontUseExceptions()
        for module, on in zip(modules, wanted):
            if on:
                module.UseExceptions()

    before = [bool(module.GetUseExceptions()) for module in modules]
    wanted = request.param == "exceptions-on"
    switch([wanted] * 3)
    yield wanted
    after = [bool(module.GetUseExceptions()) for module in modules]
    switch(before)
    assert after == [wanted] * 3, "the plugin's code changed the process's GDAL setting"
