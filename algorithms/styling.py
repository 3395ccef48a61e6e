"""Class names and colours on the classified layer; true colour on a hyperspectral one.

A .qml beside the class raster carries a paletted renderer (QGIS and tools reading
QGIS styles pick it up), and a layer post-processor applies it to the layer that
Processing loads when the algorithm finishes. A hyperspectral raster with wavelengths
gets a true-colour renderer the same two ways (the bands chosen by
models/rendering.py, each stretched to its 2-98 % cumulative cut).
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

from ..models.modelfile import ClassInfo
from ..models.rendering import STRETCH_PERCENT


def paletted_renderer(layer: QgsRasterLayer, classes: Sequence[ClassInfo]):
    entries = [QgsPalettedRasterRenderer.Class(c.value, QColor(c.color), c.name)
               for c in classes]
    return QgsPalettedRasterRenderer(layer.dataProvider(), 1, entries)


def write_style(raster_path: str, classes: Sequence[ClassInfo]) -> str:
    """Write ``<raster>.qml`` with the class colours and names; returns its path."""
    return _save_style(raster_path, lambda layer: paletted_renderer(layer, classes))


def _save_style(raster_path: str, renderer) -> str:
    """Write ``<raster>.qml`` holding ``renderer(layer)`` for the raster; returns its path
    (QGIS applies a .qml of the same name when the file is opened later)."""
    layer = QgsRasterLayer(raster_path, "raster", "gdal")
    layer.setRenderer(renderer(layer))
    qml = os.path.splitext(raster_path)[0] + ".qml"
    layer.saveNamedStyle(qml)
    return qml


class ClassStyler(QgsProcessingLayerPostProcessorInterface):
    """Applies the class palette to the output layer once QGIS has loaded it."""

    def __init__(self, classes: Sequence[ClassInfo]) -> None:
        super().__init__()
        self.classes = list(classes)

    def postProcessLayer(self, layer, context, feedback) -> None:
        if isinstance(layer, QgsRasterLayer):
            layer.setRenderer(paletted_renderer(layer, self.classes))
            layer.triggerRepaint()


# Processing keeps only a pointer to a post-processor: hold a reference per output until
# QGIS is done with it (the algorithm object itself is gone by then).
_STYLERS: Dict[str, ClassStyler] = {}


def style_output(context, raster_path: str, classes: Sequence[ClassInfo]) -> None:
    """Write the .qml and style the layer Processing loads on completion, if any."""
    write_style(raster_path, classes)
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


def write_true_colour_style(raster_path: str, rgb: Tuple[int, int, int]) -> str:
    """Write ``<raster>.qml`` with the true-colour renderer; returns its path."""
    return _save_style(raster_path, lambda layer: true_colour_renderer(layer, rgb))


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


_QML_STYLERS: Dict[str, QmlStyler] = {}


def style_true_colour(context, raster_path: str, rgb: Tuple[int, int, int]) -> str:
    """Write the .qml and show the layer Processing loads on completion in true colour."""
    qml = write_true_colour_style(raster_path, rgb)
    if context.willLoadLayerOnCompletion(raster_path):
        styler = QmlStyler(qml)
        _QML_STYLERS[raster_path] = styler
        context.layerToLoadOnCompletionDetails(raster_path).setPostProcessor(styler)
    return qml
