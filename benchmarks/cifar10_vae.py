"""CIFAR-10 VAE: test bits per dimension from the importance-sampled likelihood, with the training time.

`vae_cifar10` (convolutional VAE, discretised-logistic decoder over the 256 levels of each channel) is
trained on `train[:98%]` of the JPEG copy (or reused from `--workdir` when it holds a finished run,
with the training time that run recorded). Then, on the 10,000 test images (or the first
`--test_images`), nothing selected on them:

- log p(x) ~ logsumexp_i [log p(x|z_i) + log p(z_i) - log q(z_i|x)] - log k with k = `--samples`
  (>= 1,000 for the issue's figure), and the ELBO (k = 1) beside it;
- both as bits per dimension: -log2 p(x) / (32 * 32 * 3). A uniform model of the levels is 8 bits.

Also saves a grid of samples (`--picture`).

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/cifar10_vae.py --workdir=workdirs/vae_cifar10 \\
        --picture=docs/images/vae_cifar10_samples.png

Writes `benchmarks/results/cifar10_vae.json`.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tf_genrepair.configs import get_experiment  # noqa: E402
from tf_genrepair.data import load_arrays  # noqa: E402
from tf_genrepair.io.plots import save_image_grid  # noqa: E402
from tf_genrepair.likelihoods import bits_per_dimension  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402
from harness.runs import trained_run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default="vae_cifar10")
    parser.add_argument("--workdir", default="workdirs/vae_cifar10")
    parser.add_argument("--samples", type=int, default=1000, help="Importance samples k per test image.")
    parser.add_argument("--test_images", type=int, default=10_000, help="Score the first N test images (all 10,000 for the figure).")
    parser.add_argument("--picture", default=None, help="Where to save a grid of 64 samples (PNG).")
    parser.add_argument("--output", default=default_output("cifar10_vae"))
    arguments = parser.parse_args()
    if arguments.samples < 1 or arguments.test_images < 1:
        parser.error(f"--samples and --test_images must be >= 1. Received: {arguments.samples}, {arguments.test_images}")
    started = time.time()
    config = get_experiment(arguments.experiment)
    model, metrics = trained_run(config, arguments.workdir)
    images, _ = load_arrays(config.data.name, split="test")
    images = images[: arguments.test_images]
    shape = images.shape[1:]
    scored = time.time()
    log_likelihood = model.log_likelihood(images, num_samples=arguments.samples, verbose=True)
    scoring_seconds = time.time() - scored
    elbo = model.log_likelihood(images, num_samples=1, seed=1)
    document = {
        "experiment": arguments.experiment,
        "workdir": arguments.workdir,
        "data": f"{config.data.name} JPEG copy: trained on {config.data.train_split}, scored on the first {len(images)} test images",
        "likelihood": config.model.likelihood,
        "train_seconds": float(metrics["train_seconds"]),
        "train_epochs": metrics.get("train_epochs"),
        "importance_samples": arguments.samples,
        "test_nll_nats": float(-log_likelihood.mean()),
        "test_bits_per_dimension": bits_per_dimension(log_likelihood, shape),
        "test_elbo_bits_per_dimension": bits_per_dimension(elbo, shape),
        "scoring_seconds": scoring_seconds,
    }
    if arguments.picture:
        save_image_grid(model.generate(64, seed=0), arguments.picture, title=f"{arguments.experiment}: samples")
        document["picture"] = arguments.picture
    document = write_results(arguments.output, document, started=started)
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
