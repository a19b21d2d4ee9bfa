"""Clone detection on Spark: the embedded units and exact check, Spark ML's MinHashLSH to hash.

Units (whole notes, concern sections) are made by the embedded code in each partition and
grouped by identical shingle set. Spark ML's ``MinHashLSH`` computes ``num_perm`` MinHash
values per group; its own ``approxSimilarityJoin`` ORs single hashes (a pair at Jaccard
0.1 would collide in most of 128 tables), so the values are banded here as the embedded
LSH does (AND within a band of ``rows`` values, OR across ``bands``). Candidates are kept
by the exact check and expanded to the groups' notes in Spark; only flagged pairs and
their notes reach the driver, which describes them with the embedded code.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from assistant.batch.clones.detect import (
    CloneReport,
    Unit,
    digest,
    linked,
    section_key,
    similar,
    units_of,
    within,
)
from assistant.batch.clones.report import CloneNote, clone_note, flags_for, provider_summary
from assistant.batch.clones.text import SHINGLE_BITS, CloneSettings
from assistant.batch.sources import RawRow
from assistant.batch.spark import raw_rows, read_input, spark_session

IndexedNote = tuple[int, CloneNote]


def _notes(rows: Iterable[RawRow]) -> Iterator[IndexedNote]:
    for index, raw in rows:
        note = clone_note(raw)
        if note is not None:
            yield index, note


def _band_keys(group: bytes, hashes: list[Any], settings: CloneSettings) -> Iterator[Any]:
    """``((band, key), group)`` for each LSH band of one group's MinHash values."""
    values = [int(vector[0]) for vector in hashes]
    for band in range(settings.bands):
        chunk = values[band * settings.rows : (band + 1) * settings.rows]
        yield (band, zlib.crc32(repr(chunk).encode("ascii"))), group


def _bucket_pairs(groups: Iterable[bytes]) -> Iterator[tuple[bytes, bytes]]:
    ordered = sorted(set(groups))
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            yield first, second


def detect_clones_spark(
    path: str, settings: CloneSettings, master: str | None = None
) -> CloneReport:
    """Flag every note of ``path`` that repeats another, on Spark."""
    from pyspark.ml.feature import MinHashLSH
    from pyspark.ml.linalg import SparseVector, VectorUDT
    from pyspark.sql.types import BinaryType, StructField, StructType

    spark = spark_session(master)
    notes = raw_rows(read_input(spark, path)).mapPartitions(_notes).cache()
    units = notes.flatMap(lambda item: units_of(item[0], item[1].text, settings)).cache()
    groups = units.keyBy(digest).groupByKey().mapValues(list).cache()
    width = 1 << SHINGLE_BITS

    def features(item: tuple[bytes, list[Unit]]) -> tuple[bytes, SparseVector]:
        ids = item[1][0].shingles.tolist()
        return item[0], SparseVector(width, ids, [1.0] * len(ids))

    schema = StructType([StructField("group", BinaryType()), StructField("features", VectorUDT())])
    frame = spark.createDataFrame(groups.map(features), schema)
    model = MinHashLSH(
        inputCol="features", outputCol="hashes", numHashTables=settings.num_perm, seed=settings.seed
    ).fit(frame)
    candidates = (
        model.transform(frame)
        .rdd.flatMap(lambda row: _band_keys(bytes(row["group"]), row["hashes"], settings))
        .groupByKey()
        .flatMap(lambda item: _bucket_pairs(item[1]))
        .distinct()
    )
    firsts = groups.mapValues(lambda found: found[0])
    members = groups.mapValues(lambda found: [unit.note for unit in found])
    cap = settings.max_matches
    verified = (
        candidates.join(firsts)
        .map(lambda item: (item[1][0], (item[0], item[1][1])))
        .join(firsts)
        .filter(lambda item: similar(item[1][0][1], item[1][1], settings))
        .map(lambda item: (item[1][0][0], item[0]))
    )
    across = (
        verified.join(members)
        .map(lambda item: (item[1][0], item[1][1]))
        .join(members)
        .flatMap(lambda item: linked(item[1][0], item[1][1], cap))
    )
    pairs = set(across.union(members.flatMap(lambda item: within(item[1], cap))).collect())
    wanted = spark.sparkContext.broadcast({i for pair in pairs for i in (pair.a, pair.b)})
    flagged = dict(notes.filter(lambda item: item[0] in wanted.value).collect())
    keyed = units.map(lambda unit: (unit.note, unit.section)).join(notes)
    keys = keyed.map(lambda item: section_key(item[1][1], item[1][0])).collect()
    flags = flags_for(flagged, pairs, settings)
    counts = Counter(key for key in keys if key is not None)
    report = CloneReport(
        flags=flags,
        summary=provider_summary(counts, flagged.values(), flags),
        notes=notes.count(),
        units=units.count(),
        detector=settings.label(),
    )
    for cached in (notes, units, groups):
        cached.unpersist()
    wanted.unpersist()
    return report
