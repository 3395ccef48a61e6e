"""The Indian Pines scene as GIS files: the demo data set and the accuracy protocol.

Indian Pines is the AVIRIS scene of 12 June 1992 over the Purdue University Agronomy
farm north-west of West Lafayette, Indiana (Baumgardner, Biehl and Landgrebe 2015,
doi:10.4231/R7RX991C, CC BY 3.0): 145 x 145 pixels, 200 bands after removal of the
water absorption bands, 16 classes, 10249 labelled pixels. We read the copy shipped in
the ``tensorly==0.10.0`` wheel.

:func:`write_scene` turns it into what a QGIS user would have: a GeoTIFF cube, a label
raster, training polygons and a test label raster. The published scene has no map
coordinates, so we give it a made-up but plausible placement (see
:data:`SYNTHETIC_GEOTRANSFORM`); the files say so in their metadata.

The training set follows ``protocol.md`` (see :func:`protocol_split`): N random pixels
per class, a class with fewer than 2N labelled pixels giving half of them; every other
labelled pixel is a test pixel.

Run ``python -m hyperspectral_crnn.demo.indian_pines OUTDIR`` to write the files.

This module uses numpy and GDAL/OGR/OSR only, never QGIS.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys

import numpy as np
from osgeo import gdal, ogr, osr

from ..models.common.classes import ClassInfo
from ..models.rasters.files import gdal_exceptions, style_class_band

CLASS_NAMES: tuple[str, ...] = (
    "Alfalfa",
    "Corn-notill",
    "Corn-mintill",
    "Corn",
    "Grass-pasture",
    "Grass-trees",
    "Grass-pasture-mowed",
    "Hay-windrowed",
    "Oats",
    "Soybean-notill",
    "Soybean-mintill",
    "Soybean-clean",
    "Wheat",
    "Woods",
    "Buildings-Grass-Trees-Drives",
    "Stone-Steel-Towers",
)
"""The 16 standard class names; ``CLASS_NAMES[i]`` is class value ``i + 1``."""

# One colour per class value (0 = unlabelled, transparent), for the label rasters.
CLASS_COLOURS: tuple[tuple[int, int, int], ...] = (
    (255, 254, 137),
    (3, 28, 241),
    (255, 89, 1),
    (5, 255, 133),
    (255, 2, 251),
    (89, 1, 255),
    (3, 171, 255),
    (12, 255, 7),
    (172, 175, 84),
    (160, 78, 158),
    (101, 173, 255),
    (60, 91, 112),
    (104, 192, 63),
    (139, 69, 46),
    (119, 255, 172),
    (254, 255, 3),
)

SHAPE = (145, 145, 200)
"""(rows, columns, bands) of the scene."""

EPSG = 32616
"""UTM zone 16N (WGS 84), the zone of West Lafayette, Indiana."""

PIXEL_SIZE = 20.0
"""Metres; AVIRIS flown at about 20 km altitude gives roughly 20 m pixels."""

SYNTHETIC_GEOTRANSFORM = (500000.0, PIXEL_SIZE, 0.0, 4480000.0, 0.0, -PIXEL_SIZE)
"""Made-up placement: upper-left corner at about 40.47 N, 87.00 W, a few kilometres
north-west of West Lafayette. Plausible, not the true footprint of the flight line."""

SYNTHETIC_NOTE = (
    "synthetic: the published Indian Pines scene has no map coordinates; this placement "
    "(EPSG:32616, 20 m pixels, upper-left corner at about 40.47 N 87.00 W near West "
    "Lafayette, Indiana) is made up for demonstration"
)
SOURCE_NOTE = (
    "AVIRIS Indian Pines, 12 June 1992, 200 bands (water absorption bands removed). "
    "Baumgardner, Biehl, Landgrebe (2015), doi:10.4231/R7RX991C, CC BY 3.0; "
    "copy shipped in tensorly 0.10.0"
)

FILE_NAMES = {
    "cube": "indian_pines.tif",
    "ground_truth": "indian_pines_gt.tif",
    "training": "indian_pines_training.gpkg",
    "test": "indian_pines_test.tif",
}
TRAINING_LAYER = "training"


def _data_folder() -> str:
    """Return tensorly's ``datasets/data`` folder, or raise if tensorly is missing."""
    spec = importlib.util.find_spec("tensorly")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "Indian Pines is read from the tensorly wheel, which is not installed: "
            "pip install tensorly==0.10.0"
        )
    package = list(spec.submodule_search_locations)[0]
    return os.path.join(package, "datasets", "data")


