"""train_and_evaluate writes a complete, resumable work dir."""

import json
import os

import pytest

from tf_genrepair.configs import ExperimentConfig, get_experiment
from tf_genrepair.training import train_and_evaluate

pytestmark = pytest.mark.slow  # Runs binaries or trains models end to end.


def test_workdir_holds_config_metrics_model_and_logs(smoke_run):
    metrics, workdir = smoke_run
    assert {"config.json", "metrics.json", "model.keras", "checkpoints", "tensorboard"} <= set(os.listdir(workdir))
    with open(os.path.join(workdir, "config.json")) as handle:
        assert ExperimentConfig.from_dict(json.load(handle)) == get_experiment("classifier_mnist_smoke")
    with open(os.path.join(workdir, "metrics.json")) as handle:
        assert json.load(handle) == metrics


def _checkpoint_times(workdir) -> dict[str, int]:
    folder = os.path.join(workdir, "checkpoints")
    return {name: os.stat(os.path.join(folder, name, "progress.json")).st_mtime_ns for name in sorted(os.listdir(folder))}


def test_rerun_resumes_from_the_checkpoint_instead_of_retraining(tmp_path):
    config = get_experiment("classifier_mnist_smoke", ["train.epochs=1"])
    first = train_and_evaluate(config, str(tmp_path))
    written = _checkpoint_times(tmp_path)
    second = train_and_evaluate(config, str(tmp_path))  # The checkpoint says epoch 1 is done: no more training.
    # A seeded retrain would reach the same accuracy; only a resume leaves every checkpoint untouched.
    assert _checkpoint_times(tmp_path) == written and len(written) == 1
    (first_checkpoint,) = written
    epoch_steps = int(first_checkpoint.removeprefix("step_"))
    assert second["accuracy"] == first["accuracy"]
    train_and_evaluate(get_experiment("classifier_mnist_smoke", ["train.epochs=2"]), str(tmp_path))
    times = _checkpoint_times(tmp_path)  # One more epoch on top of the first: its checkpoint kept, a second one added.
    assert list(times) == [first_checkpoint, f"step_{2 * epoch_steps:09d}"] and times[first_checkpoint] == written[first_checkpoint]


def test_gan_smoke_writes_sample_grids_and_keeps_the_best_generator(tmp_path, smoke_run):
    classifier_path = os.path.join(smoke_run[1], "model.keras")
    config = get_experiment("gan_mnist_smoke", [f"evaluation.classifier={classifier_path}"])
    metrics = train_and_evaluate(config, str(tmp_path))
    assert sorted(os.listdir(tmp_path / "samples")) == ["epoch_001.png", "epoch_002.png"]
    assert os.path.exists(tmp_path / "best_generator.weights.h5")
    with open(tmp_path / "sample_quality.jsonl") as handle:
        history = [json.loads(line) for line in handle]
    assert [entry["epoch"] for entry in history] == [1, 2]
    assert metrics["best_fid"] == min(entry["fid"] for entry in history)
    assert metrics["real_split_fid"] < metrics["best_fid"]  # Two real splits are closer than a smoke generator.


def test_missing_reference_classifier_fails_before_training(tmp_path):
    config = get_experiment("dcgan_mnist_smoke", ["evaluation.classifier=/nonexistent/model.keras"])
    with pytest.raises(FileNotFoundError, match="Train classifier_mnist first"):
        train_and_evaluate(config, str(tmp_path))
    assert not os.path.exists(tmp_path / "checkpoints")


def test_vae_smoke_reports_test_elbo_and_log_likelihood(tmp_path):
    metrics = train_and_evaluate(get_experiment("vae_mnist_smoke"), str(tmp_path))
    assert {"elbo", "kl_loss", "reconstruction_loss", "test_nll"} <= set(metrics)
    # On the same binarized test digits, the k = 20 importance-sampled bound is tighter than the ELBO.
    assert 0 < metrics["test_nll"] < -metrics["elbo"]
    assert metrics["latent_linear_probe_accuracy"] > 0.2  # Chance is 0.1; 20 smoke steps give about 0.4.
    assert sorted(os.listdir(tmp_path / "samples")) == ["epoch_001.png", "epoch_002.png"]


