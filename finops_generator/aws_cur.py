"""AWS legacy Cost and Usage Report: gzip CSV plus manifests, laid out as AWS delivers it.

``<prefix>/<report>/<yyyymmdd-yyyymmdd>/<assemblyId>/<report>-<n>.csv.gz`` (``PARTS`` parts,
split by rows, each a complete gzip CSV with the header) with the assembly's
``<report>-Manifest.json`` beside them and the latest manifest one folder up, both listing
every part in ``reportKeys``. Each delivery (assembly) restates the whole month; a later
delivery gets a new assemblyId and replaces all the parts of the earlier one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._textio import TextFile, csv_cell, csv_escape, join_pieces
from ._units import fmt, fmt_array, guid, hexid, row_ids, stable_int
from .aws import (
    COST_CATEGORY,
    KIND,
    LEGACY_STATIC,
    PRODUCT_KEYS,
    TAG_ACTIVATED_FROM,
    AwsEngine,
    Batch,
)
from .periods import HOUR, Month, hour_text, iso

PREFIX = "aws/cur"
REPORT = "kestrel-hourly"
BUCKET = "kestrel-billing-exports"
PARTS = 3
"""Parts per assembly (AWS splits large reports; the demo splits every one)."""


def tag_keys(engine: AwsEngine, month: Month) -> list[str]:
    """Activated tag keys present in the estate, in the sorted order AWS writes them."""
    keys = {k for tags in engine.tagsets for k in tags}
    return sorted(k for k in keys if month.index >= TAG_ACTIVATED_FROM.get(k, 0))


def columns(engine: AwsEngine, month: Month) -> list[str]:
    return [
        *(name for name, _ in LEGACY_STATIC),
        *(f"resourceTags/{k}" for k in tag_keys(engine, month)),
        f"costCategory/{COST_CATEGORY}",
    ]


def _table(values: list[str]) -> pa.Array:
    return csv_escape(pa.array(values, pa.string()))


def _rows_of(tables: list[pa.Array]) -> pa.Array:
    """Join escaped per-id tables column-wise: one comma-separated text block per id."""
    if len(tables) == 1:
        return tables[0]
    return pc.binary_join_element_wise(*tables, ",")


def _take(table: pa.Array, ids: Any) -> pa.Array | str:
    if isinstance(ids, int | np.integer):
        return table[int(ids)].as_py()
    return table.take(pa.array(np.asarray(ids, dtype=np.int64)))


class CsvWriter:
    """Writes canonical batches as legacy CUR CSV rows (empty cell = missing)."""

    def __init__(self, engine: AwsEngine, month: Month, path: Path, salt: int) -> None:
        self.columns = columns(engine, month)
        self.salt = salt
        self.first_row = 0
        """Row number of this part's first row in the delivery (line item ids)."""
        self.file = TextFile(path, gz=True)
        self.file.write((",".join(self.columns) + "\n").encode())
        self._product = {
            name: _table([p.get(key, "") for p in engine.products])
            for name, key in PRODUCT_KEYS.items()
        }
        self._tags = {
            f"resourceTags/{k}": _table([t.get(k, "") for t in engine.tagsets])
            for k in tag_keys(engine, month)
        }
        self._cc = _table([c.get(COST_CATEGORY, "") for c in engine.cost_categories])
        self._escaped: dict[int, tuple[pa.Array, pa.Array]] = {}
        # Adjacent per-product and per-tag columns are pre-joined into one text block per
        # product / (tag set, cost category), so a row has fewer pieces to concatenate.
        names = list(PRODUCT_KEYS)
        self._product_block = (
            self.columns.index(names[0]),
            len(names),
            _rows_of([self._product[n] for n in names]),
        )
        tag_cols = [c for c in self.columns if c in self._tags or c.startswith("costCategory/")]
        n_cc = len(engine.cost_categories)
        combos = [(t, c) for t in range(len(engine.tagsets)) for c in range(n_cc)]
        tag_tables = [
            (
                self._tags[c].take(pa.array([t for t, _ in combos]))
                if c in self._tags
                else self._cc.take(pa.array([cc for _, cc in combos]))
            )
            for c in tag_cols
        ]
        self._tag_block = (self.columns.index(tag_cols[0]), len(tag_cols), _rows_of(tag_tables))
        self._n_cc = n_cc

    def _dictionary(self, d: pa.Array) -> pa.Array:
        hit = self._escaped.get(id(d))
        if hit is None or hit[0] is not d:
            hit = (d, csv_escape(d))
            self._escaped[id(d)] = hit
        return hit[1]

    def _cell(self, name: str, batch: Batch) -> pa.Array | str:
        if name == "identity/LineItemId":
            return row_ids(self.salt, self.first_row + self.file.rows, batch.n)
        if name in self._tags:
            return _take(self._tags[name], batch.cols.get("_tags", 0))
        if name.startswith("costCategory/"):
            return _take(self._cc, batch.cols.get("_cc", 0))
        kind = KIND[name]
        if kind == "P":
            return _take(self._product[name], batch.cols.get("_prod", 0))
        v = batch.cols.get(name)
        if v is None:
            return ""
        if kind == "S":
            if isinstance(v, str):
                return csv_cell(v)
            if isinstance(v, pa.DictionaryArray):
                return self._dictionary(v.dictionary).take(v.indices)
            return csv_escape(v)
        if kind == "N":
            return fmt(int(v)) if isinstance(v, int | np.integer) else fmt_array(v)
        if isinstance(v, int | np.integer):
            return iso(int(v))
        h = np.asarray(v) // HOUR
        return hour_text(h, "%Y-%m-%dT%H:%M:%SZ", int(h.min()), int(h.max()) + 1)

    def write(self, batch: Batch) -> None:
        if batch.n == 0:
            return
        pieces: list[pa.Array | str] = []
        last = len(self.columns) - 1
        cols = batch.cols
        blocks = {
            self._product_block[0]: (self._product_block, cols.get("_prod", 0)),
            self._tag_block[0]: (
                self._tag_block,
                np.asarray(cols.get("_tags", 0)) * self._n_cc + np.asarray(cols.get("_cc", 0)),
            ),
        }
        i = 0
        while i <= last:
            if i in blocks:
                (_, width, table), ids = blocks[i]
                pieces.append(_take(table, ids if np.ndim(ids) else int(ids)))
                i += width
            else:
                pieces.append(self._cell(self.columns[i], batch))
                i += 1
            pieces.append("\n" if i > last else ",")
        self.file.write(join_pieces(pieces, batch.n), batch.n)

    def close(self) -> None:
        self.file.close()


