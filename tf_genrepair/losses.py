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
