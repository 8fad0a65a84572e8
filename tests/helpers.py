"""Shared test helpers: the config and `.keras` round-trip check for every model; a CIFAR-shaped data folder."""

import contextlib
import os
from unittest import mock

import keras
import numpy as np
from PIL import Image


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


@contextlib.contextmanager
def cifar_shaped_data(root, *, train_per_class: int = 60, test_per_class: int = 20):
    """While open, `load_dataset("cifar10")` reads a folder of 32x32 colour PNGs made under `root`: ten classes, one tint each."""
    rng = np.random.default_rng(0)
    tints = rng.random((10, 3))
    for split, per_class in (("train", train_per_class), ("test", test_per_class)):
        for label, tint in enumerate(tints):
            folder = root / "cifar10_jpeg" / split / f"class{label}"
            folder.mkdir(parents=True)
            for number in range(per_class):
                pixels = np.clip(0.6 * tint + 0.4 * rng.random((32, 32, 3)), 0, 1)
                Image.fromarray(np.round(pixels * 255).astype(np.uint8)).save(folder / f"{number}.png")
    from tf_genrepair.data import sources

    with mock.patch.object(sources, "default_data_dir", return_value=str(root)):
        yield
