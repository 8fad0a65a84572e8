"""Restore and generate image files with a trained model (`.keras` file or exported SavedModel).

Used by `genrepair-restore` and `genrepair-generate`. Masks are images of the photo's size in
which white (>= 128) marks missing pixels, as in most inpainting tools.
"""

import os
from typing import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.corruptions import get_corruption
from tf_genrepair.io.images import (
    DataError,
    image_files,
    read_image,
    read_mask,
    write_image,
)
from tf_genrepair.io.plots import save_image_grid
from tf_genrepair.models import INPUT_NAMES, Restorer, load_model, restore_images
from tf_genrepair.models.restorer_inputs import SIZE_LADDER

DEFAULT_MAX_PIXELS = 64_000_000


def _is_saved_model(path: str) -> bool:
    return os.path.isdir(path) and os.path.exists(os.path.join(path, "saved_model.pb"))


class ExportedRestorer:
    """A restorer SavedModel written by `export_for_serving`, behind the call of `Restorer.restore`.

    Example:
        >>> restorer = ExportedRestorer("exports/restorer/1")
        >>> restored = restorer.restore(photo, mask, tile_size=512)
    """

    def __init__(self, path: str) -> None:
        loaded = tf.saved_model.load(path)
        if "restore_masked" not in loaded.signatures:
            raise ValueError(f"{path} is not an exported restorer (its signatures: {', '.join(sorted(loaded.signatures))}).")
        self.loaded = loaded  # Keeps the variables the signature reads alive.
        self.signature = loaded.signatures["restore_masked"]
        self.noise_level_input = "noise_levels" in dict(self.signature.structured_input_signature[1])
        self.channels = int(loaded.image_channels.numpy())

    def forward(self, inputs: list[np.ndarray]) -> np.ndarray:
        """One batch through the `restore_masked` signature: `[images, masks(, noise_levels)]` -> restored."""
        return self.signature(**{name: tf.constant(part) for name, part in zip(INPUT_NAMES, inputs)})["restored"].numpy()

    def restore(self, images: np.ndarray, masks: np.ndarray | None = None, *, noise_levels: float | np.ndarray | None = None, **options) -> np.ndarray:
        """As `Restorer.restore`."""
        return restore_images(
            self.forward, images, masks, noise_levels, channels=self.channels, noise_level_input=self.noise_level_input, **options
        )


def load_restorer(path: str) -> Restorer | ExportedRestorer:
    """A `Restorer` from a `.keras` file, or an `ExportedRestorer` from a SavedModel folder written by `export_for_serving`.

    Example:
        >>> restorer = load_restorer("exports/restorer/1")
    """
    if _is_saved_model(path):
        return ExportedRestorer(path)
    model = load_model(path)
    if not isinstance(model, Restorer):
        raise ValueError(f"{path} holds a {type(model).__name__}, not a Restorer.")
    return model


def restore_file(
    restorer: Restorer | ExportedRestorer,
    input_path: str,
    output_path: str,
    *,
    mask_path: str | None = None,
    corruption: str | None = None,
    severity: int = 3,
    seed: int = 0,
    noise_levels: float | None = None,
    tile_size: int = 512,
    overwrite: bool = False,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    size_ladder: Sequence[int] | None = SIZE_LADDER,
) -> str:
    """Restores one image file (damaging it first with `corruption`, if given) and writes the result.

    Images larger than `tile_size` on a side are restored tile by tile; smaller ones are padded up to
    the next size of `size_ladder` and cropped back (shape bucketing, see `apply_restorer`).

    Example:
        >>> restore_file(load_restorer("exports/restorer/1"), "photo.png", "restored.png", mask_path="holes.png")
    """
    if os.path.exists(output_path) and not overwrite:  # Fail before the work, not after.
        raise ValueError(f"Output {output_path} exists; pass overwrite=True (--overwrite) to replace it.")
    image = read_image(input_path, "grayscale" if restorer.channels == 1 else "rgb", max_pixels=max_pixels)
    mask = read_mask(mask_path, shape=image.shape[:2], max_pixels=max_pixels) if mask_path else None
    restored = restore_image(restorer, image, mask, corruption=corruption, severity=severity, seed=seed, noise_levels=noise_levels, tile_size=tile_size,
        size_ladder=size_ladder,
    )
    return write_image(output_path, restored, overwrite=overwrite)


