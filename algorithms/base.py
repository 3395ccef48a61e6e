"""The base class of the plugin's Processing algorithms."""

from __future__ import annotations

import os

from qgis.core import QgsProcessingAlgorithm, QgsProcessingParameterNumber
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from .torch_check import require_torch

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICON_PATH = os.path.join(PLUGIN_DIR, "resources", "icon.svg")


def plugin_icon() -> QIcon:
    """Return the plugin's icon (resources/icon.svg)."""
    return QIcon(ICON_PATH)


class CrnnAlgorithm(QgsProcessingAlgorithm):
    """Common behaviour of the ``crnn`` algorithms.

    Subclasses define ``name()`` (a fixed id from the public interface, never derived
    from the label), ``displayName()``, ``initAlgorithm()`` and ``processAlgorithm()``.
    Before running, :meth:`prepareAlgorithm` checks that PyTorch imports when
    :attr:`requires_torch` is true, so a missing torch is reported as a
    ``QgsProcessingException`` with the install command instead of a traceback.
    A subclass that overrides ``prepareAlgorithm`` must call the base version.
    """

    #: Whether the algorithm needs PyTorch (False for e.g. the LOP smoothing).
    requires_torch: bool = True
    #: The toolbox group; empty puts the algorithm at the provider's top level.
    group_id: str = ""
    group_name: str = ""

    def tr(self, text: str) -> str:
        """Translate ``text`` in the plugin's context."""
        return QCoreApplication.translate("HyperspectralCrnn", text)

    def createInstance(self):  # noqa: N802 - name fixed by QGIS
        return self.__class__()

    def group(self) -> str:
        return self.tr(self.group_name) if self.group_name else ""

    def groupId(self) -> str:  # noqa: N802 - name fixed by QGIS
        return self.group_id

    def icon(self) -> QIcon:
        return plugin_icon()

    def check_requirements(self) -> None:
        """Raise QgsProcessingException if something the algorithm needs is missing."""
        if self.requires_torch:
            require_torch()

    def prepareAlgorithm(self, parameters, context, feedback) -> bool:  # noqa: N802
        self.check_requirements()
        return True

    def checkParameterValues(self, parameters, context):  # noqa: N802
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
