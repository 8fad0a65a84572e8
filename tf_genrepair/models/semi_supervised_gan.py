"""`SemiSupervisedGAN`: Salimans et al. (2016)'s K+1-class discriminator, which is the classifier, with feature matching."""

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.data import binarize_once, load_arrays
from tf_genrepair.losses import feature_matching_loss, k_plus_one_unsupervised_loss
from tf_genrepair.models.kind import experiment_learning_rate
from tf_genrepair.models.labels import split_labelled_batch
from tf_genrepair.models.replica_random import global_batch_size, replica_slice
from tf_genrepair.models.semi_supervised_kind import SemiSupervisedKind, split_semi_supervised_batch
from tf_genrepair.models.weight_average import averaged_copy, check_decay, update_average
from tf_genrepair.networks import feature_matching_generator, k_plus_one_discriminator
from tf_genrepair.networks.layers import initialize_weight_norm

INITIALIZATION_IMAGES = 500  # Training images the weight-normalised layers start from.


@keras.saving.register_keras_serializable(package="tf_genrepair")
class SemiSupervisedGAN(SemiSupervisedKind, keras.Model):
    """A GAN whose discriminator also classifies: K class logits and a fake class whose logit is fixed at 0.

    Discriminator loss per step: the cross-entropy of the labelled images' classes (softmax over
    the K logits) plus `unsupervised_weight` times -log D(x) - log(1 - D(G(z))) on unlabelled and
    generated images, with D(x) = sigmoid(logsumexp(logits)). Generator loss: feature matching,
    ||mean f(x) - mean f(G(z))||^2 on the discriminator's last hidden layer. Both updates use the
    same forward pass (one step, two tapes; labelled, unlabelled and generated images go through the
    discriminator as one batch). `model(images)` is the discriminator's class logits: the classifier;
    with `average_decay`, it is a moving average of the discriminator's weights (Polyak averaging,
    as Salimans et al. evaluate), which evaluation and export use too.

    Args:
        generator: Latents `[B, latent_dim]` to images in [0, 1].
        discriminator: Images to `[class_logits [B, K], features [B, F]]` (`k_plus_one_discriminator`).
        latent_dim: Size of the generator's uniform latent code.
        num_classes: K.
        unsupervised_weight: Weight of the real/fake term in the discriminator loss (Salimans et al.: 0.5).
        average_decay: Decay of the moving average of the discriminator's weights that classifies, or
            None to classify with the trained weights themselves.
        seed: Seed of the latent draws.

    Example:
        >>> model = SemiSupervisedGAN(feature_matching_generator(), k_plus_one_discriminator(), latent_dim=100, num_classes=10)
        >>> model.compile(generator_optimizer=keras.optimizers.Adam(3e-3, beta_1=0.5),
        ...               discriminator_optimizer=keras.optimizers.Adam(3e-3, beta_1=0.5))
        >>> model.fit(semi_supervised_dataset(load_dataset("mnist"), num_labels=100, labelled_batch_size=100,
        ...                                   unlabelled_batch_size=100), steps_per_epoch=600, epochs=100)
    """

    kind = "ssgan"

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        latent_dim: int,
        num_classes: int,
        unsupervised_weight: float = 1.0,
        average_decay: float | None = None,
        seed: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if unsupervised_weight < 0:
            raise ValueError(f"`unsupervised_weight` must be >= 0. Received: unsupervised_weight={unsupervised_weight}")
        check_decay("average_decay", average_decay)
        # === Layers ===
        self.generator = generator
        self.discriminator = discriminator
        self.average_discriminator = averaged_copy(discriminator) if average_decay is not None else None
        self.built = True  # The networks arrive built.
        # === Config ===
        self.latent_dim = latent_dim
        self.num_classes = num_classes
        self.unsupervised_weight = unsupervised_weight
        self.average_decay = average_decay
        self.seed = seed
        # === Trackers ===
        self.supervised_tracker = keras.metrics.Mean(name="classification_loss")
        self.unsupervised_tracker = keras.metrics.Mean(name="unsupervised_loss")
        self.feature_matching_tracker = keras.metrics.Mean(name="feature_matching_loss")
        self.accuracy_tracker = keras.metrics.SparseCategoricalAccuracy(name="accuracy")

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return [self.supervised_tracker, self.unsupervised_tracker, self.feature_matching_tracker, self.accuracy_tracker]

    def compile(self, *, generator_optimizer="adam", discriminator_optimizer="adam", **kwargs) -> None:
        """Named optimizers for the two players."""
        super().compile(**kwargs)
        self.generator_optimizer = keras.optimizers.get(generator_optimizer)
        self.discriminator_optimizer = keras.optimizers.get(discriminator_optimizer)
        self.build_optimizers()  # The slots now, in the caller's strategy scope, not lazily inside a replica step.

    def get_compile_config(self) -> dict | None:
        if not self.compiled:
            return None
        return {
            "generator_optimizer": keras.saving.serialize_keras_object(self.generator_optimizer),
            "discriminator_optimizer": keras.saving.serialize_keras_object(self.discriminator_optimizer),
        }

    def compile_from_config(self, config: dict) -> None:
        """Recompiles a loaded model with its saved optimizers."""
        self.compile(**{name: keras.saving.deserialize_keras_object(value) for name, value in config.items()})

    def optimizer_variables(self) -> dict[str, list]:
        return {"generator_optimizer": self.generator.trainable_variables, "discriminator_optimizer": self.discriminator.trainable_variables}

    def call(self, images: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        """The classifying discriminator's K class logits (the averaged one when there is one)."""
        classifier = self.average_discriminator or self.discriminator
        return tf.cast(classifier(images, training=training)[0], tf.float32)

    def _latents(self, batch: tf.Tensor) -> tf.Tensor:
        step = self.discriminator_optimizer.iterations
        return replica_slice(batch, [self.latent_dim], seed=self.seed, step=step, draw=0, sampler=tf.random.stateless_uniform)

    def train_step(self, data) -> dict[str, tf.Tensor]:
        labelled, labels, unlabelled = split_semi_supervised_batch(data, "SemiSupervisedGAN")
        labelled_batch, unlabelled_batch = tf.shape(labelled)[0], tf.shape(unlabelled)[0]
        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
            fakes = self.generator(self._latents(unlabelled_batch), training=True)
            images = tf.concat([tf.cast(labelled, fakes.dtype), tf.cast(unlabelled, fakes.dtype), fakes], axis=0)
            logits, features = (tf.cast(part, tf.float32) for part in self.discriminator(images, training=True))
            sizes = [labelled_batch, unlabelled_batch, unlabelled_batch]
            labelled_logits, real_logits, fake_logits = tf.split(logits, sizes)
            _, real_features, fake_features = tf.split(features, sizes)
            supervised = keras.losses.sparse_categorical_crossentropy(labels, labelled_logits, from_logits=True)
            unsupervised = k_plus_one_unsupervised_loss(real_logits, fake_logits)
            discriminator_loss = tf.nn.compute_average_loss(supervised, global_batch_size=global_batch_size(labelled_batch))
            discriminator_loss += self.unsupervised_weight * tf.nn.compute_average_loss(unsupervised, global_batch_size=global_batch_size(unlabelled_batch))
            matching = feature_matching_loss(real_features, fake_features, global_batch_size=global_batch_size(unlabelled_batch))
        self.discriminator_optimizer.apply_gradients(
            zip(discriminator_tape.gradient(discriminator_loss, self.discriminator.trainable_variables), self.discriminator.trainable_variables)
        )
        self.generator_optimizer.apply_gradients(zip(generator_tape.gradient(matching, self.generator.trainable_variables), self.generator.trainable_variables))
        if self.average_discriminator is not None:
            update_average(self.average_discriminator, self.discriminator, self.average_decay)
        self.supervised_tracker.update_state(supervised)
        self.unsupervised_tracker.update_state(unsupervised)
        self.feature_matching_tracker.update_state(matching)
        self.accuracy_tracker.update_state(labels, labelled_logits)
        return {tracker.name: tracker.result() for tracker in self.metrics}

    def test_step(self, data) -> dict[str, tf.Tensor]:
        """On labelled evaluation batches `(images, labels)`: the classifier's cross-entropy and accuracy."""
        images, labels = split_labelled_batch(data, "SemiSupervisedGAN evaluation")
        logits = self(tf.cast(images, tf.float32), training=False)
        self.supervised_tracker.update_state(keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))
        self.accuracy_tracker.update_state(labels, logits)
        return {tracker.name: tracker.result() for tracker in (self.supervised_tracker, self.accuracy_tracker)}

    # --- Public API. ---

    def generate(self, num_images: int, *, seed: int = 0) -> np.ndarray:
        """Generated images in [0, 1] from uniform latents (unconditional, like `GenerativeModel.generate`)."""
        latents = tf.random.stateless_uniform([num_images, self.latent_dim], [seed, 0])
        return tf.cast(self.generator(latents, training=False), tf.float32).numpy()

    # --- Experiments. ---

    @classmethod
    def from_experiment(cls, config) -> "SemiSupervisedGAN":
        """Salimans et al.'s MNIST networks from a `SemiSupervisedGANConfig` (`config.model`).

        With weight norm, the discriminator's layers start from data (`initialize_weight_norm` on the
        first 500 images of the training split), as Salimans et al. do.
        """
        model = config.model
        generator = feature_matching_generator(
            latent_dim=model.latent_dim, image_shape=model.image_shape, hidden_units=model.generator_units, weight_norm=model.weight_norm
        )
        discriminator = k_plus_one_discriminator(
            image_shape=model.image_shape,
            num_classes=model.num_classes,
            hidden_units=model.discriminator_units,
            input_noise=model.input_noise,
            hidden_noise=model.hidden_noise,
            weight_norm=model.weight_norm,
        )
        if model.weight_norm:
            images = load_arrays(config.data.name, split=config.data.train_split)[0][:INITIALIZATION_IMAGES]
            initialize_weight_norm(discriminator, binarize_once(images, seed=config.train.seed) if config.data.binarize else images)
        return cls(
            generator,
            discriminator,
            latent_dim=model.latent_dim,
            num_classes=model.num_classes,
            unsupervised_weight=model.unsupervised_weight,
            average_decay=model.average_decay,
            seed=config.train.seed,
        )

    def compile_for_experiment(self, config, *, total_steps: int) -> None:
        """Adam (beta_1 from `config.train`) for both players, the learning rate annealed over the run."""
        train = config.train
        self.compile(
            generator_optimizer=keras.optimizers.Adam(experiment_learning_rate(train, total_steps), beta_1=train.beta_1),
            discriminator_optimizer=keras.optimizers.Adam(experiment_learning_rate(train, total_steps), beta_1=train.beta_1),
            jit_compile=train.jit_compile,
            steps_per_execution=train.steps_per_execution,
        )

    # --- Export (the classify signatures of SemiSupervisedKind). ---

    @property
    def image_channels(self) -> int:
        return int(self.discriminator.inputs[0].shape[-1])

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "unsupervised_weight": self.unsupervised_weight,
            "average_decay": self.average_decay,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict) -> "SemiSupervisedGAN":
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
