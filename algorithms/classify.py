"""crnn:classify: raster + model file -> classified GeoTIFF with LOP fusion."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from qgis.core import (
    QgsProcessingException,
)

from ..models.common.callbacks import Hooks
from ..models.common.errors import CrnnError
from ..models.network.modelfile import CrnnModel
from . import parameters as specs
from .base import CrnnAlgorithm
from .styling import style_output

if TYPE_CHECKING:  # the engine needs SciPy (checked before a run): imported in functions
    from ..models.engine.lop import LopSettings
    from ..models.engine.request import ClassificationRequest, OutputPaths

CLASSIFY_HELP = (
    "Classifies every pixel of the raster with a trained CRNN, then fuses the class "
    "posteriors of neighbouring pixels with a linear opinion pool (LOP): a pixel's "
    "posterior becomes the weighted mean of its neighbours' posteriors, which removes "
    "salt-and-pepper noise since neighbours tend to share a class. The raster is read "
    "block by block, so any size works in bounded memory; pixels with nodata in any used "
    "band stay nodata and do not vote."
)

DASK_SCHEDULER = specs.Spec(
    "DASK_SCHEDULER", "Dask scheduler (big jobs)",
    "Optional: the address of a running Dask scheduler, e.g. tcp://192.168.1.10:8786. The "
    "raster is then classified in tiles on the cluster's workers, which read it under the "
    "same path (a shared folder, or a GDAL path such as /vsis3/...) and need the plugin, "
    "torch and GDAL (docs/scaling.md); the map is the same. Empty: on this computer.",
    "string", "", advanced=True, optional=True)
CLUSTER_SECTION = ("Cluster (advanced)", [DASK_SCHEDULER])
OUTPUT_KEYS = ("OUTPUT", "OUTPUT_PROBABILITIES", "OUTPUT_CONFIDENCE")


def read_outputs(algorithm, parameters, context) -> OutputPaths:
    """The class raster, probabilities and confidence outputs (None: not asked for)."""
    from ..models.engine.request import OutputPaths

    output, probabilities, confidence = (
        algorithm.parameterAsOutputLayer(parameters, key, context) for key in OUTPUT_KEYS)
    return OutputPaths(output, probabilities or None, confidence or None)


def read_lop(algorithm, parameters, context) -> LopSettings:
    """The LOP parameters (specs.LOP) as the engine's ``LopSettings``."""
    from ..models.engine.lop import LopSettings

    values = specs.read_parameters(algorithm, specs.LOP, parameters, context)
    return LopSettings(values["LOP_SIZE"], values["LOP_WEIGHTS"], values["LOP_ITERATIONS"])


def read_request(algorithm, parameters, context) -> ClassificationRequest:
    """The classification request of the algorithm's parameters, read once: outputs, LOP,
    device, precision, resampling of spectra."""
    from ..models.engine.request import ClassificationRequest

    try:
        return ClassificationRequest(
            read_outputs(algorithm, parameters, context),
            read_lop(algorithm, parameters, context),
            device=specs.parameter_as_choice(algorithm, parameters, "DEVICE", context),
            precision=specs.parameter_as_choice(algorithm, parameters, "PRECISION", context),
            resample_spectra=algorithm.parameterAsBoolean(parameters, "RESAMPLE_SPECTRA",
                                                          context))
    except CrnnError as exc:
        raise QgsProcessingException(str(exc)) from None


def check_outputs(algorithm, parameters, context, outputs: OutputPaths) -> None:
    """The output paths, checked before any work (trainclassify would train first)."""
    from ..models.engine.outputs import check_output_paths

    layer = algorithm.parameterAsRasterLayer(parameters, "INPUT", context)
    try:
        check_output_paths(layer.source() if layer is not None else "", outputs)
    except CrnnError as exc:
        raise QgsProcessingException(str(exc)) from None


