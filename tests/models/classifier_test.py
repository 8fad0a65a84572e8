"""The Classifier model: training beats chance, features, round trips."""

import os

import keras
import numpy as np
import pytest

from tests.helpers import assert_round_trips
from tf_genrepair.models import Classifier
from tf_genrepair.networks import digit_classifier_network


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


def test_network_rejects_sizes_it_cannot_pool():
    with pytest.raises(ValueError, match="divisible by 4"):
        digit_classifier_network(image_shape=(30, 30, 1))
