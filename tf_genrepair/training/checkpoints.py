"""Resumable training state: atomic checkpoints every N steps and at each epoch end, and the newest sound one on restart.

A checkpoint is a folder `step_000000120/` holding `state.weights.h5` (weights, optimizer
slots and step counters, EMA weights), `random_state.npz` (the state of every seed
generator, e.g. of dropout layers, which `save_weights` leaves out) and `progress.json`
(the global step, and the training seconds spent to reach it over every process of the run). It is written under a temporary name and
renamed into place, so a kill at any moment leaves either the whole checkpoint or none.
"""

import dataclasses
import json
import os
import re
import shutil
import tempfile
import time
import warnings
import zipfile

import h5py
import keras
import numpy as np

from tf_genrepair.io.atomic import atomic_folder
from tf_genrepair.models import ModelKind
from tf_genrepair.training.callbacks import GlobalStepCallback

STATE_FILE = "state.weights.h5"
RANDOM_STATE_FILE = "random_state.npz"
PROGRESS_FILE = "progress.json"
_CHECKPOINT_NAME = re.compile(r"^step_(\d{9})$")


@dataclasses.dataclass(frozen=True)
class Progress:
    """Where a run stands: `global_step` training steps done, `steps_per_epoch` to an epoch, `train_seconds` spent on them."""

    global_step: int
    steps_per_epoch: int
    train_seconds: float = 0.0

    @property
    def epoch(self) -> int:
        """The zero-based epoch the next step belongs to."""
        return self.global_step // self.steps_per_epoch

    @property
    def step_in_epoch(self) -> int:
        """Steps of that epoch already done."""
        return self.global_step % self.steps_per_epoch


def _read_progress(folder: str) -> Progress | None:
    """A checkpoint folder's progress if its state files read back completely, else None."""
    try:
        with open(os.path.join(folder, PROGRESS_FILE), encoding="utf-8") as handle:
            progress = json.load(handle)
        with h5py.File(os.path.join(folder, STATE_FILE), "r") as state:
            state.visititems(lambda name, item: item[()] if isinstance(item, h5py.Dataset) else None)
        with np.load(os.path.join(folder, RANDOM_STATE_FILE)) as random_state:
            for name in random_state.files:
                random_state[name]
        return Progress(int(progress["global_step"]), int(progress["steps_per_epoch"]), float(progress.get("train_seconds", 0.0)))
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile):
        return None


def _random_state_variables(model: keras.Model) -> list:
    """The model's variables that `save_weights` leaves out: seed-generator states."""
    saved = {id(variable) for variable in model.weights}
    return [variable for variable in model.variables if id(variable) not in saved]


def _build_optimizers(model: keras.Model) -> None:
    """Creates the slots of every optimizer the model trains with, which Keras would do at the first step, after loading."""
    if isinstance(model, ModelKind):
        model.build_optimizers()
    elif model.optimizer is not None and not model.optimizer.built:  # A plain Keras model: its one optimizer.
        model.optimizer.build(model.trainable_variables)


def _remove_atomically(folder: str) -> None:
    """Renames `folder` to a temporary name first, so a kill mid-removal never leaves a half checkpoint under its real name."""
    trash = tempfile.mkdtemp(prefix=".tmp-removing-", dir=os.path.dirname(folder))
    os.replace(folder, os.path.join(trash, "checkpoint"))
    shutil.rmtree(trash)


