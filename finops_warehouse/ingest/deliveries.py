"""Which landing files belong together: a delivery is the set of its parts.

Providers split a large export into parts: AWS CUR writes ``<report>-1.csv.gz``, ``-2``, ...
of one assembly and lists them in ``<report>-Manifest.json`` (``reportKeys``, ``assemblyId``);
AWS Data Exports list ``dataFiles`` under one ``executionId``; Azure partitioned exports write
``part_N_NNNN`` files with a ``manifest.json`` (``blobs``, ``runInfo.runId``,
``exportConfig.type``); BigQuery dumps are sharded ``-000000000000``, ``-000000000001``. The
parts of one delivery add up and never replace each other; a newer delivery replaces the older
one whole (``pipeline.py``).

The providers' manifests are read first: a manifest names its parts, says when a part is
missing and, for Azure, which dataset the export holds. Files no manifest claims are grouped by
the folder convention: files of one folder whose names differ only by a part number. Anything
else is a delivery of one file.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import fsspec

from finops_warehouse.ingest.files import RemoteFile

log = logging.getLogger(__name__)

LANDING_CONFIG_NAMES = ("finops-landing.yml", "finops-landing.yaml")
_MANIFEST_NAME = re.compile(r"(^|[-_])manifest\.json$", re.IGNORECASE)
_EXTENSIONS = re.compile(r"(\.(csv|jsonl|json|parquet|snappy|gz|zip))+$", re.IGNORECASE)
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
# Part numbers as the providers write them, at the end of a name: Azure part_0_0001, BigQuery
# shards -000000000000, Data Exports chunks -00001, AWS CUR report-1 (after a name that does not
# end in a digit, so a date such as export-2026-08-05 is not read as part 05), older Azure 000001.
_PARTS = (
    re.compile(r"^(?P<stem>part)_\d+_\d+$"),
    re.compile(r"^(?P<stem>.+)-\d{12}$"),
    re.compile(r"^(?P<stem>.+)-\d{5}$"),
    re.compile(r"^(?P<stem>.*[^\d_-])-\d{1,3}$"),
    re.compile(r"^(?P<stem>)\d{6}$"),
)
_DATASETS = {"actualcost": "actual", "amortizedcost": "amortized"}


@dataclass(frozen=True)
class ProviderManifest:
    """What a provider's manifest says about one delivery."""

    path: str
    relative: str
    delivery: str
    """The provider's id of the delivery (assemblyId, executionId, runId)."""
    keys: tuple[str, ...]
    """Object keys / blob names of the data files, as the manifest writes them."""
    modified_at: dt.datetime
    dataset: str | None = None
    """``actual`` or ``amortized`` when an Azure export's manifest says so."""


@dataclass
class Delivery:
    """One delivery: its parts, in name order, and what is known about it."""

    key: str
    """Readable identity: the manifest's delivery id, or the folder and name stem of the parts."""
    parts: list[RemoteFile]
    manifest: ProviderManifest | None = None
    missing: list[str] = field(default_factory=list)
    """Files the manifest lists that the landing does not hold (the delivery is incomplete)."""
    dataset: tuple[str, str] | None = None
    """``(dataset, basis)`` when the landing config or the manifest says which dataset it is."""

    @property
    def delivered_at(self) -> dt.datetime:
        """When it was delivered: its newest part or manifest (what "newer" compares)."""
        times = [p.modified_at for p in self.parts]
        if self.manifest is not None:
            times.append(self.manifest.modified_at)
        return max(times)

    @property
    def order(self) -> tuple[dt.datetime, str]:
        """Oldest first, so within a run each newer delivery replaces the one before."""
        return self.delivered_at, self.key


@dataclass(frozen=True)
class LandingRule:
    """One entry of the landing config: files matching ``match`` hold ``dataset``."""

    match: str
    dataset: str
    source: str