@dataclass
class LegacyDelivery:
    paths: list[Path]
    manifest: Path
    latest_manifest: Path
    assembly_id: str


def layout(root: Path, month: Month, assembly_id: str) -> LegacyDelivery:
    nxt = month.end
    period = f"{month.start:%Y%m%d}-{nxt:%Y%m%d}"
    base = root / PREFIX / REPORT / period
    return LegacyDelivery(
        paths=[base / assembly_id / f"{REPORT}-{n}.csv.gz" for n in range(1, PARTS + 1)],
        manifest=base / assembly_id / f"{REPORT}-Manifest.json",
        latest_manifest=base / f"{REPORT}-Manifest.json",
        assembly_id=assembly_id,
    )


def write_manifest(d: LegacyDelivery, root: Path, engine: AwsEngine, month: Month) -> None:
    cols = []
    for name in columns(engine, month):
        category, _, col = name.partition("/")
        cols.append({"category": category, "name": col})
    body = {
        "assemblyId": d.assembly_id,
        "account": engine.payer.payer_id,
        "columns": cols,
        "charset": "UTF-8",
        "compression": "GZIP",
        "contentType": "text/csv",
        "reportId": hexid(64, engine.seed, REPORT),
        "reportName": REPORT,
        "billingPeriod": {
            "start": iso(month.start_s, "%Y%m%dT%H%M%S.000Z"),
            "end": iso(month.end_s, "%Y%m%dT%H%M%S.000Z"),
        },
        "bucket": BUCKET,
        "reportKeys": [p.relative_to(root).as_posix() for p in d.paths],
        "additionalArtifactKeys": [],
    }
    text = json.dumps(body, indent=2) + "\n"
    for p in (d.manifest, d.latest_manifest):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def assembly_id(engine: AwsEngine, month: Month, delivery_no: int) -> str:
    return guid(engine.seed, engine.payer.payer_id, month.label, "assembly", delivery_no)


