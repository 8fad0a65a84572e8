"""Classical baselines: same call signature as a learned restorer, and each does its job."""

import numpy as np
import pytest

from tf_genrepair.restoration import baselines


@pytest.fixture(scope="module")
def smooth_images() -> np.ndarray:
    """Two 48x48 smooth gray images (gradients and a disc), [2, 48, 48, 1] in [0.1, 0.9]."""
    rows, cols = np.mgrid[0:48, 0:48] / 47.0
    disc = ((rows - 0.5) ** 2 + (cols - 0.5) ** 2 < 0.1).astype(np.float32)
    return np.stack([0.1 + 0.8 * rows * cols, 0.2 + 0.5 * disc + 0.2 * cols]).astype(np.float32)[..., np.newaxis]


def mse(a, b) -> float:
    return float(np.mean(np.square(a - b)))


@pytest.mark.parametrize("name", list(baselines.DENOISERS))
def test_denoisers_remove_noise(name, smooth_images):
    noisy = smooth_images + 0.1 * np.random.default_rng(0).standard_normal(smooth_images.shape).astype(np.float32)
    restored = baselines.DENOISERS[name](noisy, noise_levels=0.1)
    assert restored.shape == smooth_images.shape and restored.dtype == np.float32
    assert mse(restored, smooth_images) < 0.5 * mse(noisy, smooth_images)


def test_denoiser_estimates_sigma_when_not_given(smooth_images):
    noisy = smooth_images + 0.1 * np.random.default_rng(1).standard_normal(smooth_images.shape).astype(np.float32)
    assert mse(baselines.nl_means(noisy), smooth_images) < 0.5 * mse(noisy, smooth_images)


@pytest.mark.parametrize("name", list(baselines.INPAINTERS))
def test_inpainters_fill_holes_and_keep_observed_pixels(name, smooth_images):
    mask = np.ones(smooth_images.shape, np.float32)
    mask[:, 18:30, 10:22] = 0.0
    damaged = smooth_images * mask
    restored = baselines.INPAINTERS[name](damaged, mask)
    hole = mask < 0.5
    assert mse(restored[hole], smooth_images[hole]) < 0.1 * mse(damaged[hole], smooth_images[hole])
    np.testing.assert_allclose(restored[~hole], damaged[~hole], atol=1e-6)


def test_single_image_in_single_image_out(smooth_images):
    assert baselines.total_variation(smooth_images[0], noise_levels=0.05).shape == smooth_images.shape[1:]


def test_mask_of_another_shape_is_named(smooth_images):
    with pytest.raises(ValueError, match="mask"):
        baselines.biharmonic_inpaint(smooth_images, np.ones((2, 48, 47, 1), np.float32))


def test_median_filter_removes_impulse_noise(smooth_images):
    noisy = smooth_images.copy()
    noisy.reshape(-1)[np.random.default_rng(2).choice(noisy.size, noisy.size // 20, replace=False)] = 1.0
    assert mse(baselines.median_filter(noisy), smooth_images) < 0.2 * mse(noisy, smooth_images)


def test_unsharp_mask_is_deterministic_and_sharpens(smooth_images):
    from scipy import ndimage

    blurred = ndimage.gaussian_filter(smooth_images, sigma=(0, 1.0, 1.0, 0))
    first, second = baselines.unsharp_mask(blurred), baselines.unsharp_mask(blurred)
    np.testing.assert_array_equal(first, second)
    assert np.isfinite(first).all() and mse(first, smooth_images) < mse(blurred, smooth_images)


def test_every_registered_corruption_but_warps_and_colour_has_a_classical_baseline():
    from tf_genrepair.corruptions import CORRUPTION_FAMILIES, CORRUPTIONS

    without = {*CORRUPTION_FAMILIES["geometric"], *CORRUPTION_FAMILIES["colour"]}  # No classical method undoes an unknown warp.
    assert set(baselines.BASELINES_FOR_CORRUPTION) == set(CORRUPTIONS) - without
    assert all(baselines.baselines_for(name) for name in set(CORRUPTIONS) - without)
    assert all(baselines.baselines_for(name) == {} for name in without)
    assert baselines.baselines_for("box+jpeg") == {}
