"""``scripts/qgis_process`` (real qgis_process, offscreen) lists the ``crnn`` provider."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
WRAPPER = REPO / "scripts" / "qgis_process"
QGIS_PROCESS = "/usr/bin/qgis_process.bin"

pytestmark = pytest.mark.skipif(not os.path.exists(QGIS_PROCESS),
                                reason=f"{QGIS_PROCESS} is not installed")


def _run_wrapper(args: list[str], tmp_path: Path, with_venv: bool, **variables: str):
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "QGIS_PLUGINPATH")}
    env.update(variables)
    # A fresh profile, so the wrapper's one-time `plugins enable` is exercised too.
    env["CRNN_QGIS_CONFIG"] = str(tmp_path / "qgis")
    if not with_venv:
        env["CRNN_VENV"] = ""
    return subprocess.run([str(WRAPPER), *args], env=env, capture_output=True, text=True,
                          timeout=180)


@pytest.mark.parametrize("with_venv", [True, False], ids=["with-venv", "without-venv"])
def test_list_shows_the_provider(tmp_path, with_venv):
    done = _run_wrapper(["--json", "list"], tmp_path, with_venv)
    assert done.returncode == 0, done.stdout + done.stderr
    listing = json.loads(done.stdout[done.stdout.index("{"):])
    provider = listing["providers"]["crnn"]
    assert provider["name"] == "Hyperspectral CRNN"
    assert provider["is_active"] is True
    # The plugin was enabled in the project-local profile, not in the user's.
    ini = tmp_path / "qgis" / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    assert "hyperspectral_crnn=true" in ini.read_text()


def test_plain_list_names_the_provider_and_plugin(tmp_path):
    done = _run_wrapper(["plugins"], tmp_path, with_venv=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "* hyperspectral_crnn" in done.stdout
    done = _run_wrapper(["list"], tmp_path, with_venv=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Hyperspectral CRNN" in done.stdout


def test_no_warning_from_the_plugin_with_all_warnings_shown(tmp_path):
    """QGIS 3.44 with Python 3.14 and GDAL 3.13: no deprecation warning of ours (Python's
    or GDAL's, such as the "Memory" vector driver's), with every warning shown."""
    rng = np.random.default_rng(0)
    np.save(tmp_path / "cube.npy", rng.random((12, 9, 5)).astype(np.float32))
    truth = np.zeros((12, 9), np.uint8)
    truth[3:6, 2:7] = 2
    np.save(tmp_path / "truth.npy", truth)
    runs = [["list"],
            ["run", "crnn:importcube", "--", f"INPUT={tmp_path / 'cube.npy'}",
             f"GROUND_TRUTH={tmp_path / 'truth.npy'}", f"OUTPUT={tmp_path / 'cube.tif'}",
             f"OUTPUT_POLYGONS={tmp_path / 'truth.gpkg'}"]]
    for args in runs:
        done = _run_wrapper(args, tmp_path, with_venv=True, PYTHONWARNINGS="always",
                            CPL_DEBUG="OFF")
        assert done.returncode == 0, done.stdout + done.stderr
        ours = [line for line in (done.stdout + done.stderr).splitlines()
                if ("warning" in line.lower() or "deprecat" in line.lower())
                and ("hyperspectral_crnn" in line or str(REPO) in line or "Memory" in line)]
        assert ours == [], "\n".join(ours)
    assert (tmp_path / "truth.gpkg").exists()
