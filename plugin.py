"""The plugin object QGIS loads: it installs the translation and registers the provider.

Everything goes through Processing, so the plugin works the same in QGIS desktop, the
graphical modeler and ``qgis_process`` (where there is no ``iface``).
"""

from __future__ import annotations

import os
from typing import Optional

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

I18N_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "i18n")


def user_language() -> str:
    """The two-letter language of QGIS's interface, as QGIS chooses it: the language set
    in Settings > Options > General (``locale/userLocale``, when ``locale/overrideFlag``
    is on), else the system's."""
    return (QgsApplication.locale() or QLocale().name() or "en")[:2].lower()


def install_translator(language: Optional[str] = None) -> Optional[QTranslator]:
    """Load ``i18n/hyperspectral_crnn_<language>.qm`` into the application.

    Returns the installed translator (keep a reference while the plugin is loaded and
    pass it to :func:`remove_translator` on unload), or None for English or a language
    without a translation.
    """
    language = language or user_language()
    path = os.path.join(I18N_DIR, f"hyperspectral_crnn_{language}.qm")
    if language == "en" or not os.path.exists(path):
        return None
    translator = QTranslator()
    if not translator.load(path):
        return None
    QCoreApplication.installTranslator(translator)
    return translator


def remove_translator(translator: Optional[QTranslator]) -> None:
    if translator is not None:
        QCoreApplication.removeTranslator(translator)


class CrnnPlugin:
    """Installs the translation, registers the ``crnn`` provider and removes both on unload."""

    def __init__(self, iface=None) -> None:
        # Kept for QGIS's plugin API; nothing on the Processing path uses it.
        self.iface = iface
        self.provider = None
        # Before the provider exists, so labels and help are made in the user's language;
        # here rather than in initGui, because qgis_process only calls initProcessing.
        self.translator = install_translator()

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
        """Remove the provider from the Processing registry and the translation."""
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        remove_translator(self.translator)
        self.translator = None
