"""Every binary, every kind of bad input: one `error:` line, exit code 2, no traceback, nothing written.

The table in docs/reliability.md lists these rows; `{name}` fields are files made by the fixture.
"""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

from tf_genrepair.configs import get_experiment
from tf_genrepair.models import build_model

pytestmark = pytest.mark.slow  # Runs binaries or trains models end to end.

CASES = [
    # (binary, arguments, expected message)
    ("train", ["--experiment=classifier_mnist_smoke", "--workdir={out}", "--epochs=3"], "Unknown command line flag 'epochs'"),
    ("train", ["--experiment=classifier_mnist_smoke", "--workdir={out}", "--override=train.epochs=many"], "train.epochs"),
    ("train", ["--experiment=gan_mnist_smoke", "--workdir={out}", "--override=model.network=transformer"], "Valid networks"),
    ("train", ["--experiment=classifier_mnist_smoke", "--workdir={a_file}/run"], "a_file.txt is not a folder"),
    ("train", ["--experiment=classifier_mnist_smoke", "--workdir={out}", "--override=data.name=folder:{empty_folder}"], "holds no"),
    ("train", ["--experiment=classifier_mnist_smoke", "--workdir={out}", "--override=data.name=folder:{corrupt_folder}"], "Cannot read image"),
    ("evaluate", ["--experiment=recognition_cifar", "--workdir={out}"], "Valid studies"),
    ("evaluate", ["--experiment=recognition_smoke", "--workdir={out}", "--external=npz:{nan_npz}"], "must lie in [0, 1] without NaN"),
    ("evaluate", ["--experiment=recognition_smoke", "--workdir={out}", "--external=npz:{flat_npz}"], "images must have shape (N, H, W[, 1 or 3])"),
    ("evaluate", ["--experiment=recognition_smoke", "--workdir={out}", "--external=npz:{large_npz}"], "holds images of shape (32, 32, 1)"),
    ("export", ["--model={missing}.keras", "--export_base={out}", "--name=m"], "does not exist"),
    ("export", ["--model={corrupt_keras}", "--export_base={out}", "--name=m"], "Cannot load model"),
    ("export", ["--model={sequential}", "--export_base={out}", "--name=m"], "Cannot export a Sequential"),
    ("export", ["--model={restorer}", "--format=pt", "--output={out}/m.pt"], "--format=pt"),
    ("restore", ["--model={classifier}", "--input={photo}", "--output={out}/r.png"], "holds a Classifier, not a Restorer"),
    ("restore", ["--model={restorer}", "--input={truncated_png}", "--output={out}/r.png"], "Cannot read image"),
    ("restore", ["--model={restorer}", "--input={photo}", "--mask={small_mask}", "--output={out}/r.png"], "is 10x10 but the image is 28x28"),
    ("restore", ["--model={restorer}", "--input={photo}", "--output={a_file}/r.png"], "a_file.txt is not a folder"),
    ("restore", ["--model={restorer}", "--input={photo}", "--output={out}/r.png", "--severity=9"], "not an integer in the range [1, 5]"),
    ("restore", ["--model=preset:denoise_grey", "--input={photo}", "--output={out}/r.png"], "Unknown preset 'denoise_grey'. Valid presets:"),
    ("serve", ["--model=preset:denoise_grey"], "Unknown preset 'denoise_grey'. Valid presets:"),
    ("serve", ["--model={classifier}"], "holds a Classifier, not a Restorer"),
    ("serve", ["--model={restorer}", "--model={restorer}"], "names 'restorer' twice"),
    ("serve", ["--model={restorer}", "--port=70000"], "--port"),
    ("serve", ["--model={restorer}", "--size_ladder=512,256"], "--size_ladder=512,256: A size ladder is 'default', 'off' or increasing"),
    ("restore", ["--model={restorer}", "--input={photo}", "--output={out}/r.png", "--size_ladder=big"], "--size_ladder=big: A size ladder is"),
    ("generate", ["--model={classifier}", "--output={out}/g.png"], "not a GAN or VAE"),
    ("generate", ["--model={cgan}", "--output={out}/g.png", "--num=0"], "--num=0"),
    ("generate", ["--model={cgan}", "--output={out}/g.png", "--label=12"], "label"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("bad_inputs")
    paths = {name: str(folder / name) for name in ("empty_folder", "corrupt_folder", "missing")}
    os.makedirs(paths["empty_folder"])
    os.makedirs(os.path.join(paths["corrupt_folder"], "3"))
    open(os.path.join(paths["corrupt_folder"], "3", "digit.png"), "wb").write(b"\x89PNG\r\n\x1a\n truncated")
    paths["a_file"] = str(folder / "a_file.txt")
    open(paths["a_file"], "w").write("not a folder")
    paths["nan_npz"] = str(folder / "nan.npz")
    np.savez(paths["nan_npz"], images=np.full((4, 28, 28, 1), np.nan, np.float32), labels=np.arange(4))
    paths["flat_npz"] = str(folder / "flat.npz")
    np.savez(paths["flat_npz"], images=np.zeros((4, 784), np.float32), labels=np.arange(4))
    paths["large_npz"] = str(folder / "large.npz")
    np.savez(paths["large_npz"], images=np.zeros((4, 32, 32, 1), np.float32), labels=np.arange(4))
    paths["photo"] = str(folder / "photo.png")
    Image.fromarray((np.random.default_rng(0).random((28, 28)) * 255).astype(np.uint8)).save(paths["photo"])
    paths["truncated_png"] = str(folder / "truncated.png")
    open(paths["truncated_png"], "wb").write(open(paths["photo"], "rb").read()[:60])
    paths["small_mask"] = str(folder / "mask.png")
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(paths["small_mask"])
    paths["corrupt_keras"] = str(folder / "corrupt.keras")
    open(paths["corrupt_keras"], "wb").write(b"PK\x03\x04 not a zip")
    paths["sequential"] = str(folder / "sequential.keras")
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]).save(paths["sequential"])
    for kind, experiment in {"restorer": "inpaint_mnist_smoke", "classifier": "classifier_mnist_smoke", "cgan": "cgan_mnist_smoke"}.items():
        paths[kind] = str(folder / f"{kind}.keras")
        build_model(get_experiment(experiment)).save(paths[kind])
    return paths


@pytest.mark.parametrize("binary, arguments, message", CASES, ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(files, tmp_path, binary, arguments, message):
    out = tmp_path / "out"
    command = [sys.executable, "-m", f"tf_genrepair.bin.{binary}", *(argument.format(out=out, **files) for argument in arguments)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr[-3000:]
    written = [os.path.join(root, name) for root, _, names in os.walk(out) for name in names] if out.exists() else []
    assert written in ([], [str(out / "config.json")]), written  # At most the resolved config of a training run.
