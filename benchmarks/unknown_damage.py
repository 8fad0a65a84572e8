"""Damage nobody trained for: the blind restorer and the confidence gate against classify-alone, on the MNIST test set.

Scores, with `evaluate_recognition_gain` and the same damage seeds for every method:
- known damage: the classic twelve at severities 3 and 5, the blind restorer next to `restore_mnist`
  (trained on exactly those twelve);
- unknown damage: every new family (colour ones leave digits alone) at severities 3 and 5;
- compositions of two and three random corruptions at severity 3;
- do no harm: the undamaged test images, and on every setting each gated pipeline's shortfall
  against classify-alone for the same classifier (the confidence gate, and a `LearnedGate` per classifier
  for the blind restorer, trained on the first `--gate_images` training digits under blind damage with the
  `--harm_cost` that benchmarks/gate_tuning.py chose on a validation slice of the training digits);
- leave-one-family-out (`--part=lofo`): each family at severity 3, scored by the blind restorer trained without it
  (`restore_mnist_blind` with `data.corruption=blind-geometric-<family>`, in `--lofo_root`).
The reference classifier and, when given, the corruption-augmented classifier score every output.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/unknown_damage.py \\
        --classifier=workdirs/classifier_mnist/model.keras --augmented=workdirs/classifier_mnist_augmented/model.keras \\
        --blind=workdirs/restore_mnist_blind/model.keras --registry=workdirs/restore_mnist/model.keras

    python benchmarks/unknown_damage.py --part=lofo --classifier=workdirs/classifier_mnist/model.keras --lofo_root=workdirs/lofo

Writes benchmarks/results/unknown_damage.json (main) or benchmarks/results/leave_one_family_out.json (lofo).
"""

import argparse
import functools
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


from tf_genrepair.corruptions import (  # noqa: E402
    CLASSIC_CORRUPTIONS,
    COLOUR_ONLY,
    CORRUPTION_FAMILIES,
    CORRUPTIONS,
)
from tf_genrepair.data import load_arrays  # noqa: E402
from tf_genrepair.evaluation import (  # noqa: E402
    evaluate_external,
    evaluate_leave_one_family_out,
    evaluate_recognition_gain,
)
from tf_genrepair.evaluation.learned_gate import LearnedGate  # noqa: E402
from tf_genrepair.evaluation.report import summarize  # noqa: E402
from tf_genrepair.models import load_model, predict_labels  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402

NEW = tuple(name for name in CORRUPTIONS if name not in CLASSIC_CORRUPTIONS and name not in COLOUR_ONLY)
COMPOSITIONS = ("composition2", "composition3")


def _restore(model):
    return functools.partial(model.restore, batch_size=500)


def _accuracy(rows, classifier, corruption, severity, method):
    (row,) = [row for row in rows if (row["classifier"], row["corruption"], row["severity"], row["method"]) == (classifier, corruption, severity, method)]
    return row["accuracy"]


def _worst_gate_shortfall(rows) -> dict:
    """Per (classifier, gated method): the largest drop of the gated pipeline below classify-alone, in points, and where."""
    worst = {}
    for row in rows:
        if row["kind"] != "gated":
            continue
        alone = _accuracy(rows, row["classifier"], row["corruption"], row["severity"], "damaged")
        drop = 100.0 * (alone - row["accuracy"])
        key = f"{row['classifier']}/{row['method']}"
        if key not in worst or drop > worst[key]["points"]:
            worst[key] = {"points": drop, "corruption": row["corruption"], "severity": row["severity"]}
    return worst


def _leave_one_family_out(lofo_root: str, classifier, images, labels, seed: int) -> dict:
    """Each family with a `restore_mnist_blind_without_<family>` run in `lofo_root`, at severity 3."""
    paths = {family: os.path.join(lofo_root, f"restore_mnist_blind_without_{family}", "model.keras") for family in CORRUPTION_FAMILIES}
    restorers = {family: _restore(load_model(path)) for family, path in paths.items() if os.path.exists(path)}
    return evaluate_leave_one_family_out(classifier, restorers, images, labels, [3], seed=seed)


def _lofo_aggregates(families: dict, clean_accuracy: float, severity: int = 3) -> dict:
    """The mean over families of their pooled recovery, and the recovery pooled over every held-out corruption."""
    pooled = [values["severities"][severity]["recovered_pooled"] for values in families.values()]
    lost = regained = 0.0
    for values in families.values():
        scores, count = values["severities"][severity], len(values["members"])
        lost += (clean_accuracy - scores["damaged_accuracy"]) * count
        regained += (scores["restored_accuracy"] - scores["damaged_accuracy"]) * count
    return {"mean_over_families_of_pooled": float(np.mean(pooled)), "pooled_over_all_corruptions": regained / lost}


