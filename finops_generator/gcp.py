"""GCP detailed (resource-level) billing export, dumped from BigQuery as JSON lines.

One file per billing account per ``invoice.month`` (reference section 6). Nested records stay
nested (``service``, ``sku``, ``project`` with labels, ``location``, ``usage``, ``invoice``);
``credits`` is a list with negative amounts; ``cost`` is a FLOAT before credits, written with
at most 6 decimals (micros), so it is exact as a decimal. Usage is billed to the invoice month
of its start in US Pacific time, so the first hours (UTC) of a month sit on the previous
invoice. Also: a resource-based CUD (hourly fee rows, ``COMMITTED_USAGE_DISCOUNT`` credits on
covered cores), sustained-use and promotion credits (two credit types on one row), per-project
tax rows, a usage correction (negation + remonetized row) in a later invoice month, and late
usage of a month's last day landing on the next invoice month.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._textio import TextFile, join_pieces, set_mtime, sha256_of
from ._units import digits, fmt, fmt_array, hexid, stable_int, uniform, units
from .company import GCP_LABELS, make_tags, pick_untagged
from .grid import Schedule, count_active, daily_factor, slots
from .grid import cells as grid_cells
from .periods import HOUR, Month, hour_text, iso

MICRO = 10**4
"""Micros -> ground-truth units (1e-10)."""
INVOICE_ISSUER = "Google LLC"
TS = "%Y-%m-%d %H:%M:%S UTC"
GIB = 2**30
CHUNK_ROWS = 100_000
"""Rows built at once (JSON rows are ~1.6 kB each)."""


@dataclass(frozen=True)
class GcpSku:
    service_id: str
    service: str
    sku_id: str
    description: str
    price: str
    """Price per pricing unit in USD (at most 6 decimals)."""
    pricing_unit: str
    unit: str
    base_per_unit: float
    """Usage units (seconds, bytes, byte-seconds) per pricing unit."""
    qty: str
    daily: bool
    noise: float = 0.15
    weekly: float = 0.4


COMPUTE = ("6F81-5844-456A", "Compute Engine")
STORAGE = ("95FF-2EF5-5EA1", "Cloud Storage")
BIGQUERY = ("24E6-581D-38E5", "BigQuery")
SQL = ("9662-B51E-5089", "Cloud SQL")
LOGGING = ("5490-F7B7-8DF6", "Cloud Logging")
PUBSUB = ("A1E8-BE35-7EBC", "Cloud Pub/Sub")
NETWORK = ("E505-1604-58F8", "Networking")
GKE = ("CCD8-9BF1-090E", "Kubernetes Engine")


def core(family: str, region_name: str, vcpus: int, price: str) -> GcpSku:
    return GcpSku(
        *COMPUTE,
        hexid(4, family, "core").upper()
        + "-"
        + hexid(4, region_name).upper()
        + "-"
        + hexid(4, family, region_name).upper(),
        f"{family} Instance Core running in {region_name}",
        price,
        "hour",
        "seconds",
        3600.0,
        str(vcpus),
        False,
    )


def ram(family: str, region_name: str, gib: int, price: str) -> GcpSku:
    return GcpSku(
        *COMPUTE,
        hexid(4, family, "ram").upper()
        + "-"
        + hexid(4, region_name).upper()
        + "-"
        + hexid(4, family, "r", region_name).upper(),
        f"{family} Instance Ram running in {region_name}",
        price,
        "gibibyte hour",
        "byte-seconds",
        GIB * 3600.0,
        str(gib),
        False,
    )


def daily_sku(
    service: tuple[str, str],
    description: str,
    price: str,
    pricing_unit: str,
    unit: str,
    base: float,
    qty: str,
    noise: float = 0.15,
    weekly: float = 0.4,
) -> GcpSku:
    return GcpSku(
        *service,
        "-".join(hexid(4, description, i).upper() for i in range(3)),
        description,
        price,
        pricing_unit,
        unit,
        base,
        qty,
        True,
        noise,
        weekly,
    )


@dataclass
class Project:
    id: str
    team: str | None
    """Team in the project's labels (None: the project carries no team label)."""
    env: str = "prod"

    def number(self, seed: int) -> str:
        return digits(12, seed, "gcp-project", self.id)


