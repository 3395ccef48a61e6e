"""Installing the plugin's Python packages: dependencies.py, the dialog and the menu entry.

Real pip runs (offline, from a folder of wheels), the real dialog under pytest-qgis with
its real QProcess, and a real QMenu. The wheel folder holds tensorly 0.10.0, a real
package that requires numpy and SciPy, and the wheels of the running numpy and SciPy
versions, which ``pip install --target`` installs beside it although QGIS has them: the
tests check that they are removed again and that QGIS's own numpy is the one imported.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy
import pytest
import scipy
from osgeo import gdal
from qgis.core import QgsApplication, QgsProcessingException
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QMainWindow, QMenu

import hyperspectral_crnn
from hyperspectral_crnn import dependencies as deps
from hyperspectral_crnn.algorithms.torch_check import install_command_line, missing_message

REPO = Path(__file__).resolve().parent.parent
TENSORLY = "tensorly==0.10.0"


def _pip_environment() -> dict[str, str]:
    """This machine's pip settings (find-links, extra indexes, constraints) left out, so
    pip sees only the test's wheel folder."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory) -> Path:
    """tensorly 0.10.0 and the running numpy's and SciPy's wheels, fetched once from PyPI
    (or pip's cache); the installs themselves run offline (--no-index)."""
    folder = tmp_path_factory.mktemp("wheels")
    pins = deps.pinned_versions()
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--disable-pip-version-check", "-d", str(folder), TENSORLY,
         f"numpy=={pins['numpy']}", f"scipy=={pins['scipy']}"],
        capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.skip("cannot download the test wheels from PyPI: " + done.stderr[-500:])
    return folder


def _offline(wheelhouse: Path) -> list[str]:
    return ["--no-index", "--find-links", str(wheelhouse)]


def _names(folder: Path) -> set[str]:
    return set(os.listdir(folder)) if folder.exists() else set()


