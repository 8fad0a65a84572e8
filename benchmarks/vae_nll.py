"""Test NLL of an MNIST VAE trained for a fixed number of epochs, and VAE training images/s against a plain loop.

Likelihood: trains `--experiment` (default vae_mnist) through `train_and_evaluate` for `--epochs`
(328, the headline run; or, with `--budget_minutes`, as many as fit in that budget on this
machine, calibrated on a short run first), then reports the test
NLL on the 10,000 MNIST test images binarized once, with k = 5000 importance samples, next to
the anchors of Burda et al. (2016).

Throughput: images/s of `VAE.fit` built and compiled exactly as the experiment trains (steps per
execution, cosine learning rate) next to a plain GradientTape loop over the same networks and
batch (the TensorFlow CVAE tutorial's style: an eager Python loop over the dataset calling a
`tf.function` step that estimates the ELBO with one sample), both in float32 and both in bfloat16
mixed precision; every measurement in a fresh process, in alternating rounds, median and range.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/vae_nll.py --part=throughput --rounds=3 --steps=200 \
        --output=benchmarks/results/vae_throughput.json
    GENREPAIR_DATA_DIR=../shared/data python benchmarks/vae_nll.py --part=likelihood --epochs=328

Prints a JSON document and a table.
"""

import argparse
import json
import math
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from tf_genrepair.configs import get_experiment  # noqa: E402
from tf_genrepair.data import generation_dataset, load_dataset  # noqa: E402
from tf_genrepair.models import build_model  # noqa: E402
from tf_genrepair.training import train_and_evaluate  # noqa: E402
from tf_genrepair.training.precision import dtype_policy  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.alternating import alternating_rounds, print_table, rate_in_subprocess, summarise  # noqa: E402
from harness.results import default_output, write_results  # noqa: E402

ANCHORS = {"VAE, 1 stochastic layer (Burda et al. 2016)": 86.76, "IWAE k=50, 1 layer (Burda et al. 2016)": 84.78}
PLAIN, FIT = "plain GradientTape loop (TF CVAE tutorial style)", "fit (experiment settings)"
PRECISIONS = {"float32": "float32", "bfloat16": "mixed_bfloat16"}
CONFIGURATIONS = {f"{loop}, {label}": (loop, precision) for label, precision in PRECISIONS.items() for loop in (PLAIN, FIT)}
RATIOS = {
    "float32: fit / plain loop": (f"{FIT}, float32", f"{PLAIN}, float32"),
    "bfloat16: fit / plain loop": (f"{FIT}, bfloat16", f"{PLAIN}, bfloat16"),
}


def _batches(config) -> tf.data.Dataset:
    source = load_dataset("mnist", split="train")
    return generation_dataset(source, batch_size=config.data.batch_size, seed=0, binarize=True, shuffle_buffer=10_000).repeat()


def _experiment_vae(experiment: str, precision: str, total_steps: int):
    """The experiment's VAE, built and compiled as training does, at `precision`; and its config."""
    config = get_experiment(experiment, [f"train.precision={precision}"])
    keras.utils.set_random_seed(config.train.seed)
    with dtype_policy(precision):
        vae = build_model(config)
        vae.compile_for_experiment(config, total_steps=total_steps)
    return vae, config


def plain_loop_rate(experiment: str, precision: str, steps: int, warmup: int) -> float:
    """An eager loop over the experiment's networks calling a tf.function one-sample ELBO step."""
    vae, config = _experiment_vae(experiment, precision, steps + warmup)
    encoder, decoder, batch = vae.encoder, vae.decoder, config.data.batch_size
    optimizer = keras.optimizers.Adam(config.train.learning_rate)
    weights = encoder.trainable_weights + decoder.trainable_weights

    def log_normal(sample, mean, log_var):
        return tf.reduce_sum(-0.5 * ((sample - mean) ** 2 * tf.exp(-log_var) + log_var + math.log(2 * math.pi)), axis=1)

    @tf.function
    def train_step(images):
        with tf.GradientTape() as tape:
            mean, log_var = tf.split(tf.cast(encoder(images, training=True), tf.float32), 2, axis=1)
            z = mean + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mean))
            logits = tf.cast(decoder(z, training=True), tf.float32)
            cross_entropy = tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=images)
            log_px_z = -tf.reduce_sum(cross_entropy, axis=[1, 2, 3])
            loss = -tf.reduce_mean(log_px_z + log_normal(z, 0.0, 0.0) - log_normal(z, mean, log_var))
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))

    iterator = iter(_batches(config))
    for _ in range(warmup):
        train_step(next(iterator))
    started = time.perf_counter()
    for _ in range(steps):
        train_step(next(iterator))
    return steps * batch / (time.perf_counter() - started)


