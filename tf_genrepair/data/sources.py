"""Data sources: one `load_dataset` for IDX, TFDS, image folders, npz, grayscale and colour photo sets, shipped digits.

Every source yields `(image, label)` with `image` float32 `[H, W, C]` in [0, 1] and
`label` int64 (-1 where the source has no labels).
"""

import functools
import gzip
import os
import re
from typing import Iterator, Sequence

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.io.images import (
    COLOR_MODES,
    IMAGE_EXTENSIONS,
    DataError,
    check_image,
    decode_image,
    image_files,
)

SAMPLE_PATH = os.path.join(os.path.dirname(__file__), "sample_digits.npz")
# Photo sets in the data dir: `<kind>:<name>` -> (folder under the data dir, colour mode).
PHOTO_SETS = {
    "bsd": ({name: f"bsd/{name}" for name in ("Train400", "BSD68", "Set12")}, "grayscale"),
    "colour": ({name: f"colour/{name}" for name in ("CBSD432", "CBSD68", "Kodak24", "McMaster")}, "rgb"),
    "photos": ({"imagenet1000": "photos/imagenet1000_s256"}, "rgb"),
}
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
IDX_IMAGE_MAGIC = 2051
IDX_LABEL_MAGIC = 2049
UNLABELLED = -1
# CIFAR-10 as image files in class folders (`<data_dir>/cifar10_jpeg/<split>/<class>/*`), stored by class; it
# is put in one fixed shuffled order so that slices such as `train[98%:]` hold every class, as in the original.
CIFAR10_FOLDER = "cifar10_jpeg"
CIFAR10_ORDER_SEED = 0
ARRAY_CHUNK = 1024



def default_data_dir() -> str:
    """Returns `GENREPAIR_DATA_DIR` if set, else the user cache folder for tf_genrepair."""
    if os.environ.get("GENREPAIR_DATA_DIR"):
        return os.environ["GENREPAIR_DATA_DIR"]
    cache_root = os.environ.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache"))
    return os.path.join(cache_root, "tf_genrepair")


def load_dataset(
    name: str,
    *,
    split: str = "train",
    data_dir: str | None = None,
    color_mode: str | None = None,
    image_size: Sequence[int] | None = None,
    crop_size: Sequence[int] | None = None,
    patch_size: int | Sequence[int] | None = None,
    patches_per_image: int = 1,
    seed: int = 0,
    download: bool = True,
) -> tf.data.Dataset:
    """Loads a labelled image dataset as `(image, label)` pairs.

    Args:
        name: `mnist`, `fashion_mnist`, `cifar10`, `tfds:<name>`, `folder:<path>`, `npz:<path>`,
            `bsd:Train400|BSD68|Set12` (grayscale photos), `colour:CBSD432|CBSD68|Kodak24|McMaster`
            (RGB photos), `photos:imagenet1000` (an RGB training pool) or `sample` (digits shipped
            with the package). Join sources with `+` to stream one after the other
            (`colour:CBSD432+photos:imagenet1000`); `split` then slices each of them.
        split: `train` or `test` (a folder may hold `<split>/` subfolders; an npz file
            `<split>_images` keys), optionally sliced: `train[:1000]`, `test[50%:]`.
        data_dir: Folder holding `mnist/`, `fashion_mnist/`, `cifar10_jpeg/`, `bsd/`, `colour/` and `photos/`; defaults to
            `GENREPAIR_DATA_DIR`, else `~/.cache/tf_genrepair`. Also TFDS's data dir.
        color_mode: `grayscale` or `rgb` to convert every image; None keeps the source's.
        image_size: `(height, width)` to resize every image to (antialiased).
        crop_size: `(height, width)` of a central crop, applied after resizing.
        patch_size: Side (or `(height, width)`) of random patches cut from each image;
            a fresh draw every epoch, reproducible from `seed`. Images smaller than a patch are skipped.
        patches_per_image: How many random patches to cut from each image.
        seed: Seed for random patches.
        download: Whether TFDS may try to download data that is not on disk.

    Returns:
        A `tf.data.Dataset` of `(image float32 [H, W, C] in [0, 1], label int64)`.

    Example:
        >>> dataset = load_dataset("sample", split="test[:100]")
        >>> image, label = next(iter(dataset))
    """
    data_dir = data_dir or default_data_dir()
    if color_mode not in (None,) + COLOR_MODES:
        raise ValueError(f"`color_mode` must be one of {COLOR_MODES} or None. Received: color_mode={color_mode!r}")
    parts = [_load_source(part, split, data_dir, download, color_mode) for part in name.split("+")]
    if color_mode is not None:
        parts = [part.map(lambda image, label: (_convert_color(image, color_mode), label)) for part in parts]
    dataset = parts[0]
    for part in parts[1:]:
        channels = (dataset.element_spec[0].shape[-1], part.element_spec[0].shape[-1])
        if channels[0] != channels[1]:
            raise DataError(f"Sources joined by '+' in {name!r} differ in channels {channels}: pass color_mode='rgb' or 'grayscale'.")
        dataset = dataset.concatenate(part)
    return _apply_geometry(dataset, image_size, crop_size, patch_size, patches_per_image, seed)


