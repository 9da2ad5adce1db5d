"""The month-end close: reconciliation gate, extracts, manifest and close state (docs/close.md)."""

from dagster_project.close.period import CloseRefused, CloseResult, close_period, refusals

__all__ = ["CloseRefused", "CloseResult", "close_period", "refusals"]
