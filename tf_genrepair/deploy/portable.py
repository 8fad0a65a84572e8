"""TFLite (LiteRT) and ONNX files for restorers, classifiers and generators, through Keras's own exporters.

    export_tflite(restorer, "restorer.tflite", image_size=(28, 28))   # inputs images, masks
    export_onnx(restorer, "restorer.onnx")                              # any height and width

Each model kind says what it converts (`ModelKind.portable_model`): restorers take the
restorer input contract (`images`, `masks` and, for noise-level networks, `noise_levels`) and
return the restored images; classifiers return logits; GANs and VAEs take `latents` (and
`labels`) and return images in [0, 1]. ONNX needs `pip install tf2onnx onnxruntime`.
"""

import keras

from tf_genrepair.io.atomic import atomic_path
from tf_genrepair.models import ModelKind

FORMATS = {"tflite": "litert", "onnx": "onnx"}


def _portable(model: keras.Model, image_size: tuple[int, int] | None) -> tuple[keras.Model, list]:
    if not isinstance(model, ModelKind):
        raise ValueError(f"Cannot convert a {type(model).__name__}: expected a tf_genrepair model.")
    return model.portable_model(image_size)


def _has_free_image_size(signature: list) -> bool:
    """Whether an image input of `signature` (`[spec, ...]` or `[[spec, ...]]`) leaves its height or width open."""
    specs = [spec for item in signature for spec in (item if isinstance(item, list) else [item])]
    return any(len(spec.shape) == 4 and None in spec.shape[1:3] for spec in specs)


def _export(target: keras.Model, signature: list, path: str, file_format: str) -> str:
    with atomic_path(path) as temporary:  # The temporary name ends with the final one, as the exporters require.
        target.export(temporary, format=FORMATS[file_format], input_signature=signature, verbose=False)
    return path


def export_tflite(model: keras.Model, path: str, *, image_size: tuple[int, int] | None = None) -> str:
    """Writes a `.tflite` file; models that take any image size (restorers) need a fixed `image_size` (height, width).

    Example:
        >>> export_tflite(load_model("workdirs/classifier_mnist/model.keras"), "classifier.tflite")
    """
    if not path.endswith(".tflite"):
        raise ValueError(f"`path` must end with .tflite. Received: path={path!r}")
    target, signature = _portable(model, image_size)
    if _has_free_image_size(signature):
        raise ValueError(f"A {type(model).__name__}'s TFLite file needs a fixed `image_size` (height, width), e.g. image_size=(28, 28).")
    return _export(target, signature, path, "tflite")


def export_onnx(model: keras.Model, path: str, *, image_size: tuple[int, int] | None = None) -> str:
    """Writes an `.onnx` file (through tf2onnx); restorers accept any size unless `image_size` fixes one.

    Example:
        >>> export_onnx(load_model("workdirs/restore_mnist/model.keras"), "restorer.onnx")
    """
    if not path.endswith(".onnx"):
        raise ValueError(f"`path` must end with .onnx. Received: path={path!r}")
    target, signature = _portable(model, image_size)
    return _export(target, signature, path, "onnx")
