"""``crnn:sample``: a stratified random reference sample of a class map, as points to
label in QGIS and then assess with ``crnn:assess`` (``SAMPLING_DESIGN=stratified``).

Thin glue over :mod:`..models.reports.sample_design`.
"""

from __future__ import annotations

from typing import Dict

from qgis.core import QgsCoordinateTransform, QgsProcessingException

from ..models.common.errors import CrnnError
from ..models.rasters.files import open_raster
from ..models.reports.area_sample import count_classes, map_pixel_area
from ..models.reports.assessment_rasters import band_classes
from ..models.reports.sample_design import (
    ALLOCATIONS,
    allocate,
    count_in_area,
    draw_area,
    draw_points,
    sample_size,
    users_accuracies,
    write_sample,
)
from . import parameters as specs
from .base import CrnnAlgorithm

CLASSIFICATION = specs.Spec(
    "CLASSIFICATION", "Classification",
    "The class map to sample (band 1 holds class ids, e.g. the output of 'Classify'); "
    "its classes are the strata. Pixels with its nodata value, 0 or NaN are not sampled.",
    "raster")
TARGET_SE = specs.Spec(
    "TARGET_SE", "Target standard error of overall accuracy",
    "The sample is sized so that overall accuracy's standard error comes out about this "
    "large (0.01: a 95 % interval of about +-2 points; Olofsson et al. 2014, eq. 13).",
    "float", 0.01, minimum=0.001, maximum=0.5)
USERS_ACCURACY = specs.Spec(
    "USERS_ACCURACY", "Expected user's accuracies",
    "What you expect each class's user's accuracy to be: one value for all classes "
    "(e.g. 0.8), and/or class:value pairs such as '0.8, 3:0.6'. Lower values ask for more "
    "points.", "string", "0.8")
SAMPLE_SIZE = specs.Spec(
    "SAMPLE_SIZE", "Sample size (0 = from the target standard error)",
    "The number of points; 0 sizes the sample from TARGET_SE and USERS_ACCURACY.", "int",
    0, minimum=0)
ALLOCATION = specs.Spec(
    "ALLOCATION", "Allocation over the map's classes",
    "'compromise': every class gets at least MIN_PER_CLASS points, the rest in proportion "
    "to the classes' areas (rare classes' accuracies need enough points); "
    "'proportional': in proportion to area; 'equal': the same number per class.",
    "choice", ALLOCATIONS[0], choices=ALLOCATIONS)
MIN_PER_CLASS = specs.Spec(
    "MIN_PER_CLASS", "Points per class at least ('compromise')",
    "Olofsson et al. (2014) suggest 50-100 points in each rare class.", "int", 50,
    minimum=1)
MIN_DISTANCE = specs.Spec(
    "MIN_DISTANCE", "Minimum distance between points (pixels)",
    "Points closer than this (pixel centre to centre) are not drawn; 0 = any distance. "
    "A distance near the points' own spacing draws pixels at a class's edges more often "
    "than inside it, which the estimates do not know: keep it small.",
    "float", 0.0, minimum=0.0, advanced=True)
AREA = specs.Spec(
    "AREA", "Area to draw in",
    "Optional polygons (any CRS): points fall only on map pixels whose centres lie inside "
    "(the places a user can reach). The estimates then hold for that area: clip the "
    "classification to it before assessing.", "polygons", optional=True)
SEED = specs.Spec("SEED", "Random seed", "The same map and seed give the same points.",
                  "int", 0, minimum=0, advanced=True)
REFERENCE_FIELD = specs.Spec(
    "REFERENCE_FIELD", "Reference class field (to fill in)",
    "The name of the empty integer field in which you type each point's reference class "
    "(then give it to 'Assess accuracy' as REFERENCE_FIELD).", "string", "reference")
OUTPUT = specs.Spec(
    "OUTPUT", "Reference sample",
    "Points at pixel centres in the map's CRS, with fields id, map_class, map_name, "
    "stratum_wt (the class's share of the map) and the empty reference field.",
    "points_out")
PARAMETERS = [CLASSIFICATION, TARGET_SE, USERS_ACCURACY, SAMPLE_SIZE, ALLOCATION,
              MIN_PER_CLASS, AREA, MIN_DISTANCE, SEED, REFERENCE_FIELD, OUTPUT]

