"""`checkin-app keys …`, `issue-code` and `pin …`: signing keys, badge tokens and manager PINs."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checkin_app.cli.common import (
    EXIT_OK,
    CliError,
    add_common,
    desk_name,
    local_time,
    need_event,
    open_db,
    parse_clock,
    print_json,
    read_pin,
    zh_en,
)
from checkin_app.domain.messages import both, msg


def _operator() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers): still say it was the CLI
        return "cli"


def add_parsers(sub: Any) -> None:
    """Add the `keys`, `issue-code` and `pin` subcommands."""
    from checkin_app.services.keys import default_key_file

    key_help = f"event signing key file (default: {default_key_file()})"
    p = sub.add_parser("keys", help="event and desk signing keys (badge codes)")
    add_common(p)
    ks = p.add_subparsers(dest="keys_command", required=True)
    q = ks.add_parser("init", help="make the event key file and certify this desk")
    add_common(q)
    q.add_argument("--key-file", type=Path, default=None, help=key_help)
    q.add_argument("--desk", default=None, help="name of this desk (default: desk setting)")
    q = ks.add_parser("rotate", help="new event key; old badges stay valid until `keys retire`")
    add_common(q)
    q.add_argument("--key-file", type=Path, default=None, help=key_help)
    q.add_argument("--desk", default=None)
    q = ks.add_parser("retire", help="stop trusting an old event key (its badges become REVOKED)")
    add_common(q)
    q.add_argument("fingerprint")
    q.add_argument("--reason", required=True)
    q = ks.add_parser("certify-desk", help="sign a desk's key with the event key")
    add_common(q)
    q.add_argument("--key-file", type=Path, default=None, help=key_help)
    q.add_argument("--desk", default=None, help="desk name to certify (default: its setting)")
    q.add_argument("--desk-db", type=Path, default=None,
                   help="the desk's database (default: --db itself, which is the registry)")
    q = ks.add_parser("revoke-desk", help="revoke a desk key (stolen laptop): its badges become REVOKED "
                      "(the organiser: needs the event key file)")
    add_common(q)
    q.add_argument("key_id", type=int)
    q.add_argument("--reason", required=True)
    q.add_argument("--key-file", type=Path, default=None, help=key_help)
    q = ks.add_parser("lift-revocation", help="lift a desk key revocation made in error (audited; "
                      "needs the event key file)")
    add_common(q)
    q.add_argument("key_id", type=int)
    q.add_argument("--reason", required=True)
    q.add_argument("--key-file", type=Path, default=None, help=key_help)
    q = ks.add_parser("export-public", help="write public keys, certificates and revocations")
    add_common(q)
    q.add_argument("output", type=Path)
    q = ks.add_parser("import-public", help="merge a file written by export-public")
    add_common(q)
    q.add_argument("input", type=Path)
    q = ks.add_parser("list", help="show event and desk keys")
    add_common(q)
    q.add_argument("--json", action="store_true")

    p = sub.add_parser("issue-code", help="print a delegate's signed badge code")
    add_common(p)
    p.add_argument("delegate", help="delegate id, registration code or walk-in number")

    p = sub.add_parser("pin", help="manager PINs of this desk")
    add_common(p)
    ps = p.add_subparsers(dest="pin_command", required=True)
    q = ps.add_parser("set", help="add a manager or change a PIN (asks for an existing PIN first)")
    add_common(q)
    q.add_argument("--name", required=True, help="manager's name (shown in the audit log)")
    q = ps.add_parser("list", help="list the managers")
    add_common(q)
    q = ps.add_parser("remove", help="remove a manager (needs another manager's PIN)")
    add_common(q)
    q.add_argument("name")


def _local(moment: Any) -> str:
    return "-" if moment is None else local_time(moment)


def cmd_keys(args: argparse.Namespace) -> int:
    """Key operations; every one is written to the audit log."""
    from checkin_app.services.keys import KeyService, KeyServiceError, default_key_file
    from checkin_app.storage.db import Database

    db = open_db(args)
    svc = KeyService(db, parse_clock(args.clock))
    desk, op = desk_name(db, None), _operator()
    key_file: Path = getattr(args, "key_file", None) or default_key_file()
    cmd = args.keys_command
    try:
        if cmd == "init":
            ev, dk = svc.init_event(key_file, desk_name=desk_name(db, args.desk), desk=desk, operator=op)
            print(f"{zh_en(msg('cli.keys.created'))} {ev.fingerprint}")
            print(f"  {zh_en(msg('cli.keys.key_file'))} {key_file}")
            print(f"  {zh_en(msg('cli.keys.certified_here'))} key id {dk.key_id} ({dk.desk_name})")
        elif cmd == "rotate":
            ev, dk = svc.rotate(key_file, desk_name=desk_name(db, args.desk), desk=desk, operator=op)
            print(f"{zh_en(msg('cli.keys.new_event_key'))} {ev.fingerprint} "
                  f"(old key file kept beside {key_file})")
            print(f"  {zh_en(msg('cli.keys.new_desk_key'))} {dk.key_id}; re-certify the other desks")
        elif cmd == "retire":
            ev = svc.retire(args.fingerprint, reason=args.reason, desk=desk, operator=op)
            print(f"{zh_en(msg('cli.keys.retired'))} {ev.fingerprint} at {_local(ev.retired_at)}")
        elif cmd == "certify-desk":
            target = Database(args.desk_db) if args.desk_db else None
            try:
                name = args.desk or (desk_name(target, None) if target else desk_name(db, None))
                dk = svc.certify_desk(key_file, desk_name=name, desk=desk, operator=op,
                                      desk_db=target)
            finally:
                if target is not None:
                    target.close()
            print(f"{zh_en(msg('cli.keys.certified'))} “{dk.desk_name}”: key id {dk.key_id}, "
                  f"public key {dk.fingerprint}…")
        elif cmd == "revoke-desk":
            svc.check_organiser(key_file)
            for dk in svc.revoke_desk(args.key_id, reason=args.reason, desk=desk, operator=op):
                print(f"{zh_en(msg('cli.keys.revoked'))} {dk.key_id} (“{dk.desk_name}”) "
                      f"at {_local(dk.revoked_at)}: {dk.revoked_reason}")
            print(f"  {zh_en(msg('cli.keys.distribute'))}")
        elif cmd == "lift-revocation":
            svc.check_organiser(key_file)
            for dk in svc.lift_revocation(args.key_id, reason=args.reason, desk=desk, operator=op):
                print(f"{zh_en(msg('cli.keys.lifted'))} desk key {dk.key_id} (“{dk.desk_name}”)")
        elif cmd == "export-public":
            counts = svc.export_public(args.output, desk=desk, operator=op)
            print(f"{zh_en(msg('cli.keys.exported'))} {args.output}: {counts}")
        elif cmd == "import-public":
            counts = svc.import_public(args.input, desk=desk, operator=op)
            print(f"{zh_en(msg('cli.keys.imported'))} {args.input}: {counts}")
            if counts["rejected"]:
                print(f"  {counts['rejected']} {zh_en(msg('cli.keys.rejected'))}", file=sys.stderr)
        else:
            return _list_keys(svc, args.json)
    except KeyServiceError as exc:
        raise CliError(str(exc)) from exc
    return EXIT_OK


def _list_keys(svc: Any, as_json: bool) -> int:
    st = svc.status()
    if as_json:
        print_json({
            "signing_key_id": st.signing_key_id, "signing_desk": st.signing_desk,
            "event_keys": [{"fingerprint": e.fingerprint, "created_at": e.created_at.isoformat(),
                            "retired_at": e.retired_at.isoformat() if e.retired_at else None,
                            "retired_reason": e.retired_reason} for e in st.event_keys],
            "desk_keys": [{"key_id": d.key_id, "desk_name": d.desk_name, "public_key": d.fingerprint,
                           "own": d.own, "certified": d.certified, "event_key": d.event_key,
                           "revoked_at": d.revoked_at.isoformat() if d.revoked_at else None,
                           "revoked_reason": d.revoked_reason} for d in st.desk_keys],
        })
        return 0
    print(zh_en(msg("cli.keys.event_keys")))
    for e in st.event_keys:
        state = f"retired {_local(e.retired_at)} ({e.retired_reason})" if e.retired_at else "active"
        print(f"  {e.fingerprint}  created {_local(e.created_at)}  {state}")
    print(zh_en(msg("cli.keys.desk_keys")))
    for d in st.desk_keys:
        state = (f"REVOKED {_local(d.revoked_at)} ({d.revoked_reason})" if d.revoked_at
                 else "certified" if d.certified else "not certified")
        print(f"  {d.key_id if d.key_id is not None else '-':>5}  {d.desk_name:<20} "
              f"{'own ' if d.own else '    '}{state}  by {d.event_key or '-'}")
    signer = (f"key id {st.signing_key_id} ({st.signing_desk})" if st.signing_key_id is not None
              else both(msg("cli.keys.no_signer"), first_lang="en", sep=" / "))
    print(f"{zh_en(msg('cli.keys.signs_with'))} {signer}")
    return 0


def cmd_issue_code(args: argparse.Namespace) -> int:
    """Print the badge code for one delegate (a signed token when this desk has a key)."""
    from sqlalchemy import or_, select

    from checkin_app.domain import tokens
    from checkin_app.services.badge_codes import badge_code
    from checkin_app.services.keys import signing_key
    from checkin_app.storage import models as m

    db = open_db(args)
    need_event(db)
    text = str(args.delegate).strip()
    with db.read() as s:
        conds = [m.Delegate.registration_code == text.upper()]
        if text.isdigit():
            conds.append(m.Delegate.id == int(text))
        delegate_id = s.scalar(select(m.Delegate.id).where(or_(*conds)).limit(1))
        if delegate_id is None:
            raise CliError(both(msg("cli.issue.no_delegate", text=text)))
        if signing_key(s) is None:
            raise CliError(both(msg("cli.issue.no_key")))
        code = badge_code(s, delegate_id)
    assert tokens.looks_like_token(code)
    print(code)
    return EXIT_OK


def cmd_pin(args: argparse.Namespace) -> int:
    """Manager PINs: the first is set freely, later changes need an existing manager's PIN."""
    from checkin_app.services.pins import PinError, PinService

    db = open_db(args)
    svc = PinService(db, parse_clock(args.clock))
    desk = desk_name(db, None)
    if args.pin_command == "list":
        names = svc.managers()
        print("\n".join(names) if names else zh_en(msg("cli.pin.no_manager")))
        return EXIT_OK
    operator = _operator()
    if svc.has_managers():
        check = svc.verify(read_pin(f"{zh_en(msg('cli.pin.existing'))}: "), desk=desk)
        if not check.ok:
            raise CliError(check.message)
        operator = check.manager
    try:
        if args.pin_command == "remove":
            svc.remove(args.name, desk=desk, operator=operator)
            print(f"{zh_en(msg('cli.pin.removed'))} {args.name}")
            return EXIT_OK
        pin = read_pin(f"{zh_en(msg('cli.pin.new_for', name=args.name))}: ")
        again = read_pin(f"{zh_en(msg('cli.pin.again'))}: ")
        if pin != again:
            raise CliError(both(msg("cli.pin.differ")))
        svc.set_pin(args.name, pin, desk=desk, operator=operator)
    except PinError as exc:
        raise CliError(str(exc)) from exc
    print(f"{zh_en(msg('cli.pin.set'))} {args.name}")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "keys": cmd_keys,
    "issue-code": cmd_issue_code,
    "pin": cmd_pin,
}