def _harm_costs(arguments: argparse.Namespace, classifiers: dict) -> dict[str, float]:
    """Per classifier: `--harm_cost`, else the cost benchmarks/gate_tuning.py chose for it."""
    if arguments.harm_cost is not None:
        return {name: arguments.harm_cost for name in classifiers}
    with open(arguments.tuning) as file:
        tuning = json.load(file)
    missing = [name for name in classifiers if name not in tuning]
    if missing:
        raise SystemExit(f"{arguments.tuning} has no tuned harm cost for {missing}: run benchmarks/gate_tuning.py or pass --harm_cost.")
    return {name: float(tuning[name]["chosen_harm_cost"]) for name in classifiers}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["main", "lofo"], default="main", help="main: everything but leave-one-family-out; lofo: only that.")
    parser.add_argument("--classifier", required=True)
    parser.add_argument("--augmented")
    parser.add_argument("--blind")
    parser.add_argument("--registry")
    parser.add_argument("--lofo_root", default="workdirs/lofo", help="Folder holding restore_mnist_blind_without_<family>/model.keras runs.")
    parser.add_argument("--num_images", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gate_images", type=int, default=20_000, help="Training digits the learned gate of the blind restorer learns from.")
    parser.add_argument("--harm_cost", type=float, default=None, help="The learned gates' harm cost; default: chosen per classifier in --tuning.")
    parser.add_argument("--tuning", default="benchmarks/results/gate_tuning.json", help="benchmarks/gate_tuning.py's output.")
    parser.add_argument("--output", default=None, help="Default: benchmarks/results/unknown_damage.json or leave_one_family_out.json.")
    return parser.parse_args()


def main() -> None:
    arguments = _arguments()
    started = time.time()
    images, labels = load_arrays("mnist", split=f"test[:{arguments.num_images}]")
    classifier = load_model(arguments.classifier)
    if arguments.part == "lofo":
        output = arguments.output or default_output("leave_one_family_out")
        families = _leave_one_family_out(arguments.lofo_root, classifier, images, labels, arguments.seed)
        clean_accuracy = float(np.mean(predict_labels(classifier, images) == labels))
        summary = {"clean_accuracy": clean_accuracy, **_lofo_aggregates(families, clean_accuracy)}
        document = {"arguments": vars(arguments), "num_images": int(len(images)), "families": families, "severity_3": summary}
        write_results(output, document, started=started)
        print(summary)
        for family, values in families.items():
            print(family, values["severities"][3])
        print(f"wrote {output}")
        return
    if not arguments.blind:
        raise SystemExit("--part=main needs --blind")
    classifiers = {"clean": classifier}
    if arguments.augmented:
        classifiers["augmented"] = load_model(arguments.augmented)
    restorers = {"blind": _restore(load_model(arguments.blind))}
    if arguments.registry:
        restorers["registry"] = _restore(load_model(arguments.registry))
    train_images, train_labels = load_arrays("mnist", split=f"train[:{arguments.gate_images}]")  # Never the test set.
    costs = _harm_costs(arguments, classifiers)
    gates = {
        name: {"blind": LearnedGate.train(model, restorers["blind"], train_images, train_labels, harm_cost=costs[name], seed=arguments.seed)}
        for name, model in classifiers.items()
    }
    options = dict(seed=arguments.seed, learned_gates=gates)
    corruptions = CLASSIC_CORRUPTIONS + NEW
    report = evaluate_recognition_gain(classifiers, restorers, images, labels, corruptions, [3, 5], **options)
    compositions = evaluate_recognition_gain(classifiers, restorers, images, labels, COMPOSITIONS, [3], **options)
    clean = evaluate_external(classifiers, restorers, images, labels, name="clean test images (no damage)", learned_gates=gates)
    all_rows = report["rows"] + compositions["rows"]
    result = {
        "arguments": vars(arguments),
        "num_images": int(len(images)),
        "harm_costs": costs,
        "clean_accuracy": report["clean_accuracy"],
        "known_damage": summarize(report, corruptions=CLASSIC_CORRUPTIONS)["methods"],
        "unknown_damage": summarize(report, corruptions=NEW)["methods"],
        "compositions": [row for row in compositions["rows"]],
        "clean_check": clean["rows"],
        "worst_gate_shortfall_points": _worst_gate_shortfall(all_rows),
        "rows": report["rows"],
    }
    output = arguments.output or default_output("unknown_damage")
    result = write_results(output, result, started=started)
    for group in ("known_damage", "unknown_damage"):
        for severity, methods in result[group].items():
            print(f"{group}, severity {severity}: " + ", ".join(f"{method} {values['accuracy']:.4f}" for method, values in methods.items()))
    for row in result["compositions"]:
        print(f"{row['corruption']}: {row['classifier']} {row['method']} {row['accuracy']:.4f}")
    for row in clean["rows"]:
        print(f"clean: {row['classifier']} {row['method']} {row['accuracy']:.4f}")
    print("worst gate shortfall (points):", result["worst_gate_shortfall_points"])
    print(f"wrote {output} ({result['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