class TrainingCheckpoints(GlobalStepCallback):
    """Writes the whole training state atomically every `every_steps` steps and after each epoch; restores the newest sound one.

    Construct it before `fit` to learn where a previous run stopped (`progress`), start
    the data stream there, and pass it to `fit`: it loads the saved state when training
    begins. Leftover temporary folders of a write that was killed are removed; a
    checkpoint that does not read back is skipped with a warning, never loaded.

    Args:
        folder: The checkpoint folder (created if missing).
        steps_per_epoch: Training steps in one epoch.
        every_steps: Also checkpoint after every this many steps (None: at epoch ends only).
        keep: How many of the newest checkpoints to keep.
        write: False on the non-chief workers of a multi-worker run: they restore but never write.

    Example:
        >>> checkpoints = TrainingCheckpoints("run/checkpoints", steps_per_epoch=469, every_steps=100)
        >>> start = checkpoints.progress.global_step if checkpoints.progress else 0
    """

    def __init__(self, folder: str, *, steps_per_epoch: int, every_steps: int | None = None, keep: int = 2, write: bool = True) -> None:
        if steps_per_epoch < 1:
            raise ValueError(f"`steps_per_epoch` must be at least 1. Received: steps_per_epoch={steps_per_epoch}")
        if every_steps is not None and every_steps < 1:
            raise ValueError(f"`every_steps` must be at least 1 or None. Received: every_steps={every_steps}")
        if keep < 1:
            raise ValueError(f"`keep` must be at least 1. Received: keep={keep}")
        self.folder = folder
        self.steps_per_epoch = steps_per_epoch
        self.every_steps = every_steps
        self.keep = keep
        self.write = write
        if write:
            self._remove_leftovers()
        self.restore_from, self.progress = self._newest_sound()
        super().__init__(initial_step=self.progress.global_step if self.progress else 0)
        self.saved_step = self.global_step
        self._started: float | None = None

    @property
    def train_seconds(self) -> float:
        """Training time of the whole run: the earlier processes' (as checkpointed) plus this one's since `fit` began."""
        earlier = self.progress.train_seconds if self.progress else 0.0
        return earlier + (time.monotonic() - self._started if self._started is not None else 0.0)

    def _checkpoints(self) -> list[tuple[int, str]]:
        """(global step, folder) of every complete checkpoint, newest first."""
        if not os.path.isdir(self.folder):
            return []
        found = [(int(match.group(1)), os.path.join(self.folder, name)) for name in os.listdir(self.folder) if (match := _CHECKPOINT_NAME.match(name))]
        return sorted(found, reverse=True)

    def _remove_leftovers(self) -> None:
        if os.path.isdir(self.folder):
            for name in os.listdir(self.folder):
                if name.startswith(".tmp-"):
                    shutil.rmtree(os.path.join(self.folder, name), ignore_errors=True)

    def _newest_sound(self) -> tuple[str | None, Progress | None]:
        for _, folder in self._checkpoints():
            progress = _read_progress(folder)
            if progress is None:
                warnings.warn(f"Skipping checkpoint {folder}: it does not read back completely.", stacklevel=3)
                continue
            if progress.steps_per_epoch != self.steps_per_epoch:
                raise ValueError(
                    f"The checkpoint {folder} was written with {progress.steps_per_epoch} steps per epoch, this run has "
                    f"{self.steps_per_epoch} (a changed batch size or dataset?). Resume with the same config or use a new workdir."
                )
            return folder, progress
        return None, None

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self._started is None:  # The first `fit` of this process; a resumed run may call `fit` twice.
            self._started = time.monotonic()
        self.restore(self.model)

    def restore(self, model: keras.Model) -> None:
        """Loads the newest sound checkpoint into `model` (a compiled `ModelKind`), once; `fit` calls this itself."""
        if self.restore_from is None:
            return
        _build_optimizers(model)
        model.load_weights(os.path.join(self.restore_from, STATE_FILE))
        with np.load(os.path.join(self.restore_from, RANDOM_STATE_FILE)) as random_state:
            variables = _random_state_variables(model)
            if len(random_state.files) != len(variables):
                raise ValueError(
                    f"{self.restore_from} holds {len(random_state.files)} seed-generator states, this model has {len(variables)}; was the model changed?"
                )
            for index, variable in enumerate(variables):  # In model order (names may differ between processes).
                variable.assign(random_state[f"arr_{index}"])
        print(f"Resumed from {self.restore_from} (epoch {self.progress.epoch + 1}, step {self.progress.step_in_epoch} of {self.steps_per_epoch}).")
        self.restore_from = None  # Load once, even when fit is called again for the rest of the run.

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        super().on_train_batch_end(batch, logs)
        if self.every_steps and self.global_step - self.saved_step >= self.every_steps:
            self.save()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.global_step != self.saved_step:
            self.save()

    def save(self) -> None:
        """Writes the state at the current global step, then drops all but the `keep` newest checkpoints."""
        self.saved_step = self.global_step
        if not self.write:
            return
        with atomic_folder(os.path.join(self.folder, f"step_{self.global_step:09d}")) as temporary:
            self.model.save_weights(os.path.join(temporary, STATE_FILE))
            np.savez(os.path.join(temporary, RANDOM_STATE_FILE), *[variable.numpy() for variable in _random_state_variables(self.model)])
            with open(os.path.join(temporary, PROGRESS_FILE), "w", encoding="utf-8") as handle:
                json.dump({"global_step": self.global_step, "steps_per_epoch": self.steps_per_epoch, "train_seconds": self.train_seconds}, handle)
        for _, folder in self._checkpoints()[self.keep :]:
            _remove_atomically(folder)
