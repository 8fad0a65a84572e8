"""Generative-prior restoration recovers what a generator can explain from partial or blurred observations."""

import numpy as np
import pytest
import tensorflow as tf

from tf_genrepair.models import GAN, VAE
from tf_genrepair.networks import (
    mlp_decoder,
    mlp_discriminator,
    mlp_encoder,
    mlp_generator,
)
from tf_genrepair.restoration import (
    GenerativePriorRestorer,
    downsample_operator,
    gaussian_blur_operator,
)

LATENT = 4


@pytest.fixture(scope="module")
def vae() -> VAE:
    """An untrained VAE: its decoder is still a smooth map from 4 latents to digit-sized images."""
    encoder = mlp_encoder(latent_dim=LATENT, hidden_units=(32,))
    decoder = mlp_decoder(latent_dim=LATENT, hidden_units=(32,))
    return VAE(encoder, decoder, latent_dim=LATENT)


def images_from_known_codes(model: VAE, count: int = 16) -> np.ndarray:
    codes = tf.random.stateless_normal([count, LATENT], [7, 7])
    return model.likelihood.mean(model.sampling_network()(codes)).numpy()


def test_recovers_missing_pixels_far_better_than_a_flat_fill(vae):
    clean = images_from_known_codes(vae)
    mask = (np.random.default_rng(0).random(clean.shape) < 0.3).astype(np.float32)  # 70% missing.
    prior = GenerativePriorRestorer(vae, steps=300, restarts=4, learning_rate=0.1, prior_weight=0.01)
    restored = prior.restore(clean * mask, mask, noise_levels=0.01)
    hole = mask < 0.5
    flat_fill = np.full_like(clean, clean[~hole].mean())
    assert np.mean((restored - clean)[hole] ** 2) < 0.1 * np.mean((flat_fill - clean)[hole] ** 2)
    np.testing.assert_array_equal(restored[~hole], (clean * mask)[~hole])  # Observed pixels kept.


@pytest.mark.parametrize("operator", [gaussian_blur_operator(1.5), downsample_operator(4)])
def test_inverts_a_known_blur_or_downsampling(vae, operator):
    clean = images_from_known_codes(vae)
    observed = operator(tf.constant(clean)).numpy()
    prior = GenerativePriorRestorer(vae, steps=300, learning_rate=0.1, prior_weight=0.01, operator=operator, keep_observed=False)
    restored = prior.restore(observed, noise_levels=0.01)
    assert np.mean((restored - clean) ** 2) < 0.5 * np.mean((observed - clean) ** 2)


def test_works_with_a_gan_generator():
    gan = GAN(generator=mlp_generator(latent_dim=LATENT, hidden_units=(16,)), discriminator=mlp_discriminator(), latent_dim=LATENT)
    restored = GenerativePriorRestorer(gan, steps=5, restarts=2).restore(np.zeros((3, 28, 28, 1), np.float32))
    assert restored.shape == (3, 28, 28, 1) and np.all((restored >= 0) & (restored <= 1))


def test_bad_input_is_named(vae):
    prior = GenerativePriorRestorer(vae, steps=1, restarts=1)
    with pytest.raises(ValueError, match="generator's size"):
        prior.restore(np.zeros((1, 32, 32, 1), np.float32))
    with pytest.raises(ValueError, match="mask"):
        prior.restore(np.zeros((1, 28, 28, 1), np.float32), np.ones((1, 28, 27, 1)))
    with pytest.raises(ValueError, match="GAN or VAE"):
        GenerativePriorRestorer(object())
