"""crnn:train: raster + training polygons -> model file."""

from __future__ import annotations

import errno
import os
import time
from typing import Any, Dict, List, Tuple

import numpy as np
from qgis.core import (
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsWkbTypes,
)

from ..models.common.classes import ClassInfo
from ..models.network.modelfile import CrnnModel
from . import parameters as specs
from .base import CrnnAlgorithm
from .polygons import attribute_request, is_empty, read_class_polygons

# A palette whose neighbours differ strongly (for layers without a categorized renderer).
TRAIN_HELP = (
    "Trains the CRNN of Wu & Prasad (2017) on the pixels under the training polygons: "
    "each pixel's spectrum goes through 1-D convolution and max-pooling layers, then "
    "stacked recurrent layers and a softmax. Polygons in any CRS are reprojected to the "
    "raster's; a pixel is taken when its centre lies inside a polygon; pixels with nodata "
    "are dropped. The class field may be integer (its values become the class raster's "
    "pixel values) or text (classes get ids 1..K in sorted order and keep their names). "
    "The model file keeps the weights, the bands, the normalisation and the classes."
)

VALIDATION_ACCURACY = "VALIDATION_ACCURACY"  # a result, not a parameter
TRAINING_SECTIONS = [("Inputs", specs.TRAINING_INPUTS), ("Sampling", specs.SAMPLING),
                     ("Training", specs.TRAINING), ("Network (advanced)", specs.NETWORK)]


def training_polygons(
    algorithm, run: specs.RunValues, context, feedback, raster_crs
) -> Tuple[List[Tuple[bytes, int]], List[ClassInfo]]:
    """Polygons as WKB in the raster's CRS with a class index, and the class list."""
    tr = algorithm.tr
    source = run[specs.TRAINING_POLYGONS]
    if source is None:
        raise QgsProcessingException(tr("The training layer could not be read."))
    field = run[specs.CLASS_FIELD]
    index = source.fields().lookupField(field)
    if index < 0:
        raise QgsProcessingException(tr(
            "The training layer has no field '{field}' (CLASS_FIELD). Choose its class field, "
            "one of: {names}.").format(field=field, names=", ".join(source.fields().names())))
    if QgsWkbTypes.geometryType(source.wkbType()) not in (QgsWkbTypes.GeometryType.PolygonGeometry,
                                                          QgsWkbTypes.GeometryType.UnknownGeometry):
        kind = {QgsWkbTypes.GeometryType.PointGeometry: tr("points"),
                QgsWkbTypes.GeometryType.LineGeometry: tr("lines")}.get(
                    QgsWkbTypes.geometryType(source.wkbType()), tr("no geometries"))
        raise QgsProcessingException(tr(
            "TRAINING must be a polygon layer, but it holds {kind}. Draw polygons around "
            "the training areas, or buffer the points or lines (Vector geometry > Buffer) "
            "by at least half a pixel.").format(kind=kind))
    numeric = source.fields().at(index).isNumeric()
    name_field = run[specs.CLASS_NAME_FIELD]
    name_index = source.fields().lookupField(name_field) if name_field and numeric else -1
    request = attribute_request(index, name_index)
    if raster_crs.isValid():
        request.setDestinationCrs(raster_crs, context.transformContext())
    elif source.sourceCrs().isValid():
        feedback.pushWarning(tr(
            "The raster has no CRS: the training polygons ({crs}) are assumed to be in the "
            "raster's coordinates. Assign the raster its CRS if they do not line up.").format(
                crs=source.sourceCrs().authid() or source.sourceCrs().description()))
    read = read_class_polygons(
        source.getFeatures(request, QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks),
        index, name_index, is_cancelled=feedback.isCanceled,
        layer_crs=source.sourceCrs().authid() or source.sourceCrs().description())
    raw: List[Tuple[bytes, Any]] = []
    names: Dict[Any, str] = {}
    skipped_class, skipped_geometry = read.without_class, read.without_geometry
    for wkb, value, name in read.records:
        if numeric:
            try:
                number = float(value)
            except (TypeError, ValueError):
                skipped_class += 1
                continue
            if not number.is_integer():  # 1.5 and 1.7 are no class 1
                raise QgsProcessingException(tr(
                    "The class field '{field}' holds {value}, not a class id: use integer "
                    "class ids or class names.").format(field=field, value=value))
            value = int(number)
            if not is_empty(name):
                names.setdefault(value, str(name).strip())
        else:
            value = str(value).strip()
        raw.append((wkb, value))
    if skipped_class:
        feedback.pushWarning(tr("{n} polygon(s) without a class in '{field}' were skipped.")
                             .format(n=skipped_class, field=field))
    if skipped_geometry:
        feedback.pushWarning(tr("{n} feature(s) without a geometry were skipped.")
                             .format(n=skipped_geometry))
    if not raw:
        raise QgsProcessingException(tr(
            "The training layer has no polygon with a class in '{field}'.").format(field=field))
    from ..models.training.samples import classes_from_keys

    keys = sorted({value for _, value in raw})
    if numeric:  # a name field, or a categorized style's labels, beat "Class 3"
        labels = _renderer_labels(run, field)
        names = {key: names.get(key) or labels.get(str(key), "") for key in keys}
    classes = classes_from_keys(keys, numeric, _renderer_colours(run, field), names)
    position_of = {key: i for i, key in enumerate(keys)}
    return [(wkb, position_of[value]) for wkb, value in raw], classes


