"""`checkin-app hub …` subcommands: serve, load a demo event, enrol and revoke desks, bundles, publish."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checkin_app.cli.common import EXIT_OK, CliError
from checkin_app.cli.event import add_hub_parsers, cmd_hub_event
from checkin_app.domain.messages import Message, Words, both, msg
from checkin_app.sync.protocol import EnrolmentCode, pretty_fingerprint


def _db_args(p: argparse.ArgumentParser, *, top: bool) -> None:
    # SUPPRESS on the inner level so `hub --db X load` and `hub load --db X` both work.
    default: Any = None if top else argparse.SUPPRESS
    p.add_argument("--db", default=default,
                   help="hub database: a SQLite file or postgresql+psycopg://user@host/db "
                        "(default: hub.sqlite3 in the per-user data folder)")


def add_parsers(sub: Any) -> None:
    """Register `hub` and its subcommands on the main parser's subparsers."""
    p = sub.add_parser("hub", help="run the hub (HTTP service all desks sync with) or manage it")
    _db_args(p, top=True)
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--insecure-http", action="store_true",
                   help="serve plain HTTP instead of HTTPS (only on a network you trust)")
    p.add_argument("--public-url", default=None,
                   help="address desks use to reach the hub (default: https://<this machine>:PORT)")
    p.add_argument("--tls-dir", type=Path, default=None, help="folder of the hub certificate")
    p.add_argument("--event-key", type=Path, default=None,
                   help="event key file: desks enrolling get their desk key certified with it")
    hs = p.add_subparsers(dest="hub_command")
    add_hub_parsers(hs, _db_args)
    q = hs.add_parser("load", help="build the demo event into the hub database")
    _db_args(q, top=False)
    q.add_argument("--size", type=int, default=10_000)
    q.add_argument("--seed", type=int, default=2024)
    q = hs.add_parser("publish",
                      help="send rows changed directly in the hub database (e.g. an import) to desks")
    _db_args(q, top=False)
    q = hs.add_parser("enrol-desk", help="create a one-time enrolment code (and QR) for a desk")
    _db_args(q, top=False)
    q.add_argument("name")
    q.add_argument("--url", default=None, help="hub address to put in the code (default: the hub's own)")
    q = hs.add_parser("revoke-desk",
                      help="cut a desk off from the hub and revoke its badge signing key(s)")
    _db_args(q, top=False)
    q.add_argument("name")
    q.add_argument("--reason", default="",
                   help="why (shown with REVOKED when a badge it signed is scanned)")
    q.add_argument("--keep-signing-key", action="store_true",
                   help="only stop its syncing; badges it signed stay valid (a desk retired in "
                        "good order, not a lost one)")
    q = hs.add_parser("lift-revocation",
                      help="lift a signing key revocation made in error (audited; desks pull it)")
    _db_args(q, top=False)
    q.add_argument("key_id", type=int, help="the desk key id (as `keys list` or revoke-desk showed)")
    q.add_argument("--reason", required=True, help="why the revocation is lifted (kept in the audit log)")
    q = hs.add_parser("reinstate-desk",
                      help="let a desk revoked in error sync again (audited); with --lift-keys also its "
                           "signing keys")
    _db_args(q, top=False)
    q.add_argument("name")
    q.add_argument("--reason", required=True, help="why (kept in the audit log)")
    q.add_argument("--lift-keys", action="store_true",
                   help="also lift the revocation of the signing keys the hub certified for it")
    q = hs.add_parser("dashboard-key", help="print the dashboard link with its manager key")
    _db_args(q, top=False)
    q = hs.add_parser("desks", help="list desks and their health")
    _db_args(q, top=False)
    q = hs.add_parser("bundle", help="offline bundles (USB stick)")
    bs = q.add_subparsers(dest="bundle_command", required=True)
    r = bs.add_parser("import", help="take in a desk's exported events")
    _db_args(r, top=False)
    r.add_argument("file", type=Path)
    r.add_argument("--allow-unsigned", action="store_true",
                   help="also take a bundle no certified desk key signed (a desk never given a key)")
    r = bs.add_parser("export-delegates", help="write event, activities and delegates for an offline desk "
                      "(signed with the hub's TLS key)")
    _db_args(r, top=False)
    r.add_argument("file", type=Path)
    r.add_argument("--tls-dir", type=Path, default=None,
                   help="folder of the hub certificate, if the hub was started with --tls-dir")


def _url(args: argparse.Namespace) -> str:
    from checkin_app.hub.server import default_hub_db

    return str(args.db or default_hub_db())


def _store(args: argparse.Namespace) -> Any:
    from checkin_app.hub.db import HubDatabase
    from checkin_app.hub.store import HubStore

    return HubStore(HubDatabase(_url(args)))


def _line(message: Message) -> str:
    """A message as the hub's commands print it: "中文 / English" on one line."""
    return both(message, sep=" / ")


