"""Decoder likelihoods match their textbook formulas and the discretised logistic is normalised."""

import math

import numpy as np
import pytest
import tensorflow as tf

from tf_genrepair.likelihoods import bits_per_dimension, get_likelihood


def test_bernoulli_is_the_sum_of_pixel_log_probabilities():
    images = np.array([[[[1.0], [0.0]], [[0.0], [1.0]]]], np.float32)
    logits = np.array([[[[2.0], [-1.0]], [[0.5], [0.0]]]], np.float32)
    probability = 1.0 / (1.0 + np.exp(-logits))
    expected = np.sum(images * np.log(probability) + (1 - images) * np.log(1 - probability))
    assert get_likelihood("bernoulli").log_prob(images, logits).numpy() == pytest.approx([expected], rel=1e-5)


def test_gaussians_match_the_normal_density():
    rng = np.random.default_rng(0)
    images = rng.random((2, 3, 3, 1)).astype(np.float32)
    mean, log_scale = rng.random((2, 3, 3, 1)).astype(np.float32), rng.normal(-1.0, 0.3, (2, 3, 3, 1)).astype(np.float32)
    scale = np.exp(log_scale)
    density = -0.5 * np.log(2 * np.pi) - np.log(scale) - 0.5 * ((images - mean) / scale) ** 2
    learned = get_likelihood("gaussian").log_prob(images, np.concatenate([mean, log_scale], axis=-1))
    np.testing.assert_allclose(learned, density.reshape(2, -1).sum(axis=1), rtol=1e-5)
    fixed_density = -0.5 * np.log(2 * np.pi) - np.log(0.2) - 0.5 * ((images - mean) / 0.2) ** 2
    fixed = get_likelihood("gaussian_fixed", scale=0.2).log_prob(images, mean)
    np.testing.assert_allclose(fixed, fixed_density.reshape(2, -1).sum(axis=1), rtol=1e-5)


@pytest.mark.parametrize("mean, log_scale", [(0.5, -3.0), (0.02, -4.0), (0.9, -1.0), (0.3, -6.5)])
def test_discretized_logistic_probabilities_of_all_levels_sum_to_one(mean, log_scale):
    levels = np.arange(256, dtype=np.float32).reshape(256, 1, 1, 1) / 255.0
    parameters = np.broadcast_to(np.array([mean, log_scale], np.float32), (256, 1, 1, 2))
    log_probability = get_likelihood("discretized_logistic").log_prob(levels, parameters).numpy()
    assert np.exp(log_probability).sum() == pytest.approx(1.0, abs=1e-4)
    # An interior bin is the logistic CDF difference across the bin.
    cdf = lambda value: 1.0 / (1.0 + math.exp(-(value - mean) / math.exp(log_scale)))
    level = 128 / 255.0
    assert math.exp(log_probability[128]) == pytest.approx(cdf(level + 0.5 / 255) - cdf(level - 0.5 / 255), rel=1e-3, abs=1e-9)


def test_bits_per_dimension_of_a_uniform_model_of_256_levels_is_eight():
    uniform = np.full(5, -32 * 32 * 3 * math.log(256.0))  # log p(x) of a 32x32x3 image, each channel uniform.
    assert bits_per_dimension(uniform, (32, 32, 3)) == pytest.approx(8.0)
    assert bits_per_dimension(uniform[:1] / 2, (32, 32, 3)) == pytest.approx(4.0)


def test_unknown_likelihood_lists_the_valid_ones():
    with pytest.raises(ValueError, match="bernoulli, gaussian, gaussian_fixed, discretized_logistic"):
        get_likelihood("poisson")
    with pytest.raises(ValueError, match="scale"):
        get_likelihood("gaussian_fixed", scale=0.0)
    assert tf.is_tensor(get_likelihood("bernoulli").mean(tf.zeros([1, 2, 2, 1])))
