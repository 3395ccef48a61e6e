"""The files an algorithm's parameters read and write, checked before any work.

Every algorithm declares its inputs and outputs as parameter specs
(algorithms/parameters.py); this turns them into the core's ``RunFile`` lists and lets
models/paths.py refuse an output that would land on an input, on another output, or
where it cannot be written.
"""

from __future__ import annotations

from typing import List, Tuple

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputLayerDefinition,
)

from ..models.errors import CrnnError
from ..models.paths import RunFile, check_outputs, dataset_files, file_of_source, written_beside

_FILE_PROVIDERS = ("gdal", "ogr")
_OUTPUT_KINDS = {"raster_out": "raster", "polygons_out": "vector", "file_out": "file"}


def declared_run_files(algorithm, parameters, context) -> Tuple[List[RunFile], List[RunFile]]:
    """(inputs, outputs) named by the algorithm's parameters, with their side-cars."""
    inputs: List[RunFile] = []
    outputs: List[RunFile] = []
    for _, section in algorithm.sections:
        for spec in section:
            if spec.kind in _OUTPUT_KINDS:
                path = _output_path(algorithm, parameters, context, spec)
                if path:
                    outputs.append(RunFile(spec.key, path, written_beside(
                        path, _OUTPUT_KINDS[spec.kind], spec.beside), algorithm.tr(spec.label)))
                continue
            source = _input_source(algorithm, parameters, context, spec)
            path = file_of_source(source)
            if path:
                inputs.append(RunFile(spec.key, path, dataset_files(source),
                                      algorithm.tr(spec.label)))
    return inputs, outputs


def run_files_problem(algorithm, parameters, context) -> str:
    """Why an output would overwrite an input or another output, or cannot be written
    where asked (models/paths.py); "" where all is well. Called from
    ``checkParameterValues``, so Processing refuses the run before it starts."""
    try:
        inputs, outputs = declared_run_files(algorithm, parameters, context)
        check_outputs(inputs, outputs)
    except (CrnnError, QgsProcessingException) as error:
        return str(error)
    return ""


def _output_path(algorithm, parameters, context, spec) -> str:
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


def _input_source(algorithm, parameters, context, spec) -> str:
    if spec.kind == "file":
        return algorithm.parameterAsFile(parameters, spec.key, context) or ""
    if spec.kind == "raster":
        layer = algorithm.parameterAsRasterLayer(parameters, spec.key, context)
    elif spec.kind == "polygons":
        layer = algorithm.parameterAsVectorLayer(parameters, spec.key, context)
    elif spec.kind == "layer":
        layer = algorithm.parameterAsLayer(parameters, spec.key, context)
    else:
        return ""
    if layer is None or layer.providerType() not in _FILE_PROVIDERS:
        return ""
    return layer.source()
