"""Damage corruptions against independent implementations."""

import numpy as np
import pytest
import tensorflow as tf
from scipy import ndimage

from tf_genrepair.corruptions import damage, get_corruption


def test_gaussian_blur_matches_scipy(digits):
    sigma = damage.gaussian_blur.parameters["sigma"][1]
    blurred, _ = damage.gaussian_blur(digits[:4], severity=2, seed=0)
    radius = int(np.ceil(3 * max(damage.BLUR_SIGMAS)))
    for image, result in zip(digits[:4, ..., 0], blurred.numpy()[..., 0]):
        expected = ndimage.gaussian_filter(image.astype(np.float64), sigma, mode="reflect", truncate=radius / sigma)
        np.testing.assert_allclose(result, expected, atol=1e-5)


@pytest.mark.parametrize("name", ["gaussian_blur", "motion_blur", "downsample"])
def test_blurs_keep_a_constant_image(name):
    constant = np.full((3, 28, 28, 1), 0.4, np.float32)
    result, _ = getattr(damage, name)(constant, severity=5, seed=0)
    np.testing.assert_allclose(result.numpy(), constant, atol=1e-5)


def test_motion_blur_spreads_along_a_line():
    point = np.zeros((1, 31, 31, 1), np.float32)
    point[0, 15, 15, 0] = 1.0
    length = damage.motion_blur.parameters["length"][4]
    spread, _ = damage.motion_blur(point, severity=5, seed=3, clip=False)
    support = np.argwhere(spread.numpy()[0, ..., 0] > 1e-3)
    extent = np.max(np.linalg.norm(support - support.mean(0), axis=1)) * 2
    assert length - 2 <= extent <= length + 2
    assert float(tf.reduce_sum(spread)) == pytest.approx(1.0, abs=1e-5)


def test_jpeg_uses_the_documented_quality(digits):
    quality = int(damage.jpeg.parameters["quality"][2])
    damaged, _ = damage.jpeg(digits[:2], severity=3, seed=0)
    expected = tf.image.adjust_jpeg_quality(digits[1], quality)
    np.testing.assert_allclose(damaged[1].numpy(), expected.numpy(), atol=1e-6)


def test_jpeg_needs_one_or_three_channels():
    with pytest.raises(ValueError, match="1 or 3 channels"):
        damage.jpeg(np.zeros((1, 16, 16, 2), np.float32), severity=1, seed=0)


def test_downsample_loses_the_detail_of_its_factor():
    stripes = np.tile(np.array([0.0, 1.0], np.float32), 16)[np.newaxis, np.newaxis, :, np.newaxis]
    stripes = np.repeat(stripes, 32, axis=1)
    result, _ = damage.downsample(stripes, severity=2, seed=0)  # Factor 2 averages each stripe pair.
    np.testing.assert_allclose(result.numpy(), 0.5, atol=1e-5)


def test_scratches_only_brighten(digits):
    damaged, _ = damage.scratches(digits, severity=5, seed=0)
    difference = damaged.numpy() - digits
    assert difference.min() >= -1e-6 and difference.max() > 0.5


def _colour_checkerboards() -> tuple[np.ndarray, np.ndarray]:
    """A 1-pixel red/green checkerboard of nearly equal luma, and a gray checkerboard of the same luma swing."""
    rows, cols = np.indices((32, 32))
    odd = ((rows + cols) % 2).astype(np.float32)[..., np.newaxis]
    red, green = np.array([0.8, 0.25, 0.3], np.float32), np.array([0.2, 0.55, 0.3], np.float32)
    chroma = odd * red + (1 - odd) * green
    luma = chroma @ np.array([0.299, 0.587, 0.114], np.float32)
    gray = np.repeat(luma[..., np.newaxis], 3, axis=-1)
    return chroma[np.newaxis], gray[np.newaxis]


def test_rgb_jpeg_subsamples_chroma_as_common_encoders_do():
    chroma, gray = _colour_checkerboards()
    quality_range = damage.jpeg_quality_range(95, 95)
    chroma_error = float(np.abs(quality_range(chroma, severity=1, seed=0)[0].numpy() - chroma).mean())
    gray_error = float(np.abs(quality_range(gray, severity=1, seed=0)[0].numpy() - gray).mean())
    # At quality 95 luma detail survives; 4:2:0 averages chroma over 2x2 pixels and washes the checkerboard out.
    assert gray_error < 0.03 and chroma_error > 0.15


def test_jpeg_quality_range_draws_each_image_its_own_quality_inside_the_range():
    rng = np.random.default_rng(0)
    images = np.clip(ndimage.gaussian_filter(rng.random((24, 32, 32, 3)), (0, 2, 2, 0)) * 3 - 1, 0, 1).astype(np.float32)
    damaged, mask = get_corruption("jpeg_quality:10-60")(images, severity=3, seed=7)
    assert np.all(mask.numpy() == 1)
    at_quality = {quality: tf.stack([tf.image.adjust_jpeg_quality(image, quality) for image in images]).numpy() for quality in range(10, 61)}
    drawn = [next(q for q, expected in at_quality.items() if np.array_equal(expected[index], damaged[index].numpy())) for index in range(24)]
    assert min(drawn) >= 10 and max(drawn) <= 60 and len(set(drawn)) >= 12
    again, _ = get_corruption("jpeg_quality:10-60")(images, severity=1, seed=7)  # Severity is ignored; the seed decides.
    np.testing.assert_array_equal(again.numpy(), damaged.numpy())
    with pytest.raises(ValueError, match="two integer qualities"):
        get_corruption("jpeg_quality:10")
    with pytest.raises(ValueError, match="low <= high"):
        get_corruption("jpeg_quality:60-10")
