"""Decoder likelihoods p(x | z) for VAEs: per-example log-probabilities in nats, and their means.

A decoder outputs `parameters_per_channel * C` channels; `log_prob` sums over pixels and
channels and returns one value per example. Images are in [0, 1].
"""

import math

import numpy as np
import tensorflow as tf
from numpy.typing import ArrayLike


class Likelihood:
    """One observation model. Subclasses set `name` and `parameters_per_channel`."""

    name = ""
    parameters_per_channel = 1

    def log_prob(self, images: tf.Tensor, parameters: tf.Tensor) -> tf.Tensor:
        """log p(images | parameters) per example, `[B]`, summed over pixels."""
        raise NotImplementedError

    def mean(self, parameters: tf.Tensor) -> tf.Tensor:
        """The distribution's mean image in [0, 1] (what `decode` shows)."""
        raise NotImplementedError



def _sum_per_example(values: tf.Tensor) -> tf.Tensor:
    return tf.reduce_sum(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


def _location_and_log_scale(parameters: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    location, log_scale = tf.split(parameters, 2, axis=-1)
    return location, tf.maximum(log_scale, -7.0)  # Keeps the density finite on flat (all-black) regions.


def gaussian_location(parameters: tf.Tensor) -> tf.Tensor:
    """The unclipped location of a `gaussian` or `discretized_logistic` decoder output (data outside [0, 1], e.g. codes)."""
    return _location_and_log_scale(parameters)[0]


class Bernoulli(Likelihood):
    """Pixels are independent Bernoulli draws with the given logits (binarized or [0, 1] data)."""

    name = "bernoulli"

    def log_prob(self, images, parameters):
        return -_sum_per_example(tf.nn.sigmoid_cross_entropy_with_logits(labels=images, logits=parameters))

    def mean(self, parameters):
        return tf.sigmoid(parameters)


class Gaussian(Likelihood):
    """Independent Gaussians; the decoder outputs a mean and a log standard deviation per pixel."""

    name = "gaussian"
    parameters_per_channel = 2

    def log_prob(self, images, parameters):
        mean, log_scale = _location_and_log_scale(parameters)
        standardized = (images - mean) * tf.exp(-log_scale)
        return _sum_per_example(-0.5 * math.log(2.0 * math.pi) - log_scale - 0.5 * tf.square(standardized))

    def mean(self, parameters):
        return tf.clip_by_value(gaussian_location(parameters), 0.0, 1.0)


class FixedGaussian(Likelihood):
    """Independent Gaussians with a fixed standard deviation `scale`; the decoder outputs the mean."""

    name = "gaussian_fixed"

    def __init__(self, scale: float = 0.1) -> None:
        if scale <= 0:
            raise ValueError(f"`scale` must be positive. Received: scale={scale}")
        self.scale = scale

    def log_prob(self, images, parameters):
        standardized = (images - parameters) / self.scale
        return _sum_per_example(-0.5 * math.log(2.0 * math.pi) - math.log(self.scale) - 0.5 * tf.square(standardized))

    def mean(self, parameters):
        return tf.clip_by_value(parameters, 0.0, 1.0)



class DiscretizedLogistic(Likelihood):
    """A logistic per pixel integrated over its quantization bin (Salimans et al. 2017), `num_bins` levels.

    The edge bins take the tails: P(x = 0) = F(0.5 / (bins - 1)) and P(x = 1) = 1 - F(1 - 0.5 / (bins - 1)),
    so the probabilities of the `num_bins` levels sum to one.
    """

    name = "discretized_logistic"
    parameters_per_channel = 2

    def __init__(self, num_bins: int = 256) -> None:
        if num_bins < 2:
            raise ValueError(f"`num_bins` must be >= 2. Received: num_bins={num_bins}")
        self.num_bins = num_bins

    def log_prob(self, images, parameters):
        mean, log_scale = _location_and_log_scale(parameters)
        half_bin = 0.5 / (self.num_bins - 1)
        inverse_scale = tf.exp(-log_scale)
        upper = inverse_scale * (images - mean + half_bin)
        lower = inverse_scale * (images - mean - half_bin)
        log_cdf_upper = -tf.nn.softplus(-upper)  # log sigmoid(upper)
        log_survival_lower = -tf.nn.softplus(lower)  # log (1 - sigmoid(lower))
        # sigmoid(u) - sigmoid(l) = sigmoid(u) (1 - sigmoid(l)) (1 - exp(l - u)), each factor in log space.
        bin_width = tf.maximum(upper - lower, 1e-12)
        log_bin = log_cdf_upper + log_survival_lower + tf.math.log(-tf.math.expm1(-bin_width))
        log_probability = tf.where(images < half_bin, log_cdf_upper, tf.where(images > 1.0 - half_bin, log_survival_lower, log_bin))
        return _sum_per_example(log_probability)

    def mean(self, parameters):
        return tf.clip_by_value(gaussian_location(parameters), 0.0, 1.0)


def bits_per_dimension(log_likelihood: ArrayLike, image_shape: tuple[int, ...]) -> float:
    """The mean negative log-likelihood of discrete images (nats per image) in bits per pixel channel.

    Comparable across image sizes and with the literature's figures when the likelihood is a probability
    of the 256 quantized levels (`discretized_logistic`, or `bernoulli` on binary images); 8 bits is a
    uniform model of 256 levels.

    Example:
        >>> bits_per_dimension(vae.log_likelihood(test_images, num_samples=1000), (32, 32, 3))
    """
    return float(-np.mean(np.asarray(log_likelihood, np.float64)) / (math.prod(image_shape) * math.log(2.0)))


LIKELIHOODS = {cls.name: cls for cls in (Bernoulli, Gaussian, FixedGaussian, DiscretizedLogistic)}


def get_likelihood(name: str, **options) -> Likelihood:
    """The likelihood called `name` (bernoulli, gaussian, gaussian_fixed, discretized_logistic)."""
    if name not in LIKELIHOODS:
        raise ValueError(f"Unknown likelihood {name!r}. Valid likelihoods: {', '.join(LIKELIHOODS)}")
    return LIKELIHOODS[name](**options)
