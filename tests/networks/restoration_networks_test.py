"""Restoration networks: any image size in, the same size out; safe-mode save/load."""

import os

import keras
import numpy as np
import pytest

from tf_genrepair.networks import inpainting_unet, patch_discriminator, residual_denoiser


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
    assert [tensor.name for tensor in network.inputs] == ["image", "mask"]
    assert network([image, image[..., :1]]).shape == (1, 10, 12, 3)


@pytest.mark.parametrize("height, width", [(28, 28), (30, 45)])
def test_unet_keeps_any_size(height, width):
    network = inpainting_unet(base_filters=4, levels=2)
    image = np.zeros((1, height, width, 1), np.float32)
    assert network([image, image]).shape == (1, height, width, 1)


def test_patch_discriminator_scores_patches():
    scores = patch_discriminator(base_filters=4, layers=2)([np.zeros((2, 28, 28, 1), np.float32)] * 2)
    assert scores.shape == (2, 7, 7, 1)


def test_invalid_sizes_are_rejected():
    with pytest.raises(ValueError, match="depth"):
        residual_denoiser(depth=1)
    with pytest.raises(ValueError, match="levels"):
        inpainting_unet(levels=0)


def test_custom_layers_load_in_safe_mode(tmp_path):
    network = residual_denoiser(depth=3, width=8, downscale=2)
    image = np.random.default_rng(1).random((1, 13, 17, 1), dtype=np.float32)
    inputs = [image, np.ones_like(image), np.full_like(image, 0.1)]
    path = os.path.join(tmp_path, "denoiser.keras")
    network.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded(inputs), network(inputs), rtol=1e-6)
