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
as such, with its one-line reason, and left out of the score. The score is
(killed + timeouts) / (made - equivalent); the run fails below ``--fail-under`` per cent.
An ``EQUIVALENT`` entry whose line is no longer in its module stops the script before any
run; one that matched no survivor, or that a test killed, is warned about after the run.

Each target's figures (date, commit, wall time, counts, score) and survivors are written
into docs/testing.md between marker comments as soon as the target ends: the rows of the
targets not run are kept as they were (tests/test_mutation_table.py checks the tables
against ``TARGETS``). ``--doc-only`` rewrites the targets table without running anything.
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
DOC = REPO / "docs" / "testing.md"

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
    # function or class names (whole definition), or "function:name" (the function's
    # statements, at any depth, whose source mentions name); empty = the whole module
    parts: Sequence[str] = field(default_factory=tuple)
    # functions or classes of the module that are not mutated -> why (one line each)
    left_out: Dict[str, str] = field(default_factory=dict)


# The fast core tests of a target: no QGIS, fastest first (run with -x, so a mutant's run
# usually ends at the first, cheapest test that sees it).
TARGETS = [
    Target("spectra", "models/network/spectra.py",
           ["tests/test_mutation_core.py", "-k", "spectra"]),
    Target("window", "models/network/window.py",
           ["tests/test_mutation_window.py", "tests/test_window.py", "-k", "not training"]),
    Target("lop", "models/engine/lop.py",
           ["tests/test_mutation_request.py", "tests/test_lop_reference.py",
            "tests/test_lop.py", "tests/test_mutation_inference.py"]),
    Target("config", "models/network/config.py", ["tests/test_mutation_config.py"]),
    Target("training", "models/training/train.py",
           ["tests/test_mutation_training.py", "tests/test_training_reference.py",
            "tests/test_training.py", "tests/test_default_paths.py", "-k",
            "(reference or cap_per_class or split or validation_fraction or class_weights_follow"
            " or polygon or share or mutation) and not nodata and not log_and_provenance"],
           left_out={"train_network": "the stochastic torch loop: each mutant needs a "
                     "training run of 6-40 s and its result is only checkable in tolerance",
                     "_evaluate": "part of the torch loop (train_network)",
                     "_starting_from": "part of the torch loop (train_network)",
                     "TrainedNetwork": "train_network's result (every field always given)",
                     "_TrainingRun": "the torch loop's body (train_network)",
                     "TrainingHooks": "callbacks of the torch loop, no figures",
                     "_provenance": "train_model's record of the run (text and counts "
                     "split_counts makes)",
                     "train_model": "glue that calls the parts above and train_network"}),
    Target("samples", "models/training/samples.py",
           # node ids, so the two slow whole-scene tests run last (pytest merges a file
           # named after some of its own tests into one, in the file's order)
           ["tests/test_mutation_samples.py", "tests/test_samples_reference.py",
            "tests/test_samples.py::test_centres_all_touched_and_nodata",
            "tests/test_samples.py::test_polygons_outside_the_raster_are_explained",
            "tests/test_samples.py::test_band_beyond_the_raster_is_explained",
            "tests/test_window.py",
            # one GDAL exceptions mode of the scene test: the other only doubles its 6 s
            "tests/test_samples.py::test_scene_polygons_give_exactly_the_protocol_pixels"
            "[exceptions-off]"]),
    Target("files", "models/rasters/files.py",
           ["tests/test_bands_reference.py", "tests/test_samples_reference.py",
            "tests/test_samples.py::test_centres_all_touched_and_nodata",
            "tests/test_samples.py::test_band_beyond_the_raster_is_explained",
            "tests/test_inference.py::test_nodata_nan_and_inf_are_not_classified"],
           ["read_block", "check_band_indices", "read_layout", "Strip", "BlockStrips",
            "open_raster"],
           left_out={"gdal_exceptions": "I/O glue (GDAL's error mode)",
                     "gdal_exceptions_off": "I/O glue (GDAL's error mode)",
                     "close_dataset": "I/O glue", "writing": "I/O glue",
                     "_write_error": "I/O glue (a message)",
                     "memory_vector_driver": "I/O glue",
                     "StagedFile": "I/O glue (staged writes: tests/test_run_files.py)",
                     "_host": "I/O glue", "stage_prefix": "I/O glue",
                     "_process_ended": "I/O glue", "remove_stale_stages": "I/O glue",
                     "_last_change": "I/O glue", "staged": "I/O glue",
                     "write_atomically": "I/O glue",
                     "style_class_band": "I/O glue (a colour table)"}),
    Target("raster", "models/rasters/raster.py",
           ["tests/test_bands_reference.py", "tests/test_samples_reference.py",
            "tests/test_samples.py::test_centres_all_touched_and_nodata",
            "tests/test_inference.py::test_nodata_nan_and_inf_are_not_classified"]),
    Target("bands", "models/rasters/bands.py",
           ["tests/test_mutation_bands.py", "tests/test_band_metadata.py"]),
    Target("band_matching", "models/rasters/band_matching.py",
           ["tests/test_mutation_band_selection.py", "tests/test_band_selection.py", "-k",
            "not reflectance"]),
    Target("band_choice", "models/training/band_choice.py",
           ["tests/test_mutation_band_selection.py", "tests/test_band_selection.py", "-k",
            "not reflectance"]),
    # the figures and the counting
    Target("assessment", "models/reports/assessment.py",
           ["tests/test_mutation_assessment.py", "tests/test_assessment.py"]),
    # burning the reference, grids, names and colours, reading in strips
    Target("assessment_rasters", "models/reports/assessment_rasters.py",
           ["tests/test_mutation_assessment.py", "tests/test_assessment.py"],
           left_out={"_crs": "I/O glue (a raster's CRS)", "_crs_name": "the message's text"}),
    # accuracy and area from a reference sample: the estimators, the sample read from
    # rasters, and the sample's design (size, allocation, the points drawn)
    Target("area_estimates", "models/reports/area_estimates.py",
           ["tests/test_area_estimates.py"]),
    Target("area_sample", "models/reports/area_sample.py", ["tests/test_area_sample.py"]),
    Target("sample_design", "models/reports/sample_design.py",
           ["tests/test_sample_design.py"]),
    # the streaming engine, with the fast engine tests alone
    Target("tiles", "models/engine/tiles.py", ["tests/test_mutation_inference.py"],
           left_out={"TileProducer": "needs a trained network per mutant (test_inference.py "
                     "checks it); the engine it feeds runs here without one"}),
    Target("inference", "models/engine/inference.py",
           ["tests/test_mutation_inference.py", "tests/test_bands_reference.py"],
           left_out={"classify_raster": "glue: plan_classification, TileProducer and "
                     "run_streaming",
                     "ClassificationSummary": "the log's text",
                     "_precision_name": "the log's text"}),
    # the request's own checks; probability rasters smoothed and checked
    Target("request", "models/engine/request.py",
           ["tests/test_mutation_request.py", "tests/test_mutation_inference.py"]),
    Target("smoothing", "models/engine/smoothing.py",
           ["tests/test_mutation_smoothing.py", "tests/test_mutation_inference.py"]),
    Target("semi_supervised", "models/training/semi_supervised.py",
           ["tests/test_mutation_semi_supervised.py",
            "tests/test_semi_supervised.py::test_grown_labels_reach_alike_neighbours_only",
            "tests/test_semi_supervised.py::test_grown_labels_drop_pixels_two_classes_reach"],
           left_out={"train_semi_supervised": "the stochastic torch loop (two training "
                     "runs per mutant)",
                     "_Stages": "part of train_semi_supervised",
                     "pseudo_labels": "self-training (off by default: rounds 0) needs a "
                     "trained network per mutant (tests/test_semi_supervised.py)",
                     **{name: "part of pseudo_labels" for name in (
                         "_pooled_window", "_PooledWindow", "_in_window",
                         "_validation_scores", "_kept_per_class")}}),
    Target("network", "models/network/crnn.py",
           ["tests/test_mutation_network.py", "tests/test_precision.py"],
           left_out={"use_all_cores": "thread settings, no figures",
                     "hold_openblas_to_one_thread": "thread settings, no figures"}),
    Target("modelfile", "models/network/modelfile.py", ["tests/test_modelfile.py"],
           left_out={"_write_bytes": "I/O glue", "_open_regular_file": "I/O glue"}),
    Target("paths", "models/rasters/paths.py",
           # the core tests of the file (the others run algorithms through QGIS)
           ["tests/test_run_files.py::" + name for name in (
               "test_the_same_file_under_other_spellings_collides",
               "test_files_written_beside_an_output_count",
               "test_an_envi_header_is_part_of_its_cube",
               "test_two_outputs_on_one_file_collide",
               "test_shapefile_and_geopackage_parts_are_outputs_too",
               "test_sources_name_their_files", "test_unwritable_outputs_are_refused_up_front",
               "test_a_read_only_folder_is_refused_for_an_unprivileged_user",
               "test_a_report_named_like_its_own_json_is_refused",
               "test_a_folder_where_a_side_car_goes_is_refused_up_front")]),
    Target("cluster", "models/engine/cluster.py",
           ["tests/test_mutation_core.py", "-k", "not spectra"],
           ["cut_tiles", "worker_path", "core_fingerprint", "TileResult", "_worker_probe"],
           left_out={"classify_raster_on_cluster": "needs a Dask scheduler and workers "
                     "(tests/test_cluster.py)",
                     "_classify_tiles": "needs a Dask scheduler", "connect": "needs a Dask "
                     "scheduler", "check_workers": "needs a Dask scheduler",
                     "_finished": "needs a Dask scheduler", "_tile_result": "needs a Dask "
                     "scheduler", "import_distributed": "I/O glue (an import)",
                     "_classifier": "needs a trained network per mutant (test_cluster.py)",
                     "_worker_threads": "its task count is a Dask worker's (outside one it "
                     "is 1: cores // 1, * 1 and ** 1 agree)",
                     "_tile_task": "needs a trained network per mutant; its fusion is "
                     "classify_tile's (the inference target)"}),
]


