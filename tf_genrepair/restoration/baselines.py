"""Classical restorers behind the call signature of a learned one: `restore(images, masks=None, *, noise_levels=None)`.

Each takes `[N, H, W, C]` (or one `[H, W, C]`) float images in [0, 1] (noise may overshoot)
and a mask with 1 where a pixel is observed, and returns restored images clipped to
[0, 1]. Denoisers use the given noise standard deviation (in [0, 1] units) or estimate
it; inpainters fill the pixels where the mask is 0. They need scikit-image and OpenCV:
`pip install "tf_genrepair[benchmarks]"`.
"""

import importlib
from typing import Callable, Mapping

import numpy as np

ClassicalRestorer = Callable[..., np.ndarray]

# Denoiser strengths (multiples of sigma) chosen on Train400 images at sigma 25, never on a test set, by
# benchmarks/classical_tuning.py (benchmarks/results/classical_tuning.json; a test keeps the two equal).
NL_MEANS_H_FACTOR = 0.6  # scikit-image fast-mode NL-means: h = factor * sigma.
TV_WEIGHT_FACTOR = 0.7  # scikit-image Chambolle TV: weight = factor * sigma.
OPENCV_H_FACTOR = 0.9  # OpenCV NL-means: h = factor * sigma on the 0..255 scale.
# OpenCV's coloured NL-means, chosen the same way on CBSD432 images (benchmarks/results/classical_tuning_colour.json).
OPENCV_COLOUR_H_FACTOR = 0.5
INPAINT_RADIUS = 3
MEDIAN_SIZE = 3
STRETCH_PERCENTILE = 1.0  # Contrast stretch: percentiles mapped to 0 and 1.
CLAHE_CLIP = 0.01  # scikit-image equalize_adapthist default clip limit.
UNSHARP_RADIUS, UNSHARP_AMOUNT = 1.0, 1.0


def _require(module: str):
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"The classical baselines need {module}: pip install 'tf_genrepair[benchmarks]'") from error


def _per_image(function: Callable[..., np.ndarray]) -> ClassicalRestorer:
    """Lifts a one-image `function(image, mask, sigma, **options)` to the batch call signature.

    Options (a denoiser's `strength`) pass through unchanged.
    """

    def restore(images: np.ndarray, masks: np.ndarray | None = None, *, noise_levels: float | None = None, **options) -> np.ndarray:
        given = np.asarray(images, np.float32)
        single = given.ndim == 3
        batch = given[np.newaxis] if single else given
        if batch.ndim != 4:
            raise ValueError(f"`images` must be [N, H, W, C] or [H, W, C]. Received: shape={given.shape}")
        planes = np.ones(batch.shape[:3] + (1,), np.float32) if masks is None else np.asarray(masks, np.float32)
        planes = planes[np.newaxis] if single and masks is not None else planes
        if planes.shape != batch.shape[:3] + (1,):
            raise ValueError(f"`masks` must have shape {batch.shape[:3] + (1,)}. Received: shape={planes.shape}")
        # Some scikit-image functions drop a length-1 channel axis; reshape restores it.
        restored = np.stack(
            [np.reshape(function(image, plane[..., 0] > 0.5, noise_levels, **options), image.shape) for image, plane in zip(batch, planes)]
        )
        restored = np.clip(restored.astype(np.float32), 0.0, 1.0)
        return restored[0] if single else restored

    restore.__name__ = function.__name__
    restore.__doc__ = function.__doc__
    return restore


def _sigma(image: np.ndarray, noise_level: float | None) -> float:
    if noise_level is not None:
        return float(noise_level)
    restoration = _require("skimage.restoration")
    return float(np.mean(restoration.estimate_sigma(image, channel_axis=-1)))


@_per_image
def nl_means(image: np.ndarray, observed: np.ndarray, noise_level: float | None, strength: float = NL_MEANS_H_FACTOR) -> np.ndarray:
    """scikit-image non-local means (Buades et al. 2005), 5x5 patches, 13x13 search window, h = strength * sigma."""
    sigma = _sigma(image, noise_level)
    restoration = _require("skimage.restoration")
    return restoration.denoise_nl_means(
        image, h=strength * sigma, sigma=sigma, patch_size=5, patch_distance=6, fast_mode=True, channel_axis=-1
    )


