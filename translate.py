"""The plugin's one translation function: the toolbox's texts, the messages, the dialog.

Every text a user reads goes through ``tr`` in one context; scripts/update_translations.py
collects them into i18n/*.ts and plugin.py installs the translator for QGIS's language.
"""

from __future__ import annotations

from qgis.PyQt.QtCore import QCoreApplication

CONTEXT = "HyperspectralCrnn"


def tr(text: str) -> str:
    """``text`` in the user's language where i18n/ has it, else as it is."""
    return QCoreApplication.translate(CONTEXT, text)