def _load_source(name: str, split: str, data_dir: str, download: bool, color_mode: str | None) -> tf.data.Dataset:
    base_split, split_slice = parse_split(split)
    kind, _, argument = name.partition(":")
    if name in ("mnist", "fashion_mnist"):
        return _load_idx_or_tfds(name, base_split, split_slice, data_dir, download)
    if name == "sample":
        return _arrays_dataset(*_read_npz(SAMPLE_PATH, base_split), split_slice)
    if name == "cifar10":
        return _load_cifar10(base_split, split_slice, data_dir, download)
    if kind == "npz" and argument:
        return _arrays_dataset(*_read_npz(argument, base_split), split_slice)
    if kind == "tfds" and argument:
        return _load_tfds(argument, split, data_dir, download)
    if kind == "folder" and argument:
        return _load_folder(argument, base_split, split_slice, color_mode)
    if kind in PHOTO_SETS and argument in PHOTO_SETS[kind][0]:
        folders, mode = PHOTO_SETS[kind]
        return _load_folder(os.path.join(data_dir, folders[argument]), base_split, split_slice, mode)
    photo_sets = ", ".join(f"{kind}:{'|'.join(folders)}" for kind, (folders, _) in PHOTO_SETS.items())
    raise ValueError(
        f"`name` must be mnist, fashion_mnist, cifar10, sample, tfds:<name>, folder:<path>, npz:<path> or {photo_sets} "
        f"(several joined by '+'). Received: name={name!r}"
    )


def load_arrays(name: str, *, split: str = "train", **options) -> tuple[np.ndarray, np.ndarray]:
    """`load_dataset(name, split=split, **options)` as arrays: images `[N, H, W, C]` and int64 labels `[N]`.

    Raises a `DataError` when the split is empty or its images differ in size (they cannot share one array).

    Example:
        >>> images, labels = load_arrays("sample", split="test[:100]")
    """
    pairs = list(load_dataset(name, split=split, **options).as_numpy_iterator())
    if not pairs:
        raise DataError(f"Dataset {name} split {split} is empty.")
    shapes = sorted({image.shape for image, _ in pairs})
    if len(shapes) > 1:
        raise DataError(f"Dataset {name}: images must all have one size. Received shapes {shapes[:3]}")
    return np.stack([image for image, _ in pairs]), np.array([label for _, label in pairs], np.int64)


def parse_split(split: str) -> tuple[str, slice]:
    """Splits `train[10:20]` or `test[:50%]` into the base name and a slice of ints or percents."""
    match = re.fullmatch(r"(\w+)(?:\[(-?\d*%?):(-?\d*%?)\])?", split)
    if match is None:
        raise ValueError(f"`split` must look like 'train', 'test[:1000]' or 'train[10%:]'. Received: split={split!r}")
    base, start, stop = match.groups()
    return base, slice(start or None, stop or None)


def split_rows(split: str, count: int) -> range:
    """The rows a split such as `train[:98%]` names out of `count` examples.

    Example:
        >>> split_rows("train[98%:]", 50_000)
        range(49000, 50000)
    """
    return range(*_slice_bounds(parse_split(split)[1], count))


