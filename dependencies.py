"""The plugin's Python dependencies: which are missing, and the pip command that installs them.

QGIS-free (standard library only), so it works in QGIS, under ``qgis_process`` and in
plain Python. The dialog ``gui/dependency_dialog.py`` and the messages of
``algorithms/torch_check.py`` build on it; docs/dependencies.md explains the design.

Where packages go
-----------------
Into a folder of the QGIS profile, one per Python version (compiled wheels such as
torch's only work with the Python they were built for, and QGIS versions with different
Pythons may share a profile)::

    <profile>/hyperspectral_crnn/python3.11

with ``<qgis python> -m pip install <packages> --target <folder>``. The plugin puts the
folder at the front of ``sys.path`` when it loads, before anything imports torch. Why
``--target`` rather than pip's default destination:

* Debian/Ubuntu mark their system Python as externally managed (PEP 668): a plain
  ``pip install`` is refused, ``--user`` too; ``--target`` skips that check and leaves
  Debian's packages alone (nothing is uninstalled, nothing needs root).
* Windows (OSGeo4W, or the standalone installer under ``C:\\Program Files``): QGIS's
  ``site-packages`` is usually not writable without administrator rights; the profile
  folder is.
* macOS: writing into ``/Applications/QGIS.app`` would alter the signed application
  bundle; the profile folder lies outside it.

QGIS's Python, where the command runs (the interpreter QGIS embeds, see
:func:`qgis_python`):

* Debian/Ubuntu packages: ``/usr/bin/python3``
  (profile ``~/.local/share/QGIS/QGIS3/profiles/default``);
* Windows, OSGeo4W: ``C:\\OSGeo4W\\apps\\Python3X\\python.exe``; standalone installer:
  ``C:\\Program Files\\QGIS 3.X\\apps\\Python3X\\python.exe``
  (profile ``%APPDATA%\\QGIS\\QGIS3\\profiles\\default``);
* macOS, QGIS.app: ``/Applications/QGIS.app/Contents/MacOS/bin/python3``
  (profile ``~/Library/Application Support/QGIS/QGIS3/profiles/default``).

Keeping QGIS's numpy, SciPy and GDAL
------------------------------------
``pip install --target`` ignores what is already installed: asked for a package that
needs numpy, it puts a numpy into the folder even when QGIS's numpy satisfies the
requirement (tried with pip 23.0.1: ``tensorly`` into an empty folder beside Debian's
numpy 1.24.2 and SciPy 1.10.1 brought numpy 2.4.6 and SciPy 1.17.1 along). At the front
of ``sys.path`` such a copy would shadow QGIS's own, which GDAL's and SciPy's compiled
modules were built against. Two measures prevent that:

1. A constraints file, written when the command is built, pins the running versions of
   numpy, SciPy and GDAL (``numpy==1.24.2`` ...), so pip picks versions of everything else
   that work with QGIS's, and any copy it fetches is the same version (same experiment:
   numpy 1.24.2 and SciPy 1.10.1).
2. After pip, :func:`prune` removes such copies from the folder: every numpy, SciPy or
   GDAL that QGIS's Python has outside it, and every other package QGIS already has in a
   version that satisfies what the folder's packages require (what pip would have
   skipped as "already satisfied" in a normal install). A newer version that a package
   needs (e.g. ``typing_extensions`` for torch where the system's is too old) stays, and
   the report says so. :func:`activate` repeats the numpy/SciPy/GDAL part when the
   plugin loads, in case the folder was filled by hand.

torch itself never needs numpy or SciPy, so installing it downloads neither.

PyTorch's CPU wheels
--------------------
On PyPI, torch for Linux is the CUDA build (several GB with its NVIDIA libraries). On
Linux and Windows the command therefore reads PyTorch's CPU-only index first
(``--index-url https://download.pytorch.org/whl/cpu``) with PyPI as the extra index for
the rest. macOS wheels on PyPI are CPU-only already: PyPI alone there.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.metadata
import importlib.util
import os
import re
import shlex
import shutil
import subprocess  # nosec B404: runs pip and Python itself, fixed argument lists, no shell
import sys
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

CPU_INDEX_URL = "https://download.pytorch.org/whl/cpu"
PYPI_INDEX_URL = "https://pypi.org/simple"
#: The folder under the QGIS profile that holds the installed packages.
PROFILE_FOLDER = "hyperspectral_crnn"

#: Distributions QGIS brings that must never be shadowed, with their import names.
#: Their running versions are pinned in the constraints file.
PROTECTED: Dict[str, Tuple[str, ...]] = {
    "numpy": ("numpy",),
    "scipy": ("scipy",),
    "gdal": ("osgeo", "osgeo_utils"),
}
#: How the pinned version is read: distribution name -> (module, attribute).
PIN_SOURCES: Dict[str, Tuple[str, str]] = {
    "numpy": ("numpy", "__version__"),
    "scipy": ("scipy", "__version__"),
    "GDAL": ("osgeo.gdal", "__version__"),
}


@dataclass(frozen=True)
class Dependency:
    """A Python package the plugin (or one of its features) uses."""

    #: The name pip installs (``pip install <name>``).
    name: str
    #: The module to import to check it.
    module: str
    #: Required: some algorithms stop without it.
    required: bool
    #: What needs it, in English (the dialog translates it).
    purpose: str
    #: Ticked in the dialog when missing (required ones always are).
    default: bool = True
    #: Fetched from PyTorch's CPU-only index on Linux and Windows.
    cpu_index: bool = False


DEPENDENCIES: Tuple[Dependency, ...] = (
    Dependency("torch", "torch", True,
               "The CRNN: training and classification (CPU build)", cpu_index=True),
    Dependency("scipy", "scipy", True,
               "The linear opinion pool (classification, smoothing) and .mat files"),
    Dependency("threadpoolctl", "threadpoolctl", False,
               "Optional: keeps numpy's OpenBLAS from slowing torch down"),
    Dependency("distributed", "distributed", False,
               "Optional: classification on a Dask cluster (DASK_SCHEDULER)",
               default=False),
)


def dependency(name: str) -> Dependency:
    """The entry of :data:`DEPENDENCIES` called ``name``, or an ad-hoc required one."""
    for entry in DEPENDENCIES:
        if entry.name == name or entry.module == name:
            return entry
    return Dependency(name, name, True, "")


# --- the running Python --------------------------------------------------------------
def qgis_python() -> str:
    """Return the path of the Python interpreter that QGIS embeds.

    Inside QGIS ``sys.executable`` is often the QGIS binary itself (``/usr/bin/qgis``,
    ``qgis-bin.exe``, ``QGIS.app/Contents/MacOS/QGIS``), empty, or whatever ``python3``
    came first on PATH (a pyenv or conda shim: another interpreter, often another
    version). So each candidate (``sys.executable``, then the interpreters under
    ``sys.exec_prefix``: ``bin/python3.X`` on Linux and macOS, ``python.exe`` on Windows)
    is taken only when it is this interpreter: the same prefix and version when run.
    """
    major, minor = sys.version_info[:2]
    prefix = sys.exec_prefix
    if os.name == "nt":
        under_prefix = [os.path.join(prefix, "python.exe"), os.path.join(prefix, "python3.exe")]
    else:
        under_prefix = [
            os.path.join(prefix, "bin", f"python{major}.{minor}"),
            os.path.join(prefix, "bin", f"python{major}"),
            os.path.join(prefix, "bin", "python"),
        ]
    executable = sys.executable or ""
    named_python = os.path.basename(executable).lower().startswith("python")
    for candidate in ([executable] if named_python else []) + under_prefix:
        if os.path.isfile(candidate) and _is_this_interpreter(candidate):
            return candidate
    return under_prefix[0]


_SELF_REPORT = "import sys; print(sys.exec_prefix); print('%d.%d' % sys.version_info[:2])"
_checked: Dict[str, bool] = {}


def _is_this_interpreter(candidate: str) -> bool:
    """Whether ``candidate`` runs as this interpreter: the same ``sys.exec_prefix`` (a
    virtual environment's own) and the same major.minor version. Asked once per path."""
    if candidate not in _checked:
        # QGIS's own PYTHONHOME or PYTHONPATH would make any interpreter claim its prefix
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
        try:
            done = subprocess.run(  # nosec B603: a Python found here asked to print its prefix
                [candidate, "-c", _SELF_REPORT], capture_output=True, text=True, timeout=30,
                env=env)
            lines = done.stdout.split("\n")
            _checked[candidate] = done.returncode == 0 and len(lines) >= 2 and (
                os.path.realpath(lines[0].strip()) == os.path.realpath(sys.exec_prefix)
                and lines[1].strip() == version)
        except (OSError, subprocess.SubprocessError):
            _checked[candidate] = False
    return _checked[candidate]


def pip_available(python: Optional[str] = None) -> bool:
    """Whether pip runs in ``python`` (default: this interpreter). Debian and Ubuntu ship
    pip separately (package python3-pip), and QGIS does not depend on it."""
    if python is None:
        return importlib.util.find_spec("pip") is not None
    try:
        done = subprocess.run(  # nosec B603: QGIS's own Python asked whether pip imports
            [python, "-c", "import pip"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def packages_dir(profile_dir: str, version: Sequence[int] = sys.version_info) -> str:
    """The folder that receives the packages: ``<profile>/hyperspectral_crnn/python3.X``."""
    return os.path.join(os.path.abspath(profile_dir), PROFILE_FOLDER,
                        f"python{version[0]}.{version[1]}")


def constraints_path(target: str) -> str:
    """The constraints file beside the packages folder (``constraints-python3.X.txt``)."""
    target = os.path.abspath(target)
    return os.path.join(os.path.dirname(target), f"constraints-{os.path.basename(target)}.txt")


# --- what is installed ---------------------------------------------------------------
@dataclass
class Status:
    """Whether a dependency imports in this Python, and which version from where."""

    dependency: Dependency
    version: Optional[str] = None
    location: Optional[str] = None
    error: Optional[str] = None

    @property
    def installed(self) -> bool:
        return self.error is None


def check(entry: Dependency) -> Status:
    """Import the dependency's module; a failure (ImportError, or OSError from a broken
    install, e.g. a missing DLL) makes it missing, with the error kept."""
    try:
        module = importlib.import_module(entry.module)
    except Exception as error:  # ImportError, OSError, anything a broken package raises
        return Status(entry, error=f"{type(error).__name__}: {error}")
    version = getattr(module, "__version__", None)
    if not isinstance(version, str):
        try:
            version = importlib.metadata.version(entry.name)
        except Exception:
            version = None
    location = getattr(module, "__file__", None)
    if location and os.path.basename(location).startswith("__init__."):
        location = os.path.dirname(location)
    return Status(entry, version=version, location=location)


def check_all(entries: Iterable[Dependency] = DEPENDENCIES) -> List[Status]:
    return [check(entry) for entry in entries]


def missing(entries: Iterable[Dependency] = DEPENDENCIES) -> List[Dependency]:
    return [status.dependency for status in check_all(entries) if not status.installed]


# --- the command ---------------------------------------------------------------------
def public_version(version: str) -> str:
    """``1.26.4+ds1`` -> ``1.26.4``: ``==`` on the public part matches every local build."""
    return version.split("+", 1)[0].strip()


def pinned_versions() -> Dict[str, str]:
    """The running versions of numpy, SciPy and GDAL (those that import)."""
    pins = {}
    for name, (module_name, attribute) in PIN_SOURCES.items():
        module = _imported(module_name)
        if module is None:
            continue
        version = getattr(module, attribute, None)
        if isinstance(version, str) and version.strip():
            pins[name] = public_version(version)
    return pins


def constraints_text(pins: Dict[str, str]) -> str:
    lines = ["# Written by the Hyperspectral CRNN plugin: QGIS's own versions, which pip "
             "must keep."]
    lines += [f"{name}=={version}" for name, version in sorted(pins.items())]
    return "\n".join(lines) + "\n"


def write_constraints(path: str, pins: Optional[Dict[str, str]] = None) -> str:
    """Write the constraints file (the running versions unless ``pins`` is given) and
    return its path."""
    pins = pinned_versions() if pins is None else pins
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(constraints_text(pins))
    return path


def uses_cpu_index(platform: str = sys.platform) -> bool:
    """PyTorch publishes CPU-only wheels for Linux and Windows; macOS's on PyPI are."""
    return platform.startswith("linux") or platform == "win32"


def index_options(packages: Sequence[str], platform: str = sys.platform) -> List[str]:
    """PyTorch's CPU index first and PyPI second where torch is installed on Linux or
    Windows; nothing (pip's configured index) otherwise."""
    cpu = {entry.name for entry in DEPENDENCIES if entry.cpu_index}
    if uses_cpu_index(platform) and cpu.intersection(packages):
        return ["--index-url", CPU_INDEX_URL, "--extra-index-url", PYPI_INDEX_URL]
    return []


def pip_arguments(packages: Sequence[str], target: str, constraints: str,
                  index: Optional[Sequence[str]] = None,
                  platform: str = sys.platform) -> List[str]:
    """The arguments after the interpreter: ``-m pip install <packages> --target ...``.

    The packages come first, so the command reads ``pip install torch ...``.
    ``index`` replaces the index options (e.g. ``["--no-index", "--find-links", dir]``).
    """
    if not packages:
        raise ValueError("nothing to install")
    options = list(index_options(packages, platform) if index is None else index)
    return (["-m", "pip", "install", *packages, "--target", os.path.abspath(target),
             "--upgrade", "--prefer-binary"] + options
            + ["--constraint", os.path.abspath(constraints)])


def install_command(packages: Sequence[str], target: str, constraints: str,
                    python: Optional[str] = None, index: Optional[Sequence[str]] = None,
                    platform: str = sys.platform) -> List[str]:
    """The whole command as a list: QGIS's Python, then :func:`pip_arguments`."""
    return [python or qgis_python()] + pip_arguments(packages, target, constraints, index,
                                                     platform)


_SAFE = re.compile(r"[\w@%+=:,./-]+")
_SAFE_WINDOWS = re.compile(r"[\w@%+=:,./\\-]+")


def quote(argument: str, always: bool = False) -> str:
    """Quote an argument for the shell the user pastes it into (cmd.exe or sh)."""
    if not always and (_SAFE_WINDOWS if os.name == "nt" else _SAFE).fullmatch(argument):
        return argument
    if os.name != "nt" and re.search(r'[$`"\\]', argument):
        return shlex.quote(argument)
    return '"' + argument + '"'


def format_command(command: Sequence[str]) -> str:
    """The command as one line to paste into a shell (the interpreter always quoted)."""
    return " ".join(quote(argument, index == 0) for index, argument in enumerate(command))


# --- the packages folder on sys.path ------------------------------------------------
def _same_path(a: str, b: str) -> bool:
    try:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))
    except (TypeError, ValueError):
        return False


def outside_path(target: str, search_path: Optional[Sequence[str]] = None) -> List[str]:
    """``search_path`` (default ``sys.path``) without the packages folder."""
    paths = sys.path if search_path is None else search_path
    return [p for p in paths if isinstance(p, str) and not _same_path(p or ".", target)]


def activate(target: str, search_path: Optional[Sequence[str]] = None) -> List[str]:
    """Put the packages folder first on ``sys.path`` (if it exists) so the packages
    installed there import, without a restart. Returns notes about copies of numpy,
    SciPy or GDAL found in the folder and removed first (see :func:`prune`).

    ``.pth`` files in the folder are not processed (none of our packages needs one).
    """
    if not os.path.isdir(target):
        return []
    notes = remove_protected_copies(target, search_path=search_path)
    if not any(_same_path(p, target) for p in sys.path if isinstance(p, str) and p):
        sys.path.insert(0, target)
    importlib.invalidate_caches()
    return notes


def deactivate(target: str) -> None:
    sys.path[:] = [p for p in sys.path if not (isinstance(p, str) and p
                                               and _same_path(p, target))]
    importlib.invalidate_caches()


# --- keeping QGIS's packages ----------------------------------------------------------
def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class PruneReport:
    """What :func:`prune` removed from the folder and which copies it kept, as lines."""

    removed: List[str] = field(default_factory=list)
    kept: List[str] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)


