"""``crnn:assess``: accuracy of a class raster against reference polygons or a raster.

Thin glue over :mod:`..models.reports.assessment_rasters` (and the report of
:mod:`..models.reports.assessment_report`): polygons are reprojected here (QGIS knows
the transform context) and handed to the core as WKB in the raster's CRS.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple, Union

from qgis.core import (
    QgsCoordinateTransform,
    QgsProcessingException,
    QgsRasterLayer,
    QgsVectorLayer,
    QgsWkbTypes,
)

from ..models.common.errors import CrnnError
from ..models.rasters.files import open_raster
from ..models.reports.area_estimates import (
    DESIGNS,
    AreaEstimates,
    ReferenceSample,
    estimate_area_and_accuracy,
)
from ..models.reports.area_sample import (
    PointSample,
    count_classes,
    map_pixel_area,
    map_unit,
    points_from_wkb,
    sample_at_points,
    sample_of_pixels,
)
from ..models.reports.assessment import Assessment, assess_arrays, match_class_names
from ..models.reports.assessment_rasters import (
    ReferenceWindow,
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
    "REFERENCE", "Reference (points, polygons or raster)",
    "Points or polygons with a class field, in any CRS (reprojected to the "
    "classification's CRS; a point is the pixel under it, a polygon its pixels by "
    "centre), or a label raster on exactly the classification's grid (same size and "
    "geotransform; nodata and 0 are unlabelled).", "layer")
REFERENCE_FIELD = specs.Spec(
    "REFERENCE_FIELD", "Reference class field (points and polygons)",
    "The points' or polygons' class: integer class ids, or text class names matched to the "
    "classification's class names (case-insensitive).", "string", optional=True)
OUTPUT_REPORT = specs.Spec(
    "OUTPUT_REPORT", "Accuracy report",
    "Optional HTML report (confusion matrix as a heat map, per-class accuracies). A JSON "
    "file with the same numbers is written beside it (same name, .json).", "file_out",
    file_filter="HTML files (*.html *.htm)", optional=True, create_by_default=False,
    beside=("{stem}.json",))
AUTO, NO_ESTIMATE = "auto", "none"
SAMPLING_DESIGN = specs.Spec(
    "SAMPLING_DESIGN", "Sampling design (area and accuracy estimates)",
    "How the reference sample was drawn, for each class's area and the accuracies "
    "estimated with 95 % intervals, as good practice asks (Olofsson et al. 2014): "
    "'stratified': stratified random points, the map's classes as strata; 'strata': "
    "stratified random in the STRATA raster's strata; 'simple': simple random or "
    "systematic; 'clusters': the polygons are a simple random sample of clusters. "
    "'auto': stratified for points on a projected map, else no estimate; 'none': no "
    "estimate. Hand-drawn polygons are no probability sample: their estimates would "
    "mislead.", "choice", AUTO, choices=(AUTO, NO_ESTIMATE) + DESIGNS)
STRATA = specs.Spec(
    "STRATA", "Strata raster ('strata' design)",
    "The strata the sample was drawn in, on the classification's grid: one value per "
    "stratum (nodata and 0: in no stratum).", "raster", optional=True)
PARAMETERS = [CLASSIFICATION, REFERENCE, REFERENCE_FIELD, SAMPLING_DESIGN, STRATA,
              OUTPUT_REPORT]
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
    "is read in strips, so large rasters are fine. From a reference sample and its "
    "design (SAMPLING_DESIGN) it also estimates each class's area and the accuracies "
    "with 95 % intervals, which correct the map's pixel counts for its errors "
    "(Olofsson et al. 2014)."
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
            if run[SAMPLING_DESIGN] not in (AUTO, NO_ESTIMATE):  # a projected map
                map_pixel_area(open_raster(classification.source()))
            self._strata_path(run, classification)
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

    @staticmethod
    def _is_points(layer) -> bool:
        return (isinstance(layer, QgsVectorLayer)
                and layer.geometryType() == QgsWkbTypes.GeometryType.PointGeometry)

    def _reference_field(self, run: specs.RunValues, layer: QgsVectorLayer) -> str:
        if not self._is_points(layer) and (
                layer.geometryType() != QgsWkbTypes.GeometryType.PolygonGeometry):
            raise QgsProcessingException(self.tr(
                "The reference layer '{}' holds neither points nor polygons: use points "
                "or polygons with a class field, or a label raster.").format(layer.name()))
        name = run[REFERENCE_FIELD]
        fields = [f.name() for f in layer.fields()]
        if not name:
            raise QgsProcessingException(self.tr(
                "The reference is a vector layer: choose its class field "
                "(REFERENCE_FIELD), one of {}.").format(", ".join(fields)))
        if name not in fields:
            raise QgsProcessingException(self.tr(
                "The reference layer has no field '{}'; its fields are {}.").format(
                    name, ", ".join(fields)))
        return name

    def _design(self, run: specs.RunValues, reference) -> Optional[str]:
        """The sampling design asked for, 'auto' resolved; None: no estimate."""
        design = run[SAMPLING_DESIGN]
        if design == AUTO:
            return "stratified" if self._is_points(reference) else None
        if design == NO_ESTIMATE:
            return None
        if design == "clusters" and not (isinstance(reference, QgsVectorLayer)
                                         and not self._is_points(reference)):
            raise QgsProcessingException(self.tr(
                "The 'clusters' design takes each reference polygon as a cluster: give "
                "reference polygons, or choose another SAMPLING_DESIGN."))
        return design

    def _map_design(self, run: specs.RunValues, reference, classification_path: str,
                    feedback) -> Optional[str]:
        """The design, where the map's units give areas: a design asked for on a map in
        degrees is refused before any reading; 'auto' there falls back to the matrix."""
        design = self._design(run, reference)
        if design is None:
            return None
        try:
            map_pixel_area(open_raster(classification_path))
        except CrnnError as error:
            if run[SAMPLING_DESIGN] != AUTO:
                raise
            feedback.pushWarning(self.tr("No area estimates: {}").format(error))
            return None
        return design

    def _strata_path(self, run: specs.RunValues, classification) -> Optional[str]:
        """The STRATA raster's path, checked against the classification's grid."""
        layer = run[STRATA]
        if run[SAMPLING_DESIGN] != "strata":
            return None
        if layer is None:
            raise QgsProcessingException(self.tr(
                "The 'strata' design needs the strata raster the sample was drawn in: "
                "give STRATA."))
        path = self._raster_path(layer, STRATA.key)
        check_same_grid(open_raster(classification.source()), open_raster(path), path)
        return path

    # --- run ------------------------------------------------------------------------
    def process(self, run: specs.RunValues, context, feedback) -> Dict[str, object]:
        classification = self._classification(run)
        classification_path = classification.source()
        reference = run[REFERENCE]
        report_path = run[OUTPUT_REPORT]
        design = self._map_design(run, reference, classification_path, feedback)
        strata_path = self._strata_path(run, classification)
        if run[STRATA] is not None and design != "strata":
            feedback.pushWarning(self.tr(
                "STRATA is read by the 'strata' design only; it was not used."))
        if self._is_points(reference):
            field = self._reference_field(run, reference)
            records = self._class_features(reference, field, classification, context,
                                           feedback)
            if any(value == 0 for _, value in records):
                raise QgsProcessingException(self.tr(
                    "A reference point has class value 0, which means 'unlabelled': use "
                    "class values from 1 (the classification's class ids)."))
            points = sample_at_points(classification_path, points_from_wkb(records),
                                      strata_path)
            result = self._assess_points(classification_path, points)
            result.sources["reference"] = f"{reference.source()} (field '{field}', points)"
            sample: Union[str, ReferenceWindow, PointSample] = points
        elif isinstance(reference, QgsVectorLayer):
            field = self._reference_field(run, reference)
            polygons = self._class_features(reference, field, classification, context,
                                            feedback)
            feedback.setProgress(10)
            sample = rasterise_reference(open_raster(classification_path), polygons)
            result = self._assess_pixels(classification_path, sample, 20.0, feedback)
            result.sources["reference"] = (
                f"{reference.source()} (field '{field}', rasterised by pixel centres)")
        elif isinstance(reference, QgsRasterLayer):
            sample = self._raster_path(reference, REFERENCE.key)
            feedback.pushInfo(self.tr("Reference raster: {}").format(sample))
            result = self._assess_pixels(classification_path, sample, 0.0, feedback)
        else:
            raise QgsProcessingException(self.tr(
                "Choose a reference: a point or polygon layer, or a label raster."))
        if design is not None:
            result.estimates = self._estimate(classification_path, sample, design,
                                              strata_path, feedback)
        json_path = write_report(result, report_path) if report_path else None
        self._log_result(result, feedback)
        return {
            OVERALL_ACCURACY: result.overall_accuracy,
            AVERAGE_ACCURACY: result.average_accuracy,
            KAPPA: result.kappa,
            OUTPUT_REPORT.key: report_path or None,
            OUTPUT_JSON: json_path,
        }

    def _assess_pixels(self, classification_path: str, source, start: float,
                       feedback) -> Assessment:
        return assess_raster(
            classification_path, source,
            progress=lambda f: feedback.setProgress(start + (90 - start) * f),
            is_cancelled=feedback.isCanceled)

    def _assess_points(self, classification_path: str, points: PointSample) -> Assessment:
        """The confusion matrix of the points: the map's class under each."""
        if not len(points.reference):
            raise QgsProcessingException(self.tr(
                "No reference point lies on the classification. Check that the points "
                "cover the classified area and that their layer's CRS is set correctly."))
        dataset = open_raster(classification_path)  # alive while its band is used
        names, colours = band_classes(dataset.GetRasterBand(1))
        result = assess_arrays(points.reference, points.predicted, points.predicted == 0,
                               names)
        result.class_colours = colours
        result.sources = {"classification": classification_path}
        result.notes = list(points.notes)
        return result

    def _estimate(self, classification_path: str, sample, design: str,
                  strata_path: Optional[str], feedback) -> AreaEstimates:
        """Area and accuracy estimated under ``design`` from the reference sample."""
        feedback.pushInfo(self.tr("Counting the map's pixels per class for the area "
                                  "estimates ({} design).").format(design))
        dataset = open_raster(classification_path)
        pixel_area, notes = map_pixel_area(dataset)
        map_pixels = count_classes(dataset, is_cancelled=feedback.isCanceled)
        stratum_pixels = (count_classes(open_raster(strata_path),
                                        is_cancelled=feedback.isCanceled, within=dataset)
                          if strata_path else None)
        if isinstance(sample, PointSample):
            inside = (sample.predicted != 0) & (sample.strata != 0)
            units = ReferenceSample(sample.predicted[inside], sample.reference[inside],
                                    sample.strata[inside])
            left_out = int((~inside).sum())
        else:
            units, left_out = sample_of_pixels(classification_path, sample, design,
                                               strata_path, is_cancelled=feedback.isCanceled)
            if design != "clusters":
                notes.append("Each reference pixel counts as one sample unit, as if drawn "
                             "alone: pixels of a few polygons or patches are not, so these "
                             "intervals are too narrow ('clusters' takes each polygon as "
                             "one unit).")
        if left_out:
            notes.append(f"{left_out} reference unit(s) lie on pixels the map leaves "
                         "unclassified (or outside every stratum): no stratum holds them, "
                         "so the estimates leave them out.")
        estimates = estimate_area_and_accuracy(units, design, map_pixels, stratum_pixels,
                                               pixel_area)
        estimates.notes[:0] = notes
        estimates.map_unit, estimates.units_per_hectare = map_unit(dataset)
        feedback.setProgress(100)
        return estimates

    def _log_result(self, result: Assessment, feedback) -> None:
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
        estimates = result.estimates
        if estimates is None:
            return
        overall = estimates.overall_accuracy
        feedback.pushInfo(self.tr(
            "Estimated under the {} design: overall accuracy {:.4f} +- {:.4f} (95 %).")
            .format(estimates.design, overall.estimate,
                    overall.ci95 if overall.ci95 is not None else float("nan")))
        for c in estimates.classes:
            feedback.pushInfo(self.tr(
                "Class {}: map area {:.1f} ha, estimated area {:.1f} +- {:.1f} ha.").format(
                    c.value, c.map_area, c.area.estimate,
                    c.area.ci95 if c.area.ci95 is not None else float("nan")))
        for note in estimates.notes:
            feedback.pushWarning(note)

    def _class_features(self, layer: QgsVectorLayer, field: str,
                        classification: QgsRasterLayer, context, feedback
                        ) -> List[Tuple[bytes, int]]:
        """(WKB in the classification's CRS, class value) of every point or polygon with
        a class."""
        if not layer.crs().isValid():
            feedback.pushWarning(self.tr(
                "The reference layer has no CRS; it is taken to be the classification's."))
            transform = None
        elif layer.crs() != classification.crs():
            transform = QgsCoordinateTransform(layer.crs(), classification.crs(),
                                               context.transformContext())
            feedback.pushInfo(self.tr("Reprojecting the reference features from {} to {}.")
                              .format(layer.crs().authid(), classification.crs().authid()))
        else:
            transform = None
        index = layer.fields().lookupField(field)
        numeric = layer.fields().at(index).isNumeric()
        read = read_class_polygons(layer.getFeatures(attribute_request(index)), index,
                                   transform=transform, is_cancelled=feedback.isCanceled,
                                   layer_crs=layer.crs().authid() or layer.crs().description(),
                                   points=self._is_points(layer))
        if read.cancelled:
            raise QgsProcessingException(self.tr("Cancelled by the user."))
        raw = [(wkb, value) for wkb, value, _ in read.records]
        skipped = read.without_class + read.without_geometry
        if skipped:
            feedback.pushWarning(self.tr(
                "{} reference features without a geometry or class value were skipped.")
                .format(skipped))
        if numeric:
            features = []
            for wkb, value in raw:
                if float(value) != int(value):
                    raise QgsProcessingException(self.tr(
                        "The reference field '{}' holds {}, not a class id: use integer "
                        "class ids or class names.").format(field, value))
                features.append((wkb, int(value)))
            return features
        dataset = open_raster(classification.source())  # alive while its band is used
        names, _ = band_classes(dataset.GetRasterBand(1))
        values = match_class_names([str(value) for _, value in raw], names)
        return [(wkb, value) for (wkb, _), value in zip(raw, values)]