def _categories(run: specs.RunValues, field: str):
    layer = run.layer(specs.TRAINING_POLYGONS)
    renderer = layer.renderer() if layer is not None else None
    if renderer is None or renderer.type() != "categorizedSymbol":
        return []
    if renderer.classAttribute() != field:
        return []
    return [c for c in renderer.categories() if c.value() not in (None, "")]


def _renderer_colours(run: specs.RunValues, field: str) -> Dict[str, str]:
    categories = _categories(run, field)
    return {_key(c.value()): c.symbol().color().name() for c in categories if c.symbol()}


def _renderer_labels(run: specs.RunValues, field: str) -> Dict[str, str]:
    categories = _categories(run, field)
    return {_key(c.value()): c.label() for c in categories if c.label()}


def _key(value: Any) -> str:
    try:
        return str(int(float(value)))
    except (TypeError, ValueError):
        return str(value).strip()


def train_from_parameters(algorithm, run: specs.RunValues, context, feedback,
                          progress_share: float = 100.0) -> CrnnModel:
    """Everything crnn:train does before writing the file; shared with crnn:trainclassify.

    Writes the training report too when OUTPUT_REPORT is set.
    """
    started = time.perf_counter()
    report_path = run[specs.REPORT_OUTPUT]
    from ..models.training.band_choice import training_bands
    from ..models.training.train import (
        ModelBands,
        TrainingData,
        TrainingHooks,
        TrainingSetup,
        cap_per_class,
        train_model,
    )

    tr = algorithm.tr
    layer = run[specs.TRAIN_RASTER]
    if layer is None:
        raise QgsProcessingException(tr("The input raster could not be read."))
    network = specs.network_config(run)
    training_config = specs.training_config(run)
    network.validate()
    training_config.validate()
    polygons, classes = training_polygons(algorithm, run, context, feedback, layer.crs())
    choice = training_bands(layer.source(), run[specs.BANDS], run[specs.EXCLUDE_WAVELENGTHS],
                            polygons, run[specs.ALL_TOUCHED])
    _sequence_note(tr, feedback, network, len(choice.used))
    pixels = _read_training_pixels(tr, feedback, layer, choice, polygons,
                                   run[specs.ALL_TOUCHED], network)
    kept = _classes_to_train(tr, feedback, pixels, classes)
    chosen = cap_per_class(pixels.labels, run[specs.SAMPLES_PER_CLASS], training_config.seed)
    labels = pixels.labels[chosen]
    class_values = [classes[i].value for i in range(len(classes))]
    feedback.pushInfo(tr("Training on {n} pixels of {k} classes.").format(
        n=len(chosen), k=len(kept)))
    groups = pixels.groups[chosen] if run[specs.SPLIT] == "polygon" else None
    bands = ModelBands(choice.used, [layer.bandName(b) for b in choice.used],
                       choice.used_bands, len(choice.bands))
    data = TrainingData(pixels.spectra[chosen], [class_values[i] for i in labels],
                        [classes[i] for i in kept], bands, groups, pixels.neighbours)
    setup = TrainingSetup(network, training_config, run[specs.VALIDATION_FRACTION_SPEC])
    hooks = TrainingHooks(_epoch_logger(tr, feedback, progress_share, training_config),
                          feedback.isCanceled)
    provenance = _provenance(run, layer)
    if run[specs.SEMI_SUPERVISED]:
        positions = (pixels.rows[chosen], pixels.cols[chosen])
        model = _train_semi_supervised(tr, feedback, layer, positions, data, setup, hooks,
                                       provenance)
    else:
        model = train_model(data, setup, hooks, provenance)
    if report_path:
        _write_report(tr, feedback, report_path, model, pixels.spectra[chosen],
                      np.array([class_values[i] for i in labels]), groups, started)
    feedback.pushInfo(_split_line(tr, model.provenance))
    feedback.pushInfo(kept_epoch_line(tr, model.provenance, model.history))
    return model


