"""The model card (``MODEL_CARD.md``) written beside each risk model, from its manifest."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.errors import Errors
from assistant.risk.fit import CalibrationBin
from assistant.risk.model import PLOT_FILE
from assistant.risk.schema import Comparison, ModelManifest, RemittancePeriod
from assistant.risk.simulate import assumptions_table


def _card_remittances(period: RemittancePeriod | None) -> str:
    """The period and size of remittance-labelled data, and the lines that gave no row."""
    if period is None:
        return ""
    excluded = sum(period.lines_excluded.values())
    reasons = ", ".join(
        f"{n} {reason.replace('_', ' ')}" for reason, n in period.lines_excluded.items() if n
    )
    return (
        f"\nLabels come from imported X12 835 remittances matched to checks stored before "
        f"billing: dates of service **{period.first_service} to {period.last_service}**, "
        f"{period.lines_used} remitted lines summed up per claim. {excluded} remitted lines "
        f"gave no row ({reasons or 'none'}). The most recent month, **{period.held_out_month}**, "
        "is held out: the model is fitted on the earlier months and measured on it.\n"
    )


def _card_training(manifest: ModelManifest) -> str:
    data = manifest.training_data
    if not data.simulated:
        return (
            f"Trained on {data.rows} labelled checks from `{data.source}` "
            f"(sha256 `{data.sha256}`), {data.positives} of them denied or partially paid.\n"
            + _card_remittances(data.remittances)
        )
    lines = [
        f"**This model was not trained on real remittance data.** It was trained on {data.rows} "
        f"scenarios drawn by the outcome simulator (`{data.source}`, rows sha256 "
        f"`{data.sha256}`), whose assumptions come from published audit and denial figures "
        "(OIG and SMRC audit reports) where such figures exist and are labelled assumptions "
        "everywhere else. Its job is a sensible prior: problems the checker finds raise the "
        "score, frequency and coding edits more than documentation gaps (which deny only when "
        "a records review happens). Replace it with a model trained on the practice's own "
        "outcomes (`chartready train --outcomes OUTCOMES.csv`).",
        "",
        "The held-out metrics below measure how well the model fits the simulator, "
        "not how well it predicts real denials.",
        "",
        "| Simulator parameter | Value | Source |",
        "|---|---|---|",
    ]
    lines += [f"| `{p}` | {v:g} | {s} |" for p, v, s in assumptions_table()]
    return "\n".join(lines) + "\n"


def _held_out_heading(manifest: ModelManifest) -> str:
    period = manifest.training_data.remittances
    if period is not None:
        return f"Held-out month {period.held_out_month} (model fitted on the earlier months)"
    return "Held-out evaluation (stratified split; model fitted on the other part)"


def _card_comparison(comparison: Comparison | None, version: str) -> str:
    """Which model won the held-out comparison, and what happened to ``ACTIVE``."""
    if comparison is None:
        return ""
    c = comparison
    if c.active_version is None or c.active_log_loss is None:
        verdict = (
            f"No active model could be scored ({c.active_problem}); this model was made active."
        )
    elif c.winner == "new":
        verdict = (
            f"**This model won**: its log loss on {c.held_out} ({c.new_log_loss:.4f}) beats the "
            f"active model `{c.active_version}` ({c.active_log_loss:.4f}) on the same claims, "
            "so it was made active."
        )
    else:
        verdict = (
            f"**The active model `{c.active_version}` won**: its log loss on {c.held_out} "
            f"({c.active_log_loss:.4f}) is not beaten by this model's ({c.new_log_loss:.4f}), "
            f"so `ACTIVE` was left alone (`chartready models use {version}` overrides)."
        )
    return f"\n## Activation (held-out log loss against the active model)\n{verdict}\n"


def model_card(manifest: ModelManifest, bins: Sequence[CalibrationBin]) -> str:
    """Markdown model card from the manifest and the held-out reliability bins."""
    m = manifest.metrics
    coef = "\n".join(f"| `{name}` | {w:+.3f} |" for name, w in manifest.coefficients.items())
    reliability = "\n".join(
        f"| {b.lower:.1f}-{b.upper:.1f} | {b.count} | {b.mean_predicted:.3f} | {b.observed:.3f} |"
        for b in bins
    )
    return f"""# Risk model `{manifest.version}`

Predicts the probability that a checked pain-management claim is **not paid in full**
(remittance outcome `denied` or `partial`), from the checker's findings (severity x status),
procedure family, payer group, verdict, and claim charge. Each score is explained by
additive factors on the logit scale (intercept = `baseline`).

## Model
- scikit-learn {manifest.sklearn_version} `LogisticRegression` (L2, C={m.c:g} chosen by
  cross-validated log loss); numpy {manifest.numpy_version}.
- Features: `{manifest.features_version}` ({len(manifest.features)} features, see
  `manifest.json`). No post-hoc calibrator: a Platt/isotonic step would make the factors stop
  adding up to the score, so calibration is measured on held-out data instead.

## Training data
{_card_training(manifest)}
## {_held_out_heading(manifest)}
| metric | value |
|---|---|
| rows (train / test) | {m.n_train} / {m.n_test} |
| positive rate (test) | {m.base_rate_test:.3f} |
| ROC AUC | {m.roc_auc:.3f} |
| Brier score | {m.brier:.4f} (base-rate forecast: {m.brier_base_rate:.4f}) |
| log loss | {m.log_loss:.4f} |
| expected calibration error | {m.expected_calibration_error:.4f} |

Reliability (see `{PLOT_FILE}`):

| predicted bin | n | mean predicted | observed |
|---|---|---|---|
{reliability}
{_card_comparison(manifest.comparison, manifest.version)}
## Coefficients (logit per unit of feature; finding counts enter as log2(1 + n))
| feature | weight |
|---|---|
| intercept (`baseline`) | {manifest.intercept:+.3f} |
{coef}

## Intended use and limits
- Ranks and prioritises notes for review before billing; it does not decide coverage.
- Outcomes that no note can explain (eligibility, timely filing) are noise for this model.
- A model trained on one practice reflects that practice's payers and coders; retrain when
  the checklists (findings) or payer mix change. Loading under another scikit-learn version
  is refused (error {Errors.E302.code}): retrain instead.
"""
