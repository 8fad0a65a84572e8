"""SavedModel export with serving signatures that TF Serving loads as is.

    export_for_serving(restorer, "exports", name="restorer")   # exports/restorer/1/
    docker run -p 8501:8501 -v $PWD/exports/restorer:/models/restorer -e MODEL_NAME=restorer tensorflow/serving

Each model kind defines its own signatures (`ModelKind.serving_signatures`); all inputs and
outputs are named, image and latent inputs are declared with unknown rank and checked in the
graph with errors that name the input:

- restorers: `serving_default` (images -> restored, restored_uint8), `restore_masked`
  (images, masks -> ...), and `restore_uint8` / `restore_masked_uint8` taking uint8 images;
  networks with a noise-level input also take `noise_levels`, broadcast to `[batch, height,
  width, 1]` (one `[batch, 1, 1, 1]` value per image, or a map). Any batch, height and width.
- classifiers: `classify` = `serving_default` (images -> probabilities, class_id) and `classify_uint8`.
- GANs and VAE decoders: `generate` (latents[, labels] -> images, images_uint8) and `sample`
  (count and seed, or labels and seed for conditional models -> images, images_uint8); `sample`
  draws its latents exactly as `generate()` in Python does (`models.latents_from_seed`).
- VAEs: also `encode` (images[, labels] -> mean, log_var), `decode` (= `generate`) and
  `reconstruct` (images[, labels] -> images, images_uint8).
"""

import os
import re

import keras
import tensorflow as tf

from tf_genrepair.io.atomic import atomic_folder
from tf_genrepair.models import ModelKind


def serving_signatures(model: keras.Model) -> dict[str, tf.types.experimental.ConcreteFunction]:
    """The named serving signatures of a tf_genrepair model (see the module docstring)."""
    if not isinstance(model, ModelKind):
        raise ValueError(f"Cannot export a {type(model).__name__}: expected a tf_genrepair model (Restorer, Classifier, GAN, VAE, ...).")
    return model.serving_signatures()


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
        for key, value in model.serving_metadata().items():  # Read back as e.g. `tf.saved_model.load(path).image_channels.numpy()`.
            setattr(module, key, tf.Variable(value, trainable=False, dtype=tf.int32, name=key))
        tf.saved_model.save(module, temporary, signatures=signatures)
    return target
