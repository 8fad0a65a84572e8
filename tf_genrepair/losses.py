"""Every adversarial loss, once, named after its mathematics, returning per-example values.

Discriminator outputs are raw scores (logits); `D(x) = sigmoid(score)` where a loss needs a
probability. Each `*_discriminator_loss(real_scores, fake_scores)` and
`*_generator_loss(fake_scores)` returns a `[B]` tensor; reduce it with
`tf.nn.compute_average_loss(per_example, global_batch_size=...)` so that gradients are
right under `tf.distribute` with any number of replicas.
"""

from typing import Callable, NamedTuple

import tensorflow as tf


def _per_example(scores: tf.Tensor) -> tf.Tensor:
    """Flattens `[B, ...]` scores (e.g. a patch discriminator's map) to `[B]` by averaging."""
    scores = tf.convert_to_tensor(scores)
    return tf.reduce_mean(tf.reshape(scores, [tf.shape(scores)[0], -1]), axis=1)


def minimax_discriminator_loss(real_scores: tf.Tensor, fake_scores: tf.Tensor, *, label_smoothing: float = 0.0) -> tf.Tensor:
    """`-log D(x) - log(1 - D(G(z)))`: the discriminator's side of the original game (Goodfellow et al. 2014).

    With one-sided label smoothing `s`, the real target is `1 - s` instead of 1.
    """
    real, fake = _per_example(real_scores), _per_example(fake_scores)
    target = 1.0 - label_smoothing
    return target * tf.nn.softplus(-real) + (1.0 - target) * tf.nn.softplus(real) + tf.nn.softplus(fake)


def minimax_generator_loss(fake_scores: tf.Tensor) -> tf.Tensor:
    """`log(1 - D(G(z)))`: the generator minimises the same value function the discriminator maximises."""
    return -tf.nn.softplus(_per_example(fake_scores))


def non_saturating_generator_loss(fake_scores: tf.Tensor) -> tf.Tensor:
    """`-log D(G(z))`: strong gradients when the discriminator rejects the fakes."""
    return tf.nn.softplus(-_per_example(fake_scores))


def least_squares_discriminator_loss(real_scores: tf.Tensor, fake_scores: tf.Tensor, **_) -> tf.Tensor:
    """`((D(x) - 1)^2 + D(G(z))^2) / 2` on raw scores (LSGAN, Mao et al. 2017, a=0, b=c=1)."""
    return 0.5 * (tf.square(_per_example(real_scores) - 1.0) + tf.square(_per_example(fake_scores)))


def least_squares_generator_loss(fake_scores: tf.Tensor) -> tf.Tensor:
    """`(D(G(z)) - 1)^2 / 2` on raw scores."""
    return 0.5 * tf.square(_per_example(fake_scores) - 1.0)


def wasserstein_discriminator_loss(real_scores: tf.Tensor, fake_scores: tf.Tensor, **_) -> tf.Tensor:
    """`D(G(z)) - D(x)`: the critic's side of the Wasserstein-1 dual (add a gradient penalty)."""
    return _per_example(fake_scores) - _per_example(real_scores)


def wasserstein_generator_loss(fake_scores: tf.Tensor) -> tf.Tensor:
    """`-D(G(z))`."""
    return -_per_example(fake_scores)


def hinge_discriminator_loss(real_scores: tf.Tensor, fake_scores: tf.Tensor, **_) -> tf.Tensor:
    """`max(0, 1 - D(x)) + max(0, 1 + D(G(z)))` (Lim and Ye 2017; Miyato et al. 2018)."""
    return tf.nn.relu(1.0 - _per_example(real_scores)) + tf.nn.relu(1.0 + _per_example(fake_scores))


def squared_gradient_norm(function: Callable[[tf.Tensor], tf.Tensor], inputs: tf.Tensor) -> tf.Tensor:
    """`||grad_x f(x)||^2` per example, for penalties on a discriminator `f`."""
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        scores = tf.reduce_sum(_per_example(function(inputs)))
    gradients = tape.gradient(scores, inputs)
    return tf.reduce_sum(tf.reshape(tf.square(gradients), [tf.shape(inputs)[0], -1]), axis=1)


