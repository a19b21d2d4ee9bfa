"""The Spark engine: the embedded engine's row function, run by ``mapPartitions``.

Each Python worker builds one reader (on its first partition) and keeps it while Spark
reuses the worker. The checklists and risk/learned models this driver uses are shipped
with the job (``SparkContext.addFile``) and each worker reads those copies. Input and output
are any paths Spark reads and writes (local, HDFS, S3-compatible); the output has the
same Parquet schema and JSON lines as the embedded engine's (``OUT/parquet``,
``OUT/jsonl``, ``OUT/errors``), written by Spark's own writers.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.batch.rows import RowError, note_id_of, outcomes, serialise
from assistant.batch.schema import (
    CORRUPT_COLUMN,
    INPUT_ALIASES,
    INPUT_COLUMNS,
    RESULT_COLUMNS,
    Column,
)
from assistant.batch.sources import RawRow, check_columns, input_format
from assistant.errors import BatchOutputError, Errors

if TYPE_CHECKING:
    from pyspark import RDD, Broadcast, SparkContext
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import DataType, StructType

# (kind, Parquet values or None, JSON line): what a partition yields per row.
Outcome = tuple[str, tuple[Any, ...] | None, str]
MIN_PARTITIONS_PER_CORE = 2
LOCAL_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
}


@dataclass(frozen=True)
class SparkSummary:
    """What a Spark run did: rows read, checked and skipped."""

    rows: int
    checked: int
    skipped: int


def spark_session(master: str | None = None) -> SparkSession:
    """The active session, or a new one on ``master`` (local runs: no UI, few shuffles).

    Local workers run this interpreter unless ``PYSPARK_PYTHON`` says otherwise; on a
    cluster, ``spark-submit`` names the packed environment (see the README).
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("chartready-batch")
    if master:
        builder = builder.master(master)
    if master is None or master.startswith("local"):
        for key, value in LOCAL_SETTINGS.items():
            builder = builder.config(key, value)
        # PySpark starts local workers with $PYSPARK_PYTHON (default: `python3` on PATH).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _spark_type(kind: str) -> DataType:
    from pyspark.sql.types import ArrayType, DoubleType, LongType, StringType

    types: dict[str, DataType] = {
        "string": StringType(),
        "json": StringType(),
        "long": LongType(),
        "double": DoubleType(),
        "strings": ArrayType(StringType()),
    }
    return types[kind]


def spark_schema(columns: Iterable[Column] = RESULT_COLUMNS) -> StructType:
    """The Spark schema of the result columns (the same Parquet types as the embedded run)."""
    from pyspark.sql.types import StructField, StructType

    return StructType([StructField(c.name, _spark_type(c.kind)) for c in columns])


def read_input(spark: SparkSession, path: str) -> DataFrame:
    """The input as a DataFrame of raw columns (CSV and JSON columns as text).

    Raises:
        BatchInputError: unknown format or no note id / note text column.
    """
    from pyspark.sql.types import StringType, StructField, StructType

    fmt = input_format(path)
    if fmt == "csv":
        frame = spark.read.options(header=True, multiLine=True, escape='"').csv(path)
    elif fmt == "jsonl":
        names = [*INPUT_COLUMNS, *INPUT_ALIASES, CORRUPT_COLUMN]
        schema = StructType([StructField(name, StringType()) for name in names])
        frame = spark.read.schema(schema).json(path)
    else:
        frame = spark.read.parquet(path)
    check_columns(frame.columns, path)
    return frame


def ship_resources(context: SparkContext) -> dict[str, str]:
    """Send the checklists and models this driver uses with the job; env var -> shipped name."""
    from assistant.checks.registry import default_checklist_dir
    from assistant.learned import learned_dir
    from assistant.risk.model import models_dir

    checklists = default_checklist_dir()
    context.addFile(str(checklists), recursive=True)
    for folder in (models_dir(), learned_dir()):
        if folder.is_dir():
            context.addFile(str(folder), recursive=True)
    return {"CHARTREADY_CHECKLIST_DIR": checklists.name, "CHARTREADY_MODELS_DIR": ""}


def _use_shipped(shipped: dict[str, str]) -> None:
    """Point this worker's checklist and model lookups at the copies shipped with the job."""
    from pyspark import SparkFiles

    root = Path(SparkFiles.getRootDirectory())
    for variable, name in shipped.items():
        os.environ[variable] = str(root / name) if name else str(root)


def check_partition(
    rows: Iterable[RawRow],
    duplicates: Broadcast[frozenset[str]],
    payer: str,
    shipped: dict[str, str],
) -> Iterator[Outcome]:
    """Check one partition's rows (runs in a Python worker)."""
    _use_shipped(shipped)
    for outcome in outcomes(rows, duplicates.value, payer):
        if isinstance(outcome, RowError):
            yield "error", None, outcome.to_line()
        else:
            values, line = serialise(outcome)
            yield "ok", values, line


def _raw(item: tuple[Any, int]) -> RawRow:
    row, index = item
    return index, row.asDict(recursive=True)


def raw_rows(frame: DataFrame) -> RDD[RawRow]:
    """The input's rows as ``(index, {column: value})``, numbered in file order."""
    return frame.rdd.zipWithIndex().map(_raw)


def run_spark(
    path: str, out: str, payer: str = "commercial", master: str | None = None
) -> SparkSummary:
    """Check every row of ``path`` on Spark into ``out`` (which must not exist yet).

    Raises:
        BatchInputError: the input cannot be read.
        BatchOutputError: ``out`` already holds results.
    """
    from pyspark import StorageLevel
    from pyspark.errors import AnalysisException

    spark = spark_session(master)
    context = spark.sparkContext
    shipped = ship_resources(context)
    rows = raw_rows(read_input(spark, path))
    if rows.getNumPartitions() < context.defaultParallelism * MIN_PARTITIONS_PER_CORE:
        # One CSV.gz (or multi-line CSV) file is one partition: spread it over every core.
        rows = rows.repartition(context.defaultParallelism * MIN_PARTITIONS_PER_CORE)
    ids = rows.map(lambda item: (note_id_of(item[1]), 1)).filter(lambda pair: pair[0] is not None)
    repeated = ids.reduceByKey(add).filter(lambda pair: pair[1] > 1).keys().collect()
    duplicates = context.broadcast(frozenset(str(note_id) for note_id in repeated))
    checked = rows.mapPartitions(
        partial(check_partition, duplicates=duplicates, payer=payer, shipped=shipped)
    ).persist(StorageLevel.MEMORY_AND_DISK)
    results = checked.filter(lambda outcome: outcome[0] == "ok")
    errors = checked.filter(lambda outcome: outcome[0] == "error")
    frame = spark.createDataFrame(
        results.map(lambda outcome: outcome[1]), spark_schema(), verifySchema=False
    )
    try:
        frame.write.mode("errorifexists").parquet(f"{out}/parquet")
    except AnalysisException:
        raise BatchOutputError(Errors.E022, out=out, problem="already holds results") from None
    results.map(lambda outcome: outcome[2]).saveAsTextFile(f"{out}/jsonl")
    errors.map(lambda outcome: outcome[2]).saveAsTextFile(f"{out}/errors")
    summary = SparkSummary(checked.count(), results.count(), errors.count())
    checked.unpersist()
    duplicates.unpersist()
    return summary
