"""SavedModel export with serving signatures that TF Serving loads as is.

    export_for_serving(restorer, "exports", name="restorer")   # exports/restorer/1/
    docker run -p 8501:8501 -v $PWD/exports/restorer:/models/restorer -e MODEL_NAME=restorer tensorflow/serving

Signatures (inputs -> outputs, all named):

Image and latent inputs are declared with unknown rank; each signature checks rank, channels
and label range itself, with errors that name the input.

- restorers: `serving_default` (images -> restored, restored_uint8), `restore_masked`
  (images, masks -> ...), and `restore_uint8` / `restore_masked_uint8` taking uint8 images;
  networks with a noise-level map also take `noise_level` (one standard deviation per image,
  in [0, 1] units). Any batch and any height and width the network accepts.
- classifiers: `classify` = `serving_default` (images -> probabilities, class_id) and `classify_uint8`.
- GANs and VAE decoders: `generate` (latents[, labels] -> images, images_uint8) and `sample`
  (count and seed, or labels and seed for conditional models -> images, images_uint8).
- VAEs: also `encode` (images[, labels] -> mean, log_var), `decode` (= `generate`) and
  `reconstruct` (images[, labels] -> images, images_uint8).
"""

import os
import re
from typing import Callable

import keras
import tensorflow as tf

from tf_genrepair.files import atomic_folder
from tf_genrepair.models import GAN, VAE, Classifier, ConditionalGAN, ConditionalVAE, Restorer

Signatures = dict[str, tf.types.experimental.ConcreteFunction]


def _checked(tensor: tf.Tensor, *, rank: int, layout: str, measure: Callable, expected, mismatch: str, static_shape: list) -> tf.Tensor:
    """`tensor` once graph-time checks of its rank and of `measure(tensor) == expected` have passed.

    The errors name the input (TF Serving returns them to the client). The rank is a runtime op
    because a loaded signature does not enforce its input shapes.
    """
    rank_ok = tf.debugging.assert_equal(tf.raw_ops.Rank(input=tensor), rank, message=layout)
    with tf.control_dependencies([rank_ok]):
        fits = tf.debugging.assert_equal(measure(tensor), expected, message=mismatch)
    with tf.control_dependencies([fits]):
        return tf.ensure_shape(tf.identity(tensor), static_shape)


def _last_axis(tensor: tf.Tensor) -> tf.Tensor:
    return tf.shape(tensor)[-1]


def _checked_images(images: tf.Tensor, name: str, channels: int) -> tf.Tensor:
    layout = f"input {name} must be [batch, height, width, {channels}]"
    mismatch = f"input {name} must have {channels} channel(s)"
    return _checked(images, rank=4, layout=layout, measure=_last_axis, expected=channels, mismatch=mismatch, static_shape=[None, None, None, channels])


def _checked_mask(mask: tf.Tensor, images: tf.Tensor) -> tf.Tensor:
    expected = tf.concat([tf.shape(images)[:3], [1]], axis=0)
    layout = "input masks must be [batch, height, width, 1]"
    return _checked(mask, rank=4, layout=layout, measure=tf.shape, expected=expected, mismatch=f"{layout} matching images", static_shape=[None, None, None, 1])


def _checked_latents(latents: tf.Tensor, latent_dim: int) -> tf.Tensor:
    layout = f"input latents must be [batch, {latent_dim}]"
    return _checked(latents, rank=2, layout=layout, measure=_last_axis, expected=latent_dim, mismatch=layout, static_shape=[None, latent_dim])


def _checked_labels(labels: tf.Tensor, num_classes: int) -> tf.Tensor:
    low = tf.debugging.assert_non_negative(labels, message=f"input labels must lie in [0, {num_classes})")
    high = tf.debugging.assert_less(labels, num_classes, message=f"input labels must lie in [0, {num_classes})")
    with tf.control_dependencies([low, high]):
        return tf.identity(labels)


def _to_uint8(images: tf.Tensor) -> tf.Tensor:
    return tf.cast(tf.round(tf.clip_by_value(images, 0.0, 1.0) * 255.0), tf.uint8)


def _from_uint8(images: tf.Tensor) -> tf.Tensor:
    return tf.cast(images, tf.float32) / 255.0


def _image_outputs(images: tf.Tensor, name: str = "images") -> dict[str, tf.Tensor]:
    images = tf.clip_by_value(images, 0.0, 1.0)
    return {name: images, f"{name}_uint8": _to_uint8(images)}


