"""`genrepair-serve`'s application: an HTTP API (and the page that uses it) over one or more restorers.

Endpoints:
- `GET /healthz`: `{"status": "ok", "models": [...]}`.
- `GET /v1/models`: each model's name, class, channels, whether it takes a noise level, and its preset
  metadata; the default model; the corruption names `corruption` accepts.
- `GET /`: the page (`web_page.html`: open or drop an image, paint the mask, restore, compare, download).
- `POST /v1/restore`: multipart fields `image` (and optional `mask`: white = missing, as OpenCV and
  IOPaint) with optional form fields `model`, `noise_level` (noise standard deviation in [0, 1]),
  `corruption`, `severity`, `seed`, `job`; or a JSON body with the same keys and `image`/`mask` as base64.
  Answers the restored image as a PNG.
- `GET /v1/progress/<job>`: `{"done": k, "total": n}` tiles (or batches) of the restore sent with that
  `job` id (a name of the client's choosing), while it runs and just after.

Every failure answers a JSON `{"error": ...}` with a 4xx status (413 for a body over the size limit), and
the server keeps serving. Uploads are held in memory within the limits; nothing from a request names a
file. One restore at a time per model (a lock): TensorFlow already spreads one restore over the cores.

Example:
    >>> app = create_app({"denoise_gray": Restorer.from_preset("denoise_gray")})
    >>> app.test_client().post("/v1/restore", data={"image": (open("noisy.png", "rb"), "noisy.png"), "noise_level": "0.1"})
"""

import base64
import binascii
import collections
import concurrent.futures
import importlib.resources
import re
import threading
import time
from typing import Mapping

import flask
from werkzeug.exceptions import HTTPException

from tf_genrepair.corruptions import CORRUPTIONS, get_corruption
from tf_genrepair.deploy.file_tools import restore_image
from tf_genrepair.deploy.warm_up import warm_up
from tf_genrepair.io import DataError, encode_png, read_image, read_mask
from tf_genrepair.io.memory import release_free_memory
from tf_genrepair.models.restorer_inputs import SIZE_LADDER

DEFAULT_MAX_PIXELS = 16_000_000
DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KEPT_JOBS = 256  # Progress of the newest jobs is kept; older entries are dropped.


