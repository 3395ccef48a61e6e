"""crnn:trainclassify: train the CRNN and classify the same raster in one run."""

from __future__ import annotations

import dataclasses

from . import parameters as specs
from .base import CrnnAlgorithm
from .classify import (
    CLASSIFY_HELP,
    CLUSTER_SECTION,
    check_outputs,
    classify_from_parameters,
    read_request,
)
from .train import (
    TRAIN_HELP,
    TRAINING_SECTIONS,
    VALIDATION_ACCURACY,
    report_result,
    save_model_output,
    train_from_parameters,
)

OPTIONAL_MODEL = dataclasses.replace(
    specs.MODEL_OUTPUT,
    help="Optional: keep the trained model file to classify other rasters later.",
    optional=True, create_by_default=False)

TRAINING_SHARE = 80.0  # of the progress bar; classification takes the rest


class TrainClassifyAlgorithm(CrnnAlgorithm):
    group_id = "classification"
    group_name = "Classification"
    requires_scipy = True  # the LOP

    algorithm_id = "trainclassify"
    display_name = "Train and classify (one click)"
    help_intro = TRAIN_HELP
    help_outro = CLASSIFY_HELP
    sections = TRAINING_SECTIONS + [
        ("Bands", [specs.RESAMPLE_SPECTRA]),
        ("Network arithmetic", [specs.PRECISION]),
        ("Spatial fusion (LOP)", specs.LOP),
        ("Outputs", specs.CLASSIFICATION_OUTPUTS + [OPTIONAL_MODEL, specs.REPORT_OUTPUT]),
        CLUSTER_SECTION]
    results = [(VALIDATION_ACCURACY, "Validation accuracy", "number")]

    def process(self, run: specs.RunValues, context, feedback) -> dict:
        request = read_request(run)
        check_outputs(run, request.outputs)  # before training
        model = train_from_parameters(self, run, context, feedback, TRAINING_SHARE)
        results = {VALIDATION_ACCURACY: model.provenance.get("validation_accuracy")}
        if run[OPTIONAL_MODEL]:
            results[OPTIONAL_MODEL.key] = save_model_output(self, run, model)
        results.update(classify_from_parameters(self, run, context, feedback, model,
                                                request, TRAINING_SHARE))
        return report_result(run, results)
