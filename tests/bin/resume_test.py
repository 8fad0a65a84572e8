"""genrepair-train killed with SIGKILL mid-epoch or mid-checkpoint resumes and ends exactly where an uninterrupted run ends."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import keras
import numpy as np
import pytest

import tf_genrepair.models  # noqa: F401  (registers the models, so model.keras files load)


# A GAN with EMA weights and latent draws keyed by the step counter. 10 batches an epoch, run 3 steps per
# execution, make epochs of 12 steps; checkpoints land on executions at least 4 steps apart: 6, 12, 18, ..., 36.
EXPERIMENT = "gan_mnist_smoke"
OVERRIDES = ["train.epochs=3", "train.checkpoint_every_steps=4", "train.steps_per_execution=3", "model.ema_decay=0.9"]
STEPS_PER_EPOCH = 12
TOTAL_STEPS = 36


def _train_command(workdir: str) -> list[str]:
    flags = [f"--experiment={EXPERIMENT}", f"--workdir={workdir}"] + [f"--override={override}" for override in OVERRIDES]
    return [sys.executable, "-m", "tf_genrepair.bin.train", *flags]


def _checkpoint_steps(workdir: str) -> list[int]:
    folder = os.path.join(workdir, "checkpoints")
    names = os.listdir(folder) if os.path.isdir(folder) else []
    return sorted(int(name.split("_")[1]) for name in names if name.startswith("step_"))


def _final_weights(workdir: str) -> list[np.ndarray]:
    return keras.saving.load_model(os.path.join(workdir, "model.keras")).get_weights()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> list[np.ndarray]:
    workdir = str(tmp_path_factory.mktemp("uninterrupted"))
    subprocess.run(_train_command(workdir), check=True, capture_output=True)
    assert _checkpoint_steps(workdir)[-1] == TOTAL_STEPS
    return _final_weights(workdir)


def _resume_and_compare(workdir: str, uninterrupted: list[np.ndarray]) -> str:
    rerun = subprocess.run(_train_command(workdir), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "Resumed from" in rerun.stdout
    assert _checkpoint_steps(workdir)[-1] == TOTAL_STEPS
    assert not [name for name in os.listdir(os.path.join(workdir, "checkpoints")) if name.startswith(".tmp-")]
    for resumed, reference in zip(_final_weights(workdir), uninterrupted, strict=True):
        np.testing.assert_allclose(resumed, reference, rtol=1e-6, atol=1e-7)
    return rerun.stdout


def test_sigkill_mid_epoch_resumes_to_the_uninterrupted_weights(tmp_path, uninterrupted):
    workdir = str(tmp_path)
    process = subprocess.Popen(_train_command(workdir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not [step for step in _checkpoint_steps(workdir) if step >= 18] and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL, "the run ended before it could be killed"
    finally:
        process.kill()
    killed_at = _checkpoint_steps(workdir)[-1]
    assert 18 <= killed_at < TOTAL_STEPS
    stdout = _resume_and_compare(workdir, uninterrupted)
    assert f"step {killed_at % STEPS_PER_EPOCH} of {STEPS_PER_EPOCH}" in stdout


def test_sigkill_mid_checkpoint_write_never_loads_the_partial_checkpoint(tmp_path, uninterrupted):
    workdir = str(tmp_path)
    # The third checkpoint write stops half-way through its state file and the process dies on the spot.
    dying_run = textwrap.dedent(
        f"""
        import os, signal, sys
        import keras
        from tf_genrepair.bin import train
        writes, save_weights = [], keras.Model.save_weights
        def save_then_die_half_way(self, path, *args, **kwargs):
            writes.append(path)
            save_weights(self, path, *args, **kwargs)
            if len(writes) == 3:
                os.truncate(path, os.path.getsize(path) // 2)
                os.kill(os.getpid(), signal.SIGKILL)
        keras.Model.save_weights = save_then_die_half_way
        sys.argv = {_train_command(workdir)[2:]!r}
        train.run()
        """
    )
    killed = subprocess.run([sys.executable, "-c", dying_run], capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    assert _checkpoint_steps(workdir) == [6, 12]  # The half-written step 18 never got its real name.
    assert [name for name in os.listdir(os.path.join(workdir, "checkpoints")) if name.startswith(".tmp-")]
    stdout = _resume_and_compare(workdir, uninterrupted)
    assert f"step 0 of {STEPS_PER_EPOCH}" in stdout
