"""Read-only web dashboard for managers: attendance, inside now vs capacity, desk health, conflicts."""
# ruff: noqa: E501  (the page below is one HTML/JS template; its lines are markup, not code)

from __future__ import annotations

import hmac
import html
import io
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from checkin_app.sync.protocol import EnrolmentCode, iso, pretty_fingerprint

if TYPE_CHECKING:
    from checkin_app.hub.app import HubState

COOKIE = "checkin_dashboard"
STATS_TTL_S = 3.0


def _authorised(request: Request, key: str) -> bool:
    given = request.query_params.get("key") or request.cookies.get(COOKIE) or ""
    return bool(key) and hmac.compare_digest(given, key)


def _denied() -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        "<h2>需要管理密钥 / Manager key needed</h2>"
        "<p>请打开中心服务器启动时显示的仪表板链接。<br>"
        "Open the dashboard link the hub printed when it started.</p>", status_code=401)


def add_dashboard_routes(app: FastAPI, state: HubState) -> None:
    """Mount /dashboard, /dashboard/data and /dashboard/enrol on the hub app."""
    store = state.store
    cache: dict[str, Any] = {"at": 0.0, "stats": []}

    def snapshot() -> dict[str, Any]:
        from checkin_app.services.catalog import CatalogService
        from checkin_app.storage.db import Database

        now = store.clock.now()
        if time.monotonic() - cache["at"] > STATS_TTL_S:
            stats = CatalogService(cast(Database, store.db), store.clock).stats()
            cache["stats"] = [{"code": s.activity_code, "name_zh": s.name_zh, "name_en": s.name_en,
                               "registered": s.registered, "checked_in": s.checked_in,
                               "inside_now": s.inside_now, "capacity": s.capacity} for s in stats]
            event = CatalogService(cast(Database, store.db)).event()
            cache["event"] = {"zh": event.name_zh, "en": event.name_en} if event else None
            cache["at"] = time.monotonic()
        desks = [{"name": d.name, "online": d.online(now), "enrolled": d.enrolled, "revoked": d.revoked,
                  "last_seen": iso(d.last_seen_at), "last_push": iso(d.last_push_at),
                  "queue": d.queue_length, "printer": d.printer_state, "app": d.app_version,
                  "clock_offset_s": None if d.clock_offset_ms is None else round(d.clock_offset_ms / 1000, 1),
                  "clock_skewed": d.clock_skewed, "address": d.address} for d in store.desks()]
        conflicts = [{"uuid": c.uuid, "code": c.delegate_code, "name": c.delegate_name,
                      "activity": c.activity_code, "desk": c.desk, "at": iso(c.at),
                      "first_desk": c.first_desk, "first_at": iso(c.first_at)} for c in store.conflicts()]
        return {"hub_time": iso(now), "event": cache.get("event"), "activities": cache["stats"],
                "desks": desks, "conflicts": conflicts, "high": state.notifier.high}

    @app.get("/dashboard/data")
    async def data(request: Request) -> Response:
        if not _authorised(request, state.dashboard_key):
            return JSONResponse({"error": "key"}, status_code=401)
        return JSONResponse(await anyio.to_thread.run_sync(snapshot))

    @app.get("/dashboard")
    async def page(request: Request) -> Response:
        if not _authorised(request, state.dashboard_key):
            return _denied()
        if "key" in request.query_params:
            # Keep the key out of the address bar (and out of screenshots) from here on.
            resp: Response = RedirectResponse("/dashboard", status_code=303)
            resp.set_cookie(COOKIE, state.dashboard_key, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", max_age=7 * 86400)
            return resp
        return HTMLResponse(PAGE)

    @app.get("/dashboard/enrol")
    async def enrol_page(request: Request, desk: str = "") -> Response:
        if not _authorised(request, state.dashboard_key):
            return _denied()
        body = ("<form method=get><label>签到台名称 / Desk name "
                "<input name=desk required maxlength=100 autofocus></label> "
                "<button>生成注册码 / Create code</button></form>")
        if desk.strip():
            try:
                token = await anyio.to_thread.run_sync(lambda: store.create_enrolment(desk.strip()))
            except Exception as exc:
                body += f"<p class=bad>{html.escape(str(exc)).replace(chr(10), '<br>')}</p>"
            else:
                code = EnrolmentCode(state.public_url, token, state.fingerprint, desk.strip()).encode()
                body += (f"<h3>{html.escape(desk.strip())}</h3><div class=qr>{qr_svg(code)}</div>"
                         f"<p><code>{html.escape(code)}</code></p>"
                         f"<p>证书指纹 / Certificate fingerprint:<br><code>"
                         f"{pretty_fingerprint(state.fingerprint) if state.fingerprint else '—'}</code></p>"
                         "<p>注册码只能使用一次，24 小时内有效。<br>"
                         "The code works once, within 24 hours.</p>")
        return HTMLResponse(ENROL_PAGE.replace("{{BODY}}", body))


def qr_svg(text: str) -> str:
    """An inline SVG QR code (the qrcode package's path image)."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue().decode("utf-8").split("?>", 1)[-1]


def fmt_local(moment: datetime | None) -> str:
    """HH:MM:SS in Chongqing time, for server-rendered bits."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M:%S") if moment else "—"


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
@media (max-width:640px){.wide{display:none}table{font-size:13px}}
"""

PAGE = """<!doctype html><html lang=zh><head><meta charset=utf-8>
<meta name=viewport content="width=device-width,initial-scale=1">
<title>签到总览 / Check-in dashboard</title><style>""" + _STYLE + """</style></head><body>
<header><h1 id=title>签到总览 / Check-in dashboard</h1>
<div class=sub><span id=updated>…</span> · <a style="color:#cde" href="/dashboard/enrol">注册签到台 / Enrol a desk</a></div></header>
<main>
<section><h2>出席 / Attendance</h2><table><thead><tr><th>活动 / Activity</th>
<th class=n>已签到<br>Checked in</th><th class=n>报名<br>Registered</th><th class=n>场内 / 容量<br>Inside / capacity</th></tr></thead>
<tbody id=acts></tbody></table></section>
<section><h2>签到台 / Desks</h2><table><thead><tr><th>签到台 / Desk</th><th>状态 / Status</th>
<th class=n>未同步<br>Queue</th><th class=wide>打印机 / Printer</th><th class=n>时钟偏差<br>Clock</th>
<th class=wide>最近同步 / Last sync</th></tr></thead><tbody id=desks></tbody></table></section>
<section><h2>冲突 / Conflicts</h2><p class=muted>同一人在不同签到台离线时重复进入单次入场活动；两条记录均保留。
<br>The same person admitted to a single-entry activity at two desks while apart; both records are kept.</p>
<table><thead><tr><th>人员 / Delegate</th><th>活动 / Activity</th><th>先 / First</th><th>后（冲突）/ Later (conflict)</th></tr></thead>
<tbody id=conflicts></tbody></table></section>
</main>
<script>
const tz="Asia/Shanghai";
function t(s){if(!s)return"—";return new Date(s).toLocaleTimeString("zh-CN",{timeZone:tz,hour12:false})}
function esc(s){return String(s==null?"":s).replace(/[&<>"']/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]))}
async function load(){
 try{
  const r=await fetch("/dashboard/data",{cache:"no-store"});
  if(r.status==401){location.reload();return}
  const d=await r.json();
  if(d.event)document.getElementById("title").textContent=d.event.zh+" / "+d.event.en;
  document.getElementById("updated").textContent="更新 / Updated "+t(d.hub_time);
  document.getElementById("acts").innerHTML=d.activities.map(a=>{
   const cap=a.capacity,pct=cap?Math.min(100,Math.round(100*a.inside_now/cap)):0;
   return `<tr><td>${esc(a.code)} ${esc(a.name_zh)}<br><span class=muted>${esc(a.name_en)}</span></td>
   <td class=n>${a.checked_in}</td><td class=n>${a.registered}</td>
   <td class=n>${a.inside_now}${cap?" / "+cap:""}${cap?`<div class=bar><i class="${pct>=100?"full":""}" style="width:${pct}%"></i></div>`:""}</td></tr>`}).join("");
  document.getElementById("desks").innerHTML=d.desks.map(k=>{
   const st=k.revoked?'<span class=bad>已吊销 revoked</span>':!k.enrolled?'<span class=muted>待注册 not enrolled</span>':
    k.online?'<span class=ok>在线 online</span>':'<span class=bad>离线 offline</span>';
   const clk=k.clock_offset_s==null?"—":`<span class="${k.clock_skewed?"warn":""}">${k.clock_offset_s>0?"+":""}${k.clock_offset_s} s${k.clock_skewed?" ⚠":""}</span>`;
   return `<tr><td>${esc(k.name)}<br><span class=muted>${esc(k.app)}</span></td><td>${st}</td>
   <td class=n>${k.queue}</td><td class=wide>${esc(k.printer||"—")}</td><td class=n>${clk}</td>
   <td class=wide>${t(k.last_seen)}</td></tr>`}).join("")||'<tr><td colspan=6 class=muted>尚无签到台 / No desks yet</td></tr>';
  document.getElementById("conflicts").innerHTML=d.conflicts.map(c=>`<tr><td>${esc(c.name)}<br><span class=muted>${esc(c.code)}</span></td>
   <td>${esc(c.activity)}</td><td>${esc(c.first_desk)}<br>${t(c.first_at)}</td>
   <td class=bad>${esc(c.desk)}<br>${t(c.at)}</td></tr>`).join("")||'<tr><td colspan=4 class=muted>无 / None</td></tr>';
 }catch(e){document.getElementById("updated").textContent="连接中断 / Connection lost"}
}
load();setInterval(load,3000);
</script></body></html>"""

ENROL_PAGE = """<!doctype html><html lang=zh><head><meta charset=utf-8>
<meta name=viewport content="width=device-width,initial-scale=1">
<title>注册签到台 / Enrol a desk</title><style>""" + _STYLE + """ .qr svg{width:280px;height:280px}</style>
</head><body><header><h1>注册签到台 / Enrol a desk</h1><div class=sub><a style="color:#cde" href="/dashboard">← 总览 / Dashboard</a></div></header>
<main><section>{{BODY}}<p class=muted>在签到台上选择“连接中心服务器”，扫描或粘贴此注册码。<br>
At the desk choose “Connect to hub” and scan or paste this code.</p></section></main></body></html>"""
