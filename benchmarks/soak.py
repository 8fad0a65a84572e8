"""Soak test of `genrepair-serve` on 127.0.0.1: random sizes, bad requests, a crash drill, memory and latency.

Starts `genrepair-serve` with two presets (`inpaint_gray`, which uses masks, and `denoise_gray`, which
takes a noise level) and runs three phases, bounded in count and time:

1. Soak: `--requests` requests (default 1,000) from 4 concurrent clients. Images of random size (16 to
   1,024 pixels a side, gray or RGB; the server converts them to the model's channels), with and without
   masks; 10% are bad requests: random bytes, a truncated PNG, a PNG whose header claims 100,000 x 100,000
   pixels (a decompression bomb), a mask of another size, an unknown model, a body over the size limit.
   Every good answer is compared with `restore_image` (the library path the server calls, the same size
   ladder) on the same input in this process; every bad one must be a 4xx with a JSON error. The server's
   resident memory (RSS) is read every 50 requests twice: under load (the other clients' requests in
   flight) and settled (the clients pause until none is in flight, then wait a second); latency
   percentiles per size bucket. The server warms up first (`--warm_up`) and caps malloc arenas at 2
   (`--malloc_arenas`), its defaults.
2. Crash drill: 200 more requests from 4 clients; after 100 the server is killed (SIGKILL) and started
   again. Requests meanwhile must fail fast (a connection error), never hang; after the restart, answers
   must again match the library.
3. Concurrency: 25 requests of a 512x512 image from one client, then 100 from 4 clients: single-client
   p50 next to the 4-client p99.

A request that takes longer than `--timeout` seconds (default 120) counts as a hang. With
`--default_arenas`, phase 1 runs again against a server started with `--malloc_arenas=0` (glibc's own arena
count); with `--cold`, against a bucketed server started with `--nowarm_up`; with `--unbucketed`, against
a server started with `--size_ladder=off`.

    python benchmarks/soak.py --default_arenas     # about 40 minutes on 2 cores
    python benchmarks/soak.py --requests=100       # a quick look

Writes benchmarks/results/soak.json and docs/images/soak_memory.png.
"""

import argparse
import concurrent.futures
import io
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from typing import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import psutil  # noqa: E402
import requests  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402

MODELS = ("inpaint_gray", "denoise_gray")
BAD_KINDS = ("random_bytes", "truncated_png", "bomb_header", "mask_of_another_size", "unknown_model", "oversized_body")
SIZE_BUCKETS = (64, 128, 256, 512, 1024)
MAX_BODY_MB = 8
CLIENTS = 4
RSS_EVERY = 50
SETTLE_SECONDS = 1.0


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png() -> bytes:
    """A valid 1x1 PNG whose header (with a correct CRC) claims 100,000 x 100,000 pixels."""
    original = png_bytes(np.zeros((1, 1), np.uint8))
    header = b"IHDR" + struct.pack(">II", 100_000, 100_000) + original[24:29]
    return original[:12] + header + struct.pack(">I", zlib.crc32(header)) + original[33:]


