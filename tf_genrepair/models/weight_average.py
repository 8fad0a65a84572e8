"""Exponential moving averages of a network's weights (Polyak averaging), kept as a frozen copy of the network."""

import keras


def averaged_copy(network: keras.Model) -> keras.Model:
    """A frozen clone of `network` holding its current weights: the start of the average."""
    copy = keras.models.clone_model(network)
    copy.set_weights(network.get_weights())
    copy.trainable = False
    return copy


def update_average(average: keras.Model, network: keras.Model, decay: float) -> None:
    """`average <- decay * average + (1 - decay) * network`, weight by weight (batch-norm statistics too)."""
    for moving, current in zip(average.weights, network.weights):
        moving.assign(decay * moving + (1.0 - decay) * current)


def check_decay(name: str, decay: float | None) -> None:
    """Raises unless `decay` is None (no average) or lies in (0, 1)."""
    if decay is not None and not 0.0 < decay < 1.0:
        raise ValueError(f"`{name}` must lie in (0, 1) or be None. Received: {name}={decay}")
