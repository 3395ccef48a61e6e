"""docs/algorithms.md is generated from the algorithms: it must match them."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_algorithm_reference_is_current(tmp_path):
    out = tmp_path / "algorithms.md"
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "algorithm_reference.py"),
                           str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    committed = (REPO / "docs" / "algorithms.md").read_text()
    assert out.read_text() == committed, (
        "docs/algorithms.md is out of date: run .venv/bin/python scripts/algorithm_reference.py")
    for algorithm in ("importcube", "train", "classify", "trainclassify", "smooth", "assess"):
        assert f"`crnn:{algorithm}`" in committed