def _distributions(paths: Sequence[str]) -> Dict[str, importlib.metadata.Distribution]:
    """normalised name -> the first distribution found along ``paths`` (as import does)."""
    found: Dict[str, importlib.metadata.Distribution] = {}
    for distribution in importlib.metadata.distributions(path=list(paths)):
        name = _metadata_name(distribution)
        if name:
            found.setdefault(normalise(name), distribution)
    return found


def _metadata_dir(distribution) -> Optional[str]:
    path = getattr(distribution, "_path", None)  # PathDistribution: its .dist-info folder
    return str(path) if path is not None else None


def snapshot(target: str) -> Dict[str, int]:
    """The folder's ``*.dist-info`` folders and their modification times, taken before pip
    runs so :func:`prune` can tell what pip installed."""
    if not os.path.isdir(target):
        return {}
    result = {}
    for name in os.listdir(target):
        if name.endswith(".dist-info"):
            try:
                result[name] = os.stat(os.path.join(target, name)).st_mtime_ns
            except OSError:
                pass
    return result


def _requirement_tools():
    """``packaging``'s Requirement and Version, from packaging or pip's copy; None if
    neither imports (then only identical versions count as satisfying)."""
    for prefix in ("packaging", "pip._vendor.packaging"):
        requirements = _imported(prefix + ".requirements")
        version = _imported(prefix + ".version")
        if requirements is not None and version is not None:
            return requirements.Requirement, version.Version
    return None