def _read_training_pixels(tr, feedback, layer, choice, polygons, all_touched: bool,
                          network):
    """The pixels under the polygons in the bands chosen, with notes on the bands and
    warnings for the pixels left out."""
    from ..models.training.samples import read_training_pixels

    for note in choice.notes():
        feedback.pushInfo(note)
    bands = choice.used
    network.check_bands(len(bands))
    feedback.pushInfo(tr("Reading the pixels under {n} polygons...").format(n=len(polygons)))
    pixels = read_training_pixels(layer.source(), bands, polygons, all_touched,
                                  input_window=network.input_window)
    if pixels.dropped_nodata:
        feedback.pushWarning(tr("{n} pixel(s) under the polygons have nodata and were "
                                "dropped.").format(n=pixels.dropped_nodata))
    if pixels.contested:
        feedback.pushWarning(tr("{n} pixel(s) lie under polygons of different classes; "
                                "they are ambiguous and left out.").format(n=pixels.contested))
    return pixels


def _classes_to_train(tr, feedback, pixels, classes: List[ClassInfo]) -> List[int]:
    """The positions of the classes with pixels; warns of those dropped and refuses fewer
    than two."""
    from ..models.training.samples import classes_with_pixels

    kept, empty = classes_with_pixels(pixels.labels, len(classes))
    if empty:
        feedback.pushWarning(tr("No pixel is left for class(es) {names} after rasterising; "
                                "they are dropped.").format(
                                    names=", ".join(classes[i].name for i in empty)))
    if len(kept) < 2:
        hint = tr("Add polygons of other classes, or larger polygons.")
        if pixels.dropped_nodata:
            hint = tr("{n} pixel(s) under the polygons are nodata (the band's nodata "
                      "value, NaN or Inf): check the raster's nodata value, or draw the "
                      "polygons where the raster has data.").format(n=pixels.dropped_nodata)
        raise QgsProcessingException(tr(
            "Training needs at least two classes with pixels; found {n}. {hint}").format(
                n=len(kept), hint=hint))
    return kept


def _provenance(run: specs.RunValues, layer) -> Dict[str, Any]:
    """What the model file keeps of where its training came from."""
    return {
        "source_raster": os.path.basename(layer.source()),
        "training_layer": run.text(specs.TRAINING_POLYGONS),
        "class_field": run[specs.CLASS_FIELD],
        "samples_per_class": run[specs.SAMPLES_PER_CLASS],
        "plugin_version": plugin_version(),
    }


def _epoch_logger(tr, feedback, progress_share: float, training_config):
    """An epoch callback: progress (the record's share of the run, else its epoch's) and a
    log line with the epoch's figures."""

    def on_epoch(record: Dict[str, float]) -> None:
        feedback.setProgress(progress_share * record.get(
            "progress", record["epoch"] / training_config.epochs))
        text = tr("Epoch {epoch}: loss {loss:.4f}, accuracy {acc:.3f}").format(
            epoch=record["epoch"], loss=record["train_loss"], acc=record["train_accuracy"])
        if record.get("round"):
            text = tr("Round {n}, ").format(n=record["round"]) + text
        if "val_loss" in record:
            text += tr("; validation loss {loss:.4f}, accuracy {acc:.3f}").format(
                loss=record["val_loss"], acc=record["val_accuracy"])
        feedback.pushInfo(text)

    return on_epoch