def gradient_penalty(
    discriminator: Callable[[tf.Tensor], tf.Tensor], real: tf.Tensor, fake: tf.Tensor, *, interpolation_weights: tf.Tensor
) -> tf.Tensor:
    """WGAN-GP penalty `(||grad D(x_hat)|| - 1)^2` at `x_hat = e x + (1 - e) G(z)` (Gulrajani et al. 2017, Alg. 1).

    Args:
        discriminator: The critic.
        real: Real images `[B, ...]`.
        fake: Generated images, same shape.
        interpolation_weights: `e`, `[B]` draws from U[0, 1], one per example.

    Returns:
        `[B]` penalties.
    """
    shape = tf.concat([tf.shape(real)[:1], tf.ones([tf.rank(real) - 1], tf.int32)], axis=0)
    weight = tf.reshape(interpolation_weights, shape)
    interpolated = weight * real + (1.0 - weight) * fake
    return tf.square(tf.sqrt(squared_gradient_norm(discriminator, interpolated) + 1e-12) - 1.0)


def r1_penalty(discriminator: Callable[[tf.Tensor], tf.Tensor], real: tf.Tensor) -> tf.Tensor:
    """`||grad D(x)||^2 / 2` on real data (Mescheder et al. 2018); scale by gamma."""
    return 0.5 * squared_gradient_norm(discriminator, real)


# The K+1-class discriminator of semi-supervised GANs (Salimans et al. 2016): K class logits l(x) and a
# fake logit fixed at 0, so D(x) = p(real | x) = Z(x) / (Z(x) + 1) with Z(x) = sum_k exp(l_k(x)), i.e.
# D(x) = sigmoid(logsumexp(l(x))), and p(y | x, real) = softmax(l(x)).


def k_plus_one_unsupervised_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    """`-log D(x) - log(1 - D(G(z)))` per pair, with `D = sigmoid(logsumexp(class logits))`.

    Args:
        real_logits: `[B, K]` class logits of unlabelled real images.
        fake_logits: `[B, K]` class logits of generated images.
    """
    return tf.nn.softplus(-tf.reduce_logsumexp(real_logits, axis=-1)) + tf.nn.softplus(tf.reduce_logsumexp(fake_logits, axis=-1))


def feature_matching_loss(real_features: tf.Tensor, fake_features: tf.Tensor, *, global_batch_size: tf.Tensor) -> tf.Tensor:
    """`||mean f(x) - mean f(G(z))||^2` over the global batch (Salimans et al. 2016), the generator's loss.

    The means are all-reduced over replicas, and the gradient reaches only this replica's fakes
    (with weight 1 / global batch), so the replicas' summed gradients equal one device's.
    """
    context = tf.distribute.get_replica_context()
    total = tf.cast(global_batch_size, tf.float32)

    def global_mean(features: tf.Tensor) -> tf.Tensor:
        local = tf.reduce_sum(features, axis=0)
        every = context.all_reduce(tf.distribute.ReduceOp.SUM, tf.stop_gradient(local))
        return (every + local - tf.stop_gradient(local)) / total

    return tf.reduce_sum(tf.square(tf.stop_gradient(global_mean(real_features)) - global_mean(fake_features)))


def distillation_loss(teacher_logits: tf.Tensor, student_logits: tf.Tensor, *, temperature: float = 1.0) -> tf.Tensor:
    """`T^2 KL(softmax(t / T) || softmax(s / T))` per example (Hinton et al. 2015); no gradient reaches the teacher.

    The `T^2` factor keeps the gradient with respect to the student's logits from shrinking like `1 / T` as `T` grows.
    """
    teacher = tf.nn.log_softmax(tf.stop_gradient(teacher_logits) / temperature, axis=-1)
    student = tf.nn.log_softmax(student_logits / temperature, axis=-1)
    return temperature**2 * tf.reduce_sum(tf.exp(teacher) * (teacher - student), axis=-1)


class AdversarialLoss(NamedTuple):
    """A discriminator loss and its generator loss."""

    discriminator: Callable[..., tf.Tensor]
    generator: Callable[[tf.Tensor], tf.Tensor]


