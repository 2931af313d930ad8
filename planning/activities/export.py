"""The activity calendar as iCalendar files (the ``icalendar`` package) and an Excel workbook.

- ``calendars/units/<unit_id>.ics``: every seminar, exchange and talk of the unit (one VEVENT
  per event, the people in its description);
- ``calendars/cadres/<cadre_id>.ics``: what the cadre attends (not what they are excused from);
- ``activities.xlsx``: one sheet per unit (its events by date), then pairs, unscheduled, online
  hours and institution scorecards.
Events carry the policy's time zone (``activities.timezone``) with its VTIMEZONE for the plan year. DTSTAMP is
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

from planning.activities.words import Words
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


def vtimezone(tz: zoneinfo.ZoneInfo, year: int) -> icalendar.Timezone:
    """The VTIMEZONE of `tz` for the plan year only (built once, shared by every file)."""
    return icalendar.Timezone.from_tzinfo(tz, tzid=tz.key, first_date=dt.date(year, 1, 1),
                                          last_date=dt.date(year + 1, 1, 1))


def _calendar(name: str, events: list[icalendar.Event], tzc: icalendar.Timezone) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    if events:
        cal.add_component(tzc)
    for e in events:
        cal.add_component(e)
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


def _grouped(rows: list[dict], key: str) -> dict[str, list[dict]]:
    """Rows by `key`, keys in sorted order, rows in their order."""
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return dict(sorted(out.items()))


def write_calendars(events: pd.DataFrame, names: dict[str, str], unit_names: dict[str, str], folder: Path,
                    year: int, tz_name: str, words: Words | None = None) -> dict[str, int]:
    """Write the unit and cadre .ics files under `folder`; returns counts of files written."""
    w = words or Words()
    tz = timezone(tz_name)
    tzc = vtimezone(tz, year)
    stamp = dt.datetime(year - 1, 12, 1, tzinfo=dt.timezone.utc)
    (folder / "units").mkdir(parents=True, exist_ok=True)
    (folder / "cadres").mkdir(parents=True, exist_ok=True)
    rows = events.to_dict("records")

    def who(ids) -> str:
        return ", ".join(f"{names.get(c, c)} ({c})" for c in ids)

    by_unit = _grouped(rows, "unit_id")
    for unit, urows in by_unit.items():
        vevents = []
        for eid, e in {k: v for k, v in _in_order(urows, "event_id")}.items():
            first = e[0]
            if first["kind"] == "talk":
                mentee = next(r["cadre_id"] for r in e if r["role"] == "mentee")
                mentor = next(r["cadre_id"] for r in e if r["role"] == "mentor")
                summary = w("unit_talk", mentee=names.get(mentee, mentee), mentor=names.get(mentor, mentor))
                desc = w("mentee_line", who=who([mentee])) + "\n" + w("mentor_line", who=who([mentor]))
            else:
                attend = [r["cadre_id"] for r in e if r["role"] != "excused"]
                excused = [r for r in e if r["role"] == "excused"]
                summary = f"{first['title']} — {unit_names.get(unit, unit)}"
                desc = w("attending", n=len(attend), who=who(attend))
                if excused:
                    desc += "\n" + w("excused", who="; ".join(f"{names.get(r['cadre_id'], r['cadre_id'])} "
                                                               f"({r['cadre_id']}): {r['note']}" for r in excused))
            vevents.append(_event(f"{eid}-unit-{unit}", summary, desc, first, tz, stamp))
        (folder / "units" / f"{safe_name(unit)}.ics").write_bytes(
            _calendar(w("cal_name", name=unit_names.get(unit, unit), year=year), vevents, tzc))
    by_cadre = _grouped([r for r in rows if r["role"] != "excused"], "cadre_id")
    for cadre, crows in by_cadre.items():
        vevents = []
        for r in crows:
            if r["kind"] == "talk":
                summary = w("cadre_talk", other=names.get(r["with_id"], r["with_id"]), role=w(r["role"]))
            else:
                summary = f"{r['title']} — {unit_names.get(r['unit_id'], r['unit_id'])}"
            vevents.append(_event(f"{r['event_id']}-{cadre}", summary, "", r, tz, stamp))
        (folder / "cadres" / f"{safe_name(cadre)}.ics").write_bytes(
            _calendar(w("cal_name", name=names.get(cadre, cadre), year=year), vevents, tzc))
    return {"unit_calendars": len(by_unit), "cadre_calendars": len(by_cadre)}


def _in_order(rows: list[dict], key: str) -> list[tuple[str, list[dict]]]:
    """Rows grouped by `key` in order of first appearance."""
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return list(out.items())


def _sheet_name(text: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", str(text))[:31] or "_"
    name, k = base, 1
    while name.casefold() in used:
        k += 1
        name = f"{base[:28]}~{k}"
    used.add(name.casefold())
    return name


def write_workbook(path: Path, events: pd.DataFrame, names: dict[str, str], extra: dict[str, pd.DataFrame],
                   words: Words | None = None) -> None:
    """activities.xlsx: one sheet per unit (its events, one row per event), then the `extra` tables;
    column headers in the words' language (Chinese headers with Words("zh"))."""
    w = words or Words()
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)

    def sheet(title: str, frame: pd.DataFrame) -> None:
        ws = wb.create_sheet(_sheet_name(title, used))
        header = []
        for c in frame.columns:
            cell = openpyxl.cell.WriteOnlyCell(ws, value=w.column(str(c)))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in frame.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])

    for unit, urows in _grouped(events.to_dict("records"), "unit_id").items():
        rows = []
        for eid, e in _in_order(urows, "event_id"):
            first = e[0]
            attend = [r["cadre_id"] for r in e if r["role"] != "excused"]
            excused = [r["cadre_id"] for r in e if r["role"] == "excused"]
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
