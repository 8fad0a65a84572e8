"""Restoration networks: any image size in, the same size out; safe-mode save/load."""

import os

import keras
import numpy as np
import pytest

from tf_genrepair.networks import (
    inpainting_unet,
    patch_discriminator,
    residual_denoiser,
)
from tf_genrepair.networks.layers import PyramidFill


@pytest.mark.parametrize("height, width", [(28, 28), (33, 47), (5, 9)])
@pytest.mark.parametrize("downscale", [1, 2])
def test_denoiser_keeps_any_size(height, width, downscale):
    network = residual_denoiser(depth=3, width=8, downscale=downscale)
    image = np.random.default_rng(0).random((2, height, width, 1), dtype=np.float32)
    ones = np.ones_like(image)
    assert network([image, ones, 0.1 * ones]).shape == (2, height, width, 1)


def test_denoiser_without_noise_map_takes_image_and_mask():
    network = residual_denoiser(channels=3, depth=3, width=8, noise_level_input=False)
    image = np.zeros((1, 10, 12, 3), np.float32)
    assert [tensor.name for tensor in network.inputs] == ["images", "masks"]
    assert network([image, image[..., :1]]).shape == (1, 10, 12, 3)


@pytest.mark.parametrize("height, width", [(28, 28), (30, 45)])
def test_unet_keeps_any_size(height, width):
    network = inpainting_unet(base_filters=4, levels=2)
    image = np.zeros((1, height, width, 1), np.float32)
    assert network([image, image]).shape == (1, height, width, 1)


def test_prefilled_unet_keeps_any_size_and_starts_from_the_fill():
    network = inpainting_unet(base_filters=4, levels=2, prefill=True)
    image = np.random.default_rng(2).random((1, 30, 45, 1), dtype=np.float32)
    mask = (np.random.default_rng(3).random((1, 30, 45, 1)) > 0.5).astype(np.float32)
    assert network([image * mask, mask]).shape == (1, 30, 45, 1)
    assert "pyramid_fill" in [layer.name for layer in network.layers]
    output = network.get_layer("output")
    output.set_weights([np.zeros_like(weight) for weight in output.get_weights()])  # No correction: the fill itself.
    np.testing.assert_allclose(network([image * mask, mask]), PyramidFill()([image * mask, mask]), atol=1e-6)


def _stroke_mask(height: int, width: int) -> np.ndarray:
    mask = np.ones((1, height, width, 1), np.float32)
    mask[:, height // 3 : height // 3 + 20, :] = 0.0  # A band 20 rows wide across the whole image.
    mask[:, :, width // 2 : width // 2 + 3] = 0.0
    return mask


def test_pyramid_fill_keeps_observed_pixels_and_fills_every_hole():
    image = np.random.default_rng(4).random((1, 61, 83, 1), dtype=np.float32)
    mask = _stroke_mask(61, 83)
    filled = PyramidFill()([image * mask, mask]).numpy()
    np.testing.assert_allclose(filled[mask > 0], image[mask > 0], rtol=1e-6)
    assert np.all(np.isfinite(filled)) and filled.min() >= image.min() and filled.max() <= image.max()


def test_pyramid_fill_reproduces_smooth_images_across_wide_holes():
    rows, cols = np.mgrid[0:64, 0:96].astype(np.float32)
    constant = np.full((1, 64, 96, 1), 0.7, np.float32)
    ramp = (0.2 + 0.6 * cols / 95)[np.newaxis, ..., np.newaxis]
    mask = _stroke_mask(64, 96)
    np.testing.assert_allclose(PyramidFill()([constant * mask, mask]), constant, rtol=1e-5)
    hole = mask < 0.5
    filled = PyramidFill()([ramp * mask, mask]).numpy()
    zeros_error = np.abs(ramp[hole]).mean()
    assert np.abs(filled[hole] - ramp[hole]).mean() < 0.05 * zeros_error


def test_pyramid_fill_falls_back_to_the_observed_mean_where_the_coarsest_level_sees_nothing():
    image = np.full((2, 8, 8, 1), 0.4, np.float32)
    mask = np.ones_like(image)
    mask[1] = 0.0
    filled = PyramidFill(levels=2)([image * mask, mask]).numpy()
    np.testing.assert_allclose(filled[0], image[0], rtol=1e-6)
    np.testing.assert_allclose(filled[1], 0.0)  # Nothing observed at all: the mean of nothing is 0.
    halves = np.full((1, 8, 8, 1), 0.2, np.float32)
    halves[:, :, 4:] = 0.6
    quadrant = np.ones_like(halves)
    quadrant[:, 4:, 4:] = 0.0  # The bottom-right cell of the 2x2 coarsest level sees nothing.
    hole = PyramidFill(levels=2)([halves * quadrant, quadrant]).numpy()[quadrant == 0]
    assert np.all((hole >= 0.2) & (hole <= 0.6))  # A zero there instead of the mean (1/3) drags the corner to 0.


def test_patch_discriminator_scores_patches():
    scores = patch_discriminator(base_filters=4, layers=2)([np.zeros((2, 28, 28, 1), np.float32)] * 2)
    assert scores.shape == (2, 7, 7, 1)


def test_invalid_sizes_are_rejected():
    with pytest.raises(ValueError, match="depth"):
        residual_denoiser(depth=1)
    with pytest.raises(ValueError, match="levels"):
        inpainting_unet(levels=0)


@pytest.mark.parametrize("kind", ["denoiser", "prefilled_unet"])
def test_custom_layers_load_in_safe_mode(tmp_path, kind):
    image = np.random.default_rng(1).random((1, 13, 17, 1), dtype=np.float32)
    if kind == "denoiser":
        network = residual_denoiser(depth=3, width=8, downscale=2)
        inputs = [image, np.ones_like(image), np.full_like(image, 0.1)]
    else:
        network = inpainting_unet(base_filters=4, levels=2, prefill=True)
        inputs = [image, (image > 0.3).astype(np.float32)]
    path = os.path.join(tmp_path, "denoiser.keras")
    network.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded(inputs), network(inputs), rtol=1e-6)
