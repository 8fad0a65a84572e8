"""Training images/s of our `GAN.fit` on dcgan_mnist next to a plain GradientTape loop, in one run.

Baseline: the TensorFlow DCGAN tutorial's training loop (an eager Python loop calling a
`tf.function` train step with two GradientTapes) over the same networks (the tutorial's
sizes: 256-128-64 filters), the same batch of 256 and the same data pipeline, in float32.
Ours: `GAN.fit` with alternating or fused updates, `steps_per_execution`, XLA and bfloat16
mixed precision. Every configuration runs in a fresh process, one after another, since
TensorFlow's thread pools and Keras's dtype policy are process-wide.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/gan_throughput.py [--steps=30]

Prints a JSON document and a table.
"""

import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from tf_genrepair.data import generation_dataset, load_dataset  # noqa: E402
from tf_genrepair.losses import (  # noqa: E402
    minimax_discriminator_loss,
    non_saturating_generator_loss,
)
from tf_genrepair.models import GAN  # noqa: E402
from tf_genrepair.networks import dcgan_discriminator, dcgan_generator  # noqa: E402
from tf_genrepair.training.precision import dtype_policy  # noqa: E402

BATCH = 256
LATENT_DIM = 100
BASELINE = "plain GradientTape loop (TF DCGAN tutorial)"
CONFIGURATIONS = {
    BASELINE: dict(loop="plain", precision="float32"),
    "plain loop, bfloat16 mixed precision": dict(loop="plain", precision="mixed_bfloat16"),
    "fit, alternating updates": dict(loop="fit", simultaneous_updates=False),
    "fit, fused step": dict(loop="fit", simultaneous_updates=True),
    "fit, fused step, 10 steps/execution": dict(loop="fit", simultaneous_updates=True, steps_per_execution=10),
    "fit, fused step, XLA": dict(loop="fit", simultaneous_updates=True, jit_compile=True),
    "fit, fused step, 10 steps/execution, bfloat16": dict(
        loop="fit", simultaneous_updates=True, steps_per_execution=10, precision="mixed_bfloat16"
    ),
}


def networks(precision: str) -> tuple[keras.Model, keras.Model]:
    keras.utils.set_random_seed(0)
    with dtype_policy(precision):
        return dcgan_generator(latent_dim=LATENT_DIM), dcgan_discriminator()


def batches() -> tf.data.Dataset:
    return generation_dataset(load_dataset("mnist", split="train"), batch_size=BATCH, seed=0).repeat()


def plain_loop_rate(steps: int, warmup: int, *, precision: str) -> float:
    """The tutorial's loop: eager Python iteration, a tf.function step, two tapes, two Adam optimizers."""
    generator, discriminator = networks(precision)
    generator_optimizer, discriminator_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)

    @tf.function
    def train_step(images: tf.Tensor) -> None:
        images = 2.0 * images - 1.0
        noise = tf.random.normal([BATCH, LATENT_DIM])
        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
            fake = generator(noise, training=True)
            real_scores = tf.cast(discriminator(images, training=True), tf.float32)
            fake_scores = tf.cast(discriminator(fake, training=True), tf.float32)
            generator_loss = tf.reduce_mean(non_saturating_generator_loss(fake_scores))
            discriminator_loss = tf.reduce_mean(minimax_discriminator_loss(real_scores, fake_scores))
        generator_optimizer.apply_gradients(
            zip(generator_tape.gradient(generator_loss, generator.trainable_variables), generator.trainable_variables)
        )
        discriminator_optimizer.apply_gradients(
            zip(discriminator_tape.gradient(discriminator_loss, discriminator.trainable_variables), discriminator.trainable_variables)
        )

    iterator = iter(batches())
    for _ in range(warmup):
        train_step(next(iterator))
    started = time.perf_counter()
    for _ in range(steps):
        train_step(next(iterator))
    return steps * BATCH / (time.perf_counter() - started)


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.times.append(time.perf_counter() - self.started)


def fit_rate(
    steps: int,
    warmup: int,
    *,
    simultaneous_updates: bool,
    steps_per_execution: int = 1,
    jit_compile: bool = False,
    precision: str = "float32",
) -> float:
    generator, discriminator = networks(precision)
    gan = GAN(generator=generator, discriminator=discriminator, latent_dim=LATENT_DIM, simultaneous_updates=simultaneous_updates)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        jit_compile=jit_compile,
        steps_per_execution=steps_per_execution,
    )
    timer = EpochTimer()
    # The first epoch pays for tracing (and XLA compilation); the second is timed.
    gan.fit(batches(), steps_per_epoch=warmup, epochs=1, verbose=0)
    gan.fit(batches(), steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[timer])
    return steps * BATCH / timer.times[-1]


def measure(name: str, steps: int, warmup: int) -> float:
    options = dict(CONFIGURATIONS[name])
    if options.pop("loop") == "plain":
        return plain_loop_rate(steps, warmup, **options)
    return fit_rate(steps, warmup, **options)


def measure_in_subprocess(name: str, steps: int, warmup: int) -> float:
    command = [sys.executable, __file__, f"--steps={steps}", f"--warmup={warmup}", f"--configuration={name}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return float(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="Timed training steps per configuration (a multiple of 10).")
    parser.add_argument("--warmup", type=int, default=10, help="Untimed steps first (tracing, compilation).")
    parser.add_argument("--configuration", choices=sorted(CONFIGURATIONS), help="Measure this one here and print its rate.")
    arguments = parser.parse_args()
    if arguments.configuration:
        print(measure(arguments.configuration, arguments.steps, arguments.warmup))
        return
    rates = {}
    for name in CONFIGURATIONS:
        rates[name] = measure_in_subprocess(name, arguments.steps, arguments.warmup)
        print(f"measured {name}: {rates[name]:.1f} images/s", file=sys.stderr, flush=True)
    baseline = rates[BASELINE]
    report = {
        "benchmark": "gan_throughput",
        "batch_size": BATCH,
        "steps": arguments.steps,
        "baseline": BASELINE,
        "images_per_s": {name: round(rate, 1) for name, rate in rates.items()},
        "ratio_vs_baseline": {name: round(rate / baseline, 3) for name, rate in rates.items()},
    }
    print(json.dumps(report, indent=2))
    print(f"\n{'configuration':<48} {'images/s':>9} {'vs baseline':>12}")
    for name, rate in rates.items():
        print(f"{name:<48} {rate:>9.1f} {rate / baseline:>11.2f}x")


if __name__ == "__main__":
    main()
