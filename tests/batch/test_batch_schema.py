from pathlib import Path

from assistant.batch.schema import ERROR_COLUMNS, RESULT_COLUMNS, markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_documents_the_output_schema() -> None:
    text = README.read_text(encoding="utf-8")
    assert markdown_table(RESULT_COLUMNS) in text
    assert markdown_table(ERROR_COLUMNS) in text