def print_qr(text: str, out: Any = None) -> None:
    """The code as a QR in the terminal (dark modules as full blocks)."""
    import qrcode

    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    qr.add_data(text)
    buf = io.StringIO()
    qr.print_ascii(out=buf, invert=True)
    print(buf.getvalue(), file=out or sys.stdout)


def cmd_hub(args: argparse.Namespace) -> int:
    """Dispatch `hub` and its subcommands."""
    command = getattr(args, "hub_command", None)
    try:
        if command is None:
            return _serve(args)
        if command == "event":
            return cmd_hub_event(args, _store(args))
        return {"load": _load, "publish": _publish, "enrol-desk": _enrol, "revoke-desk": _revoke,
                "lift-revocation": _lift, "reinstate-desk": _reinstate, "dashboard-key": _dashboard_key,
                "desks": _desks, "bundle": _bundle}[command](args)
    except CliError:
        raise
    except Exception as exc:
        from checkin_app.storage.db import DatabaseError
        from checkin_app.sync.protocol import SyncError

        if isinstance(exc, SyncError | DatabaseError | ValueError):
            raise CliError(str(exc)) from exc
        raise


def _serve(args: argparse.Namespace) -> int:
    from checkin_app.hub.enrolment import EVENT_KEY_ENV, register_event_key
    from checkin_app.hub.server import prepare, serve

    setup = prepare(_url(args), host=args.host, port=args.port, insecure_http=args.insecure_http,
                    public_url=args.public_url, tls_dir=args.tls_dir)
    event_key = ""
    if args.event_key:
        # Checked (and its public half recorded, so desks pull it) before the first enrolment.
        event_key = register_event_key(setup.store, args.event_key.resolve())
        os.environ[EVENT_KEY_ENV] = str(args.event_key.resolve())
    published = setup.store.refresh()
    st = setup.state
    print(f"{_line(msg('hub.cli.hub'))}: {st.public_url}   "
          f"{_line(msg('hub.cli.database'))}: {setup.db.display_url}")
    if setup.cert:
        print(f"  {_line(msg('hub.cli.fingerprint'))}: {pretty_fingerprint(setup.cert.fingerprint)}")
    else:
        print(f"  ⚠ {_line(msg('hub.cli.plain_http'))}")
    if setup.new_dashboard_key:
        # Shown once, when made: a log kept of every start would otherwise hold the key.
        print(f"  {_line(msg('hub.cli.dashboard'))}: {st.public_url}/dashboard?key={st.dashboard_key}")
        print("  " + both(msg("hub.cli.key_shown_once"), sep="\n  "))
    else:
        print(f"  {_line(msg('hub.cli.dashboard'))}: {st.public_url}/dashboard "
              f"({_line(msg('hub.cli.link_with_key'))}: checkin-app hub dashboard-key)")
    if event_key:
        print("  " + _line(msg("hub.cli.event_key_certifies", key=event_key)))
    if published:
        print("  " + _line(msg("hub.cli.published_at_start", n=published)))
    print(f"  {_line(msg('hub.cli.enrol_a_desk'))}: checkin-app hub enrol-desk NAME", flush=True)
    serve(setup, host=args.host, port=args.port)
    return EXIT_OK


def _load(args: argparse.Namespace) -> int:
    from checkin_app.demo.hub import load_demo

    store = _store(args)
    try:
        summary = load_demo(store.db, size=args.size, seed=args.seed)
        n = store.refresh()
    finally:
        store.db.close()
    print(f"{_line(msg('hub.cli.demo_loaded'))}: {summary.delegates} delegates, {n} changes published")
    return EXIT_OK


