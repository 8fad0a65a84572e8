"""Restore and generate image files with a trained model (`.keras` file or exported SavedModel).

Used by `genrepair-restore` and `genrepair-generate`. Masks are images of the photo's size in
which white (>= 128) marks missing pixels, as in most inpainting tools.
"""

import dataclasses
import os
from typing import Callable

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from tf_genrepair.corruptions import get_corruption
from tf_genrepair.data import read_image
from tf_genrepair.files import atomic_path
from tf_genrepair.models import GAN, VAE, ConditionalGAN, ConditionalVAE, Restorer
from tf_genrepair.restoration.tiling import tiled_apply
from tf_genrepair.visualize import save_image_grid

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
DEFAULT_MAX_PIXELS = 64_000_000


@dataclasses.dataclass
class LoadedRestorer:
    """A restorer from either format: `forward(stacked [B, H, W, C + 1 (+1)]) -> [B, H, W, C]`."""

    channels: int
    noise_level_input: bool
    forward: Callable[[np.ndarray], np.ndarray]


def _is_saved_model(path: str) -> bool:
    return os.path.isdir(path) and os.path.exists(os.path.join(path, "saved_model.pb"))


def load_restorer(path: str) -> LoadedRestorer:
    """Loads a `Restorer` `.keras` file or a SavedModel written by `export_for_serving`."""
    if _is_saved_model(path):
        loaded = tf.saved_model.load(path)
        if "restore_masked" not in loaded.signatures:
            raise ValueError(f"{path} is not an exported restorer (its signatures: {', '.join(sorted(loaded.signatures))}).")
        signature = loaded.signatures["restore_masked"]
        specs = dict(signature.structured_input_signature[1])
        noise_level_input = "noise_level" in specs
        channels = int(loaded.image_channels.numpy())

        def forward(stacked: np.ndarray) -> np.ndarray:
            feeds = {"images": tf.constant(stacked[..., :channels]), "masks": tf.constant(stacked[..., channels : channels + 1])}
            if noise_level_input:
                feeds["noise_level"] = tf.constant(stacked[:, 0, 0, channels + 1])
            return signature(**feeds)["restored"].numpy()

        return LoadedRestorer(channels, noise_level_input, forward)
    model = load_keras_model(path)
    if not isinstance(model, Restorer):
        raise ValueError(f"{path} holds a {type(model).__name__}, not a Restorer.")
    channels = int(model.network.inputs[0].shape[-1])

    def forward_keras(stacked: np.ndarray) -> np.ndarray:
        parts = [stacked[..., :channels], stacked[..., channels : channels + 1]] + ([stacked[..., channels + 1 :]] if model.noise_level_input else [])
        return np.asarray(model([tf.constant(part) for part in parts], training=False))

    return LoadedRestorer(channels, model.noise_level_input, forward_keras)


def load_keras_model(path: str) -> keras.Model:
    """Loads a tf_genrepair `.keras` file (safe mode), or raises a `ValueError` naming the file."""
    if not path.endswith(".keras") or not os.path.isfile(path):
        raise ValueError(f"--model must be a .keras file or an exported SavedModel folder. Received: {path}")
    try:
        return keras.saving.load_model(path)
    except (OSError, ValueError, TypeError) as error:
        raise ValueError(f"Cannot load model {path}: {error}") from error


def read_mask(path: str, shape: tuple[int, int], *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """A mask image as `[H, W, 1]`, 1 where observed; white (>= 128) marks missing pixels."""
    mask = read_image(path, "grayscale", max_pixels=max_pixels)
    if mask.shape[:2] != shape:
        raise ValueError(f"Mask {path} is {mask.shape[1]}x{mask.shape[0]} but the image is {shape[1]}x{shape[0]}.")
    return (mask < 0.5).astype(np.float32)


def write_image(path: str, image: np.ndarray, *, overwrite: bool) -> str:
    """Writes `[H, W, C]` in [0, 1] as PNG or JPEG (by extension), atomically; refuses to overwrite unless told."""
    if not path.lower().endswith(IMAGE_SUFFIXES):
        raise ValueError(f"Output {path} must end with one of {', '.join(IMAGE_SUFFIXES)}.")
    if os.path.exists(path) and not overwrite:
        raise ValueError(f"Output {path} exists; pass --overwrite to replace it.")
    pixels = np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)
    picture = Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    image_format = "JPEG" if path.lower().endswith((".jpg", ".jpeg")) else "BMP" if path.lower().endswith(".bmp") else "PNG"
    with atomic_path(path) as temporary:
        picture.save(temporary, format=image_format)
    return path