def fit_rate(experiment: str, precision: str, steps: int, warmup: int) -> float:
    """`fit` of the experiment's VAE; the first (untimed) call pays for tracing."""
    vae, config = _experiment_vae(experiment, precision, steps + warmup)
    vae.fit(_batches(config), steps_per_epoch=warmup, epochs=1, verbose=0)
    started = time.perf_counter()
    vae.fit(_batches(config), steps_per_epoch=steps, epochs=1, verbose=0)
    return steps * config.data.batch_size / (time.perf_counter() - started)


def throughput(experiment: str, steps: int, warmup: int, rounds: int) -> dict:
    """Every configuration in a fresh process, in alternating rounds; median and range of rates and ratios."""
    timing = ["--part=one", f"--experiment={experiment}", f"--steps={steps}", f"--warmup={warmup}"]
    measured = alternating_rounds(list(CONFIGURATIONS), rounds, lambda name: rate_in_subprocess(__file__, [*timing, f"--configuration={name}"]))
    summary = summarise(measured, RATIOS)
    print_table(summary)
    return {"experiment_config": get_experiment(experiment).to_dict(), "rounds": rounds, "timed_steps": steps, "warmup_steps": warmup, **summary}


def epochs_for_budget(experiment: str, budget_minutes: float) -> int:
    """How many epochs fit in the budget on this machine, from two short calibration runs.

    One and two epochs of half an epoch's steps: their difference is half an epoch of training plus
    one epoch's fixed costs (validation, sample grid), without the start-up (tracing) costs.
    """
    half_epoch = 60_000 // get_experiment(experiment).data.batch_size // 2
    seconds = []
    for calibration_epochs in (1, 2):
        overrides = [f"train.epochs={calibration_epochs}", f"train.steps_per_epoch={half_epoch}", "evaluation.log_likelihood_samples=0"]
        with tempfile.TemporaryDirectory() as scratch:
            seconds.append(train_and_evaluate(get_experiment(experiment, overrides), scratch)["train_seconds"])
    epoch_seconds = 2 * (seconds[1] - seconds[0])
    epochs = max(1, int(0.95 * budget_minutes * 60 / epoch_seconds))
    print(f"calibration: {epoch_seconds:.1f} s/epoch; training {epochs} epochs", file=sys.stderr, flush=True)
    return epochs


def likelihood(experiment: str, epochs: int, workdir: str) -> dict:
    """Trains the experiment for `epochs` and reports its test NLL next to the published anchors."""
    metrics = train_and_evaluate(get_experiment(experiment, [f"train.epochs={epochs}"]), workdir)
    print(f"\n{'model':<50} {'test NLL (nats)':>16}")
    for name, value in ANCHORS.items():
        print(f"{name:<50} {value:>16.2f}")
    print(f"{f'ours: {experiment}, {epochs} epochs':<50} {metrics['test_nll']:>16.2f}")
    return {
        "experiment": experiment,
        "epochs": epochs,
        "train_minutes": round(metrics["train_seconds"] / 60, 1),
        "test_nll": round(metrics["test_nll"], 2),
        "test_elbo": round(metrics["elbo"], 2),
        "latent_linear_probe_accuracy": metrics.get("latent_linear_probe_accuracy"),
        "log_likelihood_samples": metrics["log_likelihood_samples"],
        "anchors": ANCHORS,
        "workdir": workdir,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["throughput", "likelihood", "one"], default="throughput")
    parser.add_argument("--experiment", default="vae_mnist")
    parser.add_argument("--epochs", type=int, default=328, help="Training epochs (likelihood part): the same model on any machine.")
    parser.add_argument("--budget_minutes", type=float, default=None, help="Instead of --epochs: as many epochs as fit in this budget here.")
    parser.add_argument("--workdir", default="workdirs/vae_nll", help="Work dir of the likelihood run (resumable).")
    parser.add_argument("--steps", type=int, default=200, help="Timed steps per measurement (throughput part; a multiple of 20).")
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3, help="Alternating rounds (throughput part).")
    parser.add_argument("--output", default=None, help="Default: benchmarks/results/vae_throughput.json or vae_nll.json.")
    parser.add_argument("--configuration", choices=sorted(CONFIGURATIONS))
    arguments = parser.parse_args()
    if arguments.part == "one":
        loop, precision = CONFIGURATIONS[arguments.configuration]
        print((plain_loop_rate if loop == PLAIN else fit_rate)(arguments.experiment, precision, arguments.steps, arguments.warmup))
        return
    started = time.time()
    if arguments.part == "throughput":
        report = {"benchmark": "vae_throughput", **throughput(arguments.experiment, arguments.steps, arguments.warmup, arguments.rounds)}
    else:
        epochs = epochs_for_budget(arguments.experiment, arguments.budget_minutes) if arguments.budget_minutes else arguments.epochs
        report = {"benchmark": "vae_nll", **likelihood(arguments.experiment, epochs, arguments.workdir)}
    report = write_results(arguments.output or default_output(report["benchmark"]), report, started=started)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
