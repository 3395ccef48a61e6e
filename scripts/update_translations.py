"""Collect the plugin's user-visible strings and update the Qt Linguist files in i18n/.

pylupdate5 only sees ``tr("literal")`` calls, but most of our labels and help texts are
said once as ``Spec``s (``algorithms/parameters.py`` and beside each algorithm) and
reach ``tr()`` as variables. So strings are collected two ways:

1. statically: every ``tr(...)`` / ``self.tr(...)`` / ``algorithm.tr(...)`` call in
   ``algorithms/*.py``, ``gui/*.py`` and ``plugin.py`` whose first argument is a string
   literal (messages, warnings, the *Install dependencies...* dialog and menu entry);
2. at run time: each algorithm of the provider is created, initialised and asked for
   its display name, group, help text and parameter labels while
   ``QCoreApplication.translate`` records what it is asked in the context
   ``HyperspectralCrnn``; and what each dependency is for (``dependencies.DEPENDENCIES``,
   which the dialog shows translated).

For each ``i18n/hyperspectral_crnn_<lang>.ts`` the script keeps existing translations,
adds new strings as unfinished and marks strings no longer used as obsolete. Translate
the unfinished ones (Qt Linguist, or by hand), then ``make translations`` builds the
``.qm`` files with lrelease.

Usage (from the repository root)::

    .venv/bin/python scripts/update_translations.py [LANG ...]   # default: existing .ts
"""

from __future__ import annotations

import ast
import glob
import os
import sys
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTEXT = "HyperspectralCrnn"
TS_PATTERN = os.path.join(REPO, "i18n", "hyperspectral_crnn_{lang}.ts")


STATIC_SOURCES = ("algorithms/*.py", "gui/*.py", "plugin.py")


def static_strings(folder: Optional[str] = None) -> List[str]:
    """String literals passed as first argument to a function or method named ``tr``, in
    ``folder``'s ``*.py`` files, or by default in :data:`STATIC_SOURCES`."""
    found: List[str] = []
    if folder is None:
        paths = [path for pattern in STATIC_SOURCES
                 for path in sorted(glob.glob(os.path.join(REPO, *pattern.split("/"))))]
    else:
        paths = sorted(glob.glob(os.path.join(folder, "*.py")))
    for path in paths:
        with open(path, encoding="utf-8") as stream:
            tree = ast.parse(stream.read(), path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else getattr(
                function, "id", None)
            argument = node.args[0]
            if name == "tr" and isinstance(argument, ast.Constant) \
                    and isinstance(argument.value, str):
                found.append(argument.value)
    return found


def runtime_strings() -> List[str]:
    """What the algorithms pass to ``QCoreApplication.translate`` for their dialogs and help.

    Needs a running ``QgsApplication`` and the plugin importable as ``hyperspectral_crnn``.
    """
    from qgis.PyQt.QtCore import QCoreApplication

    from hyperspectral_crnn.algorithms import algorithm_classes
    from hyperspectral_crnn.algorithms.provider import PROVIDER_NAME

    seen: List[str] = [PROVIDER_NAME]
    original = QCoreApplication.translate

    def recording(context, text, *args):
        if context == CONTEXT:
            seen.append(text)
        return original(context, text, *args)

    QCoreApplication.translate = staticmethod(recording)
    try:
        for algorithm_class in algorithm_classes():
            algorithm = algorithm_class()
            algorithm.initAlgorithm({})
            algorithm.displayName()
            algorithm.group()
            algorithm.shortHelpString()
    finally:
        QCoreApplication.translate = original
    return seen + dependency_strings()


def dependency_strings() -> List[str]:
    """What each dependency is for: data in the QGIS-free ``dependencies.py``, translated
    where the dialog shows it."""
    from hyperspectral_crnn.dependencies import DEPENDENCIES

    return [entry.purpose for entry in DEPENDENCIES if entry.purpose]


def collect_strings() -> List[str]:
    """Every user-visible source string, once, in first-seen order."""
    strings: Dict[str, None] = {}
    for text in runtime_strings() + static_strings():
        if text.strip():
            strings.setdefault(text, None)
    return list(strings)


def read_ts(path: str) -> Dict[str, Optional[str]]:
    """source -> translation: finished ones and obsolete ones (kept in case a string
    comes back); None where unfinished."""
    if not os.path.exists(path):
        return {}
    translations: Dict[str, Optional[str]] = {}
    for message in ET.parse(path).getroot().iter("message"):
        source = message.findtext("source") or ""
        element = message.find("translation")
        if element is None or not element.text or element.get("type") == "unfinished":
            translations.setdefault(source, None)
        else:
            translations[source] = element.text
    return translations


def write_ts(path: str, lang: str, strings: List[str],
             translations: Dict[str, Optional[str]]) -> Dict[str, int]:
    """Write the .ts: current strings (finished or unfinished), then obsolete ones."""
    root = ET.Element("TS", version="2.1", language=lang)
    context = ET.SubElement(root, "context")
    ET.SubElement(context, "name").text = CONTEXT
    counts = {"finished": 0, "unfinished": 0, "obsolete": 0}
    for source in strings:
        message = ET.SubElement(context, "message")
        ET.SubElement(message, "source").text = source
        element = ET.SubElement(message, "translation")
        text = translations.get(source)
        if text:
            element.text = text
            counts["finished"] += 1
        else:
            element.set("type", "unfinished")
            counts["unfinished"] += 1
    for source, text in translations.items():
        if source not in strings and text:
            message = ET.SubElement(context, "message")
            ET.SubElement(message, "source").text = source
            element = ET.SubElement(message, "translation", type="obsolete")
            element.text = text
            counts["obsolete"] += 1
    ET.indent(root)
    with open(path, "w", encoding="utf-8") as stream:
        stream.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        stream.write(ET.tostring(root, encoding="unicode"))
        stream.write("\n")
    return counts


def main(languages: List[str]) -> int:
    plugins = os.path.join(REPO, ".build", "plugins")
    if plugins not in sys.path:
        sys.path.insert(0, plugins)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    application = QgsApplication([], False)
    application.initQgis()
    strings = collect_strings()
    if not languages:
        languages = sorted(os.path.basename(p)[len("hyperspectral_crnn_"):-3]
                           for p in glob.glob(TS_PATTERN.format(lang="*")))
    for lang in languages:
        path = TS_PATTERN.format(lang=lang)
        counts = write_ts(path, lang, strings, read_ts(path))
        print(f"{os.path.relpath(path, REPO)}: {counts['finished']} translated, "
              f"{counts['unfinished']} to translate, {counts['obsolete']} obsolete")
    application.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