def _train_semi_supervised(tr, feedback, layer, positions, data, setup, hooks,
                           provenance) -> CrnnModel:
    """SEMI_SUPERVISED: labels grown into alike neighbours, then said in the log."""
    from ..models.training.semi_supervised import train_semi_supervised

    feedback.pushInfo(tr("Semi-supervised: the training pixels' labels will be grown "
                         "into their spectrally alike neighbours."))
    model = train_semi_supervised(data, layer.source(), positions, setup, hooks=hooks,
                                  provenance=provenance)
    for info in model.provenance["semi_supervised"]["rounds"]:  # one: the growth
        feedback.pushInfo(tr(
            "Grown labels: {pixels} unlabelled neighbours of the training pixels "
            "looked at, {taken} alike ones trained on; the growth gives {agree} of "
            "the {reached} validation pixels it reaches their own class.").format(
                pixels=info["unlabelled_pixels"], taken=info["pseudo_labels"],
                agree=_share(info["validation_agreement"]),
                reached=info["validation_pixels"]))
        _growth_bound_note(tr, feedback, info, model.provenance["semi_supervised"])
    return model


def _sequence_note(tr, feedback, network, n_bands: int) -> None:
    """Warn where the default network, sized for about 200 bands, leaves the recurrent
    layers a short sequence (50 bands: 3 steps)."""
    from ..models.network.crnn import FEW_RECURRENT_STEPS, recurrent_steps

    steps = recurrent_steps(network, n_bands)
    if steps < FEW_RECURRENT_STEPS:
        feedback.pushWarning(tr(
            "The network reads the {bands} bands as a sequence of only {steps} steps for "
            "its recurrent layers (fewer than about {few}): with few bands, set "
            "FIRST_STRIDE to 1 and smaller POOL_SIZES (e.g. '2,2,1') to keep more of the "
            "spectrum's sequence (docs/ablation.md).").format(
                bands=n_bands, steps=steps, few=FEW_RECURRENT_STEPS))


def _write_report(tr, feedback, report_path: str, model: CrnnModel, spectra, labels,
                  groups, started: float) -> None:
    """The training report (HTML) at OUTPUT_REPORT."""
    from ..models.reports.training_report import write_training_report

    try:
        write_training_report(report_path, model, spectra, labels, groups=groups,
                              seconds=time.perf_counter() - started,
                              setting_names=specs.setting_names())
    except OSError as exc:
        raise QgsProcessingException(tr(
            "Cannot write the training report '{path}': {reason}").format(
                path=report_path, reason=exc.strerror or exc)) from None
    feedback.pushInfo(tr("Training report: {path}").format(path=report_path))


def kept_epoch_line(tr, provenance: Dict[str, Any], history: List[Dict[str, Any]]) -> str:
    """Which epoch's weights the model keeps and by what rule (the lowest validation loss,
    models.training.train.train_network), with the best validation accuracy reached where
    another epoch reached it: the kept epoch's accuracy is not always the best."""
    epoch = provenance.get("best_epoch")
    accuracy = provenance.get("validation_accuracy")
    if accuracy is None:
        return tr("No pixel was held out for validation: kept the weights of the last epoch "
                  "({epoch}).").format(epoch=epoch)
    text = tr("Kept the weights of epoch {epoch} of {run}, chosen by the lowest validation "
              "loss ({loss:.4f}); validation accuracy there {acc:.4f}").format(
                  epoch=epoch, run=len(history), loss=provenance.get("validation_loss"),
                  acc=accuracy)
    scored = [r for r in history if r.get("val_accuracy") is not None]
    best = max(scored, key=lambda r: r["val_accuracy"], default=None)  # the first best
    if best is None or best["val_accuracy"] <= accuracy:
        return text + tr(", the best reached.")
    return text + tr(" (the best reached was {acc:.4f}, at epoch {epoch}).").format(
        acc=best["val_accuracy"], epoch=best["epoch"])


