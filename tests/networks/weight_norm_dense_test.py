"""WeightNormDense: w = g v / ||v|| per unit, invariant to the length of v, serializable."""

import os

import keras
import numpy as np

from tf_genrepair.networks.layers import WeightNormDense


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
