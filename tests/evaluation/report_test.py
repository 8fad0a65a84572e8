"""summarize(): the headline aggregations, on hand-made rows with answers worked out by hand."""

import pytest

from tf_genrepair.evaluation.report import per_corruption_markdown, summarize

CLEAN = {"clean": 0.9, "augmented": 0.88}
# (classifier, corruption, family, method, kind, accuracy, recovered), all at severity 3.
TABLE = [
    ("clean", "box", "missing_values", "damaged", "damaged", 0.50, 0.0),
    ("clean", "box", "missing_values", "unet", "restorer", 0.80, 0.75),  # (0.80 - 0.50) / (0.90 - 0.50)
    ("clean", "box", "missing_values", "median", "classical", 0.70, 0.5),
    ("clean", "jpeg", "damage", "damaged", "damaged", 0.80, 0.0),
    ("clean", "jpeg", "damage", "unet", "restorer", 0.85, 0.5),  # (0.85 - 0.80) / (0.90 - 0.80)
    ("clean", "jpeg", "damage", "median", "classical", 0.88, 0.8),
    ("augmented", "box", "missing_values", "damaged", "damaged", 0.75, 0.0),
    ("augmented", "box", "missing_values", "unet", "restorer", 0.80, None),
    ("augmented", "jpeg", "damage", "damaged", "damaged", 0.86, 0.0),
    ("augmented", "jpeg", "damage", "unet", "restorer", 0.86, None),
]


@pytest.fixture
def report() -> dict:
    rows = [
        dict(classifier=c, corruption=n, family=f, method=m, kind=k, accuracy=a, accuracy_recovered=r, severity=3, clean_accuracy=CLEAN[c], psnr=20.0)
        for c, n, f, m, k, a, r in TABLE
    ]
    return {"clean_accuracy": CLEAN, "rows": rows}


def test_mean_and_pooled_recovery(report):
    unet = summarize(report)["methods"][3]["unet"]
    assert unet["corruptions"] == 2 and unet["accuracy"] == pytest.approx(0.825)
    assert unet["recovered_mean"] == pytest.approx((0.75 + 0.5) / 2)
    assert unet["recovered_pooled"] == pytest.approx((0.30 + 0.05) / (0.40 + 0.10))  # Regained over lost, summed first.
    assert summarize(report, corruptions=["jpeg"])["methods"][3]["unet"]["recovered_pooled"] == pytest.approx(0.5)


def test_wins_against_classical_baselines_per_family(report):
    families = summarize(report)["versus_classical"]["unet"]
    assert families["missing_values"] == {"pairs": 1, "wins": 1, "losses": []}
    assert families["damage"] == {"pairs": 1, "wins": 0, "losses": ["jpeg@3 vs median"]}


def test_gap_to_the_augmented_classifier(report):
    versus = summarize(report, augmented_classifier="augmented")["versus_augmentation"][3]
    assert versus["mean_accuracy"]["augmented + damaged"] == pytest.approx(0.805)
    gap = versus["per_restorer"]["unet"]
    assert gap["restoration_wins"] == ["box"] and gap["augmentation_wins"] == ["jpeg"]
    assert gap["gap_points"] == pytest.approx(100 * (0.825 - 0.805))


def test_per_corruption_table_names_the_best_baseline(report):
    lines = per_corruption_markdown(report, augmented_classifier="augmented").splitlines()
    assert "| clean + damaged | clean + unet | augmented + damaged | augmented + unet | best classical |" in lines[2]
    assert lines[4] == "| box | 3 | 0.5000 | 0.8000 | 0.7500 | 0.8000 | median 0.7000 |"
    assert lines[5] == "| jpeg | 3 | 0.8000 | 0.8500 | 0.8600 | 0.8600 | median 0.8800 |"
    assert len(per_corruption_markdown(report, corruptions=["jpeg"]).splitlines()) == 5
