"""Colour Gaussian denoising on CBSD68, Kodak24 (full size) and McMaster: denoise_colour next to CBM3D and OpenCV, in one run.

Protocol: benchmarks/harness/denoising.py (noise drawn per channel, pinned per sigma and image, not clipped;
output clipped; PSNR with peak 1 over RGB, SSIM averaged over channels; seconds per image on this machine).

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/denoise_colour.py --model=workdirs/denoise_colour/model.keras

CBM3D (the `bm3d` package, non-commercial licence) takes seconds per image (12 s for one CBSD68 image once timed); it runs at
`--bm3d_sigmas` on `--bm3d_sets`. Classical rows are kept in a side file (`--rows`) as they finish, so
rerunning after an interruption measures only what is missing (the model is always measured again); each
row records the load average it was measured at.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import tf_genrepair.models  # noqa: E402,F401  (registers the models for loading)
from tf_genrepair.data import load_dataset  # noqa: E402
from tf_genrepair.restoration import baselines  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.denoising import CBM3D_LABEL, RowStore, bm3d_method, print_table, score, sigma25_picture  # noqa: E402
from harness.results import default_output, write_results  # noqa: E402
from harness.restorers import restore_as_is  # noqa: E402

# Published colour PSNR (dB) on [0, 255] noise, from the DPIR and SCUNet papers (../shared/data/README.md).
PUBLISHED = {
    "CBSD68": {"CBM3D": (33.52, 30.71, 27.38), "DnCNN": (33.90, 31.24, 27.95), "FFDNet": (33.87, 31.21, 27.96), "DRUNet": (34.30, 31.69, 28.51)},
    "Kodak24": {"CBM3D": (34.28, 32.15, 28.46), "DnCNN": (34.60, 32.14, 28.95), "FFDNet": (34.63, 32.13, 28.98), "DRUNet": (35.31, 32.89, 29.86)},
    "McMaster": {"CBM3D": (34.06, 31.66, 28.51), "DnCNN": (33.45, 31.52, 28.62), "FFDNet": (34.66, 32.35, 29.18), "DRUNet": (35.40, 33.14, 30.08)},
}
PUBLISHED_SIGMAS = (15, 25, 50)
OURS = "ours (denoise_colour)"
OURS_ENSEMBLE = "ours (denoise_colour), 8-fold self-ensemble"
OPENCV = "opencv_nl_means (coloured)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="A trained RGB Restorer .keras file (noise-level-map denoiser).")
    parser.add_argument("--sets", default="CBSD68,Kodak24,McMaster")
    parser.add_argument("--sigmas", default="15,25,50")
    parser.add_argument("--bm3d_sigmas", default="25", help="Sigmas at which CBM3D runs (slow); empty for none.")
    parser.add_argument("--bm3d_sets", default="CBSD68,Kodak24,McMaster", help="Sets on which CBM3D runs.")
    parser.add_argument("--methods", default="ours,opencv,cbm3d", help="Which of ours, opencv and cbm3d to run.")
    parser.add_argument("--ensemble_sigmas", default="25", help="Sigmas at which ours also runs as an 8-fold self-ensemble.")
    parser.add_argument("--output", default=default_output("denoise_colour"))
    parser.add_argument("--rows", default="workdirs/benchmark_rows/denoise_colour.json", help="Side file of finished classical rows.")
    parser.add_argument("--picture", default="docs/images/denoise_kodak24.png")
    arguments = parser.parse_args()
    started = time.time()
    chosen = set(arguments.methods.split(","))
    restorer = keras.saving.load_model(arguments.model)
    cbm3d = bm3d_method(channels=3) if "cbm3d" in chosen else None
    bm3d_sigmas, ensemble_sigmas = ({float(value) for value in text.split(",") if value} for text in (arguments.bm3d_sigmas, arguments.ensemble_sigmas))
    store = RowStore(arguments.rows, reusable={OPENCV, CBM3D_LABEL})
    results = []
    for subset in arguments.sets.split(","):
        images = [image for image, _ in load_dataset(f"colour:{subset}", split="test").as_numpy_iterator()]
        for sigma in (float(value) for value in arguments.sigmas.split(",")):
            methods = {}
            if "ours" in chosen:
                methods[OURS] = restore_as_is(restorer)
                if sigma in ensemble_sigmas:
                    methods[OURS_ENSEMBLE] = restore_as_is(restorer, self_ensemble=True)
            if "opencv" in chosen:
                methods[OPENCV] = baselines.opencv_nl_means
            if cbm3d and sigma in bm3d_sigmas and subset in arguments.bm3d_sets.split(","):
                methods[CBM3D_LABEL] = cbm3d
            for name, method in methods.items():
                row = store.find(set=subset, sigma=sigma, method=name)
                if row is None:
                    print(f"{subset} sigma {sigma:g}: {name}", flush=True)
                    load = os.getloadavg()[0]  # Rows kept from an earlier, busier invocation say so.
                    row = {"set": subset, "sigma": sigma, "method": name, **score(method, images, sigma), "load_average_at_start": load}
                    store.add(row)
                results.append(row)
        if subset == "Kodak24":
            shown = {OURS: restore_as_is(restorer), OPENCV: baselines.opencv_nl_means}
            sigma25_picture(images[0], shown, arguments.picture, label="Kodak24 #1", crop=(slice(128, 384), slice(256, 512)))
    document = {"model": arguments.model, "published": PUBLISHED, "published_sigmas": PUBLISHED_SIGMAS, "results": results}
    document = write_results(arguments.output, document, started=started)
    print(json.dumps(document, indent=2))
    print_table(results)


if __name__ == "__main__":
    main()