def make_request(index: int, seed: int) -> dict:
    """The `index`-th request of the run: a good one (image, maybe mask, model, noise level) or a bad one."""
    rng = np.random.default_rng([seed, index])
    height, width = (int(side) for side in rng.integers(16, 1025, size=2))
    rgb = bool(rng.random() < 0.5)
    rows, cols = np.mgrid[0:height, 0:width]
    picture = 0.5 + 0.25 * np.sin(rows / rng.uniform(5, 40)) * np.cos(cols / rng.uniform(5, 40))
    picture = picture[..., np.newaxis] * (rng.uniform(0.6, 1.0, 3) if rgb else np.ones(1))
    picture = np.clip(picture + rng.normal(0, 0.05, picture.shape), 0, 1)
    image = np.round(picture * 255).astype(np.uint8)
    request = {"index": index, "model": MODELS[index % 2], "height": height, "width": width, "rgb": rgb, "bad": None,
               "files": {"image": png_bytes(image if rgb else image[..., 0])}, "data": {}}
    if request["model"] == "denoise_gray":
        request["data"]["noise_level"] = f"{rng.uniform(0.02, 0.2):.3f}"
    elif rng.random() < 0.7:
        missing = np.zeros((height, width), np.uint8)
        for _ in range(int(rng.integers(1, 6))):
            top, left = int(rng.integers(0, height)), int(rng.integers(0, width))
            missing[top : top + max(1, height // 6), left : left + max(1, width // 6)] = 255
        request["files"]["mask"] = png_bytes(missing)
    if rng.random() < 0.1:
        kind = BAD_KINDS[int(rng.integers(0, len(BAD_KINDS)))]
        request["bad"] = kind
        if kind == "random_bytes":
            request["files"]["image"] = rng.bytes(2000)
        elif kind == "truncated_png":
            request["files"]["image"] = request["files"]["image"][: len(request["files"]["image"]) // 2]
        elif kind == "bomb_header":
            request["files"]["image"] = bomb_png()
        elif kind == "mask_of_another_size":
            request["model"] = "inpaint_gray"
            request["data"].pop("noise_level", None)
            request["files"]["mask"] = png_bytes(np.zeros((height + 3, width), np.uint8))
        elif kind == "unknown_model":
            request["model"] = "no_such_model"
        else:
            request["files"]["image"] = rng.bytes(MAX_BODY_MB * 2**20 + 1024)
    request["data"]["model"] = request["model"]
    return request


class Server:
    """`genrepair-serve` in a child process on a free 127.0.0.1 port."""

    def __init__(self, size_ladder: str, warm: bool = True, malloc_arenas: int | None = None):
        self.size_ladder, self.warm, self.malloc_arenas, self.process, self.port = size_ladder, warm, malloc_arenas, None, None

    def start(self, timeout: float = 180.0) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [os.path.join(os.path.dirname(sys.executable), "genrepair-serve"), *(f"--model=preset:{name}" for name in MODELS),
                   f"--port={self.port}", f"--max_body_mb={MAX_BODY_MB}", f"--size_ladder={self.size_ladder}", "--threads=8",
                   "--warm_up" if self.warm else "--nowarm_up"]
        if self.malloc_arenas is not None:
            command.append(f"--malloc_arenas={self.malloc_arenas}")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.5)
        raise RuntimeError(f"genrepair-serve did not answer /healthz within {timeout} s")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mib(self) -> float:
        return psutil.Process(self.process.pid).memory_info().rss / 2**20

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Checker:
    """What the library answers for a request: `restore_image` on the same bytes, as the server calls it."""

    def __init__(self, size_ladder: str):
        import tf_genrepair.models  # noqa: F401  (registers the models for loading)
        from tf_genrepair.models.restorer_inputs import parse_size_ladder
        from tf_genrepair.deploy.file_tools import load_restorer

        self.restorers = {name: load_restorer(f"preset:{name}") for name in MODELS}
        self.size_ladder = parse_size_ladder(size_ladder)
        self.lock = threading.Lock()

    def expected(self, request: dict) -> np.ndarray:
        from tf_genrepair.deploy.file_tools import restore_image
        from tf_genrepair.io import read_image, read_mask

        restorer = self.restorers[request["model"]]
        image = read_image(request["files"]["image"], "grayscale" if restorer.channels == 1 else "rgb")
        mask = read_mask(request["files"]["mask"], shape=image.shape[:2]) if "mask" in request["files"] else None
        noise = float(request["data"]["noise_level"]) if "noise_level" in request["data"] else None
        with self.lock:
            return restore_image(restorer, image, mask, noise_levels=noise, tile_size=512, size_ladder=self.size_ladder)


def send(server: Server, request: dict, timeout: float) -> dict:
    """One request; returns what happened: status, seconds, body, or the error and whether it timed out."""
    files = {name: (f"{name}.png", payload, "image/png") for name, payload in request["files"].items()}
    started = time.perf_counter()
    try:
        response = requests.post(f"{server.url}/v1/restore", files=files, data=request["data"], timeout=timeout)
        return {"status": response.status_code, "seconds": time.perf_counter() - started, "body": response.content,
                "json": response.headers.get("Content-Type", "").startswith("application/json")}
    except requests.Timeout:
        return {"status": None, "seconds": time.perf_counter() - started, "error": "timeout", "hang": True}
    except requests.RequestException as error:
        return {"status": None, "seconds": time.perf_counter() - started, "error": type(error).__name__, "hang": False}


def judge(request: dict, answer: dict, checker: Checker) -> str:
    """`right`, or what went wrong: `wrong_answer`, `bad_not_refused`, `good_refused`, `hang`, `failed`."""
    if answer.get("hang"):
        return "hang"
    if answer["status"] is None:
        return "failed"
    if request["bad"]:
        return "right" if 400 <= answer["status"] < 500 and answer["json"] and "error" in json.loads(answer["body"]) else "bad_not_refused"
    if answer["status"] != 200:
        return "good_refused"
    served = np.asarray(Image.open(io.BytesIO(answer["body"])), np.float32) / 255.0
    expected = checker.expected(request)
    served = served.reshape(expected.shape) if served.size == expected.size else served
    same = served.shape == expected.shape and float(np.abs(served - np.round(expected * 255) / 255).max()) <= 1.5 / 255
    return "right" if same else "wrong_answer"


def run_requests(server: Server, count: int, make: Callable[[int], dict], checker: Checker, timeout: float, *, clients: int = CLIENTS,
                 on_count=None, settle_every: int | None = None, on_settled=None) -> list[dict]:
    """Sends `make(0)` ... `make(count - 1)` from `clients` threads (in order of index), judges every answer.

    With `settle_every`, after every that many answers the clients stop sending until none is in flight,
    and `on_settled(answers)` runs on the idle server before they go on.
    """
    counter = iter(range(count))
    state = {"in_flight": 0, "paused": False}
    condition, records = threading.Condition(), []

    def client() -> None:
        while True:
            with condition:
                condition.wait_for(lambda: not state["paused"])
                position = next(counter, None)
                if position is None:
                    return
                state["in_flight"] += 1
            request = make(position)  # Built by the client that sends it: a thousand images are never all in memory.
            answer = send(server, request, timeout)
            record = {key: request[key] for key in ("index", "model", "height", "width", "rgb", "bad")}
            record.update(status=answer["status"], seconds=answer["seconds"], error=answer.get("error"), verdict=judge(request, answer, checker))
            with condition:
                records.append(record)
                done = len(records)
                state["in_flight"] -= 1
                condition.notify_all()
            if on_count:
                on_count(done)
            if settle_every and done % settle_every == 0:
                with condition:
                    state["paused"] = True
                    condition.wait_for(lambda: state["in_flight"] == 0)
                on_settled(done)
                with condition:
                    state["paused"] = False
                    condition.notify_all()

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(client) for _ in range(clients)]:
            future.result()
    return sorted(records, key=lambda record: record["index"])


def percentiles(seconds: list[float]) -> dict:
    values = np.array(seconds)
    return {"count": len(values), **{f"p{q}": float(np.percentile(values, q)) for q in (50, 95, 99)}} if len(values) else {"count": 0}


def latency_by_bucket(records: list[dict]) -> dict:
    table = {}
    for low, high in zip((0,) + SIZE_BUCKETS, SIZE_BUCKETS):
        chosen = [r["seconds"] for r in records if not r["bad"] and r["verdict"] == "right" and low < max(r["height"], r["width"]) <= high]
        table[f"{low + 1}-{high}"] = percentiles(chosen)
    return table


def verdicts(records: list[dict]) -> dict:
    counts = {}
    for record in records:
        counts[record["verdict"]] = counts.get(record["verdict"], 0) + 1
    return counts


def soak_phase(size_ladder: str, count: int, seed: int, timeout: float, warm: bool = True, malloc_arenas: int | None = None) -> dict:
    """Phase 1 against a server with `size_ladder` (warm-up if `warm` and bucketed; `--malloc_arenas` if given): RSS under load and settled."""
    warm = warm and size_ladder != "off"
    label = f"size ladder {size_ladder}" + (", warmed up" if warm else ", no warm-up" if size_ladder != "off" else "")
    label += ", glibc's default arenas" if malloc_arenas == 0 else ""
    server, checker = Server(size_ladder, warm, malloc_arenas), Checker(size_ladder)
    server.start()
    rss = [{"requests": 0, "rss_mib": server.rss_mib()}]
    settled = [dict(rss[0])]
    progress = {"next": RSS_EVERY}
    progress_lock = threading.Lock()

    def sample(done: int) -> None:
        with progress_lock:
            if done >= progress["next"]:
                rss.append({"requests": done, "rss_mib": server.rss_mib()})
                progress["next"] += RSS_EVERY
                print(f"[{label}] {done}/{count} requests, server RSS {rss[-1]['rss_mib']:.0f} MiB", flush=True)

    def settle(done: int) -> None:
        time.sleep(SETTLE_SECONDS)  # The server hands freed memory back just after each answer is sent.
        settled.append({"requests": done, "rss_mib": server.rss_mib()})

    records = run_requests(server, count, lambda index: make_request(index, seed), checker, timeout, on_count=sample,
                           settle_every=RSS_EVERY, on_settled=settle)
    crashed = server.process.poll() is not None
    server.stop()
    arenas = "glibc default" if malloc_arenas == 0 else "server default"
    return {"size_ladder": size_ladder, "warm_up": warm, "malloc_arenas": arenas, "label": label, "requests": count, "verdicts": verdicts(records),
            "server_crashed": crashed, "bad_requests": {kind: verdicts([r for r in records if r["bad"] == kind]) for kind in BAD_KINDS},
            "rss_mib": rss, "rss_growth_after_100": growth_after_100(rss), "settled_rss_mib": settled,
            "settled_rss_growth_after_100": growth_after_100(settled), "latency_seconds_by_max_side": latency_by_bucket(records)}


def growth_after_100(points: list[dict]) -> float | None:
    """Highest RSS after request 100 over RSS at request 100, minus 1 (None for runs of 100 requests or fewer)."""
    later = [point["rss_mib"] for point in points if point["requests"] >= 100]
    return max(later) / later[0] - 1 if len(later) > 1 else None


def crash_drill(seed: int, timeout: float, count: int = 200) -> dict:
    server, checker = Server("default"), Checker("default")
    server.start()
    killed = {"done": False, "restart_seconds": None}
    kill_lock = threading.Lock()

    def maybe_kill(done: int) -> None:
        with kill_lock:
            if done >= count // 2 and not killed["done"]:
                killed["done"] = True
                server.kill()
                print("server killed (SIGKILL); restarting", flush=True)
                started = time.perf_counter()
                server.start()
                killed["restart_seconds"] = time.perf_counter() - started

    records = run_requests(server, count, lambda index: make_request(index, seed + 1), checker, timeout, on_count=maybe_kill)
    server.stop()
    cutoff = max((r["index"] for r in records if r["verdict"] == "failed"), default=-1)
    after = [r for r in records if r["index"] > cutoff]
    return {"requests": count, "verdicts": verdicts(records), "restart_seconds": killed["restart_seconds"],
            "slowest_failed_request_seconds": max((r["seconds"] for r in records if r["verdict"] == "failed"), default=None),
            "after_restart": {"requests": len(after), "verdicts": verdicts(after)}}


def concurrency_phase(timeout: float) -> dict:
    server, checker = Server("default"), Checker("default")
    server.start()
    rng = np.random.default_rng(7)
    image = np.round(np.clip(0.5 + 0.2 * rng.standard_normal((512, 512)), 0, 1) * 255).astype(np.uint8)
    request = {"model": "denoise_gray", "height": 512, "width": 512, "rgb": False, "bad": None,
               "files": {"image": png_bytes(image)}, "data": {"model": "denoise_gray", "noise_level": "0.1"}}
    same_image = lambda index: {**request, "index": index}  # noqa: E731
    single = run_requests(server, 25, same_image, checker, timeout, clients=1)
    together = run_requests(server, 100, same_image, checker, timeout, clients=CLIENTS)
    server.stop()
    return {"image": "512x512 gray, denoise_gray", "single_client": percentiles([r["seconds"] for r in single]),
            "four_clients": percentiles([r["seconds"] for r in together]), "verdicts": verdicts(single + together)}


def memory_picture(phases: list[dict], path: str) -> None:
    """Server RSS against requests answered, under load and settled, one pair of lines per server setting."""
    from tf_genrepair.io.plots import save_curves

    counts = [point["requests"] for point in phases[0]["rss_mib"]]
    series = {}
    for phase in phases:
        for key, kind in (("rss_mib", "under load"), ("settled_rss_mib", "settled")):
            series[f"{phase['label']}: {kind}"] = [point["rss_mib"] for point in phase[key]][: len(counts)]
    save_curves(counts, series, path, x_label="requests answered", y_label="server RSS (MiB)", title="genrepair-serve, random image sizes",
                dashed=[name for name in series if name.endswith("settled")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=120.0, help="Seconds after which a request counts as a hang.")
    parser.add_argument("--default_arenas", action="store_true", help="Also run the soak against a server started with --malloc_arenas=0.")
    parser.add_argument("--cold", action="store_true", help="Also run the soak against a bucketed server started with --nowarm_up.")
    parser.add_argument("--unbucketed", action="store_true", help="Also run the soak against a server with --size_ladder=off.")
    parser.add_argument("--output", default=default_output("soak"))
    parser.add_argument("--picture", default="docs/images/soak_memory.png")
    arguments = parser.parse_args()
    started = time.time()
    phases = [soak_phase("default", arguments.requests, arguments.seed, arguments.timeout)]
    if arguments.default_arenas:
        phases.append(soak_phase("default", arguments.requests, arguments.seed, arguments.timeout, malloc_arenas=0))
    if arguments.cold:
        phases.append(soak_phase("default", arguments.requests, arguments.seed, arguments.timeout, warm=False))
    if arguments.unbucketed:
        phases.append(soak_phase("off", arguments.requests, arguments.seed, arguments.timeout))
    drill = crash_drill(arguments.seed, arguments.timeout)
    concurrency = concurrency_phase(arguments.timeout)
    memory_picture(phases, arguments.picture)
    document = {"timeout_seconds": arguments.timeout, "clients": CLIENTS, "models": list(MODELS), "soak": phases, "crash_drill": drill,
                "concurrency_512": concurrency}
    document = write_results(arguments.output, document, started=started)
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
