"""Inpainting: learned restorers and a generative prior next to classical inpainting, in one run.

MNIST test digits under a 12x12 box, thick free-form strokes (free_form severity 5) and 80%
pixel dropout (pixel_dropout severity 4); Set12 and BSD68 (test sets: `inpaint_bsd` trains and
validates on Train400) under thin (free_form severity 2) and thick (severity 5) strokes; Kodak24 in
colour (a test set: `inpaint_colour` trains on CBSD432 and the ImageNet pool) under the same strokes,
one mask shared by the three channels. Reports PSNR (peak 1) over the missing region and over the whole image,
averaged over images, by hole-size bin too, and seconds per image. Masks are drawn with fixed
seeds, so every method sees the same holes. Beside the classical methods it scores the push-pull
fill alone (the prefilled U-Net's starting point, no learning) and, on the photos, the restorer's
8-fold self-ensemble; a second table gives each learned method's margin over the best classical one.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/inpaint.py \\
        --mnist_model=workdirs/inpaint_mnist/model.keras --bsd_model=workdirs/inpaint_bsd/model.keras \\
        --prior_model=workdirs/vae_mnist/model.keras
    GENREPAIR_DATA_DIR=../shared/data python benchmarks/inpaint.py --colour_model=workdirs/inpaint_colour/model.keras \
        --colour_start_model=workdirs/inpaint_bsd/model.keras --output=benchmarks/results/inpaint_colour.json

Prints a JSON document and a table; writes a before/after picture per data set.
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
from tf_genrepair.configs import get_experiment  # noqa: E402
from tf_genrepair.models import get_model_kind  # noqa: E402
from tf_genrepair.restoration import baselines  # noqa: E402
from tf_genrepair.training.warm_start import warm_start  # noqa: E402
from tf_genrepair.corruptions import get_corruption  # noqa: E402
from tf_genrepair.data import load_dataset  # noqa: E402
from tf_genrepair.io.plots import save_image_table  # noqa: E402
from tf_genrepair.networks.layers import PyramidFill  # noqa: E402
from tf_genrepair.restoration import GenerativePriorRestorer  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402
from harness.restorers import restore_as_is  # noqa: E402

PUSH_PULL = "push-pull fill (no learning)"
INFLATED = "inpaint_bsd inflated to RGB (no colour training)"
HOLE_BINS = ((0.0, 0.1), (0.1, 0.2), (0.2, 0.4), (0.4, 1.01))
BOX_SIDE = 12


def box_masks(count: int, height: int, width: int, seed: int) -> np.ndarray:
    """One `BOX_SIDE` x `BOX_SIDE` hole per image at a uniform position."""
    rng = np.random.default_rng(seed)
    masks = np.ones((count, height, width, 1), np.float32)
    for mask in masks:
        top, left = rng.integers(0, height - BOX_SIDE + 1), rng.integers(0, width - BOX_SIDE + 1)
        mask[top : top + BOX_SIDE, left : left + BOX_SIDE] = 0.0
    return masks


def push_pull_fill(damaged: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The U-Net's starting point alone (`PyramidFill`, no learning), for `[H, W, C]` or `[B, H, W, C]` input."""
    single = damaged.ndim == 3
    filled = PyramidFill()([damaged[np.newaxis] if single else damaged, mask[np.newaxis] if single else mask]).numpy()
    return filled[0] if single else filled


def registry_masks(name: str, severity: int, images: list[np.ndarray], seed: int) -> list[np.ndarray]:
    corruption = get_corruption(name)
    return [corruption(image[np.newaxis], severity=severity, seed=[seed, index])[1].numpy()[0] for index, image in enumerate(images)]


def _psnr(clean: np.ndarray, restored: np.ndarray, where: np.ndarray) -> float:
    error = np.mean(np.square(clean - restored)[np.broadcast_to(where, clean.shape)])
    return float(10.0 * np.log10(1.0 / max(error, 1e-10)))


def shown_indices(images: list[np.ndarray], count: int = 4) -> list[int]:
    """The first `count` images of the first image's shape (a picture row needs one shape)."""
    return [index for index, image in enumerate(images) if image.shape == images[0].shape][:count]