def line_item_salt(engine: AwsEngine, month: Month, delivery_no: int) -> int:
    return stable_int(engine.seed, engine.payer.payer_id, month.label, "lineitem", delivery_no)


def generate(root: Path, engine: AwsEngine, gt: Any, progress: Any) -> None:
    """Every delivery of every month; month 1 is delivered twice (restated)."""
    from ._textio import set_mtime, sha256_of
    from .aws import (
        Delivery,
        PartRouter,
        Stats,
        commitment_records,
        expiring_commitments,
        record_final,
    )
    from .ground_truth import DeliveryRecord, FileRecord, Partition

    commitments = {c.id: c for c in commitment_records(engine, "aws_cur")}
    gt.commitments.extend(commitments.values())
    gt.expiring_commitments.extend(expiring_commitments(engine))
    for month in engine.months:
        # Month 1 is first delivered before invoicing (blank bill/InvoiceId, no support fee
        # yet), then restated with invoice ids, the support fee and a late SLA credit memo.
        plan = [(Delivery(late_credit=month.index == 0), month.next_at(8, 6), False)]
        if month.index == 0:
            plan.insert(0, (Delivery(pre_invoice=True), month.next_at(1, 18), True))
        expected = engine.expected_rows(month, engine.active_counts(month))
        for no, (delivery, mtime, superseded) in enumerate(plan):
            d = layout(root, month, assembly_id(engine, month, no))
            salt = line_item_salt(engine, month, no)
            router = PartRouter(
                [CsvWriter(engine, month, p, salt) for p in d.paths], expected // PARTS
            )
            st = Stats()
            for batch in engine.month_batches(month, delivery, st):
                router.write(batch)
            router.close()
            if min(router.rows) == 0 or sum(router.cost) != st.cost:
                raise AssertionError(f"aws_cur {month.label}: parts {router.rows} do not add up")
            write_manifest(d, root, engine, month)
            for p in (*d.paths, d.manifest, d.latest_manifest):
                set_mtime(p, mtime)
            rel = [p.relative_to(root.parent).as_posix() for p in d.paths]
            for path, rel_path, rows, cost in zip(
                d.paths, rel, router.rows, router.cost, strict=True
            ):
                gt.files.append(
                    FileRecord(
                        path=rel_path,
                        format="aws_cur",
                        billing_account_id=engine.payer.payer_id,
                        billing_period=month.label,
                        rows=rows,
                        cost_total=cost,
                        currency="USD",
                        superseded=superseded,
                        delivered_at=iso(mtime),
                        bytes=path.stat().st_size,
                        sha256=sha256_of(path),
                        delivery=d.assembly_id,
                        partitions=[
                            Partition(
                                "AWS",
                                engine.payer.payer_id,
                                month.label,
                                "USD",
                                rows,
                                cost,
                                superseded,
                            )
                        ],
                    )
                )
            gt.deliveries.append(
                DeliveryRecord(
                    delivery=d.assembly_id,
                    format="aws_cur",
                    manifest=d.manifest.relative_to(root.parent).as_posix(),
                    parts=rel,
                    delivered_at=iso(mtime),
                    superseded=superseded,
                )
            )
            if not superseded:
                record_final(engine, month, st, gt, "aws_cur", commitments)
            if progress:
                progress(
                    f"aws_cur {month.label} delivery {no + 1}: {st.rows:,} rows "
                    f"in {PARTS} parts {router.rows}"
                )
