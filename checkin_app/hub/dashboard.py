"""Read-only web dashboard for managers: attendance, inside now vs capacity, desk health, conflicts.

The page is rendered on the hub (it works without JavaScript, on any phone) and refreshes its
sections every few seconds from /dashboard/sections; /dashboard/data has the same snapshot as
JSON. Everything needs the manager key the hub printed at start (a cookie after the first visit).
"""
# ruff: noqa: E501  (the page below is one HTML/JS template; its lines are markup, not code)

from __future__ import annotations

import hmac
import html
import io
import json
import threading
import time
from datetime import datetime
from typing import Any, cast
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from checkin_app.domain.clock import DEFAULT_TIME_ZONE
from checkin_app.domain.messages import Message, both, msg, pair
from checkin_app.hub.bodies import read_body
from checkin_app.hub.state import HubState
from checkin_app.sync.protocol import EnrolmentCode, iso, parse_iso, pretty_fingerprint

COOKIE = "checkin_dashboard"
STATS_TTL_S = 3.0
MAX_FORM_BYTES = 4096


def html_both(message: Message, sep: str = " / ") -> str:
    """A message in both languages for a page: each language HTML-escaped, joined by `sep` (markup)."""
    return sep.join(html.escape(words) for words in pair(message))


def filled(template: str, **words: str) -> str:
    """A page template with each {{name}} slot replaced by its words (fixed when the module loads)."""
    for name, value in words.items():
        template = template.replace("{{" + name + "}}", value)
    return template


def _authorised(request: Request, key: str) -> bool:
    given = request.query_params.get("key") or request.cookies.get(COOKIE) or ""
    # Bytes, not str: compare_digest refuses non-ASCII text, which made a stray character in a
    # typed-in key a server error instead of "key needed".
    return bool(key) and hmac.compare_digest(given.encode("utf-8"), key.encode("utf-8"))


def key_to_cookie(request: Request, key: str, path: str) -> Response:
    """Redirect to `path` with the manager key in a cookie: it leaves the address bar (and
    screenshots) from here on."""
    resp: Response = RedirectResponse(path, status_code=303)
    resp.set_cookie(COOKIE, key, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", max_age=7 * 86400)
    return resp


def _denied() -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        f"<h2>{html_both(msg('hub.dash.key_needed'))}</h2>"
        f"<p>{html_both(msg('hub.dash.open_link'), '<br>')}</p>", status_code=401)


