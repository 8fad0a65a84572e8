"""`VAE`: a variational autoencoder around an encoder and a decoder passed in, with ELBO or IWAE training."""

import math

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.data import binarize_once, load_arrays
from tf_genrepair.likelihoods import get_likelihood
from tf_genrepair.metrics import linear_probe_accuracy
from tf_genrepair.models.generative import GenerativeModel
from tf_genrepair.models.kind import Signatures
from tf_genrepair.models.replica_random import global_batch_size, replica_slice
from tf_genrepair.models.signature_checks import (
    checked_images,
    checked_labels,
    concrete,
    image_outputs,
)
from tf_genrepair.networks import conv_decoder, conv_encoder, mlp_decoder, mlp_encoder, spatial_decoder, spatial_encoder

OBJECTIVES = ("elbo", "iwae")
NETWORKS = ("mlp", "conv", "spatial")
ENCODE_CHUNK = 1000


def gaussian_kl_per_dimension(mean: tf.Tensor, log_var: tf.Tensor) -> tf.Tensor:
    """KL(N(mean, exp(log_var)) || N(0, I)) per latent dimension, in closed form."""
    return 0.5 * (tf.exp(log_var) + tf.square(mean) - 1.0 - log_var)


def standard_normal_log_density(z: tf.Tensor) -> tf.Tensor:
    """log N(z; 0, I), summed over the last axis."""
    return tf.reduce_sum(-0.5 * (tf.square(z) + math.log(2.0 * math.pi)), axis=-1)


def diagonal_normal_log_density(z: tf.Tensor, mean: tf.Tensor, log_var: tf.Tensor) -> tf.Tensor:
    """log N(z; mean, diag(exp(log_var))), summed over the last axis."""
    return tf.reduce_sum(-0.5 * (tf.square(z - mean) * tf.exp(-log_var) + log_var + math.log(2.0 * math.pi)), axis=-1)


