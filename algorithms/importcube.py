"""``crnn:importcube``: a cube (.mat, .npy, HDF5, netCDF, PRISMA, ENVI, ...) -> GeoTIFF,
labels, polygons; the GeoTIFF shown in true colour where its bands have wavelengths.

Thin glue over :mod:`..models.importing.importcube` (the import's entry) and
:mod:`..models.rasters.rendering`.
"""

from __future__ import annotations

import os
from typing import Dict

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingException,
)

from ..models.importing.axes import AXIS_ORDERS
from ..models.importing.containers import parse_subdataset
from ..models.importing.importcube import LabelOutputs, Placement, ReadOptions, import_cube
from ..models.rasters.rendering import true_colour_bands
from . import parameters as specs
from .base import CrnnAlgorithm
from .styling import style_true_colour
from .torch_check import require

FILE_FILTER = ("Cubes (*.mat *.npy *.npz *.h5 *.he5 *.hdf5 *.nc *.tif *.tiff *.img *.dat "
               "*.hdr *.bsq *.bil *.bip *.raw);;MATLAB v5 (*.mat);;NumPy (*.npy *.npz);;"
               "HDF5 / netCDF (*.h5 *.he5 *.hdf5 *.nc);;All files (*.*)")

# Every parameter said once (algorithms/parameters.py): the dialog, the help text and the
# reading.
INPUT = specs.Spec("INPUT", "Cube file",
    "A .mat (MATLAB v4-v7; v7.3/HDF5 is not supported), .npy / .npz, an HDF5 / netCDF "
    "file (.h5, .he5, .nc; also a subdataset such as HDF5:\"f.h5\"://group/cube; a "
    "PRISMA L2 .he5 gives its VNIR and SWIR cubes by wavelength), or any raster GDAL "
    "reads (ENVI: the data file or its .hdr; wavelengths, FWHM, bad bands and scale "
    "factors are carried into the GeoTIFF).",
    "file", file_filter=FILE_FILTER)
VARIABLE = specs.Spec("VARIABLE", "Cube variable",
    "The array's name in a .mat / .npz file (default: the largest 3-D array) or in an "
    "HDF5 / netCDF file (its full path or last name; default: the only 3-D array, "
    "else the log lists them with their sizes).",
    "string", optional=True)
AXIS_ORDER = specs.Spec("AXIS_ORDER", "Axis order of the array",
    "How a 3-D array's axes are stored, first axis first (rows_cols_bands = BIP; "
    "bands_rows_cols = BSQ; rows_bands_cols = BIL, as PRISMA stores it). 'auto' "
    "recognises it from the product, the dimension names, the ground truth's size "
    "or the array's sizes, and asks for it where none of them decides. Not used for "
    "rasters GDAL reads.",
    "choice", "auto", choices=AXIS_ORDERS, advanced=True)
GROUND_TRUTH = specs.Spec("GROUND_TRUTH", "Ground truth file",
    "Optional: class ids (0 = unlabelled) of the same rows and columns, as .mat, .npy, "
    ".npz, a raster, or an array of an HDF5 / netCDF container.", "file",
    file_filter=FILE_FILTER, optional=True)
GROUND_TRUTH_VARIABLE = specs.Spec("GROUND_TRUTH_VARIABLE", "Ground truth variable",
    "Its name in a .mat / .npz file. Default: the 2-D array of the cube's size.",
    "string", optional=True)
CRS = specs.Spec("CRS", "CRS",
    "Optional CRS assigned to the outputs (no reprojection). A raster input keeps its "
    "own CRS unless one is given here.", "crs", optional=True)
PIXEL_SIZE = specs.Spec("PIXEL_SIZE", "Pixel size",
    "Pixel side in CRS units, for arrays (and rasters without georeferencing).",
    "float", 1.0, minimum=1e-9)
ORIGIN_X = specs.Spec("ORIGIN_X", "Top-left X", "X of the image's top-left corner.", "float", 0.0)
ORIGIN_Y = specs.Spec("ORIGIN_Y", "Top-left Y",
    "Y of the image's top-left corner; rows go down (towards smaller Y), columns "
    "right.", "float", 0.0)
CLASS_NAMES = specs.Spec("CLASS_NAMES", "Class names",
    "Optional comma-separated names of classes 1, 2, ... K; missing ones are "
    "'Class N'.", "string", optional=True)
OUTPUT = specs.Spec("OUTPUT", "Cube (GeoTIFF)",
    "The cube as a tiled, DEFLATE-compressed GeoTIFF in the array's data type "
    "(integers stay integers), with each band's wavelength, FWHM, bad-band flag and "
    "scale where the input has them; shown in true colour (bands near 640 / 550 / "
    "460 nm, stretched) where it has visible wavelengths.", "raster_out")
OUTPUT_LABELS = specs.Spec("OUTPUT_LABELS", "Label raster",
    "The ground truth as a label raster: smallest integer type, nodata 0, a colour "
    "table and the class names.", "raster_out", optional=True)
OUTPUT_POLYGONS = specs.Spec("OUTPUT_POLYGONS", "Class polygons",
    "The ground truth's class regions as polygons, fields class_id (integer) and "
    "class (name): ready as training or reference polygons.", "polygons_out",
    optional=True)
PARAMETERS = [INPUT, VARIABLE, AXIS_ORDER, GROUND_TRUTH, GROUND_TRUTH_VARIABLE, CRS, PIXEL_SIZE,
              ORIGIN_X, ORIGIN_Y, CLASS_NAMES, OUTPUT, OUTPUT_LABELS, OUTPUT_POLYGONS]


