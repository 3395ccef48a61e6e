"""A Processing feedback that keeps what an algorithm tells the user."""

from __future__ import annotations

from qgis.core import QgsProcessingFeedback


class Recorder(QgsProcessingFeedback):
    """Keeps the warnings and infos an algorithm pushes."""

    def __init__(self):
        super().__init__()
        self.warnings: list[str] = []
        self.infos: list[str] = []

    def pushWarning(self, text):  # name fixed by QGIS
        self.warnings.append(text)
        super().pushWarning(text)

    def pushInfo(self, text):  # name fixed by QGIS
        self.infos.append(text)
        super().pushInfo(text)
