"""Collects trained models' own figures (their workdirs' `metrics.json` and what they were trained as) into one results file.

A study quotes the training time, epochs and validation figures of the models it scores; this puts them
in a committed file beside the study's results, with the command that gathered them:

    python benchmarks/model_metrics.py --model=workdirs/classifier_cifar10 --model=workdirs/restore_cifar10 \
        --note="trained one after the other, alone on the 2 cores" --output=benchmarks/results/recognition_cifar10_models_2026-12-04.json
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import write_results  # noqa: E402


def model_figures(workdir: str) -> dict:
    """The `metrics.json` of a finished training run, with its experiment's name, `model` and `train` sections (from `config.json`).

    Raises:
        FileNotFoundError: naming the workdir when it holds no finished run.
    """
    metrics_path, config_path = os.path.join(workdir, "metrics.json"), os.path.join(workdir, "config.json")
    if not os.path.exists(metrics_path):
        raise FileNotFoundError(f"{workdir} holds no metrics.json: train the model there first (its run has not finished).")
    with open(metrics_path) as file:
        figures = json.load(file)
    with open(config_path) as file:
        config = json.load(file)
    return {**figures, "experiment": config["name"], "model": config["model"], "train": config["train"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True, help="A finished training workdir; repeat for each model.")
    parser.add_argument("--note", default="", help="How the models were trained (alone, side by side, ...).")
    parser.add_argument("--output", required=True)
    arguments = parser.parse_args()
    started = time.time()
    models = {os.path.basename(os.path.normpath(workdir)): model_figures(workdir) for workdir in arguments.model}
    write_results(arguments.output, {"benchmark": "model_metrics", "note": arguments.note, "models": models}, started=started)
    print(json.dumps(models, indent=1))


if __name__ == "__main__":
    main()
