"""Warm starts: a fresh run begins from a trained model's weights, a grayscale one inflated to RGB if need be."""

import os

import keras
import numpy as np

GRAYSCALE, RGB = 1, 3


def inflate_weight(weight: np.ndarray, shape: tuple[int, ...], name: str) -> np.ndarray:
    """`weight` of a grayscale network reshaped for the same layer of an RGB one.

    Image channels come first in a layer's inputs (then any mask or noise-map planes). A
    kernel whose input axis grows by 2 spreads each grayscale image weight over the three
    colour channels at a third of its value, so a gray picture (R = G = B) gives the same
    activations as before; an output axis that grows from 1 to 3 repeats the kernel and
    bias per channel. Equal shapes are copied.

    Raises:
        ValueError: naming the layer when the shapes fit none of these rules (a
            space-to-depth network interleaves channels, for instance).
    """
    shape = tuple(shape)
    if weight.shape == shape:
        return weight
    grown = RGB - GRAYSCALE
    if weight.ndim == 4 and weight.shape[:2] + weight.shape[3:] == shape[:2] + shape[3:] and shape[2] == weight.shape[2] + grown:
        image, rest = weight[:, :, :GRAYSCALE], weight[:, :, GRAYSCALE:]
        return np.concatenate([np.repeat(image / RGB, RGB, axis=2), rest], axis=2)
    if weight.shape[-1] == GRAYSCALE and shape[-1] == RGB and weight.shape[:-1] == shape[:-1]:
        return np.repeat(weight, RGB, axis=-1)
    raise ValueError(f"Cannot carry the weight of layer {name!r} over: shape {weight.shape} does not inflate to {shape}.")


def warm_start(target: keras.Model, path: str) -> None:
    """Loads the network weights of the model saved at `path` into `target`'s network, layer by layer.

    Both must be the same kind of model with the same layer names (e.g. `inpaint_bsd` into
    `inpaint_colour`); a grayscale source fills an RGB target through `inflate_weight`.

    Raises:
        FileNotFoundError: if `path` does not exist.
        ValueError: if the layers with weights differ by name or a weight does not fit.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"train.initial_weights={path} does not exist. Train the experiment it comes from first, or set it to none.")
    source = keras.saving.load_model(path, compile=False)
    source_layers = {layer.name: layer for layer in source.network.layers if layer.weights}
    target_layers = {layer.name: layer for layer in target.network.layers if layer.weights}
    if source_layers.keys() != target_layers.keys():
        raise ValueError(
            f"{path} has layers with weights {sorted(source_layers)}, the model to start has {sorted(target_layers)}: not the same network."
        )
    for name, layer in target_layers.items():
        layer.set_weights(
            [inflate_weight(np.asarray(weight), variable.shape, name) for weight, variable in zip(source_layers[name].get_weights(), layer.weights)]
        )