def _restorer_signatures(model: Restorer) -> Signatures:
    channels = model.network.inputs[0].shape[-1]
    # Unknown rank on purpose: a rank fixed in the spec lets graph optimisation fold the rank check
    # away, and a loaded signature does not enforce its shapes, so a wrong rank would fail unnamed.
    images = tf.TensorSpec(None, tf.float32, name="images")
    images_uint8 = tf.TensorSpec(None, tf.uint8, name="images")
    masks = tf.TensorSpec(None, tf.float32, name="masks")
    noise = tf.TensorSpec([None], tf.float32, name="noise_level")

    def restore(damaged: tf.Tensor, mask: tf.Tensor | None, noise_level: tf.Tensor | None) -> dict[str, tf.Tensor]:
        damaged = _checked_images(damaged, "images", channels)
        mask = tf.ones_like(damaged[..., :1]) if mask is None else _checked_mask(mask, damaged)
        inputs = [damaged, mask]
        if model.noise_level_input:
            inputs.append(tf.ones_like(mask) * noise_level[:, tf.newaxis, tf.newaxis, tf.newaxis])
        return _image_outputs(model(inputs, training=False), "restored")

    def signature(image_spec: tf.TensorSpec, masked: bool) -> tf.types.experimental.ConcreteFunction:
        """`(images[, masks][, noise_level]) -> restored`; the spec names name the signature's inputs."""
        specs = [image_spec] + ([masks] if masked else []) + ([noise] if model.noise_level_input else [])

        def serve(*inputs: tf.Tensor) -> dict[str, tf.Tensor]:
            damaged = _from_uint8(inputs[0]) if image_spec.dtype == tf.uint8 else inputs[0]
            return restore(damaged, inputs[1] if masked else None, inputs[-1] if model.noise_level_input else None)

        return tf.function(serve, input_signature=specs).get_concrete_function()

    return {
        "serving_default": signature(images, masked=False),
        "restore_masked": signature(images, masked=True),
        "restore_uint8": signature(images_uint8, masked=False),
        "restore_masked_uint8": signature(images_uint8, masked=True),
    }


def _classifier_signatures(model: Classifier) -> Signatures:
    channels = model.network.inputs[0].shape[-1]

    def classify(images: tf.Tensor) -> dict[str, tf.Tensor]:
        logits = tf.cast(model(_checked_images(images, "images", channels), training=False), tf.float32)
        return {"probabilities": tf.nn.softmax(logits), "class_id": tf.argmax(logits, axis=-1, output_type=tf.int32)}

    floats = tf.function(classify, input_signature=[tf.TensorSpec(None, tf.float32, name="images")]).get_concrete_function()
    uint8 = tf.function(lambda images: classify(_from_uint8(images)), input_signature=[tf.TensorSpec(None, tf.uint8, name="images")])
    return {"serving_default": floats, "classify": floats, "classify_uint8": uint8.get_concrete_function()}


def _decoder(model: GAN | VAE) -> Callable[[tf.Tensor, tf.Tensor | None], tf.Tensor]:
    """`(latents, labels) -> images in [0, 1]` in TensorFlow ops."""
    if isinstance(model, GAN):
        return lambda latents, labels: (model.call_generator(latents, labels, training=False, ema=True) + 1.0) / 2.0
    return lambda latents, labels: model.likelihood.mean(model._decode(latents, labels, training=False))


def _with_labels(model: GAN | VAE) -> bool:
    return isinstance(model, (ConditionalGAN, ConditionalVAE))


def _generator_signatures(model: GAN | VAE) -> Signatures:
    unchecked_decode = _decoder(model)
    conditional = _with_labels(model)

    def decode(latents: tf.Tensor, labels: tf.Tensor | None) -> dict[str, tf.Tensor]:
        labels = None if labels is None else _checked_labels(labels, model.num_classes)
        return _image_outputs(unchecked_decode(_checked_latents(latents, model.latent_dim), labels))

    def generate(*inputs: tf.Tensor) -> dict[str, tf.Tensor]:  # (latents[, labels])
        return decode(inputs[0], inputs[1] if conditional else None)

    def sample(first: tf.Tensor, seed: tf.Tensor) -> dict[str, tf.Tensor]:  # (count or labels, seed)
        count = tf.size(first) if conditional else first
        latents = tf.random.stateless_normal(tf.stack([count, model.latent_dim]), tf.stack([seed, 0]))
        return decode(latents, first if conditional else None)

    labels = tf.TensorSpec([None], tf.int32, name="labels")
    latents = [tf.TensorSpec(None, tf.float32, name="latents")] + ([labels] if conditional else [])
    first = labels if conditional else tf.TensorSpec([], tf.int32, name="count")
    generate = tf.function(generate, input_signature=latents).get_concrete_function()
    sample = tf.function(sample, input_signature=[first, tf.TensorSpec([], tf.int32, name="seed")]).get_concrete_function()
    return {"serving_default": generate, "generate": generate, "sample": sample}


