"""One shared check of config and `.keras` round trips for every model."""

import os

import keras
import numpy as np


def assert_round_trips(model: keras.Model, inputs: np.ndarray, folder: str) -> None:
    """Checks `from_config(get_config())` rebuilds the model and `.keras` save/load keeps its outputs."""
    expected = np.asarray(model(inputs, training=False))
    rebuilt = type(model).from_config(model.get_config())
    rebuilt(inputs)
    assert rebuilt.get_config() == model.get_config()
    path = os.path.join(folder, "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert type(loaded) is type(model)
    np.testing.assert_allclose(np.asarray(loaded(inputs, training=False)), expected, rtol=1e-5, atol=1e-6)