def classify_from_parameters(algorithm, parameters, context, feedback, model: CrnnModel,
                             request: ClassificationRequest,
                             progress_start: float = 0.0) -> dict:
    """Run the streaming classifier (or the Dask engine, where a scheduler is given) on
    the INPUT raster with the request read from the algorithm's parameters."""
    from ..models.engine.inference import classify_raster

    tr = algorithm.tr
    layer = algorithm.parameterAsRasterLayer(parameters, "INPUT", context)
    if layer is None:
        raise QgsProcessingException(tr("The input raster could not be read."))
    outputs = request.outputs
    for path in (outputs.class_raster, outputs.probabilities, outputs.confidence):
        if path and not path.lower().endswith((".tif", ".tiff")):
            raise QgsProcessingException(tr(
                "Outputs are written as GeoTIFF: give '{path}' a .tif extension.").format(
                    path=path))
    window = model.network.input_window
    if window > 1:
        feedback.pushInfo(tr(
            "The model reads the mean spectrum of the {w}x{w} pixels around each pixel "
            "(spectral-spatial input option).").format(w=window))
    share = 100.0 - progress_start
    engine = classify_raster
    scheduler = algorithm.parameterAsString(parameters, "DASK_SCHEDULER", context).strip()
    if scheduler:
        from ..models.engine.cluster import ClusterSettings, classify_raster_on_cluster
        from .torch_check import require

        require("distributed")
        engine = functools.partial(classify_raster_on_cluster,
                                   cluster=ClusterSettings(scheduler))
    hooks = Hooks(
        progress=lambda fraction: feedback.setProgress(progress_start + share * fraction),
        is_cancelled=feedback.isCanceled, log=feedback.pushInfo)
    try:
        summary = engine(layer.source(), model, request, hooks=hooks)
    except CrnnError as exc:
        raise QgsProcessingException(str(exc)) from None
    feedback.pushInfo(tr("Classified {n} pixels at {rate:.0f} pixels/s.").format(
        n=summary.valid_pixels, rate=summary.pixels_per_second))
    if summary.valid_pixels == 0:
        feedback.pushWarning(tr(
            "Every pixel of '{raster}' is nodata (the band's nodata value, NaN or Inf in one of "
            "the model's bands, or 0 in all of them), so the classification is empty. Check "
            "the raster's nodata value and that it is the right raster.").format(
                raster=layer.source()))
    style_output(context, outputs.class_raster, model.classes, feedback.pushInfo)
    return map_results(outputs.class_raster, outputs.probabilities, outputs.confidence)


def map_results(output: str, probabilities: str, confidence: str) -> dict:
    """The result map of a classification: the optional outputs only where written."""
    results = {"OUTPUT": output}
    if probabilities:
        results["OUTPUT_PROBABILITIES"] = probabilities
    if confidence:
        results["OUTPUT_CONFIDENCE"] = confidence
    return results


class ClassifyAlgorithm(CrnnAlgorithm):
    group_id = "classification"
    group_name = "Classification"
    requires_scipy = True  # the LOP

    algorithm_id = "classify"
    display_name = "Classify with CRNN"
    help_intro = CLASSIFY_HELP
    sections = [("Inputs", specs.CLASSIFY_INPUTS), ("Device", [specs.DEVICE, specs.PRECISION]),
                ("Spatial fusion (LOP)", specs.LOP), ("Outputs", specs.CLASSIFICATION_OUTPUTS),
                CLUSTER_SECTION]

    def processAlgorithm(self, parameters, context, feedback):
        from ..models.network.modelfile import load_model

        path = self.parameterAsFile(parameters, "MODEL", context)
        try:
            model = load_model(path)
        except CrnnError as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(self.tr("Model: {k} classes, {b} bands, trained on {source}.").format(
            k=model.n_classes, b=model.n_bands,
            source=model.provenance.get("source_raster", "?")))
        request = read_request(self, parameters, context)
        return classify_from_parameters(self, parameters, context, feedback, model, request)
