"""TFLite (LiteRT) and ONNX files for restorers, classifiers and GAN generators, through Keras's own exporters.

    export_tflite(restorer, "restorer.tflite", image_size=(28, 28))   # inputs images, masks
    export_onnx(restorer, "restorer.onnx")                              # any height and width

Restorers take `images` and `masks` (and `noise_levels`, a per-pixel map, for noise-level
networks) and return the restored images; classifiers return logits; generators take
`latents` (and `labels`) and return images in [0, 1]. ONNX needs `pip install tf2onnx onnxruntime`.
"""

import keras

from tf_genrepair.files import atomic_path
from tf_genrepair.models import GAN, Classifier, ConditionalGAN, Restorer

FORMATS = {"tflite": "litert", "onnx": "onnx"}


def _generator_in_unit_range(model: GAN) -> keras.Model:
    """The sampling generator with its [-1, 1] output mapped to [0, 1]."""
    network = model.sampling_network()
    inputs = [keras.Input((model.latent_dim,), name="latents")]
    if isinstance(model, ConditionalGAN):
        inputs.append(keras.Input((), dtype="int32", name="labels"))
    outputs = keras.layers.Rescaling(0.5, offset=0.5, dtype="float32", name="to_unit_range")(network(inputs if len(inputs) > 1 else inputs[0]))
    return keras.Model(inputs, outputs, name="generator")


def _exportable(model: keras.Model, image_size: tuple[int, int] | None) -> tuple[keras.Model, list]:
    """The model to trace and its input signature."""
    height, width = image_size or (None, None)
    if isinstance(model, Restorer):
        channels = model.network.inputs[0].shape[-1]
        specs = [keras.InputSpec(shape=(None, height, width, channels), dtype="float32", name="images")]
        specs.append(keras.InputSpec(shape=(None, height, width, 1), dtype="float32", name="masks"))
        if model.noise_level_input:
            specs.append(keras.InputSpec(shape=(None, height, width, 1), dtype="float32", name="noise_levels"))
        return model, [specs]
    if isinstance(model, Classifier):
        return model.network, [keras.InputSpec(shape=(None, *model.network.inputs[0].shape[1:]), dtype="float32", name="images")]
    if isinstance(model, GAN):
        generator = _generator_in_unit_range(model)
        specs = [keras.InputSpec(shape=(None, model.latent_dim), dtype="float32", name="latents")]
        if isinstance(model, ConditionalGAN):
            return generator, [[*specs, keras.InputSpec(shape=(None,), dtype="int32", name="labels")]]
        return generator, specs
    raise ValueError(f"Cannot convert a {type(model).__name__}: TFLite and ONNX export takes a tf_genrepair Restorer, Classifier, GAN or ConditionalGAN.")


def _export(model: keras.Model, path: str, file_format: str, image_size: tuple[int, int] | None) -> str:
    target, signature = _exportable(model, image_size)
    with atomic_path(path) as temporary:  # The temporary name ends with the final one, as the exporters require.
        target.export(temporary, format=FORMATS[file_format], input_signature=signature, verbose=False)
    return path


def export_tflite(model: keras.Model, path: str, *, image_size: tuple[int, int] | None = None) -> str:
    """Writes a `.tflite` file; restorers need a fixed `image_size` (height, width) for LiteRT.

    Example:
        >>> export_tflite(keras.saving.load_model("workdirs/classifier_mnist/model.keras"), "classifier.tflite")
    """
    if not path.endswith(".tflite"):
        raise ValueError(f"`path` must end with .tflite. Received: path={path!r}")
    if isinstance(model, Restorer) and image_size is None:
        raise ValueError("A restorer's TFLite file needs a fixed `image_size` (height, width), e.g. image_size=(28, 28).")
    return _export(model, path, "tflite", image_size)


def export_onnx(model: keras.Model, path: str, *, image_size: tuple[int, int] | None = None) -> str:
    """Writes an `.onnx` file (through tf2onnx); restorers accept any size unless `image_size` fixes one.

    Example:
        >>> export_onnx(keras.saving.load_model("workdirs/restore_mnist/model.keras"), "restorer.onnx")
    """
    if not path.endswith(".onnx"):
        raise ValueError(f"`path` must end with .onnx. Received: path={path!r}")
    return _export(model, path, "onnx", image_size)
