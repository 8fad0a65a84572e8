"""`GAN`: the adversarial training algorithm around a generator and a discriminator passed in."""

import keras
import tensorflow as tf

from tf_genrepair.losses import get_adversarial_loss, gradient_penalty, r1_penalty
from tf_genrepair.models.generative import GenerativeModel
from tf_genrepair.models.replica_random import global_batch_size, replica_slice
from tf_genrepair.models.weight_average import averaged_copy, check_decay, update_average
from tf_genrepair.networks import (
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)

INTERPOLATION_DRAW_OFFSET = 1000  # Keeps WGAN-GP interpolation draws apart from latent draws.
NETWORKS = ("dcgan", "mlp")


@keras.saving.register_keras_serializable(package="tf_genrepair")
class GAN(GenerativeModel, keras.Model):
    """Trains `generator` against `discriminator` with `fit()`; data are images in [0, 1].

    Real images are mapped to [-1, 1] for the discriminator (the generator ends in tanh);
    `decode_latents` maps samples back to [0, 1]. Latent codes are standard normal, drawn
    from a stateless RNG keyed by `seed` and the step counter: a run is reproducible,
    resumes with the same draws, and under `tf.distribute` each replica takes its slice
    of one global draw, so N replicas compute exactly what one device would.

    Args:
        generator: Maps `[B, latent_dim]` latents to `[B, H, W, C]` images in [-1, 1].
        discriminator: Maps images to raw scores `[B, 1]` (or a patch map).
        latent_dim: Size of the latent code.
        discriminator_steps: Discriminator updates per generator update (each with new
            latents, on the same real batch).
        simultaneous_updates: One fused step: a single generator pass, and one
            discriminator call on the reals and one on the fakes, feed both losses;
            both networks update from the same forward pass (as in the TensorFlow
            DCGAN tutorial). Otherwise updates alternate: discriminator, then generator
            on fresh latents (Goodfellow et al. 2014, Algorithm 1).
        gradient_penalty_weight: Weight of the WGAN-GP penalty (used by `wasserstein`).
        r1_weight: Weight gamma of the R1 penalty `gamma/2 ||grad D(x)||^2` on reals (0: off).
        label_smoothing: One-sided label smoothing of the real target (minimax losses).
        ema_decay: Decay of an exponential moving average of the generator weights used
            by `generate` (None: off).
        seed: Seed of the latent draws.

    Example:
        >>> gan = GAN(generator=dcgan_generator(), discriminator=dcgan_discriminator(), latent_dim=100)
        >>> gan.compile(generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        ...             discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
        >>> gan.fit(generation_dataset(load_dataset("mnist"), batch_size=256), epochs=10)
        >>> samples = gan.generate(64, seed=0)
    """

    kind = "gan"

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        latent_dim: int,
        discriminator_steps: int = 1,
        simultaneous_updates: bool = False,
        gradient_penalty_weight: float = 10.0,
        r1_weight: float = 0.0,
        label_smoothing: float = 0.0,
        ema_decay: float | None = None,
        seed: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if discriminator_steps < 1:
            raise ValueError(f"`discriminator_steps` must be >= 1. Received: discriminator_steps={discriminator_steps}")
        if simultaneous_updates and discriminator_steps != 1:
            raise ValueError(f"`simultaneous_updates` needs discriminator_steps=1. Received: discriminator_steps={discriminator_steps}")
        check_decay("ema_decay", ema_decay)
        # === Layers ===
        self.generator = generator
        self.discriminator = discriminator
        self.ema_generator = averaged_copy(generator) if ema_decay is not None else None
        self.built = True  # The networks arrive built; nothing to infer from data.
        # === Config ===
        self.latent_dim = latent_dim
        self.discriminator_steps = discriminator_steps
        self.simultaneous_updates = simultaneous_updates
        self.gradient_penalty_weight = gradient_penalty_weight
        self.r1_weight = r1_weight
        self.label_smoothing = label_smoothing
        self.ema_decay = ema_decay
        self.seed = seed
        # === Trackers ===
        self.generator_loss_tracker = keras.metrics.Mean(name="generator_loss")
        self.discriminator_loss_tracker = keras.metrics.Mean(name="discriminator_loss")
        self.real_score_tracker = keras.metrics.Mean(name="real_score")
        self.fake_score_tracker = keras.metrics.Mean(name="fake_score")
        self.discriminator_accuracy_tracker = keras.metrics.Mean(name="discriminator_accuracy")

    def compile(
        self,
        *,
        generator_optimizer: str | keras.optimizers.Optimizer = "adam",
        discriminator_optimizer: str | keras.optimizers.Optimizer = "adam",
        loss: str = "non_saturating",
        **kwargs,
    ) -> None:
        """Sets both optimizers and the adversarial loss (`minimax`, `non_saturating`, `least_squares`, `wasserstein`, `hinge`)."""
        super().compile(**kwargs)
        self.adversarial_loss = get_adversarial_loss(loss)
        self.loss_name = loss
        self.generator_optimizer = keras.optimizers.get(generator_optimizer)
        self.discriminator_optimizer = keras.optimizers.get(discriminator_optimizer)
        self.build_optimizers()  # The slots now, in the caller's strategy scope, not lazily inside a replica step.

    def get_compile_config(self) -> dict | None:
        if not self.compiled:  # An uncompiled model (e.g. built for export) saves without a compile state.
            return None
        return {
            "generator_optimizer": keras.saving.serialize_keras_object(self.generator_optimizer),
            "discriminator_optimizer": keras.saving.serialize_keras_object(self.discriminator_optimizer),
            "loss": self.loss_name,
        }

    def compile_from_config(self, config: dict) -> None:
        """Recompiles a loaded model with its saved optimizers and loss."""
        self.compile(
            generator_optimizer=keras.saving.deserialize_keras_object(config["generator_optimizer"]),
            discriminator_optimizer=keras.saving.deserialize_keras_object(config["discriminator_optimizer"]),
            loss=config["loss"],
        )

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return [
            self.generator_loss_tracker,
            self.discriminator_loss_tracker,
            self.real_score_tracker,
            self.fake_score_tracker,
            self.discriminator_accuracy_tracker,
        ]

    # --- Hooks that ConditionalGAN overrides. ---

    def unpack(self, data: tf.Tensor | tuple) -> tuple[tf.Tensor, tf.Tensor | None]:
        """Splits a batch into images and (for conditional models) labels."""
        images = data[0] if isinstance(data, (tuple, list)) else data
        return images, None

    def network_inputs(self, tensor: tf.Tensor, labels: tf.Tensor | None):
        """What the networks are called with: the latents or images, plus labels for conditional models."""
        return tensor

    # --- Network calls: outputs in float32 whatever the networks' dtype policy (e.g. mixed_bfloat16). ---

    def call_generator(self, latents: tf.Tensor, labels: tf.Tensor | None, *, training: bool, ema: bool = False) -> tf.Tensor:
        network = self.ema_generator if ema and self.ema_generator is not None else self.generator
        return tf.cast(network(self.network_inputs(latents, labels), training=training), tf.float32)

    def call_discriminator(self, images: tf.Tensor, labels: tf.Tensor | None, *, training: bool) -> tf.Tensor:
        return tf.cast(self.discriminator(self.network_inputs(images, labels), training=training), tf.float32)

    # --- Training. ---

    def call(self, latents: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        return self.generator(latents, training=training)

    def _replica_draw(self, batch: tf.Tensor, shape: list, draw: int, sampler=tf.random.stateless_normal) -> tf.Tensor:
        return replica_slice(batch, shape, seed=self.seed, step=self.generator_optimizer.iterations, draw=draw, sampler=sampler)

    def _latents(self, batch: tf.Tensor, draw: int) -> tf.Tensor:
        return self._replica_draw(batch, [self.latent_dim], draw)

    def _scores(self, real: tf.Tensor, fake: tf.Tensor, labels: tf.Tensor | None, *, training: bool):
        """Scores reals and fakes in two discriminator calls, so the generator's gradient skips the reals."""
        return self.call_discriminator(real, labels, training=training), self.call_discriminator(fake, labels, training=training)

    def adversarial_scores(self, outputs: tf.Tensor) -> tf.Tensor:
        """The real/fake scores among the discriminator's outputs (all of them, unless a subclass adds more)."""
        return outputs

    def auxiliary_discriminator_loss(self, real_outputs: tf.Tensor, labels: tf.Tensor | None) -> tf.Tensor | float:
        """A per-example loss the discriminator adds on real images (none here; `ConditionalGAN`'s class loss)."""
        return 0.0

    def auxiliary_generator_loss(self, fake_outputs: tf.Tensor, labels: tf.Tensor | None) -> tf.Tensor | float:
        """A per-example loss the generator adds on its images (none here; `ConditionalGAN`'s class loss)."""
        return 0.0

    def _discriminator_terms(self, real: tf.Tensor, fake: tf.Tensor, labels: tf.Tensor | None, draw: int, *, training: bool):
        """Per-example discriminator loss with its penalties, and the outputs it gave on reals and fakes."""
        real_outputs, fake_outputs = self._scores(real, fake, labels, training=training)
        real_scores, fake_scores = self.adversarial_scores(real_outputs), self.adversarial_scores(fake_outputs)
        per_example = self.adversarial_loss.discriminator(real_scores, fake_scores, label_smoothing=self.label_smoothing)
        per_example += self.auxiliary_discriminator_loss(real_outputs, labels)
        discriminate = lambda images: self.adversarial_scores(self.call_discriminator(images, labels, training=training))
        if self.loss_name == "wasserstein" and self.gradient_penalty_weight:
            batch = tf.shape(real)[0]
            weights = self._replica_draw(batch, [], draw + INTERPOLATION_DRAW_OFFSET, tf.random.stateless_uniform)
            per_example += self.gradient_penalty_weight * gradient_penalty(discriminate, real, fake, interpolation_weights=weights)
        if self.r1_weight:
            per_example += self.r1_weight * r1_penalty(discriminate, real)
        return per_example, real_outputs, fake_outputs

    def _generator_terms(self, fake_outputs: tf.Tensor, labels: tf.Tensor | None) -> tf.Tensor:
        """Per-example generator loss from the discriminator's outputs on the generated images."""
        return self.adversarial_loss.generator(self.adversarial_scores(fake_outputs)) + self.auxiliary_generator_loss(fake_outputs, labels)

    def _update_trackers(self, generator_loss, discriminator_loss, real_outputs, fake_outputs, labels) -> dict[str, tf.Tensor]:
        real_scores, fake_scores = self.adversarial_scores(real_outputs), self.adversarial_scores(fake_outputs)
        self.generator_loss_tracker.update_state(generator_loss)
        self.discriminator_loss_tracker.update_state(discriminator_loss)
        self.real_score_tracker.update_state(real_scores)
        self.fake_score_tracker.update_state(fake_scores)
        correct = tf.concat([tf.reshape(real_scores, [-1]) > 0, tf.reshape(fake_scores, [-1]) <= 0], axis=0)
        self.discriminator_accuracy_tracker.update_state(tf.cast(correct, tf.float32))
        return {metric.name: metric.result() for metric in self.metrics}

    def train_step(self, data: tf.Tensor | tuple) -> dict[str, tf.Tensor]:
        real, labels = self.unpack(data)
        real = 2.0 * tf.cast(real, tf.float32) - 1.0
        batch = tf.shape(real)[0]
        average = lambda per_example: tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size(batch))
        if self.simultaneous_updates:
            with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
                fake = self.call_generator(self._latents(batch, 0), labels, training=True)
                per_example, real_outputs, fake_outputs = self._discriminator_terms(real, fake, labels, 0, training=True)
                generator_per_example = self._generator_terms(fake_outputs, labels)
                discriminator_loss, generator_loss = average(per_example), average(generator_per_example)
            self._apply(self.discriminator_optimizer, discriminator_tape, discriminator_loss, self.discriminator)
            self._apply(self.generator_optimizer, generator_tape, generator_loss, self.generator)
        else:
            for step in range(self.discriminator_steps):
                fake = self.call_generator(self._latents(batch, step), labels, training=True)
                with tf.GradientTape() as tape:
                    per_example, real_outputs, fake_outputs = self._discriminator_terms(real, fake, labels, step, training=True)
                    discriminator_loss = average(per_example)
                self._apply(self.discriminator_optimizer, tape, discriminator_loss, self.discriminator)
            with tf.GradientTape() as tape:
                fake = self.call_generator(self._latents(batch, self.discriminator_steps), labels, training=True)
                generator_per_example = self._generator_terms(self.call_discriminator(fake, labels, training=True), labels)
                generator_loss = average(generator_per_example)
            self._apply(self.generator_optimizer, tape, generator_loss, self.generator)
        if self.ema_generator is not None:
            update_average(self.ema_generator, self.generator, self.ema_decay)
        return self._update_trackers(generator_per_example, per_example, real_outputs, fake_outputs, labels)

    @staticmethod
    def _apply(optimizer: keras.optimizers.Optimizer, tape: tf.GradientTape, loss: tf.Tensor, network: keras.Model) -> None:
        weights = network.trainable_weights
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))

    def test_step(self, data: tf.Tensor | tuple) -> dict[str, tf.Tensor]:
        real, labels = self.unpack(data)
        real = 2.0 * tf.cast(real, tf.float32) - 1.0
        fake = self.call_generator(self._latents(tf.shape(real)[0], 0), labels, training=False)
        per_example, real_outputs, fake_outputs = self._discriminator_terms(real, fake, labels, 0, training=False)
        generator_per_example = self._generator_terms(fake_outputs, labels)
        return self._update_trackers(generator_per_example, per_example, real_outputs, fake_outputs, labels)

    # --- Sampling. ---

    def sampling_network(self) -> keras.Model:
        """The network samples come from: the EMA generator when there is one."""
        return self.ema_generator or self.generator

    def decode_latents(self, latents: tf.Tensor, labels: tf.Tensor | None) -> tf.Tensor:
        """The sampling network's images for `latents`, mapped from its tanh range [-1, 1] to [0, 1]."""
        return (self.call_generator(latents, labels, training=False, ema=True) + 1.0) / 2.0

    # --- Experiments. ---

    @classmethod
    def from_experiment(cls, config) -> "GAN":
        """The networks and algorithm of a `GANConfig` (`config.model`); labels in both networks for kind `cgan`."""
        model = config.model
        num_classes = model.num_classes if cls.conditional else None
        shape = model.image_shape
        class_logits = bool(cls.conditional and model.class_loss_weight)
        if model.network == "dcgan":
            generator = dcgan_generator(latent_dim=model.latent_dim, image_shape=shape, base_filters=model.base_filters, num_classes=num_classes)
            discriminator = dcgan_discriminator(
                image_shape=shape, base_filters=model.base_filters, dropout=model.dropout, stages=model.discriminator_stages,
                num_classes=num_classes, class_logits=class_logits,
            )
        elif model.network == "mlp" and class_logits:
            raise ValueError(f"model.class_loss_weight={model.class_loss_weight} needs network dcgan; the mlp discriminator has no class logits.")
        elif model.network == "mlp":
            hidden = (model.hidden_units, model.hidden_units)
            generator = mlp_generator(latent_dim=model.latent_dim, image_shape=shape, hidden_units=hidden, num_classes=num_classes)
            discriminator = mlp_discriminator(image_shape=shape, hidden_units=hidden, num_classes=num_classes)
        else:
            raise ValueError(f"Unknown GAN network {model.network!r}. Valid networks: {', '.join(NETWORKS)}")
        options = dict(
            latent_dim=model.latent_dim,
            discriminator_steps=model.discriminator_steps,
            simultaneous_updates=model.simultaneous_updates,
            gradient_penalty_weight=model.gradient_penalty_weight,
            r1_weight=model.r1_weight,
            label_smoothing=model.label_smoothing,
            ema_decay=model.ema_decay,
            seed=config.train.seed,
        )
        if cls.conditional:
            options.update(num_classes=model.num_classes, class_loss_weight=model.class_loss_weight)
        return cls(generator=generator, discriminator=discriminator, **options)

    @classmethod
    def experiment_datasets(cls, config) -> tuple[tf.data.Dataset, None]:
        """Real batches; a GAN has no held-out loss worth tracking (sample quality is the collapse guard's)."""
        return cls.generation_training_data(config), None

    def optimizer_variables(self) -> dict[str, list]:
        return {"generator_optimizer": self.generator.trainable_variables, "discriminator_optimizer": self.discriminator.trainable_variables}

    def compile_for_experiment(self, config, *, total_steps: int) -> None:
        """Adam at a constant rate (`config.train`) for both networks and the configured adversarial loss."""
        train = config.train
        self.compile(
            generator_optimizer=keras.optimizers.Adam(train.learning_rate, beta_1=train.beta_1),
            discriminator_optimizer=keras.optimizers.Adam(train.learning_rate, beta_1=train.beta_1),
            loss=config.model.adversarial_loss,
            jit_compile=train.jit_compile,
            steps_per_execution=train.steps_per_execution,
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "discriminator_steps": self.discriminator_steps,
            "simultaneous_updates": self.simultaneous_updates,
            "gradient_penalty_weight": self.gradient_penalty_weight,
            "r1_weight": self.r1_weight,
            "label_smoothing": self.label_smoothing,
            "ema_decay": self.ema_decay,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict) -> "GAN":
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
