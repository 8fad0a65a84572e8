"""The confidence gate: restored images only where the classifier is more sure of them."""

import keras
import numpy as np
import pytest

from tf_genrepair.evaluation.gate import ConfidenceGate, class_probabilities, gate_choice


def brightness_classifier() -> keras.Model:
    """Two classes from the mean brightness: logits (+20 m, -20 m) around m = mean - 0.5, so mid-grey images are unsure."""
    inputs = keras.Input((4, 4, 1))
    centred = keras.layers.Lambda(lambda images: keras.ops.mean(images, axis=(1, 2, 3))[:, None] - 0.5)(inputs)
    logits = keras.layers.Concatenate()([20.0 * centred, -20.0 * centred])
    return keras.Model(inputs, logits)


def test_the_gate_keeps_the_damaged_input_when_restoration_lowers_confidence():
    classifier = brightness_classifier()
    images = np.stack([np.full((4, 4, 1), 0.9, np.float32), np.full((4, 4, 1), 0.6, np.float32)])
    towards_grey = lambda batch, masks: np.full_like(batch, 0.5)  # Makes the classifier unsure of both.
    chosen, use_restored = ConfidenceGate(classifier, towards_grey)(images)
    assert not use_restored.any()
    np.testing.assert_array_equal(chosen, images)
    brighter = lambda batch, masks: np.clip(batch + 0.3, 0.0, 1.0)  # More confident of both.
    chosen, use_restored = ConfidenceGate(classifier, brighter)(images)
    assert use_restored.all() and np.allclose(chosen, np.clip(images + 0.3, 0.0, 1.0))
    assert list(ConfidenceGate(classifier, brighter).predict_labels(images)) == [0, 0]


def test_margin_and_probabilities():
    damaged = class_probabilities(np.array([[2.0, 0.0], [0.0, 1.0]]))
    restored = class_probabilities(np.array([[2.2, 0.0], [0.0, 3.0]]))
    assert np.allclose(damaged.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(class_probabilities(damaged), damaged)  # Probabilities pass through.
    assert list(gate_choice(damaged, restored)) == [True, True]
    assert list(gate_choice(damaged, restored, margin=0.05)) == [False, True]
    with pytest.raises(ValueError, match="margin"):
        gate_choice(damaged, restored, margin=-1.0)
