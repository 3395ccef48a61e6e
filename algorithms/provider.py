"""The ``crnn`` Processing provider."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from . import algorithm_classes
from .base import ICON_PATH, plugin_icon

PROVIDER_ID = "crnn"
PROVIDER_NAME = "Hyperspectral CRNN"


class CrnnProvider(QgsProcessingProvider):
    """Provider ``crnn`` ("Hyperspectral CRNN") holding the plugin's algorithms."""

    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return PROVIDER_NAME

    def longName(self) -> str:  # name fixed by QGIS
        return PROVIDER_NAME

    def icon(self) -> QIcon:
        return plugin_icon()

    def svgIconPath(self) -> str:  # name fixed by QGIS
        return ICON_PATH

    def loadAlgorithms(self) -> None:  # name fixed by QGIS
        for algorithm_class in algorithm_classes():
            self.addAlgorithm(algorithm_class())
