"""Samples of a semi-supervised model, one row per class: the picture in docs/semi_supervised.md.

A model that samples by class (`ssvae`) is asked for each class; any other (`ssgan`, whose
generator takes no class) draws unconditional samples that its own classifier sorts into rows,
picked at random among those it puts in each class, with the share of samples per class in the
row label.

    python benchmarks/semi_supervised_samples.py \\
        --model=workdirs/semi_supervised/ssgan_mnist_100labels_seed0/model.keras \\
        --picture=docs/images/ssgan_mnist_samples_by_class.png
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from tf_genrepair.io.plots import save_image_table  # noqa: E402
from tf_genrepair.models import load_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="A trained semi-supervised model (.keras).")
    parser.add_argument("--picture", required=True, help="Output PNG.")
    parser.add_argument("--per_class", type=int, default=12)
    parser.add_argument("--pool", type=int, default=5000, help="Unconditional samples to sort into classes.")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    model = load_model(arguments.model)
    classes = range(model.num_classes)
    if model.samples_by_class:
        rows = {f"class {k}": model.sample(arguments.per_class, labels=np.full(arguments.per_class, k), seed=arguments.seed) for k in classes}
        title = "samples asked for each class"
    else:
        pool = model.generate(arguments.pool, seed=arguments.seed)
        predicted = model.predict_labels(pool)
        rng = np.random.default_rng(arguments.seed)
        rows = {}
        for k in classes:
            members = np.flatnonzero(predicted == k)
            chosen = rng.choice(members, min(arguments.per_class, len(members)), replace=False) if len(members) else []
            rows[f"{k} ({len(members) / len(pool):.0%})"] = pool[chosen] if len(members) else np.zeros((1, *pool.shape[1:]))
        title = "unconditional samples, sorted by the model's own classifier (share per class)"
    print(save_image_table(rows, arguments.picture, title=title, cell_inches=0.6))


if __name__ == "__main__":
    main()