@_per_image
def total_variation(image: np.ndarray, observed: np.ndarray, noise_level: float | None, strength: float = TV_WEIGHT_FACTOR) -> np.ndarray:
    """scikit-image total-variation denoising (Chambolle 2004), weight = strength * sigma."""
    restoration = _require("skimage.restoration")
    return restoration.denoise_tv_chambolle(image, weight=strength * _sigma(image, noise_level), channel_axis=-1)


@_per_image
def median_filter(image: np.ndarray, observed: np.ndarray, noise_level: float | None) -> np.ndarray:
    """3x3 median filter per channel: the classical remedy for impulse noise and thin scratches."""
    filters = _require("skimage.filters")
    footprint = np.ones((MEDIAN_SIZE, MEDIAN_SIZE), bool)
    return np.stack([filters.median(image[..., channel], footprint, mode="reflect") for channel in range(image.shape[-1])], axis=-1)


@_per_image
def unsharp_mask(image: np.ndarray, observed: np.ndarray, noise_level: float | None) -> np.ndarray:
    """Unsharp masking, `image + amount * (image - gaussian(image))`: the classical blind sharpening.

    Written on scipy's Gaussian filter: scikit-image 0.26's `unsharp_mask` with `channel_axis`
    returns uninitialised values (NaN, 1e289) on some calls.
    """
    ndimage = _require("scipy.ndimage")
    blurred = ndimage.gaussian_filter(image.astype(np.float64), sigma=(UNSHARP_RADIUS, UNSHARP_RADIUS, 0), mode="nearest")
    return image + UNSHARP_AMOUNT * (image - blurred)


@_per_image
def contrast_stretch(image: np.ndarray, observed: np.ndarray, noise_level: float | None) -> np.ndarray:
    """Levels stretched so the 1st and 99th percentiles map to 0 and 1: the classical fix for faded, hazy or dim scans."""
    low, high = np.percentile(image, [STRETCH_PERCENTILE, 100.0 - STRETCH_PERCENTILE])
    return (image - low) / max(high - low, 1e-6)


@_per_image
def clahe(image: np.ndarray, observed: np.ndarray, noise_level: float | None) -> np.ndarray:
    """Contrast-limited adaptive histogram equalisation (scikit-image): evens out uneven light and vignetting."""
    exposure = _require("skimage.exposure")
    return np.stack([exposure.equalize_adapthist(image[..., channel], clip_limit=CLAHE_CLIP) for channel in range(image.shape[-1])], axis=-1)


def _to_uint8(image: np.ndarray) -> np.ndarray:
    return np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)


def _from_uint8(image: np.ndarray, channels: int) -> np.ndarray:
    image = image.astype(np.float32) / 255.0
    return image[..., np.newaxis] if image.ndim == 2 else image.reshape(image.shape[:2] + (channels,))


@_per_image
def opencv_nl_means(image: np.ndarray, observed: np.ndarray, noise_level: float | None, strength: float | None = None) -> np.ndarray:
    """OpenCV fast NL-means (7x7 template, 21x21 search) on the image quantised to uint8, h = strength * sigma (0..255).

    RGB images go through `fastNlMeansDenoisingColored` (luma and chroma both with h); the default strength
    is the one tuned for the channel count.
    """
    cv2 = _require("cv2")
    if strength is None:
        strength = OPENCV_H_FACTOR if image.shape[-1] == 1 else OPENCV_COLOUR_H_FACTOR
    h = strength * 255.0 * _sigma(image, noise_level)
    pixels = _to_uint8(image)
    if image.shape[-1] == 1:
        return _from_uint8(cv2.fastNlMeansDenoising(pixels[..., 0], None, h=h, templateWindowSize=7, searchWindowSize=21), 1)
    return _from_uint8(cv2.fastNlMeansDenoisingColored(pixels, None, h, h, 7, 21), 3)


@_per_image
def biharmonic_inpaint(image: np.ndarray, observed: np.ndarray, noise_level: float | None) -> np.ndarray:
    """scikit-image biharmonic inpainting of the missing pixels (Damelin and Hoang 2018)."""
    restoration = _require("skimage.restoration")
    if observed.all():
        return image
    return restoration.inpaint_biharmonic(image, ~observed, channel_axis=-1)