# Survivors that cannot change behaviour: (module, operator, original line, mutated line)
# -> reason. Lines are compared stripped of surrounding blanks.
LOP, TRAINING = "models/engine/lop.py", "models/training/train.py"
SMOOTHING = "models/engine/smoothing.py"
ASSESSMENT = "models/reports/assessment.py"
AREA_ESTIMATES = "models/reports/area_estimates.py"
ASSESSMENT_RASTERS = "models/reports/assessment_rasters.py"
CMP = "core/ReplaceComparisonOperator_"
_PAD = ("padded = np.zeros((rows + 2 * radius, cols + 2 * radius, spectra.shape[2] + 1), "
        "np.float32)")
_UPPER = 'upper = np.clip(np.searchsorted(centres, targets, side="left"), 1, len(good) - 1)'
_WEIGHT = ("weight = np.where(span > 0, (targets - centres[lower]) / np.where(span > 0, span, 1), "
           "0)")
_REACH = ("return halo(self.size, self.iterations) if self.size > 1 and self.iterations > 0 "
          "else 0")
_DIVIDE = ("return np.divide(total[..., :-1], count, out=np.zeros_like(spectra), "
           "where=count > 0)")
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
    ('models/rasters/files.py', 'a window read is 2-D (one band) or 3-D, never fewer dimensions', [
        (CMP + 'Eq_LtE', 'if block.ndim == 2:  # one band',
         'if block.ndim <= 2:  # one band'),
    ]),
    ('models/rasters/files.py', "interleave is 'band' or 'pixel', and 'pixel' does not sort at or before 'band'", [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Eq_LtE', 'block = block[None] if interleave == "band" else block[..., None]',
         'block = block[None] if interleave <= "band" else block[..., None]'),
    ]),
    ('models/engine/inference.py', 'model.mean is one-dimensional: index 0 is index -1', [
        ('core/NumberReplacer', 'if int(np.asarray(model.mean).shape[0]) != len(band_indices):',
         'if int(np.asarray(model.mean).shape[ -1]) != len(band_indices):'),
        ('core/NumberReplacer', 'f"for {np.asarray(model.mean).shape[0]}. Retrain it."',
         'f"for {np.asarray(model.mean).shape[ -1]}. Retrain it."'),
    ]),
    ('models/rasters/bands.py', "the `and` already excludes 0, so only 1.0 is treated otherwise, and dividing by 1.0 changes no float", [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'if reflectance_scale and reflectance_scale != 1.0:',
         'if reflectance_scale and reflectance_scale != 0.0:'),
    ]),
    ('models/training/samples.py', 'a default every caller overrides: read_training_pixels always passes contested', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'contested: int = 0',
         'contested: int = 1'),
        ('core/NumberReplacer',
         'contested: int = 0',
         'contested: int = -1'),
    ]),
    ('models/training/samples.py', 'the clipped end is only -1 where the start is 0 or more: the same error for an empty window', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'col1 = int(np.clip(np.ceil(max(col_a, col_b)) + 1, 0, width))',
         'col1 = int(np.clip(np.ceil(max(col_a, col_b)) + 1, -1, width))'),
        ('core/NumberReplacer',
         'row1 = int(np.clip(np.ceil(max(row_a, row_b)) + 1, 0, height))',
         'row1 = int(np.clip(np.ceil(max(row_a, row_b)) + 1, -1, height))'),
    ]),
    ('models/training/samples.py', 'floor(min) - 1 <= ceil(max) + 1 and clipping keeps the order: the end never lies before the start', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'LtE_Eq',
         'if col1 <= col0 or row1 <= row0:',
         'if col1 == col0 or row1 <= row0:'),
        (CMP + 'LtE_Eq',
         'if col1 <= col0 or row1 <= row0:',
         'if col1 <= col0 or row1 == row0:'),
    ]),
    ('models/training/samples.py', "claims is never empty here, and for any initial value up to 1 'max > 1' means 'some claim > 1'", [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'if claims.max(initial=0) > 1:  # some overlap: do the claims agree on the class?',
         'if claims.max(initial= 1) > 1:  # some overlap: do the claims agree on the class?'),
        ('core/NumberReplacer',
         'if claims.max(initial=0) > 1:  # some overlap: do the claims agree on the class?',
         'if claims.max(initial= -1) > 1:  # some overlap: do the claims agree on the class?'),
    ]),
    ('models/training/samples.py', 'these only widen the box checked again; inside it a pixel of 0 or 1 claims has n sum(c^2) == (sum c)^2, never contested', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Gt_NotEq',
         'r, c = np.nonzero(claims > 1)',
         'r, c = np.nonzero(claims != 1)'),
        (CMP + 'Gt_GtE',
         'r, c = np.nonzero(claims > 1)',
         'r, c = np.nonzero(claims >= 1)'),
        ('core/NumberReplacer',
         'r, c = np.nonzero(claims > 1)',
         'r, c = np.nonzero(claims > 0)'),
    ]),
    ('models/training/samples.py', 'by Cauchy-Schwarz n sum(c^2) >= (sum c)^2 always: != and > are the same test', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'NotEq_Gt',
         'contested[inner] = count * squares.astype(np.int64) != total * total',
         'contested[inner] = count * squares.astype(np.int64) > total * total'),
    ]),
    ('models/training/samples.py', 'the read window only grows to the left, and the indices are taken relative to it', [  # noqa: E501 (a mutated line, verbatim)
        ('core/ReplaceBinaryOperator_Add_Sub',
         'top, left = row0 + start, col0 + int(c.min())',
         'top, left = row0 + start, col0 - int(c.min())'),
    ]),
    ('models/training/samples.py', 'one more column read, clipped to the raster, with the same indices', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'min(raster.width, col0 + int(c.max()) + 1 + after),',
         'min(raster.width, col0 + int(c.max()) + 2 + after),'),
    ]),
    ('models/training/samples.py', 'the strip height does not change the result (tests read with 1, 2, 3 and 256 rows)', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'rows_per_read: int = 256) -> List[int]:',
         'rows_per_read: int = 257) -> List[int]:'),
        ('core/NumberReplacer',
         'rows_per_read: int = 256) -> List[int]:',
         'rows_per_read: int = 255) -> List[int]:'),
    ]),
    ('models/training/samples.py', 'a bigger read window, indexed relative to itself', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'raster, classes, row0, col0, rows_per_read, 0, 0):',
         'raster, classes, row0, col0, rows_per_read, 1, 0):'),
        ('core/NumberReplacer',
         'raster, classes, row0, col0, rows_per_read, 0, 0):',
         'raster, classes, row0, col0, rows_per_read, 0, 1):'),
    ]),
    ('models/training/samples.py', 'radius only sets how far beyond the pixels is read; each is at least w // 2, and window_mean gives the same bits for any block', [  # noqa: E501 (a mutated line, verbatim)
        ('core/ReplaceBinaryOperator_FloorDiv_Add',
         'radius = input_window // 2',
         'radius = input_window + 2'),
        ('core/ReplaceBinaryOperator_FloorDiv_Mul',
         'radius = input_window // 2',
         'radius = input_window * 2'),
        ('core/ReplaceBinaryOperator_FloorDiv_Pow',
         'radius = input_window // 2',
         'radius = input_window ** 2'),
        ('core/NumberReplacer',
         'radius = input_window // 2',
         'radius = input_window // 1'),
    ]),
    ('models/training/samples.py', 'rr + dr <= height always (and cc + dc <= width): != means <', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Lt_NotEq',
         'inside = (rr + dr < height) & (cc + dc < width)',
         'inside = (rr + dr != height) & (cc + dc < width)'),
        (CMP + 'Lt_NotEq',
         'inside = (rr + dr < height) & (cc + dc < width)',
         'inside = (rr + dr < height) & (cc + dc != width)'),
    ]),
    ('models/training/samples.py', 'two classes mean at least two rows, and valid spectra hold no NaN: all rows equal row k alike for every k', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'if len(np.unique(class_labels)) > 1 and (pixels == pixels[0]).all():',
         'if len(np.unique(class_labels)) > 1 and (pixels == pixels[ 1]).all():'),
        ('core/NumberReplacer',
         'if len(np.unique(class_labels)) > 1 and (pixels == pixels[0]).all():',
         'if len(np.unique(class_labels)) > 1 and (pixels == pixels[ -1]).all():'),
    ]),
    ('models/training/samples.py', 'all values equal the last one exactly when all are equal', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'if (spectrum == spectrum[0]).all():',
         'if (spectrum == spectrum[ -1]).all():'),
    ]),
    ('models/training/samples.py', 'only reached where all values are equal', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'return f"{spectrum[0]:g} in all {len(spectrum)} bands"',
         'return f"{spectrum[ -1]:g} in all {len(spectrum)} bands"'),
    ]),
    ('models/training/samples.py', 'the dataclass default is never used: read_training_pixels always passes the pairs', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty((0, 0)))',  # noqa: E501 (a mutated line, verbatim)
         'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty(( 1, 0)), np.empty((0, 0)))'),
        ('core/NumberReplacer', 'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty((0, 0)))',  # noqa: E501 (a mutated line, verbatim)
         'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 1)), np.empty((0, 0)))'),
        ('core/NumberReplacer', 'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty((0, 0)))',  # noqa: E501 (a mutated line, verbatim)
         'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty(( 1, 0)))'),
        ('core/NumberReplacer', 'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty((0, 0)))',  # noqa: E501 (a mutated line, verbatim)
         'neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty((0, 1)))'),
    ]),
    ('models/training/samples.py', 'the strip height does not change the result (the reference test reads with 1, 4 and 256 rows)', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'rows_per_read: int = 256,',
         'rows_per_read: int = 257,'),
        ('core/NumberReplacer', 'rows_per_read: int = 256,',
         'rows_per_read: int = 255,'),
    ]),
    ('models/training/samples.py', 'on boolean arrays * and & give the same booleans', [
        ('core/ReplaceBinaryOperator_BitAnd_Mul', 'inside = (rr + dr < height) & (cc + dc < width)',
         'inside = (rr + dr < height) * (cc + dc < width)'),
        ('core/ReplaceBinaryOperator_BitAnd_Mul', 'both = valid[ra, ca] & valid[ra + dr, ca + dc]',
         'both = valid[ra, ca] * valid[ra + dr, ca + dc]'),
    ]),
    ('models/training/samples.py', 'pair_count never exceeds MAX_NEIGHBOUR_PAIRS, so the min is never negative', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'take = max(0, min(int(both.sum()), MAX_NEIGHBOUR_PAIRS - pair_count))',  # noqa: E501 (a mutated line, verbatim)
         'take = max( -1, min(int(both.sum()), MAX_NEIGHBOUR_PAIRS - pair_count))'),
    ]),
    ('models/training/samples.py', 'counts from bincount are never negative', [
        (CMP + 'Gt_NotEq', 'return ([i for i in range(n_classes) if counts[i] > 0],',
         'return ([i for i in range(n_classes) if counts[i] != 0],'),
        (CMP + 'Eq_LtE', '[i for i in range(n_classes) if counts[i] == 0]) ',
         '[i for i in range(n_classes) if counts[i] <= 0]) '),
    ]),
    ('models/network/window.py', 'the core calls window_mean only for windows > 1 (samples.py, raster.py); for window 1 the general path gives each valid pixel x / 1 = x', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Eq_Lt', 'if window == 1:', 'if window < 1:'),
        (CMP + 'Eq_LtE', 'if window == 1:', 'if window <= 1:'),
        ('core/NumberReplacer', 'if window == 1:', 'if window == 2:'),
        ('core/NumberReplacer', 'if window == 1:', 'if window == 0:'),
    ]),
    ('models/network/window.py', 'a wider zero pad (3r and 2**r >= 2r): the sums read only its first rows + 2r rows and cols + 2r columns', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', _PAD, _PAD.replace('(rows + 2 *', '(rows + 3 *')),
        ('core/NumberReplacer', _PAD, _PAD.replace('cols + 2 *', 'cols + 3 *')),
        ('core/ReplaceBinaryOperator_Mul_Pow', _PAD, _PAD.replace('(rows + 2 *', '(rows + 2 **')),
        ('core/ReplaceBinaryOperator_Mul_Pow', _PAD, _PAD.replace('cols + 2 *', 'cols + 2 **')),
    ]),
    ('models/network/window.py', 'the count of valid pixels is never negative', [
        (CMP + 'Gt_NotEq', _DIVIDE, _DIVIDE.replace('count > 0', 'count != 0')),
    ]),
    ('models/network/spectra.py', 'a square root is never negative', [
        (CMP + 'Eq_LtE', 'length[length == 0] = 1.0', 'length[length <= 0] = 1.0'),
    ]),
    ('models/network/spectra.py',
     'only all-zero spectra get this length: zero divided by 2 is zero too', [
        ('core/NumberReplacer', 'length[length == 0] = 1.0', 'length[length == 0] = 2.0'),
    ]),
    ('models/network/config.py', 'a length is never negative', [
        (CMP + 'Eq_LtE', 'if n == 0:', 'if n <= 0:'),
    ]),
    ('models/network/config.py', '0 is even: the second test refuses it', [
        ('core/NumberReplacer', 'if window < 1 or window % 2 == 0:',
         'if window < 0 or window % 2 == 0:'),
    ]),
    ('models/network/config.py', 'class counts are never negative (-1 and 0 both mean: no head)', [
        (CMP + 'Gt_NotEq', 'if n_classes > 0:', 'if n_classes != 0:'),
        ('core/NumberReplacer', 'def parameter_count(self, n_classes: int = 0) -> int:',
         'def parameter_count(self, n_classes: int = -1) -> int:'),
    ]),
    ('models/network/config.py', 'validate refuses other recurrent layer types before it counts weights', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'gates = {"gru": 3, "lstm": 4, "rnn": 1}.get(self.rnn_type, 4)',
         'gates = {"gru": 3, "lstm": 4, "rnn": 1}.get(self.rnn_type, 5)'),
        ('core/NumberReplacer', 'gates = {"gru": 3, "lstm": 4, "rnn": 1}.get(self.rnn_type, 4)',
         'gates = {"gru": 3, "lstm": 4, "rnn": 1}.get(self.rnn_type, 3)'),
    ]),
    ('models/network/config.py', 'the pooling floors each block: floor((y + 1) / p) = floor((floor(y) + 1) / p), and the length is only compared with 1', [  # noqa: E501 (a mutated line, verbatim)
        ('core/ReplaceBinaryOperator_FloorDiv_Div',
         'length = (length + 2 * (kernel // 2) - kernel) // stride + 1  # padding kernel // 2',
         'length = (length + 2 * (kernel // 2) - kernel) / stride + 1  # padding kernel // 2'),
    ]),
    ('models/network/config.py', 'a remainder of division by 2 is never negative', [
        (CMP + 'Eq_LtE', 'if window < 1 or window % 2 == 0:',
         'if window < 1 or window % 2 <= 0:'),
    ]),
    ('models/network/config.py', 'enumerate() gives no negative block', [
        (CMP + 'Eq_LtE', 'stride = self.first_stride if block == 0 else 1',
         'stride = self.first_stride if block <= 0 else 1'),
    ]),
    ('models/network/config.py', 'range() gives no negative layer', [
        (CMP + 'Eq_LtE', 'size_in = in_channels if layer == 0 else hidden',
         'size_in = in_channels if layer <= 0 else hidden'),
    ]),
    ('models/network/config.py', 'a head of 0 classes adds (hidden + 1) x 0 = 0 weights', [
        ('core/NumberReplacer', 'if n_classes > 0:', 'if n_classes > -1:'),
        (CMP + 'Gt_GtE', 'if n_classes > 0:', 'if n_classes >= 0:'),
    ]),
    ('models/rasters/band_matching.py', 'the centres are sorted: a span is never negative, and where it is 0 (two bands of one centre) the target is that centre, so (t - c) / 1 = 0', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'weight = np.where(span > 0, (targets - centres[lower]) / np.where(span > 0, span, 1), 0)',  # noqa: E501 (a mutated line, verbatim)
         'weight = np.where(span > -1, (targets - centres[lower]) / np.where(span > 0, span, 1), 0)'),  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Gt_NotEq', _WEIGHT, _WEIGHT.replace('/ np.where(span > 0', '/ np.where(span != 0')),
        (CMP + 'Gt_NotEq', _WEIGHT, _WEIGHT.replace('np.where(span > 0, (', 'np.where(span != 0, (')),  # noqa: E501
        (CMP + 'Gt_GtE', _WEIGHT, _WEIGHT.replace('np.where(span > 0, (', 'np.where(span >= 0, (')),
        ('core/NumberReplacer', _WEIGHT, _WEIGHT.replace('span, 1), 0)', 'span, 2), 0)')),
    ]),
    ('models/rasters/band_matching.py', 'a set is never longer than the list it is made of', [
        (CMP + 'NotEq_Lt', 'shared = len(set(read)) != len(read)',
         'shared = len(set(read)) < len(read)'),
    ]),
    ('models/rasters/band_matching.py', 'targets past the last centre are refused first: searchsorted never passes len - 1', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', _UPPER, _UPPER.replace('len(good) - 1', 'len(good) - 0')),
        ('core/ReplaceBinaryOperator_Sub_Add', _UPPER,
         _UPPER.replace('len(good) - 1', 'len(good) + 1')),
        ('core/ReplaceBinaryOperator_Sub_Mul', _UPPER,
         _UPPER.replace('len(good) - 1', 'len(good) * 1')),
        ('core/ReplaceBinaryOperator_Sub_FloorDiv', _UPPER,
         _UPPER.replace('len(good) - 1', 'len(good) // 1')),
        ('core/ReplaceBinaryOperator_Sub_Pow', _UPPER,
         _UPPER.replace('len(good) - 1', 'len(good) ** 1')),
    ]),
    ('models/rasters/band_matching.py', 'without a good band the offset stays above the tolerance by any amount', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'offset = tolerance + 1.0', 'offset = tolerance + 2.0'),
    ]),
    ('models/rasters/band_matching.py', 'no model band makes highest -1 or 0 alike: neither passes a band count', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'highest = max((int(b) for b in model_bands), default=0)',
         'highest = max((int(b) for b in model_bands), default= -1)'),
    ]),
    ('models/rasters/band_matching.py', 'reached only where count != raster_band_count', [
        (CMP + 'Lt_LtE',
         'has = f"has only {count} band(s)" if count < raster_band_count else f"has {count} bands"',  # noqa: E501 (a mutated line, verbatim)
         'has = f"has only {count} band(s)" if count <= raster_band_count else f"has {count} bands"'),  # noqa: E501 (a mutated line, verbatim)
    ]),
    ('models/rasters/band_matching.py', 'on boolean arrays | and + give the same booleans', [
        ('core/ReplaceBinaryOperator_BitOr_Add',
         'outside = targets[(targets < centres[0]) | (targets > centres[-1])]',
         'outside = targets[(targets < centres[0]) + (targets > centres[-1])]'),
    ]),
    ('models/rasters/band_matching.py', 'the weights lie in [0, 1]: none is negative', [
        (CMP + 'Gt_NotEq', 'for p, w in ((low, 1.0 - share), (high, share)) if w > 0]',
         'for p, w in ((low, 1.0 - share), (high, share)) if w != 0]'),
    ]),
    ('models/training/band_choice.py', 'the bands without data are some of the bands used: never more', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Lt_NotEq', 'if empty and len(empty) < len(choice.used):',
         'if empty and len(empty) != len(choice.used):'),
    ]),
    ('models/engine/inference.py', 'next_row only takes values min(height, ...): it never passes height', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Lt_NotEq', 'while next_row < height and (', 'while next_row != height and ('),
    ]),
    ('models/engine/inference.py', 'next_row ends as min(height, ...), which returns the height object itself (its first argument on a tie): is not agrees with <', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Lt_IsNot', 'while next_row < height and (', 'while next_row is not height and ('),
    ]),
    ('models/engine/lop.py', 'halo is 0 for size 1 or 0 passes (and check_lop refuses sizes below 1): the guard only skips a call', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Gt_NotEq', _REACH, _REACH.replace('self.size > 1', 'self.size != 1')),
        ('core/ReplaceAndWithOr', _REACH, _REACH.replace(' and ', ' or ')),
        ('core/NumberReplacer', _REACH,
         _REACH.replace('self.iterations > 0', 'self.iterations > -1')),
        (CMP + 'Gt_GtE', _REACH, _REACH.replace('self.iterations > 0', 'self.iterations >= 0')),
        (CMP + 'Gt_NotEq', _REACH, _REACH.replace('self.iterations > 0', 'self.iterations != 0')),
        ('core/NumberReplacer', _REACH, _REACH.replace('self.size > 1', 'self.size > 2')),
        ('core/NumberReplacer', _REACH, _REACH.replace('self.size > 1', 'self.size > 0')),
        (CMP + 'Gt_GtE', _REACH, _REACH.replace('self.size > 1', 'self.size >= 1')),
    ]),
    ('models/engine/tiles.py', 'row never drops below start (next_row only grows); at row == start the move is by 0 rows', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'LtE_Is', 'if row <= self.start:', 'if row is self.start:'),
        (CMP + 'LtE_Lt', 'if row <= self.start:', 'if row < self.start:'),
        (CMP + 'LtE_Eq', 'if row <= self.start:', 'if row == self.start:'),
    ]),
    ('models/engine/inference.py', 'the buffer forgets rows before max(-1, ...) = max(0, ...): rows never drop below 0', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'buffer.forget_before(max(0, next_row - reach))',
         'buffer.forget_before(max( -1, next_row - reach))'),
    ]),
    ('models/engine/tiles.py', 'the step only sizes the copies: the rows moved are the same for any step', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'def move_rows(buffer: np.ndarray, shift: int, count: int, step: int = 16) -> None:',
         'def move_rows(buffer: np.ndarray, shift: int, count: int, step: int = 17) -> None:'),
        ('core/NumberReplacer',
         'def move_rows(buffer: np.ndarray, shift: int, count: int, step: int = 16) -> None:',
         'def move_rows(buffer: np.ndarray, shift: int, count: int, step: int = 15) -> None:'),
    ]),
    ('models/engine/inference.py', 'perf_counter advances during a run: the seconds are never 0', [
        (CMP + 'Gt_GtE', 'pixels_per_second=total / seconds if seconds > 0 else float("inf"),',
         'pixels_per_second=total / seconds if seconds >= 0 else float("inf"),'),
        ('core/NumberReplacer',
         'pixels_per_second=total / seconds if seconds > 0 else float("inf"),',
         'pixels_per_second=total / seconds if seconds > -1 else float("inf"),'),
        (CMP + 'Gt_NotEq',
         'pixels_per_second=total / seconds if seconds > 0 else float("inf"),',
         'pixels_per_second=total / seconds if seconds != 0 else float("inf"),'),
    ]),
    ('models/engine/inference.py', "flushing GDAL's block cache changes what stays in memory, not what is read", [  # noqa: E501 (a mutated line, verbatim)
        ('core/AddNot', 'if strip.ends_blocks:', 'if not strip.ends_blocks:'),
    ]),
    ('models/engine/inference.py', 'a larger row buffer (2 ** reach, 3 reach >= 2 reach) holds the same rows', [  # noqa: E501 (a mutated line, verbatim)
        ('core/ReplaceBinaryOperator_Mul_Pow',
         'buffer = RowBuffer(len(classes), width, tile_rows + 2 * reach + strips.rows)',
         'buffer = RowBuffer(len(classes), width, tile_rows + 2 ** reach + strips.rows)'),
        ('core/NumberReplacer',
         'buffer = RowBuffer(len(classes), width, tile_rows + 2 * reach + strips.rows)',
         'buffer = RowBuffer(len(classes), width, tile_rows + 3 * reach + strips.rows)'),
    ]),
    ('models/engine/tiles.py', "a tile's larger row buffer (y1 + y0 >= y1 - y0) holds the same rows", [  # noqa: E501 (a mutated line, verbatim)
        ('core/ReplaceBinaryOperator_Sub_Add',
         'buffer = RowBuffer(fusion.n_classes, x1 - x0, y1 - y0)',
         'buffer = RowBuffer(fusion.n_classes, x1 - x0, y1 + y0)'),
    ]),
    ('models/engine/inference.py', 'perf_counter() % started is the time since started while that is under started (seconds since boot)', [  # noqa: E501 (a mutated line, verbatim)
        ('core/ReplaceBinaryOperator_Sub_Mod', 'seconds = time.perf_counter() - started',
         'seconds = time.perf_counter() % started'),
    ]),
    ('models/engine/inference.py', 'a tile written one row later: the same rows; the buffer then keeps at most OUTPUT_TILE + 2 reach + a strip, exactly its room', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'GtE_Gt', 'or buffer.end >= min(height, next_row + tile_rows) + reach',
         'or buffer.end > min(height, next_row + tile_rows) + reach'),
    ]),
    ('models/engine/inference.py',
     'the buffer holds no row past the raster: end never passes height', [
        (CMP + 'Eq_GtE', 'buffer.end == height', 'buffer.end >= height'),
    ]),
    ('models/engine/tiles.py', "a wider tile buffer adds columns without a valid pixel: the LOP weighs valid pixels only, as at the image's edge", [  # noqa: E501 (a mutated line, verbatim)
        ('core/ReplaceBinaryOperator_Sub_Add',
         'buffer = RowBuffer(fusion.n_classes, x1 - x0, y1 - y0)',
         'buffer = RowBuffer(fusion.n_classes, x1 + x0, y1 - y0)'),
    ]),
    (SMOOTHING, 'a set of the n values has at most n members: != means <', [
        (CMP + 'NotEq_Lt', 'if len(set(values)) != n:', 'if len(set(values)) < n:'),
    ]),
    (SMOOTHING, "LopSettings admits 'uniform', 'gaussian' and 'edge': only 'edge' sorts at or before 'edge'", [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Eq_LtE', 'if lop.weights == "edge":', 'if lop.weights <= "edge":'),
    ]),
    (SMOOTHING, 'one row is read: row 0 is row -1', [
        ('core/NumberReplacer', 'keep = cols[valid[0, cols]]', 'keep = cols[valid[ -1, cols]]'),
        ('core/NumberReplacer', 'pixels.append(block[0, keep])',
         'pixels.append(block[ -1, keep])'),
    ]),
    (SMOOTHING, "on booleans * is 'and', and x // y is x where y is true and 0 where it is false: 'and' again", [  # noqa: E501 (a mutated line, verbatim)
        ('core/ReplaceBinaryOperator_BitAnd_Mul',
         '& (sample <= 1 + PROBABILITY_TOLERANCE), axis=1)',
         '* (sample <= 1 + PROBABILITY_TOLERANCE), axis=1)'),
        ('core/ReplaceBinaryOperator_BitAnd_FloorDiv',
         '& (sample <= 1 + PROBABILITY_TOLERANCE), axis=1)',
         '// (sample <= 1 + PROBABILITY_TOLERANCE), axis=1)'),
        ('core/ReplaceBinaryOperator_BitAnd_Mul',
         'good = in_range & (np.abs(sums - 1) <= tolerance)',
         'good = in_range * (np.abs(sums - 1) <= tolerance)'),
    ]),
    (SMOOTHING, "on booleans + is 'or'", [
        ('core/ReplaceBinaryOperator_BitOr_Add',
         'outside = np.any((sample < -PROBABILITY_TOLERANCE) | (sample > 1 + PROBABILITY_TOLERANCE),',  # noqa: E501 (a mutated line, verbatim)
         'outside = np.any((sample < -PROBABILITY_TOLERANCE) + (sample > 1 + PROBABILITY_TOLERANCE),'),  # noqa: E501 (a mutated line, verbatim)
    ]),
    (SMOOTHING, 'all values equal the first exactly when they equal any one of them', [
        ('core/NumberReplacer', 'if np.all(filled == filled[0, 0]):',
         'if np.all(filled == filled[ -1, 0]):'),
        ('core/NumberReplacer', 'if np.all(filled == filled[0, 0]):',
         'if np.all(filled == filled[0, -1]):'),
    ]),
    (SMOOTHING, 'every value of filled is the same here (the line above)', [
        ('core/NumberReplacer', 'return float(filled[0, 0])', 'return float(filled[ -1, 0])'),
        ('core/NumberReplacer', 'return float(filled[0, 0])', 'return float(filled[0, -1])'),
    ]),
    (ASSESSMENT, "on booleans * is 'and'", [
        ('core/ReplaceBinaryOperator_BitAnd_Mul',
         'score[(producers == 0) & (users == 0)] = 0.0',
         'score[(producers == 0) * (users == 0)] = 0.0'),
        ('core/ReplaceBinaryOperator_BitAnd_Mul', 'hit = labelled & ~missing',
         'hit = labelled * ~missing'),
        ('core/ReplaceBinaryOperator_BitAnd_Mul', 'lost = labelled & missing',
         'lost = labelled * missing'),
    ]),
    (ASSESSMENT, 'accuracies are never negative; and where one is 0 and the other not, F1 is 0 already', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Eq_LtE', 'score[(producers == 0) & (users == 0)] = 0.0',
         'score[(producers <= 0) & (users == 0)] = 0.0'),
        (CMP + 'Eq_LtE', 'score[(producers == 0) & (users == 0)] = 0.0',
         'score[(producers == 0) & (users <= 0)] = 0.0'),
        (CMP + 'Eq_GtE', 'score[(producers == 0) & (users == 0)] = 0.0',
         'score[(producers >= 0) & (users == 0)] = 0.0'),
        (CMP + 'Eq_GtE', 'score[(producers == 0) & (users == 0)] = 0.0',
         'score[(producers == 0) & (users >= 0)] = 0.0'),
    ]),
    (ASSESSMENT, 'pixel counts are never negative', [
        (CMP + 'Gt_NotEq', 'present = self.reference_totals > 0',
         'present = self.reference_totals != 0'),
        (CMP + 'Eq_LtE', 'if n == 0:', 'if n <= 0:'),
        (CMP + 'Gt_NotEq',
         'np.divide(numerator, denominator, out=out, where=denominator > 0)',
         'np.divide(numerator, denominator, out=out, where=denominator != 0)'),
        ('core/NumberReplacer',
         'np.divide(numerator, denominator, out=out, where=denominator > 0)',
         'np.divide(numerator, denominator, out=out, where=denominator > -1)'),
    ]),
    (ASSESSMENT, 'a count of 0 has a numerator of 0: 0 / 0 is NaN, as the NaN it leaves', [
        (CMP + 'Gt_GtE',
         'np.divide(numerator, denominator, out=out, where=denominator > 0)',
         'np.divide(numerator, denominator, out=out, where=denominator >= 0)'),
    ]),
    (ASSESSMENT, 'the chance agreement is a sum of products of shares: never above 1', [
        (CMP + 'Eq_GtE', 'if chance == 1.0:  # one class in the reference and the map alike: all agree',  # noqa: E501 (a mutated line, verbatim)
         'if chance >= 1.0:  # one class in the reference and the map alike: all agree'),
    ]),
    (ASSESSMENT, 'the Wilson interval lies within 0-1: the clamps only round away float noise at p = 0 or 1', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'return max(0.0, centre - half), min(1.0, centre + half)',
         'return max( -1.0, centre - half), min(1.0, centre + half)'),
        ('core/NumberReplacer', 'return max(0.0, centre - half), min(1.0, centre + half)',
         'return max(0.0, centre - half), min( 2.0, centre + half)'),
    ]),
    (AREA_ESTIMATES, "on booleans * is 'and', and x // y is x where y is true and 0 where it is false: 'and' again", [  # noqa: E501 (a mutated line, verbatim)
        ('core/ReplaceBinaryOperator_BitAnd_Mul',
         'matrix = np.array([[ratio(((mapped == i) & (truth == j)).astype(float), one).estimate',
         'matrix = np.array([[ratio(((mapped == i) * (truth == j)).astype(float), one).estimate'),
        ('core/ReplaceBinaryOperator_BitAnd_FloorDiv',
         'matrix = np.array([[ratio(((mapped == i) & (truth == j)).astype(float), one).estimate',
         'matrix = np.array([[ratio(((mapped == i) // (truth == j)).astype(float), one).estimate'),  # noqa: E501 (a mutated line, verbatim)
        ('core/ReplaceBinaryOperator_BitAnd_Mul',
         'hit = ((mapped == k) & (truth == k)).astype(float)',
         'hit = ((mapped == k) * (truth == k)).astype(float)'),
        ('core/ReplaceBinaryOperator_BitAnd_FloorDiv',
         'hit = ((mapped == k) & (truth == k)).astype(float)',
         'hit = ((mapped == k) // (truth == k)).astype(float)'),
    ]),
    (AREA_ESTIMATES, "estimate_area_and_accuracy admits the four DESIGNS: of those still possible at each test only the one named sorts so", [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Eq_GtE', 'if design == "stratified":', 'if design >= "stratified":'),
        (CMP + 'Eq_GtE', 'if design == "strata":', 'if design >= "strata":'),
        (CMP + 'Eq_LtE', 'if design == "clusters":', 'if design <= "clusters":'),
        (CMP + 'Eq_GtE', 'strata = mapped if design == "stratified" else (',
         'strata = mapped if design >= "stratified" else ('),
        (CMP + 'Eq_GtE', 'np.asarray(sample.strata).astype(np.int64) if design == "strata"',
         'np.asarray(sample.strata).astype(np.int64) if design >= "strata"'),
    ]),
    (AREA_ESTIMATES, "the sampled strata's pixels are among the map's: the total is never more", [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Lt_NotEq', 'if total_area < map_total:', 'if total_area != map_total:'),
    ]),
    (AREA_ESTIMATES, "of the DESIGNS only 'stratified' sorts at or after 'stratified'", [
        (CMP + 'Eq_GtE',
         'unsampled = {k for k in classes if design == "stratified" and map_pixels.get(k, 0) > 0',  # noqa: E501 (a mutated line, verbatim)
         'unsampled = {k for k in classes if design >= "stratified" and map_pixels.get(k, 0) > 0'),  # noqa: E501 (a mutated line, verbatim)
    ]),
    (AREA_ESTIMATES, 'pixel counts are never negative, and a class the map lacks counts 0 or -1 alike', [  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Gt_NotEq',
         'unsampled = {k for k in classes if design == "stratified" and map_pixels.get(k, 0) > 0',  # noqa: E501 (a mutated line, verbatim)
         'unsampled = {k for k in classes if design == "stratified" and map_pixels.get(k, 0) != 0'),  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'unsampled = {k for k in classes if design == "stratified" and map_pixels.get(k, 0) > 0',  # noqa: E501 (a mutated line, verbatim)
         'unsampled = {k for k in classes if design == "stratified" and map_pixels.get(k, -1) > 0'),  # noqa: E501 (a mutated line, verbatim)
        (CMP + 'Gt_NotEq', 'if n == 0 and sizes[h] > 0:', 'if n == 0 and sizes[h] != 0:'),
    ]),
    (AREA_ESTIMATES, 'one stratum: its size cancels in the ratio and in its variance', [
        ('core/NumberReplacer', 'single, {0: 1.0})', 'single, {0: 2.0})'),
    ]),
    (AREA_ESTIMATES, 'a sample is not empty: one cluster or more', [
        (CMP + 'Gt_NotEq',
         'return estimate if len(clusters) > 1 else Estimate(estimate.estimate, None)',
         'return estimate if len(clusters) != 1 else Estimate(estimate.estimate, None)'),
    ]),
    (AREA_ESTIMATES, 'four arrays make a set of one shape or more', [
        (CMP + 'NotEq_Gt', 'if len(sizes) != 1 or len(next(iter(sizes))) != 1:',
         'if len(sizes) > 1 or len(next(iter(sizes))) != 1:'),
    ]),
    (AREA_ESTIMATES, 'unit counts, pixel counts and totals of 0/1 values are never negative', [
        (CMP + 'Eq_LtE', 'if n == 0 and sizes[h] > 0:', 'if n <= 0 and sizes[h] > 0:'),
        (CMP + 'LtE_Eq', 'if totals_x <= 0:', 'if totals_x == 0:'),
        (CMP + 'Gt_NotEq', 'if n > 1:', 'if n != 1:'),
    ]),
    (AREA_ESTIMATES, 'every stratum _ratio is given has units: the sampled ones, or all clusters', [
        (CMP + 'Eq_Lt', 'if n == 0:', 'if n < 0:'),
        (CMP + 'Eq_LtE', 'if n == 0:', 'if n <= 0:'),
        ('core/NumberReplacer', 'if n == 0:', 'if n == -1:'),
        ('core/ReplaceContinueWithBreak', 'continue', 'break'),
    ]),
    (ASSESSMENT_RASTERS, "on booleans + is 'or'", [
        ('core/ReplaceBinaryOperator_BitOr_Add',
         'missing = (block == 0) | ~np.isfinite(block)  # integers are all finite',
         'missing = (block == 0) + ~np.isfinite(block)  # integers are all finite'),
    ]),
    (ASSESSMENT_RASTERS, 'the strip height does not change the counts (tests read with 1, 2, 5 and 256 rows)', [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer', 'ROWS_PER_READ = 256', 'ROWS_PER_READ = 257'),
        ('core/NumberReplacer', 'ROWS_PER_READ = 256', 'ROWS_PER_READ = 255'),
    ]),
    (ASSESSMENT_RASTERS, "a default no reader sees: contested is read only from rasterise_reference's windows, which always give it", [  # noqa: E501 (a mutated line, verbatim)
        ('core/NumberReplacer',
         'contested: int = 0  # pixels that polygons of different classes claim (left out)',
         'contested: int = 1  # pixels that polygons of different classes claim (left out)'),
        ('core/NumberReplacer',
         'contested: int = 0  # pixels that polygons of different classes claim (left out)',
         'contested: int = -1  # pixels that polygons of different classes claim (left out)'),
    ]),
    (ASSESSMENT_RASTERS, 'a pixel has a size: max(|dx|, |dy|) is above 0 already', [
        ('core/NumberReplacer', 'tolerance = 1e-6 * max(abs(gt_a[1]), abs(gt_a[5]), 1e-12)',
         'tolerance = 1e-6 * max(abs(gt_a[1]), abs(gt_a[5]), -0.999999999999)'),
    ]),
    (ASSESSMENT_RASTERS, 'enumerate counts from 0: > 0 means != 0', [
        (CMP + 'Gt_NotEq', 'if name and value > 0:', 'if name and value != 0:'),
    ]),
    (ASSESSMENT_RASTERS, 'an alpha is 0-255: > 0 means != 0', [
        (CMP + 'Gt_NotEq', 'if a > 0:', 'if a != 0:'),
    ]),
    (ASSESSMENT_RASTERS, 'band 1 was read above: a raster here has one band or more', [
        (CMP + 'Gt_NotEq', 'if classification.RasterCount > 1:',
         'if classification.RasterCount != 1:'),
    ]),
    (ASSESSMENT_RASTERS, 'one band is read: index 0 is index -1', [
        ('core/NumberReplacer', 'raw = read_block(ref_dataset, 0, start, width, rows, [1])[0]',
         'raw = read_block(ref_dataset, 0, start, width, rows, [1])[ -1]'),
        ('core/NumberReplacer', 'window.row0 + start, width, rows, [1])[0]',
         'window.row0 + start, width, rows, [1])[ -1]'),
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
    parser.add_argument("--doc", default=str(DOC),
                        help="the document whose figures the run rewrites ('' for none)")
    parser.add_argument("--all-operators", action="store_true",
                        help="keep the bitwise, shift and matrix replacements too")
    parser.add_argument("--fail-under", type=float, default=90.0,
                        help="fail when the score (per cent) is below this")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    parser.add_argument("--count", action="store_true",
                        help="only count each target's mutants (no test runs, no doc)")
    parser.add_argument("--doc-only", action="store_true",
                        help="no run: rewrite the document's blocks from TARGETS, keeping "
                        "the figures it has")
    parser.add_argument("--rescore", metavar="RESULTS_JSON",
                        help="no run: report a results.json again with today's EQUIVALENT")
    args = parser.parse_args(argv)
    stale = stale_equivalents()
    if stale:
        print("mutation: EQUIVALENT entries that match no mutant (remove or update them):\n  "
              + "\n  ".join(stale), file=sys.stderr)
        return 2
    if args.doc_only:
        write_doc(Path(args.doc), [], 0.0, "--doc-only")
        return 0
    if args.rescore:
        saved = json.loads(Path(args.rescore).read_text())
        for result in saved["targets"]:
            rescore(result)
        if args.doc:
            write_doc(Path(args.doc), saved["targets"], saved["seconds"], saved.get("command"))
        return report(saved["targets"], Path(args.out), saved["seconds"], args.fail_under)
    targets = [t for t in TARGETS if not args.targets or t.name in args.targets]
    python = Path(args.python)
    if not python.exists():
        parser.error(f"no test Python at {python}: run `make setup` first")

    # a plain kill (SIGTERM) unwinds like Ctrl+C, so the temporary copy is removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    command = "scripts/mutation.py" + (
        " --targets " + " ".join(args.targets) if args.targets else "")
    # the commit and the state of each target's files as they are copied, not as they
    # are when its run ends (the checkout may move on meanwhile)
    commits = {target.name: commit_of(target) for target in targets}
    work = Path(tempfile.mkdtemp(prefix="crnn-mutation-"))
    print(f"mutation: copying the checkout into {work}", flush=True)
    results = []
    try:
        copy = work / "checkout"
        copy_tree(REPO, copy)
        for target in targets:
            result = run_target(target, copy, work, python, args.all_operators, args.count)
            if args.count:
                print(f"   {target.name}: {result['made']} mutants", flush=True)
                continue
            result.update(date=time.strftime("%Y-%m-%d %H:%M"), commit=commits[target.name])
            results.append(result)
            seconds = round(time.monotonic() - started, 1)
            Path(args.out).mkdir(parents=True, exist_ok=True)  # so far, should a later fail
            (Path(args.out) / "results.json").write_text(json.dumps(
                {"seconds": seconds, "command": command, "targets": results}))
            if args.doc:  # each target as it ends: a later one's failure keeps its figures
                write_doc(Path(args.doc), [result], seconds, command)
    finally:
        if args.keep:
            print(f"mutation: the copy is kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.count:
        return 0
    seconds = time.monotonic() - started
    return report(results, Path(args.out), seconds, args.fail_under)


def commit_of(target: Target) -> str:
    """HEAD's short hash, "+wt" when the module or its tests had uncommitted changes."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, check=True,
                          capture_output=True, text=True).stdout.strip()
    paths = [target.module] + sorted({t.split("::")[0] for t in target.tests
                                      if t.startswith("tests/")})
    changed = subprocess.run(["git", "status", "--porcelain", "--"] + paths, cwd=REPO,
                             check=True, capture_output=True, text=True).stdout.strip()
    return head + ("+wt" if changed else "")


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


def _definitions(tree: ast.AST) -> Dict[str, ast.AST]:
    return {node.name: node for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def selected_lines(path: Path, parts: Sequence[str]) -> Optional[List[Tuple[int, int]]]:
    """Line ranges of the selected parts of a module, or None for the whole module."""
    if not parts:
        return None
    source = path.read_text()
    tree = ast.parse(source)
    functions = _definitions(tree)
    ranges = []
    for part in parts:
        name, _, mention = part.partition(":")
        if name not in functions:
            raise SystemExit(f"mutation: {path} has no function or class {name}: "
                             "update TARGETS")
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


def left_out_lines(path: Path, left_out: Dict[str, str]) -> List[Tuple[int, int]]:
    """Line ranges of the definitions a target leaves out."""
    functions = _definitions(ast.parse(path.read_text()))
    missing = sorted(set(left_out) - set(functions))
    if missing:
        raise SystemExit(f"mutation: {path} has no function or class {', '.join(missing)}: "
                         "update TARGETS")
    return [(functions[name].lineno, functions[name].end_lineno) for name in left_out]


def _normalised(source: str) -> str:
    return " ".join(line.strip() for line in source.splitlines())


def stale_equivalents(root: Path = REPO) -> List[str]:
    """EQUIVALENT entries that no mutant can match: their module is no target, or their
    original line is no longer in it (the code moved on; the entry must go or change)."""
    modules = {target.module for target in TARGETS}
    sources: Dict[str, str] = {}
    stale = []
    for module, operator, before, _after in EQUIVALENT:
        if module not in modules:
            stale.append(f"{module}: no target mutates it: {before!r}")
            continue
        if module not in sources:
            sources[module] = _normalised((root / module).read_text())
        if before.strip() not in sources[module]:
            stale.append(f"{module} {operator}: no longer in the module: {before!r}")
    return stale


def run_target(target: Target, copy: Path, work: Path, python: Path,
               all_operators: bool, count_only: bool = False) -> dict:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    tests = [t for t in target.tests  # options, and the test files of this checkout
             if not t.startswith("tests/") or (copy / t.split("::")[0]).exists()]
    command = f"{python} {PYTEST} {shlex.join(tests)}"
    print(f"\n== {target.name}: {target.module} {list(target.parts) or '(whole module)'}",
          flush=True)
    print(f"   tests: {command}", flush=True)
    baseline = 0.0
    if not count_only:
        baseline = time.monotonic()
        run = subprocess.run(shlex.split(command), cwd=copy, capture_output=True, text=True)
        baseline = time.monotonic() - baseline
        if run.returncode != 0:
            raise SystemExit(
                f"mutation: the tests fail without any mutant:\n{run.stdout[-3000:]}")
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
    outside = left_out_lines(copy / target.module, target.left_out)
    excluded = None if all_operators else re.compile(EXCLUDED_OPERATORS)
    with use_db(str(session), WorkDB.Mode.open) as db:
        skipped = []
        for item in db.pending_work_items:
            mutation = item.mutations[0]
            inside = (ranges is None or any(
                mutation.start_pos[0] <= end and start <= mutation.end_pos[0]
                for start, end in ranges)) and not any(
                start <= mutation.start_pos[0] and mutation.end_pos[0] <= end
                for start, end in outside)
            if not inside or (excluded and excluded.match(mutation.operator_name)):
                skipped.append(item.job_id)
        if skipped:
            db.set_multiple_results(skipped, WorkResult(
                output="not selected", worker_outcome=WorkerOutcome.SKIPPED))
        total = db.num_work_items - len(skipped)
    print(f"   {total} mutants", flush=True)
    if count_only:
        return {"name": target.name, "made": total}

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
               "survivors": [], "killed_equivalents": []}
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
                key = (target.module, mutation.operator_name) + changed_lines(result.diff)
                if key in EQUIVALENT:  # a test sees it: it is no equivalent
                    outcome["killed_equivalents"].append(" / ".join(key))
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
    matched = {(target.module, s["operator"], s["before"], s["after"])
               for s in outcome["survivors"] if s["equivalent"]}
    unmatched = [key for key in EQUIVALENT if key[0] == target.module and key not in matched]
    for key in unmatched:
        print(f"mutation: WARNING: EQUIVALENT entry matched no survivor: {' / '.join(key)}",
              flush=True)
    for key in outcome["killed_equivalents"]:
        print(f"mutation: WARNING: EQUIVALENT entry killed by a test: {key}", flush=True)
    return outcome


# docs/testing.md's generated blocks: what each target mutates, the figures of each
# target's last run and its survivors. Each block sits between its two markers; the run
# rewrites the rows of the targets it ran and keeps the others' (with their own dates).
BLOCKS = ("targets", "figures", "survivors")
COLUMNS = ("made", "killed", "timeouts", "survived", "equivalent")


def markers(block: str) -> Tuple[str, str]:
    return (f"<!-- mutation-{block}: written by scripts/mutation.py, not by hand -->",
            f"<!-- mutation-{block} end -->")


def doc_block(text: str, block: str) -> str:
    """The text between a block's markers."""
    begin, end = markers(block)
    if text.count(begin) != 1 or text.count(end) != 1:
        raise SystemExit(f"mutation: the document needs each of {begin} and {end} once")
    return text.split(begin)[1].split(end)[0]


def _replace_block(text: str, block: str, content: str) -> str:
    begin, end = markers(block)
    doc_block(text, block)
    head, rest = text.split(begin)
    return head + begin + "\n" + content.strip("\n") + "\n" + end + rest.split(end)[1]


def _code(text: str) -> str:
    return "`` " + text + " ``" if "`" in text else "`" + text + "`"


def targets_table() -> str:
    """What each target mutates, what it leaves out and why, and its tests."""
    lines = ["| target | mutated | left out (why) | tests |", "| --- | --- | --- | --- |"]
    for target in TARGETS:
        mutated = _code(target.module) + (
            ": " + ", ".join(_code(p) for p in target.parts) if target.parts else " (all)")
        reasons: Dict[str, List[str]] = {}
        for name, why in target.left_out.items():
            reasons.setdefault(why, []).append(_code(name))
        left = "; ".join(f"{', '.join(names)}: {why}" for why, names in reasons.items())
        if target.parts and not target.left_out:
            left = "the rest of the module"
        tests = " ".join(t.replace("tests/", "") for t in target.tests)
        lines.append(f"| {target.name} | {mutated} | {left or '-'} | {tests} |")
    return "\n".join(lines)


FIGURES_HEADER = ("| target | date | commit | minutes | made | killed | timeouts | survived "
                  "| equivalent | score |")


def _rows(block: str) -> Dict[str, List[str]]:
    rows = {}
    for line in block.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] not in ("target", "---") \
                and not cells[0].startswith("**all**"):
            rows[cells[0]] = cells
    return rows


def figures_rows(text: str) -> Dict[str, List[str]]:
    """The figures table's rows by target name (cells as written)."""
    return _rows(doc_block(text, "figures"))


def figures_table(rows: Dict[str, List[str]]) -> str:
    lines = [FIGURES_HEADER, "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    totals = dict.fromkeys(COLUMNS, 0)
    ran = 0
    for target in TARGETS:
        cells = rows.get(target.name)
        if not cells or cells[1] == "not run":
            lines.append(f"| {target.name} | not run | | | | | | | | |")
            continue
        ran += 1
        for i, key in enumerate(COLUMNS):
            totals[key] += int(cells[4 + i])
        lines.append("| " + " | ".join(cells) + " |")
    if ran:
        counted = totals["made"] - totals["equivalent"]
        killed = totals["killed"] + totals["timeouts"]
        share = 100.0 * totals["equivalent"] / totals["made"] if totals["made"] else 0.0
        lines.append(f"| **all** ({ran} of {len(TARGETS)} targets) | | | | "
                     + " | ".join(f"**{totals[k]}**" for k in COLUMNS)
                     + f" | **{100.0 * killed / counted if counted else 100.0:.1f} %** |")
        lines += ["", f"Equivalents: {totals['equivalent']} of {totals['made']} mutants "
                  f"({share:.1f} %)."]
    return "\n".join(lines)


def figures_row(result: dict) -> List[str]:
    return [result["name"], result["date"], result["commit"],
            f"{result['seconds'] / 60:.1f}"] + [str(result[k]) for k in COLUMNS] + [
        f"{score(result):.1f} %"]


def survivors_sections(block: str) -> Dict[str, str]:
    sections: Dict[str, str] = {}
    name = None
    for line in block.splitlines():
        if line.startswith("#### "):
            name = line[5:].split()[0]
            sections[name] = ""
        elif name:
            sections[name] += line + "\n"
    return sections


def survivors_text(result: dict) -> str:
    lines = []
    for survivor in result["survivors"]:
        status = ("equivalent: " + survivor["equivalent"]) if survivor["equivalent"] \
            else "**survived**"
        lines.append(f"- line {survivor['line']} {survivor['operator'].split('/')[-1]}: "
                     f"{_code(survivor['before'])} -> {_code(survivor['after'])} ({status})")
    return "\n".join(lines) or "- none"


def write_doc(doc: Path, results: List[dict], seconds: float, command: Optional[str]) -> None:
    """Rewrite the document's generated blocks with these targets' results."""
    text = doc.read_text()
    text = _replace_block(text, "targets", targets_table())
    rows = figures_rows(text)
    sections = survivors_sections(doc_block(text, "survivors"))
    for result in results:
        rows[result["name"]] = figures_row(result)
        sections[result["name"]] = "\n" + survivors_text(result) + "\n\n"
    text = _replace_block(text, "figures", figures_table(rows))
    body = []
    for target in TARGETS:
        if target.name in sections and rows.get(target.name, ["", "not run"])[1] != "not run":
            row = rows[target.name]
            body.append(f"#### {target.name} ({row[1]}, {row[2]})\n"
                        + sections[target.name].rstrip("\n") + "\n")
    text = _replace_block(text, "survivors", "\n".join(body) or "Nothing run yet.")
    doc.write_text(text)
    print(f"mutation: {doc} rewritten ({command or 'rescore'}, {seconds / 60:.1f} min)",
          flush=True)


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