def score(method, images: list[np.ndarray], masks: list[np.ndarray], batched: bool) -> dict:
    """Hole and whole-image PSNR of `method(damaged, mask)` on every image, overall and by hole-size bin."""
    started = time.perf_counter()
    damaged = [image * mask for image, mask in zip(images, masks)]
    if batched:
        restored = list(method(np.stack(damaged), np.stack(masks)))
    else:
        progress = keras.utils.Progbar(len(images), verbose=1)
        restored = []
        for index, (image, mask) in enumerate(zip(damaged, masks)):
            restored.append(method(image, mask))
            progress.update(index + 1)
    seconds = (time.perf_counter() - started) / len(images)
    holes = [mask < 0.5 for mask in masks]
    hole_psnr = np.array([_psnr(clean, output, hole) for clean, output, hole in zip(images, restored, holes)])
    whole_psnr = np.array([_psnr(clean, output, np.ones_like(hole)) for clean, output, hole in zip(images, restored, holes)])
    fractions = np.array([hole.mean() for hole in holes])
    by_bin = {
        f"{low:.0%}-{min(high, 1):.0%}": float(hole_psnr[(fractions >= low) & (fractions < high)].mean())
        for low, high in HOLE_BINS
        if np.any((fractions >= low) & (fractions < high))
    }
    return {
        "hole_psnr": float(hole_psnr.mean()),
        "whole_psnr": float(whole_psnr.mean()),
        "hole_psnr_by_hole_fraction": by_bin,
        "mean_hole_fraction": float(fractions.mean()),
        "seconds_per_image": seconds,
        "examples": [restored[index] for index in shown_indices(images)],
    }


def run_suite(name: str, images: list[np.ndarray], mask_sets: dict, methods: dict, batched: set, picture: str) -> list[dict]:
    rows, gallery = [], {}
    for mask_name, masks in mask_sets.items():
        gallery[f"{mask_name}: damaged"] = np.stack([images[index] * masks[index] for index in shown_indices(images)])
        for method_name, method in methods.items():
            print(f"{name} / {mask_name}: {method_name}", flush=True)
            result = score(method, images, masks, method_name in batched)
            gallery[f"{mask_name}: {method_name}"] = np.stack(result.pop("examples"))
            rows.append({"data": name, "mask": mask_name, "method": method_name, **result})
    gallery["clean"] = np.stack([images[index] for index in shown_indices(images)])
    save_image_table(gallery, picture, cell_inches=1.1 if images[0].shape[0] < 64 else 1.6)
    return rows


def stroke_masks(photos: list[np.ndarray], seed: int) -> dict[str, list[np.ndarray]]:
    """Thin (free_form severity 2) and thick (severity 5) strokes, seeded per image."""
    return {
        "thin free_form (severity 2)": registry_masks("free_form", 2, photos, seed=seed),
        "thick free_form (severity 5)": registry_masks("free_form", 5, photos, seed=seed + 1),
    }


def crop_picture(image: np.ndarray, mask: np.ndarray, methods: dict, path: str, side: int = 256) -> None:
    """One photo's damaged and restored versions as full-resolution crops (numbers alone hide blur)."""
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    crop = (slice(top, top + side), slice(left, left + side))
    damaged = image * mask
    cells = [image[crop], damaged[crop]] + [method(damaged, mask)[crop] for method in methods.values()]
    save_image_table({"": np.stack(cells)}, path, column_labels=["clean", "damaged", *methods], cell_inches=2.6)


def mnist_masks(digits: list[np.ndarray]) -> dict[str, list[np.ndarray]]:
    return {
        "box 12x12": list(box_masks(len(digits), 28, 28, seed=0)),
        "thick free_form (severity 5)": registry_masks("free_form", 5, digits, seed=1),
        "80% pixel_dropout": registry_masks("pixel_dropout", 4, digits, seed=2),
    }


MNIST_BATCHED = {"ours (inpaint_mnist)", "generative prior (VAE decoder)", PUSH_PULL}


def mnist_methods(arguments: argparse.Namespace) -> dict:
    methods = {"ours (inpaint_mnist)": restore_as_is(keras.saving.load_model(arguments.mnist_model))}
    if arguments.prior_model:
        prior = GenerativePriorRestorer(keras.saving.load_model(arguments.prior_model), steps=200, restarts=4)
        methods["generative prior (VAE decoder)"] = prior.restore
    return {**methods, **baselines.INPAINTERS, PUSH_PULL: push_pull_fill}


def inflated_to_rgb(path: str) -> keras.Model:
    """The inpaint_colour network holding a grayscale model's weights, spread over RGB (`warm_start`), untrained in colour."""
    model = get_model_kind("restorer").from_experiment(get_experiment("inpaint_colour"))
    warm_start(model, path)
    return model


