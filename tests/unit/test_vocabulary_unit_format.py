"""The seed seeds/reference/unit_mappings.csv against FOCUS's Unit Format, checked by a grammar
written here from the spec's Unit Format attribute (not from the project's SQL):

- a unit is ``[<quantity> ]<term>[/[<quantity> ]<term>]``, a term one base unit or two joined
  by ``-`` (compound), a quantity a positive integer;
- a data size base unit is one of the spec's abbreviations (B, KB, ..., b, Kib, ...), a time
  base unit one of its names (Hour/Hours, Month/Months, ...); any other spelling of a time or
  data size (Hrs, Mo, gigabyte, GBs) is not allowed;
- any other base unit is a count noun, capitalised (vCPU is the one lower-case initial every
  provider uses; the spec's count rule is a SHOULD).

``is_focus_unit`` is also used by tests/integration/test_vocabulary.py.
"""

from __future__ import annotations

import csv
import re

from finops_warehouse.locations import PROJECT_DIR

SEED = PROJECT_DIR / "seeds" / "reference" / "unit_mappings.csv"

DATA_SIZES = {
    prefix + suffix
    for prefix in ("", "K", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")
    for suffix in ("b", "B")
}
TIMES = {
    form
    for name in ("Year", "Month", "Day", "Hour", "Minute", "Second", "Millisecond", "Microsecond")
    for form in (name, name + "s")
}
# Spellings of a time or a data size that are not the spec's: never a count noun.
NOT_ALLOWED = re.compile(
    r"(?i)^(hrs?|hours?|mos?|mths?|months?|mins?|minutes?|secs?|seconds?|days?|yrs?|years?"
    r"|[kmgtpe]?i?b(s|ytes?|its?)?|bytes?|bits?|(kilo|mega|giga|tera|peta|exa|kibi|mebi|gibi|tebi"
    r"|pebi|exbi)(bytes?|bits?))$"
)
COUNT_NOUN = re.compile(r"^([A-Z][A-Za-z0-9]*|vCPUs?)$")
QUANTITY = re.compile(r"^[1-9][0-9]*$")


def _base_ok(token: str) -> bool:
    if token in DATA_SIZES or token in TIMES:
        return True
    return bool(COUNT_NOUN.match(token)) and not NOT_ALLOWED.match(token)


def _side_ok(side: str) -> bool:
    words = side.split(" ")
    if len(words) == 2 and QUANTITY.match(words[0]):
        words = words[1:]
    if len(words) != 1:
        return False
    bases = words[0].split("-")
    return 1 <= len(bases) <= 2 and all(_base_ok(base) for base in bases)


def is_focus_unit(value: str) -> bool:
    """True when ``value`` is a measurement unit in FOCUS Unit Format (see the module doc)."""
    sides = value.split("/")
    return 1 <= len(sides) <= 2 and all(_side_ok(side) for side in sides)


def _seed_rows() -> list[dict[str, str]]:
    with SEED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_grammar_accepts_the_specs_examples_and_refuses_provider_spellings():
    for good in (
        "GB",
        "Seconds",
        "GB-Hours",
        "MB-Days",
        "Request-Tokens",
        "GB/Hour",
        "PB/Day",
        "1000 Tokens",
        "1000 Characters",
        "Units/3 Months",
        "Core-Hours/Day",
    ):
        assert is_focus_unit(good), good
    for bad in (
        "Hrs",
        "GB-Mo",
        "gibibyte month",
        "1 Hour ",
        "10K",
        "1/Month",
        "TBs",
        "terabyte",
        "hour",
        "API Requests",
        "Lambda-GB-Second",
        "GB Hours",
    ):
        assert not is_focus_unit(bad), bad


def test_every_seed_unit_is_in_focus_unit_format():
    rows = _seed_rows()
    assert len(rows) > 300  # the providers' published lists, not only what the demo writes
    bad = [
        (row["provider"], row["source_unit"], column, row[column])
        for row in rows
        for column in ("focus_unit", "consumed_unit")
        if not is_focus_unit(row[column])
    ]
    assert bad == []


def test_seed_is_unique_per_provider_and_source_unit_and_block_sizes_agree():
    rows = _seed_rows()
    keys = [(row["provider"], row["source_unit"]) for row in rows]
    assert len(keys) == len(set(keys))
    for row in rows:
        block = int(row["block_size"])
        assert block >= 1
        # the PricingUnit carries the block; the ConsumedUnit is the same unit without it.
        # FOCUS has no block form for a unit with time ("100 GB-Months"): such a unit is
        # priced per base unit (the model scales quantity and unit prices by the block).
        with_time = "-" in row["consumed_unit"] or "/" in row["consumed_unit"]
        if block == 1 or with_time:
            expected = row["consumed_unit"]
        else:
            expected = f"{block} {row['consumed_unit']}"
        assert row["focus_unit"] == expected, row


def test_seed_covers_the_units_real_exports_carry():
    mapped = {(row["provider"], row["source_unit"]): row["focus_unit"] for row in _seed_rows()}
    assert mapped[("AWS", "Hrs")] == "Hours"
    assert mapped[("AWS", "GB-Mo")] == "GB-Months"
    assert mapped[("AWS", "Obj-Month")] == "Object-Months"
    assert mapped[("AWS", "API Requests")] == "Requests"
    assert mapped[("AWS", "Keys")] == "Keys"
    assert mapped[("AWS", "Dashboards")] == "Dashboards"
    assert mapped[("Microsoft", "1 Hour")] == "Hours"
    assert mapped[("Microsoft", "10 Hours")] == "10 Hours"
    assert mapped[("Microsoft", "10K")] == "10000 Units"
    assert mapped[("Microsoft", "1 GB/Month")] == "GB-Months"
    assert mapped[("Microsoft", "100 GB/Month")] == "GB-Months"
    assert mapped[("Google Cloud", "gibibyte month")] == "GiB-Months"
    assert mapped[("Google Cloud", "byte-seconds")] == "B-Seconds"
    assert mapped[("Google Cloud", "requests")] == "Requests"
