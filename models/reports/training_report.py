"""The training report: one self-contained HTML page about a trained model (QGIS-free).

:func:`write_training_report` writes what a user wants to see after training: the loss
and accuracy curves (best epoch marked), the classes with their training and validation
pixels, each class's mean spectrum with its spread, what the first convolution layer
responds to along the spectrum (the paper's point that the convolutional layers are easy
to read), the architecture and hyperparameters, the validation confusion matrix and the
run time.

The page is built from the reports' HTML kit (:mod:`.html_kit`: CSS, tables, numbers,
inline SVG figures drawn with matplotlib), the spectral figures from
:mod:`.spectral_figures`. Without matplotlib the report keeps every table and says why the
figures are missing. Nothing is loaded from the network: no external CSS, JS or fonts.
"""

from __future__ import annotations

import html
import math
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np

from ..network.modelfile import CrnnModel
from ..rasters.files import write_atomically
from ..training.train import class_targets, validation_split
from .assessment import Assessment
from .html_kit import (
    confusion_figure,
    figure_html,
    have_matplotlib,
    matplotlib_figure,
    missing_figures_note,
    page,
    percent,
    swatch,
    table,
)
from .spectral_figures import (
    first_layer_response,
    gap_note,
    response_figure,
    spectra_figure,
    spectral_axis,
)

#: Shown beside the curves where training used mixup (models/training/train.py: the training
#: accuracy counts the network's answers on the blended batches it trains on).
MIXUP_NOTE = (
    '<p class="note">Why the training accuracy is lower: training used mixup (MIXUP = '
    "{mixup:g}), and the training accuracy is measured on the mixed-up pixels the network "
    "trains on, blends of two pixels whose labels are blends of their two classes. A blend "
    "counts as right only where the network names the class of the first pixel, even where "
    "the second one makes up most of the blend. The validation accuracy is measured on "
    "unmixed pixels, so the training curve sits well under it; that gap is expected and no "
    "sign of a poor fit.</p>"
)

# --- what the report computes ------------------------------------------------------------


def validation_indices(model: CrnnModel, targets: np.ndarray,
                       groups: Optional[np.ndarray] = None) -> np.ndarray:
    """The validation pixels of training, re-derived from the provenance's fraction and seed.

    ``train_model`` splits with :func:`.training.validation_split`, which is deterministic
    for the targets, the fraction, the seed and the polygon ids (``groups``, for the
    polygon split), so the same inputs give back exactly the pixels validation used.
    """
    fraction = float(model.provenance.get("validation_fraction", 0.0) or 0.0)
    seed = int(model.provenance.get("training_config", {}).get("seed", 0))
    if model.provenance.get("split") == "polygon" and groups is None:
        return np.zeros(0, np.int64)  # cannot be re-derived without the polygon ids
    _, held_out = validation_split(targets, fraction, seed, groups)
    return held_out


