"""Training side effects: sample grids and restoration previews each epoch, the generative collapse guard, a time budget, memory."""

import json
import math
import os
import time

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.io.atomic import atomic_path, write_text_atomic
from tf_genrepair.io.plots import save_image_grid, save_image_table
from tf_genrepair.io.memory import release_free_memory, resident_memory_mib
from tf_genrepair.metrics.sample_quality import generator_quality


class SampleGrid(keras.callbacks.Callback):
    """Saves a grid of samples from fixed latents after each epoch, as PNG and as a TensorBoard image.

    Args:
        folder: Where `epoch_001.png`, ... are written.
        num_images: Images per grid (the same latents every epoch, so grids are comparable).
        seed: Seed of those latents.
        tensorboard_dir: If given, the grid is also logged there as an image summary.
    """

    def __init__(self, folder: str, *, num_images: int = 64, seed: int = 0, tensorboard_dir: str | None = None) -> None:
        super().__init__()
        self.folder = folder
        self.num_images = num_images
        self.seed = seed
        self.writer = tf.summary.create_file_writer(tensorboard_dir) if tensorboard_dir else None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        images = self.model.generate(self.num_images, seed=self.seed)
        save_image_grid(images, os.path.join(self.folder, f"epoch_{epoch + 1:03d}.png"), columns=8, title=f"epoch {epoch + 1}")
        if self.writer is not None:
            with self.writer.as_default():
                tf.summary.image("samples", images[:16], step=epoch + 1, max_outputs=16)


class GenerativeQuality(keras.callbacks.Callback):
    """Collapse guard: every few epochs, scores samples with a reference classifier and keeps the best generator.

    GAN quality often degrades late in training, so the network that samples (a GAN's
    generator or its EMA copy, a VAE's decoder) with the lowest FID on the classifier's features is saved to
    `best_path`, and every evaluation is appended to `history_path` (JSON lines).

    Args:
        classifier: A trained `Classifier`.
        real_features: Its features of held-out real images.
        best_path: `.weights.h5` file for the best generator (written atomically).
        history_path: JSON-lines file of every evaluation.
        every_epochs: Evaluate after every this many epochs (and after the last).
        num_samples: Samples generated per evaluation.
        seed: Seed of those samples.
    """

    def __init__(
        self,
        classifier: keras.Model,
        real_features: np.ndarray,
        *,
        best_path: str,
        history_path: str,
        every_epochs: int = 1,
        num_samples: int = 5000,
        seed: int = 1,
    ) -> None:
        super().__init__()
        self.classifier = classifier
        self.real_features = real_features
        self.best_path = best_path
        self.history_path = history_path
        self.every_epochs = every_epochs
        self.num_samples = num_samples
        self.seed = seed
        self.best: dict | None = None

    def evaluate(self) -> dict[str, float]:
        """Scores `num_samples` fresh samples of the model now."""
        return generator_quality(self.model, self.classifier, self.real_features, num_samples=self.num_samples, seed=self.seed)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        last = self.params and epoch + 1 == self.params.get("epochs")
        if (epoch + 1) % self.every_epochs and not last:
            return
        quality = {"epoch": epoch + 1, **self.evaluate()}
        history = open(self.history_path).read() if os.path.exists(self.history_path) else ""
        write_text_atomic(self.history_path, history + json.dumps(quality) + "\n")
        if logs is not None:
            logs.update({f"sample_{key}": value for key, value in quality.items() if key != "epoch"})
        if self.best is None or quality["fid"] < self.best["fid"]:
            self.best = quality
            with atomic_path(self.best_path) as temporary:
                self.model.sampling_network().save_weights(temporary)
        print(
            f"epoch {epoch + 1}: sample FID {quality['fid']:.2f}, class entropy {quality['class_entropy']:.3f}, "
            f"confidence {quality['mean_confidence']:.3f} (best FID {self.best['fid']:.2f} at epoch {self.best['epoch']})"
        )


