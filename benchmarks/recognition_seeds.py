"""Error bars for the recognition headline: accuracy recovered over several damage seeds and restorer training seeds.

The headline of the recognition study (the `unet` restorer, `restore_mnist` trained 6 epochs, on the
twelve classic corruptions, MNIST test set) is one damage seed. This scores each given restorer with
`evaluate_recognition_gain` under every `--damage_seeds` seed (models unchanged) and reports, per
severity, the mean and the standard deviation over damage seeds of the accuracy, the mean of
per-corruption recovered fractions and the pooled recovered fraction; with restorers from several
training seeds (`--restorer=name=path`, repeated), also over all (training seed, damage seed) pairs.
With `--augmented_classifier` (the same network trained on the damage), also its accuracy on the damaged
images and each restorer's gap to it in points (clean classifier + restorer minus augmented on damaged).

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/recognition_seeds.py \
        --classifier=workdirs/classifier_mnist/model.keras \
        --restorer=seed0=workdirs/restore_mnist_e6/model.keras --restorer=seed1=workdirs/restore_mnist_e6_seed1/model.keras \
        --output=benchmarks/results/recognition_seeds.json
    GENREPAIR_DATA_DIR=../shared/data python benchmarks/recognition_seeds.py --data=cifar10 \
        --classifier=workdirs/classifier_cifar10/model.keras --augmented_classifier=workdirs/classifier_cifar10_augmented/model.keras \
        --restorer=unet=workdirs/restore_cifar10/model.keras --output=benchmarks/results/recognition_seeds_cifar10.json
"""

import argparse
import collections
import functools
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tf_genrepair.corruptions import CLASSIC_CORRUPTIONS  # noqa: E402
from tf_genrepair.data import load_arrays  # noqa: E402
from tf_genrepair.evaluation import evaluate_recognition_gain  # noqa: E402
from tf_genrepair.evaluation.report import summarize  # noqa: E402
from tf_genrepair.io.plots import save_curves  # noqa: E402
from tf_genrepair.models import load_model  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.restorers import named_paths  # noqa: E402
from harness.results import default_output, write_results  # noqa: E402

FIGURES = ("accuracy", "recovered_mean", "recovered_pooled")
CLEAN, AUGMENTED = "clean", "augmented"


def mean_and_spread(values: list[float]) -> dict:
    """Mean, sample standard deviation (0 for one value), and every value."""
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0, "values": values}


def headline(summary: dict, method: str) -> dict:
    """`{severity: {figure: value}}` of one method in a `summarize` result, with `gap_to_augmented_points` when the
    summary compares against an augmented classifier (restorers only)."""
    result = {}
    for severity, methods in summary["methods"].items():
        figures = {figure: methods[method][figure] for figure in FIGURES}
        versus = summary["versus_augmentation"].get(severity, {}).get("per_restorer", {})
        if method in versus:
            figures["gap_to_augmented_points"] = versus[method]["gap_points"]
        result[int(severity)] = figures
    return result


def augmented_headline(summary: dict) -> dict:
    """`{severity: {"accuracy": value}}`: the augmented classifier on the damaged images, mean over corruptions."""
    return {int(severity): {"accuracy": values["mean_accuracy"][f"{AUGMENTED} + damaged"]} for severity, values in summary["versus_augmentation"].items()}


def aggregate(runs: list[dict]) -> dict:
    """`{severity: {figure: mean_and_spread}}` over runs shaped like `headline` (the figures every run has)."""
    severities = sorted(runs[0])
    return {severity: {figure: mean_and_spread([run[severity][figure] for run in runs]) for figure in runs[0][severity]} for severity in severities}


def per_corruption_accuracy(reports: list[dict]) -> dict:
    """`{classifier: {method: {severity: {corruption: accuracy}}}}`, each the mean over the `evaluate_recognition_gain` reports."""
    values = collections.defaultdict(list)
    for report in reports:
        for row in report["rows"]:
            values[(row["classifier"], row["method"], str(row["severity"]), row["corruption"])].append(row["accuracy"])
    nested = {}
    for (classifier, method, severity, corruption), accuracies in values.items():
        nested.setdefault(classifier, {}).setdefault(method, {}).setdefault(severity, {})[corruption] = statistics.fmean(accuracies)
    return nested


