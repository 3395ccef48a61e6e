"""The files an algorithm's parameters read and write, checked before any work.

Every algorithm declares its inputs and outputs as parameter specs
(algorithms/parameters.py); this turns them into the core's ``RunFile`` lists and lets
models/rasters/paths.py refuse an output that would land on an input, on another output, or
where it cannot be written.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from qgis.core import (
    QgsMapLayer,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingUtils,
    QgsProviderRegistry,
)

from ..models.common.errors import CrnnError
from ..models.rasters.paths import (
    RunFile,
    check_outputs,
    dataset_files,
    file_of_source,
    written_beside,
)

_OUTPUT_KINDS = {"raster_out": "raster", "polygons_out": "vector", "points_out": "vector",
                 "file_out": "file"}
Parameters = Dict[str, Any]


def declared_run_files(algorithm: QgsProcessingAlgorithm, parameters: Parameters,
                       context: QgsProcessingContext) -> Tuple[List[RunFile], List[RunFile]]:
    """(inputs, outputs) named by the algorithm's parameters, with their side-cars."""
    inputs: List[RunFile] = []
    outputs: List[RunFile] = []
    for _, section in algorithm.sections:
        for spec in section:
            label = algorithm.tr(spec.label)
            if spec.kind in _OUTPUT_KINDS:
                path = _output_path(algorithm, parameters, context, spec)
                if path:
                    outputs.append(RunFile(spec.key, path, written_beside(
                        path, _OUTPUT_KINDS[spec.kind], spec.beside), label))
                continue
            source = _input_source(algorithm, parameters, context, spec)
            path = file_of_source(source)
            if path:
                inputs.append(RunFile(spec.key, path, dataset_files(source), label))
    return inputs, outputs


def run_files_problem(algorithm: QgsProcessingAlgorithm, parameters: Parameters,
                      context: QgsProcessingContext) -> str:
    """Why an output would overwrite an input or another output, or cannot be written
    where asked (models/rasters/paths.py); "" where all is well."""
    try:
        inputs, outputs = declared_run_files(algorithm, parameters, context)
        check_outputs(inputs, outputs)
    except (CrnnError, QgsProcessingException) as error:
        return str(error)
    return ""


def check_run_files(algorithm: QgsProcessingAlgorithm, parameters: Parameters,
                    context: QgsProcessingContext) -> None:
    """Raise ``QgsProcessingException`` with :func:`run_files_problem`'s message, if any
    (for runs that skip ``checkParameterValues``: a model's steps, ``run()``)."""
    message = run_files_problem(algorithm, parameters, context)
    if message:
        raise QgsProcessingException(message)


def _output_path(algorithm: QgsProcessingAlgorithm, parameters: Parameters,
                 context: QgsProcessingContext, spec) -> str:
    """The output's path, or '' where none is asked or QGIS makes a temporary one (a
    fresh name on every call, which nothing else can name; asking for it here would also
    queue a layer that is never written for loading)."""
    value = parameters.get(spec.key)
    if isinstance(value, QgsProcessingOutputLayerDefinition):
        value = value.sink.valueAsString(context.expressionContext())[0]
    if value in (None, "") or str(value) == QgsProcessing.TEMPORARY_OUTPUT:
        return ""
    if spec.kind == "file_out":
        path = algorithm.parameterAsFileOutput(parameters, spec.key, context)
    else:
        path = algorithm.parameterAsOutputLayer(parameters, spec.key, context)
    return file_of_source(path or "")


def _input_source(algorithm: QgsProcessingAlgorithm, parameters: Parameters,
                  context: QgsProcessingContext, spec) -> str:
    """The file behind an input parameter ('' for none): a file path, or the file of the
    layer it names (a path, a layer id, a feature source with 'selected features only')
    as its data provider says."""
    if spec.kind == "file":
        return algorithm.parameterAsFile(parameters, spec.key, context) or ""
    if spec.kind not in ("raster", "polygons", "layer"):
        return ""
    value = parameters.get(spec.key)
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        value = value.source.valueAsString(context.expressionContext())[0]
    if isinstance(value, QgsMapLayer):
        layer = value
    elif value in (None, ""):
        return ""
    else:
        layer = QgsProcessingUtils.mapLayerFromString(str(value), context)
    if layer is None or layer.dataProvider() is None:
        return ""
    provider = layer.providerType()
    if provider in ("gdal", "ogr"):  # GDAL's name: dataset_files asks GDAL for its files
        return layer.source()
    # delimited text, SpatiaLite, GPX, ...: the file the provider reads, if any
    return QgsProviderRegistry.instance().decodeUri(provider, layer.source()).get("path") or ""
