"""SavedModel export: every smoke model kind serves REST- and gRPC-shaped requests like the in-process model."""

import os

import numpy as np
import pytest
import tensorflow as tf

from tf_genrepair.configs import get_experiment
from tf_genrepair.deploy.saved_model import export_for_serving
from tf_genrepair.deploy.serving_requests import (
    answer_grpc,
    answer_rest,
    grpc_request,
    rest_body,
)
from tf_genrepair.models import build_model

TOLERANCE = 1e-5
KINDS = {
    "classifier": "classifier_mnist_smoke",
    "restorer": "restore_mnist_smoke",
    "inpainter": "inpaint_bsd_smoke",  # The prefilled U-Net (PyramidFill inside the graph).
    "denoiser": "denoise_bsd_smoke",
    "gan": "gan_mnist_smoke",
    "dcgan": "dcgan_mnist_smoke",
    "cgan": "cgan_mnist_smoke",
    "vae": "vae_mnist_smoke",
    "cvae": "cvae_mnist_smoke",
    "ssvae": "ssvae_mnist_smoke",
    "ssgan": "ssgan_mnist_smoke",
}
# Same signatures as.
FAMILY = {"inpainter": "restorer", "denoiser": "restorer", "dcgan": "gan", "cgan": "gan", "cvae": "vae", "ssvae": "classifier", "ssgan": "classifier"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """kind -> (in-process model, loaded SavedModel, export path)."""
    base = tmp_path_factory.mktemp("exports")
    result = {}
    for kind, experiment in KINDS.items():
        tf.keras.utils.set_random_seed(0)
        model = build_model(get_experiment(experiment))
        path = export_for_serving(model, str(base), name=kind)
        result[kind] = (model, tf.saved_model.load(path), path)
    return result


def images(count: int = 3, channels: int = 1, size: int = 28) -> np.ndarray:
    return np.random.default_rng(0).random((count, size, size, channels), dtype=np.float32)


def in_process(kind: str, model, signature: str, inputs: dict) -> dict:
    """What the Keras model itself returns for a signature's inputs."""
    if FAMILY.get(kind, kind) == "classifier":
        floats = inputs["images"] if inputs["images"].dtype == np.float32 else inputs["images"].astype(np.float32) / 255.0
        logits = model(floats, training=False).numpy()
        return {"probabilities": tf.nn.softmax(logits).numpy(), "class_id": logits.argmax(-1)}
    if FAMILY.get(kind, kind) == "restorer":
        floats = inputs["images"] if inputs["images"].dtype == np.float32 else inputs["images"].astype(np.float32) / 255.0
        # A signature runs the network at the request's own size: no shape bucketing.
        return {"restored": model.restore(floats, inputs.get("masks"), noise_levels=inputs.get("noise_levels"), size_ladder=None)}
    labels = inputs.get("labels")
    if signature in ("generate", "decode", "serving_default"):
        if kind in ("gan", "dcgan", "cgan"):
            return {"images": model.sample(len(labels), labels=labels, latents=inputs["latents"]) if kind == "cgan" else model.generate(3, latents=inputs["latents"])}
        return {"images": model.decode(inputs["latents"], labels)}
    if signature == "sample":
        if labels is not None:
            return {"images": model.sample(len(labels), labels=labels, seed=int(inputs["seed"]))}
        return {"images": model.generate(int(inputs["count"]), seed=int(inputs["seed"]))}
    if signature == "encode":
        mean, log_var = model.encode(inputs["images"], labels)
        return {"mean": mean, "log_var": log_var}
    return {"images": model.reconstruct(inputs["images"], labels)}


def request_inputs(kind: str, model, signature: str) -> dict:
    latent_dim = getattr(model, "latent_dim", None)
    labels = np.array([1, 4, 7], np.int32)
    if FAMILY.get(kind, kind) == "classifier":
        return {"images": images()} if signature != "classify_uint8" else {"images": (images() * 255).astype(np.uint8)}
    if FAMILY.get(kind, kind) == "restorer":
        batch = images(2, size=20) if "uint8" not in signature else (images(2, size=20) * 255).astype(np.uint8)
        inputs = {"images": batch}
        if "masked" in signature:
            inputs["masks"] = (np.random.default_rng(1).random((2, 20, 20, 1)) > 0.3).astype(np.float32)
        if kind == "denoiser":
            inputs["noise_levels"] = np.array([0.1, 0.2], np.float32)[:, None, None, None]  # One level per image, broadcast.
        return inputs
    conditional = kind in ("cgan", "cvae")
    if signature in ("generate", "decode", "serving_default"):
        inputs = {"latents": np.random.default_rng(2).standard_normal((3, latent_dim)).astype(np.float32)}
    elif signature == "sample":
        inputs = {"seed": np.int32(5)} if conditional else {"count": np.int32(3), "seed": np.int32(5)}
    else:
        inputs = {"images": (images() > 0.5).astype(np.float32)}
    return {**inputs, "labels": labels} if conditional else inputs


def signature_cases():
    expected = {
        "classifier": ["serving_default", "classify", "classify_uint8"],
        "restorer": ["serving_default", "restore_masked", "restore_uint8", "restore_masked_uint8"],
        "gan": ["serving_default", "generate", "sample"],
        "vae": ["serving_default", "generate", "sample", "decode", "encode", "reconstruct"],
    }
    return [(kind, signature) for kind in KINDS for signature in expected[FAMILY.get(kind, kind)]]


@pytest.mark.parametrize("kind, signature", signature_cases())
def test_signature_matches_the_keras_model_through_rest_and_grpc(exported, kind, signature):
    model, loaded, _ = exported[kind]
    inputs = request_inputs(kind, model, signature)
    direct = {name: tensor.numpy() for name, tensor in loaded.signatures[signature](**{k: tf.constant(v) for k, v in inputs.items()}).items()}
    for name, expected in in_process(kind, model, signature, inputs).items():
        np.testing.assert_allclose(direct[name], expected, atol=TOLERANCE, err_msg=f"{kind}/{signature}/{name}")
    forms = ["inputs"] if any(np.ndim(value) == 0 for value in inputs.values()) else ["inputs", "instances"]
    for form in forms:
        response = answer_rest(loaded, rest_body(inputs, signature_name=signature, form=form))
        if form == "inputs":
            outputs = response["outputs"] if isinstance(response["outputs"], dict) else {next(iter(direct)): response["outputs"]}
        else:
            predictions = response["predictions"]
            outputs = {name: [p[name] for p in predictions] for name in direct} if isinstance(predictions[0], dict) else {next(iter(direct)): predictions}
        for name, value in direct.items():
            np.testing.assert_allclose(np.asarray(outputs[name]), value, atol=TOLERANCE, err_msg=f"REST {form} {kind}/{signature}/{name}")
    pytest.importorskip("tensorflow_serving.apis", reason="tensorflow-serving-api is not installed")
    response = answer_grpc(loaded, grpc_request(inputs, model_name=kind, signature_name=signature))
    for name, value in direct.items():
        np.testing.assert_allclose(tf.make_ndarray(response.outputs[name]), value, atol=TOLERANCE, err_msg=f"gRPC {kind}/{signature}/{name}")


@pytest.mark.parametrize(
    "kind, signature, inputs, message",
    [
        ("restorer", "serving_default", {"images": np.zeros((28, 28, 1), np.float32)}, "images"),
        ("restorer", "serving_default", {"images": np.zeros((1, 28, 28, 3), np.float32)}, "input images must have 1 channel"),
        ("restorer", "restore_masked", {"images": np.zeros((1, 28, 28, 1), np.float32), "masks": np.ones((1, 27, 28, 1), np.float32)}, "input masks"),
        ("classifier", "classify", {"images": np.zeros((2, 28, 28, 3), np.float32)}, "input images must have 1 channel"),
        ("gan", "generate", {"latents": np.zeros((2, 5), np.float32)}, "input latents must be"),
        ("cgan", "sample", {"labels": np.array([3, 12], np.int32), "seed": np.int32(0)}, "input labels must lie in"),
    ],
)
def test_bad_requests_name_the_input(exported, kind, signature, inputs, message):
    _, loaded, _ = exported[kind]
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        answer_rest(loaded, rest_body(inputs, signature_name=signature, form="inputs"))


def test_wrong_dtypes_are_named(exported):
    _, loaded, _ = exported["restorer"]
    with pytest.raises(ValueError, match="input 'images' expects uint8"):
        answer_rest(loaded, {"signature_name": "restore_uint8", "inputs": {"images": np.full((1, 8, 8, 1), 0.5).tolist()}})
    pytest.importorskip("tensorflow_serving.apis", reason="tensorflow-serving-api is not installed")
    request = grpc_request({"images": np.zeros((1, 8, 8, 1), np.uint8)}, model_name="restorer", signature_name="serving_default")
    with pytest.raises(ValueError, match="input 'images' expects float32"):
        answer_grpc(loaded, request)


def test_unknown_signature_and_inputs_are_named(exported):
    _, loaded, _ = exported["classifier"]
    with pytest.raises(ValueError, match="Unknown signature_name 'restore'. This model serves: classify"):
        answer_rest(loaded, {"signature_name": "restore", "instances": [[0.0]]})
    with pytest.raises(ValueError, match=r"do not match the signature's inputs \['images'\]"):
        answer_rest(loaded, {"signature_name": "classify", "inputs": {"image": [[0.0]]}})


def test_versions_count_up_and_are_immutable(exported, tmp_path):
    model = exported["classifier"][0]
    assert export_for_serving(model, str(tmp_path), name="digits").endswith(os.path.join("digits", "1"))
    assert export_for_serving(model, str(tmp_path), name="digits").endswith(os.path.join("digits", "2"))
    with pytest.raises(ValueError, match="already exists"):
        export_for_serving(model, str(tmp_path), name="digits", version=2)
    assert sorted(os.listdir(tmp_path / "digits")) == ["1", "2"]


def test_failed_export_leaves_nothing(exported, tmp_path, monkeypatch):
    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(tf.saved_model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        export_for_serving(exported["classifier"][0], str(tmp_path), name="digits")
    assert os.listdir(tmp_path / "digits") == []


def test_only_tf_genrepair_models_export(tmp_path):
    import keras

    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="Cannot export a Sequential"):
        export_for_serving(plain, str(tmp_path), name="plain")
    assert not os.path.exists(tmp_path / "plain")


def test_saved_model_cli_lists_the_signatures(exported):
    import shutil
    import subprocess
    import sys

    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")  # Installed beside the interpreter with tensorflow.
    cli = cli if os.path.exists(cli) else shutil.which("saved_model_cli") or cli
    if not os.path.exists(cli):
        pytest.skip("saved_model_cli is not on PATH")
    result = subprocess.run([cli, "show", "--dir", exported["cvae"][2], "--all"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for name in ("signature_def['encode']", "signature_def['reconstruct']", "signature_def['sample']", "inputs['labels']", "outputs['images_uint8']"):
        assert name in result.stdout