def add_dashboard_routes(app: FastAPI, state: HubState) -> None:
    """Mount /dashboard, /dashboard/sections, /dashboard/data and /dashboard/enrol on the hub app."""
    store = state.store
    cache: dict[str, Any] = {"at": float("-inf"), "stats": [], "event": None}
    cache_lock = threading.Lock()

    def snapshot() -> dict[str, Any]:
        from checkin_app.services.catalog import CatalogService
        from checkin_app.services.conflicts import ConflictService
        from checkin_app.storage.db import Database

        db = cast(Database, store.db)
        now = store.clock.now()
        with cache_lock:
            # Counts scan every activity's presence rows: at most once per STATS_TTL_S for all viewers.
            if time.monotonic() - cache["at"] > STATS_TTL_S:
                stats = CatalogService(db, store.clock).stats()
                cache["stats"] = [{"code": s.activity_code, "name_zh": s.name_zh, "name_en": s.name_en,
                                   "registered": s.registered, "checked_in": s.checked_in,
                                   "inside_now": s.inside_now, "capacity": s.capacity} for s in stats]
                event = CatalogService(db).event()
                cache["event"] = ({"zh": event.name_zh, "en": event.name_en,
                                   "timezone": event.timezone or DEFAULT_TIME_ZONE} if event else None)
                cache["at"] = time.monotonic()
            stats_rows, event_info = cache["stats"], cache["event"]
        desks = [{"name": d.name, "online": d.online(now), "enrolled": d.enrolled, "revoked": d.revoked,
                  "last_seen": iso(d.last_seen_at), "last_push": iso(d.last_push_at),
                  "queue": d.queue_length, "printer": d.printer_state, "app": d.app_version,
                  "clock_offset_s": None if d.clock_offset_ms is None else round(d.clock_offset_ms / 1000, 1),
                  "clock_skewed": d.clock_skewed, "address": d.address} for d in store.desks()]
        conflicts = [{"uuid": c.uuid, "code": c.registration_code, "name": c.name_native or c.name_latin,
                      "name_latin": c.name_latin, "activity": c.activity_code,
                      "activity_zh": c.activity_zh, "activity_en": c.activity_en,
                      "desk": c.desk, "at": iso(c.at),
                      "first_desk": c.earlier.desk if c.earlier else "",
                      "first_at": iso(c.earlier.at) if c.earlier else None}
                     for c in ConflictService(db).conflicts()]
        return {"hub_time": iso(now), "event": event_info, "activities": stats_rows,
                "desks": desks, "conflicts": conflicts, "high": state.feed.high}

    @app.get("/dashboard/data")
    async def data(request: Request) -> Response:
        if not _authorised(request, state.dashboard_key):
            zh, en = pair(msg("hub.dash.key_needed"))
            return JSONResponse({"error": "key", "message_zh": zh, "message_en": en}, status_code=401)
        return JSONResponse(await anyio.to_thread.run_sync(snapshot))

    @app.get("/dashboard/sections")
    async def sections(request: Request) -> Response:
        if not _authorised(request, state.dashboard_key):
            return _denied()
        snap = await anyio.to_thread.run_sync(snapshot)
        return HTMLResponse(render_sections(snap), headers={"Cache-Control": "no-store"})

    @app.get("/dashboard")
    async def page(request: Request) -> Response:
        if not _authorised(request, state.dashboard_key):
            return _denied()
        if "key" in request.query_params:
            return key_to_cookie(request, state.dashboard_key, "/dashboard")
        snap = await anyio.to_thread.run_sync(snapshot)
        title = _event_title(snap)
        return HTMLResponse(PAGE.replace("{{TITLE}}", html.escape(title))
                            .replace("{{SECTIONS}}", render_sections(snap)),
                            headers={"Cache-Control": "no-store"})

    @app.get("/dashboard/enrol")
    async def enrol_form(request: Request) -> Response:
        if not _authorised(request, state.dashboard_key):
            return _denied()
        # Showing the form creates nothing: a reload or a browser's prefetch must never replace
        # a code a desk is about to scan.
        return HTMLResponse(ENROL_PAGE.replace("{{BODY}}", ENROL_FORM))

    @app.post("/dashboard/enrol")
    async def enrol_create(request: Request) -> Response:
        if not _authorised(request, state.dashboard_key):
            return _denied()
        raw = await read_body(request, MAX_FORM_BYTES)
        fields = parse_qs(raw.decode("utf-8", "replace"))
        desk = (fields.get("desk") or [""])[0].strip()
        body = ENROL_FORM
        if not desk:
            body += f"<p class=bad>{html_both(msg('hub.dash.enter_desk_name'), '<br>')}</p>"
            return HTMLResponse(ENROL_PAGE.replace("{{BODY}}", body), status_code=400)
        try:
            token = await anyio.to_thread.run_sync(lambda: store.create_enrolment(desk))
        except Exception as exc:  # a revoked name or a bad one: the store's message is bilingual
            body += f"<p class=bad>{html.escape(str(exc)).replace(chr(10), '<br>')}</p>"
            return HTMLResponse(ENROL_PAGE.replace("{{BODY}}", body), status_code=400)
        code = enrolment_text(state.public_url, token, state.fingerprint, desk)
        body += (f"<h3>{html.escape(desk)}</h3><div class=qr>{qr_svg(code)}</div>"
                 f"<p><code id=code>{html.escape(code)}</code></p>"
                 f"<p>{html_both(msg('hub.dash.fingerprint'))}:<br><code>"
                 f"{pretty_fingerprint(state.fingerprint) if state.fingerprint else '—'}</code></p>"
                 f"<p>{html_both(msg('hub.dash.code_once'), '<br>')}</p>")
        return HTMLResponse(ENROL_PAGE.replace("{{BODY}}", body), headers={"Cache-Control": "no-store"})


