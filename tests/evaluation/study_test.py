"""The recognition study end to end on the smoke setup: files, consistent numbers, reuse, the binaries."""

import json
import os
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.helpers import cifar_shaped_data
from tf_genrepair.configs import STUDIES, get_study
from tf_genrepair.corruptions import CORRUPTIONS
from tf_genrepair.evaluation.demo import run_demo
from tf_genrepair.evaluation.study import ensure_trained

pytestmark = pytest.mark.slow  # Runs binaries or trains models end to end.


@pytest.fixture(scope="module")
def smoke_study(tmp_path_factory):
    """The smoke study run once through the demo entry point, offline: `(report, folder)`."""
    folder = tmp_path_factory.mktemp("recognition")
    environment = dict(os.environ)
    os.environ.pop("GENREPAIR_DATA_DIR", None)  # Shipped digits only.
    try:
        return run_demo(str(folder), study="recognition_smoke"), folder
    finally:
        os.environ.clear()
        os.environ.update(environment)


def test_report_files_and_pictures(smoke_study):
    report, folder = smoke_study
    study = get_study("recognition_smoke")
    files = set(os.listdir(folder))
    assert {"report.md", "report.json", "corruptions.png", "samples_cvae.png", "samples_ssvae_100labels.png"} <= files
    for name in study.corruptions:
        assert {f"accuracy_{name}.png", f"before_after_{name}.png"} <= files
    with open(folder / "report.json") as handle:
        written = json.load(handle)
    assert written["rows"] == report["rows"] and written["generated_data"] == report["generated_data"]
    text = (folder / "report.md").read_text()
    for heading in ("## Summary", "## Per corruption", "## Generative-prior restoration", "## Few labels: generated data and semi-supervised models", "## VAE latent codes", "## Every row"):
        assert heading in text


def test_numbers_are_consistent(smoke_study):
    report, _ = smoke_study
    rows = report["rows"]  # The recovery formula itself is checked against identity and oracle restorers in recognition_gain_test.
    for row in rows:
        assert row["clean_accuracy"] == report["clean_accuracy"][row["classifier"]]
        if row["method"] == "damaged":
            assert row["accuracy_recovered"] in (0.0, None)
    study = get_study("recognition_smoke")
    summary = report["summary"]["methods"][5]["unet"]
    unet = [row["accuracy"] for row in rows if row["classifier"] == "clean" and row["method"] == "unet" and row["corruption"] in study.corruptions]
    assert summary["accuracy"] == pytest.approx(np.mean(unet)) and summary["corruptions"] == len(study.corruptions)
    unknown = report["summary_unknown_damage"]["methods"][5]
    assert unknown["unet"]["corruptions"] == len(study.unknown_damage) == 1 and "unet+gate" in unknown


def test_the_clean_check_and_gated_rows_are_reported(smoke_study):
    report, folder = smoke_study
    (clean_check,) = [external for external in report["external"] if external["rows"][0]["corruption"] == "clean test images (no damage)"]
    rows = {(row["classifier"], row["method"]): row for row in clean_check["rows"]}
    accuracy = report["clean_accuracy"]["clean"]
    assert rows["clean", "damaged"]["accuracy"] == pytest.approx(accuracy)  # Undamaged: classify-alone is the clean accuracy.
    assert {"unet", "unet+gate"} <= {method for _, method in rows}
    assert {row["kind"] for row in report["rows"]} >= {"damaged", "restorer", "gated", "classical"}
    assert "## Damage outside the classic twelve" in (folder / "report.md").read_text()


def test_leave_one_family_out_scores_the_held_out_family(smoke_study):
    from tf_genrepair.corruptions import CORRUPTION_FAMILIES

    report, folder = smoke_study
    (family,) = report["leave_one_family_out"]
    assert family == "lighting" and report["leave_one_family_out"][family]["members"] == list(CORRUPTION_FAMILIES["lighting"])
    scores = report["leave_one_family_out"][family]["severities"][5]
    assert scores["damaged_accuracy"] < report["clean_accuracy"]["clean"] - 0.1  # Lighting at severity 5 was applied,
    assert scores["restored_accuracy"] != scores["damaged_accuracy"]  # and the restorer that never saw it was run on it.
    assert "## Leave one family out" in (folder / "report.md").read_text()
    with open(folder / "models" / "restore_mnist_blind_smoke_without_lighting" / "config.json") as handle:
        assert json.load(handle)["data"]["corruption"] == "blind-geometric-lighting"


def test_trained_restorer_wins_accuracy_back(smoke_study):
    report, _ = smoke_study
    methods = report["summary"]["methods"][5]
    assert methods["unet"]["accuracy"] > methods["damaged"]["accuracy"] + 0.05
    assert methods["unet"]["psnr"] > methods["damaged"]["psnr"]


def test_few_label_rows_cover_each_source_and_say_which_labels_the_generator_saw(smoke_study):
    report, folder = smoke_study
    rows = {(row["classifier"], row["generated_by"], row["generator_labels"]): row for row in report["generated_data"]}
    assert set(rows) == {("digit CNN", None, None), ("digit CNN", "cvae", "all"), ("digit CNN", "ssvae", 100), ("ssvae", None, None)}
    assert {row["real_labels"] for row in rows.values()} == {100}
    assert rows[("digit CNN", None, None)]["test_accuracy"] > 0.2  # 30 steps on 100 labels: above chance (0.1).
    with open(folder / "models" / "ssvae_mnist_smoke_100labels" / "config.json") as handle:
        data = json.load(handle)["data"]  # The semi-supervised model drew the same 100 labels as the digit CNN got:
    assert data["num_labels"] == 100 and data["train_split"] == get_study("recognition_smoke").few_label_split
    assert "| 100 | digit CNN | cvae | **all** |" in (folder / "report.md").read_text()