def restore_file(
    restorer: LoadedRestorer,
    input_path: str,
    output_path: str,
    *,
    mask_path: str | None = None,
    corruption: str | None = None,
    severity: int = 3,
    seed: int = 0,
    noise_level: float | None = None,
    tile_size: int = 512,
    overwrite: bool = False,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> str:
    """Restores one image file (damaging it first with `corruption`, if given) and writes the result.

    Images larger than `tile_size` on a side are restored tile by tile.
    """
    if os.path.exists(output_path) and not overwrite:  # Fail before the work, not after.
        raise ValueError(f"Output {output_path} exists; pass --overwrite to replace it.")
    image = read_image(input_path, "grayscale" if restorer.channels == 1 else "rgb", max_pixels=max_pixels)
    mask = read_mask(mask_path, image.shape[:2], max_pixels=max_pixels) if mask_path else np.ones(image.shape[:2] + (1,), np.float32)
    if corruption:
        damaged, damage_mask = get_corruption(corruption)(image, severity=severity, seed=seed)
        image, mask = damaged.numpy(), mask * damage_mask.numpy()
    image = image * mask
    planes = [image, mask]
    if restorer.noise_level_input:
        if noise_level is None:
            raise ValueError("This restorer takes a noise level: pass --noise_level (standard deviation in [0, 1] units, e.g. 0.1).")
        planes.append(np.full(mask.shape, noise_level, np.float32))
    stacked = np.concatenate(planes, axis=-1)[np.newaxis]
    if max(image.shape[:2]) > tile_size:
        restored = tiled_apply(restorer.forward, stacked, output_channels=restorer.channels, tile_size=tile_size, overlap=min(64, tile_size // 4))
    else:
        restored = restorer.forward(stacked)
    return write_image(output_path, restored[0], overwrite=overwrite)


def list_images(folder: str) -> list[str]:
    """Image files directly inside `folder`, sorted."""
    if not os.path.isdir(folder):
        raise ValueError(f"Input folder {folder} does not exist.")
    files = sorted(name for name in os.listdir(folder) if name.lower().endswith(IMAGE_SUFFIXES))
    if not files:
        raise ValueError(f"Input folder {folder} holds no {'/'.join(IMAGE_SUFFIXES)} files.")
    return files


def generate_grid(path: str, output_path: str, *, num: int, label: int | None = None, seed: int = 0, overwrite: bool = False) -> str:
    """Samples `num` images from a GAN or VAE (`.keras` or exported SavedModel) and saves them as a grid PNG."""
    if num < 1:
        raise ValueError(f"--num must be >= 1. Received: {num}")
    if not output_path.lower().endswith(".png"):
        raise ValueError(f"Output {output_path} must be a .png file.")
    if os.path.exists(output_path) and not overwrite:
        raise ValueError(f"Output {output_path} exists; pass --overwrite to replace it.")
    if _is_saved_model(path):
        loaded = tf.saved_model.load(path)
        if "sample" not in loaded.signatures:
            raise ValueError(f"{path} is not an exported generator (its signatures: {', '.join(sorted(loaded.signatures))}).")
        specs = dict(loaded.signatures["sample"].structured_input_signature[1])
        if "labels" in specs:
            labels = np.full(num, label, np.int32) if label is not None else np.arange(num, dtype=np.int32) % int(loaded.num_classes.numpy())
            images = loaded.signatures["sample"](labels=tf.constant(labels), seed=tf.constant(seed))["images"].numpy()
        else:
            if label is not None:
                raise ValueError(f"{path} is an unconditional generator: --label does not apply.")
            images = loaded.signatures["sample"](count=tf.constant(num), seed=tf.constant(seed))["images"].numpy()
    else:
        model = load_keras_model(path)
        if not isinstance(model, (GAN, VAE)):
            raise ValueError(f"{path} holds a {type(model).__name__}, not a GAN or VAE.")
        conditional = isinstance(model, (ConditionalGAN, ConditionalVAE))
        if label is not None and not conditional:
            raise ValueError(f"{path} is an unconditional generator: --label does not apply.")
        if conditional:
            labels = np.full(num, label) if label is not None else np.arange(num) % model.num_classes
            images = model.sample(num, labels=labels, seed=seed)
        else:
            images = model.generate(num, seed=seed)
    title = f"{num} samples" + (f" of class {label}" if label is not None else "")
    return save_image_grid(images, output_path, columns=min(num, 10), title=title)
