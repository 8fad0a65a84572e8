"""Gaussian denoising benchmark pieces shared by the grayscale and colour scripts.

Pinned protocol (docs/restoration.md): clean uint8 images scaled to [0, 1]; noisy = clean +
sigma/255 * N(0, 1) drawn with NumPy's generator seeded by (sigma, image index), not clipped;
every method gets the true sigma; restored output clipped to [0, 1]; PSNR (peak 1) and SSIM
over the whole image (all channels), averaged over images; seconds per image on this machine.
"""

import json
import os
import time
from typing import Callable

import keras
import numpy as np

from tf_genrepair.data.pinned_noise import noisy_copy
from tf_genrepair.io.atomic import write_json_atomic
from tf_genrepair.io.plots import save_image_table
from tf_genrepair.metrics import psnr, ssim

BM3D_LABEL = "bm3d package (non-commercial licence)"
CBM3D_LABEL = "CBM3D, bm3d package (non-commercial licence)"


def bm3d_method(channels: int) -> Callable | None:
    """BM3D (gray) or CBM3D (RGB, in the package's opponent colour space) from the `bm3d` package, or None without it."""
    try:
        import bm3d
    except ImportError:
        return None

    def restore(noisy: np.ndarray, masks=None, *, noise_levels: float) -> np.ndarray:
        if channels == 1:
            return np.clip(bm3d.bm3d(noisy[..., 0], sigma_psd=noise_levels)[..., np.newaxis], 0.0, 1.0).astype(np.float32)
        return np.clip(bm3d.bm3d_rgb(noisy, sigma_psd=noise_levels), 0.0, 1.0).astype(np.float32)

    return restore


def score(method: Callable, images: list[np.ndarray], sigma: float) -> dict:
    """Mean PSNR, SSIM and seconds per image of `method(noisy, noise_levels=sigma / 255)` on the pinned noisy copies."""
    psnrs, ssims, seconds = [], [], []
    progress = keras.utils.Progbar(len(images), verbose=1)
    for index, clean in enumerate(images):
        noisy = noisy_copy(clean, sigma, index)
        started = time.perf_counter()
        restored = method(noisy, noise_levels=sigma / 255.0)
        seconds.append(time.perf_counter() - started)
        psnrs.append(float(psnr(clean[np.newaxis], restored[np.newaxis])[0]))
        ssims.append(float(ssim(clean[np.newaxis], restored[np.newaxis])[0]))
        progress.update(index + 1)
    return {"psnr": float(np.mean(psnrs)), "ssim": float(np.mean(ssims)), "seconds_per_image": float(np.mean(seconds)), "images": len(images)}


def sigma25_picture(image: np.ndarray, methods: dict[str, Callable], path: str, *, label: str, crop: tuple[slice, slice]) -> None:
    """Before/after at sigma 25 (the pinned noise of image 0): clean, noisy and each method, on a full-resolution crop."""
    noisy = noisy_copy(image, 25, 0)
    cells = [image[crop], np.clip(noisy, 0, 1)[crop]] + [method(noisy, noise_levels=25 / 255)[crop] for method in methods.values()]
    save_image_table({label: np.stack(cells)}, path, column_labels=["clean", "noisy, sigma 25", *methods], cell_inches=3.0)


class RowStore:
    """Finished rows of a long run, kept in a side file so that a rerun of the same command skips them.

    Only rows of methods named in `reusable` (the classical ones, which never change) are reused;
    the learned model is always measured again.
    """

    def __init__(self, path: str, reusable: set[str]):
        self.path, self.reusable = path, reusable
        try:
            with open(path, encoding="utf-8") as handle:
                self.rows = json.load(handle)
        except (OSError, ValueError):
            self.rows = []

    def find(self, **key) -> dict | None:
        if key["method"] not in self.reusable:
            return None
        return next((row for row in self.rows if all(row.get(name) == value for name, value in key.items())), None)

    def add(self, row: dict) -> None:
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        self.rows.append(row)
        write_json_atomic(self.path, self.rows)


def print_table(rows: list[dict]) -> None:
    print("\n| set | sigma | method | PSNR dB | SSIM | s/image |\n| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['set']} | {row['sigma']:g} | {row['method']} | {row['psnr']:.2f} | {row['ssim']:.4f} | {row['seconds_per_image']:.3f} |")