def test_conditional_vae_smoke_is_scored_for_label_agreement(tmp_path, smoke_run):
    classifier_path = os.path.join(smoke_run[1], "model.keras")
    config = get_experiment("cvae_mnist_smoke", [f"evaluation.classifier={classifier_path}"])
    metrics = train_and_evaluate(config, str(tmp_path))
    with open(tmp_path / "sample_quality.jsonl") as handle:
        history = {entry.pop("epoch"): entry for entry in map(json.loads, handle)}
    assert set(history) == {1, 2} and "label_agreement" in history[2]
    # The reported figures are those of the last epoch's generator and of the best epoch's, as logged.
    assert {key: metrics[f"final_{key}"] for key in history[2]} == history[2]
    assert {key: metrics[f"best_{key}"] for key in history[metrics["best_epoch"]]} == history[metrics["best_epoch"]]
    assert os.path.exists(tmp_path / "best_generator.weights.h5")


@pytest.mark.parametrize("experiment", ["denoise_bsd_smoke", "denoise_colour_smoke", "inpaint_mnist_smoke", "inpaint_bsd_smoke", "restore_mnist_smoke"])
def test_restorer_smoke_restores_better_than_the_damage(experiment, tmp_path):
    metrics = train_and_evaluate(get_experiment(experiment), str(tmp_path))
    assert os.path.exists(tmp_path / "model.keras")
    assert sorted(os.listdir(tmp_path / "previews")) == ["epoch_001.png", "epoch_002.png"]
    with open(tmp_path / "resident_memory.jsonl") as handle:
        memory = [json.loads(line) for line in handle]
    assert [row["epoch"] for row in memory] == [1, 2] and all(200 < row["mib"] < 20_000 for row in memory)
    assert metrics["psnr"] > metrics["damaged_psnr"]  # Evaluation pairs, restored vs damaged, against clean.


class TickingClock:
    """Stands in for the `time` module of the time budget: each reading is one second after the last."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1.0
        return self.now


def _trained_steps(workdir) -> int:
    return max(int(name.removeprefix("step_")) for name in os.listdir(os.path.join(workdir, "checkpoints")))


def test_time_budget_stops_training_early(tmp_path, monkeypatch):
    from tf_genrepair.training import callbacks

    monkeypatch.setattr(callbacks, "time", TickingClock())  # A 3 s budget runs out at the third batch, on any machine.
    config = get_experiment("denoise_bsd_smoke", ["train.epochs=1000", "train.time_budget_minutes=0.05"])
    metrics = train_and_evaluate(config, str(tmp_path))
    assert _trained_steps(tmp_path) <= 3 * config.train.steps_per_execution
    assert metrics["train_epochs"] == _trained_steps(tmp_path) / config.train.steps_per_epoch  # What ran, not the 1,000 asked.


def test_time_budget_anneals_both_optimizers_of_a_gan(tmp_path, monkeypatch):
    import keras

    from tf_genrepair.training import callbacks

    monkeypatch.setattr(callbacks, "time", TickingClock())
    config = get_experiment("gan_mnist_smoke", ["train.epochs=1000", "train.time_budget_minutes=0.05", "evaluation.classifier=none"])
    train_and_evaluate(config, str(tmp_path))
    assert _trained_steps(tmp_path) <= 3 * config.train.steps_per_execution
    gan = keras.saving.load_model(tmp_path / "model.keras")
    for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer):  # Annealed from 2e-4 to 0 at the end of the budget.
        assert float(optimizer.learning_rate) == 0.0


def test_a_resumed_run_continues_its_time_budget_instead_of_starting_over(tmp_path):
    import keras

    first = train_and_evaluate(get_experiment("classifier_mnist_smoke"), str(tmp_path))
    with open(tmp_path / "checkpoints" / f"step_{_trained_steps(tmp_path):09d}" / "progress.json") as handle:
        checkpointed = json.load(handle)["train_seconds"]
    assert 0.0 < checkpointed <= first["train_seconds"]  # Written at the last epoch's end, before the run's last callbacks.
    # Rerun with more epochs and a budget the first process already used: it trains one execution at a zero rate.
    budget = ["train.epochs=1000", f"train.time_budget_minutes={first['train_seconds'] / 120:.6f}"]
    resumed = train_and_evaluate(get_experiment("classifier_mnist_smoke", budget), str(tmp_path))
    assert float(keras.saving.load_model(tmp_path / "model.keras").optimizer.learning_rate) == 0.0
    assert resumed["train_seconds"] > checkpointed  # The whole run's training time, not only this process's.


def test_non_finite_loss_stops_training_naming_the_step(tmp_path):
    from tf_genrepair.training.callbacks import TrainingDivergedError

    config = get_experiment("classifier_mnist_smoke", ["train.learning_rate=1e12"])
    with pytest.raises(TrainingDivergedError, match=r"loss became (nan|inf) at step \d+ \(epoch 1\)"):
        train_and_evaluate(config, str(tmp_path))
    assert not os.path.exists(tmp_path / "model.keras") and not os.path.exists(tmp_path / "metrics.json")