def enrolment_text(url: str, token: str, fingerprint: str, desk: str) -> str:
    """What the enrolment QR code encodes (the same text `checkin-app enrol` takes)."""
    return EnrolmentCode(url, token, fingerprint if url.startswith("https") else "", desk).encode()


def qr_svg(text: str) -> str:
    """An inline SVG QR code (the qrcode package's path image)."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=4)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue().decode("utf-8").split("?>", 1)[-1]


def fmt_local(moment: datetime | None, tz: str = DEFAULT_TIME_ZONE) -> str:
    """HH:MM:SS in the event's time zone (Chongqing by default), for server-rendered bits."""
    return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M:%S") if moment else "—"


# -- server-rendered sections ---------------------------------------------------------------
def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _event_title(snap: dict[str, Any]) -> str:
    ev = snap.get("event")
    return f"{ev['zh']} / {ev['en']}" if ev else both(msg("hub.dash.title"), sep=" / ")


def _when(value: str | None, tz: str) -> str:
    return fmt_local(parse_iso(value), tz) if value else "—"


def _desk_status(d: dict[str, Any]) -> str:
    if d["revoked"]:
        return f"<span class=bad>✖ {html_both(msg('hub.dash.revoked'))}</span>"
    if not d["enrolled"]:
        return f"<span class=muted>… {html_both(msg('hub.dash.not_enrolled'))}</span>"
    if d["online"]:
        return f"<span class=ok>● {html_both(msg('hub.dash.online'))}</span>"
    return f"<span class=bad>○ {html_both(msg('hub.dash.offline'))}</span>"


def _clock(d: dict[str, Any]) -> str:
    off = d["clock_offset_s"]
    if off is None:
        return "—"
    text = f"{'+' if off > 0 else ''}{off:g} s"
    if d["clock_skewed"]:
        return f"<span class=warn>⚠ {_e(text)}<br>{html_both(msg('hub.dash.clock_skewed'), '<br>')}</span>"
    return _e(text)


