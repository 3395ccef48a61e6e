"""The plugin object QGIS loads: it only registers the Processing provider.

Everything goes through Processing, so the plugin works the same in QGIS desktop, the
graphical modeler and ``qgis_process`` (where there is no ``iface``).
"""

from __future__ import annotations

from qgis.core import QgsApplication


class CrnnPlugin:
    """Registers the ``crnn`` Processing provider and removes it on unload."""

    def __init__(self, iface=None) -> None:
        # Kept for QGIS's plugin API; nothing on the Processing path uses it.
        self.iface = iface
        self.provider = None

    def initProcessing(self) -> None:  # noqa: N802 - name fixed by QGIS
        """Register the provider (called by QGIS desktop and by ``qgis_process``)."""
        if self.provider is not None:
            return
        from .algorithms.provider import CrnnProvider

        self.provider = CrnnProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802 - name fixed by QGIS
        """Desktop start-up: the plugin has no GUI of its own beyond Processing."""
        self.initProcessing()

    def unload(self) -> None:
        """Remove the provider from the Processing registry."""
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
