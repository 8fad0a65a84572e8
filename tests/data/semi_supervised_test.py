"""Semi-supervised streams: the labelled subset is class-balanced, seeded, and the only source of labels."""

import numpy as np
import pytest

from tf_genrepair.data import balanced_label_indices, load_arrays, load_dataset, semi_supervised_dataset


@pytest.fixture(scope="module")
def digits():
    return load_dataset("sample", split="train[:600]")


@pytest.fixture(scope="module")
def arrays():
    return load_arrays("sample", split="train[:600]")


def test_the_subset_is_class_balanced_seeded_and_depends_on_the_seed(arrays):
    _, labels = arrays
    chosen = balanced_label_indices(labels, 50, seed=3)
    assert np.bincount(labels[chosen], minlength=10).tolist() == [5] * 10
    np.testing.assert_array_equal(chosen, balanced_label_indices(labels, 50, seed=3))
    assert set(chosen) != set(balanced_label_indices(labels, 50, seed=4))


def test_the_labelled_stream_emits_only_the_subset_with_its_true_labels(digits, arrays):
    images, labels = arrays
    chosen = balanced_label_indices(labels, 20, seed=1)
    stream = semi_supervised_dataset(digits, num_labels=20, labelled_batch_size=10, unlabelled_batch_size=30, seed=1)
    seen = []
    for (labelled, emitted_labels), unlabelled in stream.take(6).as_numpy_iterator():  # Three passes over the 20.
        assert labelled.shape == (10, 28, 28, 1) and unlabelled.shape == (30, 28, 28, 1)
        for image, label in zip(labelled, emitted_labels):
            matches = [index for index in chosen if np.array_equal(images[index], image)]
            assert matches and labels[matches[0]] == label  # A subset image, labelled with its own label.
            seen.append(matches[0])
    assert sorted(set(seen)) == sorted(chosen) and len(seen) == 60  # Every subset example, each once per pass.
    counts = np.bincount(seen, minlength=len(labels))[chosen]
    assert counts.tolist() == [3] * 20


def test_the_unlabelled_stream_covers_every_image_and_the_stream_is_reproducible(digits):
    stream = semi_supervised_dataset(digits, num_labels=20, labelled_batch_size=4, unlabelled_batch_size=100, seed=0)
    first = [unlabelled for _, unlabelled in stream.take(6).as_numpy_iterator()]
    again = [unlabelled for _, unlabelled in semi_supervised_dataset(digits, num_labels=20, labelled_batch_size=4, unlabelled_batch_size=100, seed=0).take(6).as_numpy_iterator()]
    np.testing.assert_array_equal(np.concatenate(first), np.concatenate(again))
    assert len({image.tobytes() for image in np.concatenate(first)}) == len({image.tobytes() for image, _ in digits.as_numpy_iterator()})


def test_binarized_streams_hold_zeros_and_ones_only(digits):
    (labelled, _), unlabelled = next(iter(semi_supervised_dataset(digits, num_labels=20, labelled_batch_size=4, unlabelled_batch_size=8, binarize=True)))
    assert set(np.unique(labelled)) <= {0.0, 1.0} and set(np.unique(unlabelled)) <= {0.0, 1.0}


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(num_labels=25), "multiple of the 10 classes"),
        (dict(num_labels=6000), "Every class needs"),
        (dict(num_labels=20, labelled_batch_size=0), "Batch sizes"),
    ],
)
def test_bad_requests_are_named(digits, options, message):
    arguments = {"labelled_batch_size": 4, "unlabelled_batch_size": 8, **options}
    with pytest.raises(ValueError, match=message):
        semi_supervised_dataset(digits, **arguments)


def test_an_empty_dataset_is_refused():
    empty = load_dataset("sample", split="train[:600]").take(0)
    with pytest.raises(ValueError, match="empty"):
        semi_supervised_dataset(empty, num_labels=10, labelled_batch_size=2, unlabelled_batch_size=2)


def test_own_data_a_labelled_folder_of_classes_and_a_folder_of_the_rest(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    for folder, count in (("labelled/cat", 3), ("labelled/dog", 3), ("unlabelled", 8)):
        (tmp_path / folder).mkdir(parents=True)
        for index in range(count):
            shade = 40 if folder == "unlabelled" else 200  # Unlabelled images are dark, labelled ones bright.
            Image.fromarray((shade + rng.integers(0, 10, (8, 8))).astype(np.uint8)).save(tmp_path / folder / f"{index}.png")
    stream = semi_supervised_dataset(
        load_dataset(f"folder:{tmp_path / 'labelled'}"), num_labels=None, labelled_batch_size=6, unlabelled_batch_size=8,
        unlabelled=load_dataset(f"folder:{tmp_path / 'unlabelled'}"),
    )
    (labelled, labels), unlabelled = next(iter(stream))
    assert sorted(labels.numpy().tolist()) == [0, 0, 0, 1, 1, 1] and labelled.numpy().min() > 0.7
    assert unlabelled.shape == (8, 8, 8, 1) and unlabelled.numpy().max() < 0.25
    with pytest.raises(ValueError, match="no label"):
        semi_supervised_dataset(load_dataset(f"folder:{tmp_path / 'unlabelled'}"), num_labels=None, labelled_batch_size=2, unlabelled_batch_size=2)
