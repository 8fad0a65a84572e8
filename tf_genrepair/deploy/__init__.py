"""Using trained models outside training: SavedModels for TF Serving, TFLite/ONNX files, serving requests, image files."""

from tf_genrepair.deploy.file_tools import (
    ExportedRestorer,
    generate_grid,
    load_restorer,
    restore_file,
)
from tf_genrepair.deploy.portable import export_onnx, export_tflite
from tf_genrepair.deploy.saved_model import export_for_serving, serving_signatures

__all__ = [
    "ExportedRestorer",
    "export_for_serving",
    "export_onnx",
    "export_tflite",
    "generate_grid",
    "load_restorer",
    "restore_file",
    "serving_signatures",
]
