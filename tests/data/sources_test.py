"""Data sources on small files made here, and on the shared reference data when present."""

import gzip
import os
import struct

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tf_genrepair.data import DataError, load_arrays, load_dataset, read_idx


def write_idx(path: str, array: np.ndarray, *, magic: int | None = None, truncate: int = 0) -> None:
    magic = magic if magic is not None else (2051 if array.ndim == 3 else 2049)
    header = struct.pack(">ii", magic, len(array)) + (struct.pack(">ii", *array.shape[1:]) if array.ndim == 3 else b"")
    payload = header + array.astype(np.uint8).tobytes()
    with gzip.open(path, "wb") as handle:
        handle.write(payload[: len(payload) - truncate])


@pytest.fixture
def idx_dir(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
    write_idx(str(folder / "t10k-images-idx3-ubyte.gz"), images)
    write_idx(str(folder / "t10k-labels-idx1-ubyte.gz"), np.arange(6) % 10)
    return tmp_path, images


def test_idx_files_load_as_float_images(idx_dir):
    data_dir, images = idx_dir
    pairs = list(load_dataset("mnist", split="test", data_dir=str(data_dir)).as_numpy_iterator())
    assert len(pairs) == 6
    image, label = pairs[2]
    assert image.shape == (28, 28, 1) and image.dtype == np.float32 and label == 2
    np.testing.assert_allclose(image[..., 0], images[2] / 255.0, atol=1e-6)


def test_split_slicing(idx_dir):
    data_dir, _ = idx_dir
    labels = [int(label) for _, label in load_dataset("mnist", split="test[2:5]", data_dir=str(data_dir))]
    assert labels == [2, 3, 4]
    assert len(list(load_dataset("mnist", split="test[50%:]", data_dir=str(data_dir)))) == 3
    with pytest.raises(ValueError, match="split"):
        load_dataset("mnist", split="test[::2]", data_dir=str(data_dir))


@pytest.mark.parametrize(
    "problem, message",
    [
        (dict(magic=1234), "magic number 1234"),
        (dict(truncate=100), "truncated"),
    ],
)
def test_bad_idx_files_are_named(tmp_path, problem, message):
    path = str(tmp_path / "bad-idx3-ubyte.gz")
    write_idx(path, np.zeros((3, 28, 28), np.uint8), **problem)
    with pytest.raises(DataError, match=message) as error:
        read_idx(path)
    assert "bad-idx3-ubyte.gz" in str(error.value)


def test_image_label_count_mismatch(idx_dir):
    data_dir, _ = idx_dir
    write_idx(str(data_dir / "mnist" / "t10k-labels-idx1-ubyte.gz"), np.arange(5))
    with pytest.raises(DataError, match="6 images but .* 5 labels"):
        load_dataset("mnist", split="test", data_dir=str(data_dir))


def test_missing_files_say_what_to_put_where(tmp_path):
    with pytest.raises(DataError) as error:
        load_dataset("fashion_mnist", split="train", data_dir=str(tmp_path), download=False)
    message = str(error.value)
    assert "train-images-idx3-ubyte.gz" in message and str(tmp_path / "fashion_mnist") in message


def test_tfds_source_converts_images():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=4):
        pairs = list(load_dataset("tfds:mnist", split="train").as_numpy_iterator())
    assert len(pairs) == 4
    image, label = pairs[0]
    assert image.dtype == np.float32 and image.shape == (28, 28, 1) and 0 <= image.min() <= image.max() <= 1
    assert label.dtype == np.int64


def save_png(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path)


