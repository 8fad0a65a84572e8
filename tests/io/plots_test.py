"""Pictures are real PNGs of the expected size."""

import os

import numpy as np
import pytest
from PIL import Image

from tf_genrepair.io.plots import save_curves, save_image_grid, save_image_table


def test_grid_table_and_curves_are_png(tmp_path, digits):
    paths = [
        save_image_grid(digits[:10], str(tmp_path / "grid.png"), columns=5, title="digits"),
        save_image_table({"clean": digits[:3], "noisy": np.clip(digits[:3] + 0.3, 0, 1)}, str(tmp_path / "table.png")),
        save_curves([1, 2, 3], {"damaged": [0.9, 0.7, 0.4]}, str(tmp_path / "curve.png"), x_label="severity", y_label="accuracy"),
    ]
    for path in paths:
        with Image.open(path) as image:
            assert image.format == "PNG" and min(image.size) > 100
    assert sorted(os.listdir(tmp_path)) == ["curve.png", "grid.png", "table.png"]


def test_rgb_grid(tmp_path):
    save_image_grid(np.random.default_rng(0).random((4, 8, 8, 3)), str(tmp_path / "rgb.png"), columns=2)
    assert os.path.exists(tmp_path / "rgb.png")


def test_empty_grid_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="non-empty"):
        save_image_grid(np.zeros((0, 8, 8, 1)), str(tmp_path / "empty.png"))


def test_error_bars_are_drawn(tmp_path):
    series = {"restored": [0.8, 0.6]}
    plain = save_curves([3, 5], series, str(tmp_path / "plain.png"), x_label="severity", y_label="accuracy")
    barred = save_curves([3, 5], series, str(tmp_path / "bars.png"), x_label="severity", y_label="accuracy", errors={"restored": [0.05, 0.1]})
    with Image.open(plain) as first, Image.open(barred) as second:
        first, second = np.asarray(first), np.asarray(second)
    assert first.shape != second.shape or (first != second).any()
