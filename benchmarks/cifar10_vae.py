"""CIFAR-10 VAE: test bits per dimension from the importance-sampled likelihood, with the training time.

`vae_cifar10` (convolutional VAE, discretised-logistic decoder over the 256 levels of each channel) is
trained on `train[:98%]` of the JPEG copy (or reused from `--workdir` when it holds a finished run,
with the training time that run recorded). Then, on the test images, nothing selected on them:

- log p(x) ~ logsumexp_i [log p(x|z_i) + log p(z_i) - log q(z_i|x)] - log k with k = `--samples`
  (>= 1,000 for the issue's figure) on the first `--test_images` (k = 1,000 costs about half a second
  per image on 2 CPU cores, so all 10,000 take over an hour), and the ELBO (k = 1) on the same images
  and on all 10,000 beside it;
- all as bits per dimension: -log2 p(x) / (32 * 32 * 3). A uniform model of the levels is 8 bits.

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

# Images and decodes per pass: 5,000 decodes of the 32x32 decoder hold about 1 GB of activations.
SCORING = dict(batch_size=25, max_decoded=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default="vae_cifar10")
    parser.add_argument("--workdir", default="workdirs/vae_cifar10")
    parser.add_argument("--samples", type=int, default=1000, help="Importance samples k per test image.")
    parser.add_argument("--test_images", type=int, default=1000, help="Score the first N test images with k samples.")
    parser.add_argument("--picture", default=None, help="Where to save a grid of 64 samples (PNG).")
    parser.add_argument("--output", default=default_output("cifar10_vae"))
    arguments = parser.parse_args()
    if arguments.samples < 1 or arguments.test_images < 1:
        parser.error(f"--samples and --test_images must be >= 1. Received: {arguments.samples}, {arguments.test_images}")
    started = time.time()
    config = get_experiment(arguments.experiment)
    model, metrics = trained_run(config, arguments.workdir)
    all_images, _ = load_arrays(config.data.name, split="test")
    images = all_images[: arguments.test_images]
    shape = images.shape[1:]
    scored = time.time()
    log_likelihood = model.log_likelihood(images, num_samples=arguments.samples, verbose=True, **SCORING)
    scoring_seconds = time.time() - scored
    elbo = model.log_likelihood(all_images, num_samples=1, seed=1, **SCORING)
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
        "test_elbo_bits_per_dimension": bits_per_dimension(elbo[: len(images)], shape),
        "all_test_images": len(all_images),
        "all_test_elbo_bits_per_dimension": bits_per_dimension(elbo, shape),
        "scoring_seconds": scoring_seconds,
    }
    if arguments.picture:
        save_image_grid(model.generate(64, seed=0), arguments.picture, title=f"{arguments.experiment}: samples")
        document["picture"] = arguments.picture
    document = write_results(arguments.output, document, started=started)
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
