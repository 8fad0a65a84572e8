"""Saves a before/after picture: a few images clean, damaged and restored by each named restorer.

    python benchmarks/before_after.py --data=cifar10 --split='train[98%:]' --num_images=10 --corruption=motion_blur --severity=3 \
        --restorer=cross_entropy=workdirs/restore_cifar10_recognition_ce_control/model.keras \
        --restorer=distillation=workdirs/restore_cifar10_recognition_distill_t4/model.keras \
        --output=docs/images/recognition_cifar10_before_after_distillation_motion_blur.png
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tf_genrepair.data import load_arrays  # noqa: E402
from tf_genrepair.evaluation.report import save_before_after  # noqa: E402
from tf_genrepair.models import load_model  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.restorers import named_paths  # noqa: E402


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="cifar10", help="Dataset name for load_arrays (mnist, cifar10, ...).")
    parser.add_argument("--split", default="train[98%:]", help="Images to show (default: CIFAR-10's validation images, not the test set).")
    parser.add_argument("--num_images", type=int, default=10)
    parser.add_argument("--corruption", required=True)
    parser.add_argument("--severity", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0, help="Damage seed.")
    parser.add_argument("--restorer", action="append", required=True, help="name=path of a Restorer .keras file; repeat to compare.")
    parser.add_argument("--output", required=True, help="The PNG to write.")
    arguments = parser.parse_args(argv)
    images, _ = load_arrays(arguments.data, split=arguments.split)
    restorers = {name: load_model(path).restore for name, path in named_paths(arguments.restorer).items()}
    path = save_before_after(images[: arguments.num_images], arguments.corruption, arguments.severity, restorers, arguments.output, seed=arguments.seed)
    print(path)
    return path


if __name__ == "__main__":
    main()
