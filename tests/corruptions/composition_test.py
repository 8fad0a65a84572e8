"""Random compositions: the blind training damage, leave-one-family-out pools, fixed-length compositions."""

import numpy as np
import pytest
import tensorflow as tf

from tf_genrepair.corruptions import (
    CLASSIC_CORRUPTIONS,
    COLOUR_ONLY,
    CORRUPTION_FAMILIES,
    CORRUPTIONS,
    get_corruption,
    random_composition,
    registry,
)


def test_the_classic_twelve_are_the_first_registry():
    assert CLASSIC_CORRUPTIONS == tuple(list(CORRUPTIONS)[:12])
    assert {member for members in CORRUPTION_FAMILIES.values() for member in members} == set(CORRUPTIONS)


@pytest.mark.parametrize("name", ["blind", "blind-geometric", "composition2", "composition3"])
def test_compositions_are_reproducible_from_the_seed_and_stay_images(name, digits):
    corruption = get_corruption(name)
    first, mask = corruption(digits, severity=3, seed=4)
    again, _ = corruption(digits, severity=3, seed=4)
    other, _ = corruption(digits, severity=3, seed=5)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    assert not np.array_equal(first.numpy(), other.numpy())
    assert first.shape == digits.shape and 0.0 <= float(tf.reduce_min(first)) and float(tf.reduce_max(first)) <= 1.0
    assert mask.shape == digits.shape[:3] + (1,)
    graph, _ = tf.function(lambda images: corruption(images, severity=tf.constant(3), seed=tf.constant([4, 0], tf.int64)))(digits)
    np.testing.assert_allclose(graph.numpy(), first.numpy(), atol=1e-5)


def test_blind_damage_leaves_a_share_of_images_clean(digits):
    images = np.tile(digits, (8, 1, 1, 1))  # 256 images.
    damaged, _ = get_corruption("blind")(images, severity=5, seed=0)
    untouched = np.all(damaged.numpy() == images, axis=(1, 2, 3))
    assert 0.03 < untouched.mean() < 0.2  # 10% are drawn clean (a corruption may also happen to change nothing).


def test_more_steps_damage_more(digits):
    one = random_composition(list(CLASSIC_CORRUPTIONS), steps=(1, 1), random_severity=False)
    three = random_composition(list(CLASSIC_CORRUPTIONS), steps=(3, 3), random_severity=False)
    error = lambda corruption: float(np.mean(np.abs(corruption(digits, severity=3, seed=1)[0].numpy() - digits)))
    assert error(three) > 1.5 * error(one)


def _recording(monkeypatch, family: str) -> list[int]:
    """Replaces the family's corruptions by wrappers that record how many images each call damages."""
    calls: list[int] = []
    for member in CORRUPTION_FAMILIES[family]:
        original = CORRUPTIONS[member]

        def recorded(images, *, severity, seed, original=original):
            calls.append(int(tf.shape(images)[0]))
            return original(images, severity=severity, seed=seed)

        monkeypatch.setitem(registry.CORRUPTIONS, member, recorded)
    return calls


def test_leave_one_family_out_never_applies_that_family(monkeypatch, digits):
    calls = _recording(monkeypatch, "geometric")
    for seed in range(10):
        get_corruption("blind-geometric")(digits, severity=5, seed=seed)
    assert calls == []
    get_corruption("blind")(digits, severity=5, seed=0)
    assert sum(calls) > 0  # The same recording sees the family when it is in the pool.


def test_two_families_can_be_left_out_at_once(monkeypatch, digits):
    calls = {family: _recording(monkeypatch, family) for family in ("geometric", "lighting", "noise")}
    for seed in range(10):
        get_corruption("blind-geometric-lighting")(digits, severity=5, seed=seed)
    assert calls["geometric"] == [] and calls["lighting"] == [] and sum(calls["noise"]) > 0


def test_colour_only_corruptions_are_left_out_on_grayscale(monkeypatch, digits):
    calls = _recording(monkeypatch, "colour")
    get_corruption("composition3")(digits, severity=3, seed=0)
    assert calls == []
    rgb = np.repeat(digits, 3, axis=-1)
    get_corruption("composition3")(rgb, severity=3, seed=0)
    assert sum(calls) > 0 and set(COLOUR_ONLY) == set(CORRUPTION_FAMILIES["colour"])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: get_corruption("blind-weather"), "Unknown family 'weather'"),
        (lambda: get_corruption("blind-geometric-weather"), "Unknown family 'weather'"),
        (lambda: random_composition(["haze"], steps=(2, 1)), "`steps`"),
        (lambda: random_composition(["haze"], clean_fraction=1.0), "`clean_fraction`"),
        (lambda: random_composition(["fog"]), "unknown"),
    ],
)
def test_bad_compositions_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