@keras.saving.register_keras_serializable(package="tf_genrepair")
class VAE(GenerativeModel, keras.Model):
    """Trains `encoder` and `decoder` with `fit()` by maximising the ELBO (or the IWAE bound).

    ELBO(x) = E_q(z|x)[log p(x|z)] - KL(q(z|x) || p(z)), with q a diagonal Gaussian, p(z) = N(0, I),
    the KL in closed form and one reparameterised sample per example (the mean over
    `num_samples` when more are asked). The IWAE bound (Burda et al. 2016) is
    E[log (1/k) sum_i p(x, z_i) / q(z_i|x)] with k = `num_samples`.

    Args:
        encoder: Images in [0, 1] to `[B, 2 * latent_dim]` (posterior mean and log-variance).
        decoder: Latents to `[B, H, W, parameters_per_channel * C]` likelihood parameters.
        latent_dim: Size of the latent code.
        likelihood: `bernoulli`, `gaussian` (learned variance), `gaussian_fixed` or `discretized_logistic`.
        likelihood_options: Options of the likelihood, e.g. `{"scale": 0.1}` for `gaussian_fixed`.
        objective: `elbo` or `iwae`.
        num_samples: Latent samples per example in training (k of the IWAE bound).
        beta: Weight of the KL term (ELBO objective; 1 is the true bound).
        kl_warmup_steps: The KL weight rises linearly from 0 to `beta` over this many steps.
        free_bits: Each latent dimension's KL below this many nats is not penalised (Kingma et al. 2016).
        seed: Seed of the latent draws (dynamic binarization is the pipeline's: `generation_dataset(..., binarize=True)`).

    Example:
        >>> vae = VAE(encoder=mlp_encoder(latent_dim=50), decoder=mlp_decoder(latent_dim=50), latent_dim=50)
        >>> vae.compile(optimizer=keras.optimizers.Adam(1e-3))
        >>> vae.fit(generation_dataset(load_dataset("mnist"), batch_size=100, binarize=True), epochs=10)
        >>> nll = -vae.log_likelihood(test_images, num_samples=5000).mean()
    """

    kind = "vae"

    def __init__(
        self,
        encoder: keras.Model,
        decoder: keras.Model,
        *,
        latent_dim: int,
        likelihood: str = "bernoulli",
        likelihood_options: dict | None = None,
        objective: str = "elbo",
        num_samples: int = 1,
        beta: float = 1.0,
        kl_warmup_steps: int = 0,
        free_bits: float = 0.0,
        seed: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if objective not in OBJECTIVES:
            raise ValueError(f"Unknown objective {objective!r}. Valid objectives: {', '.join(OBJECTIVES)}")
        if num_samples < 1:
            raise ValueError(f"`num_samples` must be >= 1. Received: num_samples={num_samples}")
        if beta < 0 or free_bits < 0 or kl_warmup_steps < 0:
            raise ValueError(
                f"`beta`, `free_bits` and `kl_warmup_steps` must be >= 0. Received: beta={beta}, "
                f"free_bits={free_bits}, kl_warmup_steps={kl_warmup_steps}"
            )
        # === Layers ===
        self.encoder = encoder
        self.decoder = decoder
        self.built = True  # The networks arrive built.
        # === Config ===
        self.latent_dim = latent_dim
        self.likelihood_name = likelihood
        self.likelihood_options = dict(likelihood_options or {})
        self.likelihood = get_likelihood(likelihood, **self.likelihood_options)
        self.objective = objective
        self.num_samples = num_samples
        self.beta = beta
        self.kl_warmup_steps = kl_warmup_steps
        self.free_bits = free_bits
        self.seed = seed
        self._check_decoder_channels()
        # === Trackers ===
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")
        self.elbo_tracker = keras.metrics.Mean(name="elbo")

    def _check_decoder_channels(self) -> None:
        encoder_images = self.encoder.inputs[0].shape
        decoder_output = self.decoder.outputs[0].shape
        expected = encoder_images[-1] * self.likelihood.parameters_per_channel
        if decoder_output[-1] != expected:
            raise ValueError(
                f"The {self.likelihood_name} likelihood needs {self.likelihood.parameters_per_channel} decoder "
                f"channels per image channel ({expected}); the decoder outputs {decoder_output[-1]}. "
                f"Build it with parameters_per_channel={self.likelihood.parameters_per_channel}."
            )

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker, self.elbo_tracker]

    # --- Hooks that ConditionalVAE overrides. ---

    def unpack(self, data: tf.Tensor | tuple) -> tuple[tf.Tensor, tf.Tensor | None]:
        """Splits a batch into images and (for conditional models) labels."""
        images = data[0] if isinstance(data, (tuple, list)) else data
        return tf.cast(images, tf.float32), None

    def network_inputs(self, tensor: tf.Tensor, labels: tf.Tensor | None):
        """What the networks are called with: images or latents, plus labels for conditional models."""
        return tensor

    # --- The model. ---

    def call(self, images: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        """The reconstruction of `images` from their posterior means (mean image)."""
        mean, _ = self._encode(images, None, training=training)
        return self.likelihood.mean(self._decode(mean, None, training=training))

    def _encode(self, images: tf.Tensor, labels: tf.Tensor | None, *, training: bool | None) -> tuple[tf.Tensor, tf.Tensor]:
        posterior = tf.cast(self.encoder(self.network_inputs(images, labels), training=training), tf.float32)
        mean, log_var = tf.split(posterior, 2, axis=-1)
        return mean, tf.clip_by_value(log_var, -20.0, 10.0)

    def _decode(self, latents: tf.Tensor, labels: tf.Tensor | None, *, training: bool | None) -> tf.Tensor:
        return tf.cast(self.decoder(self.network_inputs(latents, labels), training=training), tf.float32)

    def _log_weights(self, images, labels, mean, log_var, noise, *, training: bool | None) -> tuple[tf.Tensor, tf.Tensor]:
        """log p(x|z_i) and log p(z_i) - log q(z_i|x) for `noise` `[k, B, latent_dim]`; each `[k, B]`."""
        samples, batch = tf.shape(noise)[0], tf.shape(noise)[1]
        latents = mean + tf.exp(0.5 * log_var) * noise
        flat_latents = tf.reshape(latents, [-1, self.latent_dim])
        repeated_images = tf.tile(images, [samples, 1, 1, 1])
        repeated_labels = None if labels is None else tf.tile(labels, [samples])
        parameters = self._decode(flat_latents, repeated_labels, training=training)
        log_likelihood = tf.reshape(self.likelihood.log_prob(repeated_images, parameters), [samples, batch])
        log_prior_ratio = standard_normal_log_density(latents) - diagonal_normal_log_density(latents, mean, log_var)
        return log_likelihood, log_prior_ratio

    def _kl_weight(self) -> tf.Tensor:
        if not self.kl_warmup_steps:
            return tf.constant(self.beta, tf.float32)
        progress = tf.cast(self.optimizer.iterations, tf.float32) / float(self.kl_warmup_steps)
        return self.beta * tf.minimum(1.0, progress)

    def _per_example_terms(self, data, *, training: bool) -> dict[str, tf.Tensor]:
        """Per-example loss, reconstruction loss, KL and ELBO for one batch."""
        images, labels = self.unpack(data)
        batch = tf.shape(images)[0]
        step = self.optimizer.iterations
        noise = tf.transpose(replica_slice(batch, [self.num_samples, self.latent_dim], seed=self.seed, step=step, draw=0), [1, 0, 2])
        mean, log_var = self._encode(images, labels, training=training)
        log_likelihood, log_prior_ratio = self._log_weights(images, labels, mean, log_var, noise, training=training)
        kl_per_dimension = gaussian_kl_per_dimension(mean, log_var)
        kl = tf.reduce_sum(kl_per_dimension, axis=-1)
        reconstruction = -tf.reduce_mean(log_likelihood, axis=0)
        if self.objective == "iwae":
            loss = -(tf.reduce_logsumexp(log_likelihood + log_prior_ratio, axis=0) - math.log(self.num_samples))
        else:
            penalised_kl = tf.reduce_sum(tf.maximum(kl_per_dimension, self.free_bits), axis=-1)
            loss = reconstruction + self._kl_weight() * penalised_kl
        return {"loss": loss, "reconstruction_loss": reconstruction, "kl_loss": kl, "elbo": -(reconstruction + kl)}

    def _update_trackers(self, terms: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        for tracker in self.metrics:
            tracker.update_state(terms[tracker.name])
        return {tracker.name: tracker.result() for tracker in self.metrics}

    def train_step(self, data) -> dict[str, tf.Tensor]:
        with tf.GradientTape() as tape:
            terms = self._per_example_terms(data, training=True)
            batch = tf.shape(terms["loss"])[0]
            loss = tf.nn.compute_average_loss(terms["loss"], global_batch_size=global_batch_size(batch))
        weights = self.trainable_weights
        self.optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        return self._update_trackers(terms)

    def test_step(self, data) -> dict[str, tf.Tensor]:
        return self._update_trackers(self._per_example_terms(data, training=False))

    # --- Public API. ---

    def encode(self, images: np.ndarray, labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and log-variance `([N, latent_dim], [N, latent_dim])` of images in [0, 1]."""
        mean, log_var = self._encode(tf.constant(images, tf.float32), _optional_labels(labels), training=False)
        return mean.numpy(), log_var.numpy()

    def decode(self, latents: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
        """The decoder's mean image in [0, 1] for each latent code."""
        return self.decode_latents(tf.constant(latents, tf.float32), _optional_labels(labels)).numpy()

    def reconstruct(self, images: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
        """Decodes the posterior mean of each image."""
        return self.decode(self.encode(images, labels)[0], labels)

    def posterior(self, images: tf.Tensor, labels: tf.Tensor | None = None) -> tuple[tf.Tensor, tf.Tensor]:
        """The mean and log-variance of q(z | x) as tensors (inference mode), e.g. for M1+M2's codes."""
        return self._encode(images, labels, training=False)

    def decode_latents(self, latents: tf.Tensor, labels: tf.Tensor | None) -> tf.Tensor:
        """The mean image of p(x | z) (the likelihood's mean) for each latent code."""
        return self.likelihood.mean(self._decode(latents, labels, training=False))

    def sampling_network(self) -> keras.Model:
        """The network samples come from: the decoder."""
        return self.decoder

    @tf.function(reduce_retracing=True)
    def _log_weight_chunk(self, images, labels, mean, log_var, key, samples) -> tf.Tensor:
        """log p(x, z_i) - log q(z_i|x) for `samples` fresh z_i per image, `[samples, B]`."""
        noise = tf.random.stateless_normal(tf.stack([samples, tf.shape(images)[0], self.latent_dim]), key)
        log_likelihood, log_prior_ratio = self._log_weights(images, labels, mean, log_var, noise, training=False)
        return log_likelihood + log_prior_ratio

    def log_likelihood(
        self,
        images: np.ndarray,
        labels: np.ndarray | None = None,
        *,
        num_samples: int = 5000,
        batch_size: int = 100,
        max_decoded: int = 50_000,
        seed: int = 0,
        verbose: bool = False,
    ) -> np.ndarray:
        """Importance-sampled log p(x) per image (nats), with q(z|x) as the proposal.

        log p(x) ~ logsumexp_i [log p(x|z_i) + log p(z_i) - log q(z_i|x)] - log k, z_i ~ q(z|x),
        k = `num_samples`. Vectorised over a batch of images and a chunk of samples at once;
        at most `max_decoded` images pass through the decoder together (memory bound). The
        estimate is a stochastic lower bound that tightens as k grows; k = 1 is the ELBO. `verbose`
        shows a progress bar over the images.
        """
        images = np.asarray(images, np.float32)
        chunk = max(1, min(num_samples, max_decoded // batch_size))
        progress = keras.utils.Progbar(len(images), unit_name="image", verbose=1 if verbose else 0)
        results = []
        for start in range(0, len(images), batch_size):
            batch_images = tf.constant(images[start : start + batch_size])
            batch_labels = _optional_labels(None if labels is None else np.asarray(labels)[start : start + batch_size])
            mean, log_var = self._encode(batch_images, batch_labels, training=False)
            chunk_totals = []
            for chunk_start in range(0, num_samples, chunk):
                key = tf.constant([seed, start * num_samples + chunk_start], tf.int64)
                samples = tf.constant(min(chunk, num_samples - chunk_start), tf.int32)
                log_weights = self._log_weight_chunk(batch_images, batch_labels, mean, log_var, key, samples)
                chunk_totals.append(tf.reduce_logsumexp(log_weights, axis=0))
            results.append((tf.reduce_logsumexp(tf.stack(chunk_totals), axis=0) - math.log(num_samples)).numpy())
            progress.add(len(results[-1]))
        return np.concatenate(results)

    # --- Experiments. ---

    @classmethod
    def from_experiment(cls, config) -> "VAE":
        """The networks and bound of a `VAEConfig` (`config.model`); labels in encoder and decoder for kind `cvae`."""
        model = config.model
        num_classes = model.num_classes if cls.conditional else None
        shared = dict(latent_dim=model.latent_dim, image_shape=model.image_shape, num_classes=num_classes)
        parameters_per_channel = get_likelihood(model.likelihood).parameters_per_channel
        if model.network == "mlp":
            hidden = (model.hidden_units, model.hidden_units)
            encoder = mlp_encoder(hidden_units=hidden, **shared)
            decoder = mlp_decoder(hidden_units=hidden, parameters_per_channel=parameters_per_channel, **shared)
        elif model.network == "conv":
            encoder = conv_encoder(base_filters=model.base_filters, **shared)
            decoder = conv_decoder(base_filters=model.base_filters, parameters_per_channel=parameters_per_channel, **shared)
        elif model.network == "spatial":
            encoder = spatial_encoder(base_filters=model.base_filters, **shared)
            decoder = spatial_decoder(base_filters=model.base_filters, parameters_per_channel=parameters_per_channel, **shared)
        else:
            raise ValueError(f"Unknown VAE network {model.network!r}. Valid networks: {', '.join(NETWORKS)}")
        options = dict(
            latent_dim=model.latent_dim,
            likelihood=model.likelihood,
            objective=model.objective,
            num_samples=model.training_samples,
            beta=model.beta,
            kl_warmup_steps=model.kl_warmup_steps,
            free_bits=model.free_bits,
            seed=config.train.seed,
        )
        if cls.conditional:
            options["num_classes"] = model.num_classes
        return cls(encoder, decoder, **options)

    @classmethod
    def _evaluation_arrays(cls, config) -> tuple[np.ndarray, np.ndarray]:
        """The evaluation split, binarized once (a fixed draw) when training binarizes dynamically."""
        images, labels = load_arrays(config.data.name, split=config.data.eval_split)
        images = binarize_once(images, seed=config.train.seed) if config.data.binarize else images
        return images, labels.astype(np.int32)

    @classmethod
    def experiment_datasets(cls, config) -> tuple[tf.data.Dataset, tf.data.Dataset]:
        """Training batches and the evaluation split (the test ELBO)."""
        images, labels = cls._evaluation_arrays(config)
        evaluation = tf.data.Dataset.from_tensor_slices((images, labels) if cls.conditional else images).batch(500)
        return cls.generation_training_data(config), evaluation

    def _posterior_means(self, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Posterior means in chunks of `ENCODE_CHUNK` images (labels are read by conditional models only)."""
        means = []
        for start in range(0, len(images), ENCODE_CHUNK):
            chunk_labels = labels[start : start + ENCODE_CHUNK] if self.conditional else None
            means.append(self.encode(images[start : start + ENCODE_CHUNK], chunk_labels)[0])
        return np.concatenate(means)

    def experiment_metrics(self, config, evaluation: tf.data.Dataset | None) -> dict[str, float]:
        """The linear probe on posterior means (train split to eval split) and, when asked, the importance-sampled test NLL."""
        splits = []
        for split in (config.data.train_split, config.data.eval_split):
            images, labels = load_arrays(config.data.name, split=split)
            splits.append((self._posterior_means(images, labels.astype(np.int32)), labels))
        (train_means, train_labels), (test_means, test_labels) = splits
        probe = linear_probe_accuracy(train_means, train_labels, test_means, test_labels, num_classes=config.model.num_classes)
        metrics = {"latent_linear_probe_accuracy": probe}
        samples = config.evaluation.log_likelihood_samples
        if samples:
            images, labels = self._evaluation_arrays(config)
            log_likelihood = self.log_likelihood(images, labels if self.conditional else None, num_samples=samples)
            metrics.update(test_nll=float(-log_likelihood.mean()), log_likelihood_samples=samples)
        return metrics

    # --- Export. ---

    def serving_signatures(self) -> Signatures:
        """`generate` and `sample` (see `GenerativeModel`), `decode` (= `generate`), `encode` and `reconstruct`."""
        signatures = super().serving_signatures()
        signatures["decode"] = signatures["generate"]
        channels = self.encoder.inputs[0].shape[-1]

        def encode(images: tf.Tensor, labels: tf.Tensor | None) -> dict[str, tf.Tensor]:
            images = checked_images(images, "images", channels)
            labels = None if labels is None else checked_labels(labels, self.num_classes)
            mean, log_var = self._encode(images, labels, training=False)
            return {"mean": mean, "log_var": log_var}

        def reconstruct(images: tf.Tensor, labels: tf.Tensor | None) -> dict[str, tf.Tensor]:
            return image_outputs(self.decode_latents(encode(images, labels)["mean"], labels))

        image_spec = tf.TensorSpec(None, tf.float32, name="images")
        if self.conditional:
            label_spec = tf.TensorSpec([None], tf.int32, name="labels")
            signatures["encode"] = concrete(encode, image_spec, label_spec)
            signatures["reconstruct"] = concrete(reconstruct, image_spec, label_spec)
        else:
            signatures["encode"] = concrete(lambda images: encode(images, None), image_spec)
            signatures["reconstruct"] = concrete(lambda images: reconstruct(images, None), image_spec)
        return signatures

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "latent_dim": self.latent_dim,
            "likelihood": self.likelihood_name,
            "likelihood_options": self.likelihood_options,
            "objective": self.objective,
            "num_samples": self.num_samples,
            "beta": self.beta,
            "kl_warmup_steps": self.kl_warmup_steps,
            "free_bits": self.free_bits,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict) -> "VAE":
        config = dict(config)
        for key in ("encoder", "decoder"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def _optional_labels(labels: np.ndarray | None) -> tf.Tensor | None:
    return None if labels is None else tf.constant(np.asarray(labels), tf.int32)

