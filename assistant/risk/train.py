"""Fit, evaluate and save a risk model from labelled checks.

Label: a claim that was not paid in full (``denied`` or ``partial``) is positive. The model
is a plain L2 logistic regression; its strength ``C`` is chosen by cross-validated log loss
on the training split, which rewards calibrated probabilities. ROC AUC, Brier score, log
loss and a reliability table/plot are measured on a stratified held-out split, and the model
fitted on the training split is the one saved, so the reported numbers describe it.
"""

from __future__ import annotations

import csv
import hashlib
import inspect
import io
import json
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pydantic import BaseModel, ValidationError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from assistant.errors import ChartReadyError
from assistant.risk.features import (
    RiskInput,
    build_space,
    design_matrix,
    feature_config,
    format_validation_error,
    risk_input_from_check,
)
from assistant.risk.model import (
    RiskModel,
    new_version_name,
    save_model,
    set_active,
    validate_version_name,
)
from assistant.risk.schema import (
    FeatureConfig,
    Metrics,
    ModelManifest,
    Outcome,
    TrainingData,
    TrainingLimits,
)
from assistant.risk.simulate import SimulatedCase, assumptions_table

POSITIVE: tuple[Outcome, ...] = ("denied", "partial")
OUTCOMES: tuple[Outcome, ...] = ("paid", "denied", "partial")
PLOT_FILE = "calibration.png"
Array = np.ndarray[Any, np.dtype[np.float64]]


class TrainingDataError(ChartReadyError):
    """Training data are unreadable, too few, or one-class."""

    code = "E303"


class CheckerUnavailableError(ChartReadyError):
    """Training from notes needs the findings engine (``assistant.checks``)."""

    code = "E304"


@dataclass(frozen=True)
class TrainingRow:
    """One labelled check: what the model sees and what happened to the claim."""

    input: RiskInput
    outcome: Outcome
    carc: tuple[str, ...] = ()
    rarc: tuple[str, ...] = ()
    paid_amount: float | None = None


@dataclass(frozen=True)
class OutcomeRow:
    """One row of an outcomes CSV before the checker has run on its note."""

    row: int
    note_id: str
    text: str
    claim: dict[str, Any] | None
    payer: str | None
    outcome: Outcome
    carc: tuple[str, ...] = ()
    rarc: tuple[str, ...] = ()
    paid_amount: float | None = None


@dataclass(frozen=True)
class CalibrationBin:
    """One reliability bin: mean predicted probability vs observed positive rate."""

    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed: float


@dataclass
class TrainResult:
    """A fitted model with its manifest, held-out reliability and rendered artifacts."""

    estimator: LogisticRegression
    manifest: ModelManifest
    bins: list[CalibrationBin]
    card: str
    plot_png: bytes
    path: Path | None = None
    notes: list[str] = field(default_factory=list)

    def as_model(self) -> RiskModel:
        """The fitted model, usable with ``score_risk`` without saving it."""
        return RiskModel(self.manifest.version, self.estimator, self.manifest, self.path)


def label(outcome: Outcome) -> int:
    """1 when the claim was not paid in full (denied or partial)."""
    return int(outcome in POSITIVE)


def check_trainable(y: Array, limits: TrainingLimits) -> None:
    """Refuse, with the reason, data too few or too one-sided to fit and evaluate."""
    n = len(y)
    positives = int(y.sum())
    negatives = n - positives
    if positives == 0 or negatives == 0:
        which = "paid" if negatives else "denied/partial"
        raise TrainingDataError(
            f"{TrainingDataError.code} all {n} rows are {which}: one-class data cannot "
            "train a denial model"
        )
    if n < limits.min_rows:
        raise TrainingDataError(
            f"{TrainingDataError.code} {n} rows is too few to train and evaluate; "
            f"need at least {limits.min_rows}"
        )
    if min(positives, negatives) < limits.min_per_class:
        raise TrainingDataError(
            f"{TrainingDataError.code} {positives} denied/partial and {negatives} paid rows; "
            f"need at least {limits.min_per_class} of each"
        )


def _fit(x: Array, y: Array, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000).fit(x, y)