def _requirements_on(distributions: Iterable, tools) -> Dict[str, List]:
    """normalised name -> the requirement objects the given distributions place on it."""
    result: Dict[str, List] = {}
    if tools is None:
        return result
    requirement_class = tools[0]
    for distribution in distributions:
        for text in distribution.requires or []:
            requirement = _unconditional_requirement(requirement_class, text)
            if requirement is not None:
                result.setdefault(normalise(requirement.name), []).append(requirement)
    return result


def _satisfies(version: str, requirements: List, tools) -> bool:
    if tools is None:
        return False
    try:
        parsed = tools[1](version)
        return all(requirement.specifier.contains(parsed, prereleases=True)
                   for requirement in requirements)
    except Exception:
        return False


def _relative_files(distribution, target: str) -> Optional[List[str]]:
    """The distribution's files (from RECORD) as paths inside ``target``; scripts that
    pip --target recorded as ``../../bin/x`` are mapped to ``target/bin/x``."""
    files = distribution.files
    if files is None:
        return None
    result = []
    for entry in files:
        parts = [part for part in str(entry).replace("\\", "/").split("/") if part]
        if not parts:
            continue
        if parts[0] == "..":
            while parts and parts[0] == "..":
                parts.pop(0)
            if not parts or parts[0] not in ("bin", "Scripts"):
                continue
        if ".." in parts:  # never a path that leaves the folder
            continue
        result.append("/".join(parts))
    return result


