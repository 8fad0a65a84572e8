"""Serving latency of an exported restorer on 2 CPU cores, next to calling the Keras model directly.

One request at a time (batch 1), as a server sees them: single 28x28 digits and one 512x512
image, random pixels and a random 80%-observed mask (latency does not depend on the content).
All paths in one run, on the same inputs, all in process (no HTTP, no network):

- `keras_graph`: the Keras model traced once by `tf.function` (the baseline: how a Python
  service would call a Keras model without exporting it);
- `keras_eager`: `model([images, masks], training=False)` called eagerly, per-call Python included;
- `saved_model`: the exported `restore_masked` signature, loaded with `tf.saved_model.load`
  (the graph TF Serving executes);
- `rest_json`: the same signature behind a TF Serving REST body: JSON encoding of the request,
  decoding, `answer_rest`, and JSON encoding of the response (no HTTP);
- `grpc_proto`: the same behind a gRPC `PredictRequest`: protobuf serialisation both ways (no network).

    python benchmarks/serving.py --model=workdirs/restore_mnist/model.keras --output=benchmarks/results/serving.json

Prints a table of p50/p99 latencies in milliseconds and their ratio to `keras_graph`; writes the JSON.
"""

import argparse
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tf_genrepair.models  # noqa: E402,F401  (registers the models for loading)
from tf_genrepair.deploy.saved_model import export_for_serving  # noqa: E402
from tf_genrepair.deploy.serving_requests import (  # noqa: E402
    answer_grpc,
    answer_rest,
    grpc_request,
    rest_body,
)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402


def latencies(function, inputs: list, warmup: int = 5) -> np.ndarray:
    """Milliseconds per call, one call per input, after `warmup` calls."""
    for item in inputs[:warmup]:
        function(item)
    times = []
    for item in inputs:
        started = time.perf_counter()
        function(item)
        times.append(1000.0 * (time.perf_counter() - started))
    return np.array(times)


def grpc_round_trip(loaded, pair: tuple[np.ndarray, np.ndarray]) -> bytes:
    """A PredictRequest serialised and parsed as on the wire, answered, and the response serialised."""
    request = grpc_request({"images": pair[0], "masks": pair[1]}, model_name="restorer", signature_name="restore_masked")
    return answer_grpc(loaded, type(request).FromString(request.SerializeToString())).SerializeToString()


def benchmark(model_path: str, small_requests: int, large_requests: int) -> list[dict]:
    model = keras.saving.load_model(model_path)
    export_dir = export_for_serving(model, tempfile.mkdtemp(), name="restorer")
    loaded = tf.saved_model.load(export_dir)
    signature = loaded.signatures["restore_masked"]
    spec = tf.TensorSpec([None, None, None, 1], tf.float32)
    graph_call = tf.function(lambda images, masks: model([images, masks], training=False), input_signature=[spec, spec])
    rng = np.random.default_rng(0)
    rows = []
    for size, count in ((28, small_requests), (512, large_requests)):
        requests = [
            (rng.random((1, size, size, 1), dtype=np.float32), (rng.random((1, size, size, 1)) > 0.2).astype(np.float32)) for _ in range(count)
        ]
        paths = {
            "keras_graph": lambda pair: graph_call(tf.constant(pair[0]), tf.constant(pair[1])).numpy(),
            "keras_eager": lambda pair: model([tf.constant(pair[0]), tf.constant(pair[1])], training=False).numpy(),
            "saved_model": lambda pair: signature(images=tf.constant(pair[0]), masks=tf.constant(pair[1]))["restored"].numpy(),
            "rest_json": lambda pair: json.dumps(
                answer_rest(loaded, json.loads(json.dumps(rest_body({"images": pair[0], "masks": pair[1]}, signature_name="restore_masked"))))
            ),
            "grpc_proto": lambda pair: grpc_round_trip(loaded, pair),
        }
        baseline = None
        for name, function in paths.items():
            times = latencies(function, requests)
            p50, p99 = float(np.percentile(times, 50)), float(np.percentile(times, 99))
            baseline = baseline or p50
            rows.append({"request": f"1x{size}x{size}", "path": name, "requests": count, "p50_ms": p50, "p99_ms": p99, "p50_ratio_to_keras_graph": p50 / baseline})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="A Restorer .keras file.")
    parser.add_argument("--small_requests", type=int, default=300)
    parser.add_argument("--large_requests", type=int, default=30)
    parser.add_argument("--output", default=default_output("serving"))
    arguments = parser.parse_args()
    started = time.time()
    rows = benchmark(arguments.model, arguments.small_requests, arguments.large_requests)
    report = {
        "benchmark": "serving",
        "model": arguments.model,
        "rows": rows,
    }
    write_results(arguments.output, report, started=started)
    print(f"{'request':<12} {'path':<12} {'p50 ms':>9} {'p99 ms':>9} {'p50 / keras_graph':>18}")
    for row in rows:
        print(f"{row['request']:<12} {row['path']:<12} {row['p50_ms']:9.2f} {row['p99_ms']:9.2f} {row['p50_ratio_to_keras_graph']:18.2f}")


if __name__ == "__main__":
    main()