def select_c(x: Array, y: Array, limits: TrainingLimits, seed: int) -> float:
    """Regularisation strength with the lowest cross-validated log loss."""
    folds = min(limits.cv_folds, int(y.sum()), int(len(y) - y.sum()))
    splitter = StratifiedKFold(n_splits=max(2, folds), shuffle=True, random_state=seed)
    best_c, best_loss = limits.c_grid[0], float("inf")
    for c in limits.c_grid:
        losses = [
            log_loss(y[test], _fit(x[tr], y[tr], c).predict_proba(x[test])[:, 1], labels=[0, 1])
            for tr, test in splitter.split(x, y)
        ]
        loss = float(np.mean(losses))
        if loss < best_loss:
            best_c, best_loss = c, loss
    return best_c


def calibration_bins(p: Array, y: Array, n_bins: int) -> list[CalibrationBin]:
    """Equal-width reliability bins over [0, 1]; empty bins are left out."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, n_bins - 1)
    bins = []
    for b in range(n_bins):
        mask = which == b
        if mask.any():
            bins.append(
                CalibrationBin(
                    float(edges[b]),
                    float(edges[b + 1]),
                    int(mask.sum()),
                    float(p[mask].mean()),
                    float(y[mask].mean()),
                )
            )
    return bins


def expected_calibration_error(bins: Sequence[CalibrationBin]) -> float:
    """Count-weighted mean |observed - predicted| over the reliability bins."""
    total = sum(b.count for b in bins)
    return sum(b.count * abs(b.observed - b.mean_predicted) for b in bins) / max(total, 1)


def plot_calibration(bins: Sequence[CalibrationBin], title: str) -> bytes:
    """A reliability diagram (PNG bytes) without touching pyplot's global state."""
    fig = Figure(figsize=(4.5, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.plot(
        [b.mean_predicted for b in bins],
        [b.observed for b in bins],
        marker="o",
        label="held-out bins",
    )
    for b in bins:
        ax.annotate(str(b.count), (b.mean_predicted, b.observed), fontsize=7)
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="predicted P(denied or partial)")
    ax.set_ylabel("observed rate")
    ax.set_title(title, fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def sha256_rows(rows: Iterable[TrainingRow]) -> str:
    """Hash of the canonical training rows (used when there is no source file)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row.input.model_dump_json().encode())
        digest.update(f"|{row.outcome}|{','.join(row.carc)}|{row.paid_amount}\n".encode())
    return digest.hexdigest()


def fit_model(
    rows: Sequence[TrainingRow],
    *,
    source: str,
    sha256: str,
    simulated: bool,
    version: str | None = None,
    seed: int = 0,
    config: FeatureConfig | None = None,
) -> TrainResult:
    """Fit on a stratified training split and measure on the held-out rest."""
    # These fits are tiny (tens of features); BLAS threads only contend with each other,
    # which made the CV search 10x slower on a busy 2-core machine.
    with threadpool_limits(limits=1):
        return _fit_model(rows, source, sha256, simulated, version, seed, config)


def _fit_model(
    rows: Sequence[TrainingRow],
    source: str,
    sha256: str,
    simulated: bool,
    version: str | None,
    seed: int,
    config: FeatureConfig | None,
) -> TrainResult:
    config = config or feature_config()
    limits = config.training
    y = np.array([label(r.outcome) for r in rows], dtype=np.float64)
    check_trainable(y, limits)
    x = design_matrix((r.input for r in rows), config)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=limits.test_fraction, stratify=y, random_state=seed
    )
    c = select_c(x_tr, y_tr, limits, seed)
    estimator = _fit(x_tr, y_tr, c)
    p = estimator.predict_proba(x_te)[:, 1]
    bins = calibration_bins(p, y_te, limits.calibration_bins)
    base = float(y_tr.mean())
    metrics = Metrics(
        n_train=len(y_tr),
        n_test=len(y_te),
        base_rate_test=float(y_te.mean()),
        roc_auc=float(roc_auc_score(y_te, p)),
        brier=float(brier_score_loss(y_te, p)),
        brier_base_rate=float(brier_score_loss(y_te, np.full_like(p, base))),
        log_loss=float(log_loss(y_te, p, labels=[0, 1])),
        expected_calibration_error=expected_calibration_error(bins),
        c=c,
    )
    space = build_space(config)
    version = validate_version_name(version or new_version_name())
    manifest = ModelManifest(
        version=version,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        sklearn_version=sklearn.__version__,
        numpy_version=np.__version__,
        features_version=space.version,
        features=list(space.names),
        positive_outcomes=list(POSITIVE),
        training_data=TrainingData(
            source=source,
            sha256=sha256,
            rows=len(rows),
            positives=int(y.sum()),
            simulated=simulated,
        ),
        metrics=metrics,
        coefficients={
            n: round(float(w), 6) for n, w in zip(space.names, estimator.coef_[0], strict=True)
        },
        intercept=round(float(estimator.intercept_[0]), 6),
    )
    title = f"risk model {version}: held-out reliability (n={len(y_te)})"
    return TrainResult(
        estimator, manifest, bins, model_card(manifest, bins), plot_calibration(bins, title)
    )


def train_and_save(
    rows: Sequence[TrainingRow],
    *,
    source: str,
    sha256: str,
    simulated: bool,
    version: str | None = None,
    seed: int = 0,
    root: Path | None = None,
    activate: bool = False,
) -> TrainResult:
    """Fit, then write a new version directory (never overwriting) and maybe activate it."""
    result = fit_model(
        rows, source=source, sha256=sha256, simulated=simulated, version=version, seed=seed
    )
    result.path = save_model(
        result.estimator, result.manifest, result.card, root, {PLOT_FILE: result.plot_png}
    )
    if activate:
        set_active(result.manifest.version, root)
    return result


# ---- model card ----------------------------------------------------------------------


def _card_training(manifest: ModelManifest) -> str:
    data = manifest.training_data
    if not data.simulated:
        return (
            f"Trained on {data.rows} labelled checks from `{data.source}` "
            f"(sha256 `{data.sha256}`), {data.positives} of them denied or partially paid.\n"
        )
    lines = [
        f"**This model was not trained on real remittance data.** It was trained on {data.rows} "
        f"scenarios drawn by the outcome simulator (`{data.source}`, rows sha256 "
        f"`{data.sha256}`), whose assumptions come from published audit and denial figures "
        "(payer-rules.md §11) where such figures exist and are labelled assumptions "
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
## Held-out evaluation (stratified split; model fitted on the other part)
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
  is refused (error E302): retrain instead.
"""


# ---- reading training data --------------------------------------------------------------


def _codes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(c.strip() for c in str(value).replace(",", ";").split(";") if c.strip())


def _outcome(value: Any, where: str) -> Outcome:
    text = str(value or "").strip().lower()
    for outcome in OUTCOMES:
        if text == outcome:
            return outcome
    raise TrainingDataError(
        f"{TrainingDataError.code} {where}: outcome {text!r} is not one of {list(OUTCOMES)}"
    )


def _amount(value: Any, where: str) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise TrainingDataError(
            f"{TrainingDataError.code} {where}: paid_amount {value!r} is not a number"
        ) from exc


def read_features_jsonl(path: Path) -> list[TrainingRow]:
    """Precomputed rows: one JSON object per line, ``{"input": RiskInput, "outcome": ...}``."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingDataError(f"{TrainingDataError.code} {path}: cannot read ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = json.loads(line)
            inp = RiskInput.model_validate(obj["input"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise TrainingDataError(
                f"{TrainingDataError.code} {where}: needs a JSON object with 'input' ({exc})"
            ) from exc
        except ValidationError as exc:
            raise TrainingDataError(
                f"{TrainingDataError.code} {where}: {format_validation_error(exc)}"
            ) from exc
        rows.append(
            TrainingRow(
                inp,
                _outcome(obj.get("outcome"), where),
                _codes(obj.get("carc")),
                _codes(obj.get("rarc")),
                _amount(obj.get("paid_amount"), where),
            )
        )
    return rows


def write_features_jsonl(rows: Iterable[TrainingRow], path: Path) -> None:
    """Write rows in the format ``read_features_jsonl`` reads."""
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            obj = {
                "input": row.input.model_dump(mode="json"),
                "outcome": row.outcome,
                "carc": list(row.carc),
                "rarc": list(row.rarc),
                "paid_amount": row.paid_amount,
            }
            handle.write(json.dumps(obj) + "\n")


def rows_from_simulation(cases: Iterable[SimulatedCase]) -> list[TrainingRow]:
    """Simulated cases as training rows."""
    return [TrainingRow(c.input, c.outcome) for c in cases]


def read_outcomes_csv(path: Path) -> list[OutcomeRow]:
    """An outcomes table (columns in models/README.md); note paths are relative to it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingDataError(f"{TrainingDataError.code} {path}: cannot read ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text))
    fields = set(reader.fieldnames or [])
    if "outcome" not in fields or not fields & {"note_text", "note_path"}:
        raise TrainingDataError(
            f"{TrainingDataError.code} {path}: needs an 'outcome' column and 'note_text' "
            "or 'note_path'"
        )
    rows = []
    for number, raw in enumerate(reader, start=2):
        where = f"{path}:{number}"
        note_text = (raw.get("note_text") or "").strip()
        note_path = (raw.get("note_path") or "").strip()
        if not note_text and note_path:
            candidate = Path(note_path)
            candidate = candidate if candidate.is_absolute() else path.parent / candidate
            try:
                note_text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise TrainingDataError(
                    f"{TrainingDataError.code} {where}: cannot read note {note_path!r} ({exc})"
                ) from exc
        if not note_text:
            raise TrainingDataError(f"{TrainingDataError.code} {where}: no note text or path")
        claim_raw = (raw.get("claim") or "").strip()
        try:
            claim = json.loads(claim_raw) if claim_raw else None
        except json.JSONDecodeError as exc:
            raise TrainingDataError(
                f"{TrainingDataError.code} {where}: claim is not JSON ({exc.msg})"
            ) from exc
        if claim is not None and not isinstance(claim, dict):
            raise TrainingDataError(f"{TrainingDataError.code} {where}: claim must be an object")
        rows.append(
            OutcomeRow(
                row=number,
                note_id=(raw.get("note_id") or "").strip() or f"{path.name}:{number}",
                text=note_text,
                claim=claim,
                payer=(raw.get("payer") or "").strip() or None,
                outcome=_outcome(raw.get("outcome"), where),
                carc=_codes(raw.get("carc")),
                rarc=_codes(raw.get("rarc")),
                paid_amount=_amount(raw.get("paid_amount"), where),
            )
        )
    return rows


def _claim_argument(check_note: Any, claim: dict[str, Any]) -> Any:
    """Validate the claim into the checker's own claim model when its signature names one."""
    try:
        hint = typing.get_type_hints(check_note).get("claim")
    except Exception:  # unresolvable hints: pass the dict through
        return claim
    for candidate in (hint, *typing.get_args(hint)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate.model_validate(claim)
    return claim


def rows_from_outcomes(rows: Sequence[OutcomeRow]) -> list[TrainingRow]:
    """Run the checker on each note and pair its ``RiskInput`` with the outcome."""
    try:
        from assistant.checks import check_note
    except ImportError as exc:
        raise CheckerUnavailableError(
            f"{CheckerUnavailableError.code} training from notes needs the findings engine "
            "(assistant.checks.check_note), which is not importable here; pass precomputed "
            "rows with --features instead"
        ) from exc
    params = inspect.signature(check_note).parameters
    out = []
    for row in rows:
        kwargs: dict[str, Any] = {}
        payer = row.payer or (row.claim or {}).get("payer")
        if "note_id" in params:
            kwargs["note_id"] = row.note_id
        if "payer" in params and payer:
            kwargs["payer"] = str(payer)
        if "claim" in params and row.claim is not None:
            try:
                kwargs["claim"] = _claim_argument(check_note, row.claim)
            except ValidationError as exc:
                raise TrainingDataError(
                    f"{TrainingDataError.code} row {row.row}: claim {format_validation_error(exc)}"
                ) from exc
        try:
            result = check_note(row.text, **kwargs)
        except ChartReadyError as exc:
            raise TrainingDataError(
                f"{TrainingDataError.code} row {row.row} ({row.note_id}): {exc}"
            ) from exc
        inp = risk_input_from_check(result, row.claim)
        if payer:
            inp = inp.model_copy(update={"payer": str(payer)})
        out.append(TrainingRow(inp, row.outcome, row.carc, row.rarc, row.paid_amount))
    return out


def sha256_file(path: Path) -> str:
    """Hash of a training-data file as given (``sha256sum`` gives the same)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