class TimeBudget(keras.callbacks.Callback):
    """Stops training after `minutes` of wall-clock time, annealing the learning rates over that time.

    The learning rate of every optimizer the model trains with (`ModelKind.training_optimizers`:
    e.g. a GAN's generator and discriminator optimizers, an adversarial restorer's two) follows a cosine from its initial
    value to zero as a function of the elapsed fraction of the budget, so a run ends annealed
    whatever its speed (a fixed step schedule would stop mid-decay on a slower machine). The
    learning rates must be plain values, not schedules.

    Args:
        minutes: The training-time budget of the whole run.
        spent_seconds: Training time the run already spent before this process (a resumed run): the
            budget and the cosine continue from there instead of starting over.
    """

    def __init__(self, minutes: float, *, spent_seconds: float = 0.0) -> None:
        super().__init__()
        if minutes <= 0:
            raise ValueError(f"`minutes` must be positive. Received: minutes={minutes}")
        if spent_seconds < 0:
            raise ValueError(f"`spent_seconds` must be >= 0. Received: spent_seconds={spent_seconds}")
        self.minutes = minutes
        self.spent_seconds = spent_seconds
        self.started: float | None = None
        self.initial_learning_rates: list[tuple[keras.optimizers.Optimizer, float]] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.started is None:  # The first `fit` of the run; a resumed run may call `fit` twice.
            self.started = time.monotonic() - self.spent_seconds
            self.initial_learning_rates = [(optimizer, float(optimizer.learning_rate)) for optimizer in self.model.training_optimizers()]

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        fraction = (time.monotonic() - self.started) / (60.0 * self.minutes)
        if fraction >= 1.0:
            self.model.stop_training = True
            fraction = 1.0
        for optimizer, initial in self.initial_learning_rates:
            optimizer.learning_rate = initial * 0.5 * (1.0 + math.cos(math.pi * fraction))


class RestorationPreview(keras.callbacks.Callback):
    """Saves a before/after picture of fixed evaluation images after each epoch (damaged, restored, clean).

    Args:
        inputs: One batch of restorer inputs, `(damaged, mask[, noise_level])`.
        clean: The clean images of that batch.
        folder: Where `epoch_001.png`, ... are written.
        num_images: How many images of the batch to show.
    """

    def __init__(self, inputs: tuple, clean: np.ndarray, folder: str, *, num_images: int = 8) -> None:
        super().__init__()
        self.inputs = tuple(np.asarray(part)[:num_images] for part in inputs)
        self.clean = np.asarray(clean)[:num_images]
        self.folder = folder

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        restored = np.clip(np.asarray(self.model(self.inputs, training=False)), 0.0, 1.0)
        rows = {"damaged": np.clip(self.inputs[0], 0.0, 1.0), "restored": restored, "clean": self.clean}
        save_image_table(rows, os.path.join(self.folder, f"epoch_{epoch + 1:03d}.png"), title=f"epoch {epoch + 1}")


class ResidentMemory(keras.callbacks.Callback):
    """Logs the process's resident memory after each epoch: `resident_memory_mib` in the epoch logs, and a JSON line in `path`.

    Memory that grows epoch after epoch is a leak a long run dies of; this makes it visible in
    the progress line, in TensorBoard and in `resident_memory.jsonl` (one `{"epoch", "mib"}` per line).
    Freed heap memory is first handed back to the system (`release_free_memory`), so the figure
    counts what the run holds, and a long run does not keep what it no longer uses.
    """

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        release_free_memory()
        mib = resident_memory_mib()
        if logs is not None:
            logs["resident_memory_mib"] = mib
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"epoch": epoch + 1, "mib": mib}) + "\n")


class GlobalStepCallback(keras.callbacks.Callback):
    """Counts training steps across epochs and across `fit` calls, starting from `initial_step`.

    Keras passes batch indices that restart every epoch (and, with `steps_per_execution > 1`,
    skip ahead); `global_step` is the number of steps done since the run began, also when a
    resumed run finishes an interrupted epoch in a separate, shorter `fit` call.

    Args:
        initial_step: Steps already done before this callback's first `fit`.
    """

    def __init__(self, initial_step: int = 0) -> None:
        super().__init__()
        self.global_step = initial_step
        self.epoch_start_step = initial_step
        self.epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch
        self.epoch_start_step = self.global_step

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.global_step = self.epoch_start_step + batch + 1


class TrainingDivergedError(ValueError):
    """A logged loss became NaN or infinite; the last good checkpoint is left as it was."""


class StopOnNonFiniteLoss(GlobalStepCallback):
    """Stops training at the first NaN or infinite loss, naming the step, before any checkpoint of bad weights.

    Every logged value whose name ends in `loss` is checked after each logged step (with
    `steps_per_execution > 1`, after each group of steps). The error is raised from the
    batch callback, so place this callback before the checkpointing one: no checkpoint of
    the bad weights is written, the last good one is kept, and no model file is written.

    Args:
        where: Where the last good checkpoint lives, for the message.
        initial_step: Steps already done (a resumed run), so the step named is the run's.
    """

    def __init__(self, where: str = "the checkpoint folder", *, initial_step: int = 0) -> None:
        super().__init__(initial_step)
        self.where = where

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        super().on_train_batch_end(batch, logs)
        for name, value in (logs or {}).items():
            if name.endswith("loss") and not math.isfinite(float(value)):
                raise TrainingDivergedError(
                    f"{name} became {float(value)} at step {self.global_step} (epoch {self.epoch + 1}); training "
                    f"stopped and the last good checkpoint in {self.where} is kept. Lower train.learning_rate or check the data for NaN."
                )
