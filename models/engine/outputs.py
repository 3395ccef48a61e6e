"""A run's outputs: their paths, checked before any work, and the GeoTIFFs written under
temporary names.

``check_output_paths`` refuses what cannot be written (no .tif, no folder, no permission,
a folder, the input itself, two outputs on one file) with a message that names the
output. ``OutputSet`` writes the class raster (smallest integer type, colour table and
class names), and where asked the probabilities and the confidence (Float32, nodata -1),
in a hidden staging folder beside each target (``files.StagedFile``), and moves them into
place only when everything succeeded: a failure or a cancel leaves neither a partial
output nor a temporary file behind. Both engines (inference.py, cluster.py) write
through it.
"""

from __future__ import annotations

import os
from typing import List, Optional, Sequence

import numpy as np
from osgeo import gdal

from ..common.classes import ClassInfo
from ..common.errors import CrnnError
from ..rasters.files import StagedFile, close_dataset, style_class_band
from . import tiles
from .request import OutputPaths
from .tiles import PROBABILITY_NODATA, FusedRows, class_type

OUTPUT_EXTENSIONS = (".tif", ".tiff")
_LABELS = ("class raster", "probability raster", "confidence raster")


# ---------------------------------------------------------------------------------------
# Checks


def _same_file(a: str, b: str) -> bool:
    if os.path.exists(a) and os.path.exists(b):
        try:
            return os.path.samefile(a, b)
        except OSError:
            pass
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def check_output_paths(input_path: str, outputs: OutputPaths) -> OutputPaths:
    """Validate the output paths (class raster first); return them as absolute paths."""
    paths: List[Optional[str]] = []
    given = (outputs.class_raster, outputs.probabilities, outputs.confidence)
    for label, path in zip(_LABELS, given):
        if path is None or str(path).strip() == "":
            if label == "class raster":
                raise CrnnError("Choose a file for the class raster (a .tif path).")
            paths.append(None)
            continue
        path = os.path.abspath(str(path))
        _check_output_path(label, path, input_path)
        for other_label, other in zip(_LABELS, paths):
            if other is not None and _same_file(path, other):
                raise CrnnError(
                    f"The {label} and the {other_label} are the same file '{path}': give "
                    "each output its own file."
                )
        paths.append(path)
    return OutputPaths(*paths)


def _check_output_path(label: str, path: str, input_path: str) -> None:
    """One output (absolute ``path``) on its own: a GeoTIFF in a folder this user may
    write to, not a folder, not the input."""
    if os.path.splitext(path)[1].lower() not in OUTPUT_EXTENSIONS:
        raise CrnnError(
            f"The {label} '{path}' must be a GeoTIFF: give it a .tif extension."
        )
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise CrnnError(
            f"The folder of the {label} '{path}' does not exist. Create the folder "
            "first or choose another output path."
        )
    if not os.access(folder, os.W_OK):
        raise CrnnError(
            f"Cannot write the {label} into '{folder}': no write permission. Choose "
            "another folder."
        )
    if os.path.isdir(path):
        raise CrnnError(f"The {label} path '{path}' is a folder: give a file name.")
    if _same_file(path, input_path):
        raise CrnnError(
            f"The {label} '{path}' is the input raster itself. Choose another output "
            "file; the input is never overwritten."
        )


# ---------------------------------------------------------------------------------------
# Outputs under temporary names


