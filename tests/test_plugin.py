"""The plugin loads, registers the ``crnn`` provider and unloads, with and without torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from qgis.core import (
    QgsApplication,
    QgsProcessingContext,
    QgsProcessingFeedback,
)

import hyperspectral_crnn
from hyperspectral_crnn.algorithms.base import CrnnAlgorithm
from hyperspectral_crnn.algorithms.provider import CrnnProvider
from hyperspectral_crnn.algorithms.torch_check import (
    CPU_INDEX_URL,
    qgis_python,
    require_torch,
    torch_install_command,
    torch_missing_message,
)

SYSTEM_PYTHON = "/usr/bin/python3"
REPO = Path(__file__).resolve().parent.parent


class ProbeAlgorithm(CrnnAlgorithm):
    """A minimal algorithm on the real base class, for the tests."""

    def name(self) -> str:
        return "probe"

    def displayName(self) -> str:
        return "Probe"

    def initAlgorithm(self, config=None) -> None:
        pass

    def processAlgorithm(self, parameters, context, feedback):
        return {"RAN": True}


def test_provider_registers_through_class_factory(qgis_app, qgis_iface):
    registry = QgsApplication.processingRegistry()
    assert registry.providerById("crnn") is None
    plugin = hyperspectral_crnn.classFactory(qgis_iface)
    plugin.initGui()
    try:
        provider = registry.providerById("crnn")
        assert isinstance(provider, CrnnProvider)
        assert provider.name() == "Hyperspectral CRNN"
        assert not provider.icon().isNull()
        assert os.path.isfile(provider.svgIconPath())
        # initProcessing after initGui (as qgis_process would) does not register twice.
        plugin.initProcessing()
        assert [p.id() for p in registry.providers()].count("crnn") == 1
    finally:
        plugin.unload()
    assert registry.providerById("crnn") is None


def test_init_processing_without_iface(qgis_app):
    """qgis_process passes no iface: the Processing path must not need one."""
    plugin = hyperspectral_crnn.classFactory(None)
    plugin.initProcessing()
    try:
        assert QgsApplication.processingRegistry().providerById("crnn") is not None
    finally:
        plugin.unload()
    assert QgsApplication.processingRegistry().providerById("crnn") is None


def test_base_algorithm_runs_when_torch_is_there(qgis_app):
    algorithm = ProbeAlgorithm()
    copy = algorithm.createInstance()
    assert type(copy) is ProbeAlgorithm
    assert not copy.icon().isNull()
    assert copy.groupId() == "" and copy.group() == ""
    copy.initAlgorithm()
    results, ok = copy.run({}, QgsProcessingContext(), QgsProcessingFeedback())
    assert ok and results == {"RAN": True}


def test_torch_check_passes_in_the_venv():
    assert torch_missing_message() is None
    require_torch()


def test_install_command_names_the_interpreter():
    python = qgis_python()
    assert os.path.isfile(python)
    command = torch_install_command(python)
    # The CPU build, into the plugin's packages folder, QGIS's numpy/SciPy/GDAL pinned.
    assert command.startswith(f'"{python}" -m pip install torch --target ')
    assert f"--index-url {CPU_INDEX_URL} " in command and "--constraint " in command


def test_qgis_python_when_sys_executable_is_the_qgis_binary(monkeypatch):
    """Inside QGIS sys.executable is often the qgis binary; find python via exec_prefix."""
    monkeypatch.setattr(sys, "executable", "/usr/bin/qgis")
    python = qgis_python()
    major, minor = sys.version_info[:2]
    assert python == os.path.join(sys.exec_prefix, "bin", f"python{major}.{minor}")
    assert os.path.isfile(python)


def test_qgis_python_is_not_a_shim_first_on_path(monkeypatch, tmp_path):
    """A pyenv or conda shim first on PATH, reported by QGIS as sys.executable, runs
    another interpreter (here one that reports another prefix and version): the
    installer names this interpreter, found under sys.exec_prefix, instead."""
    import hyperspectral_crnn.dependencies as deps

    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / "python3"
    shim.write_text("#!/bin/sh\necho /home/user/.pyenv/versions/3.9.18\necho 3.9\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(sys, "executable", str(shim))
    monkeypatch.setattr(deps, "_checked", {})
    python = qgis_python()
    major, minor = sys.version_info[:2]
    assert python == os.path.join(sys.exec_prefix, "bin", f"python{major}.{minor}")
    assert torch_install_command(python).startswith(f'"{python}" -m pip install torch')
    assert str(shim) not in torch_install_command(python)


# Run in a fresh interpreter: QGIS starts offscreen, the plugin is loaded as QGIS loads it,
# and an algorithm on the base class runs, or (without torch) refuses to run.
PLUGIN_PROBE = r"""
import importlib.util, json, sys
from qgis.core import (QgsApplication, QgsProcessingContext, QgsProcessingException,
                       QgsProcessingFeedback)

