"""TrainingCheckpoints: atomic, pruned, never loads a damaged checkpoint, keeps the last good state when a loss diverges."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_genrepair.training.callbacks import StopOnNonFiniteLoss, TrainingDivergedError
from tf_genrepair.training.checkpoints import STATE_FILE, TrainingCheckpoints


def _regression() -> keras.Model:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dropout(0.5), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def _batches(poisoned_from: int | None = None) -> tf.data.Dataset:
    """Ten batches of 4 examples; from batch `poisoned_from` on the inputs are NaN."""
    inputs = np.random.default_rng(0).normal(size=(10, 4, 3)).astype(np.float32)
    if poisoned_from is not None:
        inputs[poisoned_from:] = np.nan
    return tf.data.Dataset.from_tensor_slices(inputs).map(lambda x: (x, tf.reduce_sum(x, -1, keepdims=True)))


def _steps(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if not name.startswith("."))


def test_checkpoints_every_n_steps_and_at_epoch_ends_keeping_the_newest(tmp_path):
    checkpoints = TrainingCheckpoints(str(tmp_path), steps_per_epoch=5, every_steps=2, keep=3)
    _regression().fit(_batches(), epochs=2, steps_per_epoch=5, verbose=0, callbacks=[checkpoints])
    # Saved at steps 2, 4, 5 (epoch end), 7, 9, 10 (epoch end); the three newest are kept.
    assert _steps(tmp_path) == ["step_000000007", "step_000000009", "step_000000010"]
    assert sorted(os.listdir(tmp_path / "step_000000010")) == ["progress.json", "random_state.npz", STATE_FILE]


def test_resumes_weights_optimizer_and_dropout_state(tmp_path):
    trained = _regression()
    trained.fit(_batches(), epochs=1, steps_per_epoch=5, verbose=0, callbacks=[TrainingCheckpoints(str(tmp_path), steps_per_epoch=5)])
    checkpoints = TrainingCheckpoints(str(tmp_path), steps_per_epoch=5)
    assert (checkpoints.progress.epoch, checkpoints.progress.step_in_epoch) == (1, 0)
    resumed = _regression()
    resumed.fit(_batches().take(0), epochs=0, verbose=0, callbacks=[checkpoints])  # Loads the state, trains nothing.
    for restored, saved in zip(resumed.variables, trained.variables, strict=True):  # Weights and the dropout seed state.
        np.testing.assert_array_equal(restored.numpy(), saved.numpy())
    assert int(resumed.optimizer.iterations) == 5


def test_a_checkpoint_that_does_not_read_back_is_never_loaded(tmp_path):
    _regression().fit(_batches(), epochs=1, steps_per_epoch=5, verbose=0, callbacks=[TrainingCheckpoints(str(tmp_path), steps_per_epoch=5, every_steps=2)])
    state = tmp_path / "step_000000005" / STATE_FILE
    os.truncate(state, os.path.getsize(state) // 2)  # Damaged on disk after it was written.
    with pytest.warns(UserWarning, match="step_000000005: it does not read back completely"):
        checkpoints = TrainingCheckpoints(str(tmp_path), steps_per_epoch=5)
    assert checkpoints.progress.global_step == 4 and checkpoints.progress.step_in_epoch == 4


def test_leftovers_of_a_killed_write_are_removed(tmp_path):
    (tmp_path / ".tmp-step-abc").mkdir()
    (tmp_path / ".tmp-step-abc" / STATE_FILE).write_bytes(b"\x89HDF half")
    checkpoints = TrainingCheckpoints(str(tmp_path), steps_per_epoch=5)
    assert checkpoints.progress is None and os.listdir(tmp_path) == []


def test_a_changed_epoch_length_is_refused(tmp_path):
    _regression().fit(_batches(), epochs=1, steps_per_epoch=5, verbose=0, callbacks=[TrainingCheckpoints(str(tmp_path), steps_per_epoch=5)])
    with pytest.raises(ValueError, match="written with 5 steps per epoch, this run has 10"):
        TrainingCheckpoints(str(tmp_path), steps_per_epoch=10)


def test_divergence_keeps_the_last_good_checkpoint_and_names_the_step(tmp_path):
    model, remembered = _regression(), {}
    remember = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: remembered.setdefault(epoch, model.get_weights()))
    checkpoints = TrainingCheckpoints(str(tmp_path), steps_per_epoch=5, every_steps=1)
    callbacks = [StopOnNonFiniteLoss(str(tmp_path)), checkpoints, remember]  # The check runs before the checkpoint.
    with pytest.raises(TrainingDivergedError, match=r"loss became nan at step 6 \(epoch 2\).*last good checkpoint"):
        model.fit(_batches(poisoned_from=5), epochs=2, steps_per_epoch=5, verbose=0, callbacks=callbacks)
    assert _steps(tmp_path) == ["step_000000004", "step_000000005"]
    resumed = _regression()
    resumed.fit(_batches().take(0), epochs=0, verbose=0, callbacks=[TrainingCheckpoints(str(tmp_path), steps_per_epoch=5)])
    for restored, good in zip(resumed.get_weights(), remembered[0], strict=True):
        np.testing.assert_array_equal(restored, good)
