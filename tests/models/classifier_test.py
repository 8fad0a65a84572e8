"""The Classifier model: training beats chance, features, round trips."""

import os

import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trips, cifar_shaped_data
from tf_genrepair.configs import get_experiment
from tf_genrepair.models import Classifier
from tf_genrepair.networks import digit_classifier_network, residual_classifier_network
from tf_genrepair.training import train_and_evaluate


def test_round_trips_and_features(tmp_path, digits):
    classifier = Classifier(network=digit_classifier_network(width=4, feature_dim=16))
    assert_round_trips(classifier, digits[:4], str(tmp_path))
    assert classifier.feature_extractor()(digits[:4]).shape == (4, 16)


def test_trained_smoke_classifier_beats_chance(smoke_run):
    metrics, workdir = smoke_run
    assert metrics["accuracy"] > 0.5  # Chance is 0.1 on ten balanced classes.
    loaded = keras.saving.load_model(os.path.join(workdir, "model.keras"))
    assert isinstance(loaded, Classifier)


def test_predict_labels(smoke_run, digits):
    _, workdir = smoke_run
    classifier = keras.saving.load_model(os.path.join(workdir, "model.keras"))
    labels = classifier.predict_labels(digits)
    assert labels.shape == (32,) and labels.dtype == np.int64


def test_flip_average_averages_an_image_and_its_mirror_image():
    from tf_genrepair.models import predict_labels

    keras.utils.set_random_seed(0)
    logits_model = keras.Sequential([keras.Input((6, 6, 3)), keras.layers.Flatten(), keras.layers.Dense(5)])
    probabilities_model = keras.Sequential([logits_model, keras.layers.Softmax()])
    images = np.random.default_rng(0).random((64, 6, 6, 3)).astype(np.float32)
    logits, mirrored = logits_model.predict(images, verbose=0), logits_model.predict(images[:, :, ::-1], verbose=0)
    softmax = lambda scores: np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)  # noqa: E731
    expected = np.argmax(softmax(logits) + softmax(mirrored), axis=-1)
    averaged = predict_labels(logits_model, images, flip_average=True)
    np.testing.assert_array_equal(averaged, expected)
    np.testing.assert_array_equal(predict_labels(probabilities_model, images, flip_average=True), expected)
    assert np.any(averaged != predict_labels(logits_model, images))  # The mirror image changes some decisions.


def test_smoothed_crossentropy_is_the_cross_entropy_against_smoothed_targets():
    from tf_genrepair.models import SmoothedSparseCrossentropy

    rng = np.random.default_rng(0)
    logits, labels = rng.normal(size=(6, 4)).astype(np.float32), np.array([0, 1, 2, 3, 1, 0])
    targets = 0.8 * np.eye(4)[labels] + 0.2 / 4
    log_softmax = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    expected = np.mean(-(targets * log_softmax).sum(axis=-1))
    np.testing.assert_allclose(float(SmoothedSparseCrossentropy(0.2)(labels, logits)), expected, rtol=1e-5)
    plain = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    np.testing.assert_allclose(float(SmoothedSparseCrossentropy(0.0)(labels, logits)), float(plain), rtol=1e-5)
    with pytest.raises(ValueError, match="label_smoothing"):
        SmoothedSparseCrossentropy(1.0)


def test_label_smoothing_experiment_compiles_the_smoothed_loss_and_reloads_it(tmp_path, digits):
    from tf_genrepair.models import SmoothedSparseCrossentropy

    config = get_experiment("classifier_mnist_smoke", ["model.label_smoothing=0.1"])
    classifier = Classifier.from_experiment(config)
    classifier.compile_for_experiment(config, total_steps=10)
    classifier.fit(digits, np.arange(32) % 10, batch_size=16, epochs=1, verbose=0)
    path = str(tmp_path / "smoothed.keras")
    classifier.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.loss, SmoothedSparseCrossentropy) and loaded.loss.label_smoothing == 0.1
    plain = get_experiment("classifier_mnist_smoke")
    assert Classifier.from_experiment(plain).experiment_compile_arguments(plain) == {}  # The default stays Keras's loss.


def test_network_rejects_sizes_it_cannot_pool():
    with pytest.raises(ValueError, match="divisible by 4"):
        digit_classifier_network(image_shape=(30, 30, 1))


def test_residual_network_is_resnet_20_and_round_trips(tmp_path):
    network = residual_classifier_network(image_shape=(32, 32, 3), blocks_per_stage=3)
    convolutions = [layer for layer in network.layers if isinstance(layer, keras.layers.Conv2D) and layer.kernel_size == (3, 3)]
    assert len(convolutions) + 1 == 20  # 19 weighted 3x3 convolutions and the dense layer (He et al. 2016: 6n + 2).
    assert 0.26e6 < network.count_params() < 0.28e6  # The paper's 0.27M parameters.
    assert len(network.losses) == len(convolutions) + 2 + 1  # L2 on every kernel: 3x3s, two 1x1 projections, the logits.
    classifier = Classifier(network=residual_classifier_network(image_shape=(32, 32, 3), width=4, blocks_per_stage=1))
    images = np.random.default_rng(0).random((4, 32, 32, 3)).astype(np.float32)
    assert_round_trips(classifier, images, str(tmp_path))
    assert classifier.feature_extractor()(images).shape == (4, 16)


@pytest.mark.parametrize("experiment", ["classifier_cifar10_smoke", "classifier_cifar10_augmented_smoke"])
def test_cifar_shaped_smoke_runs_learn_colour_classes(tmp_path, experiment):
    """The CIFAR smoke experiments on a folder of 32x32 colour images made here, one tint per class."""
    config = get_experiment(experiment, ["train.epochs=4", "train.learning_rate=0.05"])
    with cifar_shaped_data(tmp_path):
        metrics = train_and_evaluate(config, str(tmp_path / "run"))
    assert metrics["accuracy"] > 0.5  # Chance is 0.1.
