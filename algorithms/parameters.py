"""Every parameter said once: key, label, help text, kind, default, options.

One ``Spec`` per parameter, inputs, tunables and outputs alike. The tunables' defaults
come from the core's dataclasses (models/network/config.py), so the dialogs, the help text and
the core never disagree. Algorithms add their specs with :func:`add_parameters`, read the
parameters back, each once, with :func:`read_run`, and build their help from :func:`help_text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterBand,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
)

from ..models.network.config import (
    DEVICES,
    LOP_WEIGHTS,
    MAX_RNN_HIDDEN,
    MAX_RNN_LAYERS,
    READOUTS,
    RNN_TYPES,
    SPLITS,
    VALIDATION_FRACTION,
    NetworkConfig,
    TrainingConfig,
)
from ..translate import tr

NETWORK_DEFAULTS = NetworkConfig()
TRAINING_DEFAULTS = TrainingConfig()



TUNABLE_KINDS = ("int", "float", "bool", "choice", "ints")


@dataclass(frozen=True)
class Spec:
    """One parameter.

    ``kind``: a tunable value (int, float, bool, choice, ints: comma-separated whole
    numbers), an input (raster, bands, polygons, field, layer: a raster or polygons,
    file, string, crs) or an output (raster_out, polygons_out, points_out, file_out).
    """

    key: str
    label: str
    help: str
    kind: str
    default: Any = None
    advanced: bool = False
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    choices: Tuple[str, ...] = ()
    field: str = ""  # the NetworkConfig / TrainingConfig field it sets, if any
    optional: bool = False
    create_by_default: bool = True  # an optional output written unless the user unticks it
    parent: str = ""  # bands: their raster's key; field: its layer's key
    file_filter: str = ""  # file / file_out: e.g. "HTML files (*.html *.htm)"
    extension: str = ""  # file: the extension the file dialog offers
    text_only: bool = False  # field: text fields only
    # file_out: further files written beside it ("{stem}.json": same name, .json);
    # models/rasters/paths.py adds what every raster or vector output writes
    beside: Tuple[str, ...] = ()


def _ints(values: Sequence[int]) -> str:
    return ",".join(str(v) for v in values)


N, T = NETWORK_DEFAULTS, TRAINING_DEFAULTS

SAMPLES_PER_CLASS = Spec("SAMPLES_PER_CLASS", "Training pixels per class (0 = all)",
    "At most this many pixels of each class are drawn (with SEED) from the polygons; "
    "the paper trains from 50-300 per class.", "int", 0, minimum=0)
VALIDATION_FRACTION_SPEC = Spec("VALIDATION_FRACTION", "Validation fraction",
    "Share of each class's pixels held out to watch validation loss and accuracy and "
    "to choose the epoch whose weights are kept. Every class keeps training pixels; "
    "the log says the share held out per class.",
    "float", VALIDATION_FRACTION, minimum=0.0, maximum=0.9)
SPLIT = Spec("SPLIT", "Validation split",
    "'polygon' holds out whole polygons whose pixels add up near the share (else the "
    "last rows of the class's largest polygon), so validation pixels are not "
    "neighbours of training pixels (honest accuracy); 'pixel' holds out single "
    "pixels.",
    "choice", "polygon", choices=SPLITS)
ALL_TOUCHED = Spec("ALL_TOUCHED", "Use all pixels touched by the polygons",
    "By default a pixel is taken when its centre lies inside a polygon.",
    "bool", False, advanced=True)
SEMI_SUPERVISED = Spec("SEMI_SUPERVISED", "Also learn from unlabelled pixels (semi-supervised)",
    "For few training pixels (tens per class): each label is also given to alike "
    "pixels within 3 pixels of it (spectral angle under 0.08 radians, more where the "
    "scene is noisy; a pixel two classes reach takes none). Training then takes about "
    "2-3x as long. It suits fields wider than a few pixels (figures: "
    "docs/benchmarks_few_labels.md). The log, the model file and the report say how many "
    "pixels were grown and how many of the validation pixels they label right.", "bool",
    False)
SAMPLING = [SAMPLES_PER_CLASS, VALIDATION_FRACTION_SPEC, SPLIT, ALL_TOUCHED, SEMI_SUPERVISED]

DEVICE = Spec("DEVICE", "Device", "'auto' uses a CUDA GPU when torch sees one, else the CPU.",
              "choice", T.device, choices=DEVICES, field="device")

PRECISION = Spec(
    "PRECISION", "Network arithmetic (precision)",
    "float32 (default), bfloat16, or auto: bfloat16 on a CPU that computes it natively "
    "(AVX512-BF16 or AMX), float16 on a CUDA GPU, else float32. On the CPU measured "
    "bfloat16 was barely faster, and its map differs from float32's on about 0.1 % of "
    "the pixels (figures: docs/inference.md).", "choice", "float32",
    choices=("float32", "bfloat16", "auto"), advanced=True)

TRAINING = [
    Spec("EPOCHS", "Epochs", "Passes over the training pixels (early stopping may end "
         "training sooner).", "int", T.epochs, minimum=1, field="epochs"),
    Spec("BATCH_SIZE", "Batch size", "Pixels per optimisation step.", "int", T.batch_size,
         minimum=2, field="batch_size"),
    Spec("LEARNING_RATE", "Learning rate", "Peak learning rate of the one-cycle schedule.",
         "float", T.learning_rate, minimum=1e-6, maximum=1.0, field="learning_rate"),
    Spec("SEED", "Random seed", "The same inputs and seed give the same model on the CPU.",
         "int", T.seed, minimum=0, maximum=2**31 - 1, field="seed"),  # QGIS reads an int32
    DEVICE,
    Spec("WEIGHT_DECAY", "Weight decay", "AdamW weight decay.", "float", T.weight_decay,
         advanced=True, minimum=0.0, field="weight_decay"),
    Spec("PATIENCE", "Early-stopping patience (epochs, 0 = off)",
         "Training stops when the validation loss has not improved for this many epochs; "
         "the best epoch's weights are kept either way.", "int", T.patience, advanced=True,
         minimum=0, field="patience"),
    Spec("MIXUP", "Mixup strength", "Each batch is trained on blends of pixel pairs with a "
         "Beta(a, a) weight (0 = off).", "float", T.mixup, advanced=True, minimum=0.0,
         maximum=10.0, field="mixup"),
    Spec("EMA_DECAY", "Weight averaging (EMA decay)", "The model kept is an exponential "
         "moving average of the weights (0 = off).", "float", T.ema_decay, advanced=True,
         minimum=0.0, maximum=0.9999, field="ema_decay"),
    Spec("CLASS_WEIGHTING", "Class weighting", "Weights each class's loss by (largest "
         "class's pixel count / its count) to this power: 0 = every pixel counts the same, "
         "1 = every class does.", "float", T.class_weighting, advanced=True, minimum=0.0,
         maximum=1.0, field="class_weighting"),
    Spec("LABEL_SMOOTHING", "Label smoothing", "Cross-entropy label smoothing.", "float",
         T.label_smoothing, advanced=True, minimum=0.0, maximum=0.5, field="label_smoothing"),
]

NETWORK = [
    Spec("INPUT_WINDOW", "Input window (spectral-spatial option)",
         "1 (the paper's method): the network reads each pixel's own spectrum and the LOP "
         "adds the spatial part. 3, 5, ...: it reads the mean spectrum of the pixels in "
         "that window around each pixel, in training and classification alike. It raises "
         "accuracy where test pixels lie close to training pixels, far less where they lie "
         "away from them (docs/benchmarks.md, docs/benchmarks_blocked.md): try it on data "
         "you can check. "
         "It blurs details smaller than the window.", "int",
         N.input_window, minimum=1, maximum=15, field="input_window"),
    Spec("UNIT_LENGTH", "Scale each spectrum to unit length",
         "Divides each pixel's spectrum by its Euclidean length before the per-band "
         "standardisation, so brightness differences within a class (shading, "
         "illumination, moisture) drop out and the spectrum's shape stays; on Indian Pines "
         "it raised accuracy alone and after the LOP (docs/ablation.md). Turn it off where "
         "classes differ mainly in brightness (dark and bright surfaces of one material, "
         "water and shadow).",
         "bool", N.unit_length, field="unit_length"),
    Spec("CONV_CHANNELS", "Convolution channels per block",
         "Comma-separated filter counts, one per 1-D convolution block. Fewer channels "
         "(e.g. 16,32,32) train and classify faster for slightly lower accuracy "
         "(docs/ablation.md).", "ints",
         _ints(N.conv_channels), advanced=True, field="conv_channels"),
    Spec("KERNEL_SIZES", "Convolution kernel sizes", "Comma-separated, one per block.", "ints",
         _ints(N.kernel_sizes), advanced=True, field="kernel_sizes"),
    Spec("FIRST_STRIDE", "Stride of the first convolution", "2 halves the spectrum before "
         "the first pooling.", "int", N.first_stride, advanced=True, minimum=1,
         field="first_stride"),
    Spec("POOL_SIZES", "Max-pool sizes", "Comma-separated, one per block; each divides the "
         "spectral sequence length.", "ints", _ints(N.pool_sizes), advanced=True,
         field="pool_sizes"),
    Spec("BATCH_NORM", "Batch normalisation", "Batch norm after each convolution.", "bool",
         N.batch_norm, advanced=True, field="batch_norm"),
    Spec("RNN_TYPE", "Recurrent layer", "gru (default), lstm or rnn. An LSTM trains faster "
         "on a CPU for slightly lower accuracy (docs/ablation.md).", "choice",
         N.rnn_type, advanced=True, choices=RNN_TYPES, field="rnn_type"),
    Spec("RNN_HIDDEN", "Recurrent hidden size", "Units per recurrent layer.", "int",
         N.rnn_hidden, advanced=True, minimum=1, maximum=MAX_RNN_HIDDEN, field="rnn_hidden"),
    Spec("RNN_LAYERS", "Recurrent layers", "Stacked recurrent layers.", "int", N.rnn_layers,
         advanced=True, minimum=1, maximum=MAX_RNN_LAYERS, field="rnn_layers"),
    Spec("READOUT", "Readout", "'last': the last recurrent state feeds the classifier (the "
         "paper's); 'mean': the mean of all states.", "choice", N.readout, advanced=True,
         choices=READOUTS, field="readout"),
    Spec("DROPOUT", "Dropout", "Dropout between recurrent layers and before the classifier.",
         "float", N.dropout, advanced=True, minimum=0.0, maximum=0.9, field="dropout"),
]

LOP_SIZE = Spec("LOP_SIZE", "LOP window (odd, pixels)",
                "Side of the linear opinion pool window: 1 = no fusion, 3 = the paper's 3x3.",
                "int", 3, minimum=1, maximum=31)
LOP_WEIGHTS_SPEC = Spec(
    "LOP_WEIGHTS", "LOP weights",
    "uniform (the paper's), gaussian (nearer neighbours count more) or edge (neighbours "
    "weighted by spectral similarity, so fields' edges stay sharp).",
    "choice", "uniform", choices=LOP_WEIGHTS)
LOP_ITERATIONS = Spec("LOP_ITERATIONS", "LOP iterations",
                      "How many times the pool is applied.", "int", 1, minimum=0, maximum=50)
LOP = [LOP_SIZE, LOP_WEIGHTS_SPEC, LOP_ITERATIONS]


# --- inputs and outputs several algorithms share ---------------------------------------

TRAIN_RASTER = Spec("INPUT", "Hyperspectral raster", "The hyperspectral raster.", "raster")
BANDS = Spec("BANDS", "Bands (none selected = all)",
             "Bands to use (default: all but those the file flags bad, e.g. an ENVI header's "
             "bbl list). Bands with no data under the training polygons are left out either "
             "way, with a line in the log.", "bands", optional=True, parent="INPUT")
EXCLUDE_WAVELENGTHS = Spec(
    "EXCLUDE_WAVELENGTHS", "Wavelength ranges to leave out (nm)",
    "Optional: ranges in nanometres, e.g. '1340-1460, 1790-1960' (the water-vapour "
    "absorption bands). Needs a raster whose bands carry wavelengths (docs/sensors.md).",
    "string", optional=True)
TRAINING_POLYGONS = Spec("TRAINING", "Training polygons", "Training polygons.", "polygons")
CLASS_FIELD = Spec("CLASS_FIELD", "Class field",
                   "The class of each polygon: integer values or text names.", "field",
                   parent="TRAINING")
CLASS_NAME_FIELD = Spec(
    "CLASS_NAME_FIELD", "Class name field (for an integer class field)",
    "Optional, with an integer CLASS_FIELD: a text field naming each class (else the names "
    "of a categorized style, else 'Class N').", "field", parent="TRAINING", text_only=True,
    optional=True)
TRAINING_INPUTS = [TRAIN_RASTER, BANDS, EXCLUDE_WAVELENGTHS, TRAINING_POLYGONS, CLASS_FIELD,
                   CLASS_NAME_FIELD]

RESAMPLE_SPECTRA = Spec(
    "RESAMPLE_SPECTRA", "Resample spectra to the model's wavelengths",
    "Where the raster lacks some of the model's wavelengths, interpolate its spectra "
    "linearly onto them (never beyond the raster's range) instead of refusing.", "bool",
    False)

CLASSIFY_RASTER = Spec(
    "INPUT", "Hyperspectral raster",
    "The hyperspectral raster. The model's bands are found by wavelength where both have "
    "wavelengths (in any order, among more bands), else by number: the raster must then "
    "have the training raster's bands.", "raster")
MODEL_FILE = Spec("MODEL", "Model file", "A model file written by 'Train CRNN'.", "file",
                  extension="crnn")
CLASSIFY_INPUTS = [CLASSIFY_RASTER, MODEL_FILE, RESAMPLE_SPECTRA]

CLASS_RASTER = Spec("OUTPUT", "Classification",
                    "The class raster: class values of the training field, a colour table "
                    "and the class names.", "raster_out")
CONFIDENCE = Spec("OUTPUT_CONFIDENCE", "Confidence",
                  "Optional: the winning class's probability.", "raster_out",
                  optional=True, create_by_default=False)
PROBABILITIES = Spec("OUTPUT_PROBABILITIES", "Class probabilities",
                     "Optional: one Float32 band per class (after fusion).", "raster_out",
                     optional=True, create_by_default=False)

CLASSIFICATION_OUTPUTS = [CLASS_RASTER, PROBABILITIES, CONFIDENCE]
# crnn:smooth's probabilities are another tool's, fused: the same output, named so
SMOOTHING_OUTPUTS = [CLASS_RASTER, replace(PROBABILITIES, label="Fused probabilities"),
                     CONFIDENCE]


MODEL_OUTPUT = Spec("OUTPUT_MODEL", "Model file", "The model file (.crnn).", "file_out",
                    file_filter="CRNN model (*.crnn)")

REPORT_OUTPUT = Spec(
    "OUTPUT_REPORT", "Training report",
    "Optional HTML training report: loss and accuracy curves, the classes with their pixels "
    "and mean spectra, what the first convolution layer responds to, the architecture and "
    "hyperparameters, and the validation confusion matrix.", "file_out",
    file_filter="HTML files (*.html *.htm)", optional=True, create_by_default=False)


def _definition(spec: Spec) -> QgsProcessingParameterDefinition:
    """The QGIS parameter of a spec that is not a tunable value."""
    label, kind, optional = tr(spec.label), spec.kind, spec.optional
    polygon = QgsProcessing.SourceType.TypeVectorPolygon
    if kind == "raster":
        return QgsProcessingParameterRasterLayer(spec.key, label, optional=optional)
    if kind == "bands":
        return QgsProcessingParameterBand(spec.key, label, None, spec.parent, optional, True)
    if kind == "polygons":
        return QgsProcessingParameterFeatureSource(spec.key, label, [polygon],
                                                   optional=optional)
    if kind == "field":
        data_type = (QgsProcessingParameterField.DataType.String if spec.text_only
                     else QgsProcessingParameterField.DataType.Any)
        return QgsProcessingParameterField(spec.key, label, None, spec.parent, data_type,
                                           optional=optional)
    if kind == "layer":  # a raster, polygons or points
        return QgsProcessingParameterMapLayer(
            spec.key, label, types=[QgsProcessing.SourceType.TypeRaster, polygon,
                                    QgsProcessing.SourceType.TypeVectorPoint],
            optional=optional)
    if kind == "file":
        return QgsProcessingParameterFile(
            spec.key, label, QgsProcessingParameterFile.Behavior.File, spec.extension,
            optional=optional, fileFilter=tr(spec.file_filter) if spec.file_filter else "")
    if kind == "string":
        return QgsProcessingParameterString(spec.key, label, spec.default, optional=optional)
    if kind == "crs":
        return QgsProcessingParameterCrs(spec.key, label, optional=optional)
    if kind == "raster_out":
        return QgsProcessingParameterRasterDestination(spec.key, label, None, optional,
                                                       spec.create_by_default)
    if kind == "polygons_out":
        return QgsProcessingParameterVectorDestination(spec.key, label, polygon, None,
                                                       optional, spec.create_by_default)
    if kind == "points_out":  # a file: QGIS names a temporary one, never a memory layer
        points = QgsProcessingParameterVectorDestination(
            spec.key, label, QgsProcessing.SourceType.TypeVectorPoint, None, optional,
            spec.create_by_default)
        points.setSupportsNonFileBasedOutput(False)
        return points
    if kind == "file_out":
        return QgsProcessingParameterFileDestination(
            spec.key, label, tr(spec.file_filter), None, optional, spec.create_by_default)
    raise ValueError(f"unknown parameter kind {kind!r} of {spec.key}")


def _decimals(spec: Spec) -> int:
    """Decimals a float parameter's spin box shows: those its default and bounds need
    (at least 2, at most 6)."""
    places = [len(f"{value:.6f}".rstrip("0").split(".")[1])
              for value in (spec.default, spec.minimum, spec.maximum) if value is not None]
    return min(6, max([2] + places))


def add_parameters(algorithm: QgsProcessingAlgorithm, specs: Sequence[Spec]) -> None:
    for spec in specs:
        label = tr(spec.label)
        if spec.kind not in TUNABLE_KINDS:
            parameter = _definition(spec)
        elif spec.kind in ("int", "float"):
            number_type = (QgsProcessingParameterNumber.Type.Integer if spec.kind == "int"
                           else QgsProcessingParameterNumber.Type.Double)
            parameter = QgsProcessingParameterNumber(spec.key, label, number_type, spec.default)
            if spec.minimum is not None:
                parameter.setMinimum(spec.minimum)
            if spec.maximum is not None:
                parameter.setMaximum(spec.maximum)
            if spec.kind == "float":  # the dialog's spin box: 0.15, not 0.150000
                parameter.setMetadata({"widget_wrapper": {"decimals": _decimals(spec)}})
        elif spec.kind == "bool":
            parameter = QgsProcessingParameterBoolean(spec.key, label, spec.default)
        elif spec.kind == "choice":
            parameter = QgsProcessingParameterEnum(
                spec.key, label, list(spec.choices), False, spec.default, False, True
            )
        else:
            parameter = QgsProcessingParameterString(spec.key, label, spec.default)
        parameter.setHelp(parameter_help(spec))
        if spec.advanced:
            parameter.setFlags(
                parameter.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        algorithm.addParameter(parameter)


class RunValues:
    """The parameters of one run, each read once by its ``Spec`` (``read_run``):
    ``run[spec]`` is its value as its kind reads (a number, a choice's option, a layer, a
    feature source, a path, band numbers...); ``run.text(spec)`` is a layer parameter as the
    user gave it (for provenance)."""

    def __init__(self, values: Dict[str, Any], texts: Dict[str, str],
                 layers: Dict[str, Any]) -> None:
        self._values, self._texts, self._layers = values, texts, layers

    def __getitem__(self, spec: Spec) -> Any:
        return self._values[spec.key]

    def text(self, spec: Spec) -> str:
        """A layer or feature source parameter as the user gave it (a path, a layer id)."""
        return self._texts[spec.key]

    def layer(self, spec: Spec) -> Any:
        """A polygons parameter's vector layer (its style), where it names one."""
        return self._layers.get(spec.key)

    def values(self, specs: Sequence[Spec]) -> Dict[str, Any]:
        """{key: value} of these specs (for the tunables' configs)."""
        return {spec.key: self._values[spec.key] for spec in specs}


