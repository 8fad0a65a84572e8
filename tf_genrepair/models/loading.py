"""Loading saved models: `.keras` files of this package and its presets, with errors that name the file.

Importing any module of `tf_genrepair.models` imports the package, which registers every model class with Keras.
"""

import os

import keras

from tf_genrepair.presets import preset_name, preset_path


def load_model(path: str) -> keras.Model:
    """Loads a tf_genrepair `.keras` file (safe mode) or a shipped preset (`"preset:<name>"`, sha256-checked).

    Raises a `ValueError` naming the file (or the preset, listing the valid names).

    Example:
        >>> classifier = load_model("workdirs/classifier_mnist/model.keras")
        >>> denoiser = load_model("preset:denoise_gray")
    """
    name = preset_name(path)
    if name is not None:
        path = preset_path(name)
    if not path.endswith(".keras"):
        raise ValueError(f"{path} is not a .keras file.")
    if not os.path.isfile(path):
        raise ValueError(f"Model file {path} does not exist.")
    try:
        return keras.saving.load_model(path)
    except (OSError, ValueError, TypeError) as error:
        raise ValueError(f"Cannot load model {path}: {error}") from error
