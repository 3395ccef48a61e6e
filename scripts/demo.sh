#!/usr/bin/env bash
# The Indian Pines demo: write the scene, then classify it with qgis_process.
#
#   scripts/demo.sh [OUTDIR]      (default out/demo; run through `make demo`)
#
# Each step runs only when its algorithm is in `qgis_process list`; the classification
# algorithms arrive with a later issue, until then the demo stops after the scene.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/out/demo}"
python="$repo/.venv/bin/python"
qgis_process="$repo/scripts/qgis_process"

echo "== Writing the Indian Pines scene (N = 200 training pixels per class, seed 0) to $out"
PYTHONPATH="$repo/.build/plugins${PYTHONPATH:+:$PYTHONPATH}" \
    "$python" -m hyperspectral_crnn.models.indian_pines "$out" --n-per-class 200 --seed 0

algorithms="$("$qgis_process" list 2>/dev/null)"
has() { grep -q "^[[:space:]]*$1[[:space:]]" <<<"$algorithms"; }

if ! has crnn:trainclassify; then
    echo
    echo "== Stopped after preparing the scene: the classification algorithms"
    echo "   (crnn:trainclassify, crnn:assess) are not available in this version yet."
    echo "   The scene is ready in $out for when they are."
    exit 0
fi

echo "== crnn:trainclassify"
"$qgis_process" run crnn:trainclassify -- \
    INPUT="$out/indian_pines.tif" \
    TRAINING="$out/indian_pines_training.gpkg" \
    CLASS_FIELD=class_id \
    CLASS_NAME_FIELD=class \
    OUTPUT="$out/classification.tif"

if has crnn:assess; then
    echo "== crnn:assess against the test pixels"
    "$qgis_process" run crnn:assess -- \
        CLASSIFICATION="$out/classification.tif" \
        REFERENCE="$out/indian_pines_test.tif" \
        OUTPUT_REPORT="$out/accuracy.html"
fi
