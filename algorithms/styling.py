"""Class names and colours on the classified layer, in QGIS and in other tools.

A .qml beside the class raster carries a paletted renderer (QGIS and tools reading
QGIS styles pick it up), and a layer post-processor applies it to the layer that
Processing loads when the algorithm finishes.
"""

from __future__ import annotations

import os
from typing import Dict, Sequence

from qgis.core import (
    QgsPalettedRasterRenderer,
    QgsProcessingLayerPostProcessorInterface,
    QgsRasterLayer,
)
from qgis.PyQt.QtGui import QColor

from ..models.modelfile import ClassInfo


def paletted_renderer(layer: QgsRasterLayer, classes: Sequence[ClassInfo]):
    entries = [QgsPalettedRasterRenderer.Class(c.value, QColor(c.color), c.name)
               for c in classes]
    return QgsPalettedRasterRenderer(layer.dataProvider(), 1, entries)


def write_style(raster_path: str, classes: Sequence[ClassInfo]) -> str:
    """Write ``<raster>.qml`` with the class colours and names; returns its path."""
    layer = QgsRasterLayer(raster_path, "classes", "gdal")
    layer.setRenderer(paletted_renderer(layer, classes))
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
