"""docs/testing.md's mutation tables are scripts/mutation.py's own output: the targets
and the figures name the same modules as the script's TARGETS, and every EQUIVALENT entry
still names a line of its module. Parses both; runs no mutant."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "testing.md"


@pytest.fixture(scope="module")
def mutation():
    spec = importlib.util.spec_from_file_location("mutation_script",
                                                  REPO / "scripts" / "mutation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text()


def test_the_targets_table_is_the_scripts_own(mutation, doc):
    """Regenerate with `.build/mutation-venv/bin/python scripts/mutation.py --doc-only`."""
    assert mutation.doc_block(doc, "targets").strip() == mutation.targets_table().strip()


def test_targets_table_rows_name_the_scripts_modules(mutation, doc):
    rows = [line for line in mutation.doc_block(doc, "targets").splitlines()
            if line.startswith("| ") and not line.startswith(("| target", "| ---"))]
    named = [(cells[0].strip(), re.search(r"`(models/[\w/]+\.py)`", cells[1]).group(1))
             for cells in (row.strip("| ").split(" | ") for row in rows)]
    assert named == [(t.name, t.module) for t in mutation.TARGETS]


def test_figures_have_one_row_per_target_in_the_scripts_order(mutation, doc):
    rows = mutation.figures_rows(doc)
    assert list(rows) == [t.name for t in mutation.TARGETS]
    assert len({t.name for t in mutation.TARGETS}) == len(mutation.TARGETS)


def test_every_numerical_module_is_a_target(mutation):
    """The modules left out are text, file conversion or constants (docs/testing.md)."""
    modules = {p.relative_to(REPO).as_posix() for p in (REPO / "models").rglob("*.py")
               if p.name != "__init__.py"}
    # whole packages: errors, callbacks, classes and colours; the file conversion
    left_out = {m for m in modules if m.startswith(("models/common/", "models/importing/"))}
    # text and figures of the reports, the true-colour choice of a style
    left_out |= {"models/reports/training_report.py", "models/reports/assessment_report.py",
                 "models/reports/html_kit.py", "models/reports/spectral_figures.py",
                 "models/rasters/rendering.py",
                 "models/engine/outputs.py"}  # I/O glue: staged GeoTIFFs, path checks
    assert {t.module for t in mutation.TARGETS} == modules - left_out


def test_figures_rows_add_up(mutation, doc):
    """Each row that ran: killed + timeouts + survived + equivalent (+ other) = made, its
    score is (killed + timeouts) / (made - equivalent), and the totals are the sums."""
    rows = mutation.figures_rows(doc)
    totals = dict.fromkeys(mutation.COLUMNS, 0)
    for name, cells in rows.items():
        if cells[1] == "not run":
            continue
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", cells[1]), name
        assert re.fullmatch(r"[0-9a-f]{7,}(\+wt)?", cells[2]), name
        made, killed, timeouts, survived, equivalent = (int(c) for c in cells[4:9])
        assert killed + timeouts + survived + equivalent <= made, name
        counted = made - equivalent
        score = 100.0 * (killed + timeouts) / counted if counted else 100.0
        assert cells[9] == f"{score:.1f} %", name
        for key, value in zip(mutation.COLUMNS, (made, killed, timeouts, survived,
                                                 equivalent)):
            totals[key] += value
    block = mutation.doc_block(doc, "figures")
    if any(cells[1] != "not run" for cells in rows.values()):
        total = next(line for line in block.splitlines() if line.startswith("| **all**"))
        assert re.findall(r"\*\*(\d+)\*\*", total) == [str(totals[k])
                                                     for k in mutation.COLUMNS]


def test_the_figures_block_is_what_the_script_writes(mutation, doc):
    """No hand edits: rendering the parsed rows again gives the block as it is."""
    block = mutation.doc_block(doc, "figures")
    assert block.strip() == mutation.figures_table(mutation.figures_rows(doc)).strip()


def test_survivor_sections_only_for_targets_that_ran(mutation, doc):
    rows = mutation.figures_rows(doc)
    sections = mutation.survivors_sections(mutation.doc_block(doc, "survivors"))
    assert set(sections) == {name for name, cells in rows.items() if cells[1] != "not run"}


def test_every_equivalent_names_a_line_its_module_has(mutation):
    assert mutation.stale_equivalents() == []


def test_a_stale_equivalent_is_found(mutation, monkeypatch, tmp_path):
    """The check itself: an entry whose line left the module is reported."""
    key = ("models/engine/lop.py", "core/NumberReplacer", "x = 41  # gone", "x = 42  # gone")
    monkeypatch.setitem(mutation.EQUIVALENT, key, "a line that is no more")
    assert any("x = 41  # gone" in entry for entry in mutation.stale_equivalents())


def test_writing_the_doc_replaces_only_the_rows_run(mutation, doc, tmp_path):
    copy = tmp_path / "testing.md"
    copy.write_text(doc)
    target = mutation.TARGETS[0]
    result = {"name": target.name, "date": "2030-01-02 03:04", "commit": "abcdef1",
              "seconds": 90.0, "made": 10, "killed": 7, "timeouts": 1, "survived": 1,
              "equivalent": 1, "survivors": [
                  {"operator": "core/NumberReplacer", "line": 3, "before": "a = 1",
                   "after": "a = 2", "equivalent": None, "diff": ""}]}
    mutation.write_doc(copy, [result], 90.0, "test")
    text = copy.read_text()
    rows = mutation.figures_rows(text)
    assert rows[target.name] == [target.name, "2030-01-02 03:04", "abcdef1", "1.5", "10", "7",
                                 "1", "1", "1", "88.9 %"]
    before = mutation.figures_rows(doc)
    assert {k: v for k, v in rows.items() if k != target.name} == \
        {k: v for k, v in before.items() if k != target.name}
    assert "`a = 1` -> `a = 2` (**survived**)" in mutation.doc_block(text, "survivors")
    assert outside_blocks(mutation, text) == outside_blocks(mutation, doc)


def outside_blocks(mutation, text: str) -> str:
    """The document without its generated blocks' contents."""
    for block in mutation.BLOCKS:
        begin, end = mutation.markers(block)
        text = text.split(begin)[0] + begin + end + text.split(end)[1]
    return text