def plan_deliveries(files: list[RemoteFile], side_files: list[RemoteFile]) -> list[Delivery]:
    """Group the landing's data files into deliveries, oldest first, by what its side files
    (provider manifests, the landing config) say."""
    manifests = sorted(read_manifests(side_files), key=lambda m: (m.modified_at, m.relative))
    rules = read_landing_config(side_files)
    claimed: dict[str, ProviderManifest] = {}
    missing: dict[str, list[str]] = defaultdict(list)
    for manifest in manifests:
        for key in manifest.keys:
            part = _match_key(key, manifest, files)
            if part is None:
                missing[manifest.delivery].append(key)
            else:
                claimed[part.url] = manifest  # a newer manifest claiming a part wins
    by_manifest: dict[str, list[RemoteFile]] = defaultdict(list)
    by_folder: dict[tuple[str, str, str], list[RemoteFile]] = defaultdict(list)
    for f in files:
        manifest = claimed.get(f.url)
        if manifest is not None:
            by_manifest[manifest.delivery].append(f)
        else:
            by_folder[folder_group(f.relative)].append(f)
    deliveries = []
    newest = {m.delivery: m for m in manifests}  # sorted oldest first: the newest stays
    for delivery_id, parts in by_manifest.items():
        manifest = newest[delivery_id]
        deliveries.append(
            Delivery(
                key=delivery_id,
                parts=sorted(parts, key=lambda p: p.relative),
                manifest=manifest,
                missing=sorted(set(missing.get(delivery_id, []))),
                dataset=(manifest.dataset, f"its export manifest says so ({manifest.relative})")
                if manifest.dataset
                else None,
            )
        )
    for (folder, stem, suffix), parts in by_folder.items():
        name = f"{folder}/{stem}*{suffix}" if len(parts) > 1 else parts[0].relative
        deliveries.append(Delivery(key=name, parts=sorted(parts, key=lambda p: p.relative)))
    for delivery in deliveries:
        told = _rule_for(delivery, rules)
        if told is not None:
            delivery.dataset = told  # the user's word beats the manifest's
    return sorted(deliveries, key=lambda d: d.order)


def folder_group(relative: str) -> tuple[str, str, str]:
    """(folder, name stem, extension) shared by the parts of one delivery without a manifest.

    A name that carries no part number (or ends in a GUID, as Azure's unpartitioned exports do)
    is its own group.
    """
    path = PurePosixPath(relative)
    suffix_match = _EXTENSIONS.search(path.name)
    suffix = suffix_match.group(0).lower() if suffix_match else ""
    bare = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    found = next((m for m in (p.match(bare) for p in _PARTS) if m), None)
    if found is None or _GUID.search(bare):
        return str(path.parent), path.name, ""
    return str(path.parent), found.group("stem"), suffix


def delivery_id(delivery: Delivery, checksums: list[str]) -> str:
    """sha256 over the manifest's delivery id and the parts' checksums: the same bytes
    delivered again (under any path) are the same delivery, and one changed part makes a new
    one."""
    label = delivery.manifest.delivery if delivery.manifest else ""
    text = "\n".join([label, *sorted(checksums)])
    return hashlib.sha256(text.encode()).hexdigest()


def read_manifests(side_files: list[RemoteFile]) -> list[ProviderManifest]:
    """Every provider manifest among the side files that names data files."""
    found = []
    for side in side_files:
        if not _MANIFEST_NAME.search(PurePosixPath(side.relative).name):
            continue
        try:
            with fsspec.open(side.url, "rb") as handle:
                body = json.load(handle)
        except (OSError, ValueError) as exc:
            log.warning("cannot read manifest %s (%s); its files are grouped by folder", side, exc)
            continue
        manifest = parse_manifest(body, side)
        if manifest is not None:
            found.append(manifest)
    return found


def parse_manifest(body: object, side: RemoteFile) -> ProviderManifest | None:
    """A manifest of AWS CUR (reportKeys), AWS Data Exports (dataFiles) or an Azure export
    (blobs); None for any other JSON (not ours to read)."""
    if not isinstance(body, dict):
        return None
    keys: list[str] = []
    if isinstance(body.get("reportKeys"), list):
        keys = [str(k) for k in body["reportKeys"]]
        delivery = body.get("assemblyId")
    elif isinstance(body.get("dataFiles"), list):
        keys = [str(k) for k in body["dataFiles"]]
        delivery = body.get("executionId")
    elif isinstance(body.get("blobs"), list):
        keys = [str(b.get("blobName")) for b in body["blobs"] if isinstance(b, dict)]
        run = body.get("runInfo") if isinstance(body.get("runInfo"), dict) else {}
        delivery = run.get("runId")
    else:
        return None
    config = body.get("exportConfig") if isinstance(body.get("exportConfig"), dict) else {}
    dataset = _DATASETS.get(str(config.get("type", "")).lower())
    return ProviderManifest(
        path=side.url,
        relative=side.relative,
        delivery=str(delivery or side.relative),
        keys=tuple(k for k in keys if k and k != "None"),
        modified_at=side.modified_at,
        dataset=dataset,
    )