def _slice_bounds(split_slice: slice, count: int) -> tuple[int, int]:
    def bound(text: str | None, default: int) -> int:
        if text is None:
            return default
        value = round(int(text[:-1]) * count / 100) if text.endswith("%") else int(text)
        return max(0, min(count, value + count if value < 0 else value))

    return bound(split_slice.start, 0), bound(split_slice.stop, count)


def read_idx(path: str) -> np.ndarray:
    """Reads an IDX file (optionally gzipped) of uint8 data, checking magic number and size.

    Args:
        path: Path to an `idx1` (labels) or `idx3` (images) file, `.gz` or raw.

    Returns:
        uint8 array of shape `(count,)` for labels or `(count, rows, cols)` for images.

    Example:
        >>> labels = read_idx("mnist/t10k-labels-idx1-ubyte.gz")
    """
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as handle:
            payload = handle.read()
    except (OSError, EOFError) as error:
        raise DataError(f"Cannot read IDX file {path}: {error}") from error
    if len(payload) < 8:
        raise DataError(f"IDX file {path} is truncated: {len(payload)} bytes, shorter than its header.")
    magic, count = np.frombuffer(payload[:8], ">i4")
    if magic not in (IDX_IMAGE_MAGIC, IDX_LABEL_MAGIC):
        raise DataError(
            f"IDX file {path} has magic number {magic}; expected {IDX_IMAGE_MAGIC} (images) or {IDX_LABEL_MAGIC} (labels)."
        )
    shape = (int(count),)
    header = 8
    if magic == IDX_IMAGE_MAGIC:
        rows, cols = np.frombuffer(payload[8:16], ">i4")
        shape, header = (int(count), int(rows), int(cols)), 16
    expected = header + int(np.prod(shape))
    if len(payload) != expected:
        raise DataError(f"IDX file {path} is truncated or corrupt: {len(payload)} bytes, header announces {expected}.")
    return np.frombuffer(payload, np.uint8, offset=header).reshape(shape)