def test_folder_with_class_subfolders(tmp_path):
    rng = np.random.default_rng(1)
    for name in ("cat", "dog"):
        for index in range(2):
            save_png(str(tmp_path / name / f"{index}.png"), rng.integers(0, 256, (20, 30, 3), dtype=np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    pairs = list(load_dataset(f"folder:{tmp_path}").as_numpy_iterator())
    assert [int(label) for _, label in pairs] == [0, 0, 1, 1]
    assert pairs[0][0].shape == (20, 30, 3)
    gray = next(iter(load_dataset(f"folder:{tmp_path}", color_mode="grayscale")))[0]
    assert gray.shape == (20, 30, 1)


def test_flat_folder_of_any_size_with_resize_crop_and_patches(tmp_path):
    save_png(str(tmp_path / "a.png"), np.full((40, 50), 200, np.uint8))
    Image.fromarray(np.full((60, 45), 100, np.uint8)).save(str(tmp_path / "b.bmp"))
    Image.fromarray(np.full((30, 30, 3), 50, np.uint8)).save(str(tmp_path / "c.jpg"), quality=95)
    pairs = list(load_dataset(f"folder:{tmp_path}", color_mode="grayscale").as_numpy_iterator())
    assert [pair[0].shape for pair in pairs] == [(40, 50, 1), (60, 45, 1), (30, 30, 1)]
    assert all(label == -1 for _, label in pairs)
    resized = list(load_dataset(f"folder:{tmp_path}", image_size=(16, 16), crop_size=(8, 8)))
    assert all(image.shape == (8, 8, 3) for image, _ in resized)
    patches = load_dataset(f"folder:{tmp_path}", patch_size=10, patches_per_image=4, seed=3)
    first = np.stack([image for image, _ in patches.as_numpy_iterator()])
    assert first.shape == (12, 10, 10, 3)


def test_random_patches_are_fresh_each_epoch_and_reproducible(tmp_path):
    save_png(str(tmp_path / "ramp.png"), np.arange(64 * 64, dtype=np.uint8).reshape(64, 64))
    def epochs(dataset):
        return [np.stack([image for image, _ in dataset.as_numpy_iterator()]) for _ in range(2)]
    first, second = epochs(load_dataset(f"folder:{tmp_path}", patch_size=8, patches_per_image=3, seed=5))
    again, _ = epochs(load_dataset(f"folder:{tmp_path}", patch_size=8, patches_per_image=3, seed=5))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, again)


def test_corrupt_or_truncated_image_is_named(tmp_path):
    save_png(str(tmp_path / "good.png"), np.zeros((8, 8), np.uint8))
    payload = (tmp_path / "good.png").read_bytes()
    (tmp_path / "truncated.png").write_bytes(payload[: len(payload) // 2])
    with pytest.raises(DataError, match="truncated.png"):
        load_dataset(f"folder:{tmp_path}")


def test_empty_or_missing_folder(tmp_path):
    with pytest.raises(DataError, match="holds no"):
        load_dataset(f"folder:{tmp_path}")
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(f"folder:{tmp_path / 'absent'}")


def test_npz_uint8_and_float(tmp_path):
    uint8_path, float_path = str(tmp_path / "u.npz"), str(tmp_path / "f.npz")
    np.savez(uint8_path, images=np.full((3, 8, 8), 255, np.uint8), labels=np.array([1, 2, 3]))
    np.savez(float_path, images=np.full((2, 8, 8, 3), 0.25, np.float32), labels=np.array([0, 1]))
    image, label = next(iter(load_dataset(f"npz:{uint8_path}")))
    assert image.shape == (8, 8, 1) and float(tf.reduce_min(image)) == 1.0 and int(label) == 1
    image, _ = next(iter(load_dataset(f"npz:{float_path}")))
    assert image.shape == (8, 8, 3) and float(image[0, 0, 0]) == 0.25


@pytest.mark.parametrize(
    "arrays, message",
    [
        (dict(pictures=np.zeros((2, 8, 8)), labels=np.zeros(2)), "must hold arrays 'images' and 'labels'"),
        (dict(images=np.zeros((2, 8, 8), np.uint8), labels=np.zeros(3, np.int64)), "2 images but labels of shape"),
        (dict(images=np.full((2, 8, 8), 3.0), labels=np.zeros(2, np.int64)), r"\[0, 1\]"),
        (dict(images=np.zeros((2, 8), np.uint8), labels=np.zeros(2, np.int64)), "shape"),
    ],
)
def test_bad_npz_files_are_named(tmp_path, arrays, message):
    path = str(tmp_path / "bad.npz")
    np.savez(path, **arrays)
    with pytest.raises(DataError, match=message) as error:
        load_dataset(f"npz:{path}")
    assert "bad.npz" in str(error.value)


def test_unknown_source_lists_the_valid_ones():
    with pytest.raises(ValueError, match="tfds:<name>"):
        load_dataset("imagenet")


def test_shipped_sample_digits():
    train = load_dataset("sample", split="train")
    test = load_dataset("sample", split="test")
    assert int(train.cardinality()) == 4000 and int(test.cardinality()) == 1000
    labels = np.array([int(label) for _, label in test])
    assert set(labels) == set(range(10))
    size = os.path.getsize(os.path.join(os.path.dirname(__import__("tf_genrepair.data").data.__file__), "sample_digits.npz"))
    assert size < 2 * 1024 * 1024


def test_shared_mnist(shared_data_dir):
    assert int(load_dataset("mnist", split="train").cardinality()) == 60_000
    labels = [int(label) for _, label in load_dataset("mnist", split="test[:20]")]
    assert labels[:5] == [7, 2, 1, 0, 4]  # The well-known first MNIST test labels.


@pytest.mark.parametrize("subset, count", [("BSD68", 68), ("Set12", 12)])
def test_shared_bsd(shared_data_dir, subset, count):
    images = [image for image, _ in load_dataset(f"bsd:{subset}").as_numpy_iterator()]
    assert len(images) == count and all(image.shape[-1] == 1 for image in images)
    patches = load_dataset("bsd:Train400", split="train[:2]", patch_size=40, patches_per_image=2)
    assert len(list(patches)) == 4


@pytest.mark.parametrize("name, count", [("colour:CBSD432", 432), ("colour:CBSD68", 68), ("colour:Kodak24", 24), ("colour:McMaster", 18), ("photos:imagenet1000", 977)])
def test_shared_colour_sets(shared_data_dir, name, count):
    dataset = load_dataset(name, split="test")
    assert dataset.element_spec[0].shape.as_list() == [None, None, 3]
    assert sum(1 for _ in dataset) == count
    image = next(iter(dataset))[0].numpy()
    assert image.dtype == np.float32 and 0.0 <= image.min() and image.max() <= 1.0 and image.max() > 0.5


def _photo_folders(tmp_path):
    """Two plain folders of RGB photos: `a` with 5 (one 6x6, smaller than a patch), `b` with 3."""
    rng = np.random.default_rng(0)
    for folder, sizes in (("a", [(12, 10)] * 4 + [(6, 6)]), ("b", [(16, 12)] * 3)):
        os.makedirs(tmp_path / folder)
        for index, size in enumerate(sizes):
            Image.fromarray(rng.integers(0, 256, size + (3,), dtype=np.uint8)).save(tmp_path / folder / f"{index}.png")
    return f"folder:{tmp_path / 'a'}+folder:{tmp_path / 'b'}"


def test_sources_joined_with_plus_are_sliced_each_and_streamed_in_turn(tmp_path):
    joined = _photo_folders(tmp_path)
    heights = [image.shape[0] for image, _ in load_dataset(joined, split="train[-2:]").as_numpy_iterator()]
    assert heights == [12, 6, 16, 16]  # The last two of each source.
    training = [image.shape[0] for image, _ in load_dataset(joined, split="train[:-2]").as_numpy_iterator()]
    assert training == [12, 12, 12, 16]
    patches = list(load_dataset(joined, patch_size=8, patches_per_image=2).as_numpy_iterator())
    assert len(patches) == 2 * 7 and all(patch.shape == (8, 8, 3) for patch, _ in patches)  # The 6x6 image is skipped.


def test_joined_sources_must_agree_in_channels_unless_converted(tmp_path):
    joined = _photo_folders(tmp_path)
    save_png(str(tmp_path / "gray.png"), np.zeros((8, 8), np.uint8))
    os.makedirs(tmp_path / "g")
    os.replace(tmp_path / "gray.png", tmp_path / "g" / "gray.png")
    with pytest.raises(DataError, match="differ in channels"):
        load_dataset(f"{joined}+folder:{tmp_path / 'g'}")
    gray = load_dataset(f"{joined}+folder:{tmp_path / 'g'}", color_mode="grayscale")
    assert gray.element_spec[0].shape[-1] == 1 and sum(1 for _ in gray) == 9


def test_load_arrays_stacks_one_size_and_names_mixed_sizes(tmp_path):
    images, labels = load_arrays("sample", split="test[:5]")
    assert images.shape == (5, 28, 28, 1) and labels.dtype == np.int64 and labels.shape == (5,)
    save_png(str(tmp_path / "a.png"), np.zeros((8, 8), np.uint8))
    save_png(str(tmp_path / "b.png"), np.zeros((9, 8), np.uint8))
    with pytest.raises(DataError, match="images must all have one size"):
        load_arrays(f"folder:{tmp_path}")
    assert load_arrays(f"folder:{tmp_path}", image_size=(8, 8))[0].shape == (2, 8, 8, 1)


def _write_class_folders(root, split: str, per_class: int, classes=("bird", "cat", "truck")) -> dict:
    """Class folders of 32x32 PNGs under `root/cifar10_jpeg/<split>`; returns image bytes -> class index."""
    rng, written = np.random.default_rng(len(split)), {}
    for index, name in enumerate(classes):
        folder = root / "cifar10_jpeg" / split / name
        folder.mkdir(parents=True)
        for number in range(per_class):
            pixels = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"{number:04d}.png")
            written[pixels.tobytes()] = index
    return written


def test_cifar10_folder_copy_loads_every_image_with_its_class_in_a_fixed_mixed_order(tmp_path):
    written = _write_class_folders(tmp_path, "train", per_class=8)
    images, labels = load_arrays("cifar10", split="train", data_dir=str(tmp_path))
    assert images.shape == (24, 32, 32, 3) and images.dtype == np.float32
    found = {np.round(image * 255).astype(np.uint8).tobytes(): int(label) for image, label in zip(images, labels)}
    assert found == written  # Every file once, labelled by its folder's place in sorted order.
    assert len(set(labels[:8].tolist())) > 1  # Not stored by class: a slice holds several classes.
    again, _ = load_arrays("cifar10", split="train[:8]", data_dir=str(tmp_path))
    np.testing.assert_array_equal(again, images[:8])


def test_cifar10_without_the_folder_or_tfds_names_both(tmp_path):
    with pytest.raises(DataError, match="cifar10_jpeg.*TFDS"):
        load_dataset("cifar10", split="test", data_dir=str(tmp_path), download=False)
    with pytest.raises(ValueError, match="'train' or 'test'"):
        load_dataset("cifar10", split="validation", data_dir=str(tmp_path))


def test_cifar10_unreadable_file_is_named(tmp_path):
    _write_class_folders(tmp_path, "test", per_class=2)
    (tmp_path / "cifar10_jpeg" / "test" / "cat" / "0001.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match="0001.png"):
        load_arrays("cifar10", split="test", data_dir=str(tmp_path))
