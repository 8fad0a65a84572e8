"""Random draws that come out the same on 1 device and on N replicas."""

import tensorflow as tf


def replica_slice(batch: tf.Tensor, shape: list, *, seed: int, step: tf.Tensor, draw: int, sampler=tf.random.stateless_normal) -> tf.Tensor:
    """This replica's rows `[batch, *shape]` of one global draw keyed by `(seed, step, draw)`.

    Every replica draws the whole global batch and keeps its own rows, so N replicas see
    exactly the numbers one device would, and a resumed run repeats the same draws.

    Args:
        batch: The per-replica batch size.
        shape: Shape of one example's draw, e.g. `[latent_dim]`.
        seed: The model's seed.
        step: A step counter (e.g. an optimizer's `iterations`).
        draw: Which draw of the step (keeps several draws in one step apart).
        sampler: A `tf.random.stateless_*` function.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    context = tf.distribute.get_replica_context()
    replica = tf.cast(context.replica_id_in_sync_group, tf.int32) if context is not None else 0
    key = tf.random.experimental.stateless_fold_in(tf.stack([tf.constant(seed, tf.int64), tf.cast(step, tf.int64)]), draw)
    global_draw = sampler(tf.concat([[batch * replicas], tf.constant(shape, tf.int32)], axis=0), key)
    return global_draw[replica * batch : (replica + 1) * batch]


def global_batch_size(batch: tf.Tensor) -> tf.Tensor:
    """The global batch size, from one replica's batch size."""
    return batch * tf.distribute.get_strategy().num_replicas_in_sync
