"""Mutation testing of the numerical core with cosmic-ray, on a copy of the checkout.

    make mutation                       every target below
    .build/mutation-venv/bin/python scripts/mutation.py --targets lop files

cosmic-ray mutates the source file in place for each mutant and runs a test command, so
this script first copies the working tree (tracked and untracked, not ignored, files)
into a temporary folder with its own ``.build/plugins/hyperspectral_crnn`` symlink, runs
every mutant there and deletes the copy: the checkout itself is never written to, except
for the report under ``out/mutation/`` (ignored by git). A crash leaves at most the
temporary copy behind (its path is printed), never a mutated checkout.

Each target is one module, the parts of it that are mutated (whole module, some
functions, or the statements of a function that mention a name) and the fast core tests
that cover it, fastest first, run with ``-x``. The tests run with the checkout's
``.venv`` Python; cosmic-ray itself runs from its own venv (requirements-mutation.txt).

A survivor listed in ``EQUIVALENT`` (a mutant that cannot change behaviour) is reported
as such and left out of the score; docs/testing.md gives each one's reason. The score is
killed / (made - equivalent); the run fails below ``--fail-under`` per cent.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent

# The replacements of one binary operator by bitwise, shift and matrix operators are left
# out: on the float arrays these modules compute with they raise TypeError, and on the
# integer sizes they are caught by the same tests as the arithmetic replacements; they
# were half of all mutants (docs/testing.md gives the figures of a run with them).
EXCLUDED_OPERATORS = r"core/ReplaceBinaryOperator_\w+_(BitAnd|BitOr|BitXor|LShift|RShift|MatMult)$"

PYTEST = ("-m pytest -x -q -p no:cacheprovider -p no:pytest_qgis "
          "-W ignore::pytest.PytestConfigWarning")


@dataclass
class Target:
    name: str
    module: str
    tests: Sequence[str]
    # function names (whole function), or "function:name" (the function's statements,
    # at any depth, whose source mentions name); empty = the whole module
    parts: Sequence[str] = field(default_factory=tuple)


TARGETS = [
    Target("lop", "models/lop.py",
           ["tests/test_lop_reference.py", "tests/test_lop.py"]),
    # the torch loop (train_network, _evaluate) is left out: see docs/testing.md
    Target("training", "models/training.py",
           ["tests/test_training_reference.py", "tests/test_training.py", "-k",
            "reference or cap_per_class or split or validation_fraction or class_weights_follow"],
           ["cap_per_class", "validation_split", "fit_standardisation", "fit_guide",
            "class_weights"]),
    Target("samples", "models/samples.py",
           # node ids, so the two slow whole-scene tests run last (pytest merges a file
           # named after some of its own tests into one, in the file's order)
           ["tests/test_samples_reference.py",
            "tests/test_samples.py::test_centres_all_touched_and_nodata",
            "tests/test_samples.py::test_polygons_outside_the_raster_are_explained",
            "tests/test_samples.py::test_band_beyond_the_raster_is_explained",
            "tests/test_window.py",
            # one GDAL exceptions mode of the scene test: the other only doubles its 6 s
            "tests/test_samples.py::test_scene_polygons_give_exactly_the_protocol_pixels"
            "[exceptions-off]"]),
    Target("files", "models/files.py",
           ["tests/test_bands_reference.py", "tests/test_samples_reference.py",
            "tests/test_samples.py::test_centres_all_touched_and_nodata",
            "tests/test_samples.py::test_band_beyond_the_raster_is_explained",
            "tests/test_inference.py::test_nodata_nan_and_inf_are_not_classified"],
           ["read_block", "check_band_indices"]),
    Target("raster", "models/raster.py",
           ["tests/test_bands_reference.py", "tests/test_samples_reference.py",
            "tests/test_samples.py::test_centres_all_touched_and_nodata",
            "tests/test_inference.py::test_nodata_nan_and_inf_are_not_classified"],
           ["valid_mask", "select", "read"]),
    Target("inference", "models/inference.py",
           ["tests/test_bands_reference.py",
            "tests/test_inference.py::test_band_check_before_any_work",
            "tests/test_inference.py::test_nodata_nan_and_inf_are_not_classified",
            "tests/test_inference.py::test_probabilities_without_lop_equal_whole_image"],
           ["_check_model_bands", "plan_classification:match_bands"]),
]

# Survivors that cannot change behaviour: (module, operator, original line, mutated line)
# -> reason. Lines are compared stripped of surrounding blanks.
LOP, TRAINING = "models/lop.py", "models/training.py"
CMP = "core/ReplaceComparisonOperator_"
EQUIVALENT: Dict[Tuple[str, str, str, str], str] = {}
for _module, _reason, _cases in [
    (LOP, 'an int modulo 2 is never negative', [
        (CMP + 'Eq_LtE', 'if size < 1 or size % 2 == 0:',
         'if size < 1 or size % 2 <= 0:'),
    ]),
    (LOP, 'size 0 is even, refused by the second test', [
        ('core/NumberReplacer', 'if size < 1 or size % 2 == 0:',
         'if size < 0 or size % 2 == 0:'),
    ]),
    (LOP, "of the three weightings check_lop lets through only 'uniform' sorts at or after 'uniform'", [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Eq_GtE', 'if weights == "uniform":',
         'if weights >= "uniform":'),
    ]),
    (LOP, "of the three weightings only 'edge' sorts at or before 'edge'", [
        (CMP + 'Eq_LtE', 'if weights == "edge":',
         'if weights <= "edge":'),
    ]),
    (LOP, "size / 4 >= 0.5 for every odd size >= 3, and size 1's one weight is exp(0) = 1", [
        ('core/NumberReplacer', "sigma = max(size / 4.0, 0.5)  # the window's edge sits at about two sigma",  # noqa: E501 (a mutated line, verbatim)
         "sigma = max(size / 4.0, -0.5)  # the window's edge sits at about two sigma"),
    ]),
    (LOP, 'check_lop has refused sizes below 1', [
        (CMP + 'Eq_LtE', 'if size == 1 or iterations == 0:',
         'if size <= 1 or iterations == 0:'),
    ]),
    (LOP, 'check_lop has refused negative iterations', [
        (CMP + 'Eq_LtE', 'if size == 1 or iterations == 0:',
         'if size == 1 or iterations <= 0:'),
    ]),
    (LOP, 'the stack has one layer: index 0 is index -1', [
        ('core/NumberReplacer', 'denominator = _separable(mask[None], kernel)[0]',
         'denominator = _separable(mask[None], kernel)[ -1]'),
    ]),
    (LOP, 'invalid pixels are set to 0 right after the division (1.0 only avoids 0/0)', [
        ('core/NumberReplacer', 'denominator[~valid] = 1.0',
         'denominator[~valid] = 2.0'),
        ('core/NumberReplacer', 'total[~valid] = 1.0',
         'total[~valid] = 2.0'),
    ]),
    (TRAINING, 'the fraction was checked to be >= 0', [
        (CMP + 'Gt_NotEq', 'if fraction > 0:',
         'if fraction != 0:'),
    ]),
    (TRAINING, 'with fraction 0 every class wants 0 pixels: the loop holds out none', [
        (CMP + 'Gt_GtE', 'if fraction > 0:',
         'if fraction >= 0:'),
        ('core/NumberReplacer', 'if fraction > 0:',
         'if fraction > -1:'),
    ]),
    (TRAINING, 'once taken >= wanted, every later polygon of the class is skipped either way', [
        ('core/ReplaceBreakWithContinue', 'break',
         'continue'),
    ]),
    (TRAINING, 'labels are one-dimensional', [
        ('core/NumberReplacer', 'held_out = np.zeros(labels.shape[0], bool)',
         'held_out = np.zeros(labels.shape[ -1], bool)'),
        ('core/NumberReplacer', 'return np.arange(labels.shape[0])',
         'return np.arange(labels.shape[ -1])'),
    ]),
    (TRAINING, 'counts from bincount are never negative', [
        (CMP + 'Gt_NotEq', 'present = counts > 0',
         'present = counts != 0'),
    ]),
    (TRAINING, 'a length is never negative', [
        (CMP + 'Gt_NotEq', 'if neighbours is not None and len(neighbours[0]) > 0:',
         'if neighbours is not None and len(neighbours[0]) != 0:'),
    ]),
    (TRAINING, 'the two sides of the pairs have the same length (samples.py builds them so)', [
        ('core/NumberReplacer', 'if neighbours is not None and len(neighbours[0]) > 0:',
         'if neighbours is not None and len(neighbours[ 1]) > 0:'),
        ('core/NumberReplacer', 'if neighbours is not None and len(neighbours[0]) > 0:',
         'if neighbours is not None and len(neighbours[ -1]) > 0:'),
    ]),
    (TRAINING, "a slice past vt's last row stops there: vt[:k] is the same for any k >= its rows", [
        ('core/NumberReplacer', 'components = vt[: min(GUIDE_COMPONENTS, vt.shape[0])].astype(np.float32)',  # noqa: E501 (a mutated line, verbatim)
         'components = vt[: min(GUIDE_COMPONENTS, vt.shape[ 1])].astype(np.float32)'),
        ('core/NumberReplacer', 'components = vt[: min(GUIDE_COMPONENTS, vt.shape[0])].astype(np.float32)',  # noqa: E501 (a mutated line, verbatim)
         'components = vt[: min(GUIDE_COMPONENTS, vt.shape[ -1])].astype(np.float32)'),
    ]),
    (TRAINING, 'a one-pixel class draws only (0, 0) pairs, which the next line drops', [
        ('core/NumberReplacer', 'if members.shape[0] < 2:',
         'if members.shape[0] < 1:'),
    ]),
    ('models/files.py', 'a window read is 2-D (one band) or 3-D, never fewer dimensions', [
        (CMP + 'Eq_LtE', 'if block.ndim == 2:  # one band',
         'if block.ndim <= 2:  # one band'),
    ]),
    ('models/files.py', "interleave is 'band' or 'pixel', and 'pixel' does not sort at or before 'band'", [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Eq_LtE', 'block = block[None] if interleave == "band" else block[..., None]',
         'block = block[None] if interleave <= "band" else block[..., None]'),
    ]),
    ('models/inference.py', 'model.mean is one-dimensional: index 0 is index -1', [
        ('core/NumberReplacer', 'if int(np.asarray(model.mean).shape[0]) != len(band_indices):',
         'if int(np.asarray(model.mean).shape[ -1]) != len(band_indices):'),
        ('core/NumberReplacer', 'f"for {np.asarray(model.mean).shape[0]}. Retrain it."',
         'f"for {np.asarray(model.mean).shape[ -1]}. Retrain it."'),
    ]),
    ('models/inference.py', 'every variant still reads Float64 and Int32 bands as float64; float32-exact bands read as float64 hold the same values', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'LtE_Eq', 'if types <= _FLOAT32_EXACT:',
         'if types == _FLOAT32_EXACT:'),
        (CMP + 'LtE_Lt', 'if types <= _FLOAT32_EXACT:',
         'if types < _FLOAT32_EXACT:'),
        (CMP + 'LtE_Gt', 'if types <= _FLOAT32_EXACT:',
         'if types > _FLOAT32_EXACT:'),
        (CMP + 'LtE_GtE', 'if types <= _FLOAT32_EXACT:',
         'if types >= _FLOAT32_EXACT:'),
        (CMP + 'LtE_Is', 'if types <= _FLOAT32_EXACT:',
         'if types is _FLOAT32_EXACT:'),
    ]),
    ('models/inference.py', 'the size only sizes the read chunks; the streamed result is the same for any chunk', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'return gdal.GDT_Float32, 4',
         'return gdal.GDT_Float32, 5'),
        ('core/NumberReplacer', 'return gdal.GDT_Float32, 4',
         'return gdal.GDT_Float32, 3'),
        ('core/NumberReplacer', 'return gdal.GDT_Float64, 8',
         'return gdal.GDT_Float64, 9'),
        ('core/NumberReplacer', 'return gdal.GDT_Float64, 8',
         'return gdal.GDT_Float64, 7'),
    ]),
    ('models/samples.py', 'the dataclass default is never used: read_training_pixels always passes the pairs', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty((0, 0)))',  # noqa: E501 (a mutated line, verbatim)
         'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty(( 1, 0)), np.empty((0, 0)))'),
        ('core/NumberReplacer', 'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty((0, 0)))',  # noqa: E501 (a mutated line, verbatim)
         'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 1)), np.empty((0, 0)))'),
        ('core/NumberReplacer', 'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty((0, 0)))',  # noqa: E501 (a mutated line, verbatim)
         'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty(( 1, 0)))'),
        ('core/NumberReplacer', 'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty((0, 0)))',  # noqa: E501 (a mutated line, verbatim)
         'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty((0, 1)))'),
    ]),
    ('models/samples.py', 'the default is never used: read_training_pixels always passes all_touched', [  # noqa: E501 (a mutated line, verbatim)
        ('core/ReplaceFalseWithTrue', 'all_touched: bool = False,',
         'all_touched: bool = True,'),
    ]),
    ('models/samples.py', 'the strip height does not change the result (the reference test reads with 1, 4 and 256 rows)', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'rows_per_read: int = 256,',
         'rows_per_read: int = 257,'),
        ('core/NumberReplacer', 'rows_per_read: int = 256,',
         'rows_per_read: int = 255,'),
    ]),
    ('models/samples.py', 'on boolean arrays * and & give the same booleans', [
        ('core/ReplaceBinaryOperator_BitAnd_Mul', 'inside = (rr + dr < height) & (cc + dc < width)',
         'inside = (rr + dr < height) * (cc + dc < width)'),
        ('core/ReplaceBinaryOperator_BitAnd_Mul', 'both = valid[ra, ca] & valid[ra + dr, ca + dc]',
         'both = valid[ra, ca] * valid[ra + dr, ca + dc]'),
    ]),
    ('models/samples.py', 'pair_count never exceeds MAX_NEIGHBOUR_PAIRS, so the min is never negative', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'take = max(0, min(int(both.sum()), MAX_NEIGHBOUR_PAIRS - pair_count))',  # noqa: E501 (a mutated line, verbatim)
         'take = max( -1, min(int(both.sum()), MAX_NEIGHBOUR_PAIRS - pair_count))'),
    ]),
    ('models/samples.py', 'counts from bincount are never negative', [
        (CMP + 'Gt_NotEq', 'return ([i for i in range(n_classes) if counts[i] > 0],',
         'return ([i for i in range(n_classes) if counts[i] != 0],'),
        (CMP + 'Eq_LtE', '[i for i in range(n_classes) if counts[i] == 0]) ',
         '[i for i in range(n_classes) if counts[i] <= 0]) '),
    ]),
]:
    EQUIVALENT.update({(_module, operator, before, after): _reason
                       for operator, before, after in _cases})


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", nargs="*", choices=[t.name for t in TARGETS],
                        help="targets to run (default: all)")
    parser.add_argument("--python", default=str(REPO / ".venv" / "bin" / "python"),
                        help="the Python that runs the tests (default: the checkout's .venv)")
    parser.add_argument("--out", default=str(REPO / "out" / "mutation"),
                        help="folder for report.md and results.json")
    parser.add_argument("--all-operators", action="store_true",
                        help="keep the bitwise, shift and matrix replacements too")
    parser.add_argument("--fail-under", type=float, default=90.0,
                        help="fail when the score (per cent) is below this")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    parser.add_argument("--rescore", metavar="RESULTS_JSON",
                        help="no run: report a results.json again with today's EQUIVALENT")
    args = parser.parse_args(argv)
    if args.rescore:
        saved = json.loads(Path(args.rescore).read_text())
        for result in saved["targets"]:
            rescore(result)
        return report(saved["targets"], Path(args.out), saved["seconds"], args.fail_under)
    targets = [t for t in TARGETS if not args.targets or t.name in args.targets]
    python = Path(args.python)
    if not python.exists():
        parser.error(f"no test Python at {python}: run `make setup` first")

    # a plain kill (SIGTERM) unwinds like Ctrl+C, so the temporary copy is removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="crnn-mutation-"))
    print(f"mutation: copying the checkout into {work}", flush=True)
    results = []
    try:
        copy = work / "checkout"
        copy_tree(REPO, copy)
        for target in targets:
            results.append(run_target(target, copy, work, python, args.all_operators))
            Path(args.out).mkdir(parents=True, exist_ok=True)  # so far, should a later fail
            (Path(args.out) / "results.json").write_text(json.dumps(
                {"seconds": round(time.monotonic() - started, 1), "targets": results}))
    finally:
        if args.keep:
            print(f"mutation: the copy is kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    seconds = time.monotonic() - started
    return report(results, Path(args.out), seconds, args.fail_under)


def copy_tree(source: Path, destination: Path) -> None:
    """The working tree's tracked and untracked (not ignored) files, as they are now."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source, check=True, capture_output=True).stdout.decode()
    for name in filter(None, listing.split("\0")):
        path = source / name
        if not path.is_file():  # deleted but still in the index, or a submodule
            continue
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination / name, follow_symlinks=False)
    plugins = destination / ".build" / "plugins"
    plugins.mkdir(parents=True)
    os.symlink("../..", plugins / "hyperspectral_crnn")