def test_trained_models_are_reused(smoke_study):
    _, folder = smoke_study
    study = get_study("recognition_smoke")
    model_file = os.path.join(folder, "models", study.classifier.folder_name, "model.keras")
    before = os.stat(model_file).st_mtime_ns
    ensure_trained(study.classifier, os.path.join(folder, "models"))
    assert os.stat(model_file).st_mtime_ns == before


def test_every_study_holds_valid_experiments_of_the_right_kinds():
    from tf_genrepair.configs import ExperimentConfig

    for name in STUDIES:
        study = get_study(name)
        roles = {
            ("classifier",): [study.classifier, study.augmented_classifier],
            ("restorer",): list(study.restorers.values()),
            ("gan", "vae"): list(study.priors.values()),
            ("cgan", "cvae"): list(study.conditional_generators.values()),
            ("vae",): [study.latent_vae],
            ("ssvae", "ssgan"): list(study.semi_supervised.values()),
        }
        for kinds, models in roles.items():
            for model in filter(None, models):
                assert model.experiment.kind in kinds, (name, model.folder_name)
                assert ExperimentConfig.from_dict(model.experiment.to_dict()) == model.experiment
        assert study.corruptions is None or set(study.corruptions) <= set(CORRUPTIONS)


def run_evaluate(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tf_genrepair.bin.evaluate", *arguments], capture_output=True, text=True, timeout=300)


def test_evaluate_binary_rejects_unknown_study(tmp_path):
    result = run_evaluate("--experiment=recognition_svhn", f"--workdir={tmp_path}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Valid studies: recognition_cifar10, recognition_cifar10_smoke, recognition_mnist" in result.stderr


def test_evaluate_binary_names_a_malformed_external_set(smoke_study, tmp_path):
    _, folder = smoke_study
    np.savez(tmp_path / "scans.npz", images=np.zeros((4, 28, 28), np.uint8))  # No labels.
    arguments = ["--experiment=recognition_smoke", f"--workdir={tmp_path / 'out'}", f"--models_root={folder / 'models'}"]
    result = run_evaluate(*arguments, f"--external=npz:{tmp_path / 'scans.npz'}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "must hold arrays 'images' and 'labels'" in result.stderr


def test_evaluate_binary_scores_the_split_it_is_given(smoke_study, tmp_path):
    _, folder = smoke_study
    arguments = ["--experiment=recognition_smoke", f"--workdir={tmp_path / 'out'}", f"--models_root={folder / 'models'}"]
    result = run_evaluate(*arguments, "--test_split=tset[:50]")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'tset_images'" in result.stderr  # The sample data was asked for the given split, before any scoring.


@pytest.mark.parametrize(
    "arrays, message",
    [
        (dict(images=np.zeros((4, 32, 32), np.uint8), labels=np.arange(4)), r"shape \(32, 32, 1\)"),
        (dict(images=np.zeros((4, 28, 28), np.uint8), labels=np.arange(3)), "holds 4 images but labels of shape"),
        (dict(images=np.full((4, 28, 28), 2.0, np.float32), labels=np.arange(4)), r"must lie in \[0, 1\]"),
    ],
)
def test_malformed_external_sets_fail_before_any_training(tmp_path, arrays, message):
    from tf_genrepair.evaluation.study import run_study

    np.savez(tmp_path / "set.npz", **arrays)
    with pytest.raises(ValueError, match=message):
        run_study(get_study("recognition_smoke"), str(tmp_path / "out"), external=[f"npz:{tmp_path / 'set.npz'}"])
    assert not (tmp_path / "out").exists()


def test_unlabelled_external_folder_is_named(tmp_path):
    from PIL import Image

    from tf_genrepair.evaluation.study import run_study

    (tmp_path / "scans").mkdir()
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(tmp_path / "scans" / "a.png")
    with pytest.raises(ValueError, match="one sub-folder per class"):
        run_study(get_study("recognition_smoke"), str(tmp_path / "out"), external=[f"folder:{tmp_path / 'scans'}"])


def test_the_cifar10_study_runs_in_colour_and_its_restorer_beats_the_damage(tmp_path):
    """recognition_cifar10's pipeline (smoke models) on a CIFAR-shaped folder made here: RGB all the way through."""
    with cifar_shaped_data(tmp_path):
        report = run_demo(str(tmp_path / "report"), study="recognition_cifar10_smoke")
    summary = report["summary"]["methods"][5]
    assert summary["unet"]["psnr"] > summary["damaged"]["psnr"] + 1.0 and summary["unet"]["corruptions"] == 3
    assert {row["classifier"] for row in report["rows"]} == {"clean", "augmented"}
    models = tmp_path / "report" / "models"
    steered = json.loads((models / "restore_cifar10_recognition_smoke" / "config.json").read_text())
    assert steered["train"]["initial_weights"] == str(models / "restore_cifar10_smoke" / "model.keras")  # Fine-tuned from the study's unet.
    assert steered["model"]["recognition_classifier"] == str(models / "classifier_cifar10_smoke" / "model.keras")
    assert summary["unet_recognition"]["corruptions"] == 3
    picture = plt.imread(str(tmp_path / "report" / "before_after_gaussian_noise.png"))
    assert picture.ndim == 3 and np.ptp(picture[..., 0] - picture[..., 1]) > 0.1  # Colour pictures, not gray ones.
