"""Sample quality of trained generators on the test set, after model selection on held-out training images.

For each `--workdir` of a generator trained by `genrepair-train` (e.g. `dcgan_mnist`, `cgan_mnist`,
`cvae_mnist`, `cgan_cifar10`), the collapse guard's per-epoch history (`sample_quality.jsonl`: FID and
friends against `evaluation.real_split`, held-out training images) is copied as it is, and the generator
the guard kept (`best_generator.weights.h5`, lowest validation FID) and the final one are scored once
on `test[:5000]` of `--data` (MNIST, or CIFAR-10) with the reference classifier: FID on its features,
class entropy, mean confidence, precision/recall/density/coverage, and label agreement for conditional models.
The FID between `test[:5000]` and `test[5000:]` is given as a reference point.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/sample_quality.py \\
        --classifier=workdirs/classifier_mnist/model.keras \\
        --workdir=workdirs/dcgan_mnist --workdir=workdirs/cgan_mnist --workdir=workdirs/cvae_mnist

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/sample_quality.py --data=cifar10 \\
        --classifier=workdirs/classifier_cifar10/model.keras --workdir=workdirs/cgan_cifar10 \\
        --output=benchmarks/results/sample_quality_cifar10.json

Prints and writes `benchmarks/results/sample_quality.json` (or `--output`).
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from tf_genrepair.data import load_arrays  # noqa: E402
from tf_genrepair.metrics import extract_features, fid, generator_quality  # noqa: E402
from tf_genrepair.models import load_model  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402


def read_json_lines(path: str) -> list[dict]:
    """The records of a JSON-lines file, or a `ValueError` naming the missing file."""
    if not os.path.isfile(path):
        raise ValueError(f"{path} does not exist: was the generator trained with evaluation.classifier set?")
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate_workdir(workdir: str, classifier, test_features: np.ndarray, num_samples: int, seed: int) -> dict:
    """Validation history, and test-set quality of the guard's pick and of the final generator, for one run."""
    with open(os.path.join(workdir, "config.json")) as handle:
        config = json.load(handle)
    with open(os.path.join(workdir, "metrics.json")) as handle:
        metrics = json.load(handle)
    history = read_json_lines(os.path.join(workdir, "sample_quality.jsonl"))
    model = load_model(os.path.join(workdir, "model.keras"))
    final = generator_quality(model, classifier, test_features, num_samples=num_samples, seed=seed)
    model.sampling_network().load_weights(os.path.join(workdir, "best_generator.weights.h5"))
    return {
        "experiment": config["name"],
        "workdir": workdir,
        "train_split": config["data"]["train_split"],
        "validation_split": config["evaluation"]["real_split"],
        "epochs": config["train"]["epochs"],
        "train_seconds": metrics["train_seconds"],
        "validation_real_split_fid": metrics.get("real_split_fid"),  # Between the two held-out training splits.
        "validation_history": history,
        "selected_epoch": metrics["best_epoch"],  # The collapse guard's pick, as it recorded it.
        "test_selected": generator_quality(model, classifier, test_features, num_samples=num_samples, seed=seed),
        "test_final": final,
    }


def describe(quality: dict[str, float]) -> str:
    """One line of test figures."""
    line = f"test FID {quality['fid']:.1f}, class entropy {quality['class_entropy']:.3f}, confidence {quality['mean_confidence']:.3f}"
    return line + (f", label agreement {quality['label_agreement']:.2%}" if "label_agreement" in quality else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", action="append", required=True, help="A trained generator's work dir; repeatable.")
    parser.add_argument("--classifier", required=True, help="The reference classifier (classifier_mnist, or classifier_cifar10).")
    parser.add_argument("--data", default="mnist", choices=("mnist", "cifar10"), help="The data the generators were trained on.")
    parser.add_argument("--num_samples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", default=default_output("sample_quality"))
    arguments = parser.parse_args()
    started = time.time()
    classifier = load_model(arguments.classifier)
    features = classifier.feature_extractor()
    test_features = extract_features(features, load_arrays(arguments.data, split="test[:5000]")[0])
    second_half = extract_features(features, load_arrays(arguments.data, split="test[5000:]")[0])
    runs = [evaluate_workdir(workdir, classifier, test_features, arguments.num_samples, arguments.seed) for workdir in arguments.workdir]
    for run in runs:
        print(f"{run['experiment']}: epoch {run['selected_epoch']} (selected on {run['validation_split']}): {describe(run['test_selected'])}; "
              f"final epoch: {describe(run['test_final'])}")
    document = {
        "benchmark": "sample_quality",
        "data": arguments.data,
        "classifier": arguments.classifier,
        "test_split": "test[:5000]",
        "num_samples": arguments.num_samples,
        "seed": arguments.seed,
        "real_halves_fid": fid(test_features, second_half),
        "runs": runs,
    }
    write_results(arguments.output, document, started=started)


if __name__ == "__main__":
    main()
