"""SemiSupervisedVAE (M2): the two bounds against a direct computation, training on few labels, round trips."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import assert_round_trips
from tf_genrepair.models import SemiSupervisedVAE
from tf_genrepair.networks import digit_classifier_network, mlp_decoder, mlp_encoder

K, LATENT = 10, 3


@pytest.fixture(scope="module")
def tiny():
    keras.utils.set_random_seed(0)
    return SemiSupervisedVAE(
        mlp_encoder(latent_dim=LATENT, hidden_units=(8,), num_classes=K),
        mlp_decoder(latent_dim=LATENT, hidden_units=(8,), num_classes=K),
        digit_classifier_network(width=4, feature_dim=8, dropout=0.0),
        latent_dim=LATENT,
        num_classes=K,
    )


def _direct_labelled_bound(model, images, label, noise):
    """log p(x|y,z) (Bernoulli) - KL(q(z|x,y) || N(0, I)) + log(1/K) in NumPy, from the raw networks."""
    labels = np.full(len(images), label, np.int32)
    posterior = np.asarray(model.encoder([images, labels], training=False), np.float64)
    mean, log_var = posterior[:, :LATENT], posterior[:, LATENT:]
    z = mean + np.exp(0.5 * log_var) * noise
    logits = np.asarray(model.decoder([z.astype(np.float32), labels], training=False), np.float64).reshape(len(images), -1)
    x = images.reshape(len(images), -1)
    log_likelihood = np.sum(x * -np.logaddexp(0, -logits) + (1 - x) * -np.logaddexp(0, logits), axis=1)
    kl = 0.5 * np.sum(np.exp(log_var) + mean**2 - 1 - log_var, axis=1)
    return log_likelihood - kl - math.log(K)


def test_the_unlabelled_bound_is_the_classifier_weighted_labelled_bounds_plus_the_entropy(tiny):
    rng = np.random.default_rng(0)
    images = (rng.random((5, 28, 28, 1)) > 0.7).astype(np.float32)
    noise = rng.standard_normal((5, LATENT)).astype(np.float32)
    logits = np.asarray(tiny(images, training=False), np.float64)
    q = np.exp(logits - logits.max(axis=1, keepdims=True))
    q /= q.sum(axis=1, keepdims=True)
    bounds = np.stack([_direct_labelled_bound(tiny, images, label, noise) for label in range(K)], axis=1)
    expected = np.sum(q * bounds, axis=1) - np.sum(q * np.log(q), axis=1)
    np.testing.assert_allclose(tiny.unlabelled_bound(tf.constant(images), tf.constant(noise), training=False).numpy(), expected, rtol=1e-4)
    for label in (0, 7):
        labels = tf.fill([5], label)
        np.testing.assert_allclose(
            tiny.labelled_bound(tf.constant(images), labels, tf.constant(noise), training=False).numpy(),
            _direct_labelled_bound(tiny, images, label, noise),
            rtol=1e-4,
        )


def test_unlabelled_images_beat_the_same_classifier_on_the_labels_alone(tmp_path):
    """The smoke run's q(y|x) against the same CNN trained on the same 100 labels for as many steps."""
    from tf_genrepair.configs import get_experiment
    from tf_genrepair.data import binarize_once, load_arrays
    from tf_genrepair.evaluation.generated_data import balanced_subset, train_few_label_classifier
    from tf_genrepair.training import train_and_evaluate

    config = get_experiment("ssvae_mnist_smoke", ["train.epochs=3", "train.steps_per_epoch=100"])
    metrics = train_and_evaluate(config, str(tmp_path / "run"))
    assert metrics["unlabelled_bound"] > -400.0  # Nats per digit, from about -545 (log 2 per pixel) untrained.
    images, labels = balanced_subset(*load_arrays(config.data.name, split=config.data.train_split), 100, seed=config.train.seed)
    baseline = train_few_label_classifier(binarize_once(images, seed=0), labels, steps=300, width=config.model.classifier_width, seed=0)
    held_out, held_out_labels = load_arrays(config.data.name, split=config.data.eval_split)  # The split metrics["accuracy"] is on.
    labels_only = float(np.mean(baseline.predict_labels(binarize_once(held_out, seed=config.train.seed)) == held_out_labels))
    assert metrics["accuracy"] > labels_only + 0.02, (metrics["accuracy"], labels_only)  # Measured: 0.870 vs 0.806.


def test_round_trips_and_rejects_bad_batches(tiny, tmp_path):
    images = np.zeros((2, 28, 28, 1), np.float32)
    assert_round_trips(tiny, images, str(tmp_path))
    tiny.compile(optimizer="adam")
    with pytest.raises(ValueError, match="semi_supervised_dataset"):
        tiny.train_step(tf.constant(images))
    with pytest.raises(ValueError, match="classification_weight"):
        SemiSupervisedVAE(tiny.encoder, tiny.decoder, tiny.classifier, latent_dim=LATENT, num_classes=K, classification_weight=-1.0)


@pytest.fixture(scope="module")
def m1(tmp_path_factory):
    """A tiny VAE trained briefly on the shipped digits: M1 of M1+M2."""
    from tf_genrepair.configs import get_experiment
    from tf_genrepair.training import train_and_evaluate

    workdir = str(tmp_path_factory.mktemp("m1") / "vae")
    train_and_evaluate(get_experiment("vae_mnist_smoke", ["train.epochs=3", "train.steps_per_epoch=40", "evaluation.log_likelihood_samples=0"]), workdir)
    return f"{workdir}/model.keras"


def test_m1_plus_m2_models_the_frozen_codes_of_m1_and_learns_from_few_labels(m1, tmp_path):
    from tf_genrepair.configs import get_experiment
    from tf_genrepair.models import load_model
    from tf_genrepair.training import train_and_evaluate

    config = get_experiment("ssvae_m1m2_mnist_smoke", [f"model.code_model={m1}", "train.epochs=3", "train.steps_per_epoch=40"])
    metrics = train_and_evaluate(config, str(tmp_path / "run"))
    assert metrics["accuracy"] > 0.25  # Chance is 0.1; a 120-step M1's codes hold far less class information than images.
    model, original = load_model(str(tmp_path / "run" / "model.keras")), load_model(m1)
    for trained, untouched in zip(model.code_model.get_weights(), original.get_weights()):
        np.testing.assert_array_equal(trained, untouched)  # M1 stays as it was trained.
    images = (np.random.default_rng(0).random((4, 28, 28, 1)) > 0.7).astype(np.float32)
    codes = original.posterior(tf.constant(images))[0].numpy()[:, np.newaxis, np.newaxis, :]
    np.testing.assert_allclose(model(images), model.classifier(codes), rtol=1e-5, atol=1e-5)  # q(y | x) reads M1's mean code.
    samples = model.sample(3, labels=[1, 2, 3])
    assert samples.shape == (3, 28, 28, 1) and samples.min() >= 0.0 and samples.max() <= 1.0  # Decoded by M1 into images.
    with pytest.raises(ValueError, match="likelihood=gaussian"):
        SemiSupervisedVAE.from_experiment(get_experiment("ssvae_m1m2_mnist_smoke", [f"model.code_model={m1}", "model.likelihood=bernoulli"]))
