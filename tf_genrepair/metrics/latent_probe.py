"""How much class information a latent code holds: accuracy of a linear classifier on it."""

import keras
import numpy as np


def linear_probe_accuracy(
    train_features: np.ndarray,
    train_labels: np.ndarray,
    test_features: np.ndarray,
    test_labels: np.ndarray,
    *,
    num_classes: int = 10,
    epochs: int = 20,
    seed: int = 0,
) -> float:
    """Trains softmax regression on standardized `train_features` and returns its test accuracy.

    Example:
        >>> accuracy = linear_probe_accuracy(vae.encode(x_train)[0], y_train, vae.encode(x_test)[0], y_test)
    """
    if len(train_features) != len(train_labels) or len(test_features) != len(test_labels):
        raise ValueError(
            f"Features and labels differ in length: train {len(train_features)} vs {len(train_labels)}, "
            f"test {len(test_features)} vs {len(test_labels)}"
        )
    mean, std = train_features.mean(axis=0), train_features.std(axis=0) + 1e-6
    keras.utils.set_random_seed(seed)
    probe = keras.Sequential([keras.Input(train_features.shape[1:]), keras.layers.Dense(num_classes)])
    probe.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    probe.fit((train_features - mean) / std, train_labels, batch_size=256, epochs=epochs, verbose=0)
    return float(probe.evaluate((test_features - mean) / std, test_labels, verbose=0, return_dict=True)["accuracy"])
