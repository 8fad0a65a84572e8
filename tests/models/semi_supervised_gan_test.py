"""SemiSupervisedGAN (Salimans et al. 2016): the K+1 losses against their formulas, training on few labels, round trips."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import assert_round_trips
from tf_genrepair.losses import feature_matching_loss, k_plus_one_unsupervised_loss
from tf_genrepair.models import SemiSupervisedGAN
from tf_genrepair.networks import feature_matching_generator, k_plus_one_discriminator


def test_the_unsupervised_loss_is_the_real_fake_cross_entropy_with_a_fake_logit_fixed_at_zero():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(4, 10)), rng.normal(size=(4, 10)) - 2.0
    # D(x) = p(real | x) = sum_k exp(l_k) / (sum_k exp(l_k) + exp(0)).
    d_real = np.exp(real).sum(1) / (np.exp(real).sum(1) + 1.0)
    d_fake = np.exp(fake).sum(1) / (np.exp(fake).sum(1) + 1.0)
    expected = -np.log(d_real) - np.log(1.0 - d_fake)
    np.testing.assert_allclose(k_plus_one_unsupervised_loss(tf.constant(real), tf.constant(fake)).numpy(), expected, rtol=1e-6)


def test_feature_matching_is_the_squared_distance_of_the_batch_means():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(6, 5)).astype(np.float32), rng.normal(size=(6, 5)).astype(np.float32)
    expected = np.sum((real.mean(0) - fake.mean(0)) ** 2)
    assert feature_matching_loss(tf.constant(real), tf.constant(fake), global_batch_size=6).numpy() == pytest.approx(expected, rel=1e-5)
    fake_variable = tf.Variable(fake)
    with tf.GradientTape() as tape:
        loss = feature_matching_loss(tf.constant(real), fake_variable, global_batch_size=6)
    np.testing.assert_allclose(tape.gradient(loss, fake_variable).numpy(), np.tile(-2 * (real.mean(0) - fake.mean(0)) / 6, (6, 1)), rtol=1e-4)


def test_few_labels_and_many_images_train_the_discriminator_as_a_classifier(tmp_path):
    from tf_genrepair.configs import get_experiment
    from tf_genrepair.training import train_and_evaluate

    metrics = train_and_evaluate(get_experiment("ssgan_mnist_smoke", ["train.epochs=3", "train.steps_per_epoch=40"]), str(tmp_path / "run"))
    assert metrics["accuracy"] > 0.5  # Ten classes from 100 labels: chance is 0.1.


def test_round_trips_and_rejects_bad_batches(tmp_path):
    keras.utils.set_random_seed(0)
    model = SemiSupervisedGAN(
        feature_matching_generator(latent_dim=4, hidden_units=(8,)), k_plus_one_discriminator(hidden_units=(16, 8)), latent_dim=4, num_classes=10
    )
    images = np.zeros((2, 28, 28, 1), np.float32)
    assert_round_trips(model, images, str(tmp_path))
    averaged = SemiSupervisedGAN(model.generator, model.discriminator, latent_dim=4, num_classes=10, average_decay=0.9)
    (tmp_path / "averaged").mkdir()
    assert_round_trips(averaged, np.random.default_rng(0).uniform(size=(2, 28, 28, 1)).astype(np.float32), str(tmp_path / "averaged"))
    model.compile()
    with pytest.raises(ValueError, match="semi_supervised_dataset"):
        model.train_step(tf.constant(images))
    with pytest.raises(ValueError, match="unsupervised_weight"):
        SemiSupervisedGAN(model.generator, model.discriminator, latent_dim=4, num_classes=10, unsupervised_weight=-1.0)
    with pytest.raises(ValueError, match="average_decay"):
        SemiSupervisedGAN(model.generator, model.discriminator, latent_dim=4, num_classes=10, average_decay=1.5)


def test_the_averaged_discriminator_classifies_and_follows_the_trained_one():
    from tf_genrepair.configs import get_experiment
    from tf_genrepair.data import load_dataset, semi_supervised_dataset

    config = get_experiment("ssgan_mnist_smoke")
    keras.utils.set_random_seed(0)
    model = SemiSupervisedGAN.from_experiment(config)
    model.compile_for_experiment(config, total_steps=1)
    source = load_dataset("sample", split=config.data.train_split)
    stream = semi_supervised_dataset(source, num_labels=100, labelled_batch_size=8, unlabelled_batch_size=8, seed=0)
    start = [np.array(weight) for weight in model.discriminator.weights]
    model.fit(stream.take(1), epochs=1, verbose=0)
    for before, trained, averaged in zip(start, model.discriminator.weights, model.average_discriminator.weights):
        expected = model.average_decay * before + (1.0 - model.average_decay) * np.array(trained)
        np.testing.assert_allclose(np.array(averaged), expected, rtol=1e-5, atol=1e-7)
    assert any(np.abs(np.array(trained) - before).max() > 0 for before, trained in zip(start, model.discriminator.weights))
    images = np.random.default_rng(1).uniform(size=(3, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(model(images), model.average_discriminator(images, training=False)[0], rtol=1e-5)  # The average classifies.
