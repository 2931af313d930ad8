"""The activity calendar as iCalendar files (the ``icalendar`` package) and an Excel workbook.

- ``calendars/units/<unit_id>.ics``: every seminar, exchange and talk of the unit (one VEVENT
  per event, the people in its description);
- ``calendars/cadres/<cadre_id>.ics``: what the cadre attends (not what they are excused from);
- ``activities.xlsx``: one sheet per unit (its events by date), then pairs, unscheduled, online
  hours and institution scorecards.
Events carry the policy's time zone (``activities.timezone``) with its VTIMEZONE. DTSTAMP is
fixed to 1 December of the year before the plan year, so that the same inputs give the same
bytes (the standard requires the stamp; its value does not matter to calendar programs).
"""
from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import icalendar
import pandas as pd

from planning.data.generate import WORKBOOK_TIMESTAMP
from planning.data.generate import _normalise_zip as normalise_zip
from planning.errors import PolicyError
from planning.io import csv_safe

PRODID = "-//Cadre Training Planner//activities//EN"
UID_DOMAIN = "cadre-planner.invalid"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def safe_name(key: str) -> str:
    """An id as a file name (no slashes, no leading dot)."""
    name = _SAFE.sub("_", str(key)).lstrip(".")
    return name or "_"


def timezone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise PolicyError(f"'activities.timezone' must be a time zone name like Asia/Shanghai, not {name!r}") from None


def _when(date: str, hhmm: str, tz) -> dt.datetime:
    d = dt.date.fromisoformat(date)
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime(d.year, d.month, d.day, h, m, tzinfo=tz)


def _calendar(name: str, events: list[icalendar.Event]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for e in events:
        cal.add_component(e)
    if events:
        cal.add_missing_timezones()
    return cal.to_ical()


def _event(uid: str, summary: str, description: str, first: dict, tz, stamp: dt.datetime) -> icalendar.Event:
    e = icalendar.Event()
    e.add("uid", f"{uid}@{UID_DOMAIN}")
    e.add("dtstamp", stamp)
    e.add("dtstart", _when(first["date"], first["start"], tz))
    e.add("dtend", _when(first["date"], first["end"], tz))
    e.add("summary", summary)
    if description:
        e.add("description", description)
    e.add("categories", [first["kind"]])
    return e


def write_calendars(events: pd.DataFrame, names: dict[str, str], unit_names: dict[str, str], folder: Path,
                    year: int, tz_name: str) -> dict[str, int]:
    """Write the unit and cadre .ics files under `folder`; returns counts of files written."""
    tz = timezone(tz_name)
    stamp = dt.datetime(year - 1, 12, 1, tzinfo=dt.timezone.utc)
    (folder / "units").mkdir(parents=True, exist_ok=True)
    (folder / "cadres").mkdir(parents=True, exist_ok=True)

    def who(ids) -> str:
        return ", ".join(f"{names.get(c, c)} ({c})" for c in ids)

    n_units = 0
    for unit, g in events.groupby("unit_id", sort=True):
        vevents = []
        for eid, e in g.groupby("event_id", sort=False):
            first = e.iloc[0].to_dict()
            attend = e.loc[e["role"] != "excused", "cadre_id"]
            excused = e.loc[e["role"] == "excused"]
            if first["kind"] == "talk":
                mentee = e.loc[e["role"] == "mentee", "cadre_id"].iloc[0]
                mentor = e.loc[e["role"] == "mentor", "cadre_id"].iloc[0]
                summary = f"Heart-to-heart talk: {names.get(mentee, mentee)} with {names.get(mentor, mentor)}"
                desc = f"Mentee: {who([mentee])}\nMentor: {who([mentor])}"
            else:
                summary = f"{first['title']} — {unit_names.get(unit, unit)}"
                desc = f"Attending ({len(attend)}): {who(attend)}"
                if len(excused):
                    desc += "\nExcused: " + "; ".join(f"{names.get(c, c)} ({c}): {n}"
                                                      for c, n in zip(excused["cadre_id"], excused["note"]))
            vevents.append(_event(f"{eid}-unit-{unit}", summary, desc, first, tz, stamp))
        (folder / "units" / f"{safe_name(unit)}.ics").write_bytes(
            _calendar(f"{unit_names.get(unit, unit)} activities {year}", vevents))
        n_units += 1
    n_cadres = 0
    mine = events[events["role"] != "excused"]
    for cadre, g in mine.groupby("cadre_id", sort=True):
        vevents = []
        for r in g.to_dict("records"):
            if r["kind"] == "talk":
                summary = f"Heart-to-heart talk with {names.get(r['with_id'], r['with_id'])} ({r['role']})"
            else:
                summary = f"{r['title']} — {unit_names.get(r['unit_id'], r['unit_id'])}"
            vevents.append(_event(f"{r['event_id']}-{cadre}", summary, "", r, tz, stamp))
        (folder / "cadres" / f"{safe_name(cadre)}.ics").write_bytes(
            _calendar(f"{names.get(cadre, cadre)} activities {year}", vevents))
        n_cadres += 1
    return {"unit_calendars": n_units, "cadre_calendars": n_cadres}


def _sheet_name(text: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", str(text))[:31] or "_"
    name, k = base, 1
    while name.casefold() in used:
        k += 1
        name = f"{base[:28]}~{k}"
    used.add(name.casefold())
    return name


def write_workbook(path: Path, events: pd.DataFrame, names: dict[str, str], extra: dict[str, pd.DataFrame]) -> None:
    """activities.xlsx: one sheet per unit (its events, one row per event), then the `extra` tables."""
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)

    def sheet(title: str, frame: pd.DataFrame) -> None:
        ws = wb.create_sheet(_sheet_name(title, used))
        header = []
        for c in frame.columns:
            cell = openpyxl.cell.WriteOnlyCell(ws, value=str(c))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in frame.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])

    for unit, g in events.groupby("unit_id", sort=True):
        rows = []
        for eid, e in g.groupby("event_id", sort=False):
            first = e.iloc[0]
            attend = [c for c, r in zip(e["cadre_id"], e["role"]) if r != "excused"]
            excused = [c for c, r in zip(e["cadre_id"], e["role"]) if r == "excused"]
            rows.append({"date": first["date"], "start": first["start"], "end": first["end"], "kind": first["kind"],
                         "title": first["title"], "event_id": eid,
                         "people": "; ".join(f"{names.get(c, c)} ({c})" for c in attend),
                         "excused": "; ".join(f"{names.get(c, c)} ({c})" for c in excused)})
        sheet(unit, pd.DataFrame(rows))
    for title, frame in extra.items():
        sheet(title, frame)
    wb.properties.created = WORKBOOK_TIMESTAMP
    wb.save(path)
    normalise_zip(path)  # fixed timestamps: the same activities give the same bytes


def _cell(v):
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, str):
        return csv_safe(v)  # a text starting with = is shown, never run
    return v
