"""QGIS 4 (Qt 6) readiness of the plugin's Python, checked on the running QGIS 3.

QGIS 4 drops the unscoped enum aliases (an enum value named without its enum), so every
enum value must be spelled with its enum's scope (``QgsProcessingParameterNumber.Type.Double``),
a spelling that PyQt5/sip on QGIS 3.22 accepts too. The scanner below parses each ``.py``
file of the project, resolves the names bound by its ``qgis.*`` imports, and asks the
running QGIS, by introspection, whether ``X.Y`` is the value of an enum nested in a class
spelled without that enum's name. It also refuses ``exec_()``, direct ``PyQt5`` imports and
the few other Qt 5-only spellings that Qt 6 removed.
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import textwrap
from pathlib import Path

from qgis.PyQt.QtCore import Qt

REPO = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", ".build", ".git", "__pycache__", "out"}
SIP_ENUM_TYPE = type(type(Qt.Orientation.Horizontal))  # sip.enumtype on PyQt5

# Enum values that Qt 6 renamed, not merely scoped: their Qt 5 name does not exist there.
RENAMED_IN_QT6 = {
    ("Qt", "MidButton"): "Qt.MouseButton.MiddleButton",
    ("Qt", "TextColorRole"): "Qt.ItemDataRole.ForegroundRole",
    ("Qt", "BackgroundColorRole"): "Qt.ItemDataRole.BackgroundRole",
    ("QPainter", "HighQualityAntialiasing"): "QPainter.RenderHint.Antialiasing",
}
# QVariant.Type is gone in Qt 6 (QMetaType.Type replaces it), but QGIS 3.22's API takes
# QVariant.Type, so neither spelling is portable: QVariant is left to a human.
UNCHECKED_CLASSES = {"QVariant"}


def project_files() -> list[Path]:
    return sorted(path for path in REPO.rglob("*.py")
                  if not SKIPPED_DIRS.intersection(path.relative_to(REPO).parts[:-1]))


def _is_qgis_module(name: str | None) -> bool:
    return bool(name) and (name == "qgis" or name.startswith("qgis."))


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _bindings(tree: ast.AST) -> dict[str, object]:
    """Names bound by the file's imports (anywhere in it) to ``qgis.*`` modules or classes."""
    bound: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and _is_qgis_module(node.module):
            module = _import(node.module)
            for alias in node.names:
                if alias.name == "*" or module is None:
                    continue
                value = getattr(module, alias.name, None)
                if value is None:
                    value = _import(f"{node.module}.{alias.name}")
                if value is not None:
                    bound[alias.asname or alias.name] = value
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if not _is_qgis_module(alias.name):
                    continue
                if alias.asname:
                    module = _import(alias.name)
                    if module is not None:
                        bound[alias.asname] = module
                else:  # `import qgis.core` binds `qgis`
                    _import(alias.name)
                    bound["qgis"] = importlib.import_module("qgis")
    return bound


