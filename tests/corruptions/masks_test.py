"""Missing-value corruptions: fractions, shapes, user masks."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tf_genrepair.corruptions import apply_mask, mask_corruption, masks
from tf_genrepair.io import read_mask

ONES = np.ones((16, 28, 28, 1), np.float32)


@pytest.mark.parametrize("severity", [1, 3, 4, 5])
def test_pixel_dropout_hides_the_documented_fraction(severity):
    rate = masks.pixel_dropout.parameters["rate"][severity - 1]
    damaged, mask = masks.pixel_dropout(ONES, severity=severity, seed=0)
    assert 1 - mask.numpy().mean() == pytest.approx(rate, abs=0.02)
    np.testing.assert_array_equal(damaged.numpy(), mask.numpy())


@pytest.mark.parametrize("severity", [1, 3, 5])
def test_box_is_one_rectangle_of_the_documented_size_inside_the_image(severity):
    fraction = masks.box.parameters["side_fraction"][severity - 1]
    _, mask = masks.box(ONES, severity=severity, seed=severity)
    side = round(fraction * 28)
    for hole in 1 - mask.numpy()[..., 0]:
        rows, cols = np.nonzero(hole)
        assert hole.sum() == side * side
        assert rows.max() - rows.min() + 1 == side and cols.max() - cols.min() + 1 == side


def test_free_form_strokes_grow_thicker_and_longer():
    missing = [1 - float(tf.reduce_mean(masks.free_form(ONES, severity=s, seed=0)[1])) for s in range(1, 6)]
    assert all(later > earlier for earlier, later in zip(missing, missing[1:])), missing
    assert 0.01 < missing[0] and missing[-1] < 0.9


def test_user_mask_from_array_and_file(tmp_path, digits):
    holes = np.zeros((28, 28), np.uint8)
    holes[5:10, 5:20] = 255  # White marks missing pixels, as in OpenCV and LaMa masks.
    path = str(tmp_path / "holes.png")
    Image.fromarray(holes).save(path)
    mask = read_mask(path)
    assert mask.shape == (28, 28, 1) and mask.sum() == 28 * 28 - 5 * 15
    damaged, batch_mask = mask_corruption(path)(digits, severity=1, seed=0)
    assert batch_mask.shape == (32, 28, 28, 1)
    assert float(tf.reduce_max(damaged[:, 5:10, 5:20])) == 0.0
    np.testing.assert_array_equal(damaged[:, 12:].numpy(), digits[:, 12:])
    np.testing.assert_array_equal(apply_mask(digits, mask)[0].numpy(), damaged.numpy())


def test_mask_of_another_size_is_rejected(digits):
    with pytest.raises(ValueError, match=r"mask.shape=\(1, 27, 28, 1\)"):
        apply_mask(digits, np.ones((27, 28), np.float32))


def test_unreadable_mask_file_is_named(tmp_path):
    path = tmp_path / "broken.png"
    path.write_bytes(b"not a png")
    with pytest.raises(ValueError, match="broken.png"):
        read_mask(str(path))
