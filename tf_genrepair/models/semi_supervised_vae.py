"""`SemiSupervisedVAE`: Kingma et al. (2014)'s M2, the label a latent variable observed for a few images only, and M1+M2."""

import math

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.likelihoods import gaussian_location, get_likelihood
from tf_genrepair.models.labels import split_labelled_batch
from tf_genrepair.models.loading import load_model
from tf_genrepair.models.replica_random import global_batch_size, replica_slice
from tf_genrepair.models.semi_supervised_kind import SemiSupervisedKind, split_semi_supervised_batch
from tf_genrepair.models.vae import gaussian_kl_per_dimension
from tf_genrepair.networks import digit_classifier_network, mlp_classifier_network, mlp_decoder, mlp_encoder


@keras.saving.register_keras_serializable(package="tf_genrepair")
class SemiSupervisedVAE(SemiSupervisedKind, keras.Model):
    """M2: p(x, y, z) = p(x | y, z) p(y) p(z) with q(z | x, y) q(y | x); `fit()` on few labels and many images.

    For a labelled pair the bound is
        L(x, y) = E_q(z|x,y)[log p(x | y, z)] - KL(q(z | x, y) || p(z)) + log p(y)   (p(y) uniform),
    and for an unlabelled image y is summed out under the classifier:
        U(x) = sum_y q(y | x) L(x, y) + H(q(y | x)).
    The loss per batch is mean(-L) over the labelled part, mean(-U) over the unlabelled part and
    `classification_weight` times the labelled cross-entropy of q(y | x) (Kingma et al.'s alpha
    term, which makes q(y | x) learn from the labels directly and not only through U). The model's
    output, `model(images)`, is the logits of q(y | x): it is the classifier.

    M1+M2: with `code_model` (a trained `VAE`, M1, kept frozen), M2 models M1's codes instead of the
    images: each image becomes a draw z1 from M1's q(z1 | x) (its mean at inference), shaped
    `[B, 1, 1, D]`, and the encoder, decoder (`gaussian` likelihood) and classifier work on those.
    Samples are M2's code means decoded by M1.

    Args:
        encoder: `[images, labels]` to `[B, 2 * latent_dim]` (posterior mean and log-variance).
        decoder: `[latents, labels]` to the likelihood's parameters.
        classifier: Images to `[B, num_classes]` logits of q(y | x).
        latent_dim: Size of z.
        num_classes: Number of classes K.
        likelihood: The decoder's observation model (`bernoulli` for binarized digits).
        classification_weight: alpha, the weight of the labelled cross-entropy.
        seed: Seed of the latent draws.
        code_model: M1 for M1+M2, or None for M2 on the images.

    Example:
        >>> model = SemiSupervisedVAE(mlp_encoder(num_classes=10), mlp_decoder(num_classes=10),
        ...                           digit_classifier_network(), latent_dim=50, num_classes=10)
        >>> model.compile(optimizer=keras.optimizers.Adam(3e-4))
        >>> model.fit(semi_supervised_dataset(load_dataset("mnist"), num_labels=100, labelled_batch_size=32,
        ...                                   unlabelled_batch_size=96, binarize=True), steps_per_epoch=600, epochs=20)
        >>> predicted = model.predict_labels(test_images)
    """

    kind = "ssvae"
    samples_by_class = True  # p(x | y, z) draws digits of a requested class.

    def __init__(
        self,
        encoder: keras.Model,
        decoder: keras.Model,
        classifier: keras.Model,
        *,
        latent_dim: int,
        num_classes: int,
        likelihood: str = "bernoulli",
        classification_weight: float = 1.0,
        seed: int = 0,
        code_model: keras.Model | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if classification_weight < 0:
            raise ValueError(f"`classification_weight` must be >= 0. Received: classification_weight={classification_weight}")
        # === Layers ===
        self.encoder = encoder
        self.decoder = decoder
        self.classifier = classifier
        self.code_model = code_model
        if code_model is not None:
            code_model.trainable = False  # M1 is trained first, on the images alone, and stays as it is.
        self.built = True  # The networks arrive built.
        # === Config ===
        self.latent_dim = latent_dim
        self.num_classes = num_classes
        self.likelihood_name = likelihood
        self.likelihood = get_likelihood(likelihood)
        self.classification_weight = classification_weight
        self.seed = seed
        # === Trackers ===
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.labelled_tracker = keras.metrics.Mean(name="labelled_bound")
        self.unlabelled_tracker = keras.metrics.Mean(name="unlabelled_bound")
        self.cross_entropy_tracker = keras.metrics.Mean(name="classification_loss")
        self.accuracy_tracker = keras.metrics.SparseCategoricalAccuracy(name="accuracy")

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return [self.loss_tracker, self.labelled_tracker, self.unlabelled_tracker, self.cross_entropy_tracker, self.accuracy_tracker]

    def call(self, images: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        """The logits of q(y | x) for images."""
        return self.classify_modelled(self.modelled_data(images), training=training)

    def classify_modelled(self, data: tf.Tensor, *, training: bool | None = None) -> tf.Tensor:
        """The logits of q(y | x) for what M2 models (the images, or M1's codes)."""
        return tf.cast(self.classifier(data, training=training), tf.float32)

    def modelled_data(self, images: tf.Tensor, noise: tf.Tensor | None = None) -> tf.Tensor:
        """What M2 models: the images, or with a `code_model` their codes `[B, 1, 1, D]`, a draw with `noise` or the mean."""
        if self.code_model is None:
            return images
        mean, log_var = self.code_model.posterior(images)
        codes = mean if noise is None else mean + tf.exp(0.5 * log_var) * noise
        return codes[:, tf.newaxis, tf.newaxis, :]

    # --- The bounds (of what M2 models: images, or M1's codes). ---

    def labelled_bound(self, images: tf.Tensor, labels: tf.Tensor, noise: tf.Tensor, *, training: bool | None = None) -> tf.Tensor:
        """L(x, y) per example, `[B]`, with one reparameterised z from `noise` `[B, latent_dim]`."""
        posterior = tf.cast(self.encoder([images, labels], training=training), tf.float32)
        mean, log_var = tf.split(posterior, 2, axis=-1)
        log_var = tf.clip_by_value(log_var, -20.0, 10.0)
        latents = mean + tf.exp(0.5 * log_var) * noise
        parameters = tf.cast(self.decoder([latents, labels], training=training), tf.float32)
        kl = tf.reduce_sum(gaussian_kl_per_dimension(mean, log_var), axis=-1)
        return self.likelihood.log_prob(images, parameters) - kl - math.log(self.num_classes)

    def unlabelled_bound(self, images: tf.Tensor, noise: tf.Tensor, *, training: bool | None = None) -> tf.Tensor:
        """U(x) per example, `[B]`: every class's L(x, k) (the same z noise for each), weighted by q(k | x), plus H(q)."""
        batch = tf.shape(images)[0]
        classes = tf.repeat(tf.range(self.num_classes, dtype=tf.int32), batch)  # [K * B], class-major.
        repeated_images = tf.tile(images, [self.num_classes, 1, 1, 1])
        repeated_noise = tf.tile(noise, [self.num_classes, 1])
        bounds = tf.transpose(tf.reshape(self.labelled_bound(repeated_images, classes, repeated_noise, training=training), [self.num_classes, batch]))
        log_probabilities = tf.nn.log_softmax(self.classify_modelled(images, training=training), axis=-1)
        probabilities = tf.exp(log_probabilities)
        entropy = -tf.reduce_sum(probabilities * log_probabilities, axis=-1)
        # sum_k q_k L_k = sum_k q_k (L_k - c) + c for any c, as the q_k sum to 1. With c the mean bound (held fixed), the
        # classifier's gradient no longer cancels terms of hundreds of nats against each other in float32.
        centre = tf.stop_gradient(tf.reduce_mean(bounds, axis=-1, keepdims=True))
        return tf.reduce_sum(probabilities * (bounds - centre), axis=-1) + tf.squeeze(centre, -1) + entropy

    def _terms(self, labelled, labels, unlabelled, *, training: bool) -> dict[str, tf.Tensor]:
        step = self.optimizer.iterations
        labelled_noise = replica_slice(tf.shape(labelled)[0], [self.latent_dim], seed=self.seed, step=step, draw=0)
        unlabelled_noise = replica_slice(tf.shape(unlabelled)[0], [self.latent_dim], seed=self.seed, step=step, draw=1)
        if self.code_model is not None:  # M1+M2: fresh draws of M1's codes while training, its means when evaluating.
            code_dim = [self.code_model.latent_dim]
            labelled_codes = replica_slice(tf.shape(labelled)[0], code_dim, seed=self.seed, step=step, draw=2) if training else None
            unlabelled_codes = replica_slice(tf.shape(unlabelled)[0], code_dim, seed=self.seed, step=step, draw=3) if training else None
            labelled, unlabelled = self.modelled_data(labelled, labelled_codes), self.modelled_data(unlabelled, unlabelled_codes)
        logits = self.classify_modelled(labelled, training=training)
        return {
            "labelled_bound": self.labelled_bound(labelled, labels, labelled_noise, training=training),
            "unlabelled_bound": self.unlabelled_bound(unlabelled, unlabelled_noise, training=training),
            "classification_loss": keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True),
            "logits": logits,
        }

    def _per_example_losses(self, terms: dict[str, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
        """Per-example losses of the labelled part, -L + alpha cross-entropy, and of the unlabelled part, -U."""
        return -terms["labelled_bound"] + self.classification_weight * terms["classification_loss"], -terms["unlabelled_bound"]

    def _update_trackers(self, terms: dict[str, tf.Tensor], labels: tf.Tensor) -> dict[str, tf.Tensor]:
        labelled, unlabelled = self._per_example_losses(terms)
        self.loss_tracker.update_state(tf.reduce_mean(labelled) + tf.reduce_mean(unlabelled))
        for tracker in (self.labelled_tracker, self.unlabelled_tracker, self.cross_entropy_tracker):
            tracker.update_state(terms[tracker.name])
        self.accuracy_tracker.update_state(labels, terms["logits"])
        return {tracker.name: tracker.result() for tracker in self.metrics}

    def train_step(self, data) -> dict[str, tf.Tensor]:
        labelled, labels, unlabelled = split_semi_supervised_batch(data, "SemiSupervisedVAE")
        with tf.GradientTape() as tape:
            terms = self._terms(labelled, labels, unlabelled, training=True)
            labelled_loss, unlabelled_loss = self._per_example_losses(terms)
            # mean(-L + alpha CE) + mean(-U), each mean over its part of the global batch.
            loss = tf.nn.compute_average_loss(labelled_loss, global_batch_size=global_batch_size(tf.shape(labelled)[0]))
            loss += tf.nn.compute_average_loss(unlabelled_loss, global_batch_size=global_batch_size(tf.shape(unlabelled)[0]))
        weights = self.trainable_weights
        self.optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        return self._update_trackers(terms, labels)

    def test_step(self, data) -> dict[str, tf.Tensor]:
        """On labelled evaluation batches `(images, labels)`: both bounds, the cross-entropy and the accuracy of q(y | x)."""
        images, labels = split_labelled_batch(data, "SemiSupervisedVAE evaluation")
        images = tf.cast(images, tf.float32)
        return self._update_trackers(self._terms(images, labels, images, training=False), labels)

    # --- Public API. ---

    def sample(self, num_images: int, *, labels: int | np.ndarray, seed: int = 0) -> np.ndarray:
        """Mean images of p(x | y, z) for prior draws z and the requested classes (through M1's decoder in M1+M2)."""
        labels = tf.constant(np.broadcast_to(np.asarray(labels, np.int32), (num_images,)))
        latents = tf.random.stateless_normal([num_images, self.latent_dim], [seed, 0])
        parameters = tf.cast(self.decoder([latents, labels], training=False), tf.float32)
        if self.code_model is None:
            return self.likelihood.mean(parameters).numpy()
        codes = tf.reshape(gaussian_location(parameters), [num_images, -1])
        return self.code_model.decode_latents(codes, None).numpy()

    # --- Experiments. ---

    @classmethod
    def from_experiment(cls, config) -> "SemiSupervisedVAE":
        """M2's three networks from a `SemiSupervisedVAEConfig` (`config.model`); on M1's codes when `code_model` names one.

        M2 on images classifies with the digit CNN; M1+M2 classifies codes with an MLP of `hidden_units`.
        """
        model = config.model
        code_model = load_model(model.code_model) if model.code_model else None
        if code_model is not None and model.likelihood != "gaussian":
            raise ValueError(f"M1+M2 models real-valued codes: set model.likelihood=gaussian. Received: likelihood={model.likelihood!r}")
        data_shape = model.image_shape if code_model is None else (1, 1, code_model.latent_dim)
        hidden = (model.hidden_units, model.hidden_units)
        parameters_per_channel = get_likelihood(model.likelihood).parameters_per_channel
        shared = dict(latent_dim=model.latent_dim, image_shape=data_shape, num_classes=model.num_classes, hidden_units=hidden)
        if code_model is None:
            classifier = digit_classifier_network(image_shape=data_shape, num_classes=model.num_classes, width=model.classifier_width)
        else:
            classifier = mlp_classifier_network(input_shape=data_shape, num_classes=model.num_classes, hidden_units=hidden)
        return cls(
            mlp_encoder(**shared),
            mlp_decoder(parameters_per_channel=parameters_per_channel, **shared),
            classifier,
            latent_dim=model.latent_dim,
            num_classes=model.num_classes,
            likelihood=model.likelihood,
            classification_weight=model.classification_weight,
            seed=config.train.seed,
            code_model=code_model,
        )

    # --- Export (the classify signatures of SemiSupervisedKind). ---

    @property
    def image_channels(self) -> int:
        network = self.classifier if self.code_model is None else self.code_model.encoder
        return int(network.inputs[0].shape[-1])

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "classifier": keras.saving.serialize_keras_object(self.classifier),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "likelihood": self.likelihood_name,
            "classification_weight": self.classification_weight,
            "seed": self.seed,
            "code_model": None if self.code_model is None else keras.saving.serialize_keras_object(self.code_model),
        }

    @classmethod
    def from_config(cls, config: dict) -> "SemiSupervisedVAE":
        config = dict(config)
        for key in ("encoder", "decoder", "classifier", "code_model"):
            config[key] = keras.saving.deserialize_keras_object(config[key]) if config.get(key) is not None else None
        return cls(**config)
