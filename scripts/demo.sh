#!/usr/bin/env bash
# The Indian Pines demo: write the scene, then classify it with qgis_process.
#
#   scripts/demo.sh [OUTDIR]      (default out/demo; run through `make demo`)
#
# It trains the CRNN on the training polygons and classifies the scene in one run
# (crnn:trainclassify), then assesses the map against the test pixels (crnn:assess) and
# prints OA, AA and kappa.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/out/demo}"
python="$repo/.venv/bin/python"
qgis_process="$repo/scripts/qgis_process"

echo "== Writing the Indian Pines scene (N = 200 training pixels per class, seed 0) to $out"
PYTHONPATH="$repo/.build/plugins${PYTHONPATH:+:$PYTHONPATH}" \
    "$python" -m hyperspectral_crnn.demo.indian_pines "$out" --n-per-class 200 --seed 0

algorithms="$("$qgis_process" list 2>/dev/null)"
has() { grep -q "^[[:space:]]*$1[[:space:]]" <<<"$algorithms"; }

for algorithm in crnn:trainclassify crnn:assess; do
    has "$algorithm" || { echo "qgis_process does not list $algorithm: run 'make setup'." >&2; exit 1; }
done

# The paper's CRNN (our defaults) with the best LOP of the ablation (docs/ablation.md):
# edge-aware 3x3, applied 15 times. Every polygon pixel trains (N = 200 per class).
echo "== crnn:trainclassify (training on $(basename "$out")/indian_pines_training.gpkg)"
started=$(date +%s.%N)
"$qgis_process" run crnn:trainclassify -- \
    INPUT="$out/indian_pines.tif" \
    TRAINING="$out/indian_pines_training.gpkg" \
    CLASS_FIELD=class_id \
    CLASS_NAME_FIELD=class \
    LOP_SIZE=3 LOP_WEIGHTS=edge LOP_ITERATIONS=15 \
    OUTPUT="$out/classification.tif" \
    OUTPUT_MODEL="$out/indian_pines.crnn" \
    OUTPUT_REPORT="$out/training.html" > "$out/trainclassify.log"
finished=$(date +%s.%N)
grep -E "Training on|held out for validation|Kept the weights|Classified" "$out/trainclassify.log" || true

echo "== crnn:assess against the test pixels (every labelled pixel not used for training)"
"$qgis_process" --json run crnn:assess -- \
    CLASSIFICATION="$out/classification.tif" \
    REFERENCE="$out/indian_pines_test.tif" \
    OUTPUT_REPORT="$out/accuracy.html" > "$out/assess.json"
"$python" - "$out/assess.json" "$started" "$finished" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
results = json.loads(text[text.index("{"):])["results"]
print(f"Overall accuracy  {100 * results['OVERALL_ACCURACY']:.2f} %")
print(f"Average accuracy  {100 * results['AVERAGE_ACCURACY']:.2f} %")
print(f"Kappa             {100 * results['KAPPA']:.2f} %")
print(f"Train + classify  {float(sys.argv[3]) - float(sys.argv[2]):.0f} s wall (qgis_process)")
PY
echo "Outputs in $out: classification.tif (open it in QGIS: names and colours come with it),"
echo "training.html, accuracy.html, indian_pines.crnn."