def selected_lines(path: Path, parts: Sequence[str]) -> Optional[List[Tuple[int, int]]]:
    """Line ranges of the selected parts of a module, or None for the whole module."""
    if not parts:
        return None
    source = path.read_text()
    tree = ast.parse(source)
    functions = {node.name: node for node in ast.walk(tree)
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    ranges = []
    for part in parts:
        name, _, mention = part.partition(":")
        if name not in functions:
            raise SystemExit(f"mutation: {path} has no function {name}: update TARGETS")
        function = functions[name]
        if not mention:
            ranges.append((function.lineno, function.end_lineno))
            continue
        pattern = re.compile(rf"\b{re.escape(mention)}\b")
        for node in ast.walk(function):
            if (isinstance(node, ast.stmt) and node is not function
                    and not isinstance(node, (ast.For, ast.While, ast.If, ast.With,
                                              ast.Try, ast.FunctionDef, ast.Expr))
                    and pattern.search(ast.get_source_segment(source, node) or "")):
                ranges.append((node.lineno, node.end_lineno))
    return ranges


def run_target(target: Target, copy: Path, work: Path, python: Path,
               all_operators: bool) -> dict:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    tests = [t for t in target.tests  # options, and the test files of this checkout
             if not t.startswith("tests/") or (copy / t.split("::")[0]).exists()]
    command = f"{python} {PYTEST} {shlex.join(tests)}"
    print(f"\n== {target.name}: {target.module} {list(target.parts) or '(whole module)'}",
          flush=True)
    print(f"   tests: {command}", flush=True)
    baseline = time.monotonic()
    run = subprocess.run(shlex.split(command), cwd=copy, capture_output=True, text=True)
    baseline = time.monotonic() - baseline
    if run.returncode != 0:
        raise SystemExit(f"mutation: the tests fail without any mutant:\n{run.stdout[-3000:]}")
    timeout = max(30.0, 5.0 * baseline)
    print(f"   unmutated: passed in {baseline:.1f} s; timeout per mutant {timeout:.0f} s",
          flush=True)

    config = work / f"{target.name}.toml"
    session = work / f"{target.name}.sqlite"
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(target.module)}\n"
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n"
        "[cosmic-ray.distributor]\n"
        'name = "local"\n')
    cosmic_ray = str(Path(sys.executable).parent / "cosmic-ray")
    subprocess.run([cosmic_ray, "init", str(config), str(session)], cwd=copy, check=True)

    ranges = selected_lines(copy / target.module, target.parts)
    excluded = None if all_operators else re.compile(EXCLUDED_OPERATORS)
    with use_db(str(session), WorkDB.Mode.open) as db:
        skipped = []
        for item in db.pending_work_items:
            mutation = item.mutations[0]
            inside = ranges is None or any(
                mutation.start_pos[0] <= end and start <= mutation.end_pos[0]
                for start, end in ranges)
            if not inside or (excluded and excluded.match(mutation.operator_name)):
                skipped.append(item.job_id)
        if skipped:
            db.set_multiple_results(skipped, WorkResult(
                output="not selected", worker_outcome=WorkerOutcome.SKIPPED))
        total = db.num_work_items - len(skipped)
    print(f"   {total} mutants", flush=True)

    started = time.monotonic()
    process = subprocess.Popen([cosmic_ray, "exec", str(config), str(session)], cwd=copy)
    try:
        while process.poll() is None:
            time.sleep(15)
            with use_db(str(session), WorkDB.Mode.open) as db:
                done = db.num_results - len(skipped)
            elapsed = time.monotonic() - started
            print(f"   {done}/{total} done, {elapsed:.0f} s", flush=True)
    finally:
        if process.poll() is None:  # interrupted: stop cosmic-ray (its test run ends too)
            process.terminate()
            process.wait()
    if process.returncode != 0:
        raise SystemExit(f"mutation: cosmic-ray exec failed ({process.returncode})")
    seconds = time.monotonic() - started

    outcome = {"name": target.name, "module": target.module, "parts": list(target.parts),
               "tests": tests, "seconds": round(seconds, 1), "made": 0, "killed": 0,
               "timeouts": 0, "survived": 0, "equivalent": 0, "other": 0,
               "survivors": []}
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            outcome["made"] += 1
            mutation = item.mutations[0]
            if result.worker_outcome != WorkerOutcome.NORMAL:
                outcome["other"] += 1  # no test run: an exception or nothing to mutate
            elif result.test_outcome.value == "killed":
                outcome["timeouts" if result.output == "timeout" else "killed"] += 1
            elif result.test_outcome.value == "incompetent":
                outcome["killed"] += 1  # the mutant cannot even be imported
            else:
                before, after = changed_lines(result.diff)
                reason = EQUIVALENT.get((target.module, mutation.operator_name, before, after))
                outcome["equivalent" if reason else "survived"] += 1
                outcome["survivors"].append({
                    "operator": mutation.operator_name,
                    "line": mutation.start_pos[0],
                    "before": before, "after": after,
                    "equivalent": reason,
                    "diff": result.diff,
                })
    outcome["survivors"].sort(key=lambda s: (s["equivalent"] is not None, s["line"]))
    return outcome


