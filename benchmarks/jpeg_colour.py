"""Colour JPEG artifact removal on CBSD68 at quality 10, 20, 30, 40: jpeg_colour against the decoded JPEG, in one run.

Each clean CBSD68 image is encoded by Pillow's libjpeg at the quality (4:2:0 chroma, Pillow's default, as
cameras and browsers save) and decoded; the decoded JPEG is the baseline, the model restores it. PSNR (peak 1,
over RGB), SSIM and PSNR-B (Yim and Bovik 2011, the blocking effect factor averaged over channels) per image,
averaged; seconds per image for the model.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/jpeg_colour.py --model=workdirs/jpeg_colour/model.keras
"""

import argparse
import io
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import tf_genrepair.models  # noqa: E402,F401  (registers the models for loading)
from tf_genrepair.data import load_dataset  # noqa: E402
from tf_genrepair.io.plots import save_image_table  # noqa: E402
from tf_genrepair.metrics import psnr, psnr_b, ssim  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402
from harness.restorers import restore_as_is  # noqa: E402

OURS = "ours (jpeg_colour)"
DECODED = "decoded JPEG"


def jpeg_round_trip(image: np.ndarray, quality: int) -> np.ndarray:
    """`image` (float RGB in [0, 1]) saved by Pillow as a JPEG at `quality` (4:2:0) and decoded back to float."""
    buffer = io.BytesIO()
    Image.fromarray(np.round(image * 255).astype(np.uint8)).save(buffer, format="JPEG", quality=quality, subsampling="4:2:0")
    return np.asarray(Image.open(buffer).convert("RGB"), np.float32) / 255.0


def _scores(clean: np.ndarray, candidate: np.ndarray) -> dict:
    pair = clean[np.newaxis], candidate[np.newaxis]
    return {"psnr": float(psnr(*pair)[0]), "ssim": float(ssim(*pair)[0]), "psnr_b": float(psnr_b(*pair)[0])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="A trained RGB Restorer .keras file (jpeg_colour).")
    parser.add_argument("--qualities", default="10,20,30,40")
    parser.add_argument("--output", default=default_output("jpeg_colour"))
    parser.add_argument("--picture", default="docs/images/jpeg_cbsd68.png")
    arguments = parser.parse_args()
    started = time.time()
    restorer = keras.saving.load_model(arguments.model)
    images = [image for image, _ in load_dataset("colour:CBSD68", split="test").as_numpy_iterator()]
    results = []
    for quality in (int(value) for value in arguments.qualities.split(",")):
        rows = {DECODED: [], OURS: []}
        seconds = []
        progress = keras.utils.Progbar(len(images), verbose=1)
        print(f"quality {quality}", flush=True)
        for index, clean in enumerate(images):
            decoded = jpeg_round_trip(clean, quality)
            begun = time.perf_counter()
            restored = restore_as_is(restorer)(decoded)
            seconds.append(time.perf_counter() - begun)
            rows[DECODED].append(_scores(clean, decoded))
            rows[OURS].append(_scores(clean, restored))
            progress.update(index + 1)
            if quality == 10 and index == 0:
                crop = (slice(100, 300), slice(60, 260))
                cells = np.stack([clean[crop], decoded[crop], restored[crop]])
                save_image_table({"CBSD68 #1": cells}, arguments.picture, column_labels=["clean", "JPEG quality 10", OURS], cell_inches=3.2)
        for method, per_image in rows.items():
            means = {metric: float(np.mean([row[metric] for row in per_image])) for metric in ("psnr", "ssim", "psnr_b")}
            timing = {"seconds_per_image": float(np.mean(seconds))} if method == OURS else {}
            results.append({"set": "CBSD68", "quality": quality, "method": method, **means, **timing, "images": len(images)})
    document = write_results(arguments.output, {"model": arguments.model, "results": results}, started=started)
    print(json.dumps(document, indent=2))
    print("\n| quality | method | PSNR dB | PSNR-B dB | SSIM |\n| --- | --- | --- | --- | --- |")
    for row in results:
        print(f"| {row['quality']} | {row['method']} | {row['psnr']:.2f} | {row['psnr_b']:.2f} | {row['ssim']:.4f} |")


if __name__ == "__main__":
    main()