def margins(rows: list[dict]) -> list[dict]:
    """Hole PSNR of the learned restorer against the best classical inpainter of the same data and mask."""
    table = []
    for data, mask in dict.fromkeys((row["data"], row["mask"]) for row in rows):
        scores = {row["method"]: row["hole_psnr"] for row in rows if (row["data"], row["mask"]) == (data, mask)}
        best = max(baselines.INPAINTERS, key=scores.__getitem__)
        for method in (name for name in scores if name.startswith("ours") or name == INFLATED):
            table.append(
                {
                    "data": data,
                    "mask": mask,
                    "method": method,
                    "ours": scores[method],
                    "best_classical": scores[best],
                    "best_classical_method": best,
                    "margin_db": scores[method] - scores[best],
                    "push_pull": scores[PUSH_PULL],
                }
            )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist_model", help="Restorer trained by inpaint_mnist (the MNIST part is skipped without it).")
    parser.add_argument("--bsd_model", help="Restorer trained by inpaint_bsd (Set12 and BSD68 parts skipped without it).")
    parser.add_argument("--colour_model", help="Restorer trained by inpaint_colour (the Kodak24 part is skipped without it).")
    parser.add_argument(
        "--colour_start_model", help="The grayscale model inpaint_colour started from: scored inflated to RGB, before any colour training."
    )
    parser.add_argument("--prior_model", help="An unconditional VAE or GAN .keras file for generative-prior inpainting of digits.")
    parser.add_argument("--num_images", type=int, default=2000, help="MNIST test images (the first N).")
    parser.add_argument("--output", default=default_output("inpaint"))
    arguments = parser.parse_args()
    started = time.time()
    rows, digits = [], []
    if arguments.mnist_model:
        digits = [image for image, _ in load_dataset("mnist", split=f"test[:{arguments.num_images}]").as_numpy_iterator()]
        rows += run_suite("MNIST test", digits, mnist_masks(digits), mnist_methods(arguments), MNIST_BATCHED, "docs/images/inpaint_mnist.png")
    if arguments.bsd_model:
        natural = keras.saving.load_model(arguments.bsd_model)
        bsd_methods = {
            "ours (inpaint_bsd)": restore_as_is(natural),
            "ours (inpaint_bsd), 8-fold self-ensemble": restore_as_is(natural, self_ensemble=True),
            **baselines.INPAINTERS,
            PUSH_PULL: push_pull_fill,
        }
        for name, seed in (("Set12", 3), ("BSD68", 5)):  # Test sets only: inpaint_bsd trains and validates on Train400.
            photos = [image for image, _ in load_dataset(f"bsd:{name}", split="test").as_numpy_iterator()]
            rows += run_suite(name, photos, stroke_masks(photos, seed), bsd_methods, set(), f"docs/images/inpaint_{name.lower()}.png")
    if arguments.colour_model:
        colour = keras.saving.load_model(arguments.colour_model)
        colour_methods = {"ours (inpaint_colour)": restore_as_is(colour)}
        if arguments.colour_start_model:
            colour_methods[INFLATED] = restore_as_is(inflated_to_rgb(arguments.colour_start_model))
        colour_methods.update({**baselines.INPAINTERS, PUSH_PULL: push_pull_fill})
        photos = [image for image, _ in load_dataset("colour:Kodak24", split="test").as_numpy_iterator()]
        masks = stroke_masks(photos, seed=7)  # A test set only: inpaint_colour trains and validates on the colour pool.
        rows += run_suite("Kodak24", photos, masks, colour_methods, set(), "docs/images/inpaint_kodak24.png")
        crop_picture(photos[0], masks["thick free_form (severity 5)"][0], colour_methods, "docs/images/inpaint_kodak24_crop.png")
    document = {"num_mnist_images": len(digits), "results": rows, "margins": margins(rows)}
    document = write_results(arguments.output, document, started=started)
    print(json.dumps(document, indent=2))
    print("\n| data, mask | ours | hole PSNR | best classical | margin | push-pull fill | margin |\n| --- | --- | --- | --- | --- | --- | --- |")
    for row in document["margins"]:
        print(
            f"| {row['data']}, {row['mask']} | {row['method']} | {row['ours']:.2f} | {row['best_classical']:.2f} ({row['best_classical_method']}) | "
            f"{row['margin_db']:+.2f} dB | {row['push_pull']:.2f} | {row['ours'] - row['push_pull']:+.2f} dB |"
        )
    print("\n| data | mask | method | hole PSNR dB | whole PSNR dB | s/image |\n| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['data']} | {row['mask']} | {row['method']} | {row['hole_psnr']:.2f} | {row['whole_psnr']:.2f} | "
            f"{row['seconds_per_image']:.4f} |"
        )


if __name__ == "__main__":
    main()
