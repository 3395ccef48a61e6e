"""The graphical model resources/crnn_workflow.model3 (train -> classify -> assess)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree
from xml.etree.ElementTree import canonicalize

import pytest

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "resources" / "crnn_workflow.model3"

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/bin/qgis_process.bin"),
                                reason="qgis_process is not installed")


def _as_this_qgis_writes(model_file: Path, out: Path) -> str:
    """The model read by the running QGIS and written back: newer QGIS releases add keys
    (3.44 writes three more than 3.22), so only files written by one release compare."""
    from qgis.core import QgsProcessingModelAlgorithm

    model = QgsProcessingModelAlgorithm()
    assert model.fromFile(str(model_file)), f"QGIS cannot read {model_file}"
    assert model.toFile(str(out))
    # QGIS 3.40+ stamps the model format it read ("internal_version": Version1 for a file
    # written by 3.22, Version2 for one it makes): a format marker, not the workflow
    tree = ElementTree.parse(out)
    for parent in tree.iter():
        for option in parent.findall("Option[@name='internal_version']"):
            parent.remove(option)
    # Qt writes XML attributes in a random order: compare the canonical forms
    return canonicalize(ElementTree.tostring(tree.getroot(), encoding="unicode"))


def test_committed_model_is_what_the_script_builds(tmp_path, provider):
    out = tmp_path / "workflow.model3"
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "build_workflow_model.py"),
                           str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    built = _as_this_qgis_writes(out, tmp_path / "built.model3")
    committed = _as_this_qgis_writes(MODEL, tmp_path / "committed.model3")
    assert built == committed, (
        "resources/crnn_workflow.model3 is out of date: run scripts/build_workflow_model.py")


def test_the_model_runs_on_indian_pines_through_qgis_process(scene, tmp_path):
    done = subprocess.run(
        [str(REPO / "scripts" / "qgis_process"), "--json", "run", str(MODEL), "--",
         f"INPUT={scene['cube']}", f"TRAINING={scene['training']}", "CLASS_FIELD=class_id",
         f"REFERENCE={scene['test']}", "EPOCHS=3",
         f"train:Model file={tmp_path / 'model.crnn'}",
         f"classify:Classification={tmp_path / 'classes.tif'}",
         f"assess:Accuracy report={tmp_path / 'accuracy.html'}"],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(done.stdout[done.stdout.index("{"):])["results"]
    assert results["classify:Classification"] == str(tmp_path / "classes.tif")
    figures = json.loads((tmp_path / "accuracy.json").read_text())
    # three epochs only: far from trained, but well above chance (1/16)
    assert figures["overall_accuracy"] > 0.3