def _opencv_inpaint(method_name: str) -> Callable[[np.ndarray, np.ndarray, float | None], np.ndarray]:
    def inpaint(image: np.ndarray, observed: np.ndarray, noise_level: float | None) -> np.ndarray:
        cv2 = _require("cv2")
        missing = (~observed).astype(np.uint8) * 255
        pixels = _to_uint8(image)
        filled = cv2.inpaint(pixels[..., 0] if image.shape[-1] == 1 else pixels, missing, INPAINT_RADIUS, getattr(cv2, method_name))
        restored = _from_uint8(filled, image.shape[-1])
        return np.where(observed[..., np.newaxis], image, restored)  # OpenCV works in uint8; keep observed pixels exact.

    return inpaint


telea_inpaint = _per_image(_opencv_inpaint("INPAINT_TELEA"))
telea_inpaint.__doc__ = "OpenCV fast-marching inpainting (Telea 2004), radius 3."
navier_stokes_inpaint = _per_image(_opencv_inpaint("INPAINT_NS"))
navier_stokes_inpaint.__doc__ = "OpenCV Navier-Stokes inpainting (Bertalmio et al. 2001), radius 3."

# Each denoiser takes `strength=` (a multiple of sigma); these are the values it uses without one.
DENOISER_STRENGTHS: Mapping[str, float] = {
    "skimage_nl_means": NL_MEANS_H_FACTOR,
    "skimage_tv": TV_WEIGHT_FACTOR,
    "opencv_nl_means": OPENCV_H_FACTOR,
}
COLOUR_DENOISER_STRENGTHS: Mapping[str, float] = {"opencv_nl_means": OPENCV_COLOUR_H_FACTOR}
DENOISERS: Mapping[str, ClassicalRestorer] = {
    "skimage_nl_means": nl_means,
    "skimage_tv": total_variation,
    "opencv_nl_means": opencv_nl_means,
}
INPAINTERS: Mapping[str, ClassicalRestorer] = {
    "biharmonic": biharmonic_inpaint,
    "telea": telea_inpaint,
    "navier_stokes": navier_stokes_inpaint,
}
SHARPENERS: Mapping[str, ClassicalRestorer] = {"unsharp_mask": unsharp_mask}
TONE_CORRECTORS: Mapping[str, ClassicalRestorer] = {"contrast_stretch": contrast_stretch, "clahe": clahe}
ALL_BASELINES: Mapping[str, ClassicalRestorer] = {**DENOISERS, **INPAINTERS, **SHARPENERS, **TONE_CORRECTORS, "median": median_filter}

# The classical methods that address each registered corruption (what a practitioner would reach for).
BASELINES_FOR_CORRUPTION: Mapping[str, tuple[str, ...]] = {
    "box": ("biharmonic", "telea"),
    "free_form": ("biharmonic", "telea"),
    "pixel_dropout": ("biharmonic", "telea"),
    "gaussian_noise": ("skimage_nl_means", "skimage_tv"),
    "salt_and_pepper": ("median", "skimage_nl_means"),
    "poisson_noise": ("skimage_nl_means", "skimage_tv"),
    "speckle_noise": ("skimage_nl_means", "skimage_tv"),
    "gaussian_blur": ("unsharp_mask",),
    "motion_blur": ("unsharp_mask",),
    "jpeg": ("skimage_tv", "median"),
    "downsample": ("unsharp_mask",),
    "scratches": ("median",),
    **{name: ("contrast_stretch", "clahe") for name in ("brightness", "contrast", "gamma", "haze", "vignetting", "uneven_illumination")},
    **{name: ("unsharp_mask",) for name in ("defocus_blur", "zoom_blur", "glass_blur")},
    **{name: ("median",) for name in ("blots", "pen_lines", "stripes")},
    **{name: ("skimage_tv",) for name in ("posterize", "bit_depth")},
}  # No classical method undoes an unknown warp (elastic, affine) or colour change.


def baselines_for(corruption: str) -> dict[str, ClassicalRestorer]:
    """The classical restorers that address a registered corruption (none for compositions or mixtures).

    Example:
        >>> restored = baselines_for("box")["telea"](damaged, mask)
    """
    return {name: ALL_BASELINES[name] for name in BASELINES_FOR_CORRUPTION.get(corruption, ())}
