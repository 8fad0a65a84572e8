"""Runs one training step on 1 device and under MirroredStrategy on 2 logical CPUs; prints the differences.

Run as a subprocess (logical devices must be configured before TensorFlow starts):
    python tests/training/distributed_step.py gan
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tf_genrepair.models import (  # noqa: E402
    GAN,
    VAE,
    Classifier,
    ConditionalGAN,
    ConditionalVAE,
    Restorer,
    SemiSupervisedGAN,
    SemiSupervisedVAE,
)
from tf_genrepair.networks import (  # noqa: E402
    conv_decoder,
    conv_encoder,
    dcgan_discriminator,
    dcgan_generator,
    digit_classifier_network,
    feature_matching_generator,
    inpainting_unet,
    k_plus_one_discriminator,
    mlp_decoder,
    mlp_discriminator,
    mlp_encoder,
    mlp_generator,
    patch_discriminator,
)
from tf_genrepair.training.distribute import make_strategy  # noqa: E402

GLOBAL_BATCH = 8


def sgd() -> keras.optimizers.Optimizer:
    """Plain SGD: Adam's first step is about sign(gradient), which turns float rounding in
    near-zero gradients into full-size differences and would hide what this checks."""
    return keras.optimizers.SGD(learning_rate=0.1)


def build(kind: str) -> keras.Model:
    keras.utils.set_random_seed(0)
    if kind == "gan":
        model = GAN(generator=mlp_generator(latent_dim=8), discriminator=mlp_discriminator(), latent_dim=8, ema_decay=0.9)
        model.compile(generator_optimizer=sgd(), discriminator_optimizer=sgd(), loss="wasserstein")
    elif kind == "cgan":
        model = ConditionalGAN(
            generator=dcgan_generator(latent_dim=8, base_filters=4, num_classes=10),
            discriminator=dcgan_discriminator(base_filters=4, dropout=0.0, num_classes=10),
            latent_dim=8,
            num_classes=10,
            simultaneous_updates=True,
        )
        model.compile(generator_optimizer=sgd(), discriminator_optimizer=sgd(), loss="non_saturating")
    elif kind == "vae":
        model = VAE(mlp_encoder(latent_dim=4, hidden_units=(16,)), mlp_decoder(latent_dim=4, hidden_units=(16,)), latent_dim=4,
                    objective="iwae", num_samples=3)
        model.compile(optimizer=sgd())
    elif kind == "cvae":
        model = ConditionalVAE(
            conv_encoder(latent_dim=4, base_filters=4, num_classes=10),
            conv_decoder(latent_dim=4, base_filters=4, num_classes=10),
            latent_dim=4,
            num_classes=10,
        )
        model.compile(optimizer=sgd())
    elif kind == "ssvae":
        model = SemiSupervisedVAE(
            mlp_encoder(latent_dim=4, hidden_units=(16,), num_classes=10),
            mlp_decoder(latent_dim=4, hidden_units=(16,), num_classes=10),
            digit_classifier_network(width=4, feature_dim=8, dropout=0.0),
            latent_dim=4,
            num_classes=10,
            classification_weight=2.0,
        )
        model.compile(optimizer=sgd())
    elif kind == "ssgan":  # No Gaussian noise layers: each replica would draw its own.
        model = SemiSupervisedGAN(
            feature_matching_generator(latent_dim=4, hidden_units=(16,)),
            k_plus_one_discriminator(hidden_units=(16, 8), input_noise=0.0, hidden_noise=0.0),
            latent_dim=4,
            num_classes=10,
        )
        model.compile(generator_optimizer=sgd(), discriminator_optimizer=sgd())
    elif kind == "restorer":  # Every loss term: reconstruction, adversarial and recognition.
        model = Restorer(
            inpainting_unet(base_filters=4, levels=1),
            reconstruction="l1:1,ssim:0.2",
            hole_weight=3.0,
            discriminator=patch_discriminator(base_filters=4, layers=1),
            adversarial_weight=0.1,
            classifier=Classifier(network=digit_classifier_network(width=4, feature_dim=8, dropout=0.0)),
            recognition_weight=0.1,
        )
        model.compile(optimizer=sgd(), discriminator_optimizer=sgd())
    else:
        model = Classifier(network=digit_classifier_network(width=4, feature_dim=8, dropout=0.0))
        model.compile(optimizer=sgd())
    return model


def one_step(kind: str, strategy: tf.distribute.Strategy, data: tuple) -> tuple[list[np.ndarray], dict]:
    with strategy.scope():
        model = build(kind)
    if kind == "restorer":
        images, labels = data
        mask = (np.random.default_rng(1).random(images.shape[:3] + (1,)) > 0.3).astype(np.float32)
        data = ((images * mask, mask), (images, labels))
    if kind in ("ssvae", "ssgan"):  # Half the batch labelled, half unlabelled (each split across the replicas).
        images, labels = data
        half = len(images) // 2
        data = ((images[:half], labels[:half]), images[half:])
    dataset = tf.data.Dataset.from_tensors(data[0] if kind in ("gan", "vae") else data)
    history = model.fit(dataset, epochs=1, verbose=0)
    return [np.asarray(weight) for weight in model.weights], {key: values[-1] for key, values in history.history.items()}


def main() -> None:
    kind = sys.argv[1]
    mirrored = make_strategy("mirrored", num_cpu_devices=2)
    rng = np.random.default_rng(0)
    data = (rng.random((GLOBAL_BATCH, 28, 28, 1)).astype(np.float32), rng.integers(0, 10, GLOBAL_BATCH))
    single_weights, single_logs = one_step(kind, tf.distribute.OneDeviceStrategy("/cpu:0"), data)
    mirrored_weights, mirrored_logs = one_step(kind, mirrored, data)
    relative = max(
        float(np.max(np.abs(a - b)) / (np.max(np.abs(a)) + 1e-12)) for a, b in zip(single_weights, mirrored_weights)
    )
    changed = max(float(np.max(np.abs(a - b))) for a, b in zip(single_weights, [np.asarray(w) for w in build(kind).weights]))
    print(
        json.dumps(
            {
                "replicas": mirrored.num_replicas_in_sync,
                "max_relative_weight_difference": relative,
                "weights_changed_by_step": changed,
                "single_logs": single_logs,
                "mirrored_logs": mirrored_logs,
            }
        )
    )


if __name__ == "__main__":
    main()
