"""The confidence gate: restored images only where the classifier is more sure of them."""

import keras
import numpy as np
import pytest

from tf_genrepair.evaluation.gate import (
    ConfidenceGate,
    class_probabilities,
    gate_choice,
)


def brightness_classifier(image_shape: tuple = (4, 4, 1)) -> keras.Model:
    """Two classes from the mean brightness: logits (+20 m, -20 m) around m = mean - 0.5, so mid-grey images are unsure."""
    inputs = keras.Input(image_shape)
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


def test_a_learned_gate_needs_both_outcomes_and_chooses_from_its_network(digits):
    from tf_genrepair.evaluation.learned_gate import LearnedGate

    labels = np.zeros(len(digits), np.int64)
    unchanged = lambda images, masks: images  # Restoration never changes a decision: nothing to learn from.
    with pytest.raises(ValueError, match="helps and where it hurts"):
        LearnedGate.train(brightness_classifier((28, 28, 1)), unchanged, digits, labels, epochs=1)
    with pytest.raises(ValueError, match="harm_cost"):
        LearnedGate.train(brightness_classifier((28, 28, 1)), unchanged, digits, labels, harm_cost=0.0)
    inputs = keras.Input((28, 28, 2))
    says_restored_when_brighter = keras.layers.Lambda(
        lambda pair: keras.ops.stack([keras.ops.mean(pair[..., 0], axis=(1, 2)), keras.ops.mean(pair[..., 1], axis=(1, 2))], axis=-1)
    )(inputs)
    gate = LearnedGate(keras.Model(inputs, says_restored_when_brighter))
    assert list(gate.choose(digits[:2], np.clip(digits[:2] + 0.2, 0.0, 1.0))) == [True, True]
    assert list(gate.choose(digits[:2], digits[:2] * 0.5)) == [False, False]



def test_a_learned_gate_restores_with_the_masks_of_the_damage(digits):
    from tf_genrepair.evaluation.learned_gate import LearnedGate

    seen_masks = []

    def recording(images, masks):
        seen_masks.append(np.asarray(masks))
        return np.clip(images + 0.3, 0.0, 1.0)

    labels = np.zeros(len(digits), np.int64)
    with pytest.raises(ValueError, match="helps and where it hurts"):  # Both stay too dark for class 0: it stops after restoring.
        LearnedGate.train(brightness_classifier((28, 28, 1)), recording, digits, labels, corruption="box", severity=5, epochs=1)
    masks = np.concatenate(seen_masks)
    assert masks.shape == digits.shape and 0.0 < masks.mean() < 1.0  # The box holes reach the restorer, as in evaluation.