@dataclass
class GcpResource:
    name: str | None
    project: Project
    sku: GcpSku
    team: str
    env: str
    region: str = "us-central1"
    zone: str | None = None
    machine: str | None = None
    start_h: int = 0
    end_h: int = 2**40
    office: bool = False
    cud: bool = False
    sud: bool = False
    promotion: bool = False
    tagged: bool = True
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Account:
    id: str
    resources: list[GcpResource]
    cud_vcpus: int = 0
    cud_price: str = "0"
    cud_project: Project | None = None
    spikes: list[tuple[int, int, int, str, str]] = field(default_factory=list)
    """(resource index, month index, day, extra qty, description)."""

    @property
    def table(self) -> str:
        return "gcp_billing_export_resource_v1_" + self.id.replace("-", "_")


def _global_name(seed: int, x: GcpResource) -> str | None:
    if x.name is None:
        return None
    if x.machine:
        return (
            f"//compute.googleapis.com/projects/{x.project.id}/zones/{x.zone}/instances/"
            f"{digits(19, seed, x.name)}"
        )
    if x.sku.service == "Cloud Storage":
        return f"//storage.googleapis.com/projects/_/buckets/{x.name}"
    if x.sku.service == "Cloud SQL":
        return f"//cloudsql.googleapis.com/projects/{x.project.id}/instances/{x.name}"
    return (
        f"//{x.sku.service.lower().replace(' ', '')}.googleapis.com/projects/"
        f"{x.project.id}/{x.name}"
    )


