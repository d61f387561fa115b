"""On the day: a manager changes an activity's times, doors or capacity from the hub's dashboard.

"The opening ceremony starts 30 minutes late": /dashboard/activities lists every activity with
its day, times, doors-open window and capacity in a form; a change is checked and applied like
an event file (EventSetupService.change_activity: audited, nothing else moves) and published to
the desks, which show the new window with their next pull. Behind the dashboard's manager key.
"""
# ruff: noqa: E501  (HTML templates)

from __future__ import annotations

import html
from datetime import date, time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from checkin_app.domain.messages import Message, Words, both, msg, text
from checkin_app.hub.bodies import read_body
from checkin_app.hub.dashboard import (
    _STYLE,
    MAX_FORM_BYTES,
    _authorised,
    _denied,
    filled,
    html_both,
    key_to_cookie,
)
from checkin_app.hub.state import HubState

if TYPE_CHECKING:
    from checkin_app.domain.event_def import ActivityDef, EventDefinition

OPERATOR = "dashboard"


class FormError(ValueError):
    """A field of the form that cannot be read; the message is bilingual."""


def _int(fields: dict[str, list[str]], name: str, label: Message, *, blank_none: bool = False,
         low: int = 0, high: int = 10_000_000) -> int | None:
    raw = (fields.get(name) or [""])[0].strip()
    if not raw and blank_none:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise FormError(both(msg("hub.acts.not_whole", field=label, raw=repr(raw)))) from None
    if not low <= value <= high:
        raise FormError(both(msg("hub.acts.out_of_range", field=label, low=low, high=high)))
    return value


def _time(fields: dict[str, list[str]], name: str, label: Message) -> time:
    raw = (fields.get(name) or [""])[0].strip()
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise FormError(both(msg("hub.acts.bad_time", field=label, raw=repr(raw)))) from None


def _date(fields: dict[str, list[str]], name: str, label: Message) -> date:
    raw = (fields.get(name) or [""])[0].strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FormError(both(msg("hub.acts.bad_date", field=label, raw=repr(raw)))) from None


def read_changes(fields: dict[str, list[str]], act: ActivityDef) -> dict[str, Any]:
    """The fields that differ from the activity as it is (FormError for what cannot be read)."""
    wanted: dict[str, Any] = {
        "day": _date(fields, "day", msg("hub.acts.field.day")),
        "start": _time(fields, "start", msg("hub.acts.field.start")),
        "end": _time(fields, "end", msg("hub.acts.field.end")),
        "doors_before": _int(fields, "doors_before", msg("hub.acts.field.doors_before"), high=24 * 60),
        "doors_after": _int(fields, "doors_after", msg("hub.acts.field.doors_after"), high=24 * 60),
        "capacity": _int(fields, "capacity", msg("hub.acts.field.capacity"), blank_none=True, low=1),
    }
    return {k: v for k, v in wanted.items() if getattr(act, k) != v}


# The form's labels: both languages side by side ("日期 Day"), fixed when the module loads.
_LABELS = {
    "day": html_both(msg("hub.acts.label.day"), " "),
    "start": html_both(msg("hub.acts.label.start"), " "),
    "end": html_both(msg("hub.acts.label.end"), " "),
    "doors_before": html_both(msg("hub.acts.label.doors_before"), " "),
    "doors_after": html_both(msg("hub.acts.label.doors_after"), " "),
    "capacity": html_both(msg("hub.acts.label.capacity"), " "),
    "minutes": html_both(msg("hub.acts.label.minutes"), " "),
    "no_limit": html_both(msg("hub.acts.label.no_limit"), " "),
    "save": html_both(msg("hub.acts.save")),
}


def _row(a: ActivityDef, lang_note: str = "") -> str:
    e = html.escape
    cap = "" if a.capacity is None else str(a.capacity)
    return (f"<tr><td><b>{e(a.code)}</b><br>{e(a.name_zh)}<br><span class=muted>{e(a.name_en)}</span>{lang_note}</td>"
            f"<td><form method=post action='/dashboard/activities/{quote(a.code)}'>"
            f"<label>{_LABELS['day']} <input type=date name=day value='{a.day.isoformat()}' required></label> "
            f"<label>{_LABELS['start']} <input type=time name=start value='{a.start:%H:%M}' required></label> "
            f"<label>{_LABELS['end']} <input type=time name=end value='{a.end:%H:%M}' required></label><br>"
            f"<label>{_LABELS['doors_before']} <input type=number name=doors_before min=0 max=1440 value='{a.doors_before}' style='width:5em'> {_LABELS['minutes']}</label> "
            f"<label>{_LABELS['doors_after']} <input type=number name=doors_after min=0 max=1440 value='{a.doors_after}' style='width:5em'> {_LABELS['minutes']}</label> "
            f"<label>{_LABELS['capacity']} <input type=number name=capacity min=1 value='{cap}' placeholder='{_LABELS['no_limit']}' style='width:7em'></label> "
            f"<button>{_LABELS['save']}</button></form></td></tr>")


