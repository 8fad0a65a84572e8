"""Data sources and tf.data pipelines."""

from tf_genrepair.data.pipelines import (
    binarize_once,
    classification_dataset,
    denoising_dataset,
    generation_dataset,
    restoration_dataset,
)
from tf_genrepair.data.semi_supervised import balanced_label_indices, semi_supervised_dataset
from tf_genrepair.data.sources import (
    default_data_dir,
    load_arrays,
    load_dataset,
    read_idx,
)
from tf_genrepair.io.images import DataError

__all__ = [
    "DataError",
    "balanced_label_indices",
    "binarize_once",
    "classification_dataset",
    "default_data_dir",
    "denoising_dataset",
    "generation_dataset",
    "load_arrays",
    "load_dataset",
    "read_idx",
    "restoration_dataset",
    "semi_supervised_dataset",
]
