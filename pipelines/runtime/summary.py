"""The summary every run ends with: mode, rows per table, requests, duration."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RunSummary:
    source: str
    mode: str
    destination: str
    dataset: str
    rows: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def lines(self) -> list[str]:
        """Human-readable lines, one per fact, no secrets (none are held here)."""
        out = [
            f"{self.source}: {self.mode} into {self.destination} dataset {self.dataset}",
            f"  requests: {self.requests} ({self.retries} retried), duration: {self.seconds:.1f}s",
            f"  rows loaded: {self.total_rows}",
        ]
        out += [f"    {table}: {count}" for table, count in sorted(self.rows.items())]
        out += [f"  warning: {warning}" for warning in self.warnings]
        return out