def _publish(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        n = store.refresh()
    finally:
        store.db.close()
    print(_line(msg("hub.cli.published", n=n)))
    return EXIT_OK


def _enrol(args: argparse.Namespace) -> int:
    from checkin_app.hub.server import tls_dir_for
    from checkin_app.hub.tls import ensure_certificate

    store = _store(args)
    try:
        token = store.create_enrolment(args.name)
        url = args.url or store.setting("hub.url") or ""
        fp = store.setting("hub.fingerprint")
    finally:
        store.db.close()
    if not url:
        from checkin_app.hub.server import DEFAULT_PORT, lan_address

        url = f"https://{lan_address()}:{DEFAULT_PORT}"
    if fp is None or (url.startswith("https") and not fp):
        fp = ensure_certificate(tls_dir_for(_url(args))).fingerprint
    code = EnrolmentCode(url, token, fp if url.startswith("https") else "", args.name).encode()
    print(f"{_line(msg('hub.desk'))}: {args.name}")
    print_qr(code)
    print(code)
    print(both(msg("hub.cli.scan_code")))
    print(f"  checkin-app enrol '{code}'")
    return EXIT_OK


def _revoke(args: argparse.Namespace) -> int:
    from checkin_app.hub.enrolment import revoke_desk_keys

    reason = args.reason.strip() or _line(msg("hub.cli.revoked_reason"))
    store = _store(args)
    try:
        ok = store.revoke(args.name)
        key_ids = [] if not ok or args.keep_signing_key else revoke_desk_keys(store, args.name, reason)
    finally:
        store.db.close()
    if not ok:
        raise CliError(both(msg("hub.cli.no_desk", name=args.name)))
    print(_line(msg("hub.cli.desk_revoked", name=args.name)))
    if key_ids:
        ids = ", ".join(str(i) for i in key_ids)
        print("  " + both(msg("hub.cli.keys_revoked", ids=ids), sep="\n  "))
    elif not args.keep_signing_key:
        print("  " + _line(msg("hub.cli.no_key_certified")))
    return EXIT_OK


def _lift(args: argparse.Namespace) -> int:
    from checkin_app.hub.enrolment import lift_key_revocation

    store = _store(args)
    try:
        ids = lift_key_revocation(store, args.key_id, args.reason)
    finally:
        store.db.close()
    lifted = Words("", f" ({', '.join(map(str, ids))})")  # only the English line lists them
    print(both(msg("hub.cli.key_lifted", key_id=args.key_id, lifted=lifted)))
    return EXIT_OK


def _reinstate(args: argparse.Namespace) -> int:
    from checkin_app.hub.enrolment import desk_key_ids, lift_key_revocation

    store = _store(args)
    lifted: list[int] = []
    try:
        if not store.reinstate(args.name, reason=args.reason):
            raise CliError(both(msg("hub.cli.no_revoked_desk", name=args.name)))
        if args.lift_keys:
            for key_id in desk_key_ids(store, args.name):
                with contextlib.suppress(ValueError):  # that key was not revoked
                    lifted += lift_key_revocation(store, key_id, args.reason)
    finally:
        store.db.close()
    print(_line(msg("hub.cli.reinstated", name=args.name)))
    if lifted:
        keys = Words(f" {', '.join(map(str, lifted))}", "")  # only the Chinese line lists them
        print("  " + _line(msg("hub.cli.keys_lifted", keys=keys)))
    return EXIT_OK


def _dashboard_key(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        key, url = store.setting("hub.dashboard_key"), store.setting("hub.url") or ""
    finally:
        store.db.close()
    if not key:
        raise CliError(both(msg("hub.cli.no_dashboard_key")))
    print(f"{url}/dashboard?key={key}")
    return EXIT_OK


def _desks(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from checkin_app.hub.dashboard import fmt_local

    store = _store(args)
    try:
        rows = store.desks()
    finally:
        store.db.close()
    now = datetime.now(UTC)
    for d in rows:
        state = ("revoked" if d.revoked else "not enrolled" if not d.enrolled
                 else "online" if d.online(now) else "offline")
        clock = "-" if d.clock_offset_ms is None else f"{d.clock_offset_ms / 1000:+.1f}s"
        print(f"{d.name:<20} {state:<13} seen {fmt_local(d.last_seen_at)}  queue {d.queue_length:>4}  "
              f"clock {clock}{' ⚠' if d.clock_skewed else ''}  printer {d.printer_state or '-'}")
    return EXIT_OK


def _bundle(args: argparse.Namespace) -> int:
    from checkin_app.hub.bundles import export_hub_data, import_desk_events

    store = _store(args)
    try:
        if args.bundle_command == "import":
            info, result = import_desk_events(store, args.file, allow_unsigned=args.allow_unsigned)
            print(f"{_line(msg('hub.cli.imported', desk=info.desk))}: "
                  f"{len(result.stored)} new, {len(result.duplicates)} already here, "
                  f"{len(result.rejected)} refused")
            # No space before the slash after the full-width bracket, as ever.
            print(f"  {_line(msg('hub.cli.signature_verified'))}: {info.signed_by}" if info.signed_by
                  else "  " + both(msg("hub.cli.not_signed"), sep="/ "))
            for r in result.rejected[:20]:
                print(f"  {r['table']} {r['key']}: {r['reason']}")
        else:
            from checkin_app.hub.server import tls_dir_for
            from checkin_app.hub.tls import ensure_certificate
            from checkin_app.sync.protocol import SyncError

            cert = ensure_certificate(args.tls_dir or tls_dir_for(_url(args)))
            served = store.setting("hub.fingerprint")
            if served and served != cert.fingerprint:
                raise SyncError(both(msg("hub.cli.other_certificate")))
            info = export_hub_data(store, args.file, cert)
            print(f"{_line(msg('hub.cli.exported', n=info.items))} to {args.file}")
            print(f"  {_line(msg('hub.cli.signed_by_hub'))}:\n  {cert.fingerprint}")
            print(f"  {_line(msg('hub.cli.offline_import'))}: "
                  f"checkin-app bundle import {args.file} --fingerprint {cert.fingerprint}")
    finally:
        store.db.close()
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"hub": cmd_hub}
