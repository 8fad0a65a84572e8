"""Memory under load: 200 consecutive restore requests of mixed sizes through an exported restorer.

Each path runs in a fresh process (so one path's allocations do not count against another) and
answers the same request sequence, one request at a time:

- `saved_model`: the exported `restore_masked` / `restore_masked_uint8` signatures, alternating,
  loaded with `tf.saved_model.load` (what TF Serving executes);
- `keras`: the Keras model called directly (the baseline);
- `saved_model_onednn_off`: `saved_model` in a process started with `TF_ENABLE_ONEDNN_OPTS=0`
  (TensorFlow's own CPU kernels instead of oneDNN's, which keep state for every input shape);
- `saved_model_primitive_cache_0`, `saved_model_malloc_arenas_2`: `saved_model` with oneDNN's
  primitive cache off (`ONEDNN_PRIMITIVE_CACHE_CAPACITY=0`) or glibc limited to two malloc arenas
  (`MALLOC_ARENA_MAX=2`), two settings often suggested against growing memory.

Two request mixes: `sizes_from_a_set` (8 image sizes from 28x28 to 512x512, shuffled; batch 1
or 4) and `random_sizes` (every request a new height and width in [16, 512]). The resident set
size (RSS, psutil) is read after every request; growth is the largest RSS after the warm-up
requests over the RSS at the end of the warm-up. Bar: growth at most 10%, every request answered
(a finite image of the request's shape). Seconds spent answering are reported beside it.

    python benchmarks/serving_memory.py --model=workdirs/inpaint_bsd/model.keras

Prints a JSON document and a table.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402

SET_SIZES = [(28, 28), (64, 48), (97, 131), (128, 128), (200, 300), (256, 256), (384, 512), (512, 512)]
MIXES = ("sizes_from_a_set", "random_sizes")
PATHS = {
    "saved_model": {},
    "keras": {},
    "saved_model_onednn_off": {"TF_ENABLE_ONEDNN_OPTS": "0"},
    "saved_model_primitive_cache_0": {"ONEDNN_PRIMITIVE_CACHE_CAPACITY": "0"},
    "saved_model_malloc_arenas_2": {"MALLOC_ARENA_MAX": "2"},
}


def requests(mix: str, count: int, seed: int = 0) -> list[tuple[int, int, int]]:
    """(batch, height, width) of each request."""
    import numpy as np

    rng = np.random.default_rng(seed)
    if mix == "sizes_from_a_set":
        shapes = [SET_SIZES[index] for index in rng.integers(0, len(SET_SIZES), count)]
    else:
        shapes = [tuple(int(side) for side in rng.integers(16, 513, 2)) for _ in range(count)]
    return [(4 if height * width <= 128 * 128 and index % 2 else 1, height, width) for index, (height, width) in enumerate(shapes)]


def serve(path: str, mix: str, *, model_path: str, count: int, warmup: int) -> dict:
    """Answers the request sequence in this process; returns RSS figures in MiB."""
    import keras
    import numpy as np
    import psutil
    import tensorflow as tf

    import tf_genrepair.models  # noqa: F401  (registers the models for loading)
    from tf_genrepair.deploy.saved_model import export_for_serving

    model = keras.saving.load_model(model_path)
    channels = model.network.inputs[0].shape[-1]
    if path.startswith("saved_model"):
        exported = export_for_serving(model, tempfile.mkdtemp(), name="restorer")
        loaded = tf.saved_model.load(exported)
        del model
        float_signature, uint8_signature = loaded.signatures["restore_masked"], loaded.signatures["restore_masked_uint8"]

        def answer(index: int, images: np.ndarray, masks: np.ndarray) -> np.ndarray:
            if index % 2:
                pixels = tf.constant(np.round(images * 255).astype(np.uint8))
                return next(iter(uint8_signature(images=pixels, masks=tf.constant(masks)).values())).numpy()
            return next(iter(float_signature(images=tf.constant(images), masks=tf.constant(masks)).values())).numpy()

    else:

        def answer(index: int, images: np.ndarray, masks: np.ndarray) -> np.ndarray:
            return np.asarray(model([images * masks, masks], training=False))

    process, rng = psutil.Process(), np.random.default_rng(1)
    rss, answered, seconds = [], 0, 0.0
    for index, (batch, height, width) in enumerate(requests(mix, count)):
        images = rng.random((batch, height, width, channels)).astype(np.float32)
        masks = (rng.random((batch, height, width, 1)) > 0.3).astype(np.float32)
        started = time.perf_counter()
        restored = answer(index, images, masks)
        seconds += time.perf_counter() - started
        answered += int(restored.shape[:3] == (batch, height, width) and np.isfinite(restored).all())
        rss.append(process.memory_info().rss / 2**20)
    after_warmup = rss[warmup - 1]
    return {
        "path": path,
        "mix": mix,
        "requests": count,
        "answered": answered,
        "rss_after_warmup_mib": round(after_warmup, 1),
        "rss_peak_after_warmup_mib": round(max(rss[warmup:]), 1),
        "rss_final_mib": round(rss[-1], 1),
        "growth": round(max(rss[warmup:]) / after_warmup - 1.0, 4),
        "seconds": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="workdirs/inpaint_bsd/model.keras", help="A trained Restorer (.keras).")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=40, help="Requests before the reference RSS is read.")
    parser.add_argument("--serve", nargs=2, metavar=("PATH", "MIX"), help=argparse.SUPPRESS)  # One measurement, in this process.
    parser.add_argument("--output", default=default_output("serving_memory"))
    arguments = parser.parse_args()
    started = time.time()
    if arguments.serve:
        print(json.dumps(serve(*arguments.serve, model_path=arguments.model, count=arguments.requests, warmup=arguments.warmup)))
        return
    results = []
    for mix in MIXES:
        for path, environment in PATHS.items():
            command = [sys.executable, __file__, f"--model={arguments.model}", f"--requests={arguments.requests}", f"--warmup={arguments.warmup}", "--serve", path, mix]
            output = subprocess.run(command, capture_output=True, text=True, check=True, env={**os.environ, **environment}).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
            print(f"measured {path} / {mix}", file=sys.stderr)
    print(json.dumps(write_results(arguments.output, {"model": arguments.model, "results": results}, started=started), indent=2))
    print("\n| mix | path | answered | RSS after warm-up (MiB) | peak after (MiB) | growth | bar (<= 10%) | seconds |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |")
    for row in results:
        verdict = "met" if row["growth"] <= 0.10 and row["answered"] == row["requests"] else "not met"
        print(
            f"| {row['mix']} | {row['path']} | {row['answered']}/{row['requests']} | {row['rss_after_warmup_mib']} | "
            f"{row['rss_peak_after_warmup_mib']} | {100 * row['growth']:+.1f}% | {verdict} | {row['seconds']} |"
        )


if __name__ == "__main__":
    main()
