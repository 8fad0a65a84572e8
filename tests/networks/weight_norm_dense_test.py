"""WeightNormDense: w = g v / ||v|| per unit, invariant to the length of v, initialised from data, serializable."""

import os

import keras
import numpy as np
import pytest

from tf_genrepair.networks.layers import WeightNormDense, initialize_weight_norm


def _layer_with_random_weights(inputs: np.ndarray) -> WeightNormDense:
    layer = WeightNormDense(3, activation="relu")
    layer(inputs)
    rng = np.random.default_rng(0)
    layer.set_weights([rng.normal(size=(4, 3)).astype(np.float32), rng.uniform(0.5, 2.0, 3).astype(np.float32), rng.normal(size=3).astype(np.float32)])
    return layer


def test_output_is_the_scaled_unit_direction_times_the_input_plus_bias():
    inputs = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    layer = _layer_with_random_weights(inputs)
    direction, scale, bias = layer.get_weights()
    expected = np.maximum(inputs @ (direction / np.linalg.norm(direction, axis=0)) * scale + bias, 0.0)
    np.testing.assert_allclose(layer(inputs), expected, rtol=1e-5, atol=1e-6)


def test_the_length_of_the_direction_does_not_change_the_output():
    inputs = np.random.default_rng(2).normal(size=(5, 4)).astype(np.float32)
    layer = _layer_with_random_weights(inputs)
    before = np.asarray(layer(inputs))
    direction, scale, bias = layer.get_weights()
    layer.set_weights([direction * np.array([0.1, 3.0, 40.0], np.float32), scale, bias])  # Each unit's v lengthened differently.
    np.testing.assert_allclose(layer(inputs), before, rtol=1e-5, atol=1e-6)


def test_saves_and_loads_in_safe_mode(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, WeightNormDense(2, activation="sigmoid")(inputs))
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    batch = np.random.default_rng(3).normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_allclose(loaded(batch), model(batch), rtol=1e-6)
    assert loaded.layers[-1].get_config()["units"] == 2 and loaded.layers[-1].get_config()["activation"] == "sigmoid"


def test_data_dependent_initialisation_standardises_every_layer_in_turn():
    inputs = keras.Input((6,))
    hidden = WeightNormDense(5, activation="relu", trainable_scale=False)(inputs)
    model = keras.Model(inputs, WeightNormDense(3)(hidden))
    data = np.random.default_rng(4).normal(loc=2.0, scale=3.0, size=(200, 6)).astype(np.float32)
    initialize_weight_norm(model, data)
    first, second = model.layers[1], model.layers[2]
    pre_activations = [np.asarray(first.projections(data) * first.scale + first.bias)]
    pre_activations.append(np.asarray(second.projections(first(data)) * second.scale + second.bias))  # Given the initialised first layer.
    for values in pre_activations:
        np.testing.assert_allclose(values.mean(0), 0.0, atol=1e-4)
        np.testing.assert_allclose(values.std(0), 1.0, rtol=1e-3)
    assert [weight.name for weight in first.trainable_weights] == ["direction", "bias"]  # The fixed scale stays out of the optimizer.
    assert "scale" in [weight.name for weight in second.trainable_weights]


def test_initialisation_needs_a_weight_normalised_layer():
    inputs = keras.Input((2,))
    with pytest.raises(ValueError, match="no WeightNormDense"):
        initialize_weight_norm(keras.Model(inputs, keras.layers.Dense(2)(inputs)), np.zeros((4, 2), np.float32))