# --- dependencies.py -----------------------------------------------------------------
def test_dependencies_module_never_imports_qgis():
    tree = ast.parse((REPO / "dependencies.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert not imported & {"qgis", "PyQt5", "PyQt6", "processing"}, imported


def test_dependency_list():
    by_name = {entry.name: entry for entry in deps.DEPENDENCIES}
    assert by_name["torch"].required and by_name["torch"].cpu_index
    assert by_name["scipy"].required and not by_name["scipy"].cpu_index
    assert not by_name["threadpoolctl"].required and by_name["threadpoolctl"].default
    assert not by_name["distributed"].required and not by_name["distributed"].default
    statuses = {status.dependency.name: status for status in deps.check_all()}
    assert statuses["torch"].installed
    import torch

    assert statuses["torch"].version == torch.__version__
    assert statuses["scipy"].version == scipy.__version__
    missing = deps.check(deps.dependency("no_such_module_xyz"))
    assert not missing.installed and "ModuleNotFoundError" in missing.error


def test_constraints_pin_the_running_numpy_scipy_and_gdal(tmp_path):
    path = deps.write_constraints(deps.constraints_path(str(tmp_path / "python3.11")))
    assert path == str(tmp_path / "constraints-python3.11.txt")
    lines = Path(path).read_text().splitlines()
    assert f"numpy=={numpy.__version__}" in lines
    assert f"scipy=={scipy.__version__}" in lines
    assert f"GDAL=={gdal.__version__}" in lines
    assert deps.public_version("1.26.4+ds1") == "1.26.4"


def test_command_uses_the_cpu_index_on_linux_and_windows_only(tmp_path):
    target, constraints = str(tmp_path / "t"), str(tmp_path / "c.txt")
    cpu = ["--index-url", deps.CPU_INDEX_URL, "--extra-index-url", deps.PYPI_INDEX_URL]
    for platform in ("linux", "win32"):
        command = deps.install_command(["torch", "threadpoolctl"], target, constraints,
                                       python="/qgis/python3", platform=platform)
        assert command[:6] == ["/qgis/python3", "-m", "pip", "install", "torch",
                               "threadpoolctl"]
        assert command[command.index("--index-url"):][:4] == cpu
        assert command[command.index("--target") + 1] == target
        assert command[-2:] == ["--constraint", constraints]
    mac = deps.install_command(["torch"], target, constraints, python="p", platform="darwin")
    assert "--index-url" not in mac and "--extra-index-url" not in mac
    # Without torch no PyTorch index: pip's own configuration decides.
    assert "--index-url" not in deps.install_command(["scipy"], target, constraints,
                                                     python="p", platform="linux")
    line = deps.format_command(["/a b/python3", "-m", "pip", "install", "torch", "--target",
                                "/x y/t"])
    assert line == '"/a b/python3" -m pip install torch --target "/x y/t"'


def test_packages_dir_is_per_python_version(tmp_path):
    assert deps.packages_dir(str(tmp_path), (3, 12)) == str(
        tmp_path / "hyperspectral_crnn" / "python3.12")


def test_pip_target_install_leaves_qgis_numpy_alone(wheelhouse, tmp_path):
    """The dialog's command, run for real: pip puts numpy and SciPy copies into the
    folder (--target ignores installed packages); prune removes them; a fresh Python
    with the folder activated imports tensorly from it and numpy from QGIS's place."""
    target = tmp_path / "packages" / "python3.11"
    constraints = deps.write_constraints(deps.constraints_path(str(target)))
    command = deps.install_command(["tensorly"], str(target), constraints,
                                   index=_offline(wheelhouse))
    assert command[0] == deps.qgis_python()
    before = deps.snapshot(str(target))
    done = subprocess.run(command, env=_pip_environment(), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    # What pip --target does: copies of the already installed numpy and SciPy, at the
    # versions the constraints file pins.
    assert (f"numpy-{numpy.__version__}" in done.stdout
            and f"scipy-{scipy.__version__}" in done.stdout), done.stdout
    assert {"numpy", "scipy", "tensorly"} <= _names(target)

    report = deps.prune(str(target), ["tensorly"], before)
    assert any(line.startswith(f"numpy {numpy.__version__}") for line in report.removed)
    assert any(line.startswith(f"scipy {scipy.__version__}") for line in report.removed)
    assert report.problems == []
    left = _names(target)
    assert "tensorly" in left and "tensorly-0.10.0.dist-info" in left
    assert not [name for name in left if name.lower().startswith(("numpy", "scipy"))], left
    assert deps.protected_copies(str(target)) == []

    probe = (
        "import json, sys\n"
        "from hyperspectral_crnn.dependencies import activate\n"
        f"activate({str(target)!r})\n"
        "import numpy, scipy, tensorly\n"
        "value = float(tensorly.norm(tensorly.tensor([[3.0, 0.0], [0.0, 4.0]])))\n"
        "print(json.dumps([numpy.__file__, numpy.__version__, scipy.__file__,"
        " tensorly.__file__, value, sys.path[0]]))\n")
    env = dict(os.environ, PYTHONPATH=str(REPO / ".build" / "plugins"))
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    import json

    numpy_file, numpy_version, scipy_file, tensorly_file, value, first = json.loads(
        result.stdout.strip().splitlines()[-1])
    assert numpy_file == numpy.__file__ and numpy_version == numpy.__version__
    assert scipy_file == scipy.__file__
    assert tensorly_file.startswith(str(target))
    assert first == str(target)
    assert value == pytest.approx(5.0)


def _fake_distribution(target: Path, name: str, version: str, requires=()) -> None:
    """A package as pip --target leaves it: the module and a .dist-info with RECORD."""
    (target / name).mkdir(parents=True)
    (target / name / "__init__.py").write_text("")
    info = target / f"{name}-{version}.dist-info"
    info.mkdir()
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    (info / "METADATA").write_text("\n".join(lines + [f"Requires-Dist: {r}" for r in requires])
                                   + "\n")
    (info / "RECORD").write_text(f"{name}/__init__.py,,\n{info.name}/METADATA,,\n"
                                 f"{info.name}/RECORD,,\n")


def test_prune_removes_what_qgis_satisfies_and_keeps_newer_requirements(tmp_path):
    """Like pip's "already satisfied" in a normal install: a package QGIS's Python has in
    a version that meets the requirements goes; one needed in a newer version stays."""
    from importlib.metadata import version

    target = tmp_path / "t"
    _fake_distribution(target, "needs_new", "1.0", ["iniconfig>=99", "pluggy"])
    _fake_distribution(target, "iniconfig", "99.0")
    _fake_distribution(target, "pluggy", "0.1")
    report = deps.prune(str(target), ["needs_new"])
    assert report.removed == [f"pluggy 0.1 (QGIS's pluggy {version('pluggy')} satisfies "
                              "the requirements)"]
    assert report.kept == [f"iniconfig 99.0 (QGIS has {version('iniconfig')}, which does "
                           "not satisfy iniconfig>=99)"]
    assert _names(target) == {"needs_new", "needs_new-1.0.dist-info", "iniconfig",
                              "iniconfig-99.0.dist-info"}


def test_activate_removes_a_numpy_copy_first(tmp_path):
    """A numpy copy in the folder (e.g. from a pip command run by hand) is removed when
    the plugin loads, even without pip's metadata, before the folder goes on sys.path."""
    target = tmp_path / "t"
    (target / "numpy").mkdir(parents=True)
    (target / "numpy" / "__init__.py").write_text("raise ImportError('the copy')\n")
    (target / "numpy-9.9.9.dist-info").mkdir()
    (target / "brand_new_module").mkdir()
    assert deps.protected_copies(str(target)) == ["numpy"]
    notes = deps.activate(str(target))
    try:
        assert notes and "numpy" in notes[0]
        assert _names(target) == {"brand_new_module"}
        assert sys.path[0] == str(target)
        import numpy as again

        assert again.__file__ == numpy.__file__
    finally:
        deps.deactivate(str(target))
    assert str(target) not in sys.path


# --- the messages of the algorithms ----------------------------------------------------
def test_missing_package_message_names_the_menu_and_the_command(qgis_app):
    message = missing_message("no_such_module_xyz")
    python = deps.qgis_python()
    assert "'no_such_module_xyz'" in message and python in message
    assert "Plugins > Hyperspectral CRNN > Install dependencies..." in message
    assert f'"{python}" -m pip install no_such_module_xyz --target ' in message
    assert "--constraint" in message
    folder = deps.packages_dir(QgsApplication.qgisSettingsDirPath())
    assert folder in message
    constraints = Path(deps.constraints_path(folder)).read_text()
    assert f"numpy=={numpy.__version__}" in constraints
    assert missing_message("scipy") is None and missing_message("torch") is None
    line = install_command_line(["torch"], python)
    assert f"--index-url {deps.CPU_INDEX_URL} --extra-index-url {deps.PYPI_INDEX_URL}" in line


def test_which_algorithms_check_scipy_first():
    from hyperspectral_crnn.algorithms import algorithm_classes

    needs = {cls().name(): (cls.requires_torch, cls.requires_scipy)
             for cls in algorithm_classes()}
    assert needs["smooth"] == (False, True)
    assert needs["classify"] == (True, True) and needs["trainclassify"] == (True, True)
    assert needs["train"] == (True, False) and needs["assess"] == (False, False)


SMOOTH_PROBE = r"""
import json, sys
from qgis.core import (QgsApplication, QgsProcessingContext, QgsProcessingFeedback)

app = QgsApplication([], False)
app.initQgis()
import hyperspectral_crnn

plugin = hyperspectral_crnn.classFactory(None)
plugin.initProcessing()
algorithm = QgsApplication.processingRegistry().createAlgorithmById("crnn:smooth")


class Feedback(QgsProcessingFeedback):
    errors = []

    def reportError(self, error, fatalError=False):
        self.errors.append(error)


feedback = Feedback()
results, ok = algorithm.run({"PROBABILITIES": sys.argv[1], "OUTPUT": sys.argv[2]},
                            QgsProcessingContext(), feedback)
print("REPORT " + json.dumps({"ok": ok, "errors": feedback.errors,
                              "lop_imported":
                                  "hyperspectral_crnn.models.engine.lop" in sys.modules}))
plugin.unload()
app.exitQgis()
"""


def test_smooth_without_scipy_stops_with_the_install_message(tmp_path):
    """crnn:smooth where SciPy cannot be imported (a broken SciPy first on the path):
    a QgsProcessingException naming the menu entry and the command, before the LOP
    module is imported; no traceback, no output."""
    blocker = tmp_path / "blocker" / "scipy"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('SciPy is broken here')\n")
    raster = str(tmp_path / "probabilities.tif")
    dataset = gdal.GetDriverByName("GTiff").Create(raster, 4, 4, 2, gdal.GDT_Float32)
    dataset.SetGeoTransform((0, 1, 0, 4, 0, -1))
    dataset.GetRasterBand(1).Fill(0.25)
    dataset.GetRasterBand(2).Fill(0.75)
    dataset = None
    output = tmp_path / "smoothed.tif"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "qgis"), XDG_RUNTIME_DIR=str(tmp_path),
               PYTHONPATH=os.pathsep.join([str(blocker.parent),
                                           str(REPO / ".build" / "plugins")]))
    done = subprocess.run([sys.executable, "-c", SMOOTH_PROBE, raster, str(output)], env=env,
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("REPORT ")]
    assert done.returncode == 0 and lines, done.stdout[-2000:] + done.stderr[-2000:]
    import json

    report = json.loads(lines[-1][len("REPORT "):])
    assert report["ok"] is False and report["lop_imported"] is False
    error = "\n".join(report["errors"])
    assert "'scipy'" in error and "SciPy is broken here" in error
    assert "Plugins > Hyperspectral CRNN > Install dependencies..." in error
    assert "-m pip install scipy --target " in error and "--constraint" in error
    assert "Traceback" not in error
    assert not output.exists()


# --- the dialog ----------------------------------------------------------------------
def _wait(condition, timeout: float = 120.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def _row(dialog, name: str) -> list[str]:
    for row in range(dialog.table.topLevelItemCount()):
        item = dialog.table.topLevelItem(row)
        if item.text(0) == name:
            return [item.text(column) for column in range(3)]
    raise AssertionError(f"no row {name}")


def test_dialog_shows_python_folder_status_and_command(qgis_app, tmp_path):
    import distributed
    import torch

    from hyperspectral_crnn.gui.dependency_dialog import DependencyDialog

    target = tmp_path / "python3.11"
    dialog = DependencyDialog(str(target))
    try:
        dialog.show()
        assert dialog.python_label.text() == deps.qgis_python()
        assert dialog.target_label.text() == str(target)
        assert _row(dialog, "torch")[1] == f"{torch.__version__} installed"
        assert _row(dialog, "scipy")[1] == f"{scipy.__version__} installed"
        # the optional Dask package (requirements.txt installs it for the cluster tests)
        assert _row(dialog, "distributed")[1] == f"{distributed.__version__} installed"
        # Everything required is there: nothing is ticked.
        assert dialog.selected_packages() == []
        assert not dialog.install_button.isEnabled()
        assert "Nothing to install" in dialog.command_view.toPlainText()
        assert not dialog.cancel_button.isEnabled() and dialog.close_button.isEnabled()
        assert not dialog.pip_warning.isVisible()
        dialog.set_selected(["distributed"])
        assert dialog.install_button.isEnabled()
        command = dialog.command_view.toPlainText()
        assert command == deps.format_command(dialog.command())
        assert f'"{deps.qgis_python()}" -m pip install distributed --target {target}' in command
        assert "--index-url" not in command  # no torch: pip's own index
        dialog.set_selected(["torch", "threadpoolctl"])
        assert f"install torch threadpoolctl --target {target}" in (
            dialog.command_view.toPlainText())
        assert f"--index-url {deps.CPU_INDEX_URL}" in dialog.command_view.toPlainText()
        # The constraints file named in the command exists, pinning QGIS's versions.
        constraints = Path(deps.constraints_path(str(target))).read_text()
        assert f"numpy=={numpy.__version__}" in constraints
    finally:
        dialog.close()
        dialog.deleteLater()


def test_dialog_shows_a_missing_required_package(qgis_app, tmp_path):
    from hyperspectral_crnn.gui.dependency_dialog import DependencyDialog

    entry = deps.Dependency("no-such-package-xyz", "no_such_module_xyz", True, "Tests")
    dialog = DependencyDialog(str(tmp_path / "t"), dependencies=[entry])
    try:
        assert _row(dialog, "no-such-package-xyz")[1:] == ["missing", "Tests"]
        assert dialog.selected_packages() == ["no-such-package-xyz"]  # ticked
        assert dialog.install_button.isEnabled()
        item = dialog.table.topLevelItem(0)
        assert "No module named 'no_such_module_xyz'" in item.toolTip(1)
    finally:
        dialog.deleteLater()


def test_dialog_without_pip_says_how_to_get_it(qgis_app, tmp_path):
    """A real Python without pip (a venv made --without-pip), as Debian's python3 is
    when python3-pip is not installed."""
    venv = tmp_path / "nopip"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    assert not deps.pip_available(python) and deps.pip_available()
    from hyperspectral_crnn.gui.dependency_dialog import DependencyDialog

    dialog = DependencyDialog(str(tmp_path / "t"), python=python)
    try:
        dialog.show()
        assert dialog.pip_warning.isVisible()
        assert "python3-pip" in dialog.pip_warning.text()
        dialog.set_selected(["distributed"])
        assert not dialog.install_button.isEnabled() and dialog.start() is False
    finally:
        dialog.close()
        dialog.deleteLater()


@pytest.fixture
def tensorly_dialog(qgis_app, tmp_path, wheelhouse, monkeypatch):
    """The dialog offering tensorly from the wheel folder (pip offline, isolated from this
    machine's pip settings); the folder is taken off sys.path again afterwards."""
    from hyperspectral_crnn.gui.dependency_dialog import DependencyDialog

    for key in [key for key in os.environ if key.startswith("PIP_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    target = tmp_path / "python3.11"
    entry = deps.Dependency("tensorly", "tensorly", False, "Tests", default=False)
    dialog = DependencyDialog(str(target), dependencies=[entry], index=_offline(wheelhouse))
    dialog.show()
    yield dialog, target
    dialog.stop()
    dialog.close()
    dialog.deleteLater()
    deps.deactivate(str(target))
    for name in [name for name, module in sys.modules.items()
                 if str(getattr(module, "__file__", "") or "").startswith(str(target))]:
        del sys.modules[name]


def test_dialog_runs_pip_in_the_background_with_a_live_log(tensorly_dialog):
    dialog, target = tensorly_dialog
    outcome = []
    dialog.installFinished.connect(outcome.append)
    dialog.set_selected(["tensorly"])
    dialog.install_button.click()
    assert dialog.is_running()
    assert dialog.cancel_button.isEnabled() and not dialog.close_button.isEnabled()
    assert not dialog.install_button.isEnabled() and dialog.busy.isVisible()
    # Output arrives while pip still runs, and the event loop keeps going meanwhile.
    assert _wait(lambda: "Processing" in dialog.log.toPlainText() or not dialog.is_running())
    saw_live_output = dialog.is_running()
    assert _wait(lambda: outcome, timeout=300)
    log = dialog.log.toPlainText()
    assert outcome == [True], log
    assert saw_live_output, "pip's output only appeared after it ended"
    assert log.startswith(f'$ "{deps.qgis_python()}" -m pip install tensorly --target ')
    assert "Successfully installed" in log
    assert f"Removed from the folder: numpy {numpy.__version__}" in log
    assert f"Removed from the folder: scipy {scipy.__version__}" in log
    assert "Done" in log
    assert "tensorly" in _names(target)
    assert not [name for name in _names(target) if name.startswith(("numpy", "scipy"))]
    assert sys.path[0] == str(target)  # usable without a restart
    import numpy as again

    assert again.__file__ == numpy.__file__
    assert not dialog.is_running() and dialog.close_button.isEnabled()


def test_cancel_kills_pip(tensorly_dialog):
    dialog, target = tensorly_dialog
    outcome = []
    dialog.installFinished.connect(outcome.append)
    dialog.set_selected(["tensorly"])
    assert dialog.start()
    assert _wait(lambda: "Looking in links" in dialog.log.toPlainText()
                 or not dialog.is_running())
    assert dialog.is_running(), "pip ended before it could be cancelled"
    pid = dialog.process.processId()
    assert pid > 0 and os.path.exists(f"/proc/{pid}") or os.name == "nt"
    dialog.cancel_button.click()
    assert outcome == [False]
    assert not dialog.is_running()
    assert "Cancelled: pip was stopped." in dialog.log.toPlainText()
    if os.name != "nt":
        assert not os.path.exists(f"/proc/{pid}")  # killed and reaped
    assert "tensorly-0.10.0.dist-info" not in _names(target)
    assert dialog.install_button.isEnabled() and not dialog.cancel_button.isEnabled()


# --- the menu entry -------------------------------------------------------------------
class MenuInterface:
    """The parts of QgisInterface the plugin uses, on a real main window and a real
    Plugins menu: addPluginToMenu/removePluginMenu as QGIS does them (a submenu per
    name, removed when it becomes empty)."""

    def __init__(self) -> None:
        self.window = QMainWindow()
        self.plugins_menu = self.window.menuBar().addMenu("&Plugins")

    def mainWindow(self):
        return self.window

    def submenu(self, name: str):
        for action in self.plugins_menu.actions():
            if action.menu() is not None and action.text() == name:
                return action.menu()
        return None

    def addPluginToMenu(self, name: str, action) -> None:
        menu = self.submenu(name)
        if menu is None:
            menu = QMenu(name, self.plugins_menu)
            self.plugins_menu.addMenu(menu)
        menu.addAction(action)

    def removePluginMenu(self, name: str, action) -> None:
        menu = self.submenu(name)
        if menu is None:
            return
        menu.removeAction(action)
        if menu.isEmpty():
            self.plugins_menu.removeAction(menu.menuAction())


def test_menu_entry_is_added_opens_the_dialog_and_is_removed(qgis_app):
    iface = MenuInterface()
    plugin = hyperspectral_crnn.classFactory(iface)
    plugin.initGui()
    try:
        menu = iface.submenu("Hyperspectral CRNN")
        assert menu is not None
        assert [action.text() for action in menu.actions()] == ["Install dependencies..."]
        menu.actions()[0].trigger()
        assert plugin.dialog is not None and plugin.dialog.isVisible()
        assert plugin.dialog.parent() is iface.window
        assert plugin.dialog.target == plugin.packages_folder
        assert plugin.packages_folder == deps.packages_dir(
            QgsApplication.qgisSettingsDirPath())
        plugin.initGui()  # a second call adds nothing
        assert len(menu.actions()) == 1
    finally:
        plugin.unload()
    assert iface.submenu("Hyperspectral CRNN") is None
    assert plugin.dialog is None and plugin.menu_action is None
    assert QgsApplication.processingRegistry().providerById("crnn") is None


def test_no_menu_without_iface(qgis_app):
    plugin = hyperspectral_crnn.classFactory(None)  # qgis_process
    plugin.initGui()
    try:
        assert plugin.menu_action is None
    finally:
        plugin.unload()


def test_require_raises_a_processing_exception(qgis_app):
    from hyperspectral_crnn.algorithms.torch_check import require

    require("torch", "scipy")
    with pytest.raises(QgsProcessingException, match="Install dependencies"):
        require("scipy", "no_such_module_xyz")


def test_record_paths_that_leave_the_folder_are_never_removed(tmp_path):
    """A RECORD entry like ``pkg/../../x`` would point outside the packages folder: the
    clean-up never takes it. (Python 3.13+ lists only RECORD files that exist, so the
    files are made for real.)"""
    import importlib.metadata

    from hyperspectral_crnn.dependencies import _relative_files

    folder = tmp_path / "packages"
    (folder / "demo_pkg").mkdir(parents=True)
    (folder / "demo_pkg" / "__init__.py").write_text("")
    (tmp_path / "outside.txt").write_text("not the installer's to delete")
    info = folder / "demo_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n")
    (info / "RECORD").write_text("demo_pkg/__init__.py,,\ndemo_pkg/../../outside.txt,,\n"
                                 "demo_pkg-1.0.dist-info/RECORD,,\n")
    distribution = next(importlib.metadata.distributions(path=[str(folder)]))
    assert any("outside" in str(entry) for entry in distribution.files)  # it is listed
    taken = _relative_files(distribution, str(folder))
    assert "demo_pkg/__init__.py" in taken
    assert not [name for name in taken if "outside" in name]
