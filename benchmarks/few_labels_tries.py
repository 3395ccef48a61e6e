"""The few-label tries of docs/ablation.md ("Few labels"): semi-supervised variants on the
benchmark's splits (benchmarks/indian_pines.py's ``Split`` and ``crnn``), one JSON line a
seed and variant: OA alone, after the paper's 3x3 LOP and after the edge LOP x15, the
seconds (reading, training, classifying without LOP), and per round the pseudo-labels:
how many, how many lie on labelled ground truth, and the share of those that is right.

    .venv/bin/python benchmarks/few_labels_tries.py \\
        '{"n": 25, "seeds": [0], "variants": {"sup": null, "k200": {"per_class": 200}}}'

A variant is a dict of ``SemiSupervisedConfig`` fields (null: supervised), and
optionally "training": a dict of ``TrainingConfig`` fields; "block" gives the blocked
split's cell. One torch thread.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from hyperspectral_crnn.benchmarks import indian_pines as ip
from hyperspectral_crnn.models.network.config import NetworkConfig, TrainingConfig
from hyperspectral_crnn.models.network.crnn import use_all_cores
from hyperspectral_crnn.models.training import semi_supervised


def main(argv: list) -> int:
    args = json.loads(argv[0])
    use_all_cores(1)
    cube, gt = ip.load_indian_pines()
    log: list = []

    def recording(measure):
        def recorded(*positional, **named):
            """The pseudo-labels as the trainer takes them, scored against the ground truth."""
            found = measure(*positional, **named)
            truth = gt[found.rows, found.cols]
            known = truth > 0
            log.append({"n": int(found.values.size), "known": int(known.sum()),
                        "right": (float(np.mean(truth[known] == found.values[known]))
                                  if known.any() else None), "candidates": found.candidates})
            return found
        return recorded

    # the trainer looks them up at call time
    semi_supervised.pseudo_labels = recording(semi_supervised.pseudo_labels)
    semi_supervised.grown_labels = recording(semi_supervised.grown_labels)
    for seed in args["seeds"]:
        split = ip.Split(cube, gt, args["n"], seed, args.get("block", 0), unit_length=True)
        for name, knobs in args["variants"].items():
            knobs = dict(knobs) if knobs is not None else None
            recipe = (knobs or {}).pop("training", {})  # TrainingConfig fields
            semi = None if knobs is None else semi_supervised.SemiSupervisedConfig(**knobs)
            method = ip.crnn(NetworkConfig(), TrainingConfig(device="cpu", threads=1, **recipe),
                             1, semi)
            log.clear()
            started = time.perf_counter()
            predict = method(split)
            alone = predict(None)
            seconds = time.perf_counter() - started
            print(json.dumps({
                "seed": seed, "variant": name, "seconds": round(seconds, 1),
                "alone": round(split.scores(alone)["OA"], 2),
                "lop3": round(split.scores(predict(ip.PAPER_LOP))["OA"], 2),
                "best": round(split.scores(predict(ip.BEST_LOP))["OA"], 2),
                "pseudo": list(log)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
