"""Build resources/crnn_workflow.model3: train -> classify -> assess as a graphical model.

    .venv/bin/python scripts/build_workflow_model.py [OUT]

Open the file in the Graphical Modeler to see or change the chain, or run it with
``scripts/qgis_process run resources/crnn_workflow.model3 -- INPUT=... TRAINING=...``.
The model is built with the QGIS API rather than written by hand, so it stays valid;
a test checks that the committed file is what this script writes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def build(out: Path) -> None:
    from qgis.core import (
        QgsProcessing,
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterFeatureSource,
        QgsProcessingParameterField,
        QgsProcessingParameterMapLayer,
        QgsProcessingParameterNumber,
        QgsProcessingParameterRasterLayer,
    )
    from qgis.core import (
        QgsProcessingModelChildParameterSource as Source,
    )
    from qgis.PyQt.QtCore import QPointF

    model = QgsProcessingModelAlgorithm(
        "CRNN workflow: train, classify, assess", "Hyperspectral CRNN", "crnnworkflow")
    model.setHelpContent({"ALG_DESC": (
        "Trains the CRNN on the training polygons, classifies the raster with the edge-aware "
        "LOP and assesses the map against reference labels (polygons or a label raster).")})
    inputs = [
        (QgsProcessingParameterRasterLayer("INPUT", "Hyperspectral raster"), 50),
        (QgsProcessingParameterFeatureSource("TRAINING", "Training polygons",
                                             [QgsProcessing.SourceType.TypeVectorPolygon]), 120),
        (QgsProcessingParameterField("CLASS_FIELD", "Class field", None, "TRAINING"), 190),
        (QgsProcessingParameterMapLayer("REFERENCE", "Reference (polygons or raster)"), 260),
        (QgsProcessingParameterNumber("EPOCHS", "Epochs", QgsProcessingParameterNumber.Type.Integer,
                                      80, False, 1), 330),
    ]
    for definition, y in inputs:
        component = QgsProcessingModelParameter(definition.name())
        component.setPosition(QPointF(120, y))
        model.addModelParameter(definition, component)

    def child(algorithm_id: str, child_id: str, x: float, y: float, sources: dict,
              outputs: dict) -> QgsProcessingModelChildAlgorithm:
        step = QgsProcessingModelChildAlgorithm(algorithm_id)
        step.setChildId(child_id)
        step.setDescription(child_id.capitalize())
        step.setPosition(QPointF(x, y))
        for key, source in sources.items():
            step.addParameterSources(key, [source])
        model_outputs = {}
        for key, name in outputs.items():
            output = QgsProcessingModelOutput(name)
            output.setChildOutputName(key)
            output.setChildId(child_id)
            model_outputs[name] = output
        step.setModelOutputs(model_outputs)
        model.addChildAlgorithm(step)
        return step

    child("crnn:train", "train", 420, 120, {
        "INPUT": Source.fromModelParameter("INPUT"),
        "TRAINING": Source.fromModelParameter("TRAINING"),
        "CLASS_FIELD": Source.fromModelParameter("CLASS_FIELD"),
        "EPOCHS": Source.fromModelParameter("EPOCHS"),
    }, {"OUTPUT_MODEL": "Model file", "OUTPUT_REPORT": "Training report"})
    child("crnn:classify", "classify", 660, 200, {
        "INPUT": Source.fromModelParameter("INPUT"),
        "MODEL": Source.fromChildOutput("train", "OUTPUT_MODEL"),
        "LOP_SIZE": Source.fromStaticValue(3),
        "LOP_WEIGHTS": Source.fromStaticValue("edge"),
        "LOP_ITERATIONS": Source.fromStaticValue(10),
    }, {"OUTPUT": "Classification"})
    child("crnn:assess", "assess", 900, 280, {
        "CLASSIFICATION": Source.fromChildOutput("classify", "OUTPUT"),
        "REFERENCE": Source.fromModelParameter("REFERENCE"),
        "REFERENCE_FIELD": Source.fromModelParameter("CLASS_FIELD"),
    }, {"OUTPUT_REPORT": "Accuracy report"})
    if not model.toFile(str(out)):
        raise SystemExit(f"could not write {out}")


def main(argv: list) -> int:
    out = Path(argv[0]) if argv else REPO / "resources" / "crnn_workflow.model3"
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    build(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
