"""genrepair-restore / -generate / -export on files: right outputs, one-line errors, no partial files."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tf_genrepair.configs import get_experiment
from tf_genrepair.deploy.file_tools import generate_grid, load_restorer, restore_file
from tf_genrepair.deploy.saved_model import export_for_serving
from tf_genrepair.models import build_model

pytestmark = pytest.mark.slow  # Runs binaries or trains models end to end.


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Untrained smoke models saved as .keras and exported: {kind: (keras_path, saved_model_path)}."""
    import keras

    keras.utils.set_random_seed(0)
    folder = tmp_path_factory.mktemp("models")
    paths = {}
    for kind, experiment in {"restorer": "inpaint_mnist_smoke", "cgan": "cgan_mnist_smoke", "vae": "vae_mnist_smoke", "classifier": "classifier_mnist_smoke"}.items():
        model = build_model(get_experiment(experiment))
        keras_path = str(folder / f"{kind}.keras")
        model.save(keras_path)
        paths[kind] = (keras_path, export_for_serving(model, str(folder / "exports"), name=kind))
    return paths


@pytest.fixture()
def photo(tmp_path) -> str:
    pixels = (np.random.default_rng(0).random((40, 52)) * 255).astype(np.uint8)
    path = str(tmp_path / "photo.png")
    Image.fromarray(pixels).save(path)
    return path


def test_keras_and_saved_model_restore_a_file_alike(models, photo, tmp_path):
    import keras

    mask = np.zeros((40, 52), np.uint8)
    mask[10:20, 10:30] = 255  # White: missing.
    Image.fromarray(mask).save(tmp_path / "mask.png")
    outputs = [
        restore_file(load_restorer(path), photo, str(tmp_path / f"out_{index}.png"), mask_path=str(tmp_path / "mask.png"))
        for index, path in enumerate(models["restorer"])
    ]
    first, second = (np.asarray(Image.open(path), np.int32) for path in outputs)
    assert first.shape == (40, 52) and np.abs(first - second).max() <= 1
    image = np.asarray(Image.open(photo), np.float32)[..., None] / 255.0
    observed = (mask < 128).astype(np.float32)[..., None]
    expected = keras.saving.load_model(models["restorer"][0]).restore(image * observed, observed)
    np.testing.assert_allclose(first / 255.0, expected[..., 0], atol=1 / 255 + 1e-6)


def test_large_images_are_tiled_like_whole_ones(models, tmp_path):
    pixels = (np.random.default_rng(1).random((150, 130)) * 255).astype(np.uint8)
    Image.fromarray(pixels).save(tmp_path / "big.png")
    restorer = load_restorer(models["restorer"][0])
    whole = restore_file(restorer, str(tmp_path / "big.png"), str(tmp_path / "whole.png"), tile_size=512)
    tiled = restore_file(restorer, str(tmp_path / "big.png"), str(tmp_path / "tiled.png"), tile_size=96)
    difference = np.abs(np.asarray(Image.open(whole), np.int32) - np.asarray(Image.open(tiled), np.int32))
    assert difference.max() <= 1