def rescore(outcome: dict) -> None:
    """Apply EQUIVALENT to the survivors of a saved run (the counts are the run's)."""
    outcome["survived"] += outcome["equivalent"]
    outcome["equivalent"] = 0
    for survivor in outcome["survivors"]:
        survivor["equivalent"] = EQUIVALENT.get(
            (outcome["module"], survivor["operator"], survivor["before"], survivor["after"]))
        if survivor["equivalent"]:
            outcome["equivalent"] += 1
            outcome["survived"] -= 1
    outcome["survivors"].sort(key=lambda s: (s["equivalent"] is not None, s["line"]))


def changed_lines(diff: str) -> Tuple[str, str]:
    removed = [line[1:].strip() for line in diff.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    return " ".join(removed), " ".join(added)


def score(outcome: dict) -> float:
    counted = outcome["made"] - outcome["equivalent"]
    return 100.0 * (outcome["killed"] + outcome["timeouts"]) / counted if counted else 100.0


def report(results: List[dict], out: Path, seconds: float, fail_under: float) -> int:
    from importlib.metadata import version

    out.mkdir(parents=True, exist_ok=True)
    keys = ("made", "killed", "timeouts", "survived", "equivalent", "other")
    totals = {key: sum(r[key] for r in results) for key in keys}
    totals.update(name="all", seconds=round(sum(r["seconds"] for r in results), 1))
    lines = [
        f"cosmic-ray {version('cosmic-ray')}; wall time {seconds / 60:.1f} min",
        "",
        "| target | made | killed | timeouts | survived | equivalent | other | score | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results + [totals]:
        lines.append(f"| {row['name']} | " + " | ".join(str(row[k]) for k in keys)
                     + f" | {score(row):.1f} % | {row['seconds']} |")
    for result in results:
        for survivor in result["survivors"]:
            status = f"equivalent: {survivor['equivalent']}" if survivor["equivalent"] \
                else "SURVIVED"
            lines += ["", f"### {result['module']}:{survivor['line']} "
                          f"{survivor['operator']} ({status})", "", "```diff",
                      survivor["diff"].strip(), "```"]
    text = "\n".join(lines) + "\n"
    (out / "report.md").write_text(text)
    (out / "results.json").write_text(json.dumps(
        {"seconds": round(seconds, 1), "targets": results}, indent=1))
    print("\n" + "\n".join(lines[:len(results) + 5]))
    for result in results:
        for survivor in result["survivors"]:
            if not survivor["equivalent"]:
                print(f"SURVIVED {result['module']}:{survivor['line']} {survivor['operator']}: "
                      f"{survivor['before']}  ->  {survivor['after']}")
    print(f"\nmutation: report in {out / 'report.md'}")
    if score(totals) < fail_under:
        print(f"mutation: score {score(totals):.1f} % is below {fail_under} %", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
