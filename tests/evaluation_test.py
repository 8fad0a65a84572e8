"""The recognition-gain report: consistent numbers, identity 0%, oracle 100%."""

import json
import os

import numpy as np
import pytest

from tf_genrepair.data import load_dataset
from tf_genrepair.evaluation import evaluate_recognition_gain, write_report


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


def test_identity_recovers_nothing_and_oracle_everything(smoke_classifier, test_digits, tmp_path):
    images, labels = test_digits
    restorers = {"identity": lambda damaged, mask: damaged, "oracle": Oracle(images, 64)}
    report = evaluate_recognition_gain(
        smoke_classifier, restorers, images, labels, ["pixel_dropout", "gaussian_noise"], [5], batch_size=64
    )
    rows = {(row["corruption"], row["method"]): row for row in report["rows"]}
    assert {row["clean_accuracy"] for row in report["rows"]} == {report["clean_accuracy"]}
    for corruption in ("pixel_dropout", "gaussian_noise"):
        damaged, identity, oracle = (rows[corruption, method] for method in ("damaged", "identity", "oracle"))
        assert damaged["accuracy"] < report["clean_accuracy"]
        assert identity["accuracy_recovered"] == 0.0 and identity["accuracy"] == damaged["accuracy"]
        assert oracle["accuracy_recovered"] == pytest.approx(1.0) and oracle["psnr"] == pytest.approx(100.0)
        recovered = (oracle["accuracy"] - damaged["accuracy"]) / (report["clean_accuracy"] - damaged["accuracy"])
        assert oracle["accuracy_recovered"] == pytest.approx(recovered)
    paths = write_report(report, str(tmp_path))
    assert {os.path.basename(path) for path in paths} >= {"report.json", "report.md", "accuracy_noise.png", "accuracy_missing_values.png"}
    with open(tmp_path / "report.json") as handle:
        assert json.load(handle)["rows"] == report["rows"]


def test_malformed_sets_are_rejected(smoke_classifier, test_digits):
    images, labels = test_digits
    with pytest.raises(ValueError, match="N = len"):
        evaluate_recognition_gain(smoke_classifier, {}, images, labels[:10], ["box"], [1])
    with pytest.raises(ValueError, match=r"\[N, H, W, C\]"):
        evaluate_recognition_gain(smoke_classifier, {}, images[..., 0], labels, ["box"], [1])
