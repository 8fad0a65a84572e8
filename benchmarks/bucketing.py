"""What shape bucketing (the library's default) changes in a restoration: the same images with and without it.

For each model, every test image is restored twice on the same pinned noisy copy: at its own size
(`size_ladder=None`) and padded (mirrored) up to the next `SIZE_LADDER` size, then cropped back.
Reports mean PSNR both ways, the largest per-image PSNR change, the largest pixel change, how far
from the bottom/right edges pixels changed by more than 1/255 at all, and seconds per image both ways.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/bucketing.py \\
        --models=denoise_bsd=workdirs/denoise_bsd/model.keras@bsd:BSD68,denoise_colour=workdirs/denoise_colour/model.keras@colour:CBSD68

Prints a JSON document and a table.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import tf_genrepair.models  # noqa: E402,F401  (registers the models for loading)
from tf_genrepair.data import load_dataset  # noqa: E402
from tf_genrepair.data.pinned_noise import noisy_copy  # noqa: E402
from tf_genrepair.metrics import psnr  # noqa: E402
from tf_genrepair.models.restorer_inputs import SIZE_LADDER  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402

SIGMA = 25.0
VISIBLE = 1 / 255
LADDERS = {"as_is": None, "bucketed": SIZE_LADDER}


def edge_reach(difference: np.ndarray) -> int:
    """Pixels from the bottom or right edge to the farthest pixel that changed by more than `VISIBLE` (0: none)."""
    rows, cols = np.nonzero(np.abs(difference).max(axis=-1) > VISIBLE)
    if rows.size == 0:
        return 0
    height, width = difference.shape[:2]
    return int(np.max(np.minimum(height - rows, width - cols)))


def compare(restorer: keras.Model, images: list[np.ndarray]) -> dict:
    """Both ways on every image, alternating which goes first."""
    scores = {"as_is": [], "bucketed": []}
    seconds = {"as_is": [], "bucketed": []}
    largest_pixel, reach = 0.0, 0
    progress = keras.utils.Progbar(len(images))
    for index, clean in enumerate(images):
        noisy = noisy_copy(clean, SIGMA, index)
        order = list(LADDERS) if index % 2 == 0 else list(reversed(LADDERS))
        restored = {}
        for way in order:
            started = time.perf_counter()
            restored[way] = restorer.restore(noisy, noise_levels=SIGMA / 255, size_ladder=LADDERS[way])
            seconds[way].append(time.perf_counter() - started)
            scores[way].append(float(psnr(clean[np.newaxis], restored[way][np.newaxis])[0]))
        difference = restored["bucketed"] - restored["as_is"]
        largest_pixel = max(largest_pixel, float(np.abs(difference).max()))
        reach = max(reach, edge_reach(difference))
        progress.update(index + 1)
    changes = np.subtract(scores["bucketed"], scores["as_is"])
    return {
        "images": len(images),
        "psnr_as_is": float(np.mean(scores["as_is"])),
        "psnr_bucketed": float(np.mean(scores["bucketed"])),
        "largest_image_psnr_change": float(changes[np.argmax(np.abs(changes))]),
        "largest_pixel_change": largest_pixel,
        "changed_within_pixels_of_bottom_right": reach,
        "seconds_as_is_median": float(np.median(seconds["as_is"])),
        "seconds_bucketed_median": float(np.median(seconds["bucketed"])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", required=True, help="Comma-separated name=model.keras@data_set entries (test split, sigma 25).")
    parser.add_argument("--output", default=default_output("bucketing"))
    arguments = parser.parse_args()
    started = time.time()
    results = []
    for entry in arguments.models.split(","):
        name, rest = entry.split("=", 1)
        path, data = rest.split("@", 1)
        images = [image for image, _ in load_dataset(data, split="test").as_numpy_iterator()]
        print(f"{name} on {data}", flush=True)
        results.append({"model": name, "path": path, "data": data, "sigma": SIGMA, **compare(keras.saving.load_model(path), images)})
    document = write_results(arguments.output, {"size_ladder": list(SIZE_LADDER), "results": results}, started=started)
    print(json.dumps(document, indent=2))
    print("| model | data | PSNR as is | PSNR bucketed | largest image change (dB) | largest pixel change | changed within (px of bottom/right) | s/image as is | s/image bucketed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in results:
        print(
            f"| {row['model']} | {row['data']} | {row['psnr_as_is']:.3f} | {row['psnr_bucketed']:.3f} | {row['largest_image_psnr_change']:+.3f} | "
            f"{row['largest_pixel_change']:.4f} | {row['changed_within_pixels_of_bottom_right']} | {row['seconds_as_is_median']:.3f} | {row['seconds_bucketed_median']:.3f} |"
        )


if __name__ == "__main__":
    main()
