"""Screenshots of what a QGIS user sees: each algorithm's dialog, a classified map and the
*Install dependencies...* dialog.

Starts QGIS with its GUI (run it under a display, e.g. ``xvfb-run -a``), registers the
``crnn`` provider as QGIS does, loads the Indian Pines scene into the project, opens each
algorithm's Processing dialog (the one the Toolbox opens) with the scene's layers
selected and saves it as ``<algorithm>.png``; then shows a class raster in a map canvas
beside its legend and saves ``map.png``.

The map shows a model trained here in a minute on the scene's training polygons (a small
network, few epochs: a quick look, not the paper's accuracy), or with ``--ground-truth``
the ground truth raster styled by the plugin's own styling, which needs no training.

``install_dependencies.png`` is the dialog of *Plugins > Hyperspectral CRNN > Install
dependencies...* as it opens in the Python running the script: run with QGIS's own
Python (no venv, so torch is missing) it shows what a new user sees. ``--only`` takes
the images to make; ``--profile`` the QGIS profile folder (its packages folder is the
one the dialog shows).

Usage (from the repository root)::

    xvfb-run -a .venv/bin/python scripts/screenshots.py docs/images
    xvfb-run -a .venv/bin/python scripts/screenshots.py OUTDIR --ground-truth --scene DIR
    HOME=/home/qgis xvfb-run -a /usr/bin/python3 scripts/screenshots.py docs/images \
        --only install_dependencies --profile /home/qgis/.local/share/QGIS/QGIS3/profiles/default
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from typing import Dict, List

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALGORITHMS = ("importcube", "train", "classify", "trainclassify", "smooth", "assess",
              "sample")
DIALOG_SIZE = (900, 700)
MAP_SIZE = (900, 600)
DEPENDENCY_DIALOG = "install_dependencies"
DEPENDENCY_DIALOG_SIZE = (900, 620)
IMAGES = ALGORITHMS + ("map", DEPENDENCY_DIALOG)

# A small network and short training for the map: seconds-to-a-minute on a laptop CPU.
QUICK_TRAINING = {"CONV_CHANNELS": "16", "KERNEL_SIZES": "7", "POOL_SIZES": "4",
                  "RNN_HIDDEN": 32, "RNN_LAYERS": 1, "DROPOUT": 0.0, "EPOCHS": 30,
                  "BATCH_SIZE": 64, "LEARNING_RATE": 0.01, "SAMPLES_PER_CLASS": 100,
                  "DEVICE": "cpu", "LOP_SIZE": 3}


def wait(application, seconds: float) -> None:
    """Let Qt lay out and paint for a while."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        application.processEvents()
        time.sleep(0.02)


def start_qgis(profile: str = ""):
    sys.path.insert(0, os.path.join(REPO, ".build", "plugins"))
    from qgis.core import QgsApplication

    application = QgsApplication([], True, profile) if profile else QgsApplication([], True)
    application.initQgis()
    plugins = os.path.join(QgsApplication.pkgDataPath(), "python", "plugins")
    if plugins not in sys.path:  # where QGIS keeps its Processing framework
        sys.path.append(plugins)
    from processing.core.Processing import Processing

    Processing.initialize()
    import hyperspectral_crnn

    plugin = hyperspectral_crnn.classFactory(None)
    plugin.initProcessing()
    return application, plugin


def load_scene(folder: str) -> Dict[str, object]:
    """The Indian Pines files as project layers (written to ``folder`` if missing)."""
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer

    from hyperspectral_crnn.demo.indian_pines import FILE_NAMES, write_scene

    paths = {key: os.path.join(folder, name) for key, name in FILE_NAMES.items()}
    if not all(os.path.exists(p) for p in paths.values()):
        paths = write_scene(folder)
    layers = {
        "cube": QgsRasterLayer(paths["cube"], "indian_pines"),
        "ground_truth": QgsRasterLayer(paths["ground_truth"], "indian_pines_gt"),
        "training": QgsVectorLayer(paths["training"] + "|layername=training",
                                   "indian_pines_training"),
        "test": QgsRasterLayer(paths["test"], "indian_pines_test"),
    }
    for key, layer in layers.items():
        if not layer.isValid():
            raise RuntimeError(f"cannot load {key}: {paths[key]}")
    QgsProject.instance().addMapLayers(list(layers.values()))
    layers["paths"] = paths
    return layers


def dialog_values(layers) -> Dict[str, Dict[str, object]]:
    """Inputs to pre-select in each dialog, so it shows what a user would pick."""
    cube, training = layers["cube"], layers["training"]
    train = {"INPUT": cube, "TRAINING": training, "CLASS_FIELD": "class"}
    return {
        "train": train,
        "classify": {"INPUT": cube},
        "trainclassify": train,
        "assess": {"REFERENCE": layers["test"].id()},
        "sample": {"CLASSIFICATION": layers["ground_truth"].id()},
    }


def dialog_contents(algorithm) -> str:
    """What a dialog's screenshot shows, as text kept beside it (``<name>.shows.txt``):
    its title, help and parameters (key: label). tests/test_screenshots.py fails when an
    algorithm no longer matches its screenshot."""
    lines = [algorithm.displayName(), algorithm.shortHelpString()]
    lines += [f"{p.name()}: {p.description()}" for p in algorithm.parameterDefinitions()]
    return "\n".join(lines) + "\n"