def render_page(definition: EventDefinition | None, message: str = "", bad: bool = False) -> str:
    """The list of activities, each in its own form; `message` on top (a result or an error)."""
    if definition is None:
        body = f"<p class=bad>{html_both(msg('hub.acts.no_event'), '<br>')}</p>"
    else:
        rows = "".join(_row(a) for a in definition.activities if not a.archived and a.end_day is None)
        multi = [a for a in definition.activities if not a.archived and a.end_day is not None]
        note = ("" if not multi else
                f"<p class=muted>{html_both(msg('hub.acts.multi_day', codes=', '.join(a.code for a in multi)), '<br>')}</p>")
        body = (f"<table><tr><th>{html_both(msg('hub.dash.activity'))}</th>"
                f"<th>{html_both(msg('hub.acts.times_doors_capacity'))}</th></tr>{rows}</table>{note}")
    flash = ""
    if message:
        flash = f"<p class={'bad' if bad else 'ok'}>{html.escape(message).replace(chr(10), '<br>')}</p>"
    return PAGE.replace("{{BODY}}", flash + body)


def add_activity_routes(app: FastAPI, state: HubState) -> None:
    """Mount GET /dashboard/activities and POST /dashboard/activities/{code}."""
    from checkin_app.services.event_setup import EventSetupError, EventSetupService

    store = state.store

    def current() -> EventDefinition | None:
        return EventSetupService(store.db, store.clock).current()

    def change(code: str, fields: dict[str, list[str]]) -> tuple[str, bool]:
        svc = EventSetupService(store.db, store.clock, delete_unused=False)
        definition = svc.current()
        act = definition.activity(code) if definition is not None else None
        if act is None:
            return both(msg("hub.acts.unknown", code=code)), True
        try:
            changes = read_changes(fields, act)
        except FormError as exc:
            return str(exc), True
        if not changes:
            return both(msg("hub.acts.unchanged", code=code)), False
        try:
            result = svc.change_activity(code, operator=OPERATOR, desk="hub", **changes)
        except EventSetupError as exc:
            return str(exc), True
        tables = set(result.tables())
        store.forget(tables)
        store.refresh(sorted(tables))
        sep = msg("hub.acts.list_sep")
        names = Words(text(sep, "zh").join(sorted(changes)), text(sep, "en").join(sorted(changes)))
        return both(msg("hub.acts.updated", code=code, fields=names)), False

    @app.get("/dashboard/activities")
    async def activities_page(request: Request) -> Response:
        if not _authorised(request, state.dashboard_key):
            return _denied()
        if "key" in request.query_params:
            return key_to_cookie(request, state.dashboard_key, "/dashboard/activities")
        msg = request.query_params.get("msg", "")
        bad = request.query_params.get("bad") == "1"
        definition = await anyio.to_thread.run_sync(current)
        return HTMLResponse(render_page(definition, msg, bad), headers={"Cache-Control": "no-store"})

    @app.post("/dashboard/activities/{code}")
    async def activity_change(request: Request, code: str) -> Response:
        if not _authorised(request, state.dashboard_key):
            return _denied()
        raw = await read_body(request, MAX_FORM_BYTES)
        fields = parse_qs(raw.decode("utf-8", "replace"))
        message, bad = await anyio.to_thread.run_sync(lambda: change(code.upper(), fields))
        if bad:
            definition = await anyio.to_thread.run_sync(current)
            return HTMLResponse(render_page(definition, message, True), status_code=400,
                                headers={"Cache-Control": "no-store"})
        # Take the published rows into the change feed now: waiting desks are woken with them.
        await state.feed.refresh()
        # After a change, a reload must not post the form again.
        return RedirectResponse("/dashboard/activities?msg=" + quote(message), status_code=303)


PAGE = filled("""<!doctype html><html lang=zh><head><meta charset=utf-8>
<meta name=viewport content="width=device-width,initial-scale=1">
<title>{{title}}</title><style>""" + _STYLE + """
form label{display:inline-block;margin:2px 6px 2px 0;font-size:13px}input{font-size:14px}</style>
</head><body><header><h1>{{title}}</h1><div class=sub><a style="color:#cde" href="/dashboard">← {{back}}</a>
· {{audited}}</div></header>
<main><section>{{BODY}}</section></main></body></html>""",
    title=html_both(msg("hub.acts.title")), back=html_both(msg("hub.dash.back")),
    audited=html_both(msg("hub.acts.audited")))
