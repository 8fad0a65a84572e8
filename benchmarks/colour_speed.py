"""Colour denoising speed on 2 CPU cores: denoise_colour next to CBM3D and OpenCV, a full Kodak image and a 2000x2000 photo.

Each measurement runs in a fresh process, in alternating
rounds (order reversed every other round); the table gives the median and range over rounds. Seconds are
for one call on an image the process has already restored once (the model's graph traced, the libraries
loaded), and the first call is reported beside it. Sigma 25; the 2000x2000 photo is a Kodak image resized
bicubically, restored by the model in 512x512 tiles (batch 4). Memory: the process's peak resident set, and
that peak minus the resident set just before the first call (what the method itself added; every process
has loaded TensorFlow to read the data).

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/colour_speed.py --model=workdirs/denoise_colour/model.keras
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.alternating import spread  # noqa: E402
from harness.results import default_output, write_results  # noqa: E402

SIGMA = 25
METHODS = ("ours", "opencv", "cbm3d")
TASKS = {"kodak": "768x512 Kodak image", "large": "2000x2000 photo"}


def _image(task: str) -> np.ndarray:
    import tensorflow as tf

    from tf_genrepair.data import load_dataset
    from tf_genrepair.data.pinned_noise import noisy_copy

    clean = next(load_dataset("colour:Kodak24", split="test").as_numpy_iterator())[0]
    if task == "large":
        clean = np.clip(tf.image.resize(clean, (2000, 2000), method="bicubic").numpy(), 0.0, 1.0)
    return noisy_copy(clean, SIGMA, 0)


def measure_one(task: str, method: str, model: str) -> dict:
    """In this process: restore the task's image twice with `method`; seconds of each call and peak memory."""
    noisy = _image(task)
    if method == "ours":
        import keras

        import tf_genrepair.models  # noqa: F401  (registers the models for loading)

        restorer = keras.saving.load_model(model)
        tiling = {"tile_size": 512, "overlap": 64, "batch_size": 4} if task == "large" else {}
        run = lambda: restorer.restore(noisy, noise_levels=SIGMA / 255, **tiling)  # noqa: E731
    elif method == "opencv":
        from tf_genrepair.restoration import baselines

        run = lambda: baselines.opencv_nl_means(noisy, noise_levels=SIGMA / 255)  # noqa: E731
    else:
        from harness.denoising import bm3d_method

        cbm3d = bm3d_method(channels=3)
        run = lambda: cbm3d(noisy, noise_levels=SIGMA / 255)  # noqa: E731
    from tf_genrepair.io.memory import resident_memory_mib

    resident_before = resident_memory_mib()
    seconds = []
    for _ in range(2 if method != "cbm3d" or task == "kodak" else 1):  # CBM3D needs no warm-up; 2000x2000 takes minutes.
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"first_call_seconds": seconds[0], "seconds": seconds[-1], "peak_resident_mib": peak, "peak_above_start_mib": peak - resident_before}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="The denoise_colour .keras file.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--large_cbm3d_rounds", type=int, default=1, help="CBM3D on 2000x2000 takes minutes a call.")
    parser.add_argument("--one", help="Internal: measure TASK:METHOD in this process and print JSON.")
    parser.add_argument("--output", default=default_output("colour_speed"))
    arguments = parser.parse_args()
    if arguments.one:
        task, method = arguments.one.split(":")
        print(json.dumps(measure_one(task, method, arguments.model)))
        return
    started = time.time()
    measured: dict[str, list[dict]] = {}
    for round_index in range(arguments.rounds):
        pairs = [(task, method) for task in TASKS for method in METHODS]
        for task, method in pairs if round_index % 2 == 0 else reversed(pairs):
            if task == "large" and method == "cbm3d" and round_index >= arguments.large_cbm3d_rounds:
                continue
            command = [sys.executable, __file__, f"--one={task}:{method}", f"--model={arguments.model}"]
            result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
            measured.setdefault(f"{task}:{method}", []).append(result)
            print(f"round {round_index + 1}: {TASKS[task]}, {method}: {result['seconds']:.2f} s, {result['peak_resident_mib']:.0f} MiB", flush=True)
    rows = [
        {"task": TASKS[key.split(':')[0]], "method": key.split(":")[1], "rounds": len(results),
         **{field: spread([result[field] for result in results]) for field in ("seconds", "first_call_seconds", "peak_resident_mib", "peak_above_start_mib")}}
        for key, results in measured.items()
    ]
    write_results(arguments.output, {"model": arguments.model, "sigma": SIGMA, "rows": rows}, started=started)
    print("\n| task | method | seconds, median (range) | first call s | peak MiB | added MiB | rounds |\n| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        seconds = row["seconds"]
        print(f"| {row['task']} | {row['method']} | {seconds['median']:.2f} ({seconds['min']:.2f}-{seconds['max']:.2f}) | "
              f"{row['first_call_seconds']['median']:.2f} | {row['peak_resident_mib']['median']:.0f} | "
              f"{row['peak_above_start_mib']['median']:.0f} | {row['rounds']} |")


if __name__ == "__main__":
    main()
