"""Chooses the classical denoisers' strengths on training images (Train400, or CBSD432 for colour), never on a test set.

Each denoiser in `tf_genrepair.restoration.baselines.DENOISERS` takes `strength` (a multiple of the
noise sigma). For every value of its grid this scores the PSNR averaged over `--images` Train400
images (the last ones; classical methods do not train) and over the `--sigmas` of the benchmark,
with the pinned noise of `benchmarks/denoise_bsd.py`, and picks the best: one strength per
denoiser for every sigma, as the benchmark uses it. The library's defaults
(`baselines.DENOISER_STRENGTHS`) must equal the picks in the committed results file; a test checks it.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/classical_tuning.py \
        --output=benchmarks/results/classical_tuning.json
    GENREPAIR_DATA_DIR=../shared/data python benchmarks/classical_tuning.py --dataset=colour:CBSD432 --images=8 \
        --denoisers=opencv_nl_means --output=benchmarks/results/classical_tuning_colour.json
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from tf_genrepair.data import load_dataset  # noqa: E402
from tf_genrepair.metrics import psnr  # noqa: E402
from tf_genrepair.data.pinned_noise import noisy_copy  # noqa: E402
from tf_genrepair.restoration import baselines  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402

GRIDS = {
    "skimage_nl_means": (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    "skimage_tv": (0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.5, 2.0),
    "opencv_nl_means": (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5),
}


def best_strength(scores: dict[float, float]) -> float:
    """The strength with the highest mean PSNR (the smaller one on a tie)."""
    return max(sorted(scores), key=lambda strength: scores[strength])


def mean_psnr(denoiser, images: list[np.ndarray], sigmas: list[float], strength: float) -> dict[float, float]:
    """Sigma -> the denoiser's PSNR at `strength`, averaged over the images under the pinned noise."""
    scores = {}
    for sigma in sigmas:
        restored = [denoiser(noisy_copy(clean, sigma, index), noise_levels=sigma / 255.0, strength=strength) for index, clean in enumerate(images)]
        scores[sigma] = float(np.mean([psnr(clean[np.newaxis], out[np.newaxis])[0] for clean, out in zip(images, restored)]))
    return scores


def tune(images: list[np.ndarray], sigmas: list[float], grids: dict[str, tuple[float, ...]]) -> dict[str, dict]:
    """Every denoiser's PSNR at every strength of its grid (per sigma and averaged over sigmas), and the pick."""
    results = {}
    for name, grid in grids.items():
        per_sigma = {strength: mean_psnr(baselines.DENOISERS[name], images, sigmas, strength) for strength in tqdm(grid, desc=name, file=sys.stderr)}
        averaged = {strength: float(np.mean(list(scores.values()))) for strength, scores in per_sigma.items()}
        results[name] = {
            "psnr_by_strength": {str(strength): {"mean": averaged[strength], **{f"sigma_{s:g}": v for s, v in per_sigma[strength].items()}} for strength in grid},
            "chosen_strength": best_strength(averaged),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="bsd:Train400", help="Training images to tune on: bsd:Train400 or colour:CBSD432.")
    parser.add_argument("--images", type=int, default=32, help="How many images (the last ones).")
    parser.add_argument("--denoisers", default=",".join(GRIDS), help="Which denoisers to tune.")
    parser.add_argument("--sigmas", default="15,25,50", help="Noise standard deviations, 0..255 units (the benchmark's).")
    parser.add_argument("--output", default=default_output("classical_tuning"))
    arguments = parser.parse_args()
    started = time.time()
    if arguments.dataset not in ("bsd:Train400", "colour:CBSD432"):
        raise SystemExit(f"--dataset must be a training set, bsd:Train400 or colour:CBSD432. Received: {arguments.dataset}")
    images = [image for image, _ in load_dataset(arguments.dataset, split=f"train[-{arguments.images}:]").as_numpy_iterator()]
    sigmas = [float(sigma) for sigma in arguments.sigmas.split(",")]
    results = tune(images, sigmas, {name: GRIDS[name] for name in arguments.denoisers.split(",")})
    document = {"data": f"{arguments.dataset} train[-{arguments.images}:]", "sigmas": sigmas, "denoisers": results}
    write_results(arguments.output, document, started=started)
    for name, result in results.items():
        print(f"{name}: strength {result['chosen_strength']} ({result['psnr_by_strength'][str(result['chosen_strength'])]['mean']:.2f} dB)")


if __name__ == "__main__":
    main()
