"""crnn:trainclassify: train the CRNN and classify the same raster in one run."""

from __future__ import annotations

from qgis.core import QgsProcessingOutputNumber, QgsProcessingParameterFileDestination

from . import parameters as p
from .base import CrnnAlgorithm
from .classify import (
    CLASSIFY_HELP,
    OUTPUT_HELP,
    add_classification_outputs,
    check_lop_size,
    check_outputs,
    classify_from_parameters,
)
from .train import (
    INPUT_HELP,
    REPORT_HELP,
    TRAIN_HELP,
    add_report_output,
    add_training_inputs,
    model_output_path,
    report_result,
    save_model_output,
    train_from_parameters,
)

TRAINING_SHARE = 80.0  # of the progress bar; classification takes the rest


class TrainClassifyAlgorithm(CrnnAlgorithm):
    group_id = "classification"
    group_name = "Classification"
    requires_scipy = True  # the LOP

    def name(self) -> str:
        return "trainclassify"

    def displayName(self) -> str:
        return self.tr("Train and classify (one click)")

    def shortHelpString(self) -> str:
        return p.help_text(
            TRAIN_HELP + "<br><br>" + CLASSIFY_HELP,
            [("Sampling", p.SAMPLING), ("Training", p.TRAINING),
             ("Network (advanced)", p.NETWORK), ("Spatial fusion (LOP)", p.LOP)],
            extra=INPUT_HELP + OUTPUT_HELP + [
                ("OUTPUT_MODEL", "Optional: keep the trained model file to classify other "
                                 "rasters later."), REPORT_HELP])

    def initAlgorithm(self, config=None) -> None:
        add_training_inputs(self)
        add_classification_outputs(self)
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT_MODEL", self.tr("Model file"), self.tr("CRNN model (*.crnn)"), None, True,
            False))
        add_report_output(self)
        self.addOutput(QgsProcessingOutputNumber("VALIDATION_ACCURACY",
                                                 self.tr("Validation accuracy")))

    def checkParameterValues(self, parameters, context):
        return check_lop_size(self, parameters, context) or super().checkParameterValues(
            parameters, context)

    def processAlgorithm(self, parameters, context, feedback):
        check_outputs(self, parameters, context)  # before training, not after
        if self.parameterAsFileOutput(parameters, "OUTPUT_MODEL", context):
            model_output_path(self, parameters, context)
        model = train_from_parameters(self, parameters, context, feedback, TRAINING_SHARE)
        results = {"VALIDATION_ACCURACY": model.provenance.get("validation_accuracy")}
        if self.parameterAsFileOutput(parameters, "OUTPUT_MODEL", context):
            results["OUTPUT_MODEL"] = save_model_output(self, parameters, context, model)
        device = self.parameterAsEnumString(parameters, "DEVICE", context)
        results.update(classify_from_parameters(self, parameters, context, feedback, model,
                                                device, TRAINING_SHARE))
        return report_result(self, parameters, context, results)