def _find_idx(folder: str, stem: str) -> str | None:
    for candidate in (stem + ".gz", stem):
        if os.path.exists(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    return None


def _load_idx_or_tfds(name: str, split: str, split_slice: slice, data_dir: str, download: bool) -> tf.data.Dataset:
    if split not in IDX_FILES:
        raise ValueError(f"`split` of {name} must be 'train' or 'test'. Received: split={split!r}")
    folder = os.path.join(data_dir, name)
    image_stem, label_stem = IDX_FILES[split]
    image_path, label_path = _find_idx(folder, image_stem), _find_idx(folder, label_stem)
    if image_path and label_path:
        images, labels = read_idx(image_path), read_idx(label_path)
        if images.ndim != 3 or labels.ndim != 1:
            raise DataError(f"{image_path} must hold images (idx3) and {label_path} labels (idx1).")
        if len(images) != len(labels):
            raise DataError(f"{image_path} holds {len(images)} images but {label_path} holds {len(labels)} labels.")
        return _arrays_dataset(images, labels.astype(np.int64), split_slice)
    missing = (f"Put {image_stem}.gz and {label_stem}.gz in {folder} (or set GENREPAIR_DATA_DIR / data_dir to the folder "
               f"that holds {name}/), or make TFDS able to load it.")
    return _tfds_or_error(name, split, split_slice, data_dir, download, missing)


def _load_cifar10(split: str, split_slice: slice, data_dir: str, download: bool) -> tf.data.Dataset:
    if split not in IDX_FILES:
        raise ValueError(f"`split` of cifar10 must be 'train' or 'test'. Received: split={split!r}")
    folder = os.path.join(data_dir, CIFAR10_FOLDER, split)
    if os.path.isdir(folder):
        return _arrays_dataset(*_decoded_class_folders(folder), split_slice)
    missing = (f"Neither the folder copy {folder} (class folders of images) nor TFDS's cifar10 is there: set "
               "GENREPAIR_DATA_DIR / data_dir, or make TFDS able to load it.")
    return _tfds_or_error("cifar10", split, split_slice, data_dir, download, missing)


def _tfds_or_error(name: str, split: str, split_slice: slice, data_dir: str, download: bool, missing: str) -> tf.data.Dataset:
    """`split` (sliced) of TFDS's `name`, or a `DataError`: "<name> <split> split not found", `missing`, and what TFDS said."""
    try:
        start, stop = (split_slice.start or ""), (split_slice.stop or "")
        return _load_tfds(name, split if not (start or stop) else f"{split}[{start}:{stop}]", data_dir, download)
    except Exception as error:  # TFDS raises many types when offline; all mean "not available".
        said = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataError(f"{name} {split} split not found. {missing} TFDS said: {said}") from error


def _class_folder_pairs(folder: str) -> list[tuple[str, int]]:
    """`(image path, class index)` for every image in `folder`'s class subfolders (sorted; those without images skipped)."""
    class_names = sorted(entry for entry in os.listdir(folder) if os.path.isdir(os.path.join(folder, entry)))
    class_names = [name for name in class_names if image_files(os.path.join(folder, name))]
    return [(path, index) for index, name in enumerate(class_names) for path in image_files(os.path.join(folder, name))]


@functools.lru_cache(maxsize=2)
def _decoded_class_folders(folder: str) -> tuple[np.ndarray, np.ndarray]:
    """Every image of `folder`'s class subfolders as uint8 `[N, H, W, 3]` and int64 labels, in a fixed shuffled order."""
    pairs = _class_folder_pairs(folder)
    if not pairs:
        raise DataError(f"Image folder {folder} holds no class folders of {'/'.join(IMAGE_EXTENSIONS)} files.")
    order = np.random.default_rng(CIFAR10_ORDER_SEED).permutation(len(pairs))
    progress = keras.utils.Progbar(len(pairs), unit_name="image") if len(pairs) >= 10_000 else None
    images = []
    for count, position in enumerate(order, 1):
        try:
            images.append(np.round(decode_image(pairs[position][0], "rgb") * 255).astype(np.uint8))
        except (OSError, ValueError) as error:
            raise DataError(f"Cannot read image {pairs[position][0]}: {error}") from error
        if progress and (count % 2000 == 0 or count == len(pairs)):
            progress.update(count)
    shapes = {image.shape for image in images}
    if len(shapes) > 1:
        raise DataError(f"Images in {folder} differ in size ({sorted(shapes)[:3]} ...); cifar10 images must all be one size.")
    return np.stack(images), np.array([pairs[position][1] for position in order], np.int64)


def _load_tfds(name: str, split: str, data_dir: str, download: bool) -> tf.data.Dataset:
    import tensorflow_datasets as tfds  # Imported lazily: it is slow and only some sources need it.

    dataset = tfds.load(name, split=split, as_supervised=True, data_dir=data_dir, download=download)
    return dataset.map(
        lambda image, label: (tf.image.convert_image_dtype(image, tf.float32), tf.cast(label, tf.int64)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


def _read_npz(path: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            keys = set(archive.files)
            for image_key, label_key in ((f"{split}_images", f"{split}_labels"), ("images", "labels")):
                if image_key in keys and label_key in keys:
                    images, labels = archive[image_key], archive[label_key]
                    break
            else:
                raise DataError(
                    f"npz file {path} must hold arrays 'images' and 'labels' (or '{split}_images' and "
                    f"'{split}_labels'). Found keys: {sorted(keys)}"
                )
    except (OSError, ValueError) as error:
        if isinstance(error, DataError):
            raise
        raise DataError(f"Cannot read npz file {path}: {error}") from error
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise DataError(f"npz file {path}: images must have shape (N, H, W[, 1 or 3]). Received shape {images.shape}")
    if labels.shape != (len(images),):
        raise DataError(f"npz file {path} holds {len(images)} images but labels of shape {labels.shape}.")
    if not np.issubdtype(labels.dtype, np.integer):
        raise DataError(f"npz file {path}: labels must be integers. Received dtype {labels.dtype}")
    if images.dtype != np.uint8:
        if not np.issubdtype(images.dtype, np.floating):
            raise DataError(f"npz file {path}: images must be uint8 or float. Received dtype {images.dtype}")
        if images.size and (np.nanmin(images) < 0 or np.nanmax(images) > 1 or np.isnan(images).any()):
            raise DataError(f"npz file {path}: float images must lie in [0, 1] without NaN.")
        images = images.astype(np.float32)
    return images, labels.astype(np.int64)


def _arrays_dataset(images: np.ndarray, labels: np.ndarray, split_slice: slice) -> tf.data.Dataset:
    start, stop = _slice_bounds(split_slice, len(images))
    images, labels = images[start:stop], labels[start:stop]
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if len(images) == 0:
        raise DataError("The requested split is empty.")
    # Converting chunks and unbatching avoids a per-image map call.
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(ARRAY_CHUNK)
    dataset = dataset.map(lambda image, label: (tf.image.convert_image_dtype(image, tf.float32), label))
    return dataset.unbatch().apply(tf.data.experimental.assert_cardinality(len(images)))



def _load_folder(folder: str, split: str, split_slice: slice, color_mode: str | None) -> tf.data.Dataset:
    if not os.path.isdir(folder):
        raise DataError(f"Image folder {folder} does not exist.")
    if os.path.isdir(os.path.join(folder, split)):
        folder = os.path.join(folder, split)
    pairs = _class_folder_pairs(folder) or [(path, UNLABELLED) for path in image_files(folder)]
    start, stop = _slice_bounds(split_slice, len(pairs))
    pairs = pairs[start:stop]
    if not pairs:
        raise DataError(f"Image folder {folder} holds no {'/'.join(IMAGE_EXTENSIONS)} files.")
    modes = {check_image(path) for path, _ in pairs}
    if color_mode is None:
        color_mode = "grayscale" if modes <= {"L", "I", "I;16", "1"} else "rgb"
    channels = 1 if color_mode == "grayscale" else 3

    def generate() -> Iterator[tuple[np.ndarray, int]]:
        for path, label in pairs:
            yield decode_image(path, color_mode), label

    signature = (tf.TensorSpec([None, None, channels], tf.float32), tf.TensorSpec([], tf.int64))
    return tf.data.Dataset.from_generator(generate, output_signature=signature)





def _convert_color(image: tf.Tensor, color_mode: str) -> tf.Tensor:
    channels = image.shape[-1]
    if color_mode == "grayscale" and channels == 3:
        return tf.image.rgb_to_grayscale(image)
    if color_mode == "rgb" and channels == 1:
        return tf.image.grayscale_to_rgb(image)
    return image


def _pair(value: int | Sequence[int], argument: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(side, int) and side > 0 for side in pair):
        raise ValueError(f"`{argument}` must be a positive int or (height, width). Received: {argument}={value!r}")
    return pair


def _apply_geometry(
    dataset: tf.data.Dataset,
    image_size: Sequence[int] | None,
    crop_size: Sequence[int] | None,
    patch_size: int | Sequence[int] | None,
    patches_per_image: int,
    seed: int,
) -> tf.data.Dataset:
    if image_size is not None:
        size = _pair(image_size, "image_size")
        dataset = dataset.map(
            lambda image, label: (tf.clip_by_value(tf.image.resize(image, size, antialias=True), 0.0, 1.0), label),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    if crop_size is not None:
        height, width = _pair(crop_size, "crop_size")
        dataset = dataset.map(
            lambda image, label: (tf.image.resize_with_crop_or_pad(image, height, width), label),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    if patch_size is None:
        return dataset
    height, width = _pair(patch_size, "patch_size")
    if not isinstance(patches_per_image, int) or patches_per_image < 1:
        raise ValueError(f"`patches_per_image` must be a positive int. Received: patches_per_image={patches_per_image!r}")
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
    dataset = dataset.filter(lambda image, label: tf.reduce_all(tf.shape(image)[:2] >= [height, width]))

    def cut_patches(element: tuple[tf.Tensor, tf.Tensor], pair_seed: tf.Tensor) -> tf.data.Dataset:
        image, label = element
        channels = image.shape[-1]
        patches = [
            tf.image.stateless_random_crop(
                image, [height, width, channels], seed=tf.random.experimental.stateless_fold_in(pair_seed, index)
            )
            for index in range(patches_per_image)
        ]
        return tf.data.Dataset.from_tensor_slices((tf.stack(patches), tf.fill([patches_per_image], label)))

    return tf.data.Dataset.zip(dataset, seeds).flat_map(cut_patches)