def restore_image(
    restorer: Restorer | ExportedRestorer,
    image: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    corruption: str | None = None,
    severity: int = 3,
    seed: int = 0,
    noise_levels: float | None = None,
    tile_size: int = 512,
    on_progress: Callable[[int, int], None] | None = None,
    size_ladder: Sequence[int] | None = SIZE_LADDER,
) -> np.ndarray:
    """Restores one `[H, W, C]` image (damaged first with `corruption`, if given): the pixels under the
    mask's missing region (0) are cleared and filled; larger than `tile_size` on a side, tile by tile.

    Example:
        >>> restored = restore_image(Restorer.from_preset("denoise_gray"), noisy, noise_levels=0.1)
    """
    mask = np.ones(image.shape[:2] + (1,), np.float32) if mask is None else mask
    if corruption:
        damaged, damage_mask = get_corruption(corruption)(image, severity=severity, seed=seed)
        image, mask = damaged.numpy(), mask * damage_mask.numpy()
    tiled = max(image.shape[:2]) > tile_size
    return restorer.restore(
        image * mask, mask, noise_levels=noise_levels, tile_size=tile_size if tiled else None, overlap=min(64, tile_size // 4), on_progress=on_progress,
        size_ladder=size_ladder,
    )


def list_images(folder: str) -> list[str]:
    """Names of the image files directly inside `folder`, sorted; an error when there are none."""
    names = [os.path.basename(path) for path in image_files(folder)]
    if not names:
        raise DataError(f"Input folder {folder} holds no image files.")
    return names


def _exported_samples(path: str, num: int, label: int | None, seed: int) -> tuple[np.ndarray, int | None]:
    loaded = tf.saved_model.load(path)
    if "sample" not in loaded.signatures:
        raise ValueError(f"{path} is not an exported generator (its signatures: {', '.join(sorted(loaded.signatures))}).")
    sample = loaded.signatures["sample"]
    if "labels" not in dict(sample.structured_input_signature[1]):
        if label is not None:
            raise ValueError(f"{path} is an unconditional generator: a label does not apply.")
        return sample(count=tf.constant(num), seed=tf.constant(seed))["images"].numpy(), None
    classes = int(loaded.num_classes.numpy())
    labels = np.full(num, label, np.int32) if label is not None else np.arange(num, dtype=np.int32) % classes
    return sample(labels=tf.constant(labels), seed=tf.constant(seed))["images"].numpy(), None if label is not None else classes


def _keras_samples(path: str, num: int, label: int | None, seed: int) -> tuple[np.ndarray, int | None]:
    model: keras.Model = load_model(path)
    if not getattr(model, "generative", False):
        raise ValueError(f"{path} holds a {type(model).__name__}, not a GAN or VAE.")
    if label is None:
        return model.generate(num, seed=seed), model.num_classes if model.conditional else None
    if not model.conditional:
        raise ValueError(f"{path} is an unconditional generator: a label does not apply.")
    return model.sample(num, labels=label, seed=seed), None


def generate_grid(path: str, output_path: str, *, num: int, label: int | None = None, seed: int = 0, overwrite: bool = False) -> str:
    """Samples `num` images from a GAN or VAE (`.keras` or exported SavedModel) and saves them as a grid PNG.

    A conditional model without `label` cycles its classes: column k of the grid holds class k.

    Example:
        >>> generate_grid("workdirs/cgan_mnist/model.keras", "threes.png", num=64, label=3)
    """
    if num < 1:
        raise ValueError(f"`num` must be >= 1. Received: num={num}")
    if not output_path.lower().endswith(".png"):
        raise ValueError(f"Output {output_path} must be a .png file.")
    if os.path.exists(output_path) and not overwrite:
        raise ValueError(f"Output {output_path} exists; pass overwrite=True (--overwrite) to replace it.")
    images, cycled_classes = _exported_samples(path, num, label, seed) if _is_saved_model(path) else _keras_samples(path, num, label, seed)
    if cycled_classes:
        title, columns = f"{num} samples; column k: class k", min(num, cycled_classes)
    else:
        title, columns = f"{num} samples" + (f" of class {label}" if label is not None else ""), min(num, 10)
    return save_image_grid(images, output_path, columns=columns, title=title)
