"""Gaussian denoising on BSD68 and Set12: a trained denoiser next to classical baselines, in one run.

Protocol: benchmarks/harness/denoising.py (noise pinned per sigma and image, not clipped; output clipped;
PSNR with peak 1 and SSIM per image, averaged).

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/denoise_bsd.py --model=workdirs/denoise_bsd/model.keras

BM3D runs (at `--bm3d_sigmas`, it takes seconds per image) when the `bm3d` package is
installed; its licence is non-commercial. Prints a JSON document and a table; writes a
before/after picture.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import tf_genrepair.models  # noqa: E402,F401  (registers the models for loading)
from tf_genrepair.restoration import baselines  # noqa: E402
from tf_genrepair.data import load_dataset  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.denoising import BM3D_LABEL, bm3d_method, print_table, score, sigma25_picture  # noqa: E402
from harness.results import default_output, write_results  # noqa: E402
from harness.restorers import restore_as_is  # noqa: E402

ANCHORS_BSD68_SIGMA25 = {"BM3D (published)": 28.57, "DnCNN-S (published)": 29.23, "DRUNet (published)": 29.48}
OURS = "ours (denoise_bsd)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="A trained Restorer .keras file (noise-level-map denoiser).")
    parser.add_argument("--sets", default="BSD68,Set12")
    parser.add_argument("--sigmas", default="15,25,50")
    parser.add_argument("--bm3d_sigmas", default="25", help="Sigmas at which BM3D runs (slow); empty for none.")
    parser.add_argument("--output", default=default_output("denoise_bsd"))
    parser.add_argument("--picture", default="docs/images/denoise_bsd68.png")
    arguments = parser.parse_args()
    started = time.time()
    restorer = keras.saving.load_model(arguments.model)
    methods = {OURS: restore_as_is(restorer), **baselines.DENOISERS}
    bm3d = bm3d_method(channels=1)
    bm3d_sigmas = {float(value) for value in arguments.bm3d_sigmas.split(",") if value}
    results = []
    for subset in arguments.sets.split(","):
        images = [image for image, _ in load_dataset(f"bsd:{subset}", split="test").as_numpy_iterator()]
        for sigma in (float(value) for value in arguments.sigmas.split(",")):
            chosen = dict(methods)
            if bm3d and sigma in bm3d_sigmas:
                chosen[BM3D_LABEL] = bm3d
            for name, method in chosen.items():
                print(f"{subset} sigma {sigma:g}: {name}", flush=True)
                results.append({"set": subset, "sigma": sigma, "method": name, **score(method, images, sigma)})
        if subset == "BSD68":
            shown = {OURS: restore_as_is(restorer), "skimage_nl_means": baselines.nl_means}
            sigma25_picture(images[0], shown, arguments.picture, label="BSD68 #1", crop=(slice(80, 240), slice(80, 240)))
    document = {"model": arguments.model, "anchors_bsd68_sigma25": ANCHORS_BSD68_SIGMA25, "strengths": dict(baselines.DENOISER_STRENGTHS), "results": results}
    document = write_results(arguments.output, document, started=started)
    print(json.dumps(document, indent=2))
    print_table(results)


if __name__ == "__main__":
    main()