ADVERSARIAL_LOSSES: dict[str, AdversarialLoss] = {
    "minimax": AdversarialLoss(minimax_discriminator_loss, minimax_generator_loss),
    "non_saturating": AdversarialLoss(minimax_discriminator_loss, non_saturating_generator_loss),
    "least_squares": AdversarialLoss(least_squares_discriminator_loss, least_squares_generator_loss),
    "wasserstein": AdversarialLoss(wasserstein_discriminator_loss, wasserstein_generator_loss),
    "hinge": AdversarialLoss(hinge_discriminator_loss, wasserstein_generator_loss),
}


def get_adversarial_loss(name: str) -> AdversarialLoss:
    """Returns the named pair of losses.

    Example:
        >>> losses = get_adversarial_loss("non_saturating")
        >>> per_example = losses.generator(discriminator(fake_images))
    """
    if name not in ADVERSARIAL_LOSSES:
        raise ValueError(f"Unknown adversarial loss {name!r}. Valid losses: {', '.join(ADVERSARIAL_LOSSES)}")
    return ADVERSARIAL_LOSSES[name]


# Reconstruction losses of restorers: `loss(clean, restored, weights)` -> `[B]`, where `weights`
# `[B, H, W, 1]` weighs each pixel (e.g. missing pixels more than observed ones).

CHARBONNIER_EPSILON = 1e-3


def _weighted_mean(per_pixel: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    weights = tf.broadcast_to(weights, tf.shape(per_pixel))
    return tf.reduce_sum(per_pixel * weights, axis=[1, 2, 3]) / tf.maximum(tf.reduce_sum(weights, axis=[1, 2, 3]), 1e-8)


def l1_loss(clean: tf.Tensor, restored: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    """Weighted mean `|x - x_hat|` per image."""
    return _weighted_mean(tf.abs(clean - restored), weights)


def l2_loss(clean: tf.Tensor, restored: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    """Weighted mean `(x - x_hat)^2` per image (the Gaussian-noise MMSE loss)."""
    return _weighted_mean(tf.square(clean - restored), weights)


def charbonnier_loss(clean: tf.Tensor, restored: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    """Weighted mean `sqrt((x - x_hat)^2 + eps^2)`: a smooth L1 (Charbonnier et al. 1994), eps = 1e-3."""
    return _weighted_mean(tf.sqrt(tf.square(clean - restored) + CHARBONNIER_EPSILON**2), weights)


def ssim_loss(clean: tf.Tensor, restored: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    """`1 - SSIM(x, x_hat)` per image (7x7 Gaussian window, so 28x28 digits work; pixel weights unused)."""
    del weights
    return 1.0 - tf.image.ssim(clean, restored, max_val=1.0, filter_size=7, filter_sigma=1.5)


RECONSTRUCTION_LOSSES: dict[str, Callable[[tf.Tensor, tf.Tensor, tf.Tensor], tf.Tensor]] = {
    "l1": l1_loss,
    "l2": l2_loss,
    "charbonnier": charbonnier_loss,
    "ssim": ssim_loss,
}


def parse_loss_mixture(spec: str) -> dict[str, float]:
    """Parses `"l1"` or `"l1:0.8,ssim:0.2"` into `{name: weight}`, checking every name.

    Example:
        >>> parse_loss_mixture("charbonnier:1,ssim:0.1")
        {'charbonnier': 1.0, 'ssim': 0.1}
    """
    mixture = {}
    for part in spec.split(","):
        name, _, weight = part.strip().partition(":")
        if name not in RECONSTRUCTION_LOSSES:
            raise ValueError(
                f"Unknown reconstruction loss {name!r} in {spec!r}. Valid losses: {', '.join(RECONSTRUCTION_LOSSES)} "
                "(a mixture is written like 'l1:0.8,ssim:0.2')."
            )
        try:
            mixture[name] = float(weight) if weight else 1.0
        except ValueError as error:
            raise ValueError(f"Weight {weight!r} of loss {name!r} in {spec!r} is not a number.") from error
    return mixture


def reconstruction_loss(clean: tf.Tensor, restored: tf.Tensor, weights: tf.Tensor, *, mixture: dict[str, float]) -> tf.Tensor:
    """The weighted sum of the named reconstruction losses, `[B]`.

    Example:
        >>> per_example = reconstruction_loss(clean, restored, tf.ones_like(clean[..., :1]), mixture={"l1": 1.0})
    """
    return tf.add_n([weight * RECONSTRUCTION_LOSSES[name](clean, restored, weights) for name, weight in mixture.items()])
