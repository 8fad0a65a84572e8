"""Loading saved models: `.keras` files of this package, with errors that name the file.

Importing any module of `tf_genrepair.models` imports the package, which registers every model class with Keras.
"""

import os

import keras


def load_model(path: str) -> keras.Model:
    """Loads a tf_genrepair `.keras` file (safe mode), or raises a `ValueError` naming the file.

    Example:
        >>> classifier = load_model("workdirs/classifier_mnist/model.keras")
    """
    if not path.endswith(".keras"):
        raise ValueError(f"{path} is not a .keras file.")
    if not os.path.isfile(path):
        raise ValueError(f"Model file {path} does not exist.")
    try:
        return keras.saving.load_model(path)
    except (OSError, ValueError, TypeError) as error:
        raise ValueError(f"Cannot load model {path}: {error}") from error