class RequestError(ValueError):
    """A request the API refuses, with the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _describe(name: str, restorer, metadata: Mapping[str, dict]) -> dict:
    return {
        "name": name,
        "class": type(restorer).__name__,
        "channels": int(restorer.channels),
        "noise_level_input": bool(restorer.noise_level_input),
        **({"preset": metadata[name]} if name in metadata else {}),
    }


def _field(payload: Mapping, files: Mapping, name: str) -> bytes | None:
    """An image field's bytes: an uploaded file, or base64 text in a form or JSON body."""
    if name in files:
        return files[name].read()
    value = payload.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RequestError(f"`{name}` must be an image file or base64 text. Received: {type(value).__name__}")
    try:
        return base64.b64decode(value.split(",", 1)[-1] if value.startswith("data:") else value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise RequestError(f"`{name}` is not valid base64: {error}") from error


def _number(payload: Mapping, name: str, kind: type, low: float, high: float, default=None):
    value = payload.get(name, default)
    if value in (None, ""):
        return default
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise RequestError(f"`{name}` must be a number in [{low}, {high}]. Received: {name}={value!r}") from None
    if not low <= number <= high:
        raise RequestError(f"`{name}` must be a number in [{low}, {high}]. Received: {name}={value!r}")
    return number


def create_app(
    restorers: Mapping[str, object],
    *,
    metadata: Mapping[str, dict] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    tile_size: int = 512,
    size_ladder: tuple[int, ...] | None = SIZE_LADDER,
    warm: bool = False,
) -> flask.Flask:
    """The Flask application serving `restorers` (name -> `Restorer` or `ExportedRestorer`).

    Args:
        restorers: The models, by the name requests use; the first is the default.
        metadata: Optional description per name (a preset's manifest entry), shown by `/v1/models`.
        max_pixels: Larger images (or masks) are refused before they are decoded.
        max_body_bytes: Larger request bodies are refused (413).
        tile_size: Images larger than this on a side are restored tile by tile.
        size_ladder: Shape bucketing (see `apply_restorer`): every request's size reaches the network as
            one of a few shapes, so memory kept per shape stays bounded; None turns it off.
        warm: Before returning, run each model once on every shape requests can reach (`warm_up`), so the
            server's memory is flat from its first request (needs a size ladder).
    """
    if not restorers:
        raise ValueError("The server needs at least one restorer. Received none.")
    metadata = dict(metadata or {})
    app = flask.Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    # One thread per model runs its restores, one at a time: TensorFlow's oneDNN primitives are cached per
    # input shape in a thread_local cache (MklPrimitiveFactory), so restoring on whichever request thread
    # arrived would keep a copy of that state per thread.
    workers = {name: concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=f"restore-{name}") for name in restorers}
    if warm:
        for name, restorer in restorers.items():  # On the model's own thread: that is where its shapes' state lives.
            workers[name].submit(warm_up, restorer, tile_size=tile_size, size_ladder=size_ladder).result()
        release_free_memory()
    default = next(iter(restorers))
    progress: collections.OrderedDict[str, dict] = collections.OrderedDict()
    progress_lock = threading.Lock()

    def reporter(job: str | None):
        if job is None:
            return None
        if not JOB_ID.match(job):
            raise RequestError(f"`job` must be 1 to 64 letters, digits, '-' or '_'. Received: job={job!r}")
        with progress_lock:
            progress[job] = {"done": 0, "total": None}
            while len(progress) > KEPT_JOBS:
                progress.popitem(last=False)

        def report(done: int, total: int) -> None:
            with progress_lock:
                progress[job] = {"done": done, "total": total}

        return report

    @app.errorhandler(RequestError)
    def refused(error: RequestError):
        return flask.jsonify(error=str(error)), error.status

    @app.errorhandler(DataError)
    def unreadable(error: DataError):
        return flask.jsonify(error=str(error)), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = f"The request body is over the limit of {max_body_bytes} bytes." if error.code == 413 else error.description
        return flask.jsonify(error=message), error.code

    @app.get("/healthz")
    def health():
        return flask.jsonify(status="ok", models=list(restorers))

    @app.get("/v1/models")
    def models():
        described = [_describe(name, restorer, metadata) for name, restorer in restorers.items()]
        return flask.jsonify(models=described, default=default, corruptions=sorted(CORRUPTIONS))

    @app.post("/v1/restore")
    def restore():
        payload = flask.request.form if flask.request.files or flask.request.form else flask.request.get_json(silent=True)
        if payload is None:
            raise RequestError("Send the image as multipart/form-data (field `image`) or as JSON with base64 `image`.")
        name = payload.get("model") or default
        if name not in restorers:
            raise RequestError(f"Unknown model {name!r}. Served models: {', '.join(restorers)}.", 404)
        restorer = restorers[name]
        image_bytes = _field(payload, flask.request.files, "image")
        if image_bytes is None:
            raise RequestError("The request has no `image`.")
        image = read_image(image_bytes, "grayscale" if restorer.channels == 1 else "rgb", max_pixels=max_pixels, name="`image`")
        mask_bytes = _field(payload, flask.request.files, "mask")
        mask = read_mask(mask_bytes, shape=image.shape[:2], max_pixels=max_pixels, name="`mask`") if mask_bytes else None
        noise_level = _number(payload, "noise_level", float, 0.0, 1.0)
        if restorer.noise_level_input and noise_level is None:
            raise RequestError(f"Model {name!r} takes the noise level: send `noise_level` (noise standard deviation in [0, 1]).")
        corruption = payload.get("corruption") or None
        if corruption:
            try:
                get_corruption(corruption)
            except ValueError as error:
                raise RequestError(str(error)) from error
        options = dict(
            corruption=corruption, severity=_number(payload, "severity", int, 1, 5, 3), seed=_number(payload, "seed", int, 0, 2**31 - 1, 0),
            noise_levels=noise_level if restorer.noise_level_input else None, tile_size=tile_size, size_ladder=size_ladder,
        )
        on_progress = reporter(payload.get("job") or None)
        started = time.perf_counter()
        restored = workers[name].submit(restore_image, restorer, image, mask, on_progress=on_progress, **options).result()
        response = flask.Response(encode_png(restored), mimetype="image/png")
        response.headers["X-Restore-Seconds"] = f"{time.perf_counter() - started:.3f}"
        response.headers["X-Model"] = name
        response.call_on_close(release_free_memory)  # After the answer is sent: freed image buffers go back to the system.
        return response

    @app.get("/v1/progress/<job>")
    def job_progress(job: str):
        with progress_lock:
            known = progress.get(job)
        if known is None:
            raise RequestError(f"No restore with job {job!r} is known (or it is long finished).", 404)
        return flask.jsonify(known)

    @app.get("/")
    def page():
        html = importlib.resources.files("tf_genrepair.deploy").joinpath("web_page.html").read_text(encoding="utf-8")
        return flask.Response(html, mimetype="text/html")

    return app
