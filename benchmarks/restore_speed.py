"""Restoration speed on 2 CPU cores: learned restorers next to the classical baselines, in one run.

Digits: images/s restoring 28x28 MNIST test digits (batches of 256 for the learned U-Net, one
image at a time for the classical methods, which take one image per call). Photos: seconds for
one 512x512 Set12 photo (Barbara), for the denoiser at sigma 25 and the inpainter under thick
strokes, next to the classical denoisers and inpainters. Large photos: a 2000x2000 image
restored tile by tile, with its time and the process's peak resident memory.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/restore_speed.py \\
        --mnist_model=workdirs/inpaint_mnist/model.keras --denoiser=workdirs/denoise_bsd/model.keras \\
        --photo_inpainter=workdirs/inpaint_bsd/model.keras

Prints a JSON document and a table.
"""

import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import tf_genrepair.models  # noqa: E402,F401  (registers the models for loading)
from tf_genrepair.corruptions import get_corruption  # noqa: E402
from tf_genrepair.data import load_dataset  # noqa: E402
from tf_genrepair.restoration import baselines  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402
from harness.restorers import restore_as_is  # noqa: E402


def _timed(function, repeats: int = 3) -> float:
    """The best of `repeats` wall-clock times (after one warm-up call)."""
    function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def digits_speed(model_path: str, count: int) -> list[dict]:
    digits = np.stack([image for image, _ in load_dataset("mnist", split=f"test[:{count}]").as_numpy_iterator()])
    damaged, mask = (part.numpy() for part in get_corruption("free_form")(digits, severity=5, seed=0))
    restorer = keras.saving.load_model(model_path)
    rows = [{"task": "28x28 digits, thick strokes", "method": "ours (U-Net, batch 256)",
             "images_per_second": count / _timed(lambda: restore_as_is(restorer)(damaged, mask, batch_size=256))}]
    for name, method in baselines.INPAINTERS.items():
        subset = slice(0, 200)
        seconds = _timed(lambda: [method(image, image_mask) for image, image_mask in zip(damaged[subset], mask[subset])], repeats=1)
        rows.append({"task": "28x28 digits, thick strokes", "method": name, "images_per_second": 200 / seconds})
    return rows


def photo_speed(denoiser_path: str | None, inpainter_path: str | None) -> list[dict]:
    photos = [image for image, _ in load_dataset("bsd:Set12", split="test").as_numpy_iterator()]
    photo = next(image for image in photos if image.shape[:2] == (512, 512))
    noisy = photo + 25 / 255 * np.random.default_rng(0).standard_normal(photo.shape).astype(np.float32)
    rows = []
    denoisers = dict(baselines.DENOISERS)
    if denoiser_path:
        denoisers = {"ours (denoise_bsd)": restore_as_is(keras.saving.load_model(denoiser_path)), **denoisers}
    for name, method in denoisers.items():
        rows.append({"task": "512x512 photo, denoise sigma 25", "method": name, "seconds": _timed(lambda: method(noisy, noise_levels=25 / 255), 1)})
    damaged, mask = (part.numpy()[0] for part in get_corruption("free_form")(photo[np.newaxis], severity=5, seed=0))
    inpainters = dict(baselines.INPAINTERS)
    if inpainter_path:
        inpainters = {"ours (inpaint_bsd)": restore_as_is(keras.saving.load_model(inpainter_path)), **inpainters}
    for name, method in inpainters.items():
        rows.append({"task": "512x512 photo, thick strokes", "method": name, "seconds": _timed(lambda: method(damaged, mask), 1)})
    return rows


def large_photo(denoiser_path: str, side: int, tile_size: int) -> dict:
    denoiser = keras.saving.load_model(denoiser_path)
    rows, cols = np.mgrid[0:side, 0:side] / side
    image = (0.5 + 0.3 * np.sin(12 * rows) * np.cos(9 * cols))[..., np.newaxis].astype(np.float32)
    noisy = image + 25 / 255 * np.random.default_rng(1).standard_normal(image.shape).astype(np.float32)
    started = time.perf_counter()
    restored = denoiser.restore(noisy, noise_levels=25 / 255, tile_size=tile_size, overlap=64, batch_size=4)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mse = float(np.mean(np.square(restored - image)))
    return {"task": f"{side}x{side} photo, tiled {tile_size}", "method": "ours (denoise_bsd)", "seconds": seconds,
            "peak_resident_mib": peak_mib, "psnr": 10 * np.log10(1 / mse)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist_model", required=True)
    parser.add_argument("--denoiser")
    parser.add_argument("--photo_inpainter")
    parser.add_argument("--digits", type=int, default=10_000)
    parser.add_argument("--large_side", type=int, default=2000)
    parser.add_argument("--output", default=default_output("restore_speed"))
    arguments = parser.parse_args()
    started = time.time()
    rows = digits_speed(arguments.mnist_model, arguments.digits) + photo_speed(arguments.denoiser, arguments.photo_inpainter)
    if arguments.denoiser:
        rows.append(large_photo(arguments.denoiser, arguments.large_side, tile_size=512))
    write_results(arguments.output, {"rows": json.loads(json.dumps(rows, default=float))}, started=started)
    print(json.dumps(rows, indent=2, default=float))
    print("\n| task | method | images/s | seconds |\n| --- | --- | --- | --- |")
    for row in rows:
        rate = f"{row['images_per_second']:.0f}" if "images_per_second" in row else ""
        seconds = f"{row['seconds']:.3f}" if "seconds" in row else ""
        print(f"| {row['task']} | {row['method']} | {rate} | {seconds} |")


if __name__ == "__main__":
    main()
