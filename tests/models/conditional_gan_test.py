"""ConditionalGAN: labels reach both networks; sampling by class; round trips."""

import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trips
from tf_genrepair.data import generation_dataset, load_dataset
from tf_genrepair.models import ConditionalGAN
from tf_genrepair.networks import (
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)


def small_cgan() -> ConditionalGAN:
    return ConditionalGAN(
        generator=mlp_generator(latent_dim=16, num_classes=10),
        discriminator=mlp_discriminator(num_classes=10),
        latent_dim=16,
        num_classes=10,
    )


def test_trains_on_labelled_batches_and_samples_by_class():
    cgan = small_cgan()
    cgan.compile()
    batches = generation_dataset(load_dataset("sample", split="train[:512]"), batch_size=64, conditional=True)
    logs = cgan.fit(batches, epochs=1, verbose=0).history
    assert np.isfinite(logs["generator_loss"][-1])
    same_latent = cgan.latents(1, seed=0).repeat(2, axis=0)
    three, seven = cgan.sample(2, labels=[3, 7], latents=same_latent)
    assert not np.allclose(three, seven)  # The label changes the image.
    assert cgan.generate(12, seed=0).shape == (12, 28, 28, 1)


def test_needs_labels_and_valid_classes():
    cgan = small_cgan()
    cgan.compile()
    with pytest.raises(ValueError, match="conditional=True"):
        cgan.fit(generation_dataset(load_dataset("sample", split="train[:128]"), batch_size=64), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="labels"):
        cgan.sample(2, labels=10)


def test_round_trips_with_projection_discriminator(tmp_path):
    cgan = ConditionalGAN(
        generator=dcgan_generator(latent_dim=8, base_filters=4, num_classes=10),
        discriminator=dcgan_discriminator(base_filters=4, num_classes=10),
        latent_dim=8,
        num_classes=10,
    )
    cgan.compile()
    inputs = [np.zeros((2, 8), np.float32), np.array([1, 2], np.int32)]
    assert_round_trips(cgan, inputs, str(tmp_path))
    assert isinstance(keras.saving.load_model(str(tmp_path / "model.keras")), ConditionalGAN)
