"""Builds the demo: applies the Chongqing 2024 event file, then generates its people, deterministically."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any, Generic, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from checkin_app.demo import names as data
from checkin_app.demo import roles
from checkin_app.domain.countries import country_names
from checkin_app.domain.event_def import EventDefinition
from checkin_app.domain.messages import both, msg
from checkin_app.domain.names import latin_display
from checkin_app.services import event_files, search
from checkin_app.services.event_setup import apply_in_session
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

CODE_PREFIX = "CQ24-"
# No 0/O/1/I: the codes are read aloud and typed by hand when a phone screen will not scan.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 6

TZ = ZoneInfo("Asia/Shanghai")  # the event file's time zone
# The registration export the demo pretends to come from; fixed so builds are reproducible.
UPDATED_AT = datetime(2024, 11, 20, 18, 0, tzinfo=TZ).astimezone(UTC)
# Rows per INSERT batch; also how often progress is reported.
CHUNK = 5_000

_T = TypeVar("_T")

# Smallest and largest team: engineers compete in teams of 3-5, startups pitch with 2-4 people.
_TEAM_SIZES = {"COMPETITOR": (3, 5), "PROJECT": (2, 4)}


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What build_demo created: counts and a few registration codes worth trying at a desk.

    `activities` counts the programme's activities, not the main entrance.
    """

    delegates: int
    activities: int
    categories: int
    samples: dict[str, str]


class _Name(NamedTuple):
    family: str
    given: str
    native: str
    latin: str
    order: str
    female: bool


class _Weighted(Generic[_T]):
    """A weighted choice with its cumulative weights computed once (choices() is hot at 100k)."""

    def __init__(self, weights: dict[_T, float]) -> None:
        self.items = list(weights)
        self.cum = list(accumulate(weights.values()))

    def pick(self, rng: random.Random) -> _T:
        return rng.choices(self.items, cum_weights=self.cum)[0]


_SERBIAN_DIGRAPHS = {"lj": "љ", "nj": "њ", "dž": "џ"}
_SERBIAN_LETTERS = dict(
    zip("abvgdđežzijklmnoprstćufhcčš", "абвгдђежзијклмнопрстћуфхцчш", strict=True)
)


def serbian_cyrillic(text: str) -> str:
    """Serbian Latin to Cyrillic; the mapping is one-to-one apart from the digraphs lj, nj, dž."""
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair.lower() in _SERBIAN_DIGRAPHS:
            letter = _SERBIAN_DIGRAPHS[pair.lower()]
            i += 2
        else:
            letter = _SERBIAN_LETTERS.get(text[i].lower(), text[i])
            pair = text[i]
            i += 1
        out.append(letter.upper() if pair[0].isupper() else letter)
    return "".join(out)


def _feminine(surname: str) -> str:
    # Only the possessive -ov/-ev/-in forms change (Ivanov → Ivanova); Zhuk or Kavalenka do not.
    if surname.endswith(("ов", "ев", "ёв", "ин", "ov", "ev", "in")):
        return surname + ("а" if surname[-1] in "вн" else "a")
    return surname


def _team_number(team: str) -> tuple[str, int]:
    head = team.split(" ", 1)[0]
    return head[:-4], int(head[-4:])


