"""Class names and colours on the classified layer; true colour on a hyperspectral one.

A .qml beside the class raster carries a paletted renderer (QGIS and tools reading
QGIS styles pick it up), and a layer post-processor applies it to the layer that
Processing loads when the algorithm finishes. A hyperspectral raster with wavelengths
gets a true-colour renderer the same two ways (the bands chosen by
models/rasters/rendering.py, each stretched to its 2-98 % cumulative cut).
"""

from __future__ import annotations

import os
from typing import Dict, Sequence, Tuple

from qgis.core import (
    QgsContrastEnhancement,
    QgsMultiBandColorRenderer,
    QgsPalettedRasterRenderer,
    QgsProcessingLayerPostProcessorInterface,
    QgsRasterLayer,
)
from qgis.PyQt.QtGui import QColor

from ..models.common.classes import ClassInfo
from ..models.rasters.paths import styles_another_dataset
from ..models.rasters.rendering import STRETCH_PERCENT
from .parameters import tr


def paletted_renderer(layer: QgsRasterLayer, classes: Sequence[ClassInfo]):
    entries = [QgsPalettedRasterRenderer.Class(c.value, QColor(c.color), c.name)
               for c in classes]
    return QgsPalettedRasterRenderer(layer.dataProvider(), 1, entries)


def write_style(raster_path: str, classes: Sequence[ClassInfo], log=None) -> str:
    """Write ``<raster>.qml`` with the class colours and names; returns its path ("" where
    none is written, :func:`_save_style`)."""
    return _save_style(raster_path, lambda layer: paletted_renderer(layer, classes), log)


def _save_style(raster_path: str, renderer, log=None) -> str:
    """Write ``<raster>.qml`` holding ``renderer(layer)`` for the raster; returns its path
    (QGIS applies a .qml of the same name when the file is opened later).

    Where another file shares the raster's name (``scene.bsq`` beside ``scene.tif``) the
    .qml would restyle that dataset too: none is written, ``log`` says so, and "" is
    returned (the layer loaded on completion is styled all the same).
    """
    others = styles_another_dataset(raster_path)
    qml = os.path.splitext(raster_path)[0] + ".qml"
    if others:
        if log is not None:
            log(tr("No style file '{qml}' was written: QGIS would apply it to '{other}' "
                   "too. Give the output a name of its own to keep its style in a file.")
                .format(qml=os.path.basename(qml), other=others[0]))
        return ""
    layer = QgsRasterLayer(raster_path, "raster", "gdal")
    layer.setRenderer(renderer(layer))
    layer.saveNamedStyle(qml)
    return qml


class RendererStyler(QgsProcessingLayerPostProcessorInterface):
    """Gives the output layer ``renderer(layer)`` once QGIS has loaded it."""

    def __init__(self, renderer) -> None:
        super().__init__()
        self.renderer = renderer

    def postProcessLayer(self, layer, context, feedback) -> None:
        if isinstance(layer, QgsRasterLayer):
            layer.setRenderer(self.renderer(layer))
            layer.triggerRepaint()


class ClassStyler(RendererStyler):
    """Applies the class palette to the output layer once QGIS has loaded it."""

    def __init__(self, classes: Sequence[ClassInfo]) -> None:
        classes = list(classes)
        super().__init__(lambda layer: paletted_renderer(layer, classes))
        self.classes = classes


# Processing keeps only a pointer to a post-processor: hold a reference per output until
# QGIS is done with it (the algorithm object itself is gone by then).
_STYLERS: Dict[str, QgsProcessingLayerPostProcessorInterface] = {}


def style_output(context, raster_path: str, classes: Sequence[ClassInfo], log=None) -> None:
    """Write the .qml and style the layer Processing loads on completion, if any."""
    write_style(raster_path, classes, log)
    if context.willLoadLayerOnCompletion(raster_path):
        styler = ClassStyler(classes)
        _STYLERS[raster_path] = styler
        context.layerToLoadOnCompletionDetails(raster_path).setPostProcessor(styler)


# --- true colour -------------------------------------------------------------------------

STRETCH_SAMPLE = 250000
"""Pixels sampled for each channel's cumulative cut (QGIS's own default sample size)."""


def true_colour_renderer(layer: QgsRasterLayer, rgb: Tuple[int, int, int]):
    """A red-green-blue renderer of the three bands, each stretched from its lower to
    its upper cumulative cut (models/rendering.STRETCH_PERCENT)."""
    provider = layer.dataProvider()
    renderer = QgsMultiBandColorRenderer(provider, *rgb)
    low, high = (percent / 100.0 for percent in STRETCH_PERCENT)
    setters = (renderer.setRedContrastEnhancement, renderer.setGreenContrastEnhancement,
               renderer.setBlueContrastEnhancement)
    for band, setter in zip(rgb, setters):
        minimum, maximum = provider.cumulativeCut(band, low, high, layer.extent(),
                                                  STRETCH_SAMPLE)
        enhancement = QgsContrastEnhancement(provider.dataType(band))
        enhancement.setContrastEnhancementAlgorithm(
            QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum)
        enhancement.setMinimumValue(minimum)
        enhancement.setMaximumValue(maximum)
        setter(enhancement)
    return renderer


def write_true_colour_style(raster_path: str, rgb: Tuple[int, int, int], log=None) -> str:
    """Write ``<raster>.qml`` with the true-colour renderer; returns its path ("" where
    none is written, :func:`_save_style`)."""
    return _save_style(raster_path, lambda layer: true_colour_renderer(layer, rgb), log)


class QmlStyler(QgsProcessingLayerPostProcessorInterface):
    """Gives the layer QGIS loads on completion the style saved beside its file."""

    def __init__(self, qml: str) -> None:
        super().__init__()
        self.qml = qml

    def postProcessLayer(self, layer, context, feedback) -> None:
        if not isinstance(layer, QgsRasterLayer):
            return
        _, loaded = layer.loadNamedStyle(self.qml)
        if loaded:
            layer.triggerRepaint()


_QML_STYLERS: Dict[str, QgsProcessingLayerPostProcessorInterface] = {}


def style_true_colour(context, raster_path: str, rgb: Tuple[int, int, int],
                      log=None) -> str:
    """Write the .qml and show the layer Processing loads on completion in true colour;
    returns the .qml's path ("" where none could be written, :func:`_save_style`)."""
    qml = write_true_colour_style(raster_path, rgb, log)
    if context.willLoadLayerOnCompletion(raster_path):
        styler = QmlStyler(qml) if qml else RendererStyler(
            lambda layer: true_colour_renderer(layer, rgb))
        _QML_STYLERS[raster_path] = styler
        context.layerToLoadOnCompletionDetails(raster_path).setPostProcessor(styler)
    return qml
