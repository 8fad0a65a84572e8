"""genrepair-train killed with SIGKILL mid-epoch or mid-checkpoint resumes and ends exactly where an uninterrupted run ends."""

import os
import signal
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import tf_genrepair.models  # noqa: F401  (registers the models, so model.keras files load)

pytestmark = pytest.mark.slow  # Runs binaries or trains models end to end.


# 10 batches an epoch, run 3 steps per execution, make epochs of 12 steps; checkpoints land on executions at
# least 4 steps apart: 6, 12, 18, ..., 36.
SCHEDULE = ["train.epochs=3", "train.steps_per_epoch=10", "train.checkpoint_every_steps=4", "train.steps_per_execution=3"]
RUNS = {
    # A GAN with EMA weights and latent draws keyed by the step counter: two optimizers.
    "gan": ("gan_mnist_smoke", [*SCHEDULE, "model.ema_decay=0.9"]),
    # A restorer with a patch discriminator: two optimizers, damage drawn on the fly per step.
    "adversarial_restorer": ("restore_mnist_adversarial_smoke", [*SCHEDULE, "model.filters=8"]),
}
STEPS_PER_EPOCH = 12
TOTAL_STEPS = 36


def _train_command(workdir: str, run: str = "gan") -> list[str]:
    experiment, overrides = RUNS[run]
    flags = [f"--experiment={experiment}", f"--workdir={workdir}"] + [f"--override={override}" for override in overrides]
    return [sys.executable, "-m", "tf_genrepair.bin.train", *flags]


def _checkpoint_steps(workdir: str) -> list[int]:
    folder = os.path.join(workdir, "checkpoints")
    names = os.listdir(folder) if os.path.isdir(folder) else []
    return sorted(int(name.split("_")[1]) for name in names if name.startswith("step_"))


def _final_weights(workdir: str) -> list[np.ndarray]:
    return keras.saving.load_model(os.path.join(workdir, "model.keras")).get_weights()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict[str, list[np.ndarray]]:
    """The final weights of each run trained without interruption, computed when first asked."""
    weights = {}

    def of(run: str) -> list[np.ndarray]:
        if run not in weights:
            workdir = str(tmp_path_factory.mktemp(f"uninterrupted_{run}"))
            subprocess.run(_train_command(workdir, run), check=True, capture_output=True)
            assert _checkpoint_steps(workdir)[-1] == TOTAL_STEPS
            weights[run] = _final_weights(workdir)
        return weights[run]

    return of


def _resume_and_compare(workdir: str, uninterrupted: list[np.ndarray], run: str = "gan") -> str:
    rerun = subprocess.run(_train_command(workdir, run), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "Resumed from" in rerun.stdout
    assert _checkpoint_steps(workdir)[-1] == TOTAL_STEPS
    assert not [name for name in os.listdir(os.path.join(workdir, "checkpoints")) if name.startswith(".tmp-")]
    for resumed, reference in zip(_final_weights(workdir), uninterrupted, strict=True):
        np.testing.assert_allclose(resumed, reference, rtol=1e-6, atol=1e-7)
    return rerun.stdout


def _train_until_killed(workdir: str, run: str, patch: str) -> None:
    """Runs genrepair-train in a child whose `patch` (Python source, with `die()` at hand) SIGKILLs it at a chosen point."""
    script = "import os, signal, sys\nimport keras\nfrom tf_genrepair.bin import train\nfrom tf_genrepair.training import checkpoints\n"
    script += "def die():\n    os.kill(os.getpid(), signal.SIGKILL)\n"
    script += textwrap.dedent(patch)
    script += f"sys.argv = {_train_command(workdir, run)[2:]!r}\ntrain.run()\n"
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]


@pytest.mark.parametrize("run", sorted(RUNS))
def test_sigkill_mid_epoch_resumes_to_the_uninterrupted_weights(tmp_path, uninterrupted, run):
    workdir = str(tmp_path)
    # Killed at step 21, three steps after the checkpoint at step 18, half-way through the second epoch: the same
    # point on every machine (a poll-and-kill from outside races a fast run to its end).
    _train_until_killed(
        workdir,
        run,
        """
        batch_end = checkpoints.TrainingCheckpoints.on_train_batch_end
        def end_batch_then_die_at_21(self, batch, logs=None):
            batch_end(self, batch, logs)
            if self.global_step >= 21:
                die()
        checkpoints.TrainingCheckpoints.on_train_batch_end = end_batch_then_die_at_21
        """,
    )
    assert _checkpoint_steps(workdir) == [12, 18]  # The two newest are kept.
    stdout = _resume_and_compare(workdir, uninterrupted(run), run)
    assert f"step {18 % STEPS_PER_EPOCH} of {STEPS_PER_EPOCH}" in stdout


def test_sigkill_mid_checkpoint_write_never_loads_the_partial_checkpoint(tmp_path, uninterrupted):
    workdir = str(tmp_path)
    # The third checkpoint write stops half-way through its state file and the process dies on the spot.
    _train_until_killed(
        workdir,
        "gan",
        """
        writes, save_weights = [], keras.Model.save_weights
        def save_then_die_half_way(self, path, *args, **kwargs):
            writes.append(path)
            save_weights(self, path, *args, **kwargs)
            if len(writes) == 3:
                os.truncate(path, os.path.getsize(path) // 2)
                die()
        keras.Model.save_weights = save_then_die_half_way
        """,
    )
    assert _checkpoint_steps(workdir) == [6, 12]  # The half-written step 18 never got its real name.
    assert [name for name in os.listdir(os.path.join(workdir, "checkpoints")) if name.startswith(".tmp-")]
    stdout = _resume_and_compare(workdir, uninterrupted("gan"))
    assert f"step 0 of {STEPS_PER_EPOCH}" in stdout
