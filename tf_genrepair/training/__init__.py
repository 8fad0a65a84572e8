"""Training: `train_and_evaluate`, its callbacks, resumable checkpoints, distribution strategies and precision."""

from tf_genrepair.training.train import train_and_evaluate

__all__ = ["train_and_evaluate"]
