"""Do PyTorch and SciPy import in the Python that QGIS runs? If not, say how to install them.

The plugin must load and list its algorithms without torch or SciPy, so they are only
imported here, inside functions, when an algorithm is about to run. The message names
the menu entry *Plugins > Hyperspectral CRNN > Install dependencies...* first, then the
pip command that the entry runs (see ``dependencies.py`` for where it installs and how
it keeps QGIS's numpy, SciPy and GDAL).
"""

from __future__ import annotations

import os
import tempfile
from typing import List, Optional, Sequence

from qgis.core import QgsApplication, QgsProcessingException

from ..dependencies import (
    CPU_INDEX_URL,  # noqa: F401 - re-exported for callers of the old module
    DEPENDENCIES,
    activate,
    check,
    constraints_path,
    dependency,
    format_command,
    install_command,
    missing,
    packages_dir,
    pip_available,
    qgis_python,
    write_constraints,
)
from ..translate import tr

__all__ = ["CPU_INDEX_URL", "qgis_python", "packages_folder", "install_command_line",
           "torch_install_command", "missing_message", "torch_missing_message", "require",
           "require_torch", "require_scipy"]



def packages_folder() -> str:
    """Where the plugin installs packages: ``<QGIS profile>/hyperspectral_crnn/python3.X``."""
    return packages_dir(QgsApplication.qgisSettingsDirPath())


def _constraints_file(target: str) -> str:
    """Write the constraints file beside the packages folder (in the temporary folder if
    the profile is not writable) and return its path."""
    try:
        return write_constraints(constraints_path(target))
    except OSError:
        return write_constraints(os.path.join(tempfile.gettempdir(),
                                              os.path.basename(constraints_path(target))))


def install_command_line(packages: Sequence[str], python: Optional[str] = None,
                         target: Optional[str] = None) -> str:
    """The pip command that installs ``packages`` into the plugin's packages folder, as
    one line to paste into a shell (its constraints file is written now)."""
    target = target or packages_folder()
    return format_command(install_command(list(packages), target, _constraints_file(target),
                                          python=python or qgis_python()))


def torch_install_command(python: Optional[str] = None) -> str:
    """Return the shell command that installs torch into the plugin's packages folder."""
    return install_command_line(["torch"], python)


def _packages_for(name: str) -> List[str]:
    """``name`` first, then the other default dependencies that are missing, so one
    command installs everything at once."""
    others = [entry for entry in DEPENDENCIES if entry.default and entry.name != name]
    return [name] + [entry.name for entry in missing(others)]


def missing_message(name: str) -> Optional[str]:
    """Return None when the package ``name`` imports, else a message saying how to
    install it: the menu entry, then the exact command with QGIS's interpreter."""
    target = packages_folder()
    activate(target)  # installed by hand since QGIS started: found without a restart
    entry = dependency(name)
    status = check(entry)
    if status.installed:
        return None
    python = qgis_python()
    command = install_command_line(_packages_for(entry.name), python, target)
    lines = [
        tr("This algorithm needs the Python package '{package}', which cannot be imported "
           "in the Python that QGIS uses ({python}).").format(package=entry.name,
                                                              python=python),
        tr("Import error: {error}").format(error=status.error),
        tr("Install it from the QGIS menu Plugins > Hyperspectral CRNN > Install "
           "dependencies..., or run this command, then run the algorithm again:"),
        f"    {command}",
        tr("The command installs into {folder}, which the plugin puts on Python's path: it "
           "needs no administrator rights, leaves the system's packages alone (also where "
           "Debian or Ubuntu mark them as externally managed), and its constraints file "
           "keeps QGIS's numpy, SciPy and GDAL as they are.").format(folder=target),
    ]
    if not pip_available():
        lines.append(tr("pip is not installed in that Python: on Debian or Ubuntu install "
                        "the package python3-pip first (sudo apt install python3-pip)."))
    if os.name == "nt":
        lines.append(tr("On Windows, run the command in the OSGeo4W Shell."))
    return "\n".join(lines)


def torch_missing_message() -> Optional[str]:
    """Return None when torch imports, else a message saying how to install it."""
    return missing_message("torch")


def require(*names: str) -> None:
    """Raise QgsProcessingException with install instructions for the first package of
    ``names`` that does not import."""
    for name in names:
        message = missing_message(name)
        if message is not None:
            raise QgsProcessingException(message)


def require_torch() -> None:
    """Raise QgsProcessingException with install instructions if torch is missing."""
    require("torch")


def require_scipy() -> None:
    """Raise QgsProcessingException with install instructions if SciPy is missing (the
    LOP, models/engine/lop.py, imports it)."""
    require("scipy")
