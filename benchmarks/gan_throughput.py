"""Training images/s of `GAN.fit` with the dcgan_mnist settings next to a plain GradientTape loop, at equal precision.

Baseline: the TensorFlow DCGAN tutorial's training loop (an eager Python loop calling a
`tf.function` step with two GradientTapes and two Adam optimizers) over the same networks (built
from the experiment: the tutorial's sizes, 256-128-64 filters), the same batch of 256 and the same
data pipeline. Ours: the experiment exactly as `genrepair-train` builds and compiles it
(`GAN.from_experiment` and `compile_for_experiment`: fused step, 10 steps per execution, an EMA of
the generator with decay 0.99, Adam at a constant rate). Both run in float32 and in bfloat16
mixed precision; the headline ratios compare equal precisions, and the mixed ratio (our bfloat16
against the tutorial's float32) is reported beside them, labelled. Every measurement runs in a
fresh process (TensorFlow's thread pools and Keras's dtype policy are process-wide), in
`--rounds` alternating rounds; the JSON holds every value, the median and the range.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/gan_throughput.py --rounds=3 --steps=100 \
        --output=benchmarks/results/gan_throughput.json
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from tf_genrepair.configs import get_experiment  # noqa: E402
from tf_genrepair.data import generation_dataset, load_dataset  # noqa: E402
from tf_genrepair.models import GAN  # noqa: E402
from tf_genrepair.training.precision import dtype_policy  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.alternating import alternating_rounds, print_table, rate_in_subprocess, summarise  # noqa: E402
from harness.results import default_output, write_results  # noqa: E402
from harness.tutorial_gan import tutorial_train_step  # noqa: E402

EXPERIMENT = "dcgan_mnist"
PRECISIONS = {"float32": "float32", "bfloat16": "mixed_bfloat16"}
PLAIN, FIT = "plain GradientTape loop (TF DCGAN tutorial)", f"fit ({EXPERIMENT} settings)"
CONFIGURATIONS = {f"{loop}, {label}": (loop, precision) for label, precision in PRECISIONS.items() for loop in (PLAIN, FIT)}
RATIOS = {
    "float32: fit / plain loop": (f"{FIT}, float32", f"{PLAIN}, float32"),
    "bfloat16: fit / plain loop": (f"{FIT}, bfloat16", f"{PLAIN}, bfloat16"),
    "mixed precisions: fit bfloat16 / plain loop float32": (f"{FIT}, bfloat16", f"{PLAIN}, float32"),
}


def experiment_gan(precision: str, total_steps: int) -> tuple[GAN, int]:
    """The experiment's GAN, built and compiled as training does, at `precision`; and its batch size."""
    config = get_experiment(EXPERIMENT, [f"train.precision={precision}"])
    keras.utils.set_random_seed(config.train.seed)
    with dtype_policy(precision):
        gan = GAN.from_experiment(config)
        gan.compile_for_experiment(config, total_steps=total_steps)
    return gan, config.data.batch_size


def batches(batch_size: int) -> tf.data.Dataset:
    return generation_dataset(load_dataset("mnist", split="train"), batch_size=batch_size, seed=0).repeat()


def plain_loop_rate(precision: str, steps: int, warmup: int) -> float:
    """The tutorial's loop over the experiment's networks: eager Python iteration, a tf.function step, two tapes."""
    gan, batch_size = experiment_gan(precision, steps + warmup)
    train_step = tutorial_train_step(
        gan.generator, gan.discriminator, keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5), latent_dim=gan.latent_dim
    )
    iterator = iter(batches(batch_size))
    for _ in range(warmup):
        train_step(next(iterator))
    started = time.perf_counter()
    for _ in range(steps):
        train_step(next(iterator))
    return steps * batch_size / (time.perf_counter() - started)


def fit_rate(precision: str, steps: int, warmup: int) -> float:
    """`fit` of the experiment's GAN; the first (untimed) call pays for tracing."""
    gan, batch_size = experiment_gan(precision, steps + warmup)
    gan.fit(batches(batch_size), steps_per_epoch=warmup, epochs=1, verbose=0)
    started = time.perf_counter()
    gan.fit(batches(batch_size), steps_per_epoch=steps, epochs=1, verbose=0)
    return steps * batch_size / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="Alternating rounds; every configuration once per round.")
    parser.add_argument("--steps", type=int, default=100, help="Timed training steps per measurement (a multiple of 10).")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed steps first (tracing).")
    parser.add_argument("--output", default=default_output("gan_throughput"))
    parser.add_argument("--configuration", choices=sorted(CONFIGURATIONS), help="Measure this one here and print its rate.")
    arguments = parser.parse_args()
    if arguments.steps % 10 or arguments.warmup % 10:
        parser.error(f"--steps and --warmup must be multiples of 10 (the experiment's steps per execution). Received: {arguments.steps}, {arguments.warmup}")
    if arguments.configuration:
        loop, precision = CONFIGURATIONS[arguments.configuration]
        print((plain_loop_rate if loop == PLAIN else fit_rate)(precision, arguments.steps, arguments.warmup))
        return
    started = time.time()
    timing = [f"--steps={arguments.steps}", f"--warmup={arguments.warmup}"]
    rounds = alternating_rounds(list(CONFIGURATIONS), arguments.rounds, lambda name: rate_in_subprocess(__file__, [*timing, f"--configuration={name}"]))
    summary = summarise(rounds, RATIOS)
    report = {
        "benchmark": "gan_throughput",
        "experiment": get_experiment(EXPERIMENT).to_dict(),
        "rounds": arguments.rounds,
        "timed_steps": arguments.steps,
        "warmup_steps": arguments.warmup,
        **summary,
    }
    write_results(arguments.output, report, started=started)
    print_table(summary)


if __name__ == "__main__":
    main()
