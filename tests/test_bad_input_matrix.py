"""docs/testing.md's bad-input matrix is what the suite runs (issue 26).

Each row names a test (``file.py::function``, ``[value]`` for one parametrised case), the
algorithm or core function it runs, the message fragments it expects and how it runs
(core, processing.run, checkParameterValues, qgis_process, model: a graphical model).
The test files are parsed with ``ast``, not imported: a row fails when its test is gone
or renamed, when a fragment is no longer asserted there (in the function, its
parametrisation, or a helper it uses from the tests folder), or when the test no longer
runs the algorithm or runs it another way (``through`` lists every way the test and its
helpers take). A bad-input test added to the issue 7/26 files needs its row too.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

TESTS = Path(__file__).resolve().parent
DOC = TESTS.parent / "docs" / "testing.md"
SECTION = "## Bad inputs: the matrix the suite runs"
COLUMNS = ["case", "algorithm", "expected message", "test", "through"]
# how a test reaches the code, seen in its source or its helpers' (case-sensitive);
# "core" calls the named function directly: its name in the algorithm column is checked
THROUGH = {"core": "", "processing.run": "processing.run(",
           "checkParameterValues": "checkParameterValues(", "qgis_process": "WRAPPER",
           "model": "QgsProcessingModelAlgorithm("}
# every test in these files that expects a refusal has a row
COMPLETE = ["test_bad_inputs.py", "test_bad_process.py", "test_run_files.py",
            "test_modelfile_bounds.py", "test_training_inputs.py",
            "test_parameter_messages.py"]
REFUSAL = ("fails(", "expect_failure(", "refused(", "pytest.raises(", "(False,",
           "load_in_subprocess(", "_try_load(")
TEST_REFERENCE = re.compile(r"^(test_\w+\.py)::(test_\w+)(?:\[([^\]]+)\])?$")


@dataclass
class Row:
    line: int
    case: str
    algorithms: List[str]
    fragments: List[str]
    test_file: str
    function: str
    case_id: Optional[str]
    through: List[str]
    problems: List[str] = field(default_factory=list)


def ticked(cell: str) -> List[str]:
    """The `code` spans of a table cell."""
    return re.findall(r"`([^`]+)`", cell)


def matrix_rows(text: str) -> List[Row]:
    """The rows of every table in the matrix section of docs/testing.md."""
    lines = text.splitlines()
    assert SECTION in lines, f"docs/testing.md has no section '{SECTION}'"
    start = lines.index(SECTION) + 1
    rows = []
    for number, line in enumerate(lines[start:], start + 1):
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells == COLUMNS or set("".join(cells)) <= set("-: "):
            continue
        assert len(cells) == len(COLUMNS), f"docs/testing.md:{number}: {len(cells)} cells"
        case, algorithm, message, test, through = cells
        references = ticked(test)
        match = TEST_REFERENCE.match(references[0]) if len(references) == 1 else None
        row = Row(number, case, ticked(algorithm), ticked(message),
                  match.group(1) if match else "", match.group(2) if match else "",
                  match.group(3) if match else None,
                  [part.strip() for part in through.split(",")])
        if not match:
            row.problems.append(f"the test cell {test!r} is not one `file.py::test_name`")
        if not row.algorithms:
            row.problems.append("no `algorithm` named")
        if not row.fragments and not message.startswith("none"):
            row.problems.append("no `message fragment` (or 'none: ...' for a run that "
                                "succeeds)")
        for way in row.through:
            if way not in THROUGH:
                row.problems.append(f"through {way!r} is not one of {', '.join(THROUGH)}")
        rows.append(row)
    return rows


class Module:
    """A test file's top-level functions and names (``classify = partial(...)``), and
    the names it imports from the tests folder."""

    def __init__(self, path: Path):
        self.source = path.read_text(encoding="utf-8")
        self.lines = self.source.splitlines()
        tree = ast.parse(self.source)
        self.functions: Dict[str, ast.AST] = {}
        self.imports: Dict[str, Tuple[str, str]] = {}
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[node.name] = node
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1
                  and isinstance(node.targets[0], ast.Name)):
                self.functions.setdefault(node.targets[0].id, node)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if (TESTS / f"{node.module}.py").is_file():
                    for alias in node.names:
                        self.imports[alias.asname or alias.name] = (
                            f"{node.module}.py", alias.name)

    def text(self, node: ast.AST, decorators: bool = True) -> str:
        """The source of ``node`` and the values of its strings (also with a regular
        expression's escapes undone), for a search."""
        first = node.lineno
        if decorators and getattr(node, "decorator_list", None):
            first = min(d.lineno for d in node.decorator_list)
        parts = ["\n".join(self.lines[first - 1:node.end_lineno])]
        nodes = ast.walk(node) if decorators or not hasattr(node, "body") else (
            n for statement in node.body for n in ast.walk(statement))
        for child in nodes:
            if isinstance(child, ast.Constant) and isinstance(child.value, str):
                parts += [child.value, re.sub(r"\\(.)", r"\1", child.value)]
        return "\n".join(parts)


MODULES: Dict[str, Module] = {}


def module(name: str) -> Module:
    if name not in MODULES:
        MODULES[name] = Module(TESTS / name)
    return MODULES[name]


def helpers(file: str, node: ast.AST) -> str:
    """The text of every function of the tests folder that ``node`` uses, and theirs."""
    seen: Set[Tuple[str, str]] = set()
    texts = []
    pending = [(file, node)]
    while pending:
        current_file, current = pending.pop()
        current_module = module(current_file)
        for name in {n.id for n in ast.walk(current) if isinstance(n, ast.Name)}:
            target = ((current_file, name) if name in current_module.functions
                      else current_module.imports.get(name))
            if target is None or target in seen:
                continue
            seen.add(target)
            found = module(target[0]).functions.get(target[1])
            if found is not None:
                texts.append(module(target[0]).text(found))
                pending.append((target[0], found))
    return "\n".join(texts)


def parametrised_cases(node: ast.FunctionDef, case_id: str) -> Tuple[List[ast.AST], bool]:
    """The parametrize entries of ``node`` that ``case_id`` names, and whether the id
    was found at all (an entry's string, its first value as written, or a key of it)."""
    matched, seen = [], False
    for decorator in node.decorator_list:
        if not (isinstance(decorator, ast.Call) and len(decorator.args) >= 2
                and ast.unparse(decorator.func).endswith("parametrize")):
            continue
        values = decorator.args[1]
        if not isinstance(values, (ast.List, ast.Tuple)):
            seen = seen or case_id in ast.unparse(values)
            continue
        for entry in values.elts:
            first = entry.elts[0] if isinstance(entry, ast.Tuple) and entry.elts else entry
            names = {n.value for n in ast.walk(entry)
                     if isinstance(n, ast.Constant) and isinstance(n.value, str)}
            names.add(ast.unparse(first))
            if isinstance(first, ast.Dict):
                names |= {ast.literal_eval(k) for k in first.keys if isinstance(k, ast.Constant)}
            if case_id in names:
                matched.append(entry)
                seen = True
    return matched, seen


def check(row: Row) -> List[str]:
    """What in ``row`` the suite does not do."""
    problems = list(row.problems)
    if problems:
        return problems
    path = TESTS / row.test_file
    if not path.is_file():
        return [f"tests/{row.test_file} does not exist"]
    source = module(row.test_file)
    node = source.functions.get(row.function)
    if node is None:
        return [f"{row.test_file} has no function {row.function}"]
    used = helpers(row.test_file, node)
    whole = source.text(node) + "\n" + used
    search = whole
    if row.case_id is not None:
        entries, seen = parametrised_cases(node, row.case_id)
        if not seen:
            return [f"{row.function} has no parametrised case {row.case_id!r}"]
        own = source.text(node, decorators=False) + "\n" + used
        search = own + "\n" + "\n".join(source.text(entry) for entry in entries)
    for fragment in row.fragments:
        if fragment.lower() not in search.lower():
            problems.append(f"`{fragment}` is not asserted by {row.test_file}::"
                            f"{row.function}" + (f"[{row.case_id}]" if row.case_id else ""))
    for algorithm in row.algorithms:
        names = [algorithm]
        if algorithm.startswith("crnn:"):
            names.append(algorithm[len("crnn:"):] + "Algorithm")
        if not any(name.lower() in whole.lower() for name in names):
            problems.append(f"{row.function} does not run `{algorithm}`")
    for way, marker in THROUGH.items():
        if marker and (way in row.through) != (marker in whole):
            problems.append(f"{row.function} " + ("does not run" if way in row.through
                                                  else "also runs") + f" through {way}")
    return problems


def test_every_row_of_the_bad_input_matrix_is_run_by_the_suite():
    rows = matrix_rows(DOC.read_text(encoding="utf-8"))
    assert len(rows) > 50, len(rows)
    failures = [f"docs/testing.md:{row.line} ({row.case}): {problem}"
                for row in rows for problem in check(row)]
    assert not failures, "\n".join(failures)


def test_every_refusal_of_the_issue_7_and_26_tests_has_a_row():
    listed = {(row.test_file, row.function)
              for row in matrix_rows(DOC.read_text(encoding="utf-8"))}
    missing = []
    for name in COMPLETE:
        source = module(name)
        for function, node in source.functions.items():
            if function.startswith("test_") and (name, function) not in listed and any(
                    marker in source.text(node) for marker in REFUSAL):
                missing.append(f"{name}::{function}")
    assert not missing, ("add these bad-input tests to the matrix in docs/testing.md "
                         "('" + SECTION[3:] + "'):\n" + "\n".join(missing))


def test_a_changed_fragment_fails_its_row():
    """The check itself: a row whose fragment, test, case or way is wrong is reported."""
    good = ("| x | `crnn:train` | `SEED`, `between 0 and 2147483647` | "
            "`test_training_inputs.py::test_seed_beyond_int32_is_refused_with_its_range` "
            "| processing.run |")
    text = f"{SECTION}\n\n| {' | '.join(COLUMNS)} |\n| --- | --- | --- | --- | --- |\n"
    (row,) = matrix_rows(text + good)
    assert check(row) == []
    for bad, expected in [
        (good.replace("2147483647", "2147483648"), "is not asserted"),
        (good.replace("int32_is", "int64_is"), "has no function"),
        (good.replace("range`", "range[3]`"), "no parametrised case"),
        (good.replace("crnn:train", "crnn:classify"), "does not run `crnn:classify`"),
        (good.replace("processing.run |", "qgis_process |"), "does not run through qgis"),
        (good.replace("processing.run |", "core |"), "also runs through processing.run"),
        (good.replace("`test_training_inputs.py", "`tests/test_training_inputs.py"),
         "is not one `file.py::test_name`"),
    ]:
        (row,) = matrix_rows(text + bad)
        problems = check(row)
        assert any(expected in problem for problem in problems), (bad, problems)
    # a parametrised case's fragment must be in that case, not another one
    case = ("| x | `load_model` | `{}` | `test_modelfile_bounds.py::"
            "test_non_finite_values_are_refused[{}]` | core |")
    (row,) = matrix_rows(text + case.format("not positive", "std"))
    assert check(row) == []
    (row,) = matrix_rows(text + case.format("not positive", "mean"))
    assert "is not asserted" in check(row)[0]
