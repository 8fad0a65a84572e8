"""Image files: listing, reading (with a clear error per bad file), masks, and atomic writing."""

import io
import os

import numpy as np
from PIL import Image, UnidentifiedImageError

from tf_genrepair.io.atomic import atomic_path

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")
COLOR_MODES = ("grayscale", "rgb")
_BAD_IMAGE_ERRORS = (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError)


class DataError(ValueError):
    """A data file or folder is missing, unreadable or inconsistent."""


ImageSource = str | bytes  # A file path, or the bytes of an image file (an upload).


def _opened(source: ImageSource) -> Image.Image:
    return Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)


def _unreadable(name: str, error: Exception) -> DataError:
    reason = "not a PNG, JPEG or BMP image" if isinstance(error, UnidentifiedImageError) else str(error)
    return DataError(f"Cannot read image {name}: {reason}")


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


def check_image(path: ImageSource, *, name: str | None = None) -> str:
    """Fully decodes `path` (or image bytes) once so that a corrupt or truncated file fails here, by name; returns its PIL mode."""
    try:
        with _opened(path) as image:
            image.load()
            return image.mode
    except _BAD_IMAGE_ERRORS as error:
        raise _unreadable(name or path, error) from error


def decode_image(path: ImageSource, color_mode: str) -> np.ndarray:
    """A readable image file (or its bytes) as float32 `[H, W, C]` in [0, 1] (16-bit grayscale kept at full precision)."""
    with _opened(path) as image:
        if image.mode in ("I", "I;16"):
            array = np.asarray(image, np.float32) / 65535.0
            return array[..., np.newaxis] if color_mode == "grayscale" else np.repeat(array[..., np.newaxis], 3, -1)
        converted = image.convert("L" if color_mode == "grayscale" else "RGB")
        array = np.asarray(converted, np.float32) / 255.0
    return array[..., np.newaxis] if array.ndim == 2 else array


def read_image(path: ImageSource, color_mode: str, *, max_pixels: int | None = None, name: str | None = None) -> np.ndarray:
    """One image file (or the bytes of one) as float32 `[H, W, C]` in [0, 1], or a `DataError` naming it.

    Args:
        path: A PNG, JPEG or BMP file, or such a file's bytes (an upload).
        color_mode: `grayscale` or `rgb`.
        max_pixels: Refuse larger images (decompression bombs) before decoding them.
        name: What errors call the image (default: the path, or "the image" for bytes).

    Example:
        >>> photo = read_image("photo.png", "rgb")
        >>> upload = read_image(request_bytes, "rgb", max_pixels=16_000_000, name="field image")
    """
    if color_mode not in COLOR_MODES:
        raise ValueError(f"`color_mode` must be one of {COLOR_MODES}. Received: color_mode={color_mode!r}")
    name = name or ("the image" if isinstance(path, bytes) else path)
    if isinstance(path, bytes) and not path:
        raise DataError(f"Cannot read image {name}: it is empty.")
    if not isinstance(path, bytes) and not os.path.isfile(path):
        raise DataError(f"Image {path} does not exist.")
    if max_pixels is not None:
        try:
            with _opened(path) as image:
                width, height = image.size
        except _BAD_IMAGE_ERRORS as error:
            raise _unreadable(name, error) from error
        if width * height > max_pixels:
            raise DataError(f"Image {name} has {width}x{height} pixels, more than the limit of {max_pixels}.")
    check_image(path, name=name)
    return decode_image(path, color_mode)


def read_mask(
    path: ImageSource,
    *,
    shape: tuple[int, int] | None = None,
    missing_is_white: bool = True,
    max_pixels: int | None = None,
    name: str | None = None,
) -> np.ndarray:
    """A mask image file as float32 `[H, W, 1]`, 1 where observed.

    Args:
        path: PNG/JPEG/BMP file. By the convention of inpainting tools (OpenCV, LaMa, IOPaint),
            white (>= 128) marks the missing region.
        shape: `(height, width)` the mask must have (its image's size), checked when given.
        missing_is_white: Set False for files where white marks observed pixels.
        max_pixels: Refuse larger files before decoding them.
        name: What errors call the mask (default: the path, or "the mask" for bytes).

    Example:
        >>> mask = read_mask("holes.png", shape=photo.shape[:2])
    """
    name = name or ("the mask" if isinstance(path, bytes) else path)
    white = read_image(path, "grayscale", max_pixels=max_pixels, name=name) >= 0.5
    if shape is not None and white.shape[:2] != tuple(shape):
        raise DataError(f"Mask {name} is {white.shape[1]}x{white.shape[0]} but the image is {shape[1]}x{shape[0]}.")
    observed = ~white if missing_is_white else white
    return observed.astype(np.float32)


def _picture(image: np.ndarray) -> Image.Image:
    pixels = np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)
    return Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)


def encode_png(image: np.ndarray) -> bytes:
    """`[H, W, C]` in [0, 1] as the bytes of an 8-bit PNG file.

    Example:
        >>> body = encode_png(restored)
    """
    buffer = io.BytesIO()
    _picture(image).save(buffer, format="PNG")
    return buffer.getvalue()


def write_image(path: str, image: np.ndarray, *, overwrite: bool = False) -> str:
    """Writes `[H, W, C]` in [0, 1] as PNG, JPEG or BMP (by extension), atomically; refuses to overwrite unless told.

    Example:
        >>> write_image("restored.png", restored, overwrite=True)
    """
    if not path.lower().endswith(IMAGE_EXTENSIONS):
        raise ValueError(f"Output {path} must end with one of {', '.join(IMAGE_EXTENSIONS)}.")
    if os.path.exists(path) and not overwrite:
        raise ValueError(f"Output {path} exists; pass overwrite=True (--overwrite) to replace it.")
    picture = _picture(image)
    image_format = "JPEG" if path.lower().endswith((".jpg", ".jpeg")) else "BMP" if path.lower().endswith(".bmp") else "PNG"
    with atomic_path(path) as temporary:
        picture.save(temporary, format=image_format)
    return path