def save_accuracy_plot(over_damage_seeds: dict, clean_accuracy: dict, path: str, *, title: str) -> str:
    """Mean accuracy over corruptions vs severity, one line per row of `over_damage_seeds`, bars of one standard deviation."""
    keys = sorted(next(iter(over_damage_seeds.values())), key=int)  # Severities: ints, or strings once read back from JSON.
    series, errors = {}, {}
    for name, figures in over_damage_seeds.items():
        label = f"{AUGMENTED} classifier + damaged" if name == f"{AUGMENTED}_classifier_on_damaged" else f"{CLEAN} classifier + {name}"
        series[label] = [100 * figures[key]["accuracy"]["mean"] for key in keys]
        errors[label] = [100 * figures[key]["accuracy"]["std"] for key in keys]
    for classifier, accuracy in clean_accuracy.items():
        series[f"{classifier} classifier on clean images"] = [100 * accuracy] * len(keys)
    dashed = [label for label in series if label.endswith("clean images")]
    return save_curves([int(key) for key in keys], series, path, x_label="severity", y_label="accuracy (%)", title=title, dashed=dashed, errors=errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", required=True, help="The reference classifier .keras file.")
    parser.add_argument("--augmented_classifier", help="The same network trained on the damage (.keras): restoration's rival.")
    parser.add_argument("--data", default="mnist", help="Dataset name for load_arrays (mnist, cifar10, ...).")
    parser.add_argument("--restorer", action="append", required=True, help="name=path of a Restorer .keras file; repeat for training seeds.")
    parser.add_argument("--damage_seeds", default="0,1,2")
    parser.add_argument("--severities", default="3,5")
    parser.add_argument("--num_images", type=int, help="Score the first this many test images (default 10,000).")
    parser.add_argument("--split", help="Score this split instead, e.g. train[98%%:] (CIFAR-10's validation images) to choose a restorer.")
    parser.add_argument("--self_ensemble", action="store_true", help="Restore with the mean over the 8 rotations and flips (8 times the restorer time).")
    parser.add_argument("--output", default=default_output("recognition_seeds"))
    parser.add_argument("--plot", help="Also save accuracy vs severity (mean over corruptions, error bars over damage seeds) as this PNG.")
    arguments = parser.parse_args()
    started = time.time()
    restorer_paths = named_paths(arguments.restorer)
    seeds = [int(seed) for seed in arguments.damage_seeds.split(",")]
    severities = [int(severity) for severity in arguments.severities.split(",")]
    if arguments.split and arguments.num_images:
        parser.error(f"--split={arguments.split} and --num_images={arguments.num_images}: give one (the split may slice, e.g. train[98%:])")
    split = arguments.split or f"test[:{arguments.num_images or 10_000}]"
    images, labels = load_arrays(arguments.data, split=split)
    classifiers = {CLEAN: load_model(arguments.classifier)}
    if arguments.augmented_classifier:
        classifiers[AUGMENTED] = load_model(arguments.augmented_classifier)
    restore_options = {"batch_size": 500, "self_ensemble": arguments.self_ensemble}
    restorers = {name: functools.partial(load_model(path).restore, **restore_options) for name, path in restorer_paths.items()}
    per_run = {name: {} for name in restorers}
    clean_accuracy, reports = {}, []
    for seed in seeds:
        print(f"damage seed {seed}", file=sys.stderr, flush=True)
        report = evaluate_recognition_gain(classifiers, restorers, images, labels, CLASSIC_CORRUPTIONS, severities, seed=seed)
        summary = summarize(report, augmented_classifier=AUGMENTED if AUGMENTED in classifiers else None)
        reports.append(report)
        clean_accuracy = report["clean_accuracy"]
        for name in restorers:
            per_run[name][seed] = headline(summary, name)
        per_run.setdefault("damaged", {})[seed] = headline(summary, "damaged")
        if AUGMENTED in classifiers:
            per_run.setdefault(f"{AUGMENTED}_classifier_on_damaged", {})[seed] = augmented_headline(summary)
    result = {
        "benchmark": "recognition_seeds",
        "data": arguments.data,
        "classifier": arguments.classifier,
        "augmented_classifier": arguments.augmented_classifier,
        "restorers": restorer_paths,
        "self_ensemble": arguments.self_ensemble,
        "corruptions": list(CLASSIC_CORRUPTIONS),
        "split": split,
        "num_images": len(images),
        "clean_accuracy": clean_accuracy,
        "damage_seeds": seeds,
        "per_run": {name: {str(seed): run for seed, run in runs.items()} for name, runs in per_run.items()},
        "over_damage_seeds": {name: aggregate(list(runs.values())) for name, runs in per_run.items()},
        "over_all_restorers_and_damage_seeds": aggregate([run for name in restorers for run in per_run[name].values()]),
        "per_corruption_accuracy": per_corruption_accuracy(reports),
    }
    result = write_results(arguments.output, result, started=started)
    if arguments.plot:
        title = f"{arguments.data}: mean over {len(CLASSIC_CORRUPTIONS)} corruptions, {len(seeds)} damage seeds"
        print("wrote", save_accuracy_plot(result["over_damage_seeds"], clean_accuracy, arguments.plot, title=title))
    for severity, figures in result["over_all_restorers_and_damage_seeds"].items():
        text = ", ".join(f"{figure} {value['mean']:.4f} +- {value['std']:.4f}" for figure, value in figures.items())
        print(f"severity {severity}: {text}")


if __name__ == "__main__":
    main()
