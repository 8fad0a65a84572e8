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


def auxiliary_classifier_cgan(class_loss_weight: float = 1.0, *, class_logits: bool = True) -> ConditionalGAN:
    return ConditionalGAN(
        generator=dcgan_generator(latent_dim=16, base_filters=8, num_classes=10),
        discriminator=dcgan_discriminator(base_filters=8, num_classes=10, class_logits=class_logits),
        latent_dim=16,
        num_classes=10,
        class_loss_weight=class_loss_weight,
        simultaneous_updates=True,
    )


def test_the_auxiliary_classifier_learns_the_classes_of_real_images(tmp_path):
    keras.utils.set_random_seed(0)
    cgan = auxiliary_classifier_cgan()
    cgan.compile(generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
    batches = generation_dataset(load_dataset("sample", split="train[:1024]"), batch_size=64, conditional=True)
    logs = cgan.fit(batches, epochs=3, verbose=0).history
    assert logs["real_class_accuracy"][-1] > 0.5  # Chance is 0.1: the class loss on real digits teaches the discriminator.
    assert np.isfinite(logs["generator_loss"][-1])
    inputs = [np.zeros((2, 16), np.float32), np.array([1, 2], np.int32)]
    assert_round_trips(cgan, inputs, str(tmp_path))
    assert keras.saving.load_model(str(tmp_path / "model.keras")).class_loss_weight == 1.0


@pytest.mark.parametrize("class_loss_weight, class_logits", [(1.0, False), (0.0, True)])
def test_a_discriminator_without_matching_class_logits_is_refused(class_loss_weight, class_logits):
    with pytest.raises(ValueError, match="outputs per image"):
        auxiliary_classifier_cgan(class_loss_weight, class_logits=class_logits)


def test_class_logits_need_classes():
    with pytest.raises(ValueError, match="num_classes"):
        dcgan_discriminator(class_logits=True)


def test_each_discriminator_stage_halves_the_grid_and_doubles_the_filters():
    discriminator = dcgan_discriminator(image_shape=(32, 32, 3), base_filters=4, stages=3, num_classes=10, class_logits=True)
    convolutions = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [layer.filters for layer in convolutions] == [4, 8, 16]
    assert convolutions[-1].output.shape[1:] == (4, 4, 16)
    assert discriminator([np.zeros((2, 32, 32, 3), "float32"), np.array([0, 9])]).shape == (2, 11)
    with pytest.raises(ValueError, match="stages"):
        dcgan_discriminator(stages=0)
