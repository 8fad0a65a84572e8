"""GAN: a smoke run's discriminator learns, every loss trains, sampling, round trips."""

import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trips, cifar_shaped_data
from tf_genrepair.configs import get_experiment
from tf_genrepair.data import generation_dataset, load_dataset
from tf_genrepair.models import GAN
from tf_genrepair.networks import (
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)
from tf_genrepair.training import train_and_evaluate
from tf_genrepair.training.precision import dtype_policy


def small_gan(**options) -> GAN:
    return GAN(generator=mlp_generator(latent_dim=16), discriminator=mlp_discriminator(), latent_dim=16, **options)


@pytest.fixture(scope="module")
def digits_batches():
    return generation_dataset(load_dataset("sample", split="train[:1024]"), batch_size=64, seed=0)


def test_discriminator_learns_to_tell_real_from_fake(digits_batches):
    keras.utils.set_random_seed(0)  # Seeded: the 0.6 bar is checked on one fixed run, not on luck.
    gan = small_gan()
    gan.compile(generator_optimizer=keras.optimizers.Adam(1e-4), discriminator_optimizer=keras.optimizers.Adam(1e-3))
    history = gan.fit(digits_batches, epochs=2, verbose=0).history
    assert history["discriminator_accuracy"][-1] > 0.6  # Chance is 0.5.
    assert history["real_score"][-1] > history["fake_score"][-1]


@pytest.mark.parametrize("loss", ["minimax", "non_saturating", "least_squares", "wasserstein", "hinge"])
def test_every_loss_trains_to_finite_values(loss, digits_batches):
    gan = small_gan(discriminator_steps=2, r1_weight=1.0 if loss == "hinge" else 0.0, label_smoothing=0.1)
    gan.compile(loss=loss)
    logs = gan.fit(digits_batches.take(3), epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in logs.values())
    assert set(logs) == {"generator_loss", "discriminator_loss", "real_score", "fake_score", "discriminator_accuracy"}


def test_ema_generator_follows_the_trained_one_at_its_decay(digits_batches):
    gan = small_gan(ema_decay=0.9)
    gan.compile()
    gan.fit(digits_batches.take(2), epochs=1, verbose=0)  # Builds the optimizers; the averages now differ from the weights.
    before = gan.ema_generator.get_weights()
    gan.fit(digits_batches.take(1), epochs=1, verbose=0)
    for moving_before, moving, current in zip(before, gan.ema_generator.get_weights(), gan.generator.get_weights()):
        np.testing.assert_allclose(moving, 0.9 * moving_before + 0.1 * current, rtol=1e-5, atol=1e-6)
    assert max(np.abs(a - b).max() for a, b in zip(gan.generator.get_weights(), gan.ema_generator.get_weights())) > 0


def test_generate_is_reproducible_and_in_unit_range():
    gan = GAN(generator=dcgan_generator(latent_dim=8, base_filters=4), discriminator=dcgan_discriminator(base_filters=4), latent_dim=8)
    first, again, other = gan.generate(4, seed=1), gan.generate(4, seed=1), gan.generate(4, seed=2)
    assert first.shape == (4, 28, 28, 1) and 0.0 <= first.min() and first.max() <= 1.0
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    path = gan.interpolate(gan.latents(1, seed=1)[0], gan.latents(1, seed=2)[0], steps=5)
    np.testing.assert_allclose(path[0], gan.generate(1, seed=1)[0], atol=1e-6)
    np.testing.assert_allclose(path[-1], gan.generate(1, seed=2)[0], atol=1e-6)
    with pytest.raises(ValueError, match="unconditional"):
        gan.sample(2, labels=1)


def test_round_trips(tmp_path):
    gan = small_gan(ema_decay=0.99, discriminator_steps=2)
    gan.compile(loss="hinge")
    assert_round_trips(gan, np.zeros((2, 16), np.float32), str(tmp_path))
    loaded = keras.saving.load_model(str(tmp_path / "model.keras"))
    assert loaded.loss_name == "hinge" and loaded.discriminator_steps == 2


def test_uncompiled_gan_saves_and_loads(tmp_path):
    gan = small_gan()
    gan.save(tmp_path / "uncompiled.keras")
    loaded = keras.saving.load_model(tmp_path / "uncompiled.keras")
    np.testing.assert_allclose(loaded.generate(2, seed=3), gan.generate(2, seed=3), atol=1e-6)


@pytest.mark.parametrize("options, message", [(dict(discriminator_steps=0), "discriminator_steps"), (dict(ema_decay=1.5), "ema_decay")])
def test_bad_options_are_rejected(options, message):
    with pytest.raises(ValueError, match=message):
        small_gan(**options)


def test_mixed_bfloat16_networks_train_and_sample_in_float32(digits_batches):
    with dtype_policy("mixed_bfloat16"):
        gan = GAN(
            generator=dcgan_generator(latent_dim=8, base_filters=4),
            discriminator=dcgan_discriminator(base_filters=4),
            latent_dim=8,
            simultaneous_updates=True,
            ema_decay=0.9,
        )
    assert keras.config.dtype_policy().name == "float32"  # The block restores the global policy.
    assert gan.generator.layers[-1].compute_dtype == "bfloat16"
    assert all(weight.dtype == "float32" for weight in gan.generator.weights + gan.ema_generator.weights)
    gan.compile()
    logs = gan.fit(digits_batches.take(3), epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in logs.values())
    samples = gan.generate(4, seed=0)
    assert samples.dtype == np.float32 and 0.0 <= samples.min() and samples.max() <= 1.0


def test_unknown_precision_names_the_valid_ones():
    with pytest.raises(ValueError, match="Valid precisions: float32, mixed_bfloat16"):
        with dtype_policy("float8"):
            pass


@pytest.mark.parametrize("experiment", ["dcgan_cifar10_smoke", "cgan_cifar10_smoke"])
def test_cifar_shaped_smoke_gans_train_and_sample_colour_images(tmp_path, experiment):
    with cifar_shaped_data(tmp_path):
        train_and_evaluate(get_experiment(experiment), str(tmp_path / "run"))
    model = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    samples = np.asarray(model.generate(6, seed=0))
    assert samples.shape == (6, 32, 32, 3) and 0 <= samples.min() and samples.max() <= 1 and samples.std() > 0.01
