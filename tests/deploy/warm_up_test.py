"""Warm-up reaches every shape bucketed requests can give the network, on the thread that restores them."""

import io
import threading

import numpy as np
import pytest
from PIL import Image

from tf_genrepair.deploy.file_tools import restore_image
from tf_genrepair.deploy.warm_up import warm_up, warm_up_sides
from tf_genrepair.deploy.web_server import create_app
from tf_genrepair.models import restore_images

LADDER = (8, 16, 32, 64, 128)


class ShapeRecorder:
    """A restorer whose network is the identity and which records each input shape and the thread it ran on."""

    channels, noise_level_input = 1, False

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[int, ...], str]] = []

    def forward(self, inputs: list[np.ndarray]) -> np.ndarray:
        self.calls.append((inputs[0].shape, threading.current_thread().name))
        return inputs[0]

    def restore(self, images, masks=None, *, noise_levels=None, **options) -> np.ndarray:
        return restore_images(self.forward, images, masks, noise_levels, channels=1, noise_level_input=False, **options)

    def shapes(self) -> set:
        return {shape for shape, _ in self.calls}


def test_sides_cover_each_bucket_once_and_the_tiles_when_they_are_no_bucket():
    assert warm_up_sides(512, (32, 64, 128, 256, 512, 1024)) == (32, 64, 128, 256, 512)
    # Sides 257..300 are padded to 512 and seen whole; larger ones are cut into 300-pixel tiles.
    assert warm_up_sides(300, (32, 64, 128, 256, 512, 1024)) == (32, 64, 128, 256, 300, 301)


@pytest.mark.parametrize("tile_size", [64, 48])
def test_after_warm_up_no_request_size_reaches_a_new_shape(tile_size):
    recorder = ShapeRecorder()
    count = warm_up(recorder, tile_size=tile_size, size_ladder=LADDER)
    warmed = recorder.shapes()
    assert count == len(warm_up_sides(tile_size, LADDER)) ** 2 and len(warmed) > 4
    recorder.calls.clear()
    rng = np.random.default_rng(tile_size)
    for height, width in rng.integers(1, 200, size=(80, 2)):
        image = rng.random((height, width, 1), dtype=np.float32)
        restored = restore_image(recorder, image, tile_size=tile_size, size_ladder=LADDER)
        np.testing.assert_allclose(restored, image, atol=1e-6)  # The identity network: bucketing and tiling lose nothing.
    assert len(recorder.shapes()) > 4 and recorder.shapes() <= warmed, recorder.shapes() - warmed


def test_warm_up_needs_a_ladder():
    with pytest.raises(ValueError, match="size ladder"):
        warm_up(ShapeRecorder(), size_ladder=None)


def test_the_server_warms_each_model_on_the_thread_that_later_restores_it():
    recorder = ShapeRecorder()
    client = create_app({"identity": recorder}, tile_size=64, size_ladder=LADDER, warm=True).test_client()
    warmed = recorder.shapes()
    assert {thread for _, thread in recorder.calls} == {"restore-identity_0"}
    recorder.calls.clear()
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (90, 37), dtype=np.uint8)).save(buffer, format="PNG")
    assert client.post("/v1/restore", data={"image": (io.BytesIO(buffer.getvalue()), "x.png")}).status_code == 200
    assert recorder.calls and all(shape in warmed and thread == "restore-identity_0" for shape, thread in recorder.calls)
