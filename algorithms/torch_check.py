"""Is PyTorch importable in the Python that QGIS runs? If not, say how to install it.

The plugin must load and list its algorithms without torch, so torch is only imported
here, inside functions, when an algorithm is about to run.
"""

from __future__ import annotations

import os
import sys

from qgis.core import QgsProcessingException

# pip's command for a CPU-only wheel, a much smaller download than the default CUDA one.
CPU_INDEX_URL = "https://download.pytorch.org/whl/cpu"


def qgis_python() -> str:
    """Return the path of the Python interpreter that QGIS embeds.

    Inside QGIS ``sys.executable`` is often the QGIS binary itself (``/usr/bin/qgis``,
    ``qgis-bin.exe``) or empty, so we look for the interpreter under
    ``sys.exec_prefix`` instead: ``bin/python3.X`` on Linux and macOS, ``python.exe``
    on Windows (OSGeo4W and the standalone installer).
    """
    executable = sys.executable or ""
    if os.path.basename(executable).lower().startswith("python") and os.path.isfile(
        executable
    ):
        return executable
    major, minor = sys.version_info[:2]
    prefix = sys.exec_prefix
    if os.name == "nt":
        candidates = [os.path.join(prefix, "python.exe"), os.path.join(prefix, "python3.exe")]
    else:
        candidates = [
            os.path.join(prefix, "bin", f"python{major}.{minor}"),
            os.path.join(prefix, "bin", f"python{major}"),
            os.path.join(prefix, "bin", "python"),
        ]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    return candidates[0]


def torch_install_command(python: str | None = None) -> str:
    """Return the shell command that installs torch into QGIS's Python."""
    return f'"{python or qgis_python()}" -m pip install torch'


def torch_missing_message() -> str | None:
    """Return None when torch imports, else a message saying how to install it.

    The message names the interpreter QGIS uses and gives the exact pip command,
    with the usual variants for Debian/Ubuntu's externally managed system Python.
    """
    try:
        import torch  # noqa: F401
    except Exception as error:  # ImportError, or OSError from a broken install
        reason = f"{type(error).__name__}: {error}"
    else:
        return None
    python = qgis_python()
    command = torch_install_command(python)
    lines = [
        "The Hyperspectral CRNN algorithms need PyTorch, which cannot be imported in "
        f"the Python that QGIS uses ({python}).",
        f"Import error: {reason}",
        "Install it into that Python and restart QGIS:",
        f"    {command}",
        f"For the smaller CPU-only build add: --index-url {CPU_INDEX_URL}",
    ]
    if os.name == "nt":
        lines.append("On Windows, run the command in the OSGeo4W Shell.")
    else:
        lines.append(
            "On Debian/Ubuntu, where the system Python is externally managed, either add "
            "--user --break-system-packages to that command, or install torch into a "
            "virtual environment made with --system-site-packages and put its "
            "site-packages folder on PYTHONPATH before starting QGIS."
        )
    return "\n".join(lines)


def require_torch() -> None:
    """Raise QgsProcessingException with install instructions if torch is missing."""
    message = torch_missing_message()
    if message is not None:
        raise QgsProcessingException(message)
