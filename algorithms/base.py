"""The base class of the plugin's Processing algorithms."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any, Dict, List, Sequence, Tuple

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBand,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtGui import QIcon

from ..models.common.callbacks import Hooks
from ..models.common.errors import CrnnError
from ..translate import tr
from . import parameters as specs
from .run_files import check_run_files, run_files_problem
from .torch_check import require

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICON_PATH = os.path.join(PLUGIN_DIR, "resources", "icon.svg")


def _all_digits(number: float):
    """A whole number as a Decimal, which ``:g`` writes with all its digits (a seed's
    range reads 2147483647, not 2.14748e+09); other numbers as they are."""
    if abs(number) < 1e15 and number == int(number):
        return Decimal(int(number))
    return number


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
    writes :meth:`process`, which gets every parameter read once (``specs.RunValues``).
    Before running, :meth:`prepareAlgorithm` checks that PyTorch imports when
    :attr:`requires_torch` is true, and SciPy when :attr:`requires_scipy` is, so a
    missing package is reported as a ``QgsProcessingException`` naming the menu entry
    *Install dependencies...* and the install command instead of a traceback.
    A subclass that overrides ``prepareAlgorithm`` must call the base version.
    """

    #: Whether the algorithm needs PyTorch (False for e.g. the LOP smoothing).
    requires_torch: bool = True
    #: Whether the algorithm needs SciPy (the LOP of models/engine/lop.py imports it).
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
        return specs.help_text(self.help_intro, self.help_outro)

    def helpUrl(self) -> str:  # name fixed by QGIS
        """The shipped algorithm reference (docs/algorithms.md), rendered for a browser."""
        from ..help_pages import help_page_url

        return help_page_url("algorithms.md")

    def initAlgorithm(self, config=None) -> None:  # name fixed by QGIS
        specs.add_parameters(self, [spec for _, section in self.sections for spec in section])
        for key, label, kind in self.results:
            output = QgsProcessingOutputNumber if kind == "number" else QgsProcessingOutputFile
            self.addOutput(output(key, self.tr(label)))

    def tr(self, text: str) -> str:
        """Translate ``text`` (the plugin's one ``tr``, translate.py)."""
        return tr(text)

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

    def parameter_specs(self) -> List[specs.Spec]:
        """The algorithm's parameters, in the dialog's order."""
        return [spec for _, section in self.sections for spec in section]

    def processAlgorithm(self, parameters, context, feedback):  # name fixed by QGIS
        """Read every parameter once (``specs.read_run``) and run :meth:`process`; the
        core's ``CrnnError`` (a message for the user) becomes QGIS's
        ``QgsProcessingException`` here, for every algorithm."""
        run = specs.read_run(self, self.parameter_specs(), parameters, context)
        try:
            return self.process(run, context, feedback)
        except CrnnError as error:
            raise QgsProcessingException(str(error)) from None

    def process(self, run: specs.RunValues, context, feedback) -> Dict[str, Any]:
        """The algorithm's work on its parameters' values: a subclass writes it."""
        raise NotImplementedError

    @staticmethod
    def hooks(feedback, start: float = 0.0, end: float = 100.0) -> Hooks:
        """The core's callbacks on QGIS's feedback: the core's fraction (0..1) onto the
        progress bar's ``start``..``end`` (of 0-100), the cancel button, the log."""
        return Hooks(progress=lambda fraction: feedback.setProgress(
                         start + (end - start) * fraction),
                     is_cancelled=feedback.isCanceled, log=feedback.pushInfo)

    def prepareAlgorithm(self, parameters, context, feedback) -> bool:
        self.check_requirements()
        # checkParameterValues says it first; a model's steps and run() skip that check
        check_run_files(self, parameters, context)
        return True

    def checkParameterValues(self, parameters, context):
        """Wrong values get a message that says what is allowed, not QGIS's bare
        'Incorrect parameter value' nor a silently rounded or defaulted value: numbers
        out of range or not whole where whole numbers are asked, choices that are no
        option, bands the raster lacks, fields the layer lacks (:meth:`_check_inputs`)."""
        for definition in self.parameterDefinitions():
            if not isinstance(definition, QgsProcessingParameterNumber):
                continue
            raw = parameters.get(definition.name())
            try:
                value = float(raw)
            except (TypeError, ValueError):  # unset, an expression, a property, a word
                if isinstance(raw, str) and raw.strip():
                    return False, self.tr("{key} ({label}) must be a number, got '{value}'.") \
                        .format(key=definition.name(), label=definition.description(),
                                value=raw)
                continue
            # QGIS rounds 1.5 to 2 for an integer parameter: refuse it instead
            if (definition.dataType() == QgsProcessingParameterNumber.Type.Integer
                    and not value.is_integer()):
                return False, self.tr("{key} ({label}) must be a whole number, got {value}.") \
                    .format(key=definition.name(), label=definition.description(),
                            value=str(raw).strip())
            low, high = definition.minimum(), definition.maximum()
            if low <= value <= high:
                continue
            low, high, value = (_all_digits(number) for number in (low, high, value))
            if high >= 1e300:
                allowed = self.tr("at least {low:g}").format(low=low)
            else:
                allowed = self.tr("between {low:g} and {high:g}").format(low=low, high=high)
            return False, self.tr("{key} ({label}) must be {allowed}, got {value:g}.").format(
                key=definition.name(), label=definition.description(), allowed=allowed,
                value=value)
        message = self._lop_size_problem(parameters, context)
        if message:
            return False, message
        message, as_qgis_reads = self._check_inputs(parameters, context)
        if message:
            return False, message
        ok, message = super().checkParameterValues(as_qgis_reads, context)
        if ok:  # before any work: outputs never land on inputs or on each other
            message = run_files_problem(self, parameters, context)
        return not message, message

    def _lop_size_problem(self, parameters, context) -> str:
        """A message where LOP_SIZE (for the algorithms that have it) is even, else ""."""
        if self.parameterDefinition(specs.LOP_SIZE.key) is None:
            return ""
        size = self.parameterAsInt(parameters, specs.LOP_SIZE.key, context)
        if size % 2 == 0 or size < 1:
            return self.tr(
                "LOP_SIZE must be odd and at least 1 (1 = no fusion, 3 = the paper's 3x3), "
                "got {size}.").format(size=size)
        return ""

    def _check_inputs(self, parameters, context) -> Tuple[str, dict]:
        """(a message for the first wrong choice, band list or field name, or "";
        the parameters with choices given by number and bands given as text in the form
        QGIS's own check takes).

        A choice's number is its option (:func:`specs.option_value`), the way
        ``qgis_process help`` lists them; bands may be '1,2,3'
        (:func:`specs.parameter_as_bands`).
        """
        as_qgis_reads = dict(parameters)
        for definition in self.parameterDefinitions():
            key, label = definition.name(), definition.description()
            raw = parameters.get(key)
            optional = bool(definition.flags()
                            & QgsProcessingParameterDefinition.Flag.FlagOptional)
            if isinstance(definition, QgsProcessingParameterEnum):
                value = specs.option_value(definition, raw)
                as_qgis_reads[key] = value
                options = definition.options()
                if (definition.usesStaticStrings() and not definition.allowMultiple()
                        and isinstance(value, (str, int)) and not isinstance(value, bool)
                        and value not in options and (value != "" or not optional)):
                    return self.tr(
                        "{key} ({label}) must be one of {options} (or its number, 0 to "
                        "{last}), got '{value}'.").format(
                            key=key, label=label, options=", ".join(options),
                            last=len(options) - 1, value=value), as_qgis_reads
            elif isinstance(definition, QgsProcessingParameterBand) and \
                    definition.allowMultiple():
                message = self._band_problem(definition, parameters, context, as_qgis_reads)
                if message:
                    return message, as_qgis_reads
            elif isinstance(definition, QgsProcessingParameterField) and \
                    not definition.allowMultiple():
                message = self._field_problem(definition, parameters, context, optional)
                if message:
                    return message, as_qgis_reads
        return "", as_qgis_reads

    def _band_problem(self, definition: QgsProcessingParameterBand, parameters, context,
                      as_qgis_reads: dict) -> str:
        """A message where the bands are not band numbers or the raster lacks some, else
        ""; bands given as text go into ``as_qgis_reads`` as a list."""
        key = definition.name()
        try:
            bands = specs.parameter_as_bands(self, parameters, key, context)
        except QgsProcessingException as error:
            return str(error)
        if bands:
            as_qgis_reads[key] = bands
        parent = definition.parentLayerParameterName()
        layer = self.parameterAsRasterLayer(parameters, parent, context) if parent else None
        if not bands or layer is None:
            return ""
        count = layer.bandCount()
        missing = [band for band in bands if not 1 <= band <= count]
        if not missing:
            return ""
        return self.tr(
            "{key} ({label}): bands {missing} do not exist: the raster {parent} has {count} "
            "bands, numbered 1 to {count}.").format(
                key=key, label=definition.description(), parent=parent,
                missing=", ".join(str(band) for band in missing), count=count)

    def _field_problem(self, definition: QgsProcessingParameterField, parameters,
                       context, optional: bool) -> str:
        """A message where a field is empty but required, or its layer has no such field
        (both with the layer's fields), else ""; nothing to say where the layer does not
        resolve (QGIS's own check reports that)."""
        key, parent = definition.name(), definition.parentLayerParameterName()
        if not parent or parameters.get(parent) in (None, ""):
            return ""
        try:
            source = self.parameterAsSource(parameters, parent, context)
        except QgsProcessingException:
            return ""
        if source is None:
            return ""
        fields = source.fields()
        field = self.parameterAsString(parameters, key, context) \
            if parameters.get(key) is not None else ""
        if (not field and optional) or (field and fields.lookupField(field) >= 0):
            return ""
        names = ", ".join(fields.names())
        if not field:
            return self.tr("{key} ({label}) is empty: choose one of the fields of {parent}: "
                           "{names}.").format(key=key, label=definition.description(),
                                             parent=parent, names=names)
        return self.tr("The layer {parent} has no field '{field}' ({key}). Choose one of its "
                       "fields: {names}.").format(parent=parent, field=field, key=key,
                                                  names=names)
