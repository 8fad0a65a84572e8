"""Files in and out: atomic writes, image files and masks, PNG figures. The bottom layer: imports no other part of the package."""

from tf_genrepair.io.atomic import (
    atomic_folder,
    atomic_path,
    make_folder,
    write_json_atomic,
    write_text_atomic,
)
from tf_genrepair.io.images import (
    IMAGE_EXTENSIONS,
    DataError,
    check_image,
    decode_image,
    encode_png,
    image_files,
    read_image,
    read_mask,
    write_image,
)
from tf_genrepair.io.plots import save_curves, save_image_grid, save_image_table

__all__ = [
    "IMAGE_EXTENSIONS",
    "DataError",
    "atomic_folder",
    "atomic_path",
    "check_image",
    "decode_image",
    "encode_png",
    "image_files",
    "make_folder",
    "read_image",
    "read_mask",
    "save_curves",
    "save_image_grid",
    "save_image_table",
    "write_image",
    "write_json_atomic",
    "write_text_atomic",
]