def grab_dialogs(application, folder: str, layers, names=ALGORITHMS) -> List[str]:
    from processing.gui.AlgorithmDialog import AlgorithmDialog
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    values = dialog_values(layers) if layers else {}
    written = []
    for name in names:
        algorithm = registry.createAlgorithmById(f"crnn:{name}")
        if algorithm is None:
            raise RuntimeError(f"crnn:{name} is not registered")
        dialog = AlgorithmDialog(algorithm)
        dialog.resize(*DIALOG_SIZE)
        preset = values.get(name)
        if preset:
            panel = dialog.mainWidget()
            panel.setParameters(preset)
        dialog.show()
        wait(application, 1.0)
        path = os.path.join(folder, f"{name}.png")
        dialog.grab().save(path)
        with open(os.path.join(folder, f"{name}.shows.txt"), "w", encoding="utf-8") as stream:
            stream.write(dialog_contents(algorithm))
        written.append(path)
        dialog.close()
        dialog.deleteLater()
        wait(application, 0.1)
    return written


def classified_layer(layers, folder: str, ground_truth: bool):
    """A class raster styled by the plugin: a quick model's map, or the ground truth."""
    from qgis.core import QgsRasterLayer

    if ground_truth:
        from osgeo import gdal

        from hyperspectral_crnn.algorithms.styling import write_style
        from hyperspectral_crnn.models.common.classes import ClassInfo
        from hyperspectral_crnn.models.reports.assessment_rasters import band_classes

        path = layers["paths"]["ground_truth"]
        dataset = gdal.Open(path)
        names, colours = band_classes(dataset.GetRasterBand(1))
        dataset = None
        classes = [ClassInfo(v, names.get(v, f"Class {v}"), colours.get(v, "#888888"))
                   for v in sorted(names)]
        copy = os.path.join(folder, "ground_truth.tif")
        gdal.Translate(copy, path)
        write_style(copy, classes)
        return QgsRasterLayer(copy, "Indian Pines ground truth"), "ground truth"
    import processing

    output = os.path.join(folder, "classified.tif")
    started = time.perf_counter()
    processing.run("crnn:trainclassify", {
        "INPUT": layers["paths"]["cube"], "TRAINING": layers["paths"]["training"],
        "CLASS_FIELD": "class_id", "CLASS_NAME_FIELD": "class", "OUTPUT": output,
        **QUICK_TRAINING})
    print(f"trained and classified in {time.perf_counter() - started:.0f} s")
    return QgsRasterLayer(output, "Indian Pines, CRNN + LOP 3x3"), "quick CRNN"


def grab_map(application, folder: str, layers, work: str, ground_truth: bool) -> str:
    from qgis.core import QgsLayerTreeModel, QgsProject
    from qgis.gui import QgsLayerTreeMapCanvasBridge, QgsLayerTreeView, QgsMapCanvas
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtGui import QColor
    from qgis.PyQt.QtWidgets import QSplitter

    layer, what = classified_layer(layers, work, ground_truth)
    if not layer.isValid():
        raise RuntimeError("the class raster did not load")
    layer.loadDefaultStyle()  # the .qml the plugin writes beside the raster
    project = QgsProject.instance()
    project.removeAllMapLayers()  # the legend shows the class raster alone
    project.addMapLayer(layer)
    root = project.layerTreeRoot()
    window = QSplitter(Qt.Orientation.Horizontal)
    view = QgsLayerTreeView()
    model = QgsLayerTreeModel(root)
    model.setFlag(QgsLayerTreeModel.Flag.AllowNodeChangeVisibility)
    view.setModel(model)
    canvas = QgsMapCanvas()
    canvas.setCanvasColor(QColor("white"))
    QgsLayerTreeMapCanvasBridge(root, canvas, window)
    window.addWidget(view)
    window.addWidget(canvas)
    window.setSizes([280, MAP_SIZE[0] - 280])
    window.resize(*MAP_SIZE)
    canvas.setDestinationCrs(layer.crs())
    canvas.setLayers([layer])
    window.show()
    wait(application, 0.5)
    canvas.setExtent(layer.extent())
    canvas.refresh()
    wait(application, 2.0)
    view.expandAll()
    wait(application, 0.5)
    path = os.path.join(folder, "map.png")
    window.grab().save(path)
    print(f"map: {what}")
    window.close()
    return path


def grab_dependency_dialog(application, folder: str, plugin) -> str:
    """The Install dependencies dialog as the menu entry opens it (the plugin's packages
    folder, QGIS's Python, each package's state, the command for the ticked ones)."""
    dialog = plugin.show_dependency_dialog()
    dialog.resize(*DEPENDENCY_DIALOG_SIZE)
    wait(application, 1.0)
    path = os.path.join(folder, f"{DEPENDENCY_DIALOG}.png")
    dialog.grab().save(path)
    dialog.close()
    wait(application, 0.1)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="where the PNGs go (created)")
    parser.add_argument("--scene", help="folder of the Indian Pines scene (written if "
                                        "missing; default: a temporary folder)")
    parser.add_argument("--ground-truth", action="store_true",
                        help="map the styled ground truth instead of training a quick model")
    parser.add_argument("--only", nargs="+", choices=IMAGES, metavar="NAME",
                        help=f"make only these images (of {', '.join(IMAGES)})")
    parser.add_argument("--profile", default="",
                        help="QGIS profile folder (default: QGIS's default)")
    args = parser.parse_args(argv)
    names = args.only or IMAGES
    os.makedirs(args.folder, exist_ok=True)
    application, plugin = start_qgis(args.profile)
    dialogs = [name for name in ALGORITHMS if name in names]
    if dialogs or "map" in names:
        with tempfile.TemporaryDirectory() as work:
            layers = load_scene(args.scene or os.path.join(work, "scene"))
            for path in grab_dialogs(application, args.folder, layers, dialogs):
                print(path)
            if "map" in names:
                print(grab_map(application, args.folder, layers, work, args.ground_truth))
            from qgis.core import QgsProject

            QgsProject.instance().clear()
    if DEPENDENCY_DIALOG in names:
        print(grab_dependency_dialog(application, args.folder, plugin))
    plugin.unload()
    application.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
