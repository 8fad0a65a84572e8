"""DCGAN on CIFAR-10: time to sample quality of `GAN.fit` (dcgan_cifar10) beside the TensorFlow DCGAN tutorial's loop.

Both sides train the same networks (the experiment's generator and discriminator at 32x32x3, built
from the same seed) on the same 49,000 training images of the JPEG copy (`train[:98%]`), in the same
precision, for the same `--minutes` of training each (sample scoring is not counted), one after the
other in this process:

- ours: the experiment as `genrepair-train` builds and compiles it (one fused step for both players,
  10 steps per execution, an EMA of the generator, Adam 2e-4 with beta_1 0.5, batches of 128);
- peer: the tutorial's loop adapted to 32x32x3 (an eager Python loop over a shuffled `tf.data`
  stream calling a `tf.function` step with two GradientTapes; by default the tutorial's Adam 1e-4
  for both players and batches of 256; no EMA).

Every `--every_minutes` of a side's training, `--samples` samples are scored on the features of
`classifier_cifar10` (`--classifier`; train it first) against the 1,000 held-out training images
(`train[98%:]`): FID, class entropy, precision and recall. The final generators are also scored
against the 10,000 test images, once. Writes FID-vs-time curves (PNG) and both sample grids.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/dcgan_cifar10.py --minutes=25 \\
        --picture_prefix=docs/images/dcgan_cifar10

Writes `benchmarks/results/dcgan_cifar10.json`.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from tf_genrepair.configs import get_experiment  # noqa: E402
from tf_genrepair.configs.classifiers import CIFAR10_CLASSIFIER  # noqa: E402
from tf_genrepair.configs.overrides import apply_overrides  # noqa: E402
from tf_genrepair.configs.schema import CIFAR10_VALIDATION  # noqa: E402
from tf_genrepair.data import generation_dataset, load_arrays, load_dataset  # noqa: E402
from tf_genrepair.io.plots import save_curves, save_image_grid  # noqa: E402
from tf_genrepair.metrics import extract_features, generator_quality  # noqa: E402
from tf_genrepair.models import GAN, load_model  # noqa: E402
from tf_genrepair.training.precision import dtype_policy  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402
from harness.tutorial_gan import tutorial_train_step  # noqa: E402

OURS, PEER = "ours: GAN.fit (dcgan_cifar10)", "peer: TF DCGAN tutorial loop"


class QualityClock:
    """Training time of one side, pausing while its samples are scored every `every_seconds` of training."""

    def __init__(self, name: str, model: GAN, score, *, budget_seconds: float, every_seconds: float) -> None:
        self.name, self.model, self.score = name, model, score
        self.budget_seconds, self.every_seconds = budget_seconds, every_seconds
        self.trained_seconds, self.steps, self.curve = 0.0, 0, []
        self.resumed = time.perf_counter()

    def tick(self, steps: int) -> bool:
        """Counts `steps` more training steps; scores when a mark is passed. True while budget remains."""
        self.trained_seconds += time.perf_counter() - self.resumed
        self.steps += steps
        if self.trained_seconds >= self.every_seconds * (len(self.curve) + 1) or self.trained_seconds >= self.budget_seconds:
            quality = self.score(self.model)
            self.curve.append({"train_seconds": self.trained_seconds, "steps": self.steps, **quality})
            print(f"{self.name}: {self.trained_seconds:.0f} s, {self.steps} steps, FID {quality['fid']:.1f}", flush=True)
        self.resumed = time.perf_counter()
        return self.trained_seconds < self.budget_seconds


class _StopAtBudget(keras.callbacks.Callback):
    def __init__(self, clock: QualityClock, steps_per_execution: int) -> None:
        super().__init__()
        self.clock, self.steps_per_execution = clock, steps_per_execution

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self.clock.tick(self.steps_per_execution):
            self.model.stop_training = True


def train_ours(config, clock_for) -> QualityClock:
    """The experiment's GAN trained with `fit` until its clock's budget is used; the clock holds the model and its curve."""
    keras.utils.set_random_seed(config.train.seed)
    with dtype_policy(config.train.precision):
        gan = GAN.from_experiment(config)
        gan.compile_for_experiment(config, total_steps=1)
    clock = clock_for(OURS, gan)
    data = GAN.generation_training_data(config).repeat()
    gan.fit(data, epochs=1, steps_per_epoch=10**9, callbacks=[_StopAtBudget(clock, config.train.steps_per_execution)], verbose=0)
    return clock


def train_peer(config, clock_for, *, learning_rate: float, beta_1: float, batch_size: int) -> QualityClock:
    """The same networks (same seed), no EMA, trained by the tutorial's loop until its clock's budget is used."""
    peer_config = apply_overrides(config, ["model.ema_decay=none"])
    keras.utils.set_random_seed(config.train.seed)
    with dtype_policy(config.train.precision):
        gan = GAN.from_experiment(peer_config)
        step = tutorial_train_step(
            gan.generator, gan.discriminator, keras.optimizers.Adam(learning_rate, beta_1=beta_1),
            keras.optimizers.Adam(learning_rate, beta_1=beta_1), latent_dim=gan.latent_dim,
        )
    data = generation_dataset(load_dataset(config.data.name, split=config.data.train_split), batch_size=batch_size, seed=config.train.seed,
                              shuffle_buffer=config.data.shuffle_buffer)
    clock = clock_for(PEER, gan)
    while True:
        for images in data:  # The tutorial's `for image_batch in dataset` per epoch.
            step(images)
            if not clock.tick(1):
                return clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default="dcgan_cifar10")
    parser.add_argument("--minutes", type=float, default=30.0, help="Training time of each side.")
    parser.add_argument("--every_minutes", type=float, default=5.0, help="Score the samples after every this much training.")
    parser.add_argument("--classifier", default=CIFAR10_CLASSIFIER, help="A trained CIFAR-10 Classifier (.keras) for the features.")
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--peer_learning_rate", type=float, default=1e-4, help="The tutorial's Adam rate.")
    parser.add_argument("--peer_beta_1", type=float, default=0.9, help="The tutorial's Adam beta_1 (Keras's default).")
    parser.add_argument("--peer_batch_size", type=int, default=256, help="The tutorial's batch.")
    parser.add_argument("--picture_prefix", default=None, help="Writes <prefix>_fid.png and <prefix>_samples_{ours,peer}.png.")
    parser.add_argument("--output", default=default_output("dcgan_cifar10"))
    arguments = parser.parse_args()
    if arguments.minutes <= 0 or arguments.every_minutes <= 0:
        parser.error(f"--minutes and --every_minutes must be positive. Received: {arguments.minutes}, {arguments.every_minutes}")
    started = time.time()
    config = get_experiment(arguments.experiment)
    classifier = load_model(arguments.classifier)
    features = classifier.feature_extractor()
    held_out = extract_features(features, load_arrays(config.data.name, split=CIFAR10_VALIDATION)[0])

    def clock_for(name: str, model: GAN) -> QualityClock:
        score = lambda generator: generator_quality(generator, classifier, held_out, num_samples=arguments.samples, seed=1)  # noqa: E731
        return QualityClock(name, model, score, budget_seconds=60 * arguments.minutes, every_seconds=60 * arguments.every_minutes)

    ours_clock = train_ours(config, clock_for)
    peer_clock = train_peer(config, clock_for, learning_rate=arguments.peer_learning_rate, beta_1=arguments.peer_beta_1,
                                  batch_size=arguments.peer_batch_size)
    test = extract_features(features, load_arrays(config.data.name, split="test")[0])
    sides = {}
    for clock in (ours_clock, peer_clock):
        final_test = generator_quality(clock.model, classifier, test, num_samples=arguments.samples, seed=2)
        sides[clock.name] = {"train_seconds": clock.trained_seconds, "steps": clock.steps, "curve": clock.curve, "final_test": final_test}
        print(f"{clock.name}: test FID {final_test['fid']:.1f} after {clock.trained_seconds:.0f} s ({clock.steps} steps)", flush=True)
    document = {
        "experiment": config.to_dict(),
        "classifier": arguments.classifier,
        "precision": config.train.precision,
        "peer_settings": {"learning_rate": arguments.peer_learning_rate, "beta_1": arguments.peer_beta_1, "batch_size": arguments.peer_batch_size},
        "held_out": CIFAR10_VALIDATION,
        "sides": sides,
    }
    if arguments.picture_prefix:
        marks = [point["train_seconds"] / 60 for point in ours_clock.curve]
        usable = min(len(ours_clock.curve), len(peer_clock.curve))
        curves = {clock.name: [point["fid"] for point in clock.curve[:usable]] for clock in (ours_clock, peer_clock)}
        document["pictures"] = [
            save_curves([round(mark, 1) for mark in marks[:usable]], curves, f"{arguments.picture_prefix}_fid.png", x_label="training minutes",
                        y_label="FID (held-out CIFAR-10, classifier features)", title="DCGAN on CIFAR-10: time to quality"),
            save_image_grid(ours_clock.model.generate(64, seed=0), f"{arguments.picture_prefix}_samples_ours.png", title=OURS),
            save_image_grid(peer_clock.model.generate(64, seed=0), f"{arguments.picture_prefix}_samples_peer.png", title=PEER),
        ]
    document = write_results(arguments.output, document, started=started)
    print(json.dumps({name: side["final_test"] for name, side in document["sides"].items()}, indent=2))


if __name__ == "__main__":
    main()