def _remove_path(path: str) -> None:
    if os.path.islink(path) or os.path.isfile(path):
        os.remove(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def _remove_distribution(distribution, target: str, owners: Dict[str, set]) -> None:
    """Delete a distribution's files from the folder: the top-level folders and modules it
    alone owns whole, its single files in shared ones, and its metadata folder."""
    key = _metadata_dir(distribution)
    files = _relative_files(distribution, target)
    if files is None:  # no RECORD: its top-level names
        files = (distribution.read_text("top_level.txt") or "").split()
    shared = set()
    for top in {name.split("/")[0] for name in files}:
        if top not in ("bin", "Scripts") and owners.get(top, set()) <= {key}:
            _remove_path(os.path.join(target, top))
        else:
            shared.add(top)
    for name in files:
        path = os.path.join(target, *name.split("/"))
        if os.path.lexists(path):
            _remove_path(path)
    if key and os.path.isdir(key):
        shutil.rmtree(key)
    for top in shared:
        _remove_empty_folders(os.path.join(target, top))


def _remove_empty_folders(folder: str) -> None:
    """Remove folders below (and including) ``folder`` that hold nothing but bytecode."""
    if not os.path.isdir(folder) or os.path.islink(folder):
        return
    for root, _folders, _files in os.walk(folder, topdown=False):
        if os.path.basename(root) == "__pycache__":
            continue
        if set(os.listdir(root)) <= {"__pycache__"}:
            shutil.rmtree(root, ignore_errors=True)


def prune(target: str, requested: Sequence[str] = (),
          before: Optional[Dict[str, int]] = None,
          search_path: Optional[Sequence[str]] = None) -> PruneReport:
    """Remove from the packages folder what would shadow QGIS's own packages.

    Looks at the distributions pip installed (those not in ``before``, a
    :func:`snapshot`; all when None), except the ``requested`` ones, and removes:

    * numpy, SciPy and GDAL whenever QGIS's Python has them outside the folder;
    * any other package that QGIS's Python has outside the folder in a version that meets
      every requirement the folder's packages place on it.

    ``search_path`` is QGIS's ``sys.path`` (the default); the folder itself is left out.
    Then the folder must hold no ``numpy``, ``scipy`` or ``osgeo`` that QGIS has too:
    :func:`remove_protected_copies` deletes leftovers.
    """
    report = PruneReport()
    if not os.path.isdir(target):
        return report
    outside = _distributions(outside_path(target, search_path))
    inside = _distributions([target])
    requested_names = {normalise(name) for name in requested}
    tools = _requirement_tools()
    needs = _requirements_on(inside.values(), tools)
    owners: Dict[str, set] = {}
    for distribution in inside.values():
        key = _metadata_dir(distribution)
        for name in _relative_files(distribution, target) or []:
            owners.setdefault(name.split("/")[0], set()).add(key)
    for name, distribution in sorted(inside.items()):
        key = _metadata_dir(distribution)
        if before is not None and key is not None:
            folder = os.path.basename(key)
            try:
                if before.get(folder) == os.stat(key).st_mtime_ns:
                    continue  # there before this run: not pip's doing now
            except OSError:
                continue
        if name in requested_names:
            continue
        other = outside.get(name)
        if other is None:
            continue
        version, other_version = distribution.version, other.version
        label = distribution.metadata["Name"]
        if name in PROTECTED:
            why = f"QGIS's own {label} {other_version} is used"
        elif version == other_version or _satisfies(other_version, needs.get(name, []), tools):
            why = f"QGIS's {label} {other_version} satisfies the requirements"
        else:
            report.kept.append(
                f"{label} {version} (QGIS has {other_version}, which does not satisfy "
                f"{', '.join(str(r) for r in needs.get(name, [])) or 'the requirements'})")
            continue
        try:
            _remove_distribution(distribution, target, owners)
        except OSError as error:
            report.problems.append(f"{label} {version}: {error}")
            continue
        report.removed.append(f"{label} {version} ({why})")
    report.removed += remove_protected_copies(target, requested, search_path)
    for module in protected_copies(target, requested, search_path):
        report.problems.append(
            f"'{os.path.join(target, module)}' could not be removed: delete it by hand, "
            f"it would shadow QGIS's own {module}")
    return report


def protected_copies(target: str, requested: Sequence[str] = (),
                     search_path: Optional[Sequence[str]] = None) -> List[str]:
    """Import names of numpy, SciPy or GDAL that exist in the folder while QGIS's Python
    has them outside it (the requested ones excepted)."""
    if not os.path.isdir(target):
        return []
    requested_names = {normalise(name) for name in requested}
    paths = outside_path(target, search_path)
    found = []
    for distribution, modules in PROTECTED.items():
        if distribution in requested_names:
            continue
        for module in modules:
            here = os.path.isdir(os.path.join(target, module)) or os.path.isfile(
                os.path.join(target, module + ".py"))
            if here and importlib.machinery.PathFinder.find_spec(module, paths) is not None:
                found.append(module)
    return found


def remove_protected_copies(target: str, requested: Sequence[str] = (),
                            search_path: Optional[Sequence[str]] = None) -> List[str]:
    """Delete copies of numpy, SciPy and GDAL from the folder where QGIS has its own (with
    their metadata and bundled libraries); return what was removed."""
    removed = []
    for module in protected_copies(target, requested, search_path):
        distribution = next(d for d, modules in PROTECTED.items() if module in modules)
        paths = [os.path.join(target, module), os.path.join(target, module + ".py"),
                 os.path.join(target, module + ".libs")]
        for name in os.listdir(target):
            metadata = name.endswith((".dist-info", ".egg-info"))
            if metadata and normalise(name.split("-")[0]) == distribution:
                paths.append(os.path.join(target, name))
        try:
            for path in paths:
                if os.path.lexists(path):
                    _remove_path(path)
        except OSError:
            continue
        removed.append(f"{module} (a copy of QGIS's own {module})")
    return removed


def _imported(module_name: str):
    """The module, or None where it does not import (for any reason: a broken install
    must not stop the plugin from loading)."""
    try:
        return importlib.import_module(module_name)
    except Exception:  # noqa: BLE001 (any failure means "not importable")
        return None


def _metadata_name(distribution) -> Optional[str]:
    """A distribution's name, or None where its metadata cannot be read."""
    try:
        return distribution.metadata["Name"]
    except Exception:  # noqa: BLE001 (a broken distribution is skipped)
        return None


def _unconditional_requirement(requirement_class, text: str):
    """The requirement a distribution always has (no extra, a marker true here), or None
    (an extra's, a marker false here, or text that does not parse)."""
    try:
        requirement = requirement_class(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            return None
        return requirement
    except Exception:  # noqa: BLE001 (an unreadable requirement is skipped)
        return None
