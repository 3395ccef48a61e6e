"""Make the checkout importable as the package ``hyperspectral_crnn``.

The repository root is the plugin folder. ``.build/plugins/hyperspectral_crnn`` is a
symlink to it (created here when missing), and ``.build/plugins`` goes on ``sys.path``,
so plain ``.venv/bin/pytest`` works. QGIS itself is started by pytest-qgis.
"""

from __future__ import annotations

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
    from hyperspectral_crnn.models.indian_pines import write_scene

    return write_scene(tmp_path_factory.mktemp("indian_pines"), n_per_class=200, seed=0)


@pytest.fixture(scope="module")
def provider(qgis_app, qgis_processing):
    """The ``crnn`` provider registered the way QGIS does it (classFactory + initProcessing)."""
    import hyperspectral_crnn

    plugin = hyperspectral_crnn.classFactory(None)
    plugin.initProcessing()
    yield
    plugin.unload()


@pytest.fixture(scope="module")
def fields(tmp_path_factory) -> dict:
    """The small scene of tests/scenes.py: three fields and training polygons."""
    from scenes import write_field_scene

    return write_field_scene(str(tmp_path_factory.mktemp("fields")))