def _match_key(key: str, manifest: ProviderManifest, files: list[RemoteFile]) -> RemoteFile | None:
    """The landing file a manifest key names: the one sharing the longest tail of path parts
    with the key (a landing copied from a bucket keeps the tail, not the bucket), the one
    nearest the manifest when several share as much."""
    key_parts = PurePosixPath(re.sub(r"^[a-z0-9]+://[^/]+/", "", key)).parts
    if not key_parts:
        return None
    home = PurePosixPath(manifest.relative).parent.parts
    best: tuple[int, int] = (0, 0)
    chosen = None
    for f in files:
        parts = PurePosixPath(f.relative).parts
        if parts[-1] != key_parts[-1]:
            continue
        tail = _common_tail(parts, key_parts)
        near = _common_head(parts, home)
        if (tail, near) > best:
            best, chosen = (tail, near), f
    return chosen


def _common_tail(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_head(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def read_landing_config(side_files: list[RemoteFile]) -> list[LandingRule]:
    """The rules of every ``finops-landing.yml`` among the side files.

    ``datasets: [{match: "<glob below the config's folder>", dataset: actual | amortized}]``;
    a rule's glob is relative to the folder of its config file.
    """
    import yaml

    rules = []
    for side in side_files:
        if PurePosixPath(side.relative).name.lower() not in LANDING_CONFIG_NAMES:
            continue
        with fsspec.open(side.url, "rb") as handle:
            body = yaml.safe_load(handle) or {}
        folder = PurePosixPath(side.relative).parent
        for i, entry in enumerate(body.get("datasets") or [], 1):
            dataset = str(entry.get("dataset", "")).lower()
            dataset = _DATASETS.get(dataset, dataset)
            if dataset not in ("actual", "amortized") or not entry.get("match"):
                raise ValueError(
                    f"{side.url}: datasets entry {i} needs 'match' (a glob) and 'dataset' "
                    f"(actual or amortized), got {entry!r}"
                )
            pattern = str(folder / str(entry["match"])) if str(folder) != "." else entry["match"]
            rules.append(LandingRule(str(pattern), dataset, side.relative))
    return rules


def _rule_for(delivery: Delivery, rules: list[LandingRule]) -> tuple[str, str] | None:
    """The dataset the landing config gives the delivery's parts (the last matching rule)."""
    told = None
    for rule in rules:
        if any(fnmatch.fnmatch(p.relative, rule.match) for p in delivery.parts):
            told = (rule.dataset, f"the landing config says so ({rule.source}: {rule.match})")
    return told


# Billing-period tokens that providers put in delivery paths: Data Exports' `BILLING_PERIOD=`
# folder, CUR's and Azure exports' date-range folder, a bare `YYYYMM` / `YYYY-MM` (GCP shards,
# Azure downloads). A full date (`2026-08-06`) is a delivery date, not a billing period.
_PATH_PERIODS = (
    re.compile(r"BILLING_PERIOD=(\d{4})-(\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})01-\d{8}(?!\d)"),
    re.compile(r"(?<![\d-])(20\d\d)-?(0[1-9]|1[0-2])(?![-\d])"),
)


def periods_in_path(relative: str) -> tuple[dt.date, ...]:
    """The billing month a delivery path names, for a file whose content cannot tell (it was
    refused before its rows were read); empty when the path names none or several."""
    for pattern in _PATH_PERIODS:
        months = {(int(y), int(m)) for y, m in pattern.findall(relative)}
        found = {dt.date(y, m, 1) for y, m in months if 1 <= m <= 12}
        if found:
            return tuple(found) if len(found) == 1 else ()
    return ()
