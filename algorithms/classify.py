"""crnn:classify: raster + model file -> classified GeoTIFF with LOP fusion."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from qgis.core import QgsProcessingException

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


def read_outputs(run: specs.RunValues) -> OutputPaths:
    """The class raster, probabilities and confidence outputs (None: not asked for)."""
    from ..models.engine.request import OutputPaths

    return OutputPaths(run[specs.CLASS_RASTER], run[specs.PROBABILITIES] or None,
                       run[specs.CONFIDENCE] or None)


def read_lop(run: specs.RunValues) -> LopSettings:
    """The LOP parameters (specs.LOP) as the engine's ``LopSettings``."""
    from ..models.engine.lop import LopSettings

    return LopSettings(run[specs.LOP_SIZE], run[specs.LOP_WEIGHTS_SPEC],
                       run[specs.LOP_ITERATIONS])


def read_request(run: specs.RunValues) -> ClassificationRequest:
    """The classification request of the run: outputs, LOP, device, precision, resampling
    of spectra (checked as it is made)."""
    from ..models.engine.request import ClassificationRequest

    return ClassificationRequest(read_outputs(run), read_lop(run),
                                 device=run[specs.DEVICE], precision=run[specs.PRECISION],
                                 resample_spectra=run[specs.RESAMPLE_SPECTRA])


def check_outputs(run: specs.RunValues, outputs: OutputPaths) -> None:
    """The output paths, checked before any work (trainclassify would train first)."""
    from ..models.engine.outputs import check_output_paths

    layer = run[specs.CLASSIFY_RASTER]
    check_output_paths(layer.source() if layer is not None else "", outputs)


def classify_from_parameters(algorithm: CrnnAlgorithm, run: specs.RunValues, context,
                             feedback, model: CrnnModel, request: ClassificationRequest,
                             progress_start: float = 0.0) -> dict:
    """Run the streaming classifier (or the Dask engine, where a scheduler is given) on
    the INPUT raster with the run's request; the class raster styled, the results."""
    from ..models.engine.inference import classify_raster

    tr = algorithm.tr
    layer = run[specs.CLASSIFY_RASTER]
    if layer is None:
        raise QgsProcessingException(tr("The input raster could not be read."))
    window = model.network.input_window
    if window > 1:
        feedback.pushInfo(tr(
            "The model reads the mean spectrum of the {w}x{w} pixels around each pixel "
            "(spectral-spatial input option).").format(w=window))
    engine = classify_raster
    scheduler = run[DASK_SCHEDULER].strip()
    if scheduler:
        from ..models.engine.cluster import ClusterSettings, classify_raster_on_cluster
        from .torch_check import require

        require("distributed")
        engine = functools.partial(classify_raster_on_cluster,
                                   cluster=ClusterSettings(scheduler))
    summary = engine(layer.source(), model, request,
                     hooks=algorithm.hooks(feedback, progress_start))
    feedback.pushInfo(tr("Classified {n} pixels at {rate:.0f} pixels/s.").format(
        n=summary.valid_pixels, rate=summary.pixels_per_second))
    if summary.valid_pixels == 0:
        feedback.pushWarning(tr(
            "Every pixel of '{raster}' is nodata (the band's nodata value, NaN or Inf in one of "
            "the model's bands, or 0 in all of them), so the classification is empty. Check "
            "the raster's nodata value and that it is the right raster.").format(
                raster=layer.source()))
    style_output(context, request.outputs.class_raster, model.classes, feedback.pushInfo)
    return map_results(request.outputs)


def map_results(outputs: OutputPaths) -> dict:
    """The result map of a classification: the optional outputs only where written."""
    results = {specs.CLASS_RASTER.key: outputs.class_raster}
    if outputs.probabilities:
        results[specs.PROBABILITIES.key] = outputs.probabilities
    if outputs.confidence:
        results[specs.CONFIDENCE.key] = outputs.confidence
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

    def process(self, run: specs.RunValues, context, feedback) -> dict:
        from ..models.network.modelfile import load_model

        model = load_model(run[specs.MODEL_FILE])
        feedback.pushInfo(self.tr("Model: {k} classes, {b} bands, trained on {source}.").format(
            k=model.n_classes, b=model.n_bands,
            source=model.provenance.get("source_raster", "?")))
        return classify_from_parameters(self, run, context, feedback, model, read_request(run))
