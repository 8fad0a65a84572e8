"""CIFAR-10 classifier: test accuracy of `classifier_cifar10` beside the TensorFlow CNN tutorial's model given the same wall time.

1. `classifier_cifar10` (ResNet-20, flips and crops, 58 minutes of training time) is trained on `train[:98%]` (49,000 images) of the
   JPEG copy and validated on `train[98%:]` (or reused from `--workdir` when it holds a finished run, with the
   training time that run recorded).
2. The peer, in the same run: the model of TensorFlow's "Convolutional Neural Network (CNN)" tutorial
   (3x3 convolutions of 32, 64 and 64 filters with two max-pools, a dense layer of 64, 10 logits; Adam at
   Keras's defaults, batches of 32 as the tutorial's `fit`), on the same 49,000 images and in the same
   precision as ours (bfloat16 compute, float32 logits), trained epoch by epoch until it has used as much
   wall time as ours took. Its accuracy after the tutorial's 10 epochs is recorded on the way.
3. Both are scored once on the 10,000 test images; nothing is selected on them. Each is also scored with
   flip averaging (the mean of the class probabilities of each test image and its mirror image).

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/cifar10_classifier.py --workdir=workdirs/classifier_cifar10
    ... --no_peer      # ours only, in a minute
    ... --override=model.label_smoothing=0.1   # a variant of classifier_cifar10 (repeatable; recorded in the results)

Writes `benchmarks/results/cifar10_classifier.json`.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from tf_genrepair.configs import get_experiment  # noqa: E402
from tf_genrepair.configs.schema import CIFAR10_TRAINING  # noqa: E402
from tf_genrepair.data import load_arrays  # noqa: E402
from tf_genrepair.models import predict_labels  # noqa: E402
from tf_genrepair.training.precision import dtype_policy  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402
from harness.runs import trained_run  # noqa: E402

TUTORIAL_EPOCHS = 10


def tutorial_cnn(precision: str) -> keras.Model:
    """The TensorFlow CNN tutorial's CIFAR-10 network in `precision` (logits in float32), compiled as the tutorial compiles it."""
    with dtype_policy(precision):
        model = keras.Sequential([
            keras.Input((32, 32, 3)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, dtype="float32"),
        ])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


def peer_for(seconds: float, precision: str, images: np.ndarray, labels: np.ndarray, test: tuple[np.ndarray, np.ndarray]) -> dict:
    """Trains the tutorial model epoch by epoch until `seconds` of wall time are used; its test accuracy then and after 10 epochs."""
    keras.utils.set_random_seed(0)
    model, used, epochs, at_tutorial_epochs = tutorial_cnn(precision), 0.0, 0, None
    while used < seconds:
        started = time.perf_counter()
        model.fit(images, labels, batch_size=32, epochs=1, shuffle=True, verbose=2)
        used += time.perf_counter() - started
        epochs += 1
        if epochs == TUTORIAL_EPOCHS:
            at_tutorial_epochs = float(model.evaluate(*test, batch_size=500, verbose=0)[1])
        print(f"peer: epoch {epochs}, {used:.0f} of {seconds:.0f} s", flush=True)
    return {"train_seconds": used, "epochs": epochs, **plain_and_flipped_accuracy(model, *test), "test_accuracy_after_10_epochs": at_tutorial_epochs}


def plain_and_flipped_accuracy(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Test accuracy of `model`, plain and flip-averaged."""
    return {key: float(np.mean(predict_labels(model, images, flip_average=flip) == labels))
            for key, flip in (("test_accuracy", False), ("test_accuracy_flip_averaged", True))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="workdirs/classifier_cifar10")
    parser.add_argument("--no_peer", action="store_true", help="Score ours only (the results file says the peer was not run).")
    parser.add_argument("--output", default=default_output("cifar10_classifier"))
    parser.add_argument("--override", action="append", default=[], help="key=value override of classifier_cifar10 (repeatable).")
    arguments = parser.parse_args()
    started = time.time()
    config = get_experiment("classifier_cifar10", arguments.override)
    model, metrics = trained_run(config, arguments.workdir)
    seconds = float(metrics["train_seconds"])
    test_images, test_labels = load_arrays("cifar10", split="test")
    ours = plain_and_flipped_accuracy(model, test_images, test_labels)
    print(f"classifier_cifar10: test accuracy {ours} after {seconds:.0f} s of training", flush=True)
    if arguments.no_peer:
        peer = {"not_run": "--no_peer"}
    else:
        train_images, train_labels = load_arrays("cifar10", split=CIFAR10_TRAINING)
        peer = peer_for(seconds, config.train.precision, train_images, train_labels, (test_images, test_labels))
    document = {
        "data": f"cifar10 JPEG copy: trained on {CIFAR10_TRAINING}, scored on the 10,000 test images",
        "precision": config.train.precision,
        "ours": {"experiment": "classifier_cifar10", "overrides": arguments.override, "workdir": arguments.workdir, "epochs": metrics.get("train_epochs"),
                 "time_budget_minutes": config.train.time_budget_minutes, "train_seconds": seconds,
                 "validation_accuracy": float(metrics["accuracy"]), **ours},
        "peer": {"model": "TensorFlow CNN tutorial", **peer},
    }
    document = write_results(arguments.output, document, started=started)
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
