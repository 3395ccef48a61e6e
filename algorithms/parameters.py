"""Every tunable parameter said once: key, label, help text, type, default, advanced.

The defaults come from the core's dataclasses (models/config.py), so the dialogs, the
help text and the core never disagree. Algorithms add a list of specs with
:func:`add_parameters`, read them back with :func:`read_parameters`, and build their help
from :func:`help_text`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..models.config import (
    DEVICES,
    LOP_WEIGHTS,
    READOUTS,
    RNN_TYPES,
    SPLITS,
    VALIDATION_FRACTION,
    NetworkConfig,
    TrainingConfig,
)

NETWORK_DEFAULTS = NetworkConfig()
TRAINING_DEFAULTS = TrainingConfig()


def tr(text: str) -> str:
    return QCoreApplication.translate("HyperspectralCrnn", text)


@dataclass(frozen=True)
class Spec:
    """One parameter: ``kind`` is int, float, bool, choice or ints (comma-separated)."""

    key: str
    label: str
    help: str
    kind: str
    default: Any
    advanced: bool = False
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    choices: Tuple[str, ...] = ()
    field: str = ""  # the NetworkConfig / TrainingConfig field it sets, if any


def _ints(values: Sequence[int]) -> str:
    return ",".join(str(v) for v in values)


N, T = NETWORK_DEFAULTS, TRAINING_DEFAULTS

SAMPLING = [
    Spec("SAMPLES_PER_CLASS", "Training pixels per class (0 = all)",
         "At most this many pixels of each class are drawn (with SEED) from the polygons; "
         "the paper trains from 50-300 per class.", "int", 0, minimum=0),
    Spec("VALIDATION_FRACTION", "Validation fraction",
         "Share of each class held out to watch validation loss and accuracy and to stop "
         "early. Every class keeps at least one training polygon (or pixel).",
         "float", VALIDATION_FRACTION, minimum=0.0, maximum=0.9),
    Spec("SPLIT", "Validation split",
         "'polygon' holds out whole polygons, so validation pixels are not neighbours of "
         "training pixels (honest accuracy); 'pixel' holds out single pixels.",
         "choice", "polygon", choices=SPLITS),
    Spec("ALL_TOUCHED", "Use all pixels touched by the polygons",
         "By default a pixel is taken when its centre lies inside a polygon.",
         "bool", False, advanced=True),
]

DEVICE = Spec("DEVICE", "Device", "'auto' uses a CUDA GPU when torch sees one, else the CPU.",
              "choice", T.device, choices=DEVICES, field="device")

TRAINING = [
    Spec("EPOCHS", "Epochs", "Passes over the training pixels (early stopping may end "
         "training sooner).", "int", T.epochs, minimum=1, field="epochs"),
    Spec("BATCH_SIZE", "Batch size", "Pixels per optimisation step.", "int", T.batch_size,
         minimum=2, field="batch_size"),
    Spec("LEARNING_RATE", "Learning rate", "Peak learning rate of the one-cycle schedule.",
         "float", T.learning_rate, minimum=1e-6, maximum=1.0, field="learning_rate"),
    Spec("SEED", "Random seed", "The same inputs and seed give the same model on the CPU.",
         "int", T.seed, minimum=0, field="seed"),
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
         "that window around each pixel, in training and classification alike. On Indian "
         "Pines (200 pixels per class) a 5x5 window raised OA after the edge LOP from "
         "95.3 % to 97.5 % with training pixels drawn at random, but when the test "
         "pixels lay away from the training pixels it gained 2.5 points alone and lost "
         "0.9 after the LOP (docs/benchmarks_blocked.md): try it on data you can check. "
         "It blurs details smaller than the window.", "int",
         N.input_window, minimum=1, maximum=15, field="input_window"),
    Spec("UNIT_LENGTH", "Scale each spectrum to unit length",
         "Divides each pixel's spectrum by its Euclidean length before the per-band "
         "standardisation, so brightness differences within a class (shading, "
         "illumination, moisture) drop out and the spectrum's shape stays. On Indian Pines "
         "(200 pixels per class, five seeds) it raised OA from 82.6 to 84.2 % alone and "
         "from 94.8 to 95.3 % after the edge LOP, and from 86.1 to 87.3 % after the LOP "
         "with test pixels away from the training pixels (docs/ablation.md). Turn it off "
         "where classes differ mainly in brightness (dark and bright surfaces of one "
         "material, water and shadow).",
         "bool", N.unit_length, field="unit_length"),
    Spec("CONV_CHANNELS", "Convolution channels per block",
         "Comma-separated filter counts, one per 1-D convolution block. 16,32,32 trains "
         "11 % faster and classifies about 1.5 times as fast on a 2-core CPU, for 0.45 "
         "points less OA after the edge LOP on Indian Pines (docs/ablation.md).", "ints",
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
    Spec("RNN_TYPE", "Recurrent layer", "gru (default), lstm or rnn. On Indian "
         "Pines (200 pixels per class, five seeds) an LSTM trained 21 % faster on a 2-core "
         "CPU, for 0.7 points less OA after the edge LOP (docs/ablation.md).", "choice",
         N.rnn_type, advanced=True, choices=RNN_TYPES, field="rnn_type"),
    Spec("RNN_HIDDEN", "Recurrent hidden size", "Units per recurrent layer.", "int",
         N.rnn_hidden, advanced=True, minimum=1, field="rnn_hidden"),
    Spec("RNN_LAYERS", "Recurrent layers", "Stacked recurrent layers.", "int", N.rnn_layers,
         advanced=True, minimum=1, field="rnn_layers"),
    Spec("READOUT", "Readout", "'last': the last recurrent state feeds the classifier (the "
         "paper's); 'mean': the mean of all states.", "choice", N.readout, advanced=True,
         choices=READOUTS, field="readout"),
    Spec("DROPOUT", "Dropout", "Dropout between recurrent layers and before the classifier.",
         "float", N.dropout, advanced=True, minimum=0.0, maximum=0.9, field="dropout"),
]

LOP = [
    Spec("LOP_SIZE", "LOP window (odd, pixels)",
         "Side of the linear opinion pool window: 1 = no fusion, 3 = the paper's 3x3.",
         "int", 3, minimum=1, maximum=31),
    Spec("LOP_WEIGHTS", "LOP weights",
         "uniform (the paper's), gaussian (nearer neighbours count more) or edge "
         "(neighbours weighted by spectral similarity, so fields' edges stay sharp).",
         "choice", "uniform", choices=LOP_WEIGHTS),
    Spec("LOP_ITERATIONS", "LOP iterations", "How many times the pool is applied.", "int", 1,
         minimum=0, maximum=50),
]


def add_parameters(algorithm: QgsProcessingAlgorithm, specs: Sequence[Spec]) -> None:
    for spec in specs:
        label = tr(spec.label)
        if spec.kind in ("int", "float"):
            number_type = (QgsProcessingParameterNumber.Type.Integer if spec.kind == "int"
                           else QgsProcessingParameterNumber.Type.Double)
            parameter = QgsProcessingParameterNumber(spec.key, label, number_type, spec.default)
            if spec.minimum is not None:
                parameter.setMinimum(spec.minimum)
            if spec.maximum is not None:
                parameter.setMaximum(spec.maximum)
        elif spec.kind == "bool":
            parameter = QgsProcessingParameterBoolean(spec.key, label, spec.default)
        elif spec.kind == "choice":
            parameter = QgsProcessingParameterEnum(
                spec.key, label, list(spec.choices), False, spec.default, False, True
            )
        else:
            parameter = QgsProcessingParameterString(spec.key, label, spec.default)
        parameter.setHelp(tr(spec.help))
        if spec.advanced:
            parameter.setFlags(
                parameter.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        algorithm.addParameter(parameter)


def read_parameters(
    algorithm: QgsProcessingAlgorithm, specs: Sequence[Spec], parameters: Dict[str, Any], context
) -> Dict[str, Any]:
    values: Dict[str, Any] = {}
    for spec in specs:
        if spec.kind == "int":
            values[spec.key] = algorithm.parameterAsInt(parameters, spec.key, context)
        elif spec.kind == "float":
            values[spec.key] = algorithm.parameterAsDouble(parameters, spec.key, context)
        elif spec.kind == "bool":
            values[spec.key] = algorithm.parameterAsBoolean(parameters, spec.key, context)
        elif spec.kind == "choice":
            values[spec.key] = algorithm.parameterAsEnumString(parameters, spec.key, context)
        else:
            text = algorithm.parameterAsString(parameters, spec.key, context)
            try:
                values[spec.key] = tuple(int(v) for v in text.replace(" ", "").split(",") if v)
            except ValueError:
                raise QgsProcessingException(
                    tr("{key} must be comma-separated whole numbers such as '32,32', got '{text}'.")
                    .format(key=spec.key, text=text)
                ) from None
    return values


def network_config(values: Dict[str, Any]) -> NetworkConfig:
    return NetworkConfig(**{s.field: values[s.key] for s in NETWORK})


def training_config(values: Dict[str, Any]) -> TrainingConfig:
    return TrainingConfig(**{s.field: values[s.key] for s in TRAINING})


def help_text(intro: str, sections: Sequence[Tuple[str, Sequence[Spec]]],
              extra: Sequence[Tuple[str, str]] = ()) -> str:
    """The algorithm's help: an introduction, then each parameter with its meaning."""
    lines: List[str] = [tr(intro), ""]
    for key, text in extra:
        lines.append(f"<b>{key}</b>: {tr(text)}")
    for title, specs in sections:
        lines.append(f"<h3>{tr(title)}</h3>")
        for spec in specs:
            default = f" ({tr('default')}: {spec.default})"
            lines.append(f"<b>{spec.key}</b> - {tr(spec.label)}: {tr(spec.help)}{default}")
    return "<br>".join(lines)


# Algorithms whose parameters are not tunable specs (assess, importcube) describe them
# in a table of (key, label, help); these two read such a table.
Described = Sequence[Tuple[str, str, str]]


def described_label(table: Described, key: str) -> str:
    """The translated label of ``key`` in a (key, label, help) table."""
    return tr(next(label for name, label, _ in table if name == key))


def described_help(intro: str, table: Described, outro: str = "") -> str:
    """The help text: an introduction, each parameter of the table, an optional close."""
    lines = [tr(intro)]
    lines += [f"<b>{tr(label)}</b> ({key}): {tr(text)}" for key, label, text in table]
    if outro:
        lines.append(tr(outro))
    return "<br><br>".join(lines)
