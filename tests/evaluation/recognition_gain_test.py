"""The recognition-gain computation: consistent numbers, identity 0%, oracle 100%, malformed sets named."""

import numpy as np
import pytest

from tf_genrepair.data import load_dataset
from tf_genrepair.evaluation.recognition_gain import (
    evaluate_external,
    evaluate_recognition_gain,
)
from tf_genrepair.restoration.baselines import baselines_for


@pytest.fixture(scope="module")
def test_digits():
    images, labels = zip(*load_dataset("sample", split="test[:128]").as_numpy_iterator())
    return np.stack(images), np.array(labels)


class Oracle:
    """Returns the clean batch that matches each damaged batch, in order."""

    def __init__(self, images: np.ndarray, batch_size: int) -> None:
        self.batches = [images[start : start + batch_size] for start in range(0, len(images), batch_size)]
        self.calls = 0

    def __call__(self, damaged, mask):
        batch = self.batches[self.calls % len(self.batches)]
        self.calls += 1
        return batch


def test_identity_recovers_nothing_and_oracle_everything(smoke_classifier, test_digits):
    images, labels = test_digits
    restorers = {"identity": lambda damaged, mask: damaged, "oracle": Oracle(images, 64)}
    report = evaluate_recognition_gain(
        smoke_classifier, restorers, images, labels, ["pixel_dropout", "gaussian_noise"], [5], batch_size=64
    )
    (clean_accuracy,) = report["clean_accuracy"].values()
    rows = {(row["corruption"], row["method"]): row for row in report["rows"]}
    assert {row["clean_accuracy"] for row in report["rows"]} == {clean_accuracy}
    for corruption in ("pixel_dropout", "gaussian_noise"):
        damaged, identity, oracle = (rows[corruption, method] for method in ("damaged", "identity", "oracle"))
        assert damaged["accuracy"] < clean_accuracy
        assert identity["accuracy_recovered"] == 0.0 and identity["accuracy"] == damaged["accuracy"]
        assert oracle["accuracy_recovered"] == pytest.approx(1.0) and oracle["psnr"] == pytest.approx(100.0)


def test_baselines_run_only_on_the_corruptions_they_address(smoke_classifier, test_digits):
    images, labels = test_digits
    report = evaluate_recognition_gain(
        smoke_classifier, {}, images[:32], labels[:32], ["box", "salt_and_pepper"], [3], baselines=baselines_for, batch_size=32
    )
    methods = {(row["corruption"], row["method"], row["kind"]) for row in report["rows"]}
    assert ("box", "telea", "classical") in methods and ("box", "median", "classical") not in methods
    assert ("salt_and_pepper", "median", "classical") in methods and ("salt_and_pepper", "telea", "classical") not in methods
    assert ("box", "damaged", "damaged") in methods


def test_several_classifiers_each_score_every_output(smoke_classifier, test_digits):
    images, labels = test_digits
    classifiers = {"first": smoke_classifier, "second": smoke_classifier}
    report = evaluate_recognition_gain(classifiers, {"identity": lambda d, m: d}, images[:64], labels[:64], ["box"], [5])
    assert set(report["clean_accuracy"]) == {"first", "second"}
    by_classifier = {name: [row["accuracy"] for row in report["rows"] if row["classifier"] == name] for name in classifiers}
    assert by_classifier["first"] == by_classifier["second"] and len(by_classifier["first"]) == 3  # damaged, identity, identity+gate


def test_external_set_reports_accuracy_without_a_clean_reference(smoke_classifier, test_digits):
    images, labels = test_digits
    report = evaluate_external(smoke_classifier, {"identity": lambda d, m: d}, images, labels, name="npz:scans.npz")
    assert {row["method"] for row in report["rows"]} == {"damaged", "identity", "identity+gate"}
    for row in report["rows"]:
        assert row["psnr"] is None and row["accuracy_recovered"] is None and row["clean_accuracy"] is None
        assert row["accuracy"] == pytest.approx(np.mean(smoke_classifier.predict_labels(images) == labels))


@pytest.mark.parametrize(
    "mangle, message",
    [
        (lambda images, labels: (images, labels[:10]), "N = len"),
        (lambda images, labels: (images[..., 0], labels), r"\[N, H, W, C\]"),
        (lambda images, labels: (images * 255.0, labels), r"lie in \[0, 1\]"),
        (lambda images, labels: (images, labels.astype(np.float32)), "integer class ids"),
        (lambda images, labels: (images[:0], labels[:0]), "N = len"),
    ],
)
def test_malformed_sets_are_rejected(smoke_classifier, test_digits, mangle, message):
    images, labels = mangle(*test_digits)
    with pytest.raises(ValueError, match=message):
        evaluate_recognition_gain(smoke_classifier, {}, images, labels, ["box"], [1])
    with pytest.raises(ValueError, match=message):
        evaluate_external(smoke_classifier, {}, images, labels, name="external")


def test_gated_rows_fall_back_to_the_damaged_input_and_let_real_help_through(smoke_classifier, test_digits):
    images, labels = test_digits
    restorers = {"identity": lambda damaged, mask: damaged, "oracle": Oracle(images, 64)}
    report = evaluate_recognition_gain(smoke_classifier, restorers, images, labels, ["gaussian_noise"], [5], batch_size=64)
    rows = {row["method"]: row for row in report["rows"]}
    assert rows["identity+gate"]["kind"] == "gated"
    # Equal confidence is no reason to switch: the gated pipeline is classify-alone, image for image.
    assert rows["identity+gate"]["accuracy"] == rows["damaged"]["accuracy"] and rows["identity+gate"]["psnr"] == rows["damaged"]["psnr"]
    assert rows["oracle+gate"]["accuracy"] > rows["damaged"]["accuracy"] + 0.2  # Where restoration helps, the gate lets it through.


class FixedGate:
    """A stand-in `LearnedGate`: always the same choice."""

    def __init__(self, use_restored: bool) -> None:
        self.use_restored = use_restored

    def choose(self, damaged, restored):
        return np.full(len(damaged), self.use_restored)


def test_each_classifier_gets_the_learned_gate_trained_for_it(smoke_classifier, test_digits):
    images, labels = test_digits
    classifiers = {"trusting": smoke_classifier, "wary": smoke_classifier}
    gates = {"trusting": {"oracle": FixedGate(True)}, "wary": {"oracle": FixedGate(False)}}
    report = evaluate_recognition_gain(
        classifiers, {"oracle": Oracle(images, 64)}, images, labels, ["gaussian_noise"], [5], batch_size=64, learned_gates=gates
    )
    rows = {(row["classifier"], row["method"]): row["accuracy"] for row in report["rows"]}
    assert rows[("trusting", "oracle+learned_gate")] == rows[("trusting", "oracle")]
    assert rows[("wary", "oracle+learned_gate")] == rows[("wary", "damaged")] < rows[("wary", "oracle")]
