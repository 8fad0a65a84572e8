"""Image files: listing, reading (with a clear error per bad file), masks, and atomic writing."""

import os

import numpy as np
from PIL import Image, UnidentifiedImageError

from tf_genrepair.io.atomic import atomic_path

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")
COLOR_MODES = ("grayscale", "rgb")
_BAD_IMAGE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError)


class DataError(ValueError):
    """A data file or folder is missing, unreadable or inconsistent."""


def image_files(folder: str) -> list[str]:
    """Paths of the image files directly inside `folder`, sorted (possibly none).

    Example:
        >>> paths = image_files("photos")
    """
    if not os.path.isdir(folder):
        raise DataError(f"Image folder {folder} does not exist.")
    return sorted(
        os.path.join(folder, entry)
        for entry in os.listdir(folder)
        if entry.lower().endswith(IMAGE_EXTENSIONS) and os.path.isfile(os.path.join(folder, entry))
    )


def check_image(path: str) -> str:
    """Fully decodes `path` once so that a corrupt or truncated file fails here, by name; returns its PIL mode."""
    try:
        with Image.open(path) as image:
            image.load()
            return image.mode
    except _BAD_IMAGE_ERRORS as error:
        raise DataError(f"Cannot read image {path}: {error}") from error


def decode_image(path: str, color_mode: str) -> np.ndarray:
    """A readable image file as float32 `[H, W, C]` in [0, 1] (16-bit grayscale kept at full precision)."""
    with Image.open(path) as image:
        if image.mode in ("I", "I;16"):
            array = np.asarray(image, np.float32) / 65535.0
            return array[..., np.newaxis] if color_mode == "grayscale" else np.repeat(array[..., np.newaxis], 3, -1)
        converted = image.convert("L" if color_mode == "grayscale" else "RGB")
        array = np.asarray(converted, np.float32) / 255.0
    return array[..., np.newaxis] if array.ndim == 2 else array


def read_image(path: str, color_mode: str, *, max_pixels: int | None = None) -> np.ndarray:
    """One image file as float32 `[H, W, C]` in [0, 1], or a `DataError` naming the file.

    Args:
        path: A PNG, JPEG or BMP file.
        color_mode: `grayscale` or `rgb`.
        max_pixels: Refuse larger images (decompression bombs) before decoding them.

    Example:
        >>> photo = read_image("photo.png", "rgb")
    """
    if color_mode not in COLOR_MODES:
        raise ValueError(f"`color_mode` must be one of {COLOR_MODES}. Received: color_mode={color_mode!r}")
    if not os.path.isfile(path):
        raise DataError(f"Image {path} does not exist.")
    if max_pixels is not None:
        try:
            with Image.open(path) as image:
                width, height = image.size
        except _BAD_IMAGE_ERRORS as error:
            raise DataError(f"Cannot read image {path}: {error}") from error
        if width * height > max_pixels:
            raise DataError(f"Image {path} has {width}x{height} pixels, more than the limit of {max_pixels}.")
    check_image(path)
    return decode_image(path, color_mode)


def read_mask(
    path: str, *, shape: tuple[int, int] | None = None, missing_is_white: bool = True, max_pixels: int | None = None
) -> np.ndarray:
    """A mask image file as float32 `[H, W, 1]`, 1 where observed.

    Args:
        path: PNG/JPEG/BMP file. By the convention of inpainting tools (OpenCV, LaMa, IOPaint),
            white (>= 128) marks the missing region.
        shape: `(height, width)` the mask must have (its image's size), checked when given.
        missing_is_white: Set False for files where white marks observed pixels.
        max_pixels: Refuse larger files before decoding them.

    Example:
        >>> mask = read_mask("holes.png", shape=photo.shape[:2])
    """
    white = read_image(path, "grayscale", max_pixels=max_pixels) >= 0.5
    if shape is not None and white.shape[:2] != tuple(shape):
        raise DataError(f"Mask {path} is {white.shape[1]}x{white.shape[0]} but the image is {shape[1]}x{shape[0]}.")
    observed = ~white if missing_is_white else white
    return observed.astype(np.float32)


def write_image(path: str, image: np.ndarray, *, overwrite: bool = False) -> str:
    """Writes `[H, W, C]` in [0, 1] as PNG, JPEG or BMP (by extension), atomically; refuses to overwrite unless told.

    Example:
        >>> write_image("restored.png", restored, overwrite=True)
    """
    if not path.lower().endswith(IMAGE_EXTENSIONS):
        raise ValueError(f"Output {path} must end with one of {', '.join(IMAGE_EXTENSIONS)}.")
    if os.path.exists(path) and not overwrite:
        raise ValueError(f"Output {path} exists; pass overwrite=True (--overwrite) to replace it.")
    pixels = np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)
    picture = Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    image_format = "JPEG" if path.lower().endswith((".jpg", ".jpeg")) else "BMP" if path.lower().endswith(".bmp") else "PNG"
    with atomic_path(path) as temporary:
        picture.save(temporary, format=image_format)
    return path
