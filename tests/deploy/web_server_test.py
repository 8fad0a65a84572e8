"""genrepair-serve's API: restores like `restore_image`, refuses bad requests with JSON errors and keeps serving, answers concurrent requests correctly."""

import base64
import concurrent.futures
import io
import json
import threading
import urllib.error
import urllib.request

import numpy as np
import pytest
import waitress
from PIL import Image

from tf_genrepair.deploy.file_tools import restore_image
from tf_genrepair.deploy.web_server import create_app
from tf_genrepair.io import encode_png
from tf_genrepair.models import Restorer


@pytest.fixture(scope="module")
def restorers() -> dict:
    return {"restore_mnist": Restorer.from_preset("restore_mnist"), "denoise_gray": Restorer.from_preset("denoise_gray")}


@pytest.fixture(scope="module")
def client(restorers):
    return create_app(restorers, max_pixels=200 * 200, max_body_bytes=300_000).test_client()


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _image(height: int, width: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width), dtype=np.uint8)


def _decoded(body: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(body)))


def _expected(restorer, pixels: np.ndarray, mask: np.ndarray | None = None, **options) -> np.ndarray:
    """What the API must answer: `restore_image` on the same decoded input, as 8-bit pixels."""
    image = pixels[..., np.newaxis].astype(np.float32) / 255.0
    observed = None if mask is None else (mask < 128)[..., np.newaxis].astype(np.float32)
    return _decoded(encode_png(restore_image(restorer, image, observed, **options)))  # Both bucket sizes.


def test_health_models_and_page(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "models": ["restore_mnist", "denoise_gray"]}
    body = client.get("/v1/models").get_json()
    assert body["default"] == "restore_mnist" and "free_form" in body["corruptions"]
    assert {model["name"]: model["noise_level_input"] for model in body["models"]} == {"restore_mnist": False, "denoise_gray": True}
    page = client.get("/")
    assert page.status_code == 200 and b"/v1/restore" in page.data and b"<script src=" not in page.data  # Offline: nothing external.


def test_multipart_and_json_requests_restore_like_the_library(client, restorers):
    pixels, mask = _image(28, 28, 0), np.zeros((28, 28), np.uint8)
    mask[8:16, 5:20] = 255  # White: missing.
    answer = client.post("/v1/restore", data={"image": (io.BytesIO(_png(pixels)), "x.png"), "mask": (io.BytesIO(_png(mask)), "m.png")})
    assert answer.status_code == 200 and answer.mimetype == "image/png" and answer.headers["X-Model"] == "restore_mnist"
    np.testing.assert_array_equal(_decoded(answer.data), _expected(restorers["restore_mnist"], pixels, mask))
    noisy = _image(40, 48, 1)
    body = {"image": base64.b64encode(_png(noisy)).decode(), "model": "denoise_gray", "noise_level": 0.1}
    answer = client.post("/v1/restore", json=body)
    assert answer.status_code == 200
    np.testing.assert_array_equal(_decoded(answer.data), _expected(restorers["denoise_gray"], noisy, noise_levels=0.1))
    answer = client.post("/v1/restore", data={"image": (io.BytesIO(_png(pixels)), "x.png"), "corruption": "gaussian_noise", "severity": "4"})
    np.testing.assert_array_equal(_decoded(answer.data), _expected(restorers["restore_mnist"], pixels, corruption="gaussian_noise", severity=4))


