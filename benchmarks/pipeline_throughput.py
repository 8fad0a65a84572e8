"""Images/s of `restoration_dataset` on MNIST per corruption, next to NumPy image-by-image damage.

Baseline, measured in the same run: the same corruption written in NumPy/SciPy/Pillow and
applied one image at a time in a Python loop, the way a Keras `Sequence` or a PyTorch
`Dataset.__getitem__` would. The pipeline is measured twice: plain (fixed order) and as
used for training (shuffle buffer 10,000, severity drawn per image in 1..5).

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/pipeline_throughput.py [--images=30720]

Prints a JSON document and a table.
"""

import argparse
import io
import json
import math
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from scipy import ndimage  # noqa: E402

from tf_genrepair.corruptions import CLASSIC_CORRUPTIONS, CORRUPTIONS  # noqa: E402
from tf_genrepair.data import load_dataset, restoration_dataset  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402

SEVERITY = 3
BAR_CORRUPTIONS = ("box", "free_form", "pixel_dropout", "gaussian_noise", "salt_and_pepper", "poisson_noise", "speckle_noise")


def parameter(name: str, key: str) -> float:
    return CORRUPTIONS[name].parameters[key][SEVERITY - 1]


def segments_mask(shape: tuple[int, int], starts: np.ndarray, ends: np.ndarray, radius: float) -> np.ndarray:
    rows, cols = np.mgrid[: shape[0], : shape[1]] + 0.5
    points = np.stack([rows.ravel(), cols.ravel()], -1)[:, None]
    direction = ends - starts
    along = np.clip(((points - starts) * direction).sum(-1) / np.maximum((direction**2).sum(-1), 1e-12), 0, 1)
    distance = np.linalg.norm(points - (starts + along[..., None] * direction), axis=-1).min(-1)
    return distance.reshape(shape) <= radius


def numpy_corruption(name: str, rng: np.random.Generator):
    """One-image NumPy version of each registered corruption at severity 3."""
    h, w = 28, 28

    def box(x):
        side = round(parameter("box", "side_fraction") * h)
        top, left = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
        out = x.copy()
        out[top : top + side, left : left + side] = 0
        return out

    def free_form(x):
        strokes, width = int(parameter("free_form", "strokes")), parameter("free_form", "width_fraction") * h
        start = rng.random((strokes, 1, 2)) * h
        angles, lengths = rng.random((strokes, 4)) * 2 * math.pi, rng.uniform(0.15, 0.35, (strokes, 4)) * h
        steps = np.stack([np.sin(angles), np.cos(angles)], -1) * lengths[..., None]
        vertices = np.clip(np.concatenate([start, start + np.cumsum(steps, 1)], 1), 0, h)
        hole = segments_mask((h, w), vertices[:, :-1].reshape(-1, 2), vertices[:, 1:].reshape(-1, 2), width / 2)
        return x * ~hole[..., None]

    def scratches(x):
        count = int(parameter("scratches", "count"))
        centres, angles = rng.random((count, 2)) * h, rng.random(count) * math.pi
        half = np.stack([np.sin(angles), np.cos(angles)], -1) * (rng.uniform(0.4, 1.0, count) * h / 2)[:, None]
        rows, cols = np.mgrid[:h, :w] + 0.5
        points = np.stack([rows.ravel(), cols.ravel()], -1)[:, None]
        starts, direction = centres - half, 2 * half
        along = np.clip(((points - starts) * direction).sum(-1) / (direction**2).sum(-1), 0, 1)
        distance = np.linalg.norm(points - (starts + along[..., None] * direction), axis=-1).min(-1)
        alpha = np.clip(1 - distance, 0, 1).reshape(h, w, 1)
        return x * (1 - alpha) + alpha

    def motion_blur(x):
        length, angle = parameter("motion_blur", "length"), rng.random() * math.pi
        radius = 6
        half = np.array([math.sin(angle), math.cos(angle)]) * (length - 1) / 2
        centre = np.array([radius + 0.5, radius + 0.5])
        rows, cols = np.mgrid[: 2 * radius + 1, : 2 * radius + 1] + 0.5
        points = np.stack([rows.ravel(), cols.ravel()], -1)
        direction = 2 * half
        along = np.clip(((points - (centre - half)) * direction).sum(-1) / max((direction**2).sum(), 1e-12), 0, 1)
        distance = np.linalg.norm(points - (centre - half + along[:, None] * direction), axis=-1)
        kernel = np.clip(1 - distance, 0, 1).reshape(2 * radius + 1, -1)
        return ndimage.convolve(x[..., 0], kernel / kernel.sum(), mode="reflect")[..., None]

    def jpeg(x):
        buffer = io.BytesIO()
        Image.fromarray((x[..., 0] * 255).round().astype(np.uint8)).save(buffer, "JPEG", quality=int(parameter("jpeg", "quality")))
        return np.asarray(Image.open(buffer), np.float32)[..., None] / 255

    def downsample(x):
        factor = parameter("downsample", "factor")
        image = Image.fromarray(x[..., 0])
        small = image.resize((round(w / factor), round(h / factor)), Image.BOX)
        return np.asarray(small.resize((w, h), Image.BICUBIC))[..., None]

    amount, photons = parameter("salt_and_pepper", "amount"), parameter("poisson_noise", "photons")
    functions = {
        "box": box,
        "free_form": free_form,
        "pixel_dropout": lambda x: x * (rng.random((h, w, 1)) >= parameter("pixel_dropout", "rate")),
        "gaussian_noise": lambda x: x + parameter("gaussian_noise", "sigma") * rng.standard_normal(x.shape),
        "salt_and_pepper": lambda x: np.where(
            (draw := rng.random((h, w, 1))) < amount / 2, 1.0, np.where(draw < amount, 0.0, x)
        ),
        "poisson_noise": lambda x: rng.poisson(x * photons) / photons,
        "speckle_noise": lambda x: x + x * parameter("speckle_noise", "sigma") * rng.standard_normal(x.shape),
        "gaussian_blur": lambda x: ndimage.gaussian_filter(x, (parameter("gaussian_blur", "sigma"),) * 2 + (0,), mode="reflect"),
        "motion_blur": motion_blur,
        "jpeg": jpeg,
        "downsample": downsample,
        "scratches": scratches,
    }
    return lambda x: np.clip(functions[name](x), 0, 1).astype(np.float32)