SAMPLE_HELP = (
    "Draws a stratified random sample of reference points from a class map, the map's "
    "classes as strata, as good practice for accuracy and area estimates asks (Olofsson "
    "et al. 2014): it sizes the sample for a target standard error of overall accuracy, "
    "shares it over the classes and places the points at random pixel centres. Label "
    "each point's reference class in QGIS (by field visit or from imagery), then run "
    "'Assess accuracy' with the points as REFERENCE and SAMPLING_DESIGN 'stratified' for "
    "each class's area and the accuracies with 95 % intervals."
)


class SampleAlgorithm(CrnnAlgorithm):
    """A stratified random reference sample of a class map."""

    requires_torch = False
    group_id = "accuracy"
    group_name = "Accuracy"

    algorithm_id = "sample"
    display_name = "Create reference sample"
    help_intro = SAMPLE_HELP
    sections = [("Parameters", PARAMETERS)]
    results = [("SAMPLE_SIZE_USED", "Points drawn", "number")]

    def process(self, run: specs.RunValues, context, feedback) -> Dict[str, object]:
        layer = run[CLASSIFICATION]
        if layer is None or layer.providerType() != "gdal":
            raise QgsProcessingException(self.tr(
                "Choose a classification raster that GDAL can read (a GeoTIFF)."))
        dataset = open_raster(layer.source())
        try:
            map_pixel_area(dataset)
        except CrnnError as error:  # the sample works; its areas will not
            feedback.pushWarning(str(error))
        area = self._area(run, layer, context, dataset, feedback)
        pixels = (count_in_area(dataset, area) if area is not None
                  else count_classes(dataset, is_cancelled=feedback.isCanceled))
        if not pixels:
            raise QgsProcessingException(self.tr(
                "The classification has no classified pixel to sample."))
        values = sorted(pixels)
        total = float(sum(pixels.values()))
        weights = [pixels[v] / total for v in values]
        size = run[SAMPLE_SIZE] or sample_size(
            weights, users_accuracies(run[USERS_ACCURACY], values), run[TARGET_SE])
        counts = allocate(size, weights, run[ALLOCATION], run[MIN_PER_CLASS])
        feedback.pushInfo(self.tr("{} points over {} classes ({} allocation): {}.").format(
            size, len(values), run[ALLOCATION],
            ", ".join(f"{v}: {n}" for v, n in zip(values, counts))))
        few = [f"{v} ({n})" for v, n in zip(values, counts) if n < 2]
        if few:
            feedback.pushWarning(self.tr(
                "Classes with fewer than 2 points: {}. Their accuracy and area cannot be "
                "estimated with an interval: raise SAMPLE_SIZE or MIN_PER_CLASS, or "
                "choose the 'compromise' allocation.").format(", ".join(few)))
        feedback.setProgress(30)
        drawn = draw_points(dataset, dict(zip(values, counts)), run[SEED],
                            run[MIN_DISTANCE], class_pixels=pixels, area=area)
        for note in drawn.notes:
            feedback.pushWarning(note)
        names, _ = band_classes(dataset.GetRasterBand(1))
        written = write_sample(run[OUTPUT], dataset, drawn, names, run[REFERENCE_FIELD])
        feedback.pushInfo(self.tr(
            "Wrote {} points. Fill in their field '{}', then run 'Assess accuracy' with "
            "SAMPLING_DESIGN 'stratified'.").format(written, run[REFERENCE_FIELD]))
        return {OUTPUT.key: run[OUTPUT], "SAMPLE_SIZE_USED": written}

    def _area(self, run: specs.RunValues, layer, context, dataset, feedback):
        """The AREA polygons on the map's grid, or None for the whole map."""
        source = run[AREA]
        if source is None:
            return None
        transform = QgsCoordinateTransform(source.sourceCrs(), layer.crs(),
                                           context.transformContext())
        polygons = []
        for feature in source.getFeatures():
            geometry = feature.geometry()
            if geometry is None or geometry.isEmpty():
                continue
            if source.sourceCrs().isValid() and source.sourceCrs() != layer.crs():
                geometry.transform(transform)
            polygons.append(bytes(geometry.asWkb()))
        feedback.pushWarning(self.tr(
            "Points are drawn inside AREA only: the estimates of 'Assess accuracy' hold "
            "for the map inside it, so clip the classification to AREA first (Clip raster "
            "by mask layer) and assess the clipped map."))
        return draw_area(dataset, polygons)
