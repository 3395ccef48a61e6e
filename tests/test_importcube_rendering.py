"""True colour for an imported hyperspectral raster: the bands chosen by wavelength
(models/rasters/rendering.py) and the QGIS renderer, .qml and post-processor (algorithms/styling.py)
on real GeoTIFFs."""

from __future__ import annotations

import os

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import (
    QgsContrastEnhancement,
    QgsMultiBandColorRenderer,
    QgsProcessingContext,
    QgsProject,
    QgsRasterLayer,
)

from hyperspectral_crnn.algorithms.styling import (
    QmlStyler,
    style_true_colour,
    true_colour_renderer,
)
from hyperspectral_crnn.models.rasters.bands import BandInfo, write_band_metadata
from hyperspectral_crnn.models.rasters.rendering import MAX_OFFSET_NM, true_colour_bands


def _bands(wavelengths, bad=()):
    return [BandInfo(index=k + 1, wavelength=w, bad=(k + 1) in bad)
            for k, w in enumerate(wavelengths)]


def test_bands_nearest_red_green_blue():
    aviris_like = list(np.arange(400.0, 2500.0, 10.0))  # 400, 410, ...
    red, green, blue = true_colour_bands(_bands(aviris_like))
    assert (aviris_like[red - 1], aviris_like[green - 1], aviris_like[blue - 1]) == (
        640.0, 550.0, 460.0)
    # any band order: reversed, the numbers follow the wavelengths
    reversed_bands = _bands(aviris_like[::-1])
    rgb = true_colour_bands(reversed_bands)
    assert [reversed_bands[i - 1].wavelength for i in rgb] == [640.0, 550.0, 460.0]
    # a bad band is passed over for its neighbour
    red = true_colour_bands(_bands(aviris_like, bad={25}))[0]
    assert aviris_like[red - 1] in (630.0, 650.0)


def test_no_true_colour_without_visible_wavelengths():
    assert true_colour_bands(_bands([None, None, None])) is None
    assert true_colour_bands([]) is None
    assert true_colour_bands(_bands([1000.0, 1200.0, 1600.0, 2200.0])) is None  # SWIR
    # no band within MAX_OFFSET_NM of blue
    assert true_colour_bands(_bands([460.0 + MAX_OFFSET_NM + 1, 550.0, 640.0])) is None
    # one band near two targets cannot be both
    assert true_colour_bands(_bands([505.0, 600.0])) is None


def _raster(path, wavelengths, rows=40, cols=30) -> np.ndarray:
    rng = np.random.default_rng(0)
    values = rng.integers(100, 5000, (len(wavelengths), rows, cols)).astype(np.int16)
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, len(wavelengths),
                                                   gdal.GDT_Int16)
    dataset.SetGeoTransform((0.0, 1.0, 0.0, 0.0, 0.0, -1.0))
    dataset.WriteArray(values)
    write_band_metadata(dataset, _bands(wavelengths))
    dataset = None
    return values


def test_renderer_and_qml_stretch_the_chosen_bands(qgis_app, tmp_path):
    wavelengths = [420.0, 465.0, 548.0, 601.0, 645.0, 860.0]
    path = str(tmp_path / "cube.tif")
    values = _raster(path, wavelengths)
    rgb = true_colour_bands(_bands(wavelengths))
    assert rgb == (5, 3, 2)
    context = QgsProcessingContext()
    qml = style_true_colour(context, path, rgb)  # nothing to load: only the .qml
    assert qml == os.path.splitext(path)[0] + ".qml" and os.path.isfile(qml)

    layer = QgsRasterLayer(path, "cube", "gdal")
    _, loaded = layer.loadNamedStyle(qml)
    assert loaded
    renderer = layer.renderer()
    assert isinstance(renderer, QgsMultiBandColorRenderer)
    assert (renderer.redBand(), renderer.greenBand(), renderer.blueBand()) == rgb
    for band, enhancement in zip(rgb, (renderer.redContrastEnhancement(),
                                       renderer.greenContrastEnhancement(),
                                       renderer.blueContrastEnhancement())):
        assert enhancement.contrastEnhancementAlgorithm() == \
            QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum
        low, high = np.percentile(values[band - 1], [2, 98])
        data = values[band - 1]
        # the cut leaves about 2 % of the pixels on each side (QGIS's histogram bins)
        assert enhancement.minimumValue() == pytest.approx(low, abs=0.02 * np.ptp(data))
        assert enhancement.maximumValue() == pytest.approx(high, abs=0.02 * np.ptp(data))
        assert data.min() < enhancement.minimumValue() < enhancement.maximumValue() < \
            data.max()


def test_post_processor_gives_the_loaded_layer_true_colour(qgis_app, tmp_path):
    wavelengths = [460.0, 550.0, 640.0, 900.0]
    path = str(tmp_path / "cube.tif")
    _raster(path, wavelengths)
    context = QgsProcessingContext()
    project = QgsProject()
    context.setProject(project)
    context.addLayerToLoadOnCompletion(
        path, QgsProcessingContext.LayerDetails("cube", project, "OUTPUT"))
    style_true_colour(context, path, (3, 2, 1))
    styler = context.layerToLoadOnCompletionDetails(path).postProcessor()
    assert styler is not None
    options = QgsRasterLayer.LayerOptions()
    options.loadDefaultStyle = False  # as Processing's layer before its post-processor
    layer = QgsRasterLayer(path, "cube", "gdal", options)
    assert _bands_of(layer.renderer()) == (1, 2, 3)  # QGIS's default
    styler.postProcessLayer(layer, context, None)
    assert _bands_of(layer.renderer()) == (3, 2, 1)
    # opened later, QGIS finds the .qml beside the file
    assert _bands_of(QgsRasterLayer(path, "again", "gdal").renderer()) == (3, 2, 1)
    assert isinstance(styler, QmlStyler)
    assert _bands_of(true_colour_renderer(layer, (3, 2, 1))) == (3, 2, 1)


def _bands_of(renderer):
    assert isinstance(renderer, QgsMultiBandColorRenderer)
    return renderer.redBand(), renderer.greenBand(), renderer.blueBand()
