"""Shipped presets: each loads through its class and reproduces its recorded figure; bad names and damaged files are refused."""

import os
import shutil

import pytest

from tf_genrepair import models, presets
from tf_genrepair.evaluation.preset_checks import measure_check
from tf_genrepair.models import Classifier, Restorer, load_model

SHIPPED = presets.list_presets()
# A preset is measured again on its fixed slice: PSNR within 0.05 dB, shares within 2 in 1,000.
TOLERANCE = {"restored_psnr": 0.05, "photo_restored_psnr": 0.05, "denoised_psnr": 0.05, "accuracy": 0.002, "label_agreement": 0.002}


def test_the_presets_the_docs_promise_are_shipped_and_small():
    names = {preset["name"] for preset in SHIPPED}
    assert {"classifier_mnist", "restore_mnist", "inpaint_mnist", "inpaint_gray", "denoise_gray", "cgan_mnist", "cvae_mnist"} <= names
    assert sum(preset["bytes"] for preset in SHIPPED) < 41e6  # "At most about 40 MB" (issue 19): 40.8 MB.
    for preset in SHIPPED:
        assert preset["command"].startswith(f"genrepair-train --experiment={preset['experiment']}") and len(preset["commit"]) == 40
        assert preset["figures"] and os.path.isfile(os.path.join(os.path.dirname(presets.FOLDER), "..", preset["figures_from"]))


@pytest.mark.parametrize("preset", SHIPPED, ids=[preset["name"] for preset in SHIPPED])
def test_every_preset_reproduces_its_recorded_figure(preset, shared_data_dir):
    model = getattr(models, preset["class"]).from_preset(preset["name"])
    check = {key: value for key, value in preset["check"].items() if key != "value"}
    assert measure_check(model, check) == pytest.approx(preset["check"]["value"], abs=TOLERANCE[check["metric"]])


def test_an_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown preset 'denoise_grey'. Valid presets: .*denoise_gray"):
        Restorer.from_preset("denoise_grey")
    with pytest.raises(ValueError, match="Unknown preset"):
        load_model("preset:nothing")


def test_a_preset_of_another_class_is_refused():
    with pytest.raises(ValueError, match="holds a Restorer, not a Classifier"):
        Classifier.from_preset("denoise_gray")


def test_a_damaged_preset_file_is_refused(tmp_path):
    folder = str(tmp_path / "presets")
    shutil.copytree(presets.FOLDER, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = os.path.join(folder, "files", "classifier_mnist.keras")
    with open(path, "r+b") as file:  # One byte flipped in the middle: same size, different sha256.
        file.seek(os.path.getsize(path) // 2)
        byte = file.read(1)
        file.seek(-1, os.SEEK_CUR)
        file.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ValueError, match="classifier_mnist.*damaged or was replaced"):
        presets.preset_path("classifier_mnist", folder)
    os.remove(path)
    with pytest.raises(ValueError, match="file .* is missing"):
        presets.preset_path("classifier_mnist", folder)
    assert presets.preset_path("restore_mnist", folder).endswith("restore_mnist.keras")  # The intact ones still load.