@pytest.mark.parametrize(
    "setup, message",
    [
        ("truncated", "Cannot read image"),
        ("mask_size", "Mask .* is 10x10 but the image is 52x40"),
        ("too_large", "more than the limit of 100"),
        ("exists", r"exists; pass overwrite=True \(--overwrite\)"),
    ],
)
def test_bad_inputs_fail_without_output(models, photo, tmp_path, setup, message):
    restorer = load_restorer(models["restorer"][0])
    output = tmp_path / "out.png"
    options = {}
    if setup == "truncated":
        data = open(photo, "rb").read()
        open(photo, "wb").write(data[: len(data) // 2])
    if setup == "mask_size":
        Image.fromarray(np.zeros((10, 10), np.uint8)).save(tmp_path / "mask.png")
        options["mask_path"] = str(tmp_path / "mask.png")
    if setup == "too_large":
        options["max_pixels"] = 100
    if setup == "exists":
        output.write_bytes(b"keep me")
    with pytest.raises(ValueError, match=message):
        restore_file(restorer, photo, str(output), **options)
    assert (not output.exists()) if setup != "exists" else output.read_bytes() == b"keep me"


def test_wrong_model_kinds_are_named(models, tmp_path):
    with pytest.raises(ValueError, match="holds a Classifier, not a Restorer"):
        load_restorer(models["classifier"][0])
    with pytest.raises(ValueError, match="is not an exported restorer"):
        load_restorer(models["cgan"][1])
    with pytest.raises(ValueError, match="not a GAN or VAE"):
        generate_grid(models["classifier"][0], str(tmp_path / "never.png"), num=4)


def test_generate_grids_from_both_formats(models, tmp_path):
    for index, path in enumerate(models["cgan"]):
        grid = generate_grid(path, str(tmp_path / f"threes_{index}.png"), num=16, label=3)
        assert Image.open(grid).size[0] > 100
    with pytest.raises(ValueError, match="unconditional generator: a label does not apply"):
        generate_grid(models["vae"][1], str(tmp_path / "vae.png"), num=4, label=2)
    assert generate_grid(models["vae"][1], str(tmp_path / "vae.png"), num=12).endswith("vae.png")


def test_a_conditional_grid_without_a_label_puts_one_class_per_column(models, tmp_path, monkeypatch):
    from tf_genrepair.deploy import file_tools

    calls = []
    monkeypatch.setattr(file_tools, "save_image_grid", lambda images, path, **options: calls.append((len(images), options)) or path)
    for index, path in enumerate(models["cgan"]):
        generate_grid(path, str(tmp_path / f"cycled_{index}.png"), num=25)
    generate_grid(models["vae"][0], str(tmp_path / "vae.png"), num=25)
    assert calls[0] == calls[1] == (25, {"columns": 10, "title": "25 samples; column k: class k"})
    assert calls[2] == (25, {"columns": 10, "title": "25 samples"})


def run_binary(module: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", f"tf_genrepair.bin.{module}", *arguments], capture_output=True, text=True, timeout=180)


def test_restore_binary_folder_in_folder_out(models, tmp_path):
    (tmp_path / "in").mkdir()
    for index in range(3):
        Image.fromarray((np.random.default_rng(index).random((28, 28)) * 255).astype(np.uint8)).save(tmp_path / "in" / f"{index}.png")
    result = run_binary("restore", f"--model={models['restorer'][1]}", f"--input={tmp_path / 'in'}", f"--output={tmp_path / 'out'}", "--corruption=box")
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path / "out")) == ["0.png", "1.png", "2.png"]


@pytest.mark.parametrize(
    "module, arguments, message",
    [
        ("restore", ["--input=missing.png", "--output=out.png"], "Image missing.png does not exist"),
        ("restore", ["--input=missing.png", "--output=out.png", "--corruption=fog"], "Unknown corruption 'fog'"),
        ("generate", ["--output=grid.jpg"], "must be a .png file"),
        ("export", ["--format=tflite"], "needs --output"),
    ],
)
def test_binaries_fail_with_one_line_and_exit_2(models, tmp_path, module, arguments, message):
    model = models["restorer"][0] if module != "generate" else models["cgan"][0]
    result = run_binary(module, f"--model={model}", *arguments)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr and sum(line.startswith("error:") for line in result.stderr.splitlines()) == 1


def test_export_binary_writes_each_format(models, tmp_path):
    keras_path = models["classifier"][0]
    result = run_binary("export", f"--model={keras_path}", f"--export_base={tmp_path}", "--name=digits")
    assert result.returncode == 0, result.stderr
    assert os.path.exists(tmp_path / "digits" / "1" / "saved_model.pb")
    result = run_binary("export", f"--model={keras_path}", "--format=tflite", f"--output={tmp_path / 'digits.tflite'}")
    assert result.returncode == 0, result.stderr
    assert os.path.getsize(tmp_path / "digits.tflite") > 1000


def test_rgb_jpeg_in_and_out(tmp_path):
    from tf_genrepair.models import Restorer
    from tf_genrepair.networks import inpainting_unet

    Restorer(inpainting_unet(channels=3, base_filters=4, levels=1)).save(tmp_path / "rgb.keras")
    pixels = (np.random.default_rng(3).random((30, 44, 3)) * 255).astype(np.uint8)
    Image.fromarray(pixels).save(tmp_path / "photo.jpg", quality=90)
    output = restore_file(load_restorer(str(tmp_path / "rgb.keras")), str(tmp_path / "photo.jpg"), str(tmp_path / "out.jpg"))
    with Image.open(output) as restored:
        assert restored.format == "JPEG" and restored.mode == "RGB" and restored.size == (44, 30)