def _read_ints(algorithm: QgsProcessingAlgorithm, parameters: Dict[str, Any], key: str,
               context) -> Tuple[int, ...]:
    text = algorithm.parameterAsString(parameters, key, context)
    try:
        return tuple(int(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        raise QgsProcessingException(
            tr("{key} must be comma-separated whole numbers such as '32,32', got '{text}'.")
            .format(key=key, text=text)
        ) from None


#: How each kind of parameter is read: (algorithm, parameters, key, context) -> value.
_READERS = {
    "int": lambda a, p, k, c: a.parameterAsInt(p, k, c),
    "float": lambda a, p, k, c: a.parameterAsDouble(p, k, c),
    "bool": lambda a, p, k, c: a.parameterAsBoolean(p, k, c),
    "choice": lambda a, p, k, c: parameter_as_choice(a, p, k, c),
    "ints": _read_ints,
    "raster": lambda a, p, k, c: a.parameterAsRasterLayer(p, k, c),
    "bands": lambda a, p, k, c: parameter_as_bands(a, p, k, c),
    "polygons": lambda a, p, k, c: a.parameterAsSource(p, k, c),
    "field": lambda a, p, k, c: a.parameterAsString(p, k, c),
    "layer": lambda a, p, k, c: a.parameterAsLayer(p, k, c),
    "file": lambda a, p, k, c: a.parameterAsFile(p, k, c),
    "string": lambda a, p, k, c: a.parameterAsString(p, k, c),
    "crs": lambda a, p, k, c: a.parameterAsCrs(p, k, c),
    "raster_out": lambda a, p, k, c: a.parameterAsOutputLayer(p, k, c),
    "polygons_out": lambda a, p, k, c: a.parameterAsOutputLayer(p, k, c),
    "points_out": lambda a, p, k, c: a.parameterAsOutputLayer(p, k, c),
    "file_out": lambda a, p, k, c: a.parameterAsFileOutput(p, k, c),
}


def read_run(algorithm: QgsProcessingAlgorithm, specs: Sequence[Spec],
             parameters: Dict[str, Any], context) -> RunValues:
    """Every parameter of ``specs`` read once, as its kind says: the one place the plugin
    reads parameter values (an output QGIS names itself gets one name for the whole run)."""
    values: Dict[str, Any] = {}
    texts: Dict[str, str] = {}
    layers: Dict[str, Any] = {}
    for spec in specs:
        values[spec.key] = _READERS[spec.kind](algorithm, parameters, spec.key, context)
        if spec.kind in ("polygons", "layer", "raster"):  # the value is an object
            texts[spec.key] = algorithm.parameterAsString(parameters, spec.key, context)
        if spec.kind == "polygons":
            layers[spec.key] = algorithm.parameterAsVectorLayer(parameters, spec.key, context)
    return RunValues(values, texts, layers)


def option_value(definition: Optional[QgsProcessingParameterDefinition], value: Any) -> Any:
    """A choice's raw value with an option's number (0..n-1, an int or a digit string)
    replaced by the option's text; any other value as it is.

    ``qgis_process help`` lists a choice's options by number, but our enums use static
    strings, for which QGIS 3.22 refuses a number and ``parameterAsEnumString`` reads it
    as the default option.
    """
    if (not isinstance(definition, QgsProcessingParameterEnum)
            or not definition.usesStaticStrings() or definition.allowMultiple()):
        return value
    options = definition.options()
    if isinstance(value, str) and value not in options and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(options):
        return options[value]
    return value


def parameter_as_choice(algorithm: QgsProcessingAlgorithm, parameters: Dict[str, Any],
                        key: str, context) -> str:
    """The option chosen for a choice parameter, given by its text or its number: the one
    way the plugin reads a choice (``parameterAsEnumString`` alone reads a number as the
    default)."""
    value = option_value(algorithm.parameterDefinition(key), parameters.get(key))
    return algorithm.parameterAsEnumString({**parameters, key: value}, key, context)


def parameter_as_bands(algorithm: QgsProcessingAlgorithm, parameters: Dict[str, Any],
                       key: str, context) -> List[int]:
    """The band numbers of a bands parameter (empty: none chosen).

    QGIS takes a list or '1;2;3'; a qgis_process user writes '1,2,3' (or '1 2 3'), which
    QGIS 3.22 reads as band 0: text is split here on commas, semicolons and spaces.
    """
    value = parameters.get(key)
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) for item in items):
        return algorithm.parameterAsInts(parameters, key, context) or []
    words = [word for item in items for word in re.split(r"[,;\s]+", item.strip()) if word]
    try:
        return [int(word) for word in words]
    except ValueError:
        raise QgsProcessingException(tr(
            "{key} must be band numbers such as '1,2,3' (with qgis_process also "
            "{key}=1 {key}=2 ...), got '{text}'.").format(
                key=key, text=", ".join(items))) from None