class _Generator:
    """Draws every random choice of one build from a single Random, in a fixed order."""

    def __init__(self, rng: random.Random, category_ids: dict[str, int]) -> None:
        self.rng = rng
        self.category_ids = category_ids
        self.codes: set[str] = set()
        self.overrides: list[tuple[str, str, bool]] = []  # (registration code, activity, allow)
        self._pinyin: dict[str, str] = {}
        self._cn_surnames = _Weighted({(c, p): w for c, p, w in data.CN_SURNAMES})
        self._foreign = _Weighted(data.FOREIGN_WEIGHTS)
        self._competition = _Weighted(
            {c: data.FOREIGN_WEIGHTS[c] for c in data.COMPETITION_COUNTRIES if c != "CN"}
        )
        self._xingyu = _Weighted(
            {c: data.FOREIGN_WEIGHTS[c] for c in data.XINGYU_COUNTRIES if c != "CN"}
        )
        self._media = _Weighted({c: data.FOREIGN_WEIGHTS[c] for c in data.FOREIGN_MEDIA})
        self._academy = _Weighted(data.FOREIGN_ACADEMY_WEIGHTS)
        # UN bodies are staffed by member states' nationals; HK, MO and TW are not members.
        self._un = _Weighted(
            {c: w for c, w in data.FOREIGN_WEIGHTS.items() if c not in {"HK", "MO", "TW"}}
        )
        self._cultures = {
            country: _Weighted(dict(shares)) for country, shares in data.COUNTRY_CULTURES.items()
        }
        first_team = {prefix: 1 for _, prefix in (*data.GEEC_TRACKS.values(),
                                                  *data.XINGYU_TRACKS.values())}
        for f in data.FEATURED:
            if f.team:
                prefix, number = _team_number(f.team)
                first_team[prefix] = max(first_team[prefix], number + 1)
        self._next_team = first_team

    # -- identifiers ---------------------------------------------------------------------
    def code(self) -> str:
        """A fresh registration code (collisions are rare at 32^6, but do happen at 100k)."""
        while True:
            code = CODE_PREFIX + "".join(self.rng.choices(CODE_ALPHABET, k=CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # -- names ---------------------------------------------------------------------------
    def _given_pinyin(self, given: str) -> str:
        cached = self._pinyin.get(given)
        if cached is None:
            from pypinyin import lazy_pinyin  # slow import, only needed here

            cached = "".join(lazy_pinyin(given)).capitalize()
            self._pinyin[given] = cached
        return cached

    def chinese_name(self) -> _Name:
        rng = self.rng
        family, family_pinyin = self._cn_surnames.pick(rng)
        r = rng.random()
        # The common-name pool is drawn often on purpose: duplicates like 张伟 are what desks meet.
        if r < 0.35:
            # Squaring skews towards the head of the list, where 伟, 芳 and 娜 stand.
            common = data.CN_GIVEN_COMMON
            given = common[int(len(common) * rng.random() ** 2)]
        elif r < 0.7:
            given = rng.choice(data.CN_GIVEN_MODERN)
        elif r < 0.9:
            given = rng.choice(data.CN_GIVEN_FIRST) + rng.choice(data.CN_GIVEN_SECOND)
        else:
            given = rng.choice(data.CN_GIVEN_SECOND)
        latin = latin_display(
            family_latin=family_pinyin, given_latin=self._given_pinyin(given), order="eastern"
        )
        return _Name(family, given, family + given, latin, "eastern", rng.random() < 0.5)

    def name(self, country: str) -> _Name:
        if country == "CN":
            return self.chinese_name()
        rng = self.rng
        key = self._cultures[country].pick(rng)
        culture = data.CULTURES[key]
        female = rng.random() < 0.5
        family, family_latin = rng.choice(culture.family)
        given, given_latin = rng.choice(culture.female if female else culture.male)
        if culture.middle_male:
            middle, middle_latin = rng.choice(
                culture.middle_female if female else culture.middle_male
            )
            given, given_latin = f"{middle} {given}", f"{middle_latin} {given_latin}"
        if female and culture.feminine_surname:
            family, family_latin = _feminine(family), _feminine(family_latin)
        if culture.mononym_rate and rng.random() < culture.mononym_rate:
            family = family_latin = ""
        if key == "tr":
            # Turkish capitals keep the dot: Şahin → ŞAHİN, not ŞAHIN.
            family_latin = family_latin.replace("i", "İ").upper()
        latin = latin_display(family_latin=family_latin, given_latin=given_latin, order=culture.order)
        if culture.order == "eastern":
            native = f"{family}{culture.joiner}{given}"
        else:
            native = f"{given} {family}" if family else given
        if culture.cyrillic_rate and rng.random() < culture.cyrillic_rate:
            family, given, native = (serbian_cyrillic(s) for s in (family, given, native))
        return _Name(family, given, native, latin, culture.order, female)

    # -- places and organisations --------------------------------------------------------
    def country(self, category: str) -> str:
        rng = self.rng
        if rng.random() < data.CN_SHARE[category]:
            return "CN"
        pool = {
            "COMPETITOR": self._competition,
            "PROJECT": self._xingyu,
            "MEDIA": self._media,
            "ACADEMICIAN": self._academy,
            "INTL_ORG": self._un,
        }.get(category, self._foreign)
        return pool.pick(rng)

    def _home_org(self, country: str) -> data.ZhEn:
        return self._home_org_and_head(country)[0]

    def _home_org_and_head(self, country: str) -> tuple[data.ZhEn, data.ZhEn]:
        """An organisation of that place, with the title of the person heading it."""
        rng = self.rng
        if country == "CN":
            kind = rng.randrange(3)
            pool = (data.CN_UNIVERSITIES, data.CN_COMPANIES, data.CN_INSTITUTES)[kind]
            return rng.choice(pool), data.HEADS[kind]
        return rng.choice(data.FOREIGN_ORGS[country]), data.HEAD_OF_DELEGATION

    def _mission(self, country: str, rank: data.ZhEn) -> data.ZhEn:
        zh, en = country_names(country)
        the = "the " if country in {"US", "GB", "AE"} else ""
        if rank[1] == "Consul General":
            pattern = roles.CONSULATE
        elif rank[1] == "Vice Minister":
            pattern = roles.GOVERNMENT_DELEGATION
        else:
            pattern = roles.EMBASSY
        return pattern[0].format(zh=zh), pattern[1].format(the=the, en=en)

    def affiliation(
        self, category: str, country: str, name: _Name
    ) -> tuple[data.ZhEn, data.ZhEn, str]:
        """(organisation, position, honorific) fitting the category and the person's origin."""
        rng = self.rng
        cn_script = country in {"CN", "HK", "MO", "TW"}
        mr_ms = "Ms." if name.female else "Mr."
        positions = data.POSITIONS.get(category, (("", ""),))
        if category in {"VIP", "GUEST"} and not cn_script and rng.random() < 0.6:
            rank = rng.choice(data.DIPLOMATS)
            honorific = "H.E." if rank[1] in {"Ambassador", "Vice Minister"} else mr_ms
            return self._mission(country, rank), rank, honorific
        if category == "VIP":
            if country == "CN" and rng.random() < 0.6:
                return rng.choice(data.CN_GOVERNMENT), rng.choice(positions), ""
            org, head = self._home_org_and_head(country)
            return org, head, "" if cn_script else mr_ms
        if category == "GUEST":
            honorific = (rng.choice((roles.PROFESSOR_ZH, "")) if cn_script
                         else rng.choice(("Prof.", "Dr.", mr_ms)))
            return self._home_org(country), rng.choice(positions), honorific
        if category == "INTL_ORG":
            return rng.choice(data.INTL_ORGS), rng.choice(positions), "" if cn_script else mr_ms
        if category == "ACADEMICIAN":
            if country == "CN":
                org = rng.choice(rng.choice((data.CN_UNIVERSITIES, data.CN_INSTITUTES)))
                return org, rng.choice(data.CN_ACADEMIES), roles.ACADEMICIAN_ZH
            return self._home_org(country), data.FOREIGN_ACADEMIES[country], "Prof."
        if category == "TALENT":
            doctor = rng.random() < 0.5
            honorific = (roles.DOCTOR_ZH if cn_script else "Dr.") if doctor else ""
            # Overseas PhDs: many Chinese talents work abroad, many foreigners work in China.
            if rng.random() < 0.6:
                abroad = self._foreign.pick(rng) if country == "CN" else country
                org = self._home_org(abroad)
            else:
                org = rng.choice(data.CN_UNIVERSITIES + data.CN_INSTITUTES)
            return org, rng.choice(positions), honorific
        if category == "ENTERPRISE":
            org = rng.choice(data.CN_COMPANIES) if country == "CN" else self._home_org(country)
            return org, rng.choice(positions), ""
        if category == "MEDIA":
            media = data.CN_MEDIA if country == "CN" else data.FOREIGN_MEDIA[country]
            return rng.choice(media), rng.choice(positions), ""
        if category == "STAFF":
            return data.ORGANISING_COMMITTEE, rng.choice(positions), ""
        if category == "VOLUNTEER":
            # Volunteers are students of the Chongqing universities, some of them from abroad.
            org = rng.choice(data.CN_UNIVERSITIES[:7])
            if country == "CN":
                return org, positions[0], ""
            return org, roles.INTL_STUDENT_VOLUNTEER, ""
        # Attendees: mostly from home; some foreigners work in China, some Chinese in government.
        if country == "CN" and rng.random() < 0.1:
            return rng.choice(data.CN_GOVERNMENT), rng.choice(data.GOVERNMENT_POSITIONS), ""
        if country != "CN" and rng.random() < 0.15:
            org = rng.choice(data.CN_UNIVERSITIES + data.CN_COMPANIES)
        else:
            org = self._home_org(country)
        return org, rng.choice(positions), ""

    # -- rows ----------------------------------------------------------------------------
    def row(
        self,
        *,
        category: str,
        country: str,
        name: _Name,
        org: data.ZhEn,
        position: data.ZhEn,
        honorific: str,
        team: str = "",
        track: str = "",
        status: str = "approved",
        note: str = "",
    ) -> dict[str, Any]:
        return {
            "uid": self.uid(),
            "registration_code": self.code(),
            "family_name": name.family,
            "given_name": name.given,
            "name_native": name.native,
            "name_latin": name.latin,
            "name_order": name.order,
            "honorific": honorific,
            "organisation_zh": org[0],
            "organisation_en": org[1],
            "position_zh": position[0],
            "position_en": position[1],
            "country": country,
            "category_id": self.category_ids[category],
            "status": status,
            "team": team,
            "track": track,
            "attention_note": note,
            "badge_serial": 1,
            "walk_in": False,
            "photo_path": None,
            "updated_at": UPDATED_AT,
        }

    def featured(self, f: data.Featured) -> dict[str, Any]:
        name = _Name(f.family, f.given, f.native, f.latin, f.order, False)
        return self.row(
            category=f.category, country=f.country, name=name, org=f.org, position=f.position,
            honorific=f.honorific, team=f.team, track=f.track, status=f.status, note=f.note,
        )

    def _status_and_note(self, country: str) -> tuple[str, str]:
        rng = self.rng
        status = "cancelled" if rng.random() < 0.02 else "approved"
        note = ""
        if rng.random() < 0.01:
            notes = data.ATTENTION_NOTES
            if country != "CN":
                notes = notes + data.FOREIGN_ATTENTION_NOTES
            note = rng.choice(notes)
        return status, note

    def person(self, category: str) -> dict[str, Any]:
        country = self.country(category)
        name = self.name(country)
        org, position, honorific = self.affiliation(category, country, name)
        status, note = self._status_and_note(country)
        row = self.row(category=category, country=country, name=name, org=org,
                       position=position, honorific=honorific, status=status, note=note)
        # A few per-delegate exceptions, as organisers hand-edit them before every event.
        r = self.rng.random()
        code = row["registration_code"]
        if category == "MEDIA" and r < 0.04:
            self.overrides.append((code, "SIGNING", True))  # pool reporter
        elif category == "ENTERPRISE" and r < 0.01:
            self.overrides.append((code, "GEEC_MAIN", True))  # industry judge
        elif category == "ATTENDEE" and r < 0.005:
            self.overrides.append((code, "NEV", False))  # registered for another session
        return row

    def team(self, category: str, size: int) -> list[dict[str, Any]]:
        rng = self.rng
        country = self.country(category)
        if category == "COMPETITOR":
            track = "main" if rng.random() < 0.6 else "special"
            prefix = data.GEEC_TRACKS[track][1]
            lead, member = data.TEAM_LEADER, data.TEAM_MEMBER
        else:
            track = rng.choice(tuple(data.XINGYU_TRACKS))
            prefix = data.XINGYU_TRACKS[track][1]
            lead, member = data.PROJECT_LEAD, data.PROJECT_MEMBER
        number = self._next_team[prefix]
        self._next_team[prefix] = number + 1
        title_zh, title_en = rng.choice(data.PROJECT_TITLES)
        title = title_zh if country in {"CN", "HK", "MO", "TW"} else title_en
        team = f"{prefix}{number:04d} {title}"
        org = self._home_org(country)
        rows = []
        for i in range(size):
            status, note = self._status_and_note(country)
            rows.append(self.row(
                category=category, country=country, name=self.name(country), org=org,
                position=lead if i == 0 else member, honorific="", team=team, track=track,
                status=status, note=note,
            ))
        if category == "PROJECT" and rng.random() < 0.05:
            # The project's lead signs a cooperation agreement on 24 November.
            self.overrides.append((rows[0]["registration_code"], "SIGNING", True))
        return rows


def _units(rng: random.Random, count: int) -> list[tuple[str, int]]:
    """(category, people) units filling `count` places: single people, or whole teams."""
    units: list[tuple[str, int]] = []
    for category, share in data.CATEGORY_SHARE.items():
        quota = round(count * share)
        if category in _TEAM_SIZES:
            low, high = _TEAM_SIZES[category]
            # What cannot make a full team is left over for the attendees below.
            while quota >= low:
                size = min(rng.randint(low, high), quota)
                units.append((category, size))
                quota -= size
        else:
            units.extend((category, 1) for _ in range(quota))
    placed = sum(n for _, n in units)
    units.extend(("ATTENDEE", 1) for _ in range(max(0, count - placed)))
    # Registrations arrive mixed, not sorted by category; ids should look that way too.
    rng.shuffle(units)
    return units


def _chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for r in rows:
        batch.append(r)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _refuse_if_not_empty(session: Session) -> None:
    event = session.scalar(select(m.Event.code).limit(1))
    others = sum(
        session.scalar(select(func.count()).select_from(table)) or 0
        for table in (m.Category, m.Activity, m.Delegate)
    )
    if event is not None or others:
        what = msg("demo.what.event", event=event) if event else msg("demo.what.data")
        raise ValueError(both(msg("demo.not_empty", what=what)))


def _write_setup(session: Session) -> tuple[dict[str, int], dict[str, int], EventDefinition]:
    """The event through the organiser's path (its bundled file, applied); ids by code."""
    definition = event_files.chongqing()
    apply_in_session(session, definition, now=UPDATED_AT, operator="demo", desk="-")
    session.flush()
    return (
        {code: int(i) for code, i in session.execute(select(m.Category.code, m.Category.id))},
        {code: int(i) for code, i in session.execute(select(m.Activity.code, m.Activity.id))},
        definition,
    )


def build_demo(
    db: Database,
    *,
    size: int = 10_000,
    seed: int = 2024,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with the demo event and `size` delegates, the same for the same seed.

    `progress(done, size)` is called as delegates are written; (size, size) comes last, once the
    search index is rebuilt too. With fewer delegates than the hand-written featured people,
    only the first `size` of those are kept.
    """
    if size < 1:
        raise ValueError(both(msg("demo.size_min")))
    report = progress or (lambda _done, _total: None)
    rng = random.Random(seed)
    featured = data.FEATURED[:size]
    samples: dict[str, str] = {}
    with db.write() as session:
        _refuse_if_not_empty(session)
        category_ids, activity_ids, definition = _write_setup(session)
        gen = _Generator(rng, category_ids)

        def rows() -> Iterator[dict[str, Any]]:
            for f in featured:
                row = gen.featured(f)
                if f.label:
                    samples[f.label] = row["registration_code"]
                yield row
            for category, people in _units(rng, size - len(featured)):
                if category in _TEAM_SIZES:
                    yield from gen.team(category, people)
                else:
                    yield gen.person(category)

        report(0, size)
        done = 0
        for batch in _chunks(rows(), CHUNK):
            # Core insert on the table: the ORM bulk path costs a third more at 100k rows.
            session.execute(insert(m.Base.metadata.tables["delegates"]), batch)
            done += len(batch)
            if done < size:
                report(done, size)

        if gen.overrides:
            ids = dict(session.execute(
                select(m.Delegate.registration_code, m.Delegate.id).where(
                    m.Delegate.registration_code.in_(sorted({c for c, _, _ in gen.overrides}))
                )
            ).all())
            session.execute(insert(m.DelegateAdmission), [
                {"delegate_id": ids[code], "activity_id": activity_ids[act], "allow": allow}
                for code, act, allow in gen.overrides
            ])
    search.reindex_all(db)
    report(size, size)
    return DemoSummary(
        delegates=size,
        activities=sum(not a.main for a in definition.activities),
        categories=len(definition.categories),
        samples=samples,
    )
