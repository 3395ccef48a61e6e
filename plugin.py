"""The plugin object QGIS loads: it installs the translation and registers the provider.

Everything goes through Processing, so the plugin works the same in QGIS desktop, the
graphical modeler and ``qgis_process`` (where there is no ``iface``). At load it puts
the folder that *Install dependencies...* fills (``dependencies.py``) on ``sys.path``;
in QGIS desktop it adds that entry to the Plugins menu.
"""

from __future__ import annotations

import os
from typing import Optional

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

from .dependencies import activate, packages_dir
from .translate import tr

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



def activate_packages() -> str:
    """Put the plugin's packages folder (``<profile>/hyperspectral_crnn/python3.X``) at
    the front of ``sys.path`` if it exists, before anything imports torch; return it."""
    folder = packages_dir(QgsApplication.qgisSettingsDirPath())
    for note in activate(folder):
        QgsMessageLog.logMessage(
            tr("Removed from {folder}: {what}").format(folder=folder, what=note),
            "Hyperspectral CRNN", Qgis.MessageLevel.Warning)
    return folder


class CrnnPlugin:
    """Installs the translation, registers the ``crnn`` provider and removes both on unload."""

    def __init__(self, iface=None) -> None:
        # QGIS desktop's interface (None under qgis_process); only initGui uses it.
        self.iface = iface
        self.provider = None
        self.menu_action = None
        self.dialog = None
        # Before the provider exists, so labels and help are made in the user's language;
        # here rather than in initGui, because qgis_process only calls initProcessing.
        self.translator = install_translator()
        # Packages installed by "Install dependencies..." import from here on.
        self.packages_folder = activate_packages()
        self.menu_name = tr("Hyperspectral CRNN")

    def initProcessing(self) -> None:  # name fixed by QGIS
        """Register the provider (called by QGIS desktop and by ``qgis_process``)."""
        if self.provider is not None:
            return
        from .algorithms.provider import CrnnProvider

        self.provider = CrnnProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # name fixed by QGIS
        """Desktop start-up: the provider, and Plugins > Hyperspectral CRNN > Install
        dependencies... (only with an ``iface``; qgis_process never calls this)."""
        self.initProcessing()
        if self.iface is None or self.menu_action is not None:
            return
        from qgis.PyQt.QtWidgets import QAction

        from .algorithms.base import plugin_icon

        self.menu_action = QAction(plugin_icon(), tr("Install dependencies..."),
                                   self.iface.mainWindow())
        self.menu_action.setObjectName("hyperspectralCrnnInstallDependencies")
        self.menu_action.triggered.connect(self.show_dependency_dialog)
        self.iface.addPluginToMenu(self.menu_name, self.menu_action)

    def show_dependency_dialog(self):
        """Open (or bring up) the dialog that installs the Python packages; not modal, so
        QGIS stays usable while pip runs. Returns the dialog."""
        if self.dialog is None:
            from .gui.dependency_dialog import DependencyDialog

            parent = self.iface.mainWindow() if self.iface is not None else None
            self.dialog = DependencyDialog(self.packages_folder, parent=parent)
        elif not self.dialog.is_running():
            self.dialog.refresh()  # reopened: the packages may have changed meanwhile
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def unload(self) -> None:
        """Remove the menu entry, the provider and the translation (a running pip is
        stopped)."""
        if self.dialog is not None:
            self.dialog.stop()
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        if self.menu_action is not None:
            self.iface.removePluginMenu(self.menu_name, self.menu_action)
            self.menu_action.deleteLater()
            self.menu_action = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        remove_translator(self.translator)
        self.translator = None