app = QgsApplication([], False)
app.initQgis()
report = {"torch_found": importlib.util.find_spec("torch") is not None}

import hyperspectral_crnn
plugin = hyperspectral_crnn.classFactory(None)
plugin.initProcessing()
registry = QgsApplication.processingRegistry()
report["provider"] = registry.providerById("crnn") is not None
report["torch_imported"] = "torch" in sys.modules

from hyperspectral_crnn.algorithms.base import CrnnAlgorithm
from hyperspectral_crnn.algorithms.torch_check import require_torch

try:
    require_torch()
    report["require_torch"] = None
except QgsProcessingException as error:
    report["require_torch"] = str(error)


class Probe(CrnnAlgorithm):
    def name(self):
        return "probe"

    def displayName(self):
        return "Probe"

    def initAlgorithm(self, config=None):
        pass

    def processAlgorithm(self, parameters, context, feedback):
        return {"RAN": True}


class Feedback(QgsProcessingFeedback):
    errors = []

    def reportError(self, error, fatalError=False):
        self.errors.append(error)


feedback = Feedback()
algorithm = Probe()
algorithm.initAlgorithm()
results, ok = algorithm.run({}, QgsProcessingContext(), feedback)
report["run_ok"] = ok
report["run_errors"] = feedback.errors

plugin.unload()
report["provider_after_unload"] = registry.providerById("crnn") is not None
print("REPORT " + json.dumps(report))
app.exitQgis()
"""


def _system_env(tmp_path: Path) -> dict[str, str]:
    """An environment without the venv on PYTHONPATH (the system Python lacks torch)."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONPATH"] = str(REPO / ".build" / "plugins")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["QGIS_CUSTOM_CONFIG_PATH"] = str(tmp_path / "qgis")
    env["XDG_RUNTIME_DIR"] = str(tmp_path)
    return env


def _probe(python: str, env: dict[str, str]) -> dict:
    done = subprocess.run([python, "-c", PLUGIN_PROBE], env=env, capture_output=True,
                          text=True, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("REPORT ")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    return json.loads(lines[-1][len("REPORT "):])


def test_plugin_loads_where_torch_is_missing(tmp_path):
    env = _system_env(tmp_path)
    has_torch = subprocess.run([SYSTEM_PYTHON, "-c", "import torch"], env=env,
                               capture_output=True).returncode == 0
    if has_torch:
        pytest.skip(f"torch is installed for {SYSTEM_PYTHON}; cannot test its absence")
    report = _probe(SYSTEM_PYTHON, env)
    assert report["torch_found"] is False
    assert report["provider"] is True
    message = report["require_torch"]
    assert message is not None
    assert SYSTEM_PYTHON in message
    assert f'"{SYSTEM_PYTHON}" -m pip install torch' in message
    # The menu entry first; the command installs into the profile, past Debian's
    # externally managed Python, without --break-system-packages.
    assert "Plugins > Hyperspectral CRNN > Install dependencies..." in message
    assert "--target " in message and "--break-system-packages" not in message
    assert report["run_ok"] is False
    assert any("pip install torch" in error for error in report["run_errors"])
    assert report["provider_after_unload"] is False


def test_plugin_loads_without_importing_torch(tmp_path):
    """With torch installed (the venv), loading the plugin still does not import it."""
    report = _probe(sys.executable, _system_env(tmp_path))
    assert report["torch_found"] is True
    assert report["provider"] is True
    assert report["torch_imported"] is False
    assert report["require_torch"] is None
    assert report["run_ok"] is True and report["run_errors"] == []
    assert report["provider_after_unload"] is False


def test_package_imports_without_qgis():
    """The package and its core import in a Python that never loads QGIS."""
    code = (
        "import sys\n"
        "import hyperspectral_crnn, hyperspectral_crnn.demo.indian_pines\n"
        "assert not [m for m in sys.modules if m == 'qgis' or m.startswith('qgis.')], "
        "sorted(sys.modules)\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / ".build" / "plugins"), *sys.path[1:]])
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr

