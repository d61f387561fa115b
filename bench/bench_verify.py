"""Signed badge tokens at 100,000 delegates: verification + rules per scan, and the whole scan path.

Run: python -m bench.bench_verify [--size 100000] [--events 1000000] [--scans 2000]

1. Per scan, the work tokens add: parse + check the token against the keyring (one Ed25519
   verify) + the admission rules. The floor is the raw `cryptography` Ed25519 verify of the
   same bytes, in the same run (target: p99 <= 2 ms on top of the lookup).
2. The full scan-to-recorded-verdict path (CheckInService.scan) with signed tokens, on the
   same 100k-delegate / 1M-event database as bench_checkin, interleaved with registration-code
   scans of the same people (target: p99 <= 15 ms).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bench.bench_checkin import with_events
from bench.common import CACHE, copy_db, percentiles, row, write_results

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 11, 23, 9, 30, tzinfo=SH)


def main() -> None:
    """Enrol a copy of the cached database, sign tokens, then time both parts."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--scans", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=9)
    args = ap.parse_args()

    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from checkin_app.domain import tokens
    from checkin_app.domain.admission import decide
    from checkin_app.domain.clock import FixedClock
    from checkin_app.services.badge_codes import badge_code
    from checkin_app.services.checkin import CheckInService
    from checkin_app.services.keys import KeyService, load_keyring
    from checkin_app.services.views import activity_info
    from checkin_app.storage import models as m
    from checkin_app.storage.db import Database

    src = with_events(args.size, args.events)
    work = copy_db(src, CACHE / "verify-work.sqlite3")
    key_file = CACHE / "verify-event-key.pem"
    key_file.unlink(missing_ok=True)
    db = Database(work)
    clock = FixedClock(NOW)
    KeyService(db, clock).init_event(key_file, desk_name="BENCH", desk="BENCH", operator="bench")
    rng = random.Random(args.seed)
    with db.read() as s:
        people = s.execute(select(m.Delegate.id, m.Delegate.registration_code, m.Delegate.status,
                                  m.Category.code)
                           .join(m.Category, m.Category.id == m.Delegate.category_id)).all()
        chosen = rng.sample(people, args.scans)
        t0 = time.perf_counter()
        signed = [badge_code(s, p.id) for p in chosen]
        sign_ms = (time.perf_counter() - t0) * 1000 / len(chosen)
        keyring = load_keyring(s)
        main_row = s.scalar(select(m.Activity).where(m.Activity.code == "MAIN")
                            .options(selectinload(m.Activity.categories)))
        assert main_row is not None
        main_act = activity_info(main_row)
    lengths = sorted({len(t) for t in signed})

    # -- part 1: verification + rules vs the raw verify of the same bytes -----------------
    today = NOW.astimezone(UTC).date()
    prepared = []
    for token, p in zip(signed, chosen, strict=True):
        parts = tokens.split_token(token)
        assert parts is not None
        prepared.append((token, parts[0], parts[1], p))
    desk_key = next(iter(keyring.desk_keys.values()))[0].public_key
    verify_ms: list[float] = []
    floor_ms: list[float] = []
    for _ in range(3):  # three passes over the same tokens, interleaved with the floor
        for token, payload, sig, p in prepared:
            t = time.perf_counter_ns()
            check = tokens.check_token(token, keyring, today)
            assert check.status is tokens.TokenStatus.VALID
            decide(status=p.status, category=p.code, category_attention=False, attention_note="",
                   activity=main_act, now=NOW, tz=SH, presence=None, occupancy=0)
            verify_ms.append((time.perf_counter_ns() - t) / 1e6)
            t = time.perf_counter_ns()
            desk_key.verify(sig, tokens.TOKEN_DOMAIN + payload)
            floor_ms.append((time.perf_counter_ns() - t) / 1e6)
    v, f = percentiles(verify_ms), percentiles(floor_ms)

    # -- part 2: the whole scan path, tokens and registration codes of the same people ---
    svc = CheckInService(db, clock)
    for token, _p, _s, p in prepared[:50]:  # warm-up: statement caches, index pages, keyring
        svc.scan(token, desk="BENCH")
        svc.scan(p.registration_code, desk="BENCH")
    token_ms: list[float] = []
    code_ms: list[float] = []
    verdicts: dict[str, int] = {}
    for token, _p, _s, p in prepared[50:]:
        act = "OPENING" if rng.random() < 0.15 else "MAIN"
        t = time.perf_counter_ns()
        r = svc.scan(token, activity_code=act, desk="BENCH")
        token_ms.append((time.perf_counter_ns() - t) / 1e6)
        verdicts[r.verdict.value] = verdicts.get(r.verdict.value, 0) + 1
        clock.advance(seconds=2)
        t = time.perf_counter_ns()
        svc.scan(p.registration_code, activity_code=act, desk="BENCH")
        code_ms.append((time.perf_counter_ns() - t) / 1e6)
        clock.advance(seconds=2)
    tk, cd = percentiles(token_ms), percentiles(code_ms)
    with db.read() as s:
        n_delegates = len(people)
        n_events = s.query(m.CheckIn).count()
    db.close()

    print(f"\n{n_delegates} delegates, {n_events} check-in events; token lengths {lengths}; "
          f"signing a badge code {sign_ms:.3f} ms")
    print(row("check_token + decide (per scan)", v))
    print(row("floor: raw Ed25519 verify", f))
    print(f"ratio verify+rules / floor: p50 ×{v['p50'] / f['p50']:.2f}, p99 ×{v['p99'] / f['p99']:.2f}")
    print(f"target p99 ≤ 2 ms on top of the lookup: {'MET' if v['p99'] <= 2 else 'NOT MET'}")
    print(row("CheckInService.scan, signed token", tk))
    print(row("CheckInService.scan, registration code", cd))
    print(f"token scan - code scan: p50 +{tk['p50'] - cd['p50']:.2f} ms, "
          f"p99 +{tk['p99'] - cd['p99']:.2f} ms")
    print(f"target p99 ≤ 15 ms (whole scan): {'MET' if tk['p99'] <= 15 else 'NOT MET'}")
    print("verdict mix (tokens):", dict(sorted(verdicts.items())))
    out = write_results("verify", {
        "delegates": n_delegates, "events": n_events, "token_lengths": lengths,
        "sign_badge_code_ms": sign_ms,
        "verify_and_rules_ms": v, "floor_raw_ed25519_verify_ms": f,
        "ratio_p50": v["p50"] / f["p50"], "ratio_p99": v["p99"] / f["p99"],
        "target_verify_p99_ms": 2,
        "scan_token_ms": tk, "scan_registration_code_ms": cd, "target_scan_p99_ms": 15,
        "verdicts_tokens": verdicts,
    })
    print(f"results: {out}")


if __name__ == "__main__":
    main()