def _split_line(tr, provenance: Dict[str, Any]) -> str:
    """The share of each class held out for validation, and how (models.training.train's
    split_counts): a user sees when it is not the share asked."""
    parts = []
    for name, counts in provenance.get("samples", {}).items():
        total = counts["training"] + counts["validation"]
        how = ""  # the split holds out whole polygons or part of one, never both
        if counts.get("cut_polygons"):
            how = tr(", part of one polygon")
        elif counts.get("validation_polygons"):
            how = tr(", {n} whole polygon(s)").format(n=counts["validation_polygons"])
        parts.append(tr("{name} {share:.1f} % ({n} of {total}{how})").format(
            name=name, share=100 * counts.get("validation_share", 0.0),
            n=counts["validation"], total=total, how=how))
    return tr("Pixels held out for validation ({fraction} asked, {split} split): "
              "{parts}.").format(fraction=provenance.get("validation_fraction"),
                                 split=provenance.get("split"), parts="; ".join(parts))


def _growth_bound_note(tr, feedback, info: Dict[str, Any], semi: Dict[str, Any]) -> None:
    """Say when label growing's angle bound hit its cap (models.training.semi_supervised
    GROW_ANGLE_CAP), or when the scene was too noisy to grow any label."""
    if info.get("too_noisy"):
        feedback.pushWarning(tr(
            "The scene is too noisy to grow labels: the training pixels differ from their "
            "adjacent pixels by a median {noise:.2f} rad, more than the {cap:.2f} rad up to "
            "which spectra count as alike; no labels were grown, the model learnt from the "
            "labelled pixels alone.").format(noise=info["adjacent_angle"],
                                             cap=info["angle_cap"]))
    elif info.get("angle_capped"):
        factor = semi.get("settings", {}).get("grow_noise_factor", 2.0)
        feedback.pushInfo(tr(
            "The angle bound for growing labels is capped at {cap:.2f} rad (the noise rule "
            "asked for {wanted:.2f}: adjacent pixels differ by a median {noise:.2f} "
            "rad).").format(cap=info["angle_cap"], wanted=factor * info["adjacent_angle"],
                            noise=info["adjacent_angle"]))


def _share(value) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def plugin_version() -> str:
    from .base import PLUGIN_DIR

    try:
        with open(os.path.join(PLUGIN_DIR, "metadata.txt"), encoding="utf-8") as stream:
            for line in stream:
                if line.startswith("version="):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


#: errno values of a disk that is full or a file-size limit reached
DISK_FULL_ERRORS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def save_model_output(algorithm, run: specs.RunValues, model: CrnnModel) -> str:
    from ..models.network.modelfile import save_model

    path = run[specs.MODEL_OUTPUT]
    try:
        save_model(model, path)
    except OSError as exc:
        hint = (algorithm.tr("Free some disk space, or choose another disk.")
                if exc.errno in DISK_FULL_ERRORS else
                algorithm.tr("Choose a folder you can write to."))
        raise QgsProcessingException(algorithm.tr(
            "Cannot write the model file '{path}' (OUTPUT_MODEL): {reason}. {hint}").format(
                path=path, reason=exc.strerror or exc, hint=hint)) from None
    return path


def report_result(run: specs.RunValues, results: Dict[str, Any]) -> Dict[str, Any]:
    """The results, with the training report where one was written."""
    if run[specs.REPORT_OUTPUT]:
        results[specs.REPORT_OUTPUT.key] = run[specs.REPORT_OUTPUT]
    return results


class TrainAlgorithm(CrnnAlgorithm):
    group_id = "classification"
    group_name = "Classification"

    algorithm_id = "train"
    display_name = "Train CRNN"
    help_intro = TRAIN_HELP
    sections = TRAINING_SECTIONS + [("Outputs", [specs.MODEL_OUTPUT, specs.REPORT_OUTPUT])]
    results = [(VALIDATION_ACCURACY, "Validation accuracy", "number")]

    def process(self, run: specs.RunValues, context, feedback) -> Dict[str, Any]:
        model = train_from_parameters(self, run, context, feedback)
        path = save_model_output(self, run, model)
        return report_result(run, {
            specs.MODEL_OUTPUT.key: path,
            VALIDATION_ACCURACY: model.provenance.get("validation_accuracy")})
