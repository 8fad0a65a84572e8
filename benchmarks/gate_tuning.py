"""Chooses the learned gate's `harm_cost` on training digits the gate and the test never use.

For each classifier, gates are trained (as `benchmarks/unknown_damage.py` trains them) on
`train[:--gate_images]` under blind damage, one per candidate `harm_cost`, and scored on the validation
slice `train[--validation_start:--validation_start + --validation_images]` under every grayscale
corruption at severities 3 and 5, the compositions at severity 3, and no damage. The chosen cost is
the smallest whose gated pipeline is nowhere more than `--margin` points below classify-alone on the
validation slice (`--clean_margin` on undamaged digits); failing that, the one with the smallest worst drop.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/gate_tuning.py --classifier=workdirs/classifier_mnist/model.keras \\
        --augmented=workdirs/classifier_mnist_augmented/model.keras --blind=workdirs/restore_mnist_blind/model.keras

Writes benchmarks/results/gate_tuning.json.
"""

import argparse
import functools
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from tf_genrepair.corruptions import COLOUR_ONLY, CORRUPTIONS  # noqa: E402
from tf_genrepair.data import load_arrays  # noqa: E402
from tf_genrepair.evaluation.learned_gate import LearnedGate  # noqa: E402
from tf_genrepair.evaluation.recognition_gain import corrupt, restore_in_batches  # noqa: E402
from tf_genrepair.models import load_model, predict_labels  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402

SETTINGS = [(name, severity) for name in CORRUPTIONS if name not in COLOUR_ONLY for severity in (3, 5)]
SETTINGS += [("composition2", 3), ("composition3", 3), ("none", 0)]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", required=True)
    parser.add_argument("--augmented")
    parser.add_argument("--blind", required=True)
    parser.add_argument("--harm_costs", default="1,2,4,8")
    parser.add_argument("--gate_images", type=int, default=20_000)
    parser.add_argument("--validation_start", type=int, default=50_000)
    parser.add_argument("--validation_images", type=int, default=5_000)
    parser.add_argument("--margin", type=float, default=0.5)
    parser.add_argument("--clean_margin", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default=default_output("gate_tuning"))
    return parser.parse_args()


def _validation_outcomes(restore, images: np.ndarray, seed: int) -> list[dict]:
    """Per setting: the damaged and restored validation images (damage seeded apart from the gates' training damage)."""
    outcomes = []
    progress = keras.utils.Progbar(len(SETTINGS), unit_name="setting")
    for name, severity in SETTINGS:
        if name == "none":
            damaged, masks = images, np.ones(images.shape[:3] + (1,), np.float32)
        else:
            damaged, masks = corrupt(name, images, severity, seed=seed + 1)
        outcomes.append({"corruption": name, "severity": severity, "damaged": damaged, "restored": restore_in_batches(restore, damaged, masks, 500)})
        progress.add(1)
    return outcomes


def _score_gates(classifier, gates: dict, outcomes: list[dict], labels: np.ndarray) -> dict:
    """Per harm cost: accuracy of classify-alone, restore-then-classify and the gated pipeline, per setting."""
    scores = {cost: [] for cost in gates}
    for outcome in outcomes:
        damaged_right = predict_labels(classifier, outcome["damaged"], batch_size=500) == labels
        restored_right = predict_labels(classifier, outcome["restored"], batch_size=500) == labels
        for cost, gate in gates.items():
            use_restored = gate.choose(outcome["damaged"], outcome["restored"])
            gated_right = np.where(use_restored, restored_right, damaged_right)
            scores[cost].append(
                {
                    "corruption": outcome["corruption"],
                    "severity": outcome["severity"],
                    "damaged": float(damaged_right.mean()),
                    "restored": float(restored_right.mean()),
                    "gated": float(gated_right.mean()),
                    "restored_fraction": float(use_restored.mean()),
                }
            )
    return scores


def _summary(rows: list[dict]) -> dict:
    drops = [100.0 * (row["damaged"] - row["gated"]) for row in rows if row["corruption"] != "none"]
    (clean,) = [row for row in rows if row["corruption"] == "none"]
    worst = max(range(len(drops)), key=drops.__getitem__)
    return {
        "mean_gated_accuracy": float(np.mean([row["gated"] for row in rows])),
        "mean_restored_accuracy": float(np.mean([row["restored"] for row in rows])),
        "mean_damaged_accuracy": float(np.mean([row["damaged"] for row in rows])),
        "worst_drop_points": drops[worst],
        "worst_setting": [rows[worst]["corruption"], rows[worst]["severity"]],
        "clean_drop_points": 100.0 * (clean["damaged"] - clean["gated"]),
    }


def _choose(summaries: dict, margin: float, clean_margin: float) -> float:
    safe = [cost for cost, summary in summaries.items() if summary["worst_drop_points"] <= margin and summary["clean_drop_points"] <= clean_margin]
    return min(safe) if safe else min(summaries, key=lambda cost: summaries[cost]["worst_drop_points"])


def main() -> None:
    arguments = _arguments()
    started = time.time()
    costs = [float(value) for value in arguments.harm_costs.split(",")]
    train_images, train_labels = load_arrays("mnist", split=f"train[:{arguments.gate_images}]")
    end = arguments.validation_start + arguments.validation_images
    if arguments.validation_start < arguments.gate_images:
        raise SystemExit("--validation_start must lie past the gate's training images.")
    images, labels = load_arrays("mnist", split=f"train[{arguments.validation_start}:{end}]")
    blind = load_model(arguments.blind)
    restore = functools.partial(blind.restore, batch_size=500)
    outcomes = _validation_outcomes(restore, images, arguments.seed)
    classifiers = {"clean": arguments.classifier, **({"augmented": arguments.augmented} if arguments.augmented else {})}
    result: dict = {"arguments": vars(arguments)}
    for name, path in classifiers.items():
        classifier = load_model(path)
        gates = {cost: LearnedGate.train(classifier, restore, train_images, train_labels, harm_cost=cost, seed=arguments.seed) for cost in costs}
        scores = _score_gates(classifier, gates, outcomes, labels)
        summaries = {cost: _summary(rows) for cost, rows in scores.items()}
        chosen = _choose(summaries, arguments.margin, arguments.clean_margin)
        result[name] = {"chosen_harm_cost": chosen, "summaries": {str(cost): value for cost, value in summaries.items()}, "rows": {str(c): r for c, r in scores.items()}}
        for cost, summary in summaries.items():
            print(name, cost, {key: value for key, value in summary.items()})
        print(f"{name}: chosen harm_cost {chosen}")
    result = write_results(arguments.output, result, started=started)
    print(f"wrote {arguments.output} ({result['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
