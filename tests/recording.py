"""A Processing feedback that keeps what an algorithm tells the user."""

from __future__ import annotations

from qgis.core import QgsProcessingFeedback


class Recorder(QgsProcessingFeedback):
    """Keeps the warnings and infos an algorithm pushes."""

    def __init__(self):
        super().__init__()
        self.warnings: list[str] = []
        self.infos: list[str] = []

    def pushWarning(self, text):  # noqa: N802 - QGIS's name
        self.warnings.append(text)
        super().pushWarning(text)

    def pushInfo(self, text):  # noqa: N802 - QGIS's name
        self.infos.append(text)
        super().pushInfo(text)