def _resolve(node: ast.AST, bound: dict[str, object]):
    """The object an expression names, for names and attribute chains over the bindings."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, bound)
        if inspect.ismodule(owner) and _is_qgis_module(owner.__name__):
            value = getattr(owner, node.attr, None)
            return value if value is not None else _import(f"{owner.__name__}.{node.attr}")
        if inspect.isclass(owner):
            return getattr(owner, node.attr, None)
    return None


def _is_enum_type(cls) -> bool:
    return isinstance(cls, SIP_ENUM_TYPE) or isinstance(cls, enum.EnumMeta)


def _scope_name(owner: type, enum_type: type) -> str:
    """The attribute of ``owner`` that is ``enum_type`` (inherited ones included)."""
    if getattr(owner, enum_type.__name__, None) is enum_type:
        return enum_type.__name__
    for name in dir(owner):
        if getattr(owner, name, None) is enum_type:
            return name
    return enum_type.__qualname__


def scan_source(source: str, filename: str = "<snippet>") -> list[str]:
    """Problems in one file's source, each as ``file:line: message``."""
    tree = ast.parse(source, filename=filename)
    bound = _bindings(tree)
    problems = []

    def report(node: ast.AST, message: str) -> None:
        problems.append((node.lineno, f"{filename}:{node.lineno}: {message}"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "PyQt5":
                    report(node, f"`import {alias.name}`: import from qgis.PyQt instead")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "PyQt5":
                report(node, f"`from {node.module} import`: import from qgis.PyQt instead")
            if node.module == "qgis.PyQt.Qt":
                report(node, "`qgis.PyQt.Qt` is gone in Qt 6: import from qgis.PyQt.QtCore")
            for alias in node.names:
                if alias.name in ("qApp", "QRegExp", "resources_rc"):
                    report(node, f"`{alias.name}` does not exist in Qt 6")
        elif isinstance(node, ast.FunctionDef) and node.name == "exec_":
            report(node, "`def exec_`: name it `exec` (Qt 6 has no exec_)")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "exec_"):
            report(node, "`exec_()`: call `exec()` (Qt 6 has no exec_)")
        elif isinstance(node, ast.Attribute):
            text = ast.unparse(node)
            if (isinstance(node.value, ast.Name)
                    and (node.value.id, node.attr) in RENAMED_IN_QT6):
                report(node, f"`{text}` is removed in Qt 6: use "
                             f"`{RENAMED_IN_QT6[(node.value.id, node.attr)]}`")
                continue
            owner = _resolve(node.value, bound)
            if (not inspect.isclass(owner) or _is_enum_type(owner)
                    or owner.__name__ in UNCHECKED_CLASSES):
                continue
            value = getattr(owner, node.attr, None)
            enum_type = type(value)
            if (value is None or not _is_enum_type(enum_type)
                    or "." not in enum_type.__qualname__):
                continue
            scoped = f"{ast.unparse(node.value)}.{_scope_name(owner, enum_type)}.{node.attr}"
            report(node, f"unscoped enum `{text}`: spell it `{scoped}`")
    return [message for _, message in sorted(problems)]


def test_project_is_qgis4_ready():
    files = project_files()
    assert len(files) > 20, files  # the walk found the project
    problems = []
    for path in files:
        problems += scan_source(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert not problems, "Not QGIS 4 (Qt 6) ready:\n" + "\n".join(problems)


# (owner as the snippet names it, enum, value): the snippet spells each value without its
# enum, the scanner must ask for owner.enum.value. The unscoped spellings are made at run
# time, so this file itself holds none for the Qt 6 conversion to rewrite.
UNSCOPED_CASES = [
    ("QgsProcessingParameterNumber", "Type", "Double"),
    ("QgsProcessing", "SourceType", "TypeVectorPolygon"),
    ("Destination", "Flag", "FlagAdvanced"),
    ("QgsWkbTypes", "GeometryType", "PolygonGeometry"),
    ("QtCore.Qt", "Orientation", "Horizontal"),
    ("QFont", "Weight", "Bold"),
    ("core.QgsProcessingParameterNumber", "Type", "Integer"),
]


def test_scanner_flags_unscoped_enums():
    header = textwrap.dedent("""
        from qgis.core import QgsProcessing, QgsProcessingParameterNumber, QgsWkbTypes
        from qgis.core import QgsProcessingParameterRasterDestination as Destination
        from qgis.PyQt import QtCore
        from qgis.PyQt.QtGui import QFont
        import qgis.core as core

    """)
    lines = [f"value_{i} = {owner}.{value}" for i, (owner, _, value) in enumerate(UNSCOPED_CASES)]
    problems = scan_source(header + "\n".join(lines) + "\n")
    first = header.count("\n") + 1
    expected = [f"<snippet>:{first + i}: unscoped enum `{owner}.{value}`: "
                f"spell it `{owner}.{enum}.{value}`"
                for i, (owner, enum, value) in enumerate(UNSCOPED_CASES)]
    assert sorted(problems) == sorted(expected)


def test_scanner_accepts_scoped_enums_and_unrelated_names():
    snippet = textwrap.dedent("""
        import importlib.util
        from qgis.core import QgsProcessingParameterDefinition, QgsProcessingParameterNumber
        from qgis.PyQt.QtCore import Qt

        kind = QgsProcessingParameterNumber.Type.Double
        flags = QgsProcessingParameterDefinition.Flags()
        flag = QgsProcessingParameterDefinition.Flag.FlagAdvanced | flags
        orientation = Qt.Orientation.Horizontal.real
        spec = importlib.util.spec_from_file_location("m", "m.py")
        spec.loader.exec_module(importlib.util.module_from_spec(spec))

        class Local:
            {member} = 1

        value = Local.{member}
    """).format(member="Double")  # a local class's attribute named like an enum value
    assert scan_source(snippet) == []


def test_scanner_flags_qt5_only_spellings():
    snippet = textwrap.dedent("""
        from PyQt5.QtWidgets import QDialog
        import PyQt5.QtCore
        from qgis.PyQt.QtCore import Qt

        QDialog().{old_exec}()
        button = Qt.{old_button}
    """).format(old_exec="exec" + "_", old_button="Mid" + "Button")  # spelled at run time
    problems = scan_source(snippet)
    assert any(p.startswith("<snippet>:2: `from PyQt5.QtWidgets import`") for p in problems)
    assert any(p.startswith("<snippet>:3: `import PyQt5.QtCore`") for p in problems)
    assert any(p.startswith("<snippet>:6: `exec_()`") for p in problems)
    assert any(p.startswith("<snippet>:7: `Qt.MidButton` is removed in Qt 6") for p in problems)
    assert len(problems) == 4, problems