def _vae_signatures(model: VAE) -> Signatures:
    signatures = _generator_signatures(model)
    signatures["decode"] = signatures["generate"]
    channels = model.encoder.inputs[0].shape[-1]
    conditional = _with_labels(model)
    decode = _decoder(model)

    def encode(images: tf.Tensor, labels: tf.Tensor | None) -> dict[str, tf.Tensor]:
        images = _checked_images(images, "images", channels)
        labels = None if labels is None else _checked_labels(labels, model.num_classes)
        mean, log_var = model._encode(images, labels, training=False)
        return {"mean": mean, "log_var": log_var}

    def encode_signature(*inputs: tf.Tensor) -> dict[str, tf.Tensor]:  # (images[, labels])
        return encode(inputs[0], inputs[1] if conditional else None)

    def reconstruct_signature(*inputs: tf.Tensor) -> dict[str, tf.Tensor]:
        labels = inputs[1] if conditional else None
        return _image_outputs(decode(encode(inputs[0], labels)["mean"], labels))

    specs = [tf.TensorSpec(None, tf.float32, name="images")] + ([tf.TensorSpec([None], tf.int32, name="labels")] if conditional else [])
    signatures["encode"] = tf.function(encode_signature, input_signature=specs).get_concrete_function()
    signatures["reconstruct"] = tf.function(reconstruct_signature, input_signature=specs).get_concrete_function()
    return signatures


def serving_signatures(model: keras.Model) -> Signatures:
    """The named serving signatures of a tf_genrepair model (see the module docstring)."""
    if isinstance(model, Restorer):
        return _restorer_signatures(model)
    if isinstance(model, Classifier):
        return _classifier_signatures(model)
    if isinstance(model, VAE):
        return _vae_signatures(model)
    if isinstance(model, GAN):
        return _generator_signatures(model)
    raise ValueError(
        f"Cannot export a {type(model).__name__}: expected a tf_genrepair Restorer, Classifier, GAN, ConditionalGAN, VAE or ConditionalVAE."
    )


def _metadata(model: keras.Model) -> dict[str, int]:
    """Integers a client needs and cannot read from the signatures: image channels, number of classes."""
    metadata = {}
    if isinstance(model, (Restorer, Classifier)):
        metadata["image_channels"] = int(model.network.inputs[0].shape[-1])
    if isinstance(model, (ConditionalGAN, ConditionalVAE)):
        metadata["num_classes"] = int(model.num_classes)
    return metadata


def _next_version(folder: str) -> int:
    versions = [int(entry) for entry in os.listdir(folder) if re.fullmatch(r"\d+", entry)] if os.path.isdir(folder) else []
    return max(versions, default=0) + 1


def export_for_serving(model: keras.Model, export_base: str, *, name: str, version: int | None = None) -> str:
    """Writes `model` as a SavedModel to `<export_base>/<name>/<version>/`, the layout TF Serving watches.

    The SavedModel is written to a temporary folder beside the target and renamed into
    place, so a watching server never sees half a model and a failed export leaves nothing.

    Args:
        model: A trained tf_genrepair model.
        export_base: Base folder (TF Serving's `--model_base_path` is `<export_base>/<name>`).
        name: Model name, a folder name (letters, digits, `-`, `_`, `.`).
        version: Positive version number; default one more than the largest present.

    Returns:
        The version folder written.

    Example:
        >>> path = export_for_serving(keras.saving.load_model("workdirs/restore_mnist/model.keras"), "exports", name="restorer")
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise ValueError(f"`name` must be a folder name of letters, digits, '.', '_' or '-'. Received: name={name!r}")
    folder = os.path.join(export_base, name)
    version = _next_version(folder) if version is None else version
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"`version` must be a positive integer. Received: version={version!r}")
    target = os.path.join(folder, str(version))
    if os.path.exists(target):
        raise ValueError(f"{target} already exists; TF Serving versions are immutable. Pass another --version.")
    signatures = serving_signatures(model)
    with atomic_folder(target) as temporary:
        module = tf.Module()
        module.model = model  # Tracks every variable the signatures read.
        for key, value in _metadata(model).items():  # Read back as e.g. `tf.saved_model.load(path).image_channels.numpy()`.
            setattr(module, key, tf.Variable(value, trainable=False, dtype=tf.int32, name=key))
        tf.saved_model.save(module, temporary, signatures=signatures)
    return target
