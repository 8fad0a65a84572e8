"""TFLite and ONNX files agree with the Keras model on a fixed batch."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_genrepair.configs import get_experiment
from tf_genrepair.deploy.portable import export_onnx, export_tflite
from tf_genrepair.models import build_model

TOLERANCE = 1e-4
CASES = ["classifier_mnist_smoke", "inpaint_mnist_smoke", "inpaint_bsd_smoke", "denoise_bsd_smoke", "dcgan_mnist_smoke", "cgan_mnist_smoke", "cvae_mnist_smoke"]


def fixed_batch(model, experiment: str) -> tuple[dict, np.ndarray]:
    """Named inputs and the Keras model's own output for them."""
    rng = np.random.default_rng(0)
    if experiment.startswith("classifier"):
        images = rng.random((3, 28, 28, 1), dtype=np.float32)
        return {"images": images}, model(images).numpy()
    if experiment.startswith(("inpaint", "denoise")):
        images = rng.random((3, 28, 28, 1), dtype=np.float32)
        inputs = {"images": images, "masks": (rng.random((3, 28, 28, 1)) > 0.3).astype(np.float32)}
        if model.noise_level_input:
            inputs["noise_levels"] = np.full((3, 28, 28, 1), 0.1, np.float32)
        return inputs, model(list(inputs.values())).numpy()
    latents = rng.standard_normal((3, model.latent_dim)).astype(np.float32)
    if experiment.startswith(("cgan", "cvae")):
        labels = np.array([0, 5, 9], np.int32)
        return {"latents": latents, "labels": labels}, model.sample(3, labels=labels, latents=latents)
    return {"latents": latents}, model.generate(3, latents=latents)


@pytest.fixture(scope="module", params=CASES)
def model_and_batch(request):
    tf.keras.utils.set_random_seed(0)
    model = build_model(get_experiment(request.param))
    return request.param, model, *fixed_batch(model, request.param)


def test_tflite_matches_keras(model_and_batch, tmp_path):
    experiment, model, inputs, expected = model_and_batch
    path = export_tflite(model, str(tmp_path / "model.tflite"), image_size=(28, 28))
    assert sorted(os.listdir(tmp_path)) == ["model.tflite"]  # No scratch files left behind.
    runner = tf.lite.Interpreter(model_path=path).get_signature_runner()
    assert set(runner.get_input_details()) == set(inputs), experiment
    (output,) = runner(**inputs).values()
    np.testing.assert_allclose(output, expected, atol=TOLERANCE)


def test_onnx_matches_keras(model_and_batch, tmp_path):
    pytest.importorskip("tf2onnx", reason="tf2onnx is not installed")
    onnxruntime = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")
    experiment, model, inputs, expected = model_and_batch
    path = export_onnx(model, str(tmp_path / "model.onnx"))
    session = onnxruntime.InferenceSession(path)
    assert {item.name for item in session.get_inputs()} == set(inputs), experiment
    (output,) = session.run(None, inputs)
    np.testing.assert_allclose(output, expected, atol=TOLERANCE)


def test_unsupported_models_and_paths_are_named(tmp_path):
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="Cannot convert a Sequential"):
        export_tflite(plain, str(tmp_path / "plain.tflite"))
    restorer = build_model(get_experiment("inpaint_mnist_smoke"))
    with pytest.raises(ValueError, match="fixed `image_size`"):
        export_tflite(restorer, str(tmp_path / "restorer.tflite"))
    with pytest.raises(ValueError, match="must end with .onnx"):
        export_onnx(restorer, str(tmp_path / "restorer.tflite"))
    assert os.listdir(tmp_path) == []