def render_sections(snap: dict[str, Any]) -> str:
    """The dashboard's live part (summary, attendance, desks, conflicts) as HTML, from one snapshot."""
    tz = (snap.get("event") or {}).get("timezone") or DEFAULT_TIME_ZONE
    desks, conflicts, acts = snap["desks"], snap["conflicts"], snap["activities"]
    online = sum(1 for d in desks if d["online"] and d["enrolled"] and not d["revoked"])
    skewed = sum(1 for d in desks if d["clock_skewed"])
    queued = sum(int(d["queue"] or 0) for d in desks)
    out = [f"<p class=summary>{html_both(msg('hub.dash.updated'))} {_when(snap['hub_time'], tz)} · "
           f"{html_both(msg('hub.dash.desks_online'))} <b>{online}</b> / {len(desks)} · "
           f"{html_both(msg('hub.dash.not_on_hub'))} <b>{queued}</b> · "
           f"{'<span class=warn>' if skewed else ''}{html_both(msg('hub.dash.clock_warnings'))} <b>{skewed}</b>"
           f"{'</span>' if skewed else ''} · "
           f"{'<span class=bad>' if conflicts else ''}{html_both(msg('hub.dash.conflict_count'))} "
           f"<b>{len(conflicts)}</b>{'</span>' if conflicts else ''}</p>"]

    rows = []
    for a in acts:
        cap = a["capacity"]
        pct = min(100, round(100 * a["inside_now"] / cap)) if cap else 0
        bar = (f"<div class=bar><i class='{'full' if pct >= 100 else ''}' style='width:{pct}%'></i></div>"
               if cap else "")
        inside = f"{a['inside_now']} / {cap}" if cap else f"{a['inside_now']}"
        rows.append(f"<tr><td><b>{_e(a['code'])}</b> {_e(a['name_zh'])}<br><span class=muted>"
                    f"{_e(a['name_en'])}</span></td><td class=n>{a['checked_in']}</td>"
                    f"<td class=n>{a['registered']}</td><td class=n>{inside}{bar}</td></tr>")
    out.append(_section(html_both(msg("hub.dash.attendance")), "", [
        html_both(msg("hub.dash.activity")), "n:" + html_both(msg("hub.dash.checked_in"), "<br>"),
        "n:" + html_both(msg("hub.dash.registered"), "<br>"),
        "n:" + html_both(msg("hub.dash.inside_capacity"), "<br>")], rows,
        html_both(msg("hub.dash.no_activities"))))

    rows = []
    for d in desks:
        rows.append(f"<tr><td><b>{_e(d['name'])}</b><br><span class=muted>{_e(d['app'])}</span></td>"
                    f"<td>{_desk_status(d)}</td><td class=n>{d['queue']}</td>"
                    f"<td class=wide>{_e(d['printer'] or '—')}</td><td class=n>{_clock(d)}</td>"
                    f"<td>{_when(d['last_seen'], tz)}</td></tr>")
    out.append(_section(html_both(msg("hub.dash.desks")), "", [
        html_both(msg("hub.desk")), html_both(msg("hub.dash.status")),
        "n:" + html_both(msg("hub.dash.queue"), "<br>"), "wide:" + html_both(msg("hub.dash.printer")),
        "n:" + html_both(msg("hub.dash.clock_offset"), "<br>"), html_both(msg("hub.dash.last_sync"), "<br>")],
        rows, html_both(msg("hub.dash.no_desks"))))

    rows = []
    for c in conflicts:
        latin = c["name_latin"] if c["name_latin"] and c["name_latin"] != c["name"] else ""
        rows.append(f"<tr><td><b>{_e(c['name'])}</b> {_e(latin)}<br><span class=muted>{_e(c['code'])}</span></td>"
                    f"<td>{_e(c['activity'])}<br><span class=muted>{_e(c['activity_zh'])}</span></td>"
                    f"<td>{_e(c['first_desk'] or '—')}<br>{_when(c['first_at'], tz)}</td>"
                    f"<td class=bad>{_e(c['desk'])}<br>{_when(c['at'], tz)}</td></tr>")
    out.append(_section(
        html_both(msg("hub.dash.conflicts")), html_both(msg("hub.dash.conflicts_intro"), "<br>"),
        [html_both(msg("hub.dash.delegate")), html_both(msg("hub.dash.activity")),
         html_both(msg("hub.dash.first")),
         html_both(msg("hub.dash.later"), "/ ")],  # no space after the full-width bracket
        rows, html_both(msg("hub.dash.none"))))
    return "".join(out)


def _section(title: str, intro: str, heads: list[str], rows: list[str], empty: str) -> str:
    """One titled table; a head "n:…" or "wide:…" carries its column class. Fixed HTML only."""
    cells = []
    for head in heads:
        cls, _, text = head.partition(":") if head.startswith(("n:", "wide:")) else ("", "", head)
        cells.append(f"<th class={cls}>{text}</th>" if cls else f"<th>{text}</th>")
    para = f"<p class=muted>{intro}</p>" if intro else ""
    body = "".join(rows) or f"<tr><td colspan={len(heads)} class=muted>{empty}</td></tr>"
    return (f"<section><h2>{title}</h2>{para}<table><thead><tr>{''.join(cells)}</tr></thead>"
            f"<tbody>{body}</tbody></table></section>")


