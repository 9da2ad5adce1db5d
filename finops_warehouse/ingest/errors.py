"""The one error type of ingestion: a refused file, said so that its owner can fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FileRefused(Exception):
    """A landing file that cannot be loaded.

    Every refusal names the file, the column and the row (1-based data row, header excluded)
    when there is one, what is wrong, and what to do; ``message`` is what goes to the manifest,
    the ``.error.txt`` beside the quarantined file and the Dagster check.
    """

    file: str
    problem: str
    fix: str
    column: str | None = None
    row: int | None = None
    value: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line: file, where, what, and the fix."""
        where = []
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.row is not None:
            where.append(f"data row {self.row} (line {self.row + 1} counting the header)")
        location = f" at {', '.join(where)}" if where else ""
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.file}{location}: {self.problem}{value}. What to do: {self.fix}"

    def __str__(self) -> str:
        return self.message


class CannotWrite(Exception):
    """The machine cannot write (disk full, a file size limit): not the file's fault, so the
    file stays in the landing and the next run tries again."""

    def __init__(self, cause: BaseException) -> None:
        first = " ".join(str(cause).split())[:200]
        super().__init__(
            f"cannot write: the disk or a file size limit is full ({first}); nothing of this "
            "delivery is loaded; free space and run again"
        )


_NO_ROOM = ("no space left on device", "file too large", "disk quota exceeded")


def raise_if_environmental(exc: BaseException) -> None:
    """Raise what is not the file's fault instead of refusing the file for it: an interrupt
    (Ctrl-C, or the one Dagster raises in a step) that DuckDB reported as a failed query, and a
    full disk."""
    import duckdb

    cause: BaseException | None = exc
    while cause is not None:
        if not isinstance(cause, Exception):  # KeyboardInterrupt and its kin
            raise cause
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, duckdb.InterruptException) or "Query interrupted" in str(exc):
        raise KeyboardInterrupt from exc
    if any(text in str(exc).lower() for text in _NO_ROOM):
        raise CannotWrite(exc) from exc
