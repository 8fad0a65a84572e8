"""Named experiments and overrides."""

import pytest

from tf_genrepair.configs import EXPERIMENTS, ExperimentConfig, get_experiment


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_every_experiment_round_trips_through_a_dict(name):
    config = get_experiment(name)
    assert ExperimentConfig.from_dict(config.to_dict()) == config


def test_every_experiment_has_a_smoke_variant():
    full = [name for name in EXPERIMENTS if not name.endswith("_smoke")]
    assert all(f"{name}_smoke" in EXPERIMENTS for name in full)


def test_overrides_are_typed():
    config = get_experiment(
        "classifier_mnist",
        ["train.epochs=2", "train.learning_rate=0.01", "train.steps_per_epoch=none", "model.image_shape=32,32,3", "data.augmentation=box"],
    )
    assert config.train.epochs == 2 and config.train.learning_rate == 0.01 and config.train.steps_per_epoch is None
    assert config.model.image_shape == (32, 32, 3) and config.data.augmentation == "box"


@pytest.mark.parametrize(
    "override, message",
    [("train.epoch=2", "train.epochs"), ("epochs", "key=value"), ("train.epochs=two", "not a valid int")],
)
def test_bad_overrides_say_what_is_valid(override, message):
    with pytest.raises(ValueError, match=message):
        get_experiment("classifier_mnist", [override])


def test_unknown_experiment_lists_the_valid_ones():
    with pytest.raises(ValueError, match="classifier_mnist_smoke"):
        get_experiment("classifier_cifar")
