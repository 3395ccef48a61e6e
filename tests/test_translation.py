"""German translation: complete, compiled, installed at plugin load (desktop, qgis_process)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest
from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QTranslator

import hyperspectral_crnn
from hyperspectral_crnn.plugin import I18N_DIR, install_translator, remove_translator

CONTEXT = "HyperspectralCrnn"
TS = os.path.join(I18N_DIR, "hyperspectral_crnn_de.ts")
QM = os.path.join(I18N_DIR, "hyperspectral_crnn_de.qm")


def _update_script(repo):
    spec = importlib.util.spec_from_file_location(
        "update_translations", repo / "scripts" / "update_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _finished(path: str) -> dict:
    messages = {}
    for context in ET.parse(path).getroot().iter("context"):
        assert context.findtext("name") == CONTEXT
        for message in context.iter("message"):
            element = message.find("translation")
            if element.get("type") is None and element.text:
                messages[message.findtext("source")] = element.text
    return messages


def test_german_ts_translates_every_user_visible_string(qgis_app, repo):
    strings = _update_script(repo).collect_strings()
    assert len(strings) > 150  # labels, help texts and messages of all six algorithms
    missing = [s for s in strings if s not in _finished(TS)]
    assert not missing, (
        f"{len(missing)} string(s) lack a German translation, e.g. {missing[:3]}. Run "
        "'.venv/bin/python scripts/update_translations.py', translate the unfinished "
        "messages in i18n/hyperspectral_crnn_de.ts, then 'make translations'.")


def test_translations_keep_their_placeholders():
    import re

    for source, text in _finished(TS).items():
        fields = re.findall(r"\{[^}]*\}", source)
        assert sorted(re.findall(r"\{[^}]*\}", text)) == sorted(fields), source
        if "{}" in fields:  # positional: the order matters too
            assert re.findall(r"\{[^}]*\}", text) == fields, source


def test_compiled_qm_matches_the_ts(qgis_app):
    translator = QTranslator()
    assert translator.load(QM), "i18n/hyperspectral_crnn_de.qm is missing: make translations"
    stale = [s for s, t in _finished(TS).items() if translator.translate(CONTEXT, s) != t]
    assert not stale, f"the .qm is older than the .ts ({stale[:2]}...): make translations"


@pytest.fixture
def german(qgis_app):
    """QGIS's interface language set to German, as in Settings > Options > General."""
    settings = QgsSettings()
    saved = {key: settings.value(key) for key in ("locale/overrideFlag", "locale/userLocale")}
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("locale/userLocale", "de_DE")
    yield
    for key, value in saved.items():
        if value is None:
            settings.remove(key)
        else:
            settings.setValue(key, value)


def test_plugin_installs_the_translator_for_the_qgis_language(german, qgis_processing):
    plugin = hyperspectral_crnn.classFactory(None)  # as qgis_process loads it: no iface
    try:
        assert plugin.translator is not None
        plugin.initProcessing()
        registry = QgsApplication.processingRegistry()
        train = registry.algorithmById("crnn:train")
        assert train.displayName() == "CRNN trainieren"
        assert train.group() == "Klassifikation"
        assert train.parameterDefinition("EPOCHS").description() == "Epochen"
        assert "Trainiert das CRNN" in train.shortHelpString()
        assert registry.algorithmById("crnn:assess").displayName() == "Genauigkeit bewerten"
    finally:
        plugin.unload()
    from hyperspectral_crnn.algorithms.train import TrainAlgorithm

    assert TrainAlgorithm().displayName() == "Train CRNN"  # unload removed the translator


def test_english_and_unknown_languages_install_nothing(qgis_app):
    assert install_translator("en") is None
    assert install_translator("xx") is None
    translator = install_translator("de")
    try:
        from hyperspectral_crnn.algorithms.base import CrnnAlgorithm

        assert CrnnAlgorithm().tr("Epochs") == "Epochen"
    finally:
        remove_translator(translator)


def test_qgis_process_speaks_german(repo, tmp_path):
    """qgis_process loads the plugin without iface: the help comes out in German."""
    profile = tmp_path / "profile"
    ini = profile / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[locale]\noverrideFlag=true\nuserLocale=de_DE\n\n"
                   "[PythonPlugins]\nhyperspectral_crnn=true\n")
    env = dict(os.environ, CRNN_QGIS_CONFIG=str(profile))
    result = subprocess.run([str(repo / "scripts" / "qgis_process"), "help", "crnn:train"],
                            capture_output=True, text=True, env=env, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "CRNN trainieren" in result.stdout
    assert "Epochen" in result.stdout
