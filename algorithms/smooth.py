"""crnn:smooth: LOP fusion of an existing class-probability raster."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
)

from ..models.common.classes import ClassInfo
from ..models.common.palette import class_colour
from . import parameters as specs
from .base import CrnnAlgorithm
from .classify import map_results, read_lop, read_outputs
from .styling import style_output

SMOOTH_HELP = (
    "Applies the linear opinion pool (LOP) to a class-probability raster, ours or another "
    "tool's (one band per class, e.g. a random forest's or an SVM's posteriors): each "
    "pixel's posterior becomes the weighted mean of its neighbours', then the most probable "
    "class is mapped. Band k is class k (1..K); band descriptions become class names. "
    "The 'edge' weighting needs the spectra, so use it while classifying instead."
)


PROBABILITIES = specs.Spec("PROBABILITIES", "Class probabilities (one band per class)",
                           "The class-probability raster.", "raster")


class SmoothAlgorithm(CrnnAlgorithm):
    group_id = "classification"
    group_name = "Classification"
    requires_torch = False
    requires_scipy = True  # the LOP

    algorithm_id = "smooth"
    display_name = "Smooth class probabilities (LOP)"
    help_intro = SMOOTH_HELP
    sections = [("Inputs", [PROBABILITIES]), ("Spatial fusion (LOP)", specs.LOP),
                ("Outputs", specs.SMOOTHING_OUTPUTS)]

    def checkParameterValues(self, parameters, context):
        ok, message = super().checkParameterValues(parameters, context)  # whole numbers first
        if not ok:
            return ok, message
        if specs.parameter_as_choice(self, parameters, specs.LOP_WEIGHTS_SPEC.key,
                                     context) == "edge":
            return False, self.tr("The 'edge' LOP needs the spectra: choose 'uniform' or "
                                  "'gaussian', or use it in 'Classify with CRNN'.")
        return True, ""

    def process(self, run: specs.RunValues, context, feedback) -> dict:
        from ..models.engine.request import ClassificationRequest
        from ..models.engine.smoothing import BandClasses, smooth_probabilities

        layer = run[PROBABILITIES]
        if layer is None:
            raise QgsProcessingException(self.tr("The probability raster could not be read."))
        outputs = read_outputs(run)
        colours = [class_colour(k) for k in range(layer.bandCount())]
        summary = smooth_probabilities(layer.source(),
                                       ClassificationRequest(outputs, read_lop(run)),
                                       BandClasses(colours=colours), self.hooks(feedback))
        feedback.pushInfo(summary.report())
        classes = [ClassInfo(value, name, colours[k])
                   for k, (value, name) in enumerate(sorted(summary.class_names.items()))]
        style_output(context, outputs.class_raster, classes, feedback.pushInfo)
        return map_results(outputs)