def confusion_matrix(targets: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """(K, K) counts: rows = reference index, columns = predicted index."""
    matrix = np.zeros((n_classes, n_classes), np.int64)
    np.add.at(matrix, (np.asarray(targets), np.asarray(predicted)), 1)
    return matrix


# --- the page ---------------------------------------------------------------------------


def _duration(seconds: Optional[float]) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{int(minutes)} min {rest:.0f} s"
    hours, minutes = divmod(minutes, 60)
    return f"{int(hours)} h {int(minutes)} min"


def _section_summary(model: CrnnModel, counts: np.ndarray, held_out: int,
                     seconds: Optional[float]) -> str:
    info = model.provenance
    rows = [
        ("Raster", info.get("source_raster", "-")),
        ("Training polygons", info.get("training_layer", "-")),
        ("Class field", info.get("class_field", "-")),
        ("Bands used", f"{model.n_bands} ({_band_range(model.band_indices)}"
                       f"{_wavelength_range(model)})"),
        ("Classes", model.n_classes),
        ("Pixels", f"{int(counts.sum()):,} ({int(counts.sum()) - held_out:,} training, "
                   f"{held_out:,} validation, split by {info.get('split', '-')})"),
        ("Best epoch", f"{info.get('best_epoch', '-')} of {info.get('epochs_run', '-')} run"),
        ("Validation accuracy at the best epoch", percent(info.get("validation_accuracy"))),
        ("Unlabelled pixels", _unlabelled_summary(info.get("semi_supervised"))),
        ("Training time", _duration(info.get("training_seconds"))),
        ("Whole run (reading, training, report)", _duration(seconds)),
        ("Trained", info.get("date", "-")),
        ("Plugin version", info.get("plugin_version", "-")),
    ]
    return "<h2>Summary</h2>" + table(rows)


def _unlabelled_summary(semi: Optional[Dict[str, Any]]) -> str:
    if not semi:
        return "not used (supervised training)"
    rounds = semi.get("rounds", [])
    taken = sum(int(r.get("pseudo_labels", 0)) for r in rounds)
    return (f"{int(semi.get('unlabelled_pixels', 0)):,} looked at in {len(rounds)} "
            f"step(s), {taken:,} pseudo-labels trained on (semi-supervised)")


def _step_names(rounds: List[Dict[str, Any]]) -> List[str]:
    """'Grown' for labels grown from the training pixels, 'Round n' for the n-th round
    of self-training (files written before growing existed have no 'source')."""
    names, number = [], 0
    for info in rounds:
        if info.get("source") == "grown":
            names.append("Grown")
        else:
            number += 1
            names.append(f"Round {number}")
    return names


def _section_unlabelled(model: CrnnModel) -> str:
    """What the unlabelled pixels gave: per step, the pixels looked at, the
    pseudo-labels kept per class and their agreement with the validation pixels."""
    semi = model.provenance.get("semi_supervised")
    if not semi:
        return ""
    rounds = semi.get("rounds", [])
    settings = semi.get("settings", {})
    parts = ["<h2>Unlabelled pixels (semi-supervised)</h2>"]
    grown = [r for r in rounds if r.get("source") == "grown"]
    if grown:  # the bound the growth used (the noise rule's, capped), else the floor
        angle = grown[0].get("angle", settings.get("grow_angle", "-"))
        parts.append(
            '<p class="note">Grown: each training pixel gave its class to the pixels within '
            f"{settings.get('grow_radius', '-')} pixels of it whose spectrum lies within "
            f"{angle} radians of its own (a pixel two classes "
            "reached took none), and the model was trained on the labelled and grown "
            "pixels. Agreement: the share of the validation pixels reached by the growth "
            "that it gave their own class.</p>")
    if any(r.get("source") != "grown" for r in rounds):
        parts.append(
            '<p class="note">Self-training: the model classified a sample of the raster\'s '
            f"unlabelled pixels (at most {int(settings.get('pixel_budget', 0)):,} a round), "
            f"its posteriors were pooled by the {settings.get('lop_size', '-')}x"
            f"{settings.get('lop_size', '-')} "
            f"{html.escape(str(settings.get('lop_weights', '-')))} LOP x"
            f"{settings.get('lop_iterations', '-')}, and pixels whose pooled probability "
            f"reached {settings.get('threshold', '-')} became pseudo-labels (at most "
            f"{settings.get('per_class', '-')} per class, drawn at random); the model was "
            "then trained again on the labelled and pseudo-labelled pixels. Agreement: the "
            "share of the labelled validation pixels inside the sample whose pooled class "
            "is their class (all of them, and those confident enough to have become "
            "pseudo-labels).</p>")
    parts.append('<p class="note">The training curves above are those of the last '
                 "step.</p>")
    rows = []
    names = _step_names(rounds)
    for name, info in zip(names, rounds):
        rows.append((name,
                     f"{int(info.get('unlabelled_pixels', 0)):,} unlabelled pixels looked at, "
                     f"{int(info.get('confident_pixels', 0)):,} candidates, "
                     f"{int(info.get('pseudo_labels', 0)):,} pseudo-labels kept; "
                     f"agreement with {int(info.get('validation_pixels', 0)):,} validation "
                     f"pixels {percent(info.get('validation_agreement'))}, with the "
                     f"{int(info.get('validation_confident', 0)):,} confident ones "
                     f"{percent(info.get('validation_confident_agreement'))}; "
                     f"{info.get('epochs', '-')} epochs"))
    parts.append(table(rows))
    if rounds:
        header = "".join(f"<th>{name}</th>" for name in names)
        body = ""
        for c in model.classes:
            cells = "".join(f"<td>{int(r.get('pseudo_label_counts', {}).get(c.name, 0)):,}</td>"
                            for r in rounds)
            body += (f"<tr><td class='name'>{swatch(c.color)}{html.escape(c.name)}</td>"
                     f"{cells}</tr>")
        parts.append("<p>Pseudo-labels per class:</p>"
                     f"<table><tr><th class='name'>Class</th>{header}</tr>{body}</table>")
    return "".join(parts)


def _wavelength_range(model: CrnnModel) -> str:
    if not (model.has_wavelengths and len(model.band_wavelengths) == model.n_bands):
        return ""
    return f"; {min(model.band_wavelengths):g}-{max(model.band_wavelengths):g} nm"


def _band_range(bands: Sequence[int]) -> str:
    bands = list(bands)
    if bands and bands == list(range(bands[0], bands[0] + len(bands))):
        return f"bands {bands[0]}-{bands[-1]}"
    return "bands " + ", ".join(str(b) for b in bands[:12]) + (" ..." if len(bands) > 12 else "")


def _section_curves(model: CrnnModel, have_plots: bool) -> str:
    history = model.history
    if not history:
        return "<h2>Training curves</h2><p class='note'>The model has no training history.</p>"
    best = int(model.provenance.get("best_epoch", 0) or 0)
    parts = ["<h2>Training curves</h2>"]
    if have_plots:
        from matplotlib.ticker import MaxNLocator

        epochs = [r["epoch"] for r in history]
        figure = matplotlib_figure(10, 3.6)
        for position, (key, label) in enumerate((("loss", "Loss (cross-entropy)"),
                                                 ("accuracy", "Accuracy (%)"))):
            axes = figure.add_subplot(1, 2, position + 1)
            scale = 100.0 if key == "accuracy" else 1.0
            axes.plot(epochs, [r[f"train_{key}"] * scale for r in history],
                      color="#2166ac", label="training")
            if any(f"val_{key}" in r for r in history):
                axes.plot(epochs, [r.get(f"val_{key}", np.nan) * scale for r in history],
                          color="#d6604d", label="validation")
            if best:
                axes.axvline(best, color="#555", linestyle="--", linewidth=1,
                             label=f"best epoch ({best})")
            axes.set_xlabel("Epoch")
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 2.5
            axes.set_ylabel(label)
            axes.grid(color="#e5e5e5")
            axes.legend(fontsize=8)
        parts.append(figure_html(
            figure, "Loss and accuracy per epoch on the training and the validation pixels. "
            "The dashed line marks the best epoch (lowest validation loss), whose weights "
            "the model keeps.", salt="curves"))
    mixup = float(model.provenance.get("training_config", {}).get("mixup", 0.0) or 0.0)
    if mixup > 0:
        parts.append(MIXUP_NOTE.format(mixup=mixup))
    rows = "".join(
        "<tr>" + "".join(f"<td>{v}</td>" for v in (
            int(r["epoch"]), f"{r['train_loss']:.4f}", percent(r["train_accuracy"]),
            f"{r['val_loss']:.4f}" if "val_loss" in r else "-",
            percent(r.get("val_accuracy")), f"{r.get('learning_rate', float('nan')):.2e}",
            f"{r.get('seconds', float('nan')):.1f}")) + "</tr>"
        for r in history)
    parts.append(
        "<details><summary>Per-epoch table</summary><table><tr><th>Epoch</th>"
        "<th>Training loss</th><th>Training accuracy</th><th>Validation loss</th>"
        "<th>Validation accuracy</th><th>Learning rate</th><th>Elapsed (s)</th></tr>"
        f"{rows}</table></details>")
    return "".join(parts)


def _section_classes(model: CrnnModel, train_counts: np.ndarray,
                     validation_counts: np.ndarray) -> str:
    lines = "".join(
        f"<tr><td>{c.value}</td><td class='name'>{swatch(c.color)}{html.escape(c.name)}</td>"
        f"<td class='name'>{html.escape(c.color)}</td><td>{int(t):,}</td><td>{int(v):,}</td>"
        "</tr>"
        for c, t, v in zip(model.classes, train_counts, validation_counts))
    return ("<h2>Classes</h2><table><tr><th>Value</th><th class='name'>Name</th>"
            "<th class='name'>Colour</th><th>Training pixels</th><th>Validation pixels</th>"
            f"</tr>{lines}<tr><th class='name' colspan='3'>Total</th>"
            f"<td>{int(train_counts.sum()):,}</td><td>{int(validation_counts.sum()):,}</td>"
            "</tr></table>"
            '<p class="note">Value: the pixel value of the class in the class raster.</p>')


def _section_spectra(model: CrnnModel, spectra: np.ndarray, targets: np.ndarray,
                     have_plots: bool) -> str:
    parts = ["<h2>Mean spectrum of each class</h2>"]
    if not have_plots:
        return "".join(parts) + missing_figures_note()
    axis = spectral_axis(model)
    along = "wavelength" if axis.label.startswith("Wavelength") else "band number"
    parts.append(figure_html(
        spectra_figure(model, spectra, targets),
        "Mean spectrum of the training and validation pixels of each class (line) "
        "with one standard deviation either side (band), against "
        f"{along}; the dotted grey line is the mean of all classes. Title: class value, "
        f"name and pixel count.{gap_note(axis, 'Breaks in the lines mark')}",
        salt="spectra"))
    return "".join(parts)


def _section_convolution(model: CrnnModel, spectra: np.ndarray, targets: np.ndarray,
                         have_plots: bool) -> str:
    parts = ["<h2>What the first convolution layer responds to</h2>"]
    try:
        response, weights = first_layer_response(model, spectra, targets)
    except ImportError:
        return "".join(parts) + ('<p class="note">This section needs PyTorch, which the '
                                 "Python writing the report cannot import.</p>")
    if not have_plots:
        peak = np.argmax(response, axis=1)
        lines = "".join(f"<tr><td class='name'>{html.escape(c.name)}</td>"
                        f"<td>{_band_text(model, p)}</td><td>{response[i, p]:.3f}</td></tr>"
                        for i, (c, p) in enumerate(zip(model.classes, peak)))
        return ("".join(parts) + missing_figures_note()
                + "<table><tr><th class='name'>Class</th><th>Band of strongest response"
                f"</th><th>Mean activation</th></tr>{lines}</table>")
    axis = spectral_axis(model)
    where = "wavelength" if axis.label.startswith("Wavelength") else "band"
    parts.append(figure_html(
        response_figure(model, response, weights),
        f"Left: how strongly the first convolution layer fires at each {where} for the "
        "pixels of each class (its filters' output after ReLU, averaged over filters and "
        "pixels): bright bands are the local spectral shapes (slopes, absorption features) "
        "the network builds on. Right: the filters themselves (red positive, blue negative "
        f"weights along the kernel).{gap_note(axis, 'Blank stripes mark')}",
        salt="convolution"))
    return "".join(parts)


def _band_text(model: CrnnModel, position: int) -> str:
    """Band number of the model's ``position``-th band, with its wavelength if known."""
    text = str(model.band_indices[position])
    if model.has_wavelengths and len(model.band_wavelengths) == model.n_bands:
        text += f" ({model.band_wavelengths[position]:g} nm)"
    return text


def _section_network(model: CrnnModel, setting_names: Mapping[str, str]) -> str:
    network = model.network
    window = network.input_window
    source = ("one value per band" if window == 1 else
              f"per band, the mean of the {window}x{window} pixels around the pixel")
    if network.unit_length:
        source += "; each spectrum scaled to unit length, then standardised per band"
    lines = [("Input", f"1 x {model.n_bands} ({source})")]
    try:
        shapes = model.classifier(device="cpu").network.layer_shapes(model.n_bands)
    except ImportError:
        shapes = None  # the shapes are measured on the network, which needs torch
    for i, (channels, kernel, pool) in enumerate(zip(network.conv_channels, network.kernel_sizes,
                                                     network.pool_sizes)):
        stride = f", stride {network.first_stride}" if i == 0 and network.first_stride > 1 else ""
        norm = " + batch norm" if network.batch_norm else ""
        pooling = f" + max-pool {pool}" if pool > 1 else ""
        output = f" -> {shapes.blocks[i][0]} x {shapes.blocks[i][1]}" if shapes else ""
        lines.append((f"Convolution block {i + 1}",
                      f"{channels} filters of {kernel} bands{stride}{norm} + ReLU{pooling}"
                      f"{output}"))
    reads = (f", reads {shapes.rnn_steps} steps of {shapes.rnn_features} features"
             if shapes else "")
    lines.append(("Recurrent layers", f"{network.rnn_layers} x {network.rnn_type.upper()}, "
                                      f"{network.rnn_hidden} units{reads}"))
    lines.append(("Readout", f"{network.readout} state, dropout {network.dropout}"))
    classes = shapes.classes if shapes else model.n_classes
    lines.append(("Output", f"linear layer -> {classes} classes (softmax)"))
    parameters = sum(int(np.asarray(w).size) for name, w in model.weights.items()
                     if not name.endswith(("running_mean", "running_var", "num_batches_tracked")))
    lines.append(("Trainable parameters", f"{parameters:,}"))
    training_config = model.provenance.get("training_config", {})
    settings = [(k, v) for k, v in network.to_dict().items()]
    settings += [(k, v) for k, v in training_config.items()]
    for key in ("validation_fraction", "split", "samples_per_class"):
        if key in model.provenance:
            settings.append((key, model.provenance[key]))
    named = [(html.escape(setting_names.get(k, k)), v) for k, v in settings]
    return ("<h2>Architecture</h2>" + table(lines)
            + "<h2>Hyperparameters</h2>" + table(named)
            + '<p class="note">The network\'s settings, then the training\'s, as stored in '
              "the model file, each named as its parameter is.</p>")


def _section_confusion(model: CrnnModel, matrix: Optional[np.ndarray], have_plots: bool) -> str:
    parts = ["<h2>Validation confusion matrix</h2>"]
    if matrix is None or matrix.sum() == 0:
        why = ("no pixel was held out for validation (VALIDATION_FRACTION 0, or classes too "
               "small to spare a polygon)" if matrix is not None else
               "the validation pixels were not given to the report")
        return "".join(parts) + f'<p class="note">No validation confusion matrix: {why}.</p>'
    matrix = np.asarray(matrix, np.int64)
    # the accuracy report's figures, with an empty Unclassified column: every validation
    # pixel has a predicted class
    figures = Assessment([c.value for c in model.classes], [c.name for c in model.classes],
                         np.hstack([matrix, np.zeros((matrix.shape[0], 1), np.int64)]))
    parts.append(table([("Validation pixels", f"{figures.total:,}"),
                        ("Overall accuracy", percent(figures.overall_accuracy)),
                        ("Cohen's kappa", f"{figures.kappa:.4f}")]))
    labels = [str(c.value) for c in model.classes]
    if have_plots:
        figure = confusion_figure(matrix, [f"{c.value} {c.name}" for c in model.classes],
                                  labels)
        parts.append(figure_html(figure, "Rows: the validation pixels' true class; columns: "
                                 "the class the model gives them. Counts in the cells; the "
                                 "shade is the share of the row.", salt="confusion"))
    header = "".join(f"<th title='{html.escape(c.name)}'>{c.value}</th>" for c in model.classes)
    body = "".join(
        f"<tr><th class='name'>{swatch(c.color)}{c.value} {html.escape(c.name)}</th>"
        + "".join(f"<td>{int(n):,}</td>" for n in row) + "</tr>"
        for c, row in zip(model.classes, matrix))
    parts.append("<details><summary>As a table</summary><table><tr>"
                 f"<th class='name'>Reference \\ Predicted</th>{header}</tr>{body}</table>"
                 "</details>")
    return "".join(parts)


def render_training_report(model: CrnnModel, spectra: np.ndarray, labels: np.ndarray,
                           groups: Optional[np.ndarray] = None,
                           validation_confusion: Optional[np.ndarray] = None,
                           seconds: Optional[float] = None,
                           setting_names: Optional[Mapping[str, str]] = None,
                           title: str = "CRNN training report") -> str:
    """The report as one HTML string; see :func:`write_training_report`."""
    spectra = np.asarray(spectra, np.float32)
    targets = class_targets(np.asarray(labels).ravel(), model.classes)
    if spectra.ndim != 2 or spectra.shape[0] != targets.shape[0] \
            or spectra.shape[1] != model.n_bands:
        raise ValueError(f"spectra must be (pixels, {model.n_bands}) with one label per "
                         f"pixel; got {spectra.shape} and {targets.shape[0]} labels.")
    held_out = validation_indices(model, targets, groups)
    validation = np.zeros(targets.shape[0], bool)
    validation[held_out] = True
    k = model.n_classes
    train_counts = np.bincount(targets[~validation], minlength=k)
    validation_counts = np.bincount(targets[validation], minlength=k)
    samples = model.provenance.get("samples")
    if samples and (groups is None and model.provenance.get("split") == "polygon"):
        # the split could not be re-derived: the counts recorded at training are exact
        train_counts = np.array([samples.get(c.name, {}).get("training", 0)
                                 for c in model.classes])
        validation_counts = np.array([samples.get(c.name, {}).get("validation", 0)
                                      for c in model.classes])
    if validation_confusion is None and held_out.size:
        try:
            probabilities = model.classifier(device="cpu").predict_proba(spectra[held_out])
            validation_confusion = confusion_matrix(targets[held_out],
                                                    probabilities.argmax(axis=1), k)
        except ImportError:
            validation_confusion = None
    elif validation_confusion is None and "split" in model.provenance \
            and not (groups is None and model.provenance.get("split") == "polygon"):
        validation_confusion = np.zeros((k, k), np.int64)  # nothing was held out
    have_plots = have_matplotlib()
    sections = [
        _section_summary(model, train_counts + validation_counts,
                         int(validation_counts.sum()), seconds),
        "" if have_plots else missing_figures_note(),
        _section_curves(model, have_plots),
        _section_classes(model, train_counts, validation_counts),
        _section_unlabelled(model),
        _section_spectra(model, spectra, targets, have_plots),
        _section_convolution(model, spectra, targets, have_plots),
        _section_network(model, setting_names or {}),
        _section_confusion(model, validation_confusion, have_plots),
    ]
    stamp = time.strftime("%Y-%m-%d %H:%M")
    return page(title,
                f'<p class="note">Written {stamp} by the Hyperspectral CRNN plugin: a CRNN '
                "after Wu &amp; Prasad (2017), <i>Remote Sensing</i> 9(3), 298.</p>\n"
                + "\n".join(s for s in sections if s))


def write_training_report(path: str, model: CrnnModel, spectra: np.ndarray,
                          labels: np.ndarray, groups: Optional[np.ndarray] = None,
                          validation_confusion: Optional[np.ndarray] = None,
                          seconds: Optional[float] = None,
                          setting_names: Optional[Mapping[str, str]] = None) -> str:
    """Write the training report of ``model`` as one self-contained HTML file.

    Args:
        path: the .html file to write (replaced atomically).
        model: the trained model (its history, classes, provenance, network, weights).
        spectra: (pixels, bands) raw values of the used bands: exactly the pixels given
            to :func:`.training.train_model` (training and validation together).
        labels: (pixels,) their class values.
        groups: the polygon id per pixel given to ``train_model`` for the polygon split;
            with it the report re-derives the validation pixels exactly. Without it (and
            a polygon split) the class table uses the counts stored in the provenance and
            no confusion matrix is drawn unless ``validation_confusion`` is given.
        validation_confusion: (K, K) counts (rows = true class, columns = predicted, in
            ``model.classes`` order), if the caller computed it; else it is computed here
            from the validation pixels (needs torch).
        seconds: the whole run's time, shown beside the training time.
        setting_names: how the user knows each setting (its parameter's label and key),
            by the model file's name for it; a setting not in it keeps that name.

    Returns:
        ``path``.
    """
    text = render_training_report(model, spectra, labels, groups, validation_confusion,
                                  seconds, setting_names)
    write_atomically(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
    return path


__all__: List[str] = [
    "write_training_report", "render_training_report", "validation_indices", "confusion_matrix",
]