def pipeline_rate(dataset, name: str, images: int, **options) -> float:
    pipeline = restoration_dataset(dataset, name, batch_size=256, seed=0, repeat=True, **options)
    iterator = iter(pipeline)
    for _ in range(5):  # Warm-up: tracing, XLA compilation, buffers.
        next(iterator)
    started, seen = time.perf_counter(), 0
    while seen < images:
        (damaged, _), _ = next(iterator)
        seen += int(damaged.shape[0])
    return seen / (time.perf_counter() - started)


def numpy_rate(clean: np.ndarray, name: str) -> float:
    corrupt = numpy_corruption(name, np.random.default_rng(0))
    started = time.perf_counter()
    for image in clean:
        corrupt(image)
    return len(clean) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=30_720, help="Images timed per pipeline measurement.")
    parser.add_argument("--numpy_images", type=int, default=3_000, help="Images timed per NumPy measurement.")
    parser.add_argument("--output", default=default_output("pipeline_throughput"))
    arguments = parser.parse_args()
    started = time.time()
    mnist = load_dataset("mnist", split="train")
    clean = np.stack([image for image, _ in mnist.take(arguments.numpy_images).as_numpy_iterator()])
    results = []
    for name in CLASSIC_CORRUPTIONS:  # The twelve with a NumPy baseline.
        plain = pipeline_rate(mnist, name, arguments.images, severity=SEVERITY)
        training = pipeline_rate(mnist, name, arguments.images, severity=(1, 5), shuffle_buffer=10_000)
        baseline = numpy_rate(clean, name)
        results.append(
            {
                "corruption": name,
                "pipeline_images_per_s": round(plain),
                "training_pipeline_images_per_s": round(training),
                "numpy_loop_images_per_s": round(baseline),
                "speedup_vs_numpy": round(plain / baseline, 2),
                "meets_20k_bar": min(plain, training) >= 20_000 if name in BAR_CORRUPTIONS else None,
            }
        )
    print(json.dumps(write_results(arguments.output, {"benchmark": "pipeline_throughput", "results": results}, started=started), indent=2))
    print(f"\n{'corruption':<16} {'pipeline/s':>11} {'shuffled/s':>11} {'numpy/s':>9} {'speedup':>8}  bar (20k/s)")
    for row in results:
        bar = {True: "pass", False: "FAIL", None: "-"}[row["meets_20k_bar"]]
        print(
            f"{row['corruption']:<16} {row['pipeline_images_per_s']:>11,} {row['training_pipeline_images_per_s']:>11,} "
            f"{row['numpy_loop_images_per_s']:>9,} {row['speedup_vs_numpy']:>7.1f}x  {bar}"
        )


if __name__ == "__main__":
    main()
