"""``crnn:assess``: accuracy of a class raster against reference polygons or a raster.

Thin glue over :mod:`..models.reports.assessment_rasters` (and the report of
:mod:`..models.reports.assessment_report`): polygons are reprojected here (QGIS knows
the transform context) and handed to the core as WKB in the raster's CRS.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from qgis.core import (
    QgsCoordinateTransform,
    QgsProcessingException,
    QgsRasterLayer,
    QgsVectorLayer,
    QgsWkbTypes,
)

from ..models.common.errors import CrnnError
from ..models.rasters.files import open_raster
from ..models.reports.assessment import match_class_names
from ..models.reports.assessment_rasters import (
    assess_raster,
    band_classes,
    check_same_grid,
    rasterise_reference,
)
from ..models.reports.assessment_report import write_report
from . import parameters as specs
from .base import CrnnAlgorithm
from .polygons import attribute_request, read_class_polygons

# Every parameter said once (algorithms/parameters.py): the dialog, the help text and the
# reading. REFERENCE_FIELD is given by name: a field parameter whose parent may be a
# raster crashes QGIS 3.22's dialog.
CLASSIFICATION = specs.Spec(
    "CLASSIFICATION", "Classification",
    "A class raster (band 1 holds class ids, e.g. the output of 'Classify'). Pixels with its "
    "nodata value, 0 or NaN are 'unclassified' and count as errors.", "raster")
REFERENCE = specs.Spec(
    "REFERENCE", "Reference (polygons or raster)",
    "Polygons with a class field, in any CRS (reprojected to the classification's CRS and "
    "rasterised by pixel centres), or a label raster on exactly the classification's grid "
    "(same size and geotransform; nodata and 0 are unlabelled).", "layer")
REFERENCE_FIELD = specs.Spec(
    "REFERENCE_FIELD", "Reference class field (polygons only)",
    "The polygons' class: integer class ids, or text class names matched to the "
    "classification's class names (case-insensitive).", "string", optional=True)
OUTPUT_REPORT = specs.Spec(
    "OUTPUT_REPORT", "Accuracy report",
    "Optional HTML report (confusion matrix as a heat map, per-class accuracies). A JSON "
    "file with the same numbers is written beside it (same name, .json).", "file_out",
    file_filter="HTML files (*.html *.htm)", optional=True, create_by_default=False,
    beside=("{stem}.json",))
PARAMETERS = [CLASSIFICATION, REFERENCE, REFERENCE_FIELD, OUTPUT_REPORT]
# the results that are not parameters
OUTPUT_JSON = "OUTPUT_JSON"
OVERALL_ACCURACY = "OVERALL_ACCURACY"
AVERAGE_ACCURACY = "AVERAGE_ACCURACY"
KAPPA = "KAPPA"


ASSESS_HELP = (
    "Compares a class raster with reference labels and reports the confusion "
    "matrix (rows = reference, columns = predicted), overall accuracy (OA) with "
    "its 95 % Wilson confidence interval, average accuracy (AA, the mean "
    "producer's accuracy), Cohen's kappa, and producer's accuracy, user's "
    "accuracy and F1 per class. Reference pixels that the classification leaves "
    "unclassified count as errors (their number is reported). The classification "
    "is read in strips, so large rasters are fine."
)
ASSESS_OUTPUTS_HELP = (
    "Outputs OVERALL_ACCURACY, AVERAGE_ACCURACY and KAPPA are numbers (0-1) in the "
    "result; OUTPUT_JSON is the JSON file written beside the report."
)


class AssessAlgorithm(CrnnAlgorithm):
    """Confusion matrix, overall and average accuracy, kappa and a report."""

    requires_torch = False
    group_id = "accuracy"
    group_name = "Accuracy"

    algorithm_id = "assess"
    display_name = "Assess accuracy"
    help_intro = ASSESS_HELP
    sections = [("Parameters", PARAMETERS)]
    help_outro = ASSESS_OUTPUTS_HELP
    results = [(OUTPUT_JSON, "Accuracy (JSON)", "file"),
               (OVERALL_ACCURACY, "Overall accuracy", "number"),
               (AVERAGE_ACCURACY, "Average accuracy", "number"),
               (KAPPA, "Cohen's kappa", "number")]

    # --- checks ---------------------------------------------------------------------
    def checkParameterValues(self, parameters, context):
        ok, message = super().checkParameterValues(parameters, context)
        if not ok:
            return ok, message
        try:
            run = specs.read_run(self, PARAMETERS, parameters, context)
            classification = self._classification(run)
            reference = run[REFERENCE]
            if isinstance(reference, QgsRasterLayer):
                check_same_grid(open_raster(classification.source()),
                                open_raster(self._raster_path(reference, REFERENCE.key)),
                                reference.source())
            elif isinstance(reference, QgsVectorLayer):
                self._reference_field(run, reference)
        except (CrnnError, QgsProcessingException) as error:
            return False, str(error)
        return True, ""

    def _raster_path(self, layer: QgsRasterLayer, key: str) -> str:
        if layer.providerType() != "gdal":
            raise QgsProcessingException(self.tr(
                "The {} layer '{}' is not a file GDAL can read (provider '{}'). Save it as "
                "a GeoTIFF first.").format(key, layer.name(), layer.providerType()))
        return layer.source()

    def _classification(self, run: specs.RunValues) -> QgsRasterLayer:
        layer = run[CLASSIFICATION]
        if layer is None:
            raise QgsProcessingException(self.tr("Choose a classification raster."))
        self._raster_path(layer, CLASSIFICATION.key)
        return layer

    def _reference_field(self, run: specs.RunValues, layer: QgsVectorLayer) -> str:
        if layer.geometryType() != QgsWkbTypes.GeometryType.PolygonGeometry:
            raise QgsProcessingException(self.tr(
                "The reference layer '{}' has no polygons: use polygons with a class "
                "field, or a label raster.").format(layer.name()))
        name = run[REFERENCE_FIELD]
        fields = [f.name() for f in layer.fields()]
        if not name:
            raise QgsProcessingException(self.tr(
                "The reference is a polygon layer: choose its class field "
                "(REFERENCE_FIELD), one of {}.").format(", ".join(fields)))
        if name not in fields:
            raise QgsProcessingException(self.tr(
                "The reference layer has no field '{}'; its fields are {}.").format(
                    name, ", ".join(fields)))
        return name

    # --- run ------------------------------------------------------------------------
    def process(self, run: specs.RunValues, context, feedback) -> Dict[str, object]:
        classification = self._classification(run)
        classification_path = classification.source()
        reference = run[REFERENCE]
        report_path = run[OUTPUT_REPORT]
        if isinstance(reference, QgsRasterLayer):
            source = self._raster_path(reference, REFERENCE.key)
            feedback.pushInfo(self.tr("Reference raster: {}").format(source))
            progress_start = 0.0
        elif isinstance(reference, QgsVectorLayer):
            field = self._reference_field(run, reference)
            polygons = self._polygons(reference, field, classification, context, feedback)
            feedback.setProgress(10)
            source = rasterise_reference(open_raster(classification_path), polygons)
            progress_start = 20.0
        else:
            raise QgsProcessingException(self.tr(
                "Choose a reference: a polygon layer or a label raster."))
        result = assess_raster(
            classification_path, source,
            progress=lambda f: feedback.setProgress(progress_start + (100 - progress_start) * f),
            is_cancelled=feedback.isCanceled,
        )
        if isinstance(reference, QgsVectorLayer):
            result.sources["reference"] = (
                f"{reference.source()} (field '{field}', rasterised by pixel centres)")
        json_path = write_report(result, report_path) if report_path else None
        self._log_result(result, feedback)
        return {
            OVERALL_ACCURACY: result.overall_accuracy,
            AVERAGE_ACCURACY: result.average_accuracy,
            KAPPA: result.kappa,
            OUTPUT_REPORT.key: report_path or None,
            OUTPUT_JSON: json_path,
        }

    def _log_result(self, result, feedback) -> None:
        low, high = result.overall_accuracy_interval
        feedback.pushInfo(self.tr(
            "Overall accuracy {:.4f} (95 % Wilson interval {:.4f}-{:.4f}), average "
            "accuracy {:.4f}, kappa {:.4f} over {} reference pixels.").format(
                result.overall_accuracy, low, high, result.average_accuracy, result.kappa,
                result.total))
        if result.unclassified:
            feedback.pushWarning(self.tr(
                "{} reference pixels are unclassified in the classification; they count "
                "as errors.").format(result.unclassified))
        for note in result.notes:
            feedback.pushWarning(note)

    def _polygons(self, layer: QgsVectorLayer, field: str, classification: QgsRasterLayer,
                  context, feedback) -> List[Tuple[bytes, int]]:
        """(WKB in the classification's CRS, class value) of every polygon with a class."""
        if not layer.crs().isValid():
            feedback.pushWarning(self.tr(
                "The reference layer has no CRS; it is taken to be the classification's."))
            transform = None
        elif layer.crs() != classification.crs():
            transform = QgsCoordinateTransform(layer.crs(), classification.crs(),
                                               context.transformContext())
            feedback.pushInfo(self.tr("Reprojecting the reference polygons from {} to {}.")
                              .format(layer.crs().authid(), classification.crs().authid()))
        else:
            transform = None
        index = layer.fields().lookupField(field)
        numeric = layer.fields().at(index).isNumeric()
        read = read_class_polygons(layer.getFeatures(attribute_request(index)), index,
                                   transform=transform, is_cancelled=feedback.isCanceled,
                                   layer_crs=layer.crs().authid() or layer.crs().description())
        if read.cancelled:
            raise QgsProcessingException(self.tr("Cancelled by the user."))
        raw = [(wkb, value) for wkb, value, _ in read.records]
        skipped = read.without_class + read.without_geometry
        if skipped:
            feedback.pushWarning(self.tr(
                "{} reference features without a geometry or class value were skipped.")
                .format(skipped))
        if numeric:
            polygons = []
            for wkb, value in raw:
                if float(value) != int(value):
                    raise QgsProcessingException(self.tr(
                        "The reference field '{}' holds {}, not a class id: use integer "
                        "class ids or class names.").format(field, value))
                polygons.append((wkb, int(value)))
            return polygons
        dataset = open_raster(classification.source())  # alive while its band is used
        names, _ = band_classes(dataset.GetRasterBand(1))
        values = match_class_names([str(value) for _, value in raw], names)
        return [(wkb, value) for (wkb, _), value in zip(raw, values)]