def accounts(seed: int, months: list[Month], fleet: int) -> list[Account]:
    lo, hi = months[0].start_h - 24 * 60, months[-1].end_h + 24 * 60
    search = Project("kc-search-prod", None)
    ml = Project("kc-ml-prod", None)
    data = Project("kc-data-prod", None)
    net = Project("kc-shared-net", "platform")
    research = Project("kc-ml-research", "ml", "dev")
    am = "Americas"
    n2c, n2r = core("N2", am, 4, "0.031611"), ram("N2", am, 16, "0.004237")
    n1c, n1r = core("N1", am, 8, "0.031611"), ram("N1", am, 30, "0.004237")

    def vm(
        name: str, project: Project, team: str, sku: GcpSku, machine: str, zone: str, **kw: Any
    ) -> GcpResource:
        return GcpResource(
            name, project, sku, team, project.env, zone[:-2], zone, machine, lo, hi, **kw
        )

    main: list[GcpResource] = []
    for i in (1, 2):
        for sku in (n2c, n2r):
            main.append(
                vm(
                    f"ml-feature-{i}",
                    ml,
                    "ml",
                    sku,
                    "n2-standard-4",
                    "us-central1-a",
                    cud=sku is n2c,
                )
            )
    for sku in (n2c, n2r):
        main.append(
            vm(
                "etl-batch-1",
                data,
                "data-platform",
                sku,
                "n2-standard-4",
                "us-central1-b",
                cud=sku is n2c,
                office=True,
            )
        )
    for sku in (n1c, n1r):
        main.append(
            vm("search-ranker-1", search, "search", sku, "n1-standard-8", "us-east1-b", sud=True)
        )
    main += [
        GcpResource(
            "kc-search-assets",
            search,
            daily_sku(
                STORAGE,
                "Standard Storage US Multi-region",
                "0.026",
                "gibibyte month",
                "byte-seconds",
                GIB * 2629746.0,
                "420.000",
                noise=0.01,
                weekly=0,
            ),
            "search",
            "prod",
            "us",
            None,
        ),
        GcpResource(
            None,
            data,
            daily_sku(
                BIGQUERY, "Analysis", "6.25", "tebibyte", "bytes", float(2**40), "3.200", noise=0.35
            ),
            "data-platform",
            "prod",
            "us",
            None,
        ),
        GcpResource(
            None,
            data,
            daily_sku(
                BIGQUERY,
                "Active Logical Storage",
                "0.02",
                "gibibyte month",
                "byte-seconds",
                GIB * 2629746.0,
                "1500.000",
                noise=0.01,
                weekly=0,
            ),
            "data-platform",
            "prod",
            "us",
            None,
        ),
        GcpResource(
            "orders-db",
            data,
            daily_sku(
                SQL,
                "Cloud SQL for PostgreSQL: Zonal - vCPU in Americas",
                "0.0413",
                "hour",
                "seconds",
                3600.0,
                "96",
                noise=0,
                weekly=0,
            ),
            "data-platform",
            "prod",
            "us-central1",
            "us-central1-c",
        ),
        GcpResource(
            None,
            ml,
            daily_sku(
                PUBSUB, "Message Delivery Basic", "40", "tebibyte", "bytes", float(2**40), "0.150"
            ),
            "ml",
            "prod",
            "global",
            None,
        ),
        GcpResource(
            None,
            net,
            daily_sku(
                NETWORK,
                "Network Internet Egress from Americas to Americas",
                "0.12",
                "gibibyte",
                "bytes",
                float(GIB),
                "180.000",
            ),
            "platform",
            "prod",
            "us-central1",
            None,
        ),
        GcpResource(
            "platform-gke",
            net,
            daily_sku(
                GKE,
                "Regional Kubernetes Clusters",
                "0.1",
                "hour",
                "seconds",
                3600.0,
                "24",
                noise=0,
                weekly=0,
            ),
            "platform",
            "prod",
            "us-central1",
            None,
        ),
        GcpResource(
            None,
            search,
            daily_sku(LOGGING, "Log Volume", "0.5", "gibibyte", "bytes", float(GIB), "40.000"),
            "search",
            "prod",
            "global",
            None,
        ),
    ]
    e2c, e2r = core("E2", am, 4, "0.021811"), ram("E2", am, 16, "0.002923")
    teams = [(search, "search"), (ml, "ml"), (data, "data-platform")]
    span = months[-1].end_h - months[0].start_h
    for i in range(fleet):
        h = stable_int(seed, "gcp-fleet", i)
        project, team = teams[h % len(teams)]
        start, end = lo, hi
        if (h >> 8) % 10 < 4:
            start = months[0].start_h + (h >> 12) % max(span - 72, 1)
            end = start + 72 + (h >> 40) % span
        for sku in (e2c, e2r):
            main.append(
                GcpResource(
                    f"{team}-worker-{i}",
                    project,
                    sku,
                    team,
                    project.env,
                    "us-east1",
                    "us-east1-c",
                    "e2-standard-4",
                    start,
                    end,
                )
            )
    bq = next(i for i, x in enumerate(main) if x.sku.description == "Analysis")
    spike_month = min(2, len(months) - 1)
    gpu = GcpSku(
        *COMPUTE,
        "039F-D0DA-4055",
        "Nvidia Tesla T4 GPU running in Americas",
        "0.35",
        "hour",
        "seconds",
        3600.0,
        "1",
        False,
    )
    research_res = [
        GcpResource(
            "notebook-gpu-1",
            research,
            gpu,
            "ml",
            "dev",
            "us-central1",
            "us-central1-f",
            "n1-standard-4",
            lo,
            hi,
            office=True,
            promotion=True,
        ),
        GcpResource(
            "notebook-gpu-1",
            research,
            core("N1", am, 4, "0.031611"),
            "ml",
            "dev",
            "us-central1",
            "us-central1-f",
            "n1-standard-4",
            lo,
            hi,
            office=True,
            sud=True,
            promotion=True,
        ),
        GcpResource(
            "kc-research-datasets",
            research,
            daily_sku(
                STORAGE,
                "Standard Storage US Regional",
                "0.02",
                "gibibyte month",
                "byte-seconds",
                GIB * 2629746.0,
                "160.000",
                noise=0.02,
                weekly=0,
            ),
            "ml",
            "dev",
            "us-central1",
            None,
            promotion=True,
        ),
    ]
    return [
        Account(
            "01A2B3-C4D5E6-F7A8B9",
            main,
            12,
            "0.019915",
            net,
            [
                (
                    bq,
                    spike_month,
                    21,
                    units("18", 3),
                    "ad-hoc analyst query scanned the raw event tables",
                )
            ],
        ),
        Account("0C1D2E-3F4A5B-6C7D8E", research_res),
    ]


def finalize(acct: Account, seed: int, expected: np.ndarray) -> None:
    """Labels; ~15% of expected spend without a team label (project or resource)."""
    keys = sorted({x.name or f"#{i}" for i, x in enumerate(acct.resources)})
    pos = {k: i for i, k in enumerate(keys)}
    cost = np.zeros(len(keys))
    eligible = np.ones(len(keys), dtype=bool)
    for i, (x, c) in enumerate(zip(acct.resources, expected, strict=True)):
        k = pos[x.name or f"#{i}"]
        cost[k] += c
        eligible[k] &= x.project.team is None
    untagged = pick_untagged(cost, eligible, stable_int(seed, acct.id, "untag"))
    for i, x in enumerate(acct.resources):
        u = bool(untagged[pos[x.name or f"#{i}"]])
        x.labels = make_tags(GCP_LABELS, seed, x.name or f"{acct.id}#{i}", x.team, x.env, not u)
        x.tagged = not u or x.project.team is not None