class _Output:
    """A GeoTIFF written in a hidden staging folder, moved into place on success."""

    def __init__(self, path: str, like: gdal.Dataset, bands: int, gdal_type: int) -> None:
        self.path = path
        try:
            self.stage = StagedFile(path)
        except OSError as error:
            raise CrnnError(f"Cannot create '{path}': {error.strerror or error}. Check the "
                            "folder's free space and permissions.") from None
        self.temporary = self.stage.temporary
        side = tiles.OUTPUT_TILE  # read here, not imported: tests shrink it
        options = ["TILED=YES", f"BLOCKXSIZE={side}", f"BLOCKYSIZE={side}",
                   "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"]
        if bands > 1:
            options.append("INTERLEAVE=BAND")
        driver = gdal.GetDriverByName("GTiff")
        try:
            self.dataset = driver.Create(
                self.temporary, like.RasterXSize, like.RasterYSize, bands, gdal_type, options
            )
        except RuntimeError:
            self.dataset = None
        if self.dataset is None:
            self.stage.discard()
            raise CrnnError(
                f"Cannot create '{path}': {gdal.GetLastErrorMsg() or 'write error'}. Check "
                "the folder's free space and permissions."
            )
        transform = like.GetGeoTransform(can_return_null=True)
        if transform is not None:
            self.dataset.SetGeoTransform(transform)
        projection = like.GetProjection()
        if projection:
            self.dataset.SetProjection(projection)

    def band(self, index: int) -> gdal.Band:
        return self.dataset.GetRasterBand(index)

    def _failed(self, error: Optional[str] = None) -> CrnnError:
        return CrnnError(
            f"Cannot write '{self.path}': {error or gdal.GetLastErrorMsg() or 'write error'}. "
            "Check the free disk space, or choose another folder."
        )

    def write(self, stack: np.ndarray, row: int, col: int = 0) -> None:
        """(bands, rows, cols) at (``row``, ``col``); flushed so finished tiles leave
        memory."""
        gdal.ErrorReset()
        for index, array in enumerate(stack, start=1):
            try:
                failed = self.band(index).WriteArray(array, col, row) != 0
            except RuntimeError:
                failed = True
            if failed:
                raise self._failed()
        try:
            self.dataset.FlushCache()
        except RuntimeError:
            raise self._failed() from None
        # GDAL reports a full disk while flushing only through its error state
        if gdal.GetLastErrorType() >= gdal.CE_Failure:
            raise self._failed()

    def _close(self) -> Optional[str]:
        """Close the file (writing the TIFF directory); return GDAL's error, or None."""
        if self.dataset is None:
            return None
        error = close_dataset(self.dataset)
        self.dataset = None
        return error

    def close(self) -> None:
        error = self._close()
        if error is not None:
            raise self._failed(error)

    def commit(self) -> None:
        self.close()
        self.stage.commit()

    def discard(self) -> None:
        self._close()  # its error, if any, goes with the file
        self.stage.discard()


class OutputSet:
    """The run's GeoTIFFs (class raster; probabilities and confidence where ``paths``
    names them), on the grid of ``like``, written row by row under temporary names and
    moved into place all together."""

    def __init__(self, paths: OutputPaths, like: gdal.Dataset,
                 classes: Sequence[ClassInfo]) -> None:
        self.outputs: List[_Output] = []
        class_gdal, _, class_nodata = class_type(classes)
        try:
            self.classes = self._add(paths.class_raster, like, 1, class_gdal)
            self.classes.band(1).SetDescription("class")
            style_class_band(self.classes.band(1), classes, class_nodata)
            self.probabilities = self.confidence = None
            if paths.probabilities:
                self.probabilities = self._add(paths.probabilities, like, len(classes),
                                               gdal.GDT_Float32)
                for index, info in enumerate(classes, start=1):
                    self.probabilities.band(index).SetDescription(info.name)
                    self.probabilities.band(index).SetNoDataValue(PROBABILITY_NODATA)
            if paths.confidence:
                self.confidence = self._add(paths.confidence, like, 1, gdal.GDT_Float32)
                self.confidence.band(1).SetDescription("confidence")
                self.confidence.band(1).SetNoDataValue(PROBABILITY_NODATA)
        except BaseException:
            self.discard()
            raise

    def _add(self, path: str, like: gdal.Dataset, bands: int, gdal_type: int) -> _Output:
        output = _Output(path, like, bands, gdal_type)
        self.outputs.append(output)
        return output

    def write(self, row: int, fused: FusedRows, col: int = 0) -> None:
        self.classes.write(fused.labels[None], row, col)
        if self.confidence is not None:
            self.confidence.write(fused.confidence[None], row, col)
        if self.probabilities is not None:
            self.probabilities.write(fused.probabilities, row, col)

    def commit(self) -> None:
        """Close every file (so a late write error stops all), then move all into place."""
        for output in self.outputs:
            output.close()
        for output in self.outputs:
            output.commit()

    def discard(self) -> None:
        for output in self.outputs:
            output.discard()


__all__ = ["check_output_paths", "OutputSet", "OUTPUT_EXTENSIONS"]
