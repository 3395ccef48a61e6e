"""The base class of the plugin's Processing algorithms."""

from __future__ import annotations

import os
from typing import Sequence, Tuple

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from . import parameters as specs
from .torch_check import require

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICON_PATH = os.path.join(PLUGIN_DIR, "resources", "icon.svg")


def plugin_icon() -> QIcon:
    """Return the plugin's icon (resources/icon.svg)."""
    return QIcon(ICON_PATH)


class CrnnAlgorithm(QgsProcessingAlgorithm):
    """Common behaviour of the ``crnn`` algorithms.

    A subclass says what it is as data: ``algorithm_id`` (a fixed id from the public
    interface, never derived from the label), ``display_name``, its help (``help_intro``,
    ``sections`` of parameter specs in dialog order, ``help_outro``) and ``results``
    that are not parameters; the base class turns them into QGIS's ``name()``,
    ``displayName()``, ``shortHelpString()`` and ``initAlgorithm()``. The subclass
    writes ``processAlgorithm()``.
    Before running, :meth:`prepareAlgorithm` checks that PyTorch imports when
    :attr:`requires_torch` is true, and SciPy when :attr:`requires_scipy` is, so a
    missing package is reported as a ``QgsProcessingException`` naming the menu entry
    *Install dependencies...* and the install command instead of a traceback.
    A subclass that overrides ``prepareAlgorithm`` must call the base version.
    """

    #: Whether the algorithm needs PyTorch (False for e.g. the LOP smoothing).
    requires_torch: bool = True
    #: Whether the algorithm needs SciPy (the LOP of models/lop.py imports it).
    requires_scipy: bool = False
    #: The toolbox group; empty puts the algorithm at the provider's top level.
    group_id: str = ""
    group_name: str = ""
    algorithm_id: str = ""
    display_name: str = ""
    help_intro: str = ""
    #: (title, parameter specs): the help's sections, and the dialog's order.
    sections: Sequence[Tuple[str, Sequence[specs.Spec]]] = ()
    help_outro: str = ""
    #: Results that are not parameters: (key, label, "number" or "file").
    results: Sequence[Tuple[str, str, str]] = ()

    def name(self) -> str:
        return self.algorithm_id

    def displayName(self) -> str:  # name fixed by QGIS
        return self.tr(self.display_name)

    def shortHelpString(self) -> str:  # name fixed by QGIS
        return specs.help_text(self.help_intro, self.sections, self.help_outro)

    def initAlgorithm(self, config=None) -> None:  # name fixed by QGIS
        specs.add_parameters(self, [spec for _, section in self.sections for spec in section])
        for key, label, kind in self.results:
            output = QgsProcessingOutputNumber if kind == "number" else QgsProcessingOutputFile
            self.addOutput(output(key, self.tr(label)))

    def tr(self, text: str) -> str:
        """Translate ``text`` in the plugin's context."""
        return QCoreApplication.translate("HyperspectralCrnn", text)

    def createInstance(self):  # name fixed by QGIS
        return self.__class__()

    def group(self) -> str:
        return self.tr(self.group_name) if self.group_name else ""

    def groupId(self) -> str:  # name fixed by QGIS
        return self.group_id

    def icon(self) -> QIcon:
        return plugin_icon()

    def check_requirements(self) -> None:
        """Raise QgsProcessingException if something the algorithm needs is missing."""
        require(*[name for name, needed in (("torch", self.requires_torch),
                                            ("scipy", self.requires_scipy)) if needed])

    def prepareAlgorithm(self, parameters, context, feedback) -> bool:
        self.check_requirements()
        return True

    def checkParameterValues(self, parameters, context):
        """Numbers out of range get a message with the allowed range, not QGIS's
        bare 'Incorrect parameter value'."""
        for definition in self.parameterDefinitions():
            if not isinstance(definition, QgsProcessingParameterNumber):
                continue
            try:
                value = float(parameters.get(definition.name()))
            except (TypeError, ValueError):  # unset, an expression, a property
                continue
            low, high = definition.minimum(), definition.maximum()
            if low <= value <= high:
                continue
            if high >= 1e300:
                allowed = self.tr("at least {low:g}").format(low=low)
            else:
                allowed = self.tr("between {low:g} and {high:g}").format(low=low, high=high)
            return False, self.tr("{key} ({label}) must be {allowed}, got {value:g}.").format(
                key=definition.name(), label=definition.description(), allowed=allowed,
                value=value)
        return super().checkParameterValues(parameters, context)