def _json(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def _kv(d: dict[str, str]) -> str:
    return _json([{"key": k, "value": v} for k, v in d.items()])


class GcpEngine:
    """JSON lines of one billing account, invoice month by invoice month."""

    def __init__(self, acct: Account, months: list[Month], seed: int) -> None:
        self.acct = acct
        self.months = months
        self.seed = seed
        res = acct.resources
        self.n = len(res)
        self._key = stable_int(seed, acct.id, "qty")
        self.cud_id = digits(19, seed, acct.id, "cud") if acct.cud_vcpus else None
        frag: dict[str, list[str]] = {
            k: []
            for k in (
                "service",
                "sku",
                "project",
                "labels",
                "system",
                "location",
                "resource",
                "unit",
                "punit",
            )
        }
        for x in res:
            frag["service"].append(_json({"id": x.sku.service_id, "description": x.sku.service}))
            frag["sku"].append(_json({"id": x.sku.sku_id, "description": x.sku.description}))
            frag["project"].append(self._project(x.project))
            frag["labels"].append(_kv(x.labels))
            sysl = {}
            if x.machine:
                family, _, size = x.machine.rpartition("-")
                cores = int(size)
                sysl = {
                    "compute.googleapis.com/cores": str(cores),
                    "compute.googleapis.com/machine_spec": x.machine,
                    "compute.googleapis.com/memory": str(
                        cores * (3840 if "n1" in family else 4096)
                    ),
                }
            frag["system"].append(_kv(sysl))
            frag["location"].append(_location(x))
            gname = _global_name(seed, x)
            frag["resource"].append(_json({"name": x.name, "global_name": gname}))
            frag["unit"].append(x.sku.unit)
            frag["punit"].append(x.sku.pricing_unit)
        self.frag = {k: pa.array(v, pa.string()) for k, v in frag.items()}
        self.global_names = [_global_name(seed, x) for x in res]
        self.price = np.array([units(x.sku.price, 6) for x in res], np.int64)
        self.qty_milli = np.array([units(x.sku.qty, 3) for x in res], np.int64)
        self.base = np.array([x.sku.base_per_unit for x in res])
        self.noise = np.array([x.sku.noise for x in res])
        self.weekly = np.array([x.sku.weekly for x in res])
        self.daily = np.array([x.sku.daily for x in res], dtype=bool)
        self.cud = np.array([x.cud for x in res], dtype=bool)
        self.sud = np.array([x.sud for x in res], dtype=bool)
        self.promo = np.array([x.promotion for x in res], dtype=bool)
        self.vcpus = self.qty_milli // 1000
        self.sched = Schedule.build([(x.start_h, x.end_h, -1, -1, x.office) for x in res])
        self.spikes = []
        for ri, mi, day, extra, _desc in acct.spikes:
            if mi < len(months):
                self.spikes.append((ri, months[mi].start_h + 24 * (day - 1), extra))

    def _project(self, p: Project) -> str:
        labels = {"env": p.env, **({"team": p.team} if p.team else {})}
        org, folder = digits(12, self.seed, "org"), digits(12, self.seed, "f")
        return _json(
            {
                "id": p.id,
                "number": p.number(self.seed),
                "name": p.id,
                "labels": [{"key": k, "value": v} for k, v in labels.items()],
                "ancestry_numbers": f"/{org}/{folder}/",
                "ancestors": [
                    {"resource_name": f"projects/{p.number(self.seed)}", "display_name": p.id},
                    {
                        "resource_name": f"folders/{folder}",
                        "display_name": "production" if p.env == "prod" else "research",
                    },
                    {
                        "resource_name": f"organizations/{org}",
                        "display_name": "kestrel-commerce.example",
                    },
                ],
            }
        )

    def active_counts(self, month: Month) -> np.ndarray:
        lo, hi = month.pacific_bounds_h
        out = np.zeros(self.n, np.int64)
        for daily in (False, True):
            res = np.flatnonzero(self.daily == daily)
            out += count_active(res, slots(lo, hi, daily), self.sched, daily, self.n)
        return out

    def expected_rows(self, month: Month, counts: np.ndarray) -> int:
        lo, hi = month.pacific_bounds_h
        return int(counts.sum()) + (hi - lo if self.cud_id else 0) + 12

    def expected_list_cost(self, counts: list[np.ndarray]) -> np.ndarray:
        return (np.sum(counts, axis=0) * self.qty_milli * self.price / 1000 * MICRO).astype(float)

    def rows(self, month: Month, st: GcpStats) -> Iterator[bytes]:
        """Yield text chunks of the month's JSON lines (bulk, then the special rows)."""
        lo, hi = month.pacific_bounds_h
        st.list_cost = np.zeros(self.n, np.int64)
        st.res_net = np.zeros(self.n, np.int64)
        st.cud_used = 0
        for daily in (False, True):
            res = np.flatnonzero(self.daily == daily)
            for r, s in grid_cells(res, slots(lo, hi, daily), self.sched, daily, CHUNK_ROWS):
                yield self._bulk(month, st, r, s, daily)
        yield self._specials(month, st)

    def _bulk(self, month: Month, st: GcpStats, r: np.ndarray, s: np.ndarray, daily: bool) -> bytes:
        n = len(r)
        span = 24 if daily else 1
        qty = self.qty_milli[r].copy()
        if daily:
            f = daily_factor(self._key, r, s, self.noise[r], self.weekly[r])
            qty = np.maximum(np.round(qty * f), 1).astype(np.int64)
            for i, (sr, sh, extra) in enumerate(self.spikes):
                hit = (r == sr) & (s == sh)
                if hit.any():
                    qty[hit] += extra
                    st.spikes.append((i, extra * int(self.price[sr]) // 1000))
        cost = qty * self.price[r] // 1000
        cud = np.where(self.cud[r], -cost, 0)
        sud = np.where(self.sud[r], -(cost * 20 // 100), 0)
        promo = np.where(self.promo[r], -((cost + sud) // 2), 0)
        credits = cud + sud + promo
        st.cud_used += int((qty[self.cud[r]] // 1000).sum())
        st.rows += n
        st.cost += int(cost.sum())
        st.credits += int(credits.sum())
        np.add.at(st.list_cost, r, cost)
        np.add.at(st.res_net, r, cost + credits)
        t0 = hour_text(s, TS, int(s.min()), int(s.max()) + 1)
        t1 = hour_text(s + span, TS, int(s.min()) + span, int(s.max()) + span + 1)
        export = _export_time(self.seed, s + span + 3)
        amount = _float_text(qty / 1000 * self.base[r])
        pieces = [
            f'{{"billing_account_id":"{self.acct.id}","service":',
            self.frag["service"].take(r),
            ',"sku":',
            self.frag["sku"].take(r),
            ',"usage_start_time":"',
            t0,
            '","usage_end_time":"',
            t1,
            '","project":',
            self.frag["project"].take(r),
            ',"labels":',
            self.frag["labels"].take(r),
            ',"system_labels":',
            self.frag["system"].take(r),
            ',"location":',
            self.frag["location"].take(r),
            ',"resource":',
            self.frag["resource"].take(r),
            ',"tags":[],"subscription":null,"transaction_type":"GOOGLE","seller_name":null,'
            '"export_time":"',
            export,
            '","cost":',
            fmt_array(cost, 6, point=True),
            ',"currency":"USD","currency_conversion_rate":1.0,"usage":{"amount":',
            amount,
            ',"unit":"',
            self.frag["unit"].take(r),
            '","amount_in_pricing_units":',
            fmt_array(qty, 3, point=True),
            ',"pricing_unit":"',
            self.frag["punit"].take(r),
            '"},"credits":',
            _credits(cud, sud, promo),
            f',"invoice":{{"month":"{month.yyyymm}","publisher_type":"GOOGLE"}},'
            '"cost_type":"regular","adjustment_info":null,"cost_at_list":',
            fmt_array(cost, 6, point=True),
            "}\n",
        ]
        return join_pieces(pieces, n)

    def _row(
        self,
        month: Month,
        st: GcpStats,
        x: GcpResource | None,
        i: int | None,
        *,
        start_s: int,
        end_s: int,
        export_s: int,
        cost: int,
        cost_type: str,
        sku: tuple[str, str] | None = None,
        service: tuple[str, str] | None = None,
        qty_milli: int = 0,
        project: Project | None = None,
        invoice: Month | None = None,
        adjustment: dict | None = None,
        subscription: str | None = None,
    ) -> str:
        """One hand-written row as JSON text (fees, tax, corrections, late usage)."""
        inv = invoice or month
        if x is not None:
            svc = {"id": x.sku.service_id, "description": x.sku.service}
            sk = {"id": x.sku.sku_id, "description": x.sku.description}
            unit, punit, base = x.sku.unit, x.sku.pricing_unit, x.sku.base_per_unit
            labels = json.loads(self.frag["labels"][i].as_py())
            resource = json.loads(self.frag["resource"][i].as_py())
            location = json.loads(self.frag["location"][i].as_py())
            project = x.project
        else:
            svc = {"id": service[0], "description": service[1]}
            sk = {"id": sku[0], "description": sku[1]}
            unit, punit, base = "seconds", "hour", 3600.0
            labels, resource = [], {"name": None, "global_name": None}
            location = {
                "location": "us-central1",
                "country": "US",
                "region": "us-central1",
                "zone": None,
            }
        row = {
            "billing_account_id": self.acct.id,
            "service": svc,
            "sku": sk,
            "usage_start_time": iso(start_s, TS),
            "usage_end_time": iso(end_s, TS),
            "project": json.loads(self._project(project)) if project else None,
            "labels": labels,
            "system_labels": [],
            "location": location,
            "resource": resource,
            "tags": [],
            "subscription": {"instance_id": subscription} if subscription else None,
            "transaction_type": "GOOGLE" if cost_type == "regular" else None,
            "seller_name": None,
            "export_time": iso(export_s, "%Y-%m-%d %H:%M:%S.") + "412081 UTC",
            "cost": "@COST@",
            "currency": "USD",
            "currency_conversion_rate": 1.0,
            "usage": {
                "amount": qty_milli / 1000 * base,
                "unit": unit,
                "amount_in_pricing_units": qty_milli / 1000,
                "pricing_unit": punit,
            },
            "credits": [],
            "invoice": {"month": inv.yyyymm, "publisher_type": "GOOGLE"},
            "cost_type": cost_type,
            "adjustment_info": adjustment,
            "cost_at_list": "@COST@",
        }
        st.rows += 1
        st.cost += cost
        if project is not None and cost_type != "tax":
            st.other_net[project.id] = st.other_net.get(project.id, 0) + cost
        text = _json(row).replace('"@COST@"', fmt(cost, 6, point=True))
        return text + "\n"

    def _specials(self, month: Month, st: GcpStats) -> bytes:
        lines: list[str] = []
        lo, hi = month.pacific_bounds_h
        acct = self.acct
        # Resource-based CUD: one fee row per hour, for the committed vCPUs.
        if self.cud_id:
            fee = units(acct.cud_price, 6) * acct.cud_vcpus
            for h in range(lo, hi):
                lines.append(
                    self._row(
                        month,
                        st,
                        None,
                        None,
                        start_s=h * HOUR,
                        end_s=(h + 1) * HOUR,
                        export_s=(h + 4) * HOUR + 1800,
                        cost=fee,
                        cost_type="regular",
                        service=COMPUTE,
                        sku=("B5A9-3F55-5F3C", "Commitment v1: Cpu in Americas for 1 Year"),
                        qty_milli=acct.cud_vcpus * 1000,
                        project=acct.cud_project,
                        subscription=self.cud_id,
                    )
                )
            hours = hi - lo
            price = units(acct.cud_price, 6)
            used = st.cud_used * price
            st.cud = (used * MICRO, (acct.cud_vcpus * hours * price - used) * MICRO)
        # Late usage of the previous month's last day, exported after its invoice closed.
        if month.index > 0:
            prev = self.months[month.index - 1]
            day = prev.end_h - 24
            for i, x in enumerate(acct.resources):
                if x.sku.daily and x.name and x.sku.noise > 0.05 and i % 2 == 0:
                    qty = max(int(self.qty_milli[i]) // 10, 1)
                    cost = qty * int(self.price[i]) // 1000
                    lines.append(
                        self._row(
                            month,
                            st,
                            x,
                            i,
                            start_s=day * HOUR,
                            end_s=(day + 24) * HOUR,
                            export_s=month.day_at(3, 9),
                            cost=cost,
                            cost_type="regular",
                            qty_milli=qty,
                        )
                    )
                    st.list_cost[i] += cost
        # A metering error on day 14 of the first month, corrected in the second month.
        logging = next(
            (i for i, x in enumerate(acct.resources) if x.sku.service == "Cloud Logging"), None
        )
        if logging is not None:
            x = acct.resources[logging]
            first = self.months[0]
            wrong_qty = int(self.qty_milli[logging]) * 3
            wrong = wrong_qty * int(self.price[logging]) // 1000
            day_s = first.day_at(14)
            if month.index == 0:
                lines.append(
                    self._row(
                        month,
                        st,
                        x,
                        logging,
                        start_s=day_s,
                        end_s=day_s + 86400,
                        export_s=day_s + 86400 + 5 * HOUR,
                        cost=wrong,
                        cost_type="regular",
                        qty_milli=wrong_qty,
                    )
                )
                st.list_cost[logging] += wrong
            if month.index == 1:
                adj = {
                    "id": digits(12, self.seed, "adj"),
                    "description": f"Usage correction: Cloud Logging ingestion on "
                    f"{iso(day_s, '%Y-%m-%d')} was metered three times",
                    "type": "USAGE_CORRECTION",
                    "mode": "COMPLETE_NEGATION_WITH_REMONETIZATION",
                }
                right_qty = wrong_qty // 3
                for q, c in (
                    (-wrong_qty, -wrong),
                    (right_qty, right_qty * int(self.price[logging]) // 1000),
                ):
                    lines.append(
                        self._row(
                            month,
                            st,
                            x,
                            logging,
                            start_s=day_s,
                            end_s=day_s + 86400,
                            export_s=month.day_at(6, 11),
                            cost=c,
                            cost_type="adjustment",
                            qty_milli=q,
                            adjustment=adj,
                        )
                    )
        # Sales tax per project, on the invoice month's net charges.
        net = dict(st.other_net)
        for i, x in enumerate(acct.resources):
            net[x.project.id] = net.get(x.project.id, 0) + int(st.res_net[i])
        projects = {x.project.id: x.project for x in acct.resources}
        if acct.cud_project is not None:
            projects[acct.cud_project.id] = acct.cud_project
        for pid in sorted(net):
            base = net[pid]
            if base <= 0:
                continue
            tax = (base * 5 + 50 * 10**4) // (100 * 10**4) * 10**4  # 5%, whole cents
            lines.append(
                self._row(
                    month,
                    st,
                    None,
                    None,
                    start_s=lo * HOUR,
                    end_s=hi * HOUR,
                    export_s=month.next_at(1, 12),
                    cost=tax,
                    cost_type="tax",
                    service=("E4A3-3B20-ADC7", "Invoice"),
                    sku=("F2B5-2B2E-0C3B", "Tax"),
                    project=projects[pid],
                )
            )
        return "".join(lines).encode()


@dataclass
class GcpStats:
    rows: int = 0
    cost: int = 0
    credits: int = 0
    list_cost: np.ndarray | None = None
    cud_used: int = 0
    cud: tuple[int, int] | None = None
    spikes: list[tuple[int, int]] = field(default_factory=list)
    res_net: np.ndarray | None = None
    other_net: dict[str, int] = field(default_factory=dict)
    """Net charges of hand-written rows per project (the base of the tax rows)."""


def _float_text(values: np.ndarray) -> pa.Array:
    """FLOAT values as BigQuery's JSON export writes them (always with a point or exponent)."""
    text = pa.array(values, pa.float64()).cast(pa.string())
    plain = pc.invert(pc.match_substring_regex(text, "[.eE]"))
    return pc.if_else(plain, pc.binary_join_element_wise(text, ".0", ""), text)


def _location(x: GcpResource) -> str:
    if x.region in ("global", "us"):
        loc = {
            "location": x.region.upper() if x.region == "us" else "global",
            "country": "US" if x.region == "us" else None,
            "region": None,
            "zone": None,
        }
    else:
        loc = {"location": x.zone or x.region, "country": "US", "region": x.region, "zone": x.zone}
    return _json(loc)


def _credit(name: str, type_: str, amount: np.ndarray) -> pa.Array:
    text = pc.binary_join_element_wise(
        f'{{"name":"{name}","amount":',
        fmt_array(amount, 6, point=True),
        f',"full_name":null,"id":"{name}","type":"{type_}"}},',
        "",
    )
    return pc.if_else(pa.array(amount != 0), text, "")


def _credits(cud: np.ndarray, sud: np.ndarray, promo: np.ndarray) -> pa.Array:
    joined = pc.binary_join_element_wise(
        "[",
        _credit("Committed Usage Discount: CPU", "COMMITTED_USAGE_DISCOUNT", cud),
        _credit("Sustained Usage Discount", "SUSTAINED_USAGE_DISCOUNT", sud),
        _credit("Research credits program", "PROMOTION", promo),
        "]",
        "",
    )
    return pc.replace_substring(joined, ",]", "]")


def _export_time(seed: int, hours: np.ndarray) -> pa.Array:
    """One load per hour: the same export_time for all rows of a load, increasing."""
    lo, hi = int(hours.min()), int(hours.max()) + 1
    hs = np.arange(lo, hi)
    minute = (uniform(stable_int(seed, "gcp-export"), hs) * 3000).astype(np.int64) + 300
    micro = (uniform(stable_int(seed, "gcp-export-us"), hs) * 10**6).astype(np.int64)
    text = [
        f"{iso(h * HOUR + int(m), '%Y-%m-%d %H:%M:%S')}.{int(u):06d} UTC"
        for h, m, u in zip(hs.tolist(), minute.tolist(), micro.tolist(), strict=True)
    ]
    return pa.array(text, pa.string()).take(pa.array(hours - lo))


def generate(
    root: Path, engines: list[GcpEngine], gt: Any, progress: Any, gzipped: bool = False
) -> None:
    from .ground_truth import CommitmentRecord, FileRecord, InvoiceRecord, SpikeRecord

    for eng in engines:
        acct = eng.acct
        commitment = None
        if eng.cud_id:
            start = eng.months[0].start_s - 86400 * 90
            commitment = CommitmentRecord(
                id=eng.cud_id,
                provider="Google Cloud",
                format="gcp_billing",
                billing_account_id=acct.id,
                type="Committed Use Discount (resource-based)",
                category="Usage",
                term="P1Y",
                start=iso(start),
                end=iso(start + 365 * 86400),
                payment_option="Monthly",
                upfront=0,
                recurring_fee=units(acct.cud_price) * acct.cud_vcpus,
                recurring_fee_period="hour",
                currency="USD",
                scope=f"{acct.cud_vcpus} N2 vCPUs in us-central1, shared across projects of "
                "the billing account",
                description=f"Commitment v1: Cpu in Americas for 1 Year ({acct.cud_vcpus} "
                f"vCPU), purchased in project {acct.cud_project.id}",
            )
            gt.commitments.append(commitment)
        for month in eng.months:
            path = (
                root
                / "gcp"
                / "billing_export"
                / acct.table
                / month.yyyymm
                / f"{acct.table}-000000000000.jsonl{'.gz' if gzipped else ''}"
            )
            f = TextFile(path, gz=gzipped)
            st = GcpStats()
            for chunk in eng.rows(month, st):
                f.write(chunk)
            f.close()
            mtime = month.next_at(5, 3)
            set_mtime(path, mtime)
            gt.files.append(
                FileRecord(
                    path=path.relative_to(root.parent).as_posix(),
                    format="gcp_billing",
                    billing_account_id=acct.id,
                    billing_period=month.label,
                    rows=st.rows,
                    cost_total=st.cost * MICRO,
                    currency="USD",
                    superseded=False,
                    delivered_at=iso(mtime),
                    bytes=path.stat().st_size,
                    sha256=sha256_of(path),
                )
            )
            billed = (st.cost + st.credits) * MICRO
            gt.totals[("gcp_billing", acct.id, month.label, "USD")] += billed
            gt.invoices.append(
                InvoiceRecord(
                    invoice_id=digits(10, eng.seed, acct.id, month.label),
                    invoice_issuer=INVOICE_ISSUER,
                    provider="Google Cloud",
                    billing_account_id=acct.id,
                    billing_period=month.label,
                    currency="USD",
                    amount=billed,
                    issue_date=iso(month.next_at(2), "%Y-%m-%d"),
                    source_format="gcp_billing",
                    kind="monthly",
                )
            )
            if commitment and st.cud:
                commitment.utilization[month.label] = st.cud
            for i, extra in st.spikes:
                ri, mi, day, _, desc = acct.spikes[i]
                x = acct.resources[ri]
                gt.spikes.append(
                    SpikeRecord(
                        kind="spike",
                        provider="Google Cloud",
                        format="gcp_billing",
                        billing_account_id=acct.id,
                        billing_period=month.label,
                        resource_id=eng.global_names[ri] or f"{x.project.id}/{x.sku.service}",
                        date=iso(eng.months[mi].day_at(day), "%Y-%m-%d"),
                        extra_cost=extra * MICRO,
                        currency="USD",
                        team=x.team,
                        description=desc,
                    )
                )
            tagged = np.array([x.tagged for x in acct.resources])
            gt.add_usage_cost(
                "gcp_billing",
                int(st.list_cost[~tagged].sum()) * MICRO,
                int(st.list_cost.sum()) * MICRO,
            )
            for i, x in enumerate(acct.resources):
                if eng.global_names[i] and st.list_cost[i]:
                    gt.resource_owners[eng.global_names[i]] = x.team
            if progress:
                progress(f"gcp_billing {acct.id} {month.label}: {st.rows:,} rows")
