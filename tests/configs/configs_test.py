"""Named experiments and overrides."""

import pytest

from tf_genrepair.configs import (
    EXPERIMENTS,
    ExperimentConfig,
    LegacyConfigError,
    get_experiment,
    get_study,
)
from tf_genrepair.configs.studies import with_reference_classifier
from tf_genrepair.data.sources import split_rows


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


def test_model_keys_follow_the_kind():
    gan = get_experiment("dcgan_mnist_smoke", ["model.base_filters=4", "model.hidden_units=16"])
    assert gan.kind == "gan" and gan.model.base_filters == 4 and gan.model.hidden_units == 16
    restorer = get_experiment("denoise_bsd_smoke", ["model.denoiser_layers=3", "model.unet_levels=4"])
    assert restorer.model.denoiser_layers == 3 and restorer.model.unet_levels == 4
    with pytest.raises(ValueError, match="for a gan experiment.*model.base_filters"):
        get_experiment("dcgan_mnist_smoke", ["model.denoiser_layers=3"])  # A restorer's key on a GAN.


def test_a_section_of_another_kind_is_refused():
    config = get_experiment("classifier_mnist_smoke")
    values = config.to_dict()
    values["kind"] = "restorer"
    with pytest.raises(ValueError, match="RestorerConfig has no field"):
        ExperimentConfig.from_dict(values)
    with pytest.raises(ValueError, match="takes a GANConfig"):
        ExperimentConfig(name="x", kind="gan", model=config.model)


def test_a_config_json_of_the_flat_schema_is_rejected_with_the_way_forward():
    legacy = {"name": "dcgan_mnist", "data": {}, "model": {"kind": "gan", "width": 64}, "train": {}, "evaluation": {}}
    with pytest.raises(LegacyConfigError, match=r"flat `model` section.*get_experiment\('dcgan_mnist'"):
        ExperimentConfig.from_dict(legacy)


def test_studies_hold_resolved_experiments():
    study = get_study("recognition_mnist")
    assert study.restorers["unet"].experiment.train.epochs == 6 and study.restorers["unet"].folder_name == "restore_mnist"
    recognition = with_reference_classifier(study.restorers["unet_recognition"].experiment, "elsewhere/model.keras")
    assert recognition.model.recognition_classifier == "elsewhere/model.keras"
    cvae = with_reference_classifier(study.conditional_generators["cvae"].experiment, "elsewhere/model.keras")
    assert cvae.evaluation.classifier == "elsewhere/model.keras"
    untouched = with_reference_classifier(study.restorers["unet"].experiment, "elsewhere/model.keras")
    assert untouched.evaluation.classifier is None and untouched.model.recognition_classifier is None


def test_the_blind_restorer_keeps_warps_and_only_the_geometric_leave_one_out_run_drops_them():
    from tf_genrepair.configs.studies import _without
    from tf_genrepair.corruptions import CORRUPTION_FAMILIES

    for name in ("restore_mnist_blind", "restore_mnist_blind_smoke"):
        data = get_experiment(name).data
        assert data.corruption == "blind-geometric" and sorted(data.augmentation.split("|")) == sorted(CORRUPTION_FAMILIES["geometric"])
    held_out = _without(get_experiment("restore_mnist_blind_smoke"), "lighting").experiment.data
    assert held_out.corruption == "blind-geometric-lighting" and held_out.augmentation == data.augmentation
    never_warped = _without(get_experiment("restore_mnist_blind_smoke"), "geometric").experiment.data
    assert never_warped.corruption == "blind-geometric" and never_warped.augmentation is None
    assert get_experiment("restore_mnist_blind").data.eval_split == "train[55000:]"  # Never validated on the test set.


@pytest.mark.parametrize("name", ["denoise_bsd", "inpaint_bsd"])
def test_photo_restorers_validate_on_training_images_they_never_train_on(name):
    data = get_experiment(name).data
    assert (data.eval_name or data.name) == "bsd:Train400"  # Never BSD68 or Set12, the benchmark's test sets.
    assert data.train_split == "train[:384]" and data.eval_split == "train[384:]"
    assert get_experiment(name).train.time_budget_minutes is None  # Fixed epochs: the same model on any machine.


PHOTO_TEST_SETS = ("bsd:BSD68", "bsd:Set12", "colour:CBSD68", "colour:Kodak24", "colour:McMaster")


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_no_training_or_validation_stream_reads_a_photo_test_set(name):
    data = get_experiment(name).data
    sources = set(data.name.split("+")) | set((data.eval_name or data.name).split("+"))
    assert sources.isdisjoint(PHOTO_TEST_SETS), sources


def test_colour_restorers_validate_on_the_last_images_of_each_training_source():
    data = get_experiment("denoise_colour").data
    assert data.eval_name is None and data.name == "colour:CBSD432+photos:imagenet1000"
    assert (data.train_split, data.eval_split) == ("train[:-16]", "train[-16:]")  # Sliced per source: disjoint.
    assert get_experiment("denoise_colour").model.channels == 3


@pytest.mark.parametrize("name", [name for name in sorted(EXPERIMENTS) if get_experiment(name).kind in ("gan", "cgan", "vae", "cvae")])
def test_generators_are_selected_on_training_images_they_never_train_on(name):
    config = get_experiment(name)
    total = {"sample": 4000, "cifar10": 50_000}.get(config.data.name, 60_000)
    selection = split_rows(config.evaluation.real_split, total)
    assert config.evaluation.real_split.startswith("train[") and len(selection) >= 500  # Never the test set.
    assert set(split_rows(config.data.train_split, total)).isdisjoint(selection)