def setting_names() -> Dict[str, str]:
    """How the user knows each setting the model file stores: its parameter's label and
    key (the training report's hyperparameter table)."""
    named = {spec.field: spec for spec in NETWORK + TRAINING if spec.field}
    named.update({"validation_fraction": VALIDATION_FRACTION_SPEC, "split": SPLIT,
                  "samples_per_class": SAMPLES_PER_CLASS})
    names = {field: f"{tr(spec.label)} ({spec.key})" for field, spec in named.items()}
    names["threads"] = tr("CPU threads (0: all cores)")  # no parameter: set by the run
    return names


def network_config(run: RunValues) -> NetworkConfig:
    return NetworkConfig(**{s.field: run[s] for s in NETWORK})


def training_config(run: RunValues) -> TrainingConfig:
    return TrainingConfig(**{s.field: run[s] for s in TRAINING})


def help_text(intro: str, outro: str = "") -> str:
    """The algorithm's short help: what it does, needs and gives, in plain text (the
    dialog shows it beside the parameters, ``qgis_process help`` prints it as it is).
    Each parameter's help is said once, by the parameter itself (:func:`parameter_help`):
    the dialog shows it when the pointer rests on the parameter, ``qgis_process help``
    under its name."""
    return " ".join(tr(text) for text in (intro, outro, PARAMETER_HELP_HINT) if text)


PARAMETER_HELP_HINT = "Rest the pointer on a parameter for its help."


def parameter_help(spec: Spec) -> str:
    """A parameter's help: its meaning, and the default of a tunable value."""
    default = (f" ({tr('default')}: {spec.default})"
               if spec.kind in TUNABLE_KINDS and spec.default is not None else "")
    return tr(spec.help) + default
