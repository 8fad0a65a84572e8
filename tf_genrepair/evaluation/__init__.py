"""Evaluation: recognition accuracy under damage and after restoration, the recognition study, generated data
for few-label training, and every report it writes."""

from tf_genrepair.evaluation.leave_one_family_out import evaluate_leave_one_family_out
from tf_genrepair.evaluation.recognition_gain import (
    evaluate_external,
    evaluate_recognition_gain,
)
from tf_genrepair.evaluation.study import run_study

__all__ = ["evaluate_external", "evaluate_leave_one_family_out", "evaluate_recognition_gain", "run_study"]
