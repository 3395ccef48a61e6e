"""``scripts/package.py`` builds a zip that plugins.qgis.org accepts and QGIS loads.

The rules are those of the plugin repository's upload validator (qgis/QGIS-Django,
``qgis-app/plugins/validator.py``) and approval guidelines (plugins.qgis.org/docs/approval),
checked here on their own, not through the script's checker. The zip, unpacked as the
only plugin of an empty plugin folder, is loaded by the real ``qgis_process``.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "package.py"
QGIS_PROCESS = "/usr/bin/qgis_process.bin"
# SHA-256 of the GPL v2 text as Debian 12 ships it (/usr/share/common-licenses/GPL-2);
# Debian 13 ships an edition with the FSF's newer address, so the file is not compared.
GPL2_SHA256 = "8177f97513213526df2cf6184d8ff986c675afb514d4e68a404010521b880643"
TOP = "hyperspectral_crnn"
ALGORITHMS = {"crnn:importcube", "crnn:train", "crnn:classify", "crnn:trainclassify",
              "crnn:smooth", "crnn:assess", "crnn:sample"}
REQUIRED_METADATA = ("name", "description", "version", "qgisMinimumVersion", "author",
                     "email", "about", "tracker", "repository")
MAX_SIZE = 25_000_000
BINARY_SUFFIXES = (".pyc", ".pyo", ".pyd", ".so", ".dll", ".dylib", ".exe", ".o", ".a",
                   ".lib", ".jar", ".whl", ".egg")


def _metadata(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read_string(text)
    return {key: value.strip() for key, value in parser.items("general")}


def _build(out_dir: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    return subprocess.run([sys.executable, str(SCRIPT), "--out-dir", str(out_dir)], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(zip path, the build's stderr)."""
    out_dir = tmp_path_factory.mktemp("dist")
    done = _build(out_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    version = _metadata((REPO / "metadata.txt").read_text(encoding="utf-8"))["version"]
    path = out_dir / f"{TOP}-{version}.zip"
    assert path.is_file(), done.stdout
    assert str(path) in done.stdout
    return path, done.stderr


@pytest.fixture(scope="module")
def names(built) -> list[str]:
    with zipfile.ZipFile(built[0]) as archive:
        assert archive.testzip() is None
        return archive.namelist()


@pytest.fixture(scope="module")
def metadata(built) -> dict[str, str]:
    with zipfile.ZipFile(built[0]) as archive:
        return _metadata(archive.read(f"{TOP}/metadata.txt").decode("utf-8"))


def test_one_top_folder_named_as_the_plugin(names):
    assert {name.split("/")[0] for name in names} == {TOP}
    assert all(name.startswith(TOP + "/") for name in names)
    # The validator's rule for any upload, and its stricter one for a new plugin.
    assert re.match(r"^[A-Za-z][A-Za-z0-9_-]+$", TOP)
    assert re.match(r"^[a-z_][a-z0-9_]*$", TOP)


def test_no_path_information_caches_or_binaries(names):
    for name in names:
        assert ".." not in name and not name.startswith("/"), name
        assert not {"__pycache__", ".git", "__MACOSX"} & set(name.split("/")), name
        assert ".pyc" not in name, name
        assert not name.lower().endswith(BINARY_SUFFIXES), name


def test_size_under_the_upload_limit(built):
    assert built[0].stat().st_size <= MAX_SIZE


def test_required_files(names):
    for required in ("__init__.py", "metadata.txt", "LICENSE", "plugin.py"):
        assert f"{TOP}/{required}" in names


def test_license_is_the_gpl2_text(built):
    with zipfile.ZipFile(built[0]) as archive:
        text = archive.read(f"{TOP}/LICENSE").decode("utf-8")
    assert "GPL-2.0-or-later" in text.split("GNU GENERAL PUBLIC LICENSE")[0]
    assert "Version 2, June 1991" in text
    licence = text[text.index("                    GNU GENERAL PUBLIC LICENSE"):]
    assert hashlib.sha256(licence.encode("utf-8")).hexdigest() == GPL2_SHA256
    assert text == (REPO / "LICENSE").read_text(encoding="utf-8")


def test_required_metadata_present_and_valid(metadata, names):
    for field in REQUIRED_METADATA:
        assert metadata.get(field), f"metadata {field} missing or empty"
    assert "/" not in metadata["author"]
    for field in ("homepage", "tracker", "repository"):
        url = urlparse(metadata[field])
        assert url.scheme in ("http", "https") and url.netloc, (field, metadata[field])
    for flag in ("experimental", "deprecated", "server"):
        assert metadata[flag].lower() in ("true", "false", "1", "0"), flag
    assert f"{TOP}/{metadata['icon']}" in names
    assert "GPL-2.0-or-later" in metadata["about"]


def test_release_metadata(metadata):
    assert metadata == _metadata((REPO / "metadata.txt").read_text(encoding="utf-8"))
    assert metadata["qgisMinimumVersion"] == "3.22"
    assert metadata["qgisMaximumVersion"] == "4.99"
    assert metadata["supportsQt6"] == "True"
    assert metadata["category"] == "Raster"
    assert metadata["experimental"] == "True"
    # The newest entry first, for the version being released.
    assert metadata["changelog"].startswith(metadata["version"])


def test_placeholders_are_warned_about(built, metadata):
    stubs = [field for field in ("email", "homepage", "tracker", "repository")
             if "example.org" in metadata[field]]
    if stubs:
        assert "WARNING" in built[1]
        for field in stubs:
            assert f"{field}=" in built[1]
    else:
        assert "WARNING" not in built[1]


def test_only_runtime_files(names):
    tops = {name.split("/")[1] for name in names if name.count("/") >= 1}
    for left_out in ("tests", "benchmarks", "scripts", ".ci", ".gitignore",
                     "Makefile", "pyproject.toml", "requirements.txt", "dist", ".build",
                     ".venv"):
        assert left_out not in tops, left_out
    assert not [name for name in names if name.endswith(".ts")]


def test_every_tracked_runtime_file_is_shipped(names):
    tracked = subprocess.run(["git", "-C", str(REPO), "ls-files"], check=True,
                             capture_output=True, text=True).stdout.splitlines()
    tracked = [name for name in tracked if (REPO / name).is_file()]
    expected = {name for name in tracked if "/" not in name and name.endswith(".py")}
    expected |= {name for name in tracked
                 if name.split("/")[0] in ("algorithms", "models", "resources")}
    expected |= {name for name in tracked if name.startswith("i18n/") and name.endswith(".qm")}
    assert [name for name in expected if name.startswith("i18n/")], "no compiled translation"
    shipped = {name[len(TOP) + 1:] for name in names if not name.endswith("/")}
    assert expected <= shipped, sorted(expected - shipped)
    for name in shipped:  # and the zip holds the working tree's contents
        assert name in tracked, name


def test_every_page_the_shipped_code_names_is_shipped(built, names):
    """The help texts and messages name pages such as docs/sensors.md: each is in the
    zip (the Help button renders them, help_pages.py), with the pictures they show."""
    shipped = {name[len(TOP) + 1:] for name in names if not name.endswith("/")}
    named = set()
    with zipfile.ZipFile(built[0]) as archive:
        for name in shipped:
            if name.endswith(".py"):
                text = archive.read(f"{TOP}/{name}").decode("utf-8")
                named |= set(re.findall(r"docs/[A-Za-z0-9_]+\.md", text))
    assert {"docs/sensors.md", "docs/ablation.md", "docs/inference.md"} <= named
    assert named <= shipped, sorted(named - shipped)
    assert "docs/algorithms.md" in shipped and "docs/images/train.png" in shipped
    assert not [name for name in shipped if name.endswith(".json")]


def test_the_help_button_opens_the_rendered_reference(qgis_app):
    from qgis.PyQt.QtCore import QUrl

    from hyperspectral_crnn.algorithms.train import TrainAlgorithm

    url = TrainAlgorithm().helpUrl()
    page = Path(QUrl(url).toLocalFile())
    assert url.startswith("file://") and page.suffix == ".html" and page.is_file()
    text = page.read_text(encoding="utf-8")
    assert "crnn:train" in text and "<table" in text and "](" not in text


def test_the_upload_scans_find_nothing(built, tmp_path):
    """plugins.qgis.org runs Bandit on an upload and blocks a version on a finding; the
    zip must also hold no secret detect-secrets finds."""
    with zipfile.ZipFile(built[0]) as archive:
        archive.extractall(tmp_path)
    bin_dir = Path(sys.executable).parent
    done = subprocess.run([str(bin_dir / "bandit"), "-r", "-q", "-f", "json", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    findings = json.loads(done.stdout)["results"]
    assert findings == [], [(f["filename"], f["line_number"], f["test_id"]) for f in findings]
    done = subprocess.run([str(bin_dir / "detect-secrets"), "scan", "--all-files", "."],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert json.loads(done.stdout)["results"] == {}


def test_deterministic(built, tmp_path):
    done = _build(tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / built[0].name).read_bytes() == built[0].read_bytes()


@pytest.mark.skipif(not os.path.exists(QGIS_PROCESS), reason=f"{QGIS_PROCESS} is not installed")
def test_unzipped_plugin_alone_loads_in_qgis_process(built, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    with zipfile.ZipFile(built[0]) as archive:
        archive.extractall(plugins)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    # Nothing of the checkout on any path: no PYTHONPATH (the plugin loads without torch),
    # only the unzipped folder as plugin path, a fresh profile. Bytecode writing is on, so
    # the __pycache__ folders below show which copy QGIS imported.
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
    env.update(QT_QPA_PLATFORM="offscreen", QGIS_PLUGINPATH=str(plugins),
               QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "qgis"), XDG_RUNTIME_DIR=str(runtime))

    def qgis_process(*args):
        done = subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True,
                              timeout=180, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    assert "Enabled hyperspectral_crnn" in qgis_process("plugins", "enable", TOP)
    listing = qgis_process("--json", "list")
    provider = json.loads(listing[listing.index("{"):])["providers"]["crnn"]
    assert provider["name"] == "Hyperspectral CRNN"
    assert provider["is_active"] is True
    assert set(provider["algorithms"]) == ALGORITHMS
    assert (plugins / TOP / "algorithms" / "__pycache__").is_dir()
    assert [path.name for path in plugins.iterdir()] == [TOP]


def _package_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("crnn_package_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_new_runtime_modules_are_shipped_and_unknown_entries_stop_the_build():
    package = _package_module()
    files = ["__init__.py", "dependencies.py", "metadata.txt", "LICENSE", "Makefile",
             "gui/__init__.py", "gui/dialog.py", "gui/__pycache__/dialog.cpython-311.pyc",
             "i18n/x_de.qm", "i18n/x_de.ts", "tests/test_x.py", ".ci/run", ".gitignore"]
    assert package.select_files(files) == [
        "__init__.py", "dependencies.py", "metadata.txt", "LICENSE", "gui/__init__.py",
        "gui/dialog.py", "i18n/x_de.qm"]
    with pytest.raises(package.PackageError, match="CHANGES.txt, notebooks/"):
        package.select_files([*files, "notebooks/a.ipynb", "CHANGES.txt"])


def test_strict_build_fails_on_placeholders(tmp_path):
    metadata = _metadata((REPO / "metadata.txt").read_text(encoding="utf-8"))
    if not any("example.org" in metadata[field]
               for field in ("email", "homepage", "tracker", "repository")):
        pytest.skip("metadata.txt has its real addresses")
    done = subprocess.run([sys.executable, str(SCRIPT), "--strict", "--out-dir",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "placeholder" in done.stderr
    assert not list(tmp_path.iterdir())