def load_indian_pines() -> tuple[np.ndarray, np.ndarray]:
    """Load the Indian Pines cube and its ground truth.

    Returns:
        ``(cube, gt)``: cube of shape (145, 145, 200), uint16, C-contiguous, indexed
        (row, column, band); gt of shape (145, 145), uint8, 0 = unlabelled and
        ``k`` = ``CLASS_NAMES[k - 1]``.

    Raises:
        FileNotFoundError: if tensorly 0.10.0 (which ships the data) is not installed.
    """
    folder = _data_folder()
    paths = [os.path.join(folder, name) for name in ("Indian_pines_corrected.npy",
                                                      "Indian_pines_gt.npy")]
    for path in paths:
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"{path} not found; Indian Pines comes with the tensorly wheel: "
                "pip install tensorly==0.10.0"
            )
    # The .npy files are stored in Fortran order; copy to C order, (row, col, band).
    cube = np.ascontiguousarray(np.load(paths[0]), dtype=np.uint16)
    gt = np.ascontiguousarray(np.load(paths[1]), dtype=np.uint8)
    if cube.shape != SHAPE or gt.shape != SHAPE[:2]:
        raise ValueError(f"unexpected Indian Pines shapes {cube.shape} and {gt.shape}")
    return cube, gt


def protocol_split(gt: np.ndarray, n_per_class: int, seed: int) -> np.ndarray:
    """Draw the training pixels of the accuracy protocol (``protocol.md``).

    For each class value present in ``gt`` (0 = unlabelled is skipped), in increasing
    order, draw ``n_per_class`` of its pixels at random without replacement; a class
    with fewer than ``2 * n_per_class`` labelled pixels gives half of them (rounded
    down). Every other labelled pixel is a test pixel:
    ``test = (gt > 0) & ~training``.

    The draw is ``np.random.default_rng(seed).choice`` over each class's flat
    (row-major) pixel indices, class after class, so a seed gives the same split
    everywhere.

    Args:
        gt: 2-D integer label array, 0 = unlabelled.
        n_per_class: pixels drawn per class (N; the protocol uses 100, 200, 300).
        seed: seed of the random generator.

    Returns:
        Boolean mask, shape of ``gt``, True for training pixels.
    """
    if n_per_class < 1:
        raise ValueError(f"n_per_class must be at least 1, got {n_per_class}")
    labels = np.asarray(gt)
    flat = labels.ravel()
    rng = np.random.default_rng(seed)
    mask = np.zeros(flat.shape, dtype=bool)
    for value in np.unique(flat):
        if value == 0:
            continue
        pixels = np.flatnonzero(flat == value)
        count = n_per_class if pixels.size >= 2 * n_per_class else pixels.size // 2
        mask[rng.choice(pixels, size=count, replace=False)] = True
    return mask.reshape(labels.shape)


def _spatial_reference() -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(EPSG)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def _remove(path: str) -> None:
    for candidate in (path, path + ".aux.xml"):
        if os.path.exists(candidate):
            os.remove(candidate)


def _write_labels(path: str, labels: np.ndarray, description: str) -> None:
    """Write a uint8 label raster with nodata 0, a colour table and class names."""
    _remove(path)
    rows, cols = labels.shape
    driver = gdal.GetDriverByName("GTiff")
    dataset = driver.Create(path, cols, rows, 1, gdal.GDT_Byte,
                            options=["COMPRESS=DEFLATE", "TILED=YES"])
    dataset.SetGeoTransform(SYNTHETIC_GEOTRANSFORM)
    dataset.SetSpatialRef(_spatial_reference())
    dataset.SetMetadataItem("GEOREFERENCING", SYNTHETIC_NOTE)
    dataset.SetMetadataItem("SOURCE", SOURCE_NOTE)
    band = dataset.GetRasterBand(1)
    band.SetDescription(description)
    # the colours this data set is usually shown in, not the plugin's palette
    style_class_band(band, [ClassInfo(value, name, "#{:02x}{:02x}{:02x}".format(*colour))
                            for value, (name, colour)
                            in enumerate(zip(CLASS_NAMES, CLASS_COLOURS), start=1)],
                     0, "Unlabelled")
    band.WriteArray(labels.astype(np.uint8))
    dataset.FlushCache()
    dataset = None


