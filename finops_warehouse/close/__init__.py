"""The month-end close: reconciliation gate, extracts, manifest and close state (docs/close.md)."""

from finops_warehouse.close.period import CloseRefused, CloseResult, close_period, refusals

__all__ = ["CloseRefused", "CloseResult", "close_period", "refusals"]
