"""The Recovery section, from fct_health_daily: heart-rate variability against its own 30-day
baseline, the resting heart rate trend, and SpO2 and skin-temperature nights outside the
person's usual range.

The person is their own reference: a baseline is the mean of the 30 days before the last 7,
and a usual range is that mean plus or minus two standard deviations (at least ``MIN_SPREAD``
of the measure, so a very steady month does not flag noise). A measure a device never took
reads "not measured", never 0.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from pipelines.report.model import (
    Chart,
    Figure,
    Section,
    Table,
    change,
    mean,
    not_connected,
    series,
)
from pipelines.sources import feeding, labels

COLUMNS = ("health_date, resting_heart_rate, hrv_ms, spo2_percent, breaths_per_minute, "
           "temperature_deviation_celsius, vo2_max, weight_kg")
RECENT_DAYS, BASELINE_DAYS, DAYS_SHOWN = 7, 30, 90
NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class Measure:
    column: str
    label: str
    unit: str
    digits: int
    min_spread: float  # the narrowest half-width a usual range may have


HRV = Measure("hrv_ms", "Heart-rate variability", " ms", 0, 3.0)
RESTING = Measure("resting_heart_rate", "Resting heart rate", " bpm", 0, 2.0)
SPO2 = Measure("spo2_percent", "SpO2", "%", 1, 1.0)
TEMPERATURE = Measure("temperature_deviation_celsius", "Skin temperature", " °C", 1, 0.5)
BREATHING = Measure("breaths_per_minute", "Breathing rate", "/min", 1, 1.0)
VO2 = Measure("vo2_max", "VO2 max", "", 1, 1.0)
WEIGHT = Measure("weight_kg", "Weight", " kg", 1, 1.0)
FLAGGED = (SPO2, TEMPERATURE)


def _windows(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """The last ``RECENT_DAYS`` days and the ``BASELINE_DAYS`` days before them."""
    latest = date.fromisoformat(max(row["health_date"] for row in rows))
    recent_from = (latest - timedelta(days=RECENT_DAYS - 1)).isoformat()
    baseline_from = (latest - timedelta(days=RECENT_DAYS + BASELINE_DAYS - 1)).isoformat()
    recent = [row for row in rows if row["health_date"] >= recent_from]
    baseline = [row for row in rows if baseline_from <= row["health_date"] < recent_from]
    return recent, baseline


def _values(rows: list[dict], column: str) -> list[float]:
    return [float(row[column]) for row in rows if row[column] is not None]


def usual_range(rows: list[dict], measure: Measure) -> tuple[float, float] | None:
    """Mean +- two standard deviations over ``rows`` (None with fewer than 7 values)."""
    values = _values(rows, measure.column)
    if len(values) < 7:
        return None
    centre = statistics.fmean(values)
    spread = max(2 * statistics.pstdev(values), measure.min_spread)
    return centre - spread, centre + spread


def flags(rows: list[dict]) -> list[list]:
    """[date, measure, value, usual range] for each recent night outside the usual range."""
    recent, baseline = _windows(rows)
    out = []
    for measure in FLAGGED:
        bounds = usual_range(baseline, measure)
        if bounds is None:
            continue
        low, high = bounds
        for row in recent:
            value = row[measure.column]
            if value is not None and not low <= float(value) <= high:
                out.append([row["health_date"], measure.label,
                            _show(float(value), measure, signed=measure is TEMPERATURE),
                            f"{_show(low, measure)} to {_show(high, measure)}"])
    return sorted(out)


def _show(value: float | None, measure: Measure, signed: bool = False) -> str:
    if value is None:
        return NOT_MEASURED
    number = f"{value:+.{measure.digits}f}" if signed else f"{value:.{measure.digits}f}"
    return number + measure.unit


def figure(rows: list[dict], measure: Measure, metric: str) -> Figure:
    """The last 7 days' mean against the 30 days before (its baseline); "not measured" when
    the device took none."""
    recent, baseline = _windows(rows)
    value = mean(row[measure.column] for row in recent)
    before = mean(row[measure.column] for row in baseline)
    if value is None and not _values(rows, measure.column):
        return Figure(metric, measure.label, None, NOT_MEASURED)
    moved = change(value, before, measure.unit, measure.digits)
    # the baseline goes in the note: the page labels a figure's own comparison "previous 4 weeks"
    signed = measure is TEMPERATURE  # a deviation from the person's own baseline
    return Figure(metric, measure.label, value,
                  _show(value, measure, signed) if value is not None else "no data this week",
                  before, "", f"{moved} on its 30-day baseline ({_show(before, measure, signed)})"
                  if moved else "")


def recovery_section(rows: list[dict], connected: set[str]) -> Section:
    """Figures, the HRV and resting heart rate charts, the flags and a takeaway."""
    section = Section("recovery", "Recovery", feeding("fct_health_daily"))
    if not any(name in connected for name in section.sources):
        return not_connected(section, list(section.sources))
    measured = [row for row in rows if any(row[m.column] is not None for m in
                                           (HRV, RESTING, SPO2, TEMPERATURE, BREATHING))]
    if not measured:
        source = " and ".join(labels()[name] for name in section.sources)
        section.takeaway = ("Heart-rate variability, resting heart rate, SpO2 and skin "
                            f"temperature: {NOT_MEASURED} (the {source} grant may lack "
                            "health_metrics_and_measurements, or the device does not take them).")
        return section
    rows = sorted(measured, key=lambda row: row["health_date"])
    section.figures = [figure(rows, HRV, "hrv"), figure(rows, RESTING, "resting_heart_rate"),
                       figure(rows, SPO2, "spo2"), figure(rows, TEMPERATURE, "temperature"),
                       figure(rows, BREATHING, "breathing_rate")]
    shown = [row for row in rows if row["health_date"] >= (
        date.fromisoformat(rows[-1]["health_date"]) - timedelta(days=DAYS_SHOWN - 1)).isoformat()]
    dates = [row["health_date"] for row in shown]
    if _values(shown, HRV.column):
        section.charts.append(Chart("recovery-hrv", "Heart-rate variability (ms)", "line", dates, [
            series("HRV", [row["hrv_ms"] for row in shown], showLine=False),
            series("30-day baseline", rolling_baseline(rows, shown, HRV.column)),
        ], "ms"))
    if _values(shown, RESTING.column):  # the trend: each night against its 30-day baseline
        section.charts.append(Chart("recovery-resting", "Resting heart rate (bpm)", "line", dates, [
            series("resting heart rate", [row["resting_heart_rate"] for row in shown],
                   showLine=False),
            series("30-day baseline", rolling_baseline(rows, shown, RESTING.column)),
        ], "bpm"))
    found = flags(rows)
    section.tables = [Table("Nights outside your usual range", ["date", "measure", "value",
                                                                 "usual range"], found,
                            empty="None in the last 7 days.")]
    section.takeaway = takeaway(section.figures, found)
    return section


def rolling_baseline(rows: list[dict], shown: list[dict], column: str) -> list[float | None]:
    """For each shown date, the mean of ``column`` over the 30 calendar days before it."""
    by_date = {row["health_date"]: row[column] for row in rows}
    out = []
    for row in shown:
        day = date.fromisoformat(row["health_date"])
        average = mean(by_date.get((day - timedelta(days=k)).isoformat())
                       for k in range(1, BASELINE_DAYS + 1))
        out.append(None if average is None else round(average, 2))
    return out


def takeaway(figures: list[Figure], found: list[list]) -> str:
    """One line: HRV against its baseline, the resting heart rate, and the flags."""
    by = {f.metric: f for f in figures}
    parts = []
    for metric in ("hrv", "resting_heart_rate"):
        f = by[metric]
        if f.display == NOT_MEASURED:
            parts.append(f"{f.label.lower()} {NOT_MEASURED}")
        elif f.value is not None:
            moved = f.note.split(" (")[0]  # "+3 ms on its 30-day baseline"
            parts.append(f"{f.label.lower()} {f.display}" + (f" ({moved})" if moved else ""))
    flagged = sorted({row[1] for row in found})
    if found:
        parts.append(f"{len(found)} night{'s' if len(found) > 1 else ''} outside your usual "
                     f"range ({', '.join(flagged)})")
    elif any(by[m].display != NOT_MEASURED for m in ("spo2", "temperature")):
        parts.append("SpO2 and skin temperature within your usual range")
    return "Last 7 days: " + "; ".join(parts) + "."
