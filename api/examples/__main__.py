"""``python -m api.examples [DIR]``: re-record the OpenAPI examples (default: this package)."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from api.examples.record import record_exchanges, write_exchanges


def main(argv: list[str]) -> int:
    """Record every example and write it to ``argv[0]`` or the package folder."""
    directory = Path(argv[0]) if argv else Path(str(resources.files("api.examples")))
    for path in write_exchanges(record_exchanges(), directory):
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
