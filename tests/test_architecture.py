"""The core's shape, checked on its source: the imports docs/architecture.md allows between
models/'s packages, no import circle, no QGIS, and the size limits a newcomer can read.

The allowed imports are read from the document's table, so the picture a reader sees and
the rule the suite holds are one. Lazy imports (inside functions) count like the others:
they are dependencies all the same."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

REPO = Path(__file__).resolve().parent.parent
CORE = REPO / "models"
DOC = REPO / "docs" / "architecture.md"

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
MAX_PUBLIC_PARAMETERS = 8


def allowed_imports() -> Dict[str, Set[str]]:
    """package -> the packages it may import, from the document's table (between the
    markers ``<!-- allowed-imports -->`` and ``<!-- allowed-imports end -->``)."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- allowed-imports -->")[1].split("<!-- allowed-imports end -->")[0]
    allowed: Dict[str, Set[str]] = {}
    for line in block.splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] == "package" or not re.fullmatch(r"[a-z_]+", cells[0]):
            continue
        allowed[cells[0]] = {name.strip().strip("`") for name in cells[1].split(",")
                             if name.strip().strip("`") not in ("", "-", "nothing")}
    return allowed


def core_files() -> List[Path]:
    return sorted(path for path in CORE.rglob("*.py") if "__pycache__" not in path.parts)


def module_name(path: Path) -> str:
    """models/engine/lop.py -> 'engine.lop'; models/engine/__init__.py -> 'engine'."""
    parts = list(path.relative_to(CORE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _type_checking_only(tree: ast.AST) -> Set[int]:
    """Line numbers of imports under ``if TYPE_CHECKING:`` (never run)."""
    lines: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(path: Path) -> Iterator[Tuple[int, str]]:
    """(line, what it imports): core modules as 'package.module' (relative imports
    resolved), anything else by its absolute name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _type_checking_only(tree)
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                yield node.lineno, node.module or ""
                continue
            up = node.level - 1
            if up > len(package):
                yield node.lineno, "." * node.level + (node.module or "")  # out of models/
                continue
            base = package[:len(package) - up]
            target = base + (node.module.split(".") if node.module else [])
            if node.module is None:  # from . import x: x is a module
                for alias in node.names:
                    yield node.lineno, ".".join(target + [alias.name])
            else:
                yield node.lineno, ".".join(target)


def core_graph() -> Dict[str, Set[str]]:
    """module -> the core modules it imports."""
    modules = {module_name(path): path for path in core_files()}
    graph: Dict[str, Set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _, target in imports_of(path):
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def test_the_core_never_imports_qgis_or_the_shell():
    """The core in models/ stays QGIS-free (every module of every package, now and later)
    and never reaches up into algorithms/, the demo or anything outside models/."""
    offenders = []
    for path in core_files():
        for line, name in imports_of(path):
            top = name.split(".")[0]
            if top in ("qgis", "processing", "hyperspectral_crnn", "PyQt5", "PyQt6") \
                    or name.startswith("."):
                offenders.append(f"{path.relative_to(REPO)}:{line} imports {name}")
    assert offenders == []


def test_every_package_is_in_the_picture():
    allowed = allowed_imports()
    packages = {module_name(path).split(".")[0] for path in core_files()
                if path.parent != CORE}
    assert packages == set(allowed), "docs/architecture.md's table and models/ differ"
    for package, targets in allowed.items():
        assert targets <= set(allowed), f"{package} may import an unknown package"
    top = sorted(path.name for path in CORE.glob("*.py"))
    assert top == ["__init__.py"], "every core module lives in a package"


def test_imports_follow_the_picture():
    allowed = allowed_imports()
    wrong = []
    for module, targets in core_graph().items():
        package = module.split(".")[0]
        for target in sorted(targets):
            other = target.split(".")[0]
            if other != package and other not in allowed.get(package, set()):
                wrong.append(f"{module} imports {target}: {package} may import "
                             f"{sorted(allowed.get(package, set())) or 'nothing'}")
    assert wrong == []


def test_the_picture_has_no_circle():
    """The allowed imports themselves run one way (so no arrow points back up)."""
    allowed = allowed_imports()
    seen: Dict[str, int] = {}

    def visit(package: str, trail: Tuple[str, ...]) -> None:
        assert package not in trail, " -> ".join(trail + (package,))
        if seen.get(package):
            return
        for other in sorted(allowed.get(package, ())):
            visit(other, trail + (package,))
        seen[package] = 1

    for package in sorted(allowed):
        visit(package, ())


def test_no_import_circle_between_modules():
    graph = core_graph()
    state: Dict[str, int] = {}  # 1 on the path, 2 done
    circles = []

    def visit(module: str, trail: List[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                circles.append(" -> ".join(trail[trail.index(target):] + [module, target])
                               if target in trail else f"{module} -> {target}")
            elif not state.get(target):
                visit(target, trail + [module])
        state[module] = 2

    for module in sorted(graph):
        if not state.get(module):
            visit(module, [])
    assert circles == []


def _functions(tree: ast.AST) -> Iterator[Tuple[ast.AST, str, bool]]:
    """(function node, qualified name, public) of every function and method."""

    def walk(node: ast.AST, prefix: str, public: bool) -> Iterator[Tuple[ast.AST, str, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                is_public = public and (not child.name.startswith("_")
                                        or child.name == "__init__")
                yield child, name, is_public
                yield from walk(child, name + ".", False)
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, prefix + child.name + ".",
                                public and not child.name.startswith("_"))
            else:
                yield from walk(child, prefix, public)

    yield from walk(tree, "", True)


def _parameters(node: ast.AST) -> int:
    args = node.args
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    return len(names) + (args.vararg is not None) + (args.kwarg is not None)


@pytest.mark.parametrize("folder", ["models", "algorithms"])
def test_files_and_functions_stay_readable(folder):
    long_files, long_functions, wide = [], [], []
    for path in sorted((REPO / folder).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(REPO)
        if folder == "models" and len(text.splitlines()) > MAX_FILE_LINES:
            long_files.append(f"{where}: {len(text.splitlines())} lines")
        for node, name, public in _functions(ast.parse(text)):
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                long_functions.append(f"{where}:{node.lineno} {name}: {lines} lines")
            if folder == "models" and public and _parameters(node) > MAX_PUBLIC_PARAMETERS:
                wide.append(f"{where}:{node.lineno} {name}: {_parameters(node)} parameters")
    assert (long_files, long_functions, wide) == ([], [], [])


def test_the_checks_see_a_wrong_import(tmp_path):
    """The import reader resolves relative imports as Python does: an arrow back up is
    seen (so the picture test cannot pass by reading nothing)."""
    package = tmp_path / "models" / "rasters"
    package.mkdir(parents=True)
    probe = package / "probe.py"
    probe.write_text("from ..engine.lop import halo\nfrom . import bands\n"
                     "def f():\n    from ...algorithms import base\n")
    global CORE
    saved, CORE = CORE, tmp_path / "models"
    try:
        assert list(imports_of(probe)) == [(1, "engine.lop"), (2, "rasters.bands"),
                                           (4, "...algorithms")]
    finally:
        CORE = saved