_STYLE = """
body{font-family:"Noto Sans","WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei",sans-serif;
margin:0;background:#f4f6f8;color:#1b2430}
header{background:#17324d;color:#fff;padding:10px 16px}header h1{font-size:18px;margin:0}
header .sub{font-size:13px;opacity:.8}main{padding:12px;max-width:1200px;margin:auto}
section{background:#fff;border-radius:8px;padding:10px 12px;margin-bottom:12px;
box-shadow:0 1px 2px rgba(0,0,0,.08)}h2{font-size:16px;margin:4px 0 8px}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{padding:6px 4px;text-align:left;
border-bottom:1px solid #e3e7ec;vertical-align:top}th{font-weight:600;color:#506070}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.bar{height:6px;background:#e3e7ec;
border-radius:3px;margin-top:3px}.bar i{display:block;height:6px;border-radius:3px;background:#2e7d32}
.bar i.full{background:#c62828}.ok{color:#2e7d32;font-weight:600}.bad{color:#c62828;font-weight:600}
.warn{color:#b26a00;font-weight:600}.muted{color:#778}code{word-break:break-all}
.summary{margin:0 0 10px;font-size:14px}
@media (max-width:640px){.wide{display:none}table{font-size:13px}}
"""

# {{TITLE}}, {{SECTIONS}} and {{BODY}} are filled per request; the lower-case slots with words
# from the catalogue here (the *_js ones as JavaScript string literals).
PAGE = filled("""<!doctype html><html lang=zh><head><meta charset=utf-8>
<meta name=viewport content="width=device-width,initial-scale=1">
<title>{{title}}</title><style>""" + _STYLE + """</style></head><body>
<header><h1>{{TITLE}}</h1>
<div class=sub>{{title}} · <span id=status>{{refreshes}}</span> ·
<a style="color:#cde" href="/dashboard/enrol">{{enrol}}</a> ·
<a style="color:#cde" href="/dashboard/activities">{{activity_times}}</a></div></header>
<main id=main>{{SECTIONS}}</main>
<script>
async function load(){
 try{
  const r=await fetch("/dashboard/sections",{cache:"no-store"});
  if(r.status==401){location.reload();return}
  if(!r.ok)throw new Error(r.status);
  document.getElementById("main").innerHTML=await r.text();
  document.getElementById("status").textContent={{refreshes_js}};
 }catch(e){document.getElementById("status").textContent={{connection_lost_js}}}
}
setInterval(load,3000);
</script></body></html>""",
    title=html_both(msg("hub.dash.title")), refreshes=html_both(msg("hub.dash.refreshes")),
    enrol=html_both(msg("hub.dash.enrol_desk")), activity_times=html_both(msg("hub.dash.activity_times")),
    refreshes_js=json.dumps(both(msg("hub.dash.refreshes"), sep=" / "), ensure_ascii=False),
    connection_lost_js=json.dumps(both(msg("hub.dash.connection_lost"), sep=" / "), ensure_ascii=False))

ENROL_FORM = (f"<form method=post action=/dashboard/enrol><label>{html_both(msg('hub.dash.desk_name'))} "
              "<input name=desk required maxlength=100 autofocus></label> "
              f"<button>{html_both(msg('hub.dash.create_code'))}</button></form>")

ENROL_PAGE = filled("""<!doctype html><html lang=zh><head><meta charset=utf-8>
<meta name=viewport content="width=device-width,initial-scale=1">
<title>{{enrol}}</title><style>""" + _STYLE + """ .qr svg{width:280px;height:280px}</style>
</head><body><header><h1>{{enrol}}</h1><div class=sub><a style="color:#cde" href="/dashboard">← {{back}}</a></div></header>
<main><section>{{BODY}}<p class=muted>{{howto}}</p></section></main></body></html>""",
    enrol=html_both(msg("hub.dash.enrol_desk")), back=html_both(msg("hub.dash.back")),
    howto=html_both(msg("hub.dash.enrol_howto"), "<br>\n"))
