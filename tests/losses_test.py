"""Each adversarial loss against its textbook formula on fixed numbers."""

import math

import numpy as np
import pytest
import tensorflow as tf

from tf_genrepair import losses

REAL = np.array([[2.0], [-1.0], [0.5]], np.float32)
FAKE = np.array([[-3.0], [0.0], [1.5]], np.float32)
sigmoid = lambda x: 1 / (1 + np.exp(-x))


def test_minimax_discriminator_is_binary_cross_entropy():
    expected = -np.log(sigmoid(REAL[:, 0])) - np.log(1 - sigmoid(FAKE[:, 0]))
    np.testing.assert_allclose(losses.minimax_discriminator_loss(REAL, FAKE), expected, rtol=1e-5)


def test_label_smoothing_targets_one_minus_s_for_reals():
    s = 0.1
    d_real = sigmoid(REAL[:, 0])
    expected = -(1 - s) * np.log(d_real) - s * np.log(1 - d_real) - np.log(1 - sigmoid(FAKE[:, 0]))
    np.testing.assert_allclose(losses.minimax_discriminator_loss(REAL, FAKE, label_smoothing=s), expected, rtol=1e-5)


def test_generator_losses():
    d_fake = sigmoid(FAKE[:, 0])
    np.testing.assert_allclose(losses.minimax_generator_loss(FAKE), np.log(1 - d_fake), rtol=1e-5)
    np.testing.assert_allclose(losses.non_saturating_generator_loss(FAKE), -np.log(d_fake), rtol=1e-5)
    np.testing.assert_allclose(losses.least_squares_generator_loss(FAKE), 0.5 * (FAKE[:, 0] - 1) ** 2, rtol=1e-6)
    np.testing.assert_allclose(losses.wasserstein_generator_loss(FAKE), -FAKE[:, 0], rtol=1e-6)


def test_discriminator_losses():
    r, f = REAL[:, 0], FAKE[:, 0]
    np.testing.assert_allclose(losses.least_squares_discriminator_loss(REAL, FAKE), 0.5 * ((r - 1) ** 2 + f**2), rtol=1e-6)
    np.testing.assert_allclose(losses.wasserstein_discriminator_loss(REAL, FAKE), f - r, rtol=1e-6)
    np.testing.assert_allclose(
        losses.hinge_discriminator_loss(REAL, FAKE), np.maximum(0, 1 - r) + np.maximum(0, 1 + f), rtol=1e-6
    )


def test_non_saturating_has_strong_gradient_where_minimax_saturates():
    rejected = tf.constant([[-6.0]])  # D(G(z)) close to 0: the generator is losing.
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(rejected)
        minimax, non_saturating = losses.minimax_generator_loss(rejected), losses.non_saturating_generator_loss(rejected)
    strong, weak = (float(tf.reshape(tape.gradient(loss, rejected), [])) for loss in (non_saturating, minimax))
    assert abs(strong) > 100 * abs(weak)


def test_patch_scores_are_averaged_per_example():
    patches = np.stack([np.full((4, 4, 1), value, np.float32) for value in (1.0, -2.0)])
    np.testing.assert_allclose(losses.wasserstein_generator_loss(patches), [-1.0, 2.0])


def test_gradient_penalty_of_a_linear_critic():
    # D(x) = sum(w * x): its gradient is w everywhere, so the penalty is (|w| - 1)^2.
    weights = tf.constant(np.full((2, 2, 1), 0.75, np.float32))
    critic = lambda images: tf.reduce_sum(images * weights, axis=[1, 2, 3])[:, None]
    real, fake = tf.random.uniform((3, 2, 2, 1)), tf.random.uniform((3, 2, 2, 1))
    penalty = losses.gradient_penalty(critic, real, fake, interpolation_weights=tf.random.uniform([3]))
    np.testing.assert_allclose(penalty, [(math.sqrt(4 * 0.75**2) - 1) ** 2] * 3, rtol=1e-4)
    np.testing.assert_allclose(losses.r1_penalty(critic, real), [0.5 * 4 * 0.75**2] * 3, rtol=1e-5)


def test_unknown_loss_lists_the_valid_ones():
    with pytest.raises(ValueError, match="non_saturating"):
        losses.get_adversarial_loss("relativistic")


CLEAN = np.array([0.0, 0.5, 1.0, 0.25], np.float32).reshape(1, 2, 2, 1)
RESTORED = np.array([0.1, 0.5, 0.7, 0.25], np.float32).reshape(1, 2, 2, 1)
WEIGHTS = np.array([1.0, 1.0, 6.0, 1.0], np.float32).reshape(1, 2, 2, 1)


def test_reconstruction_losses_are_weighted_pixel_means():
    error = (RESTORED - CLEAN).ravel()
    weights = WEIGHTS.ravel()
    np.testing.assert_allclose(losses.l1_loss(CLEAN, RESTORED, WEIGHTS), [np.sum(weights * np.abs(error)) / weights.sum()], rtol=1e-6)
    np.testing.assert_allclose(losses.l2_loss(CLEAN, RESTORED, WEIGHTS), [np.sum(weights * error**2) / weights.sum()], rtol=1e-6)
    charbonnier = np.sum(weights * np.sqrt(error**2 + 1e-6)) / weights.sum()
    np.testing.assert_allclose(losses.charbonnier_loss(CLEAN, RESTORED, WEIGHTS), [charbonnier], rtol=1e-6)


def test_ssim_loss_is_zero_for_identical_images():
    images = np.random.default_rng(0).random((2, 16, 16, 1), dtype=np.float32)
    np.testing.assert_allclose(losses.ssim_loss(images, images, None), [0.0, 0.0], atol=1e-6)
    assert np.all(losses.ssim_loss(images, 1.0 - images, None).numpy() > 1.0)  # Anti-correlated: SSIM < 0.


def test_loss_mixtures_parse_and_sum():
    assert losses.parse_loss_mixture("l1:0.8, ssim:0.2") == {"l1": 0.8, "ssim": 0.2}
    mixed = losses.reconstruction_loss(CLEAN, RESTORED, WEIGHTS, mixture={"l1": 2.0, "l2": 1.0})
    expected = 2.0 * losses.l1_loss(CLEAN, RESTORED, WEIGHTS) + losses.l2_loss(CLEAN, RESTORED, WEIGHTS)
    np.testing.assert_allclose(mixed, expected, rtol=1e-6)
    with pytest.raises(ValueError, match="Unknown reconstruction loss 'l5'"):
        losses.parse_loss_mixture("l5")
    with pytest.raises(ValueError, match="is not a number"):
        losses.parse_loss_mixture("l1:heavy")


def test_distillation_is_temperature_squared_kl_and_spares_the_teacher():
    teacher = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.0]], np.float32)
    student = np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], np.float32)
    softmax = lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    t, s = softmax(teacher / 4), softmax(student / 4)
    np.testing.assert_allclose(losses.distillation_loss(teacher, student, temperature=4.0), 16 * (t * np.log(t / s)).sum(-1), rtol=1e-5)
    assert float(losses.distillation_loss(teacher, student, temperature=4.0)[1]) == pytest.approx(0.0, abs=1e-6)  # Same logits.
    teacher_var, student_var = tf.Variable(teacher), tf.Variable(student)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(losses.distillation_loss(teacher_var, student_var))
    teacher_grad, student_grad = tape.gradient(loss, [teacher_var, student_var])
    assert teacher_grad is None and np.abs(student_grad.numpy()).sum() > 0
