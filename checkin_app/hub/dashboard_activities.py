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

from checkin_app.hub.bodies import read_body
from checkin_app.hub.dashboard import _STYLE, MAX_FORM_BYTES, _authorised, _denied, key_to_cookie
from checkin_app.hub.state import HubState

if TYPE_CHECKING:
    from checkin_app.domain.event_def import ActivityDef, EventDefinition

OPERATOR = "dashboard"


class FormError(ValueError):
    """A field of the form that cannot be read; the message is bilingual."""


def _int(fields: dict[str, list[str]], name: str, zh: str, en: str, *, blank_none: bool = False,
         low: int = 0, high: int = 10_000_000) -> int | None:
    raw = (fields.get(name) or [""])[0].strip()
    if not raw and blank_none:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise FormError(f"{zh}不是整数：{raw!r}\n{en} is not a whole number: {raw!r}") from None
    if not low <= value <= high:
        raise FormError(f"{zh}应在 {low} 到 {high} 之间\n{en} must be between {low} and {high}")
    return value


def _time(fields: dict[str, list[str]], name: str, zh: str, en: str) -> time:
    raw = (fields.get(name) or [""])[0].strip()
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise FormError(f"{zh}应为 时:分（如 09:30）：{raw!r}\n{en} must be hh:mm (e.g. 09:30): {raw!r}") from None


def _date(fields: dict[str, list[str]], name: str, zh: str, en: str) -> date:
    raw = (fields.get(name) or [""])[0].strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FormError(f"{zh}应为 年-月-日：{raw!r}\n{en} must be yyyy-mm-dd: {raw!r}") from None


def read_changes(fields: dict[str, list[str]], act: ActivityDef) -> dict[str, Any]:
    """The fields that differ from the activity as it is (FormError for what cannot be read)."""
    wanted: dict[str, Any] = {
        "day": _date(fields, "day", "日期", "Day"),
        "start": _time(fields, "start", "开始时间", "Start"),
        "end": _time(fields, "end", "结束时间", "End"),
        "doors_before": _int(fields, "doors_before", "提前入场（分钟）", "Doors before (minutes)", high=24 * 60),
        "doors_after": _int(fields, "doors_after", "延后入场（分钟）", "Doors after (minutes)", high=24 * 60),
        "capacity": _int(fields, "capacity", "容量", "Capacity", blank_none=True, low=1),
    }
    return {k: v for k, v in wanted.items() if getattr(act, k) != v}


def _row(a: ActivityDef, lang_note: str = "") -> str:
    e = html.escape
    cap = "" if a.capacity is None else str(a.capacity)
    return (f"<tr><td><b>{e(a.code)}</b><br>{e(a.name_zh)}<br><span class=muted>{e(a.name_en)}</span>{lang_note}</td>"
            f"<td><form method=post action='/dashboard/activities/{quote(a.code)}'>"
            f"<label>日期 Day <input type=date name=day value='{a.day.isoformat()}' required></label> "
            f"<label>开始 Start <input type=time name=start value='{a.start:%H:%M}' required></label> "
            f"<label>结束 End <input type=time name=end value='{a.end:%H:%M}' required></label><br>"
            f"<label>提前入场 Doors before <input type=number name=doors_before min=0 max=1440 value='{a.doors_before}' style='width:5em'> 分钟 min</label> "
            f"<label>延后 after <input type=number name=doors_after min=0 max=1440 value='{a.doors_after}' style='width:5em'> 分钟 min</label> "
            f"<label>容量 Capacity <input type=number name=capacity min=1 value='{cap}' placeholder='不限 no limit' style='width:7em'></label> "
            f"<button>保存 / Save</button></form></td></tr>")


def render_page(definition: EventDefinition | None, message: str = "", bad: bool = False) -> str:
    """The list of activities, each in its own form; `message` on top (a result or an error)."""
    if definition is None:
        body = "<p class=bad>中心服务器还没有大会定义（checkin-app hub event apply FILE）<br>The hub holds no event yet (checkin-app hub event apply FILE)</p>"
    else:
        rows = "".join(_row(a) for a in definition.activities if not a.archived and a.end_day is None)
        multi = [a for a in definition.activities if not a.archived and a.end_day is not None]
        note = ("" if not multi else
                "<p class=muted>跨多天的入口（" + html.escape(", ".join(a.code for a in multi)) + "）请在大会定义文件中修改。<br>"
                "Entrances that span several days (" + html.escape(", ".join(a.code for a in multi)) + ") are changed in the event file.</p>")
        body = (f"<table><tr><th>活动 / Activity</th><th>时间、入场与容量 / Times, doors and capacity</th></tr>{rows}</table>{note}")
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
            return f"没有活动 {code}\nNo activity {code}", True
        try:
            changes = read_changes(fields, act)
        except FormError as exc:
            return str(exc), True
        if not changes:
            return f"{code}：没有变化\n{code}: nothing changed", False
        try:
            result = svc.change_activity(code, operator=OPERATOR, desk="hub", **changes)
        except EventSetupError as exc:
            return str(exc), True
        tables = set(result.tables())
        store.forget(tables)
        store.refresh(sorted(tables))
        fields_zh = "、".join(sorted(changes))
        return (f"{code} 已更新（{fields_zh}），签到台下次同步时生效\n"
                f"{code} updated ({', '.join(sorted(changes))}); desks get it with their next pull"), False

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


PAGE = """<!doctype html><html lang=zh><head><meta charset=utf-8>
<meta name=viewport content="width=device-width,initial-scale=1">
<title>活动时间与容量 / Activity times and capacity</title><style>""" + _STYLE + """
form label{display:inline-block;margin:2px 6px 2px 0;font-size:13px}input{font-size:14px}</style>
</head><body><header><h1>活动时间与容量 / Activity times and capacity</h1><div class=sub><a style="color:#cde" href="/dashboard">← 总览 / Dashboard</a>
· 每项修改都记入审计日志 / every change is written to the audit log</div></header>
<main><section>{{BODY}}</section></main></body></html>"""
