"""The batch input columns and output schema, as data.

Both engines (embedded and Spark) build their Parquet schema from :data:`RESULT_COLUMNS`,
so a result row has the same columns and types whichever engine wrote it; the README's
schema table is generated from the same tuple (``python -m assistant.batch.schema``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["string", "long", "double", "strings", "json"]

# Input: the columns a batch row may have; aliases are the worklist import's names.
INPUT_COLUMNS: tuple[str, ...] = (
    "note_id",
    "patient_key",
    "provider",
    "date_of_service",
    "payer",
    "text",
    "claim",
    "history",
)
REQUIRED_INPUT_COLUMNS: tuple[str, ...] = ("note_id", "text")
INPUT_ALIASES: dict[str, str] = {"note_text": "text", "claim_lines": "claim"}
# Spark's JSON reader puts a line that is not a JSON object here; the embedded reader too.
CORRUPT_COLUMN = "_corrupt_record"


@dataclass(frozen=True)
class Column:
    """One output column: name, kind and what it holds.

    ``json`` columns are JSON text in Parquet and nested JSON values in JSONL.
    """

    name: str
    kind: ColumnKind
    description: str


RESULT_COLUMNS: tuple[Column, ...] = (
    Column("note_id", "string", "the input's note id (unique within a run)"),
    Column("patient_key", "string", "the input's patient key, or null"),
    Column("provider", "string", "the input's provider, or null"),
    Column("date_of_service", "string", "YYYY-MM-DD, or null"),
    Column("payer", "string", "payer profile the note was checked against"),
    Column(
        "verdict", "string", "ready, needs_attention, not_billable_as_documented or not_recognised"
    ),
    Column("risk_probability", "double", "calibrated denial-risk probability (0-1)"),
    Column("risk_band", "string", "risk band (low, medium, high)"),
    Column("rule_ids", "strings", "rule id of each finding, in order"),
    Column("findings", "json", "the findings, as in the API (message, fix, query, evidence)"),
    Column("facts", "json", "note-facts/v1 with evidence (character offsets into the note)"),
    Column("em", "json", "E/M assessment, or null"),
    Column("risk", "json", "risk score with its per-factor contributions"),
    Column("checklists", "strings", "checklists applied, as id@version"),
    Column("reader_version", "string", "reader code and rule-file versions"),
    Column("model_version", "string", "risk model version"),
)

ERROR_COLUMNS: tuple[Column, ...] = (
    Column("row", "long", "1-based data row of the input (header excluded)"),
    Column("note_id", "string", "the row's note id, or null when it has none"),
    Column("code", "string", "error code (assistant/errors.py)"),
    Column("problem", "string", "what is wrong, never quoting the note"),
)


def markdown_table(columns: tuple[Column, ...]) -> str:
    """The columns as a Markdown table (for the README)."""
    lines = ["| column | type | what |", "|---|---|---|"]
    for column in columns:
        lines.append(f"| `{column.name}` | {column.kind} | {column.description} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table(RESULT_COLUMNS))  # noqa: T201
    print()  # noqa: T201
    print(markdown_table(ERROR_COLUMNS))  # noqa: T201
