"""The linear probe finds linearly separable classes and rejects mismatched inputs."""

import numpy as np
import pytest

from tf_genrepair.metrics.latent_probe import linear_probe_accuracy


def test_separable_features_are_classified_and_noise_is_not():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 600)
    separable = np.eye(3)[labels] * 3.0 + rng.normal(0, 0.3, (600, 3))
    assert linear_probe_accuracy(separable[:500], labels[:500], separable[500:], labels[500:], num_classes=3) > 0.95
    noise = rng.normal(size=(600, 3))
    assert linear_probe_accuracy(noise[:500], labels[:500], noise[500:], labels[500:], num_classes=3) < 0.6


def test_mismatched_lengths_are_rejected():
    with pytest.raises(ValueError, match="differ in length"):
        linear_probe_accuracy(np.zeros((4, 2)), np.zeros(3), np.zeros((2, 2)), np.zeros(2))
