"""Warm starts: a grayscale restorer's weights start an RGB one that sees gray pictures exactly as before."""

import keras
import numpy as np
import pytest

from tf_genrepair.configs import get_experiment
from tf_genrepair.models import Restorer, get_model_kind
from tf_genrepair.networks import inpainting_unet, residual_denoiser
from tf_genrepair.training import train_and_evaluate
from tf_genrepair.training.warm_start import inflate_weight, warm_start


def _saved_restorer(network, path) -> str:
    restorer = Restorer(network)
    restorer.save(path)
    return str(path)


def test_rgb_unet_started_from_a_grayscale_one_restores_gray_pictures_like_it(tmp_path):
    gray = Restorer(inpainting_unet(channels=1, base_filters=4, levels=2, prefill=True))
    path = _saved_restorer(gray.network, tmp_path / "gray.keras")
    rgb = Restorer(inpainting_unet(channels=3, base_filters=4, levels=2, prefill=True))
    rng = np.random.default_rng(0)
    image = rng.uniform(size=(2, 24, 24, 1)).astype(np.float32)
    mask = (rng.uniform(size=(2, 24, 24, 1)) > 0.3).astype(np.float32)
    before = rgb.network([np.repeat(image, 3, axis=-1), mask]).numpy()
    warm_start(rgb, path)
    after = rgb.network([np.repeat(image, 3, axis=-1), mask]).numpy()
    expected = np.repeat(gray.network([image, mask]).numpy(), 3, axis=-1)
    np.testing.assert_allclose(after, expected, atol=1e-5)
    assert np.abs(before - expected).max() > 1e-2  # Its own random start answered differently.


def test_networks_with_other_layers_are_refused(tmp_path):
    path = _saved_restorer(inpainting_unet(channels=1, base_filters=4, levels=2), tmp_path / "two_levels.keras")
    with pytest.raises(ValueError, match="not the same network"):
        warm_start(Restorer(inpainting_unet(channels=1, base_filters=4, levels=3)), path)


def test_space_to_depth_channels_are_not_guessed(tmp_path):
    path = _saved_restorer(residual_denoiser(channels=1, width=8, depth=3, downscale=2, noise_level_input=True), tmp_path / "gray.keras")
    with pytest.raises(ValueError, match="Cannot carry the weight of layer"):
        warm_start(Restorer(residual_denoiser(channels=3, width=8, depth=3, downscale=2, noise_level_input=True)), path)


def test_inflation_rules():
    kernel = np.arange(2 * 2 * 2 * 5, dtype=np.float32).reshape(2, 2, 2, 5)
    inflated = inflate_weight(kernel, (2, 2, 4, 5), "first")
    np.testing.assert_allclose(inflated[:, :, :3].sum(axis=2), kernel[:, :, 0])
    np.testing.assert_array_equal(inflated[:, :, 3], kernel[:, :, 1])
    output = inflate_weight(kernel[..., :1], (2, 2, 2, 3), "output")
    np.testing.assert_array_equal(output, np.repeat(kernel[..., :1], 3, axis=-1))
    np.testing.assert_array_equal(inflate_weight(kernel, kernel.shape, "same"), kernel)


@pytest.mark.slow
def test_a_fresh_run_starts_from_its_initial_weights_and_a_resumed_one_from_its_checkpoint(tmp_path):
    gray = get_model_kind("restorer").from_experiment(get_experiment("inpaint_bsd_smoke"))
    path = _saved_restorer(gray.network, tmp_path / "gray.keras")
    overrides = [f"train.initial_weights={path}", "train.epochs=1", "train.steps_per_epoch=10", "train.learning_rate=1e-4"]
    first = train_and_evaluate(get_experiment("inpaint_colour_smoke", overrides), str(tmp_path / "rgb"))
    trained = keras.saving.load_model(tmp_path / "rgb" / "model.keras").network
    for layer in gray.network.layers:  # Ten Adam steps of 1e-4 move a weight by about 1e-3 at most.
        for start, end in zip(layer.get_weights(), trained.get_layer(layer.name).get_weights()):
            assert np.abs(inflate_weight(start, end.shape, layer.name) - end).max() < 2e-3, layer.name
    resumed = train_and_evaluate(get_experiment("inpaint_colour_smoke", [*overrides[1:], "train.initial_weights=/nonexistent.keras"]), str(tmp_path / "rgb"))
    assert resumed["psnr"] == first["psnr"]  # Loaded from the checkpoint; initial_weights (unloadable here) was never read.
