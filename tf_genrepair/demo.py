"""The main job on the shipped digits, offline: corruption gallery, classifier and damage report."""

import os
import time
from typing import Sequence

import keras
import numpy as np

from tf_genrepair.corruptions import CORRUPTIONS
from tf_genrepair.data import classification_dataset, load_dataset
from tf_genrepair.evaluation import evaluate_recognition_gain, save_corruption_gallery, write_report
from tf_genrepair.models import Classifier
from tf_genrepair.networks import digit_classifier_network

SEVERITIES = (1, 2, 3, 4, 5)


def _arrays(split: str) -> tuple[np.ndarray, np.ndarray]:
    images, labels = zip(*load_dataset("sample", split=split).as_numpy_iterator())
    return np.stack(images), np.array(labels)


def summary_table(report: dict, severities: tuple[int, ...] = (1, 3, 5)) -> str:
    """Damaged-image accuracy per corruption at a few severities, as aligned text."""
    header = f"{'corruption':<16}" + "".join(f"  sev {severity}" for severity in severities)
    lines = [f"clean accuracy {report['clean_accuracy']:.3f}", header]
    for name in dict.fromkeys(row["corruption"] for row in report["rows"]):
        accuracy = {row["severity"]: row["accuracy"] for row in report["rows"] if row["corruption"] == name and row["method"] == "damaged"}
        lines.append(f"{name:<16}" + "".join(f"  {accuracy[severity]:5.3f}" for severity in severities))
    return "\n".join(lines)


def run_demo(
    output_dir: str,
    *,
    num_test: int = 1000,
    epochs: int = 3,
    seed: int = 0,
    corruptions: Sequence[str] = tuple(CORRUPTIONS),
) -> dict:
    """Writes the corruption gallery, trains a small digit classifier and reports accuracy under damage.

    Args:
        output_dir: Folder for `corruptions.png`, `report.md`, `report.json` and plots.
        num_test: Shipped test digits to evaluate on (at most 1000).
        epochs: Classifier training epochs on the 4000 shipped training digits.
        seed: Seed for training and damage.
        corruptions: Corruptions to evaluate (the gallery always shows all of them).

    Returns:
        The evaluation report.

    Example:
        >>> report = run_demo("demo_output")
    """
    started = time.time()
    keras.utils.set_random_seed(seed)
    os.makedirs(output_dir, exist_ok=True)
    test_images, test_labels = _arrays(f"test[:{num_test}]")
    gallery = save_corruption_gallery(test_images[0], list(CORRUPTIONS), os.path.join(output_dir, "corruptions.png"), seed=seed)
    print(f"Corruption gallery: {gallery}")

    classifier = Classifier(network=digit_classifier_network(width=16, feature_dim=64))
    classifier.compile(optimizer=keras.optimizers.Adam(2e-3))
    train = classification_dataset(load_dataset("sample", split="train"), batch_size=64, seed=seed, shuffle_buffer=4000)
    classifier.fit(train, epochs=epochs, verbose=2)

    report = evaluate_recognition_gain(classifier, {}, test_images, test_labels, list(corruptions), SEVERITIES, seed=seed)
    report["seconds"] = time.time() - started
    written = write_report(report, output_dir, title="tf_genrepair demo: digit recognition under damage")
    print(summary_table(report))
    print(f"Report: {os.path.join(output_dir, 'report.md')} ({len(written) + 1} files in {output_dir}, {report['seconds']:.0f} s)")
    return report
