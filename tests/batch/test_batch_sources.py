import gzip
import json
from pathlib import Path

import pytest

from assistant.batch.schema import CORRUPT_COLUMN
from assistant.batch.sources import input_format, iter_rows
from assistant.errors import BatchInputError


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.csv", "csv"),
        ("a.CSV.gz", "csv"),
        ("a.jsonl.gz", "jsonl"),
        ("s3a://bucket/notes.parquet", "parquet"),
        ("hdfs:///notes", "parquet"),
    ],
)
def test_input_format_from_the_suffix(name: str, expected: str) -> None:
    assert input_format(name) == expected


def test_input_format_refuses_an_unknown_suffix() -> None:
    with pytest.raises(BatchInputError) as caught:
        input_format("notes.xlsx")
    assert caught.value.code == "E021"


def test_csv_jsonl_and_parquet_give_the_same_rows(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"note_id": "a", "text": 'line one\nline, two "quoted"'}, {"note_id": "b", "text": "x"}]
    (tmp_path / "n.csv").write_text(
        'note_id,text\na,"line one\nline, two ""quoted"""\nb,x\n', encoding="utf-8"
    )
    with gzip.open(tmp_path / "n.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write("\n".join(json.dumps(row) for row in rows) + "\n\n")
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "n.parquet")
    for name in ("n.csv", "n.jsonl.gz", "n.parquet"):
        assert list(iter_rows(tmp_path / name)) == list(enumerate(rows)), name


def test_a_jsonl_line_that_is_not_an_object_is_marked(tmp_path: Path) -> None:
    (tmp_path / "n.jsonl").write_text('{"note_id": "a", "text": "x"}\n[1, 2]\n{oops\n')
    marked = [raw for _, raw in iter_rows(tmp_path / "n.jsonl")]
    assert marked[1] == marked[2] == {CORRUPT_COLUMN: "corrupt"}


def test_a_table_without_a_text_column_is_refused(tmp_path: Path) -> None:
    (tmp_path / "n.csv").write_text("note_id,body\na,x\n", encoding="utf-8")
    with pytest.raises(BatchInputError, match="missing column"):
        list(iter_rows(tmp_path / "n.csv"))
