"""Tiled inference equals whole-image inference when the overlap covers the receptive field."""

import numpy as np
import pytest
import tensorflow as tf

from tf_genrepair.models import tiled_apply


def box_filter(images: np.ndarray) -> np.ndarray:
    """A 5x5 mean filter with zero padding: receptive-field radius 2, like a tiny network."""
    kernel = tf.ones([5, 5, images.shape[-1], 1]) / 25.0
    return tf.nn.depthwise_conv2d(images, kernel, [1, 1, 1, 1], "SAME").numpy()


@pytest.mark.parametrize("height, width, tile_size, overlap", [(100, 70, 32, 12), (64, 64, 64, 8), (50, 90, 40, 16)])
def test_tiled_equals_untiled(height, width, tile_size, overlap):
    images = np.random.default_rng(0).random((2, height, width, 1), dtype=np.float32)
    tiled = tiled_apply(box_filter, images, output_channels=1, tile_size=tile_size, overlap=overlap, batch_size=5)
    np.testing.assert_allclose(tiled, box_filter(images), atol=1e-5)


def test_too_small_overlap_shows_seams_that_blending_softens():
    images = np.random.default_rng(0).random((1, 64, 64, 1), dtype=np.float32)
    tiled = tiled_apply(box_filter, images, output_channels=1, tile_size=32, overlap=4)
    assert not np.allclose(tiled, box_filter(images), atol=1e-5)  # Margin 1 < radius 2: padding leaks in.
    assert np.abs(tiled - box_filter(images)).max() < 0.2


def test_overlap_must_be_smaller_than_tile():
    with pytest.raises(ValueError, match="overlap"):
        tiled_apply(box_filter, np.zeros((1, 8, 8, 1), np.float32), output_channels=1, tile_size=8, overlap=8)
