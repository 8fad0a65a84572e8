"""Training images/s of our `GAN.fit` on dcgan_mnist next to a plain GradientTape loop, in one run.

Baseline: the TensorFlow DCGAN tutorial's training loop (eager Python loop calling a
`tf.function` train step with two GradientTapes), over the same networks (the tutorial's
sizes: 256-128-64 filters), the same batch of 256 and the same data pipeline.
Ours: `GAN.fit` with XLA (`jit_compile=True`) and `steps_per_execution`, i.e. the
settings of the `dcgan_mnist` experiment.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/gan_throughput.py [--steps=60]

Prints a JSON document and a table.
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from tf_genrepair.data import generation_dataset, load_dataset  # noqa: E402
from tf_genrepair.losses import minimax_discriminator_loss, non_saturating_generator_loss  # noqa: E402
from tf_genrepair.models import GAN  # noqa: E402
from tf_genrepair.networks import dcgan_discriminator, dcgan_generator  # noqa: E402

BATCH = 256
LATENT_DIM = 100


def networks() -> tuple[keras.Model, keras.Model]:
    keras.utils.set_random_seed(0)
    return dcgan_generator(latent_dim=LATENT_DIM), dcgan_discriminator()


def batches() -> tf.data.Dataset:
    return generation_dataset(load_dataset("mnist", split="train"), batch_size=BATCH, seed=0).repeat()


def plain_loop_rate(steps: int, warmup: int) -> float:
    """The tutorial's loop: eager Python iteration, a tf.function step, two tapes, two Adam optimizers."""
    generator, discriminator = networks()
    generator_optimizer, discriminator_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)

    @tf.function
    def train_step(images: tf.Tensor) -> None:
        images = 2.0 * images - 1.0
        noise = tf.random.normal([BATCH, LATENT_DIM])
        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
            fake = generator(noise, training=True)
            real_scores, fake_scores = discriminator(images, training=True), discriminator(fake, training=True)
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


class StepTimer(keras.callbacks.Callback):
    """Wall time of epochs after the first (which pays for tracing and XLA compilation)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.times.append(time.perf_counter() - self.started)


def fit_rate(steps: int, warmup: int, *, jit_compile: bool, steps_per_execution: int, simultaneous_updates: bool) -> float:
    generator, discriminator = networks()
    gan = GAN(generator=generator, discriminator=discriminator, latent_dim=LATENT_DIM, simultaneous_updates=simultaneous_updates)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        jit_compile=jit_compile,
        steps_per_execution=steps_per_execution,
    )
    timer = StepTimer()
    gan.fit(batches(), steps_per_epoch=warmup, epochs=1, verbose=0)
    gan.fit(batches(), steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[timer])
    return steps * BATCH / timer.times[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="Timed training steps per configuration.")
    parser.add_argument("--warmup", type=int, default=10, help="Untimed steps first (tracing, compilation).")
    arguments = parser.parse_args()
    tf.config.threading.set_inter_op_parallelism_threads(2)
    baseline = plain_loop_rate(arguments.steps, arguments.warmup)
    configurations = {
        "fit, alternating updates": dict(jit_compile=False, steps_per_execution=1, simultaneous_updates=False),
        "fit, fused step": dict(jit_compile=False, steps_per_execution=1, simultaneous_updates=True),
        "fit, fused step + XLA + 10 steps/execution": dict(jit_compile=True, steps_per_execution=10, simultaneous_updates=True),
    }
    results = {name: fit_rate(arguments.steps, arguments.warmup, **options) for name, options in configurations.items()}
    report = {
        "benchmark": "gan_throughput",
        "batch_size": BATCH,
        "steps": arguments.steps,
        "plain_gradient_tape_loop_images_per_s": round(baseline, 1),
        "fit_images_per_s": {name: round(rate, 1) for name, rate in results.items()},
        "ratio_vs_plain_loop": {name: round(rate / baseline, 3) for name, rate in results.items()},
    }
    print(json.dumps(report, indent=2))
    print(f"\n{'configuration':<46} {'images/s':>9} {'vs plain loop':>14}")
    print(f"{'plain GradientTape loop (TF DCGAN tutorial)':<46} {baseline:>9.1f} {1.0:>13.2f}x")
    for name, rate in results.items():
        print(f"{name:<46} {rate:>9.1f} {rate / baseline:>13.2f}x")


if __name__ == "__main__":
    main()