IMPORT_HELP = (
    "Writes a hyperspectral cube from a MATLAB .mat, NumPy .npy/.npz, HDF5 / netCDF "
    "(PRISMA L2, NASA EMIT L2A put on its map grid, ...) or any GDAL-readable file "
    "(ENVI, an EnMAP L2A product ZIP as downloaded, ...) as a GeoTIFF, with its "
    "band wavelengths where the input has them. Classic benchmark scenes have no "
    "map coordinates: they are placed on a north-up grid with the given pixel "
    "size, top-left corner and CRS. With a ground-truth array it also writes a "
    "label raster and polygons of the class regions, for training and accuracy "
    "assessment."
)


class ImportCubeAlgorithm(CrnnAlgorithm):
    """Bring a benchmark scene (Indian Pines, Pavia, Salinas, Houston, ...) into GIS files."""

    requires_torch = False
    group_id = "data"
    group_name = "Data"

    algorithm_id = "importcube"
    display_name = "Import hyperspectral cube"
    help_intro = IMPORT_HELP
    sections = [("Parameters", PARAMETERS)]

    # --- checks ---------------------------------------------------------------------
    def checkParameterValues(self, parameters, context):
        ok, message = super().checkParameterValues(parameters, context)
        if not ok:
            return ok, message
        try:
            self._paths(specs.read_run(self, PARAMETERS, parameters, context))
        except QgsProcessingException as error:
            return False, str(error)
        return True, ""

    def _paths(self, run: specs.RunValues) -> Dict[str, str]:
        """The files of the run, by key, checked: inputs exist, outputs are GeoTIFFs and
        a polygon file."""
        paths = {spec.key: run[spec] or "" for spec in
                 (INPUT, GROUND_TRUTH, OUTPUT, OUTPUT_LABELS, OUTPUT_POLYGONS)}
        for key in (INPUT.key, GROUND_TRUTH.key):
            subdataset = parse_subdataset(paths[key]) if paths[key] else None
            if subdataset is not None and os.path.isfile(subdataset[0]):
                continue  # HDF5:"f.h5"://cube, NETCDF:"f.nc":cube
            if paths[key] and not os.path.isfile(paths[key]):
                raise QgsProcessingException(self.tr(
                    "The {} file '{}' does not exist.").format(key, paths[key]))
        for key in (OUTPUT.key, OUTPUT_LABELS.key):
            if paths[key] and os.path.splitext(paths[key])[1].lower() not in (".tif", ".tiff"):
                raise QgsProcessingException(self.tr(
                    "{} must be a GeoTIFF file (.tif), not '{}'.").format(key, paths[key]))
        polygons = paths[OUTPUT_POLYGONS.key]
        if polygons and (polygons.startswith(("ogr:", "memory:", "postgis:"))
                         or "|" in polygons):
            raise QgsProcessingException(self.tr(
                "OUTPUT_POLYGONS must be a file (e.g. a new .gpkg), not '{}'.").format(
                    polygons))
        return paths

    # --- run ------------------------------------------------------------------------
    def process(self, run: specs.RunValues, context, feedback) -> Dict[str, object]:
        paths = self._paths(run)
        if any(paths[spec.key].lower().endswith(".mat") for spec in (INPUT, GROUND_TRUTH)):
            require("scipy")  # scipy.io reads MATLAB files
        crs = run[CRS]
        placement = Placement(
            pixel_size=run[PIXEL_SIZE], origin_x=run[ORIGIN_X], origin_y=run[ORIGIN_Y],
            crs_wkt=crs.toWkt(QgsCoordinateReferenceSystem.WktVariant.WKT_PREFERRED_GDAL)
            if crs.isValid() else "",
        )
        names_text = run[CLASS_NAMES]
        class_names = [name.strip() for name in names_text.split(",")] if names_text else []
        if not paths[GROUND_TRUTH.key] and (paths[OUTPUT_LABELS.key]
                                            or paths[OUTPUT_POLYGONS.key]):
            feedback.pushInfo(self.tr(
                "No ground truth file given: only the cube is written."))
            paths[OUTPUT_LABELS.key] = paths[OUTPUT_POLYGONS.key] = ""
        result = import_cube(
            paths[INPUT.key], paths[OUTPUT.key], placement,
            ReadOptions(variable=run[VARIABLE] or None, axis_order=run[AXIS_ORDER] or "auto",
                        ground_truth_path=paths[GROUND_TRUTH.key] or None,
                        ground_truth_variable=run[GROUND_TRUTH_VARIABLE] or None),
            LabelOutputs(class_names=class_names,
                         labels_path=paths[OUTPUT_LABELS.key] or None,
                         polygons_path=paths[OUTPUT_POLYGONS.key] or None),
            self.hooks(feedback),
        )
        self._log_result(result, feedback)
        rgb = true_colour_bands(result.bands)
        if rgb is not None:
            style_true_colour(context, paths[OUTPUT.key], rgb, feedback.pushInfo)
            feedback.pushInfo(self.tr(
                "True colour: bands {} / {} / {} as red / green / blue.").format(*rgb))
        return {
            OUTPUT.key: paths[OUTPUT.key],
            OUTPUT_LABELS.key: paths[OUTPUT_LABELS.key] or None,
            OUTPUT_POLYGONS.key: paths[OUTPUT_POLYGONS.key] or None,
        }

    def _log_result(self, result, feedback) -> None:
        rows, cols, bands = result.shape
        feedback.pushInfo(self.tr("Wrote {} bands of {} x {} pixels from '{}'.").format(
            bands, rows, cols, result.cube_variable))
        if result.ground_truth_variable:
            feedback.pushInfo(self.tr("Ground truth '{}': classes {}; {} polygons.").format(
                result.ground_truth_variable,
                ", ".join(f"{v} {result.class_names[v - 1]}" for v in result.classes),
                result.polygons))