def _header_only_png(width: int, height: int) -> bytes:
    """A PNG signature and a well-formed IHDR chunk claiming `width` x `height`, then IEND: no pixel data at all."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + chunk(b"IEND", b"")


BAD_REQUESTS = [
    ("no image", {"model": "restore_mnist"}, 400, "no `image`"),
    ("not an image", {"image": (io.BytesIO(b"plain text"), "a.txt")}, 400, "not a PNG, JPEG or BMP image"),
    ("truncated", {"image": (io.BytesIO(_png(_image(64, 64, 2))[:200]), "t.png")}, 400, "Cannot read image `image`"),
    ("too many pixels", {"image": (io.BytesIO(_png(np.zeros((210, 200), np.uint8))), "big.png")}, 400, "210 pixels, more than the limit of 40000"),
    ("decompression bomb", {"image": (io.BytesIO(_header_only_png(100_000, 100_000)), "bomb.png")}, 400, "decompression bomb"),
    ("mask of another size", {"image": (io.BytesIO(_png(_image(28, 28, 3))), "x.png"), "mask": (io.BytesIO(_png(np.zeros((10, 10), np.uint8))), "m.png")}, 400, "is 10x10 but the image is 28x28"),
    ("unknown model", {"image": (io.BytesIO(_png(_image(28, 28, 4))), "x.png"), "model": "nope"}, 404, "Unknown model 'nope'. Served models: restore_mnist, denoise_gray"),
    ("missing noise level", {"image": (io.BytesIO(_png(_image(28, 28, 5))), "x.png"), "model": "denoise_gray"}, 400, "takes the noise level"),
    ("noise level out of range", {"image": (io.BytesIO(_png(_image(28, 28, 5))), "x.png"), "model": "denoise_gray", "noise_level": "25"}, 400, "`noise_level` must be a number in"),
    ("unknown corruption", {"image": (io.BytesIO(_png(_image(28, 28, 6))), "x.png"), "corruption": "rain"}, 400, "rain"),
    ("body over the limit", {"image": (io.BytesIO(b"\0" * 400_000), "huge.png")}, 413, "over the limit of 300000 bytes"),
]


@pytest.mark.parametrize("case, form, status, message", BAD_REQUESTS, ids=[case[0] for case in BAD_REQUESTS])
def test_bad_requests_get_a_json_error_and_the_server_keeps_serving(client, case, form, status, message):
    answer = client.post("/v1/restore", data=form)
    assert answer.status_code == status and message in answer.get_json()["error"], answer.get_json()
    assert client.get("/healthz").status_code == 200


def test_a_tiled_restore_reports_its_progress_by_job(restorers):
    client = create_app(restorers, tile_size=256).test_client()
    photo = _image(600, 600, 7)  # Tiles of 256 sharing 64 pixels: 3 x 3 of them.
    answer = client.post("/v1/restore", data={"image": (io.BytesIO(_png(photo)), "big.png"), "job": "big-1"})
    assert answer.status_code == 200
    assert client.get("/v1/progress/big-1").get_json() == {"done": 9, "total": 9}
    assert client.get("/v1/progress/unknown").status_code == 404
    refused = client.post("/v1/restore", data={"image": (io.BytesIO(_png(photo)), "big.png"), "job": "../etc"})
    assert refused.status_code == 400 and "`job` must be" in refused.get_json()["error"]


def test_bad_json_bodies_are_refused(client):
    assert "base64" in client.post("/v1/restore", json={"image": "%%%"}).get_json()["error"]
    assert "multipart/form-data" in client.post("/v1/restore", data=b"x", content_type="text/plain").get_json()["error"]


def test_twenty_concurrent_requests_of_mixed_sizes_are_each_answered_correctly(restorers):
    app = create_app(restorers)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}/v1/restore"
        cases = []
        for index in range(20):
            height, width = [(28, 28), (40, 56), (64, 48), (100, 90)][index % 4]
            model = "denoise_gray" if index % 3 == 0 else "restore_mnist"
            cases.append((model, _image(height, width, 10 + index)))

        def ask(case):
            model, pixels = case
            body = {"image": base64.b64encode(_png(pixels)).decode(), "model": model, "noise_level": 0.05}
            request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=120) as response:
                return _decoded(response.read())

        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(ask, cases))
        for (model, pixels), answer in zip(cases, answers):
            noise = 0.05 if model == "denoise_gray" else None
            np.testing.assert_array_equal(answer, _expected(restorers[model], pixels, noise_levels=noise))
    finally:
        server.close()