def _write_cube(path: str, cube: np.ndarray) -> None:
    """Write the (row, col, band) cube as a tiled, compressed multi-band GeoTIFF."""
    _remove(path)
    rows, cols, bands = cube.shape
    driver = gdal.GetDriverByName("GTiff")
    dataset = driver.Create(
        path, cols, rows, bands, gdal.GDT_UInt16,
        options=["TILED=YES", "BLOCKXSIZE=64", "BLOCKYSIZE=64", "COMPRESS=DEFLATE",
                 "PREDICTOR=2", "INTERLEAVE=PIXEL"],
    )
    dataset.SetGeoTransform(SYNTHETIC_GEOTRANSFORM)
    dataset.SetSpatialRef(_spatial_reference())
    dataset.SetMetadataItem("GEOREFERENCING", SYNTHETIC_NOTE)
    dataset.SetMetadataItem("SOURCE", SOURCE_NOTE)
    for index in range(bands):
        dataset.GetRasterBand(index + 1).SetDescription(f"Band {index + 1}")
    # One call with the (band, row, col) view: GDAL interleaves it per tile.
    dataset.WriteArray(np.ascontiguousarray(cube.transpose(2, 0, 1)))
    dataset.FlushCache()
    dataset = None


def _write_training(path: str, gt: np.ndarray, train: np.ndarray) -> None:
    """Write one square polygon per training pixel, exactly the pixel's footprint."""
    driver = ogr.GetDriverByName("GPKG")
    if os.path.exists(path):
        driver.DeleteDataSource(path)
    source = driver.CreateDataSource(path)
    layer = source.CreateLayer(TRAINING_LAYER, _spatial_reference(), ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("class", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("class_id", ogr.OFTInteger))
    definition = layer.GetLayerDefn()
    x0, dx, _, y0, _, dy = SYNTHETIC_GEOTRANSFORM
    layer.StartTransaction()
    for row, col in zip(*np.nonzero(train)):
        value = int(gt[row, col])
        left, top = x0 + col * dx, y0 + row * dy
        right, bottom = left + dx, top + dy
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for x, y in ((left, top), (right, top), (right, bottom), (left, bottom),
                     (left, top)):
            ring.AddPoint_2D(x, y)
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)
        feature = ogr.Feature(definition)
        feature.SetField("class", CLASS_NAMES[value - 1])
        feature.SetField("class_id", value)
        feature.SetGeometry(polygon)
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    source = None


def write_scene(folder: str | os.PathLike, n_per_class: int = 200,
                seed: int = 0) -> dict[str, str]:
    """Write Indian Pines as GIS files into ``folder`` (created; files overwritten).

    Files, all in EPSG:32616 with 20 m pixels at the made-up placement
    :data:`SYNTHETIC_GEOTRANSFORM` (metadata item ``GEOREFERENCING`` says so):

    - ``indian_pines.tif``: the cube, 200 uint16 bands ("Band 1" ... "Band 200"),
      64 x 64 tiles, DEFLATE.
    - ``indian_pines_gt.tif``: the full ground truth, uint8, nodata 0, colour table,
      class names as GDAL category names.
    - ``indian_pines_training.gpkg``: layer ``training``, one square polygon per
      training pixel of ``protocol_split(gt, n_per_class, seed)``, exactly that pixel's
      footprint, so rasterising it by pixel centres gives back exactly those pixels;
      fields ``class`` (class name) and ``class_id`` (1-16).
    - ``indian_pines_test.tif``: the ground truth restricted to test pixels (training
      pixels and unlabelled pixels are 0 = nodata), for accuracy assessment.

    Args:
        folder: output folder.
        n_per_class: N of the protocol (training pixels per class).
        seed: seed of the split.

    Returns:
        Paths by key: ``cube``, ``ground_truth``, ``training``, ``test``.
    """
    os.makedirs(folder, exist_ok=True)
    paths = {key: os.path.join(os.fspath(folder), name) for key, name in FILE_NAMES.items()}
    cube, gt = load_indian_pines()
    train = protocol_split(gt, n_per_class, seed)
    test = np.where(train, 0, gt).astype(np.uint8)
    with gdal_exceptions():
        _write_cube(paths["cube"], cube)
        _write_labels(paths["ground_truth"], gt, "Indian Pines ground truth")
        _write_training(paths["training"], gt, train)
        _write_labels(paths["test"], test,
                      f"Indian Pines test pixels (N={n_per_class}, seed={seed})")
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: write the scene into a folder and print the file paths."""
    parser = argparse.ArgumentParser(
        prog="python -m hyperspectral_crnn.demo.indian_pines",
        description="Write the Indian Pines scene (cube, labels, training polygons, "
        "test labels) as GeoTIFF and GeoPackage files.",
    )
    parser.add_argument("folder", help="output folder (created; files overwritten)")
    parser.add_argument("--n-per-class", type=int, default=200,
                        help="training pixels per class, N of the protocol (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    args = parser.parse_args(argv)
    paths = write_scene(args.folder, args.n_per_class, args.seed)
    for key, path in paths.items():
        print(f"{key}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
