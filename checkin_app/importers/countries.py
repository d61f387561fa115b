"""Country or region from whatever a registration form holds: ISO codes (alpha-2 and alpha-3), names in
English, Chinese and the country's own languages (CLDR through Babel), official forms and aliases."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from checkin_app.domain.countries import COUNTRIES
from checkin_app.importers.text import fold

# Locales whose names for every territory are read (besides each country's own languages):
# the languages registration forms of an international conference in China are filled in.
_LOCALES = ("en", "zh_Hans", "zh_Hant", "fr", "es", "ru", "ar", "de", "pt", "ja", "ko")

# What CLDR does not call a country but people type: ISO 2 | names, "/"-separated.
_ALIASES = """
AE|阿联酋/UAE/U.A.E.
AG|Antigua and Barbuda
BA|波黑/Bosnia and Herzegovina/Bosnia
BN|Brunei Darussalam
BR|Brasil
CD|刚果民主共和国/DR Congo/Democratic Republic of the Congo
CF|中非
CG|刚果共和国/Republic of the Congo/Congo
CI|Cote d'Ivoire/Ivory Coast
CN|中华人民共和国/中国大陆/大陆/PRC/P.R. China/People's Republic of China/Mainland China
CV|Cabo Verde
CZ|Czech Republic
DE|Deutschland/德意志联邦共和国
DO|多米尼加
ES|España
GB|大不列颠/UK/U.K./Great Britain/Britain/England/Scotland/Wales
HK|中国香港/香港/香港特别行政区/Hong Kong/Hong Kong, China/Hong Kong SAR/Hongkong
IT|Italia
KP|DPRK/Democratic People's Republic of Korea
KR|Republic of Korea/Korea/大韩民国/南韩/South Korea
KP|朝鲜民主主义人民共和国/北韩/North Korea
TH|泰王国
LA|Lao PDR
MK|马其顿/Macedonia
MM|Myanmar/Burma
MN|蒙古国
MO|中国澳门/澳门/澳门特别行政区/Macao/Macau/Macao, China/Macao SAR
NL|Holland/The Netherlands
PS|巴勒斯坦/Palestine
RS|Srbija
RU|俄罗斯联邦/Russian Federation
SA|沙特
TL|East Timor
TR|Turkey/Turkiye
TT|Trinidad and Tobago
TW|中国台湾/台湾地区/Taiwan, China/Chinese Taipei
US|美利坚合众国/USA/U.S.A./U.S./US/United States of America/America
"""

# Official forms around a name: "Republic of Serbia", "Korea, Republic of", "Република Србија",
# "ประเทศไทย", "Kingdom of Thailand", "State of Israel", "the Netherlands".
_PREFIXES = re.compile(
    r"^(?:the\s+)?(?:(?:federal|islamic|socialist|democratic|united|people'?s|arab|"
    r"federative|plurinational|bolivarian|oriental|hashemite|co-operative|cooperative)\s+)*"
    r"(?:republic|kingdom|state|commonwealth|principality|grand duchy|sultanate|emirate|"
    r"federation|union|confederation)\s+of\s+(?:the\s+)?|^the\s+|"
    r"^(?:republika|република|республика|королевство|königreich|bundesrepublik|république|"
    r"reino|royaume|república|repubblica|cộng hòa|ประเทศ|ราชอาณาจักร)\s*(?:de|del|of|d'|der|"
    r"italiana|française|federal)?\s*", re.IGNORECASE)
_OF_FORM = re.compile(r"^(.+?),\s*(.+?\bof(?:\s+the)?)$", re.IGNORECASE)  # "Korea, Republic of"


# Bumped when _build_lookup changes what it reads (the inputs below are in the cache key too).
_TABLE_FORMAT = 1


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    """Folded name, alias or code → ISO 3166-1 alpha-2.

    Building it loads the territory names of some 450 Babel locales (seconds, at each import);
    it is built once per Babel version and these inputs and kept in the per-user cache.
    """
    path = cache_path()
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(cached, dict) and cached and all(
                isinstance(k, str) and isinstance(v, str) for k, v in cached.items()):
            return cached
    except (OSError, ValueError):
        pass  # not built yet, or unreadable: build it again
    table = build_lookup()
    _save(path, table)
    return table


def build_lookup() -> dict[str, str]:
    """The lookup table freshly from Babel (what the cached table must equal)."""
    from babel.localedata import clear_caches

    try:
        return _build_lookup(clear_caches)
    finally:
        clear_caches()


def cache_path() -> Path:
    """Where the lookup table is cached: named by Babel's version and a digest of the inputs
    (locales, aliases, the desk's own names, the fold and format), so any change rebuilds it."""
    import babel
    from platformdirs import user_cache_dir

    from checkin_app.paths import APP_NAME

    digest = hashlib.sha256(json.dumps(
        [_TABLE_FORMAT, _LOCALES, _ALIASES, sorted(COUNTRIES.items()), fold("Ｋorea, Rep. ")],
        ensure_ascii=False).encode()).hexdigest()[:16]
    base = os.environ.get("CHECKIN_CACHE_DIR") or user_cache_dir(APP_NAME, appauthor=False)
    return Path(base) / f"countries-babel{babel.__version__}-{digest}.json"


def _save(path: Path, table: dict[str, str]) -> None:
    """Write the table atomically (two imports at once never read half a file); a cache that
    cannot be written (read-only home) only means building it again next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(table, f, ensure_ascii=False, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        pass


def _build_lookup(clear_caches: Callable[[], None]) -> dict[str, str]:
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global
    from babel.languages import get_official_languages

    codes = set(COUNTRIES)
    table: dict[str, str] = {}
    # The desk's own names first: what the desk shows must also be read back.
    for iso2, (zh, en) in COUNTRIES.items():
        for name in (zh, en, iso2):
            table.setdefault(fold(name), iso2)
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1 and targets[0] in codes:
            table.setdefault(fold(alias), targets[0])  # ISO alpha-3: SRB → RS
    for line in _ALIASES.strip().splitlines():
        iso2, names = line.split("|")
        for name in names.split("/"):
            table.setdefault(fold(name), iso2)
    for loc in _LOCALES:
        for iso2, name in Locale.parse(loc).territories.items():
            if iso2 in codes:
                table.setdefault(fold(name), iso2)
    for n, iso2 in enumerate(sorted(codes)):  # each country's name in its own languages: Србија, 대한민국
        if n % 16 == 15:
            # Babel keeps every locale it loaded (some 450 here, over 100 MB that Python does not
            # give back): a few at a time are enough to read each country's own name.
            clear_caches()
        for lang in get_official_languages(iso2, de_facto=True):
            for tag in (f"{lang}_{iso2}", lang):
                try:
                    own = Locale.parse(tag).territories.get(iso2)
                except (ValueError, LookupError, UnknownLocaleError):
                    continue
                if own:
                    table.setdefault(fold(own), iso2)
                    break
    return table


def _forms(text: str) -> list[str]:
    """The text, its official form turned round and stripped ("Korea, Republic of" → "Korea")."""
    out = [text]
    m = _OF_FORM.match(text.strip())
    if m:
        out.append(f"{m.group(2)} {m.group(1)}")
    for t in list(out):
        stripped = _PREFIXES.sub("", t.strip()).strip()
        if stripped and stripped != t:
            out.append(stripped)
    return out


def country_code(text: str) -> str | None:
    """ISO alpha-2 code for a code, name, official form or alias; None when unknown."""
    key = fold(text)
    if not key:
        return None
    table = _lookup()
    found = table.get(key)
    if found is None and key.startswith("中国") and len(key) > 2:
        found = table.get(key[2:])  # 中国香港 is known; 中国澳门特别行政区 → 澳门特别行政区
    if found is None and len(key) >= 3:
        # Chinese official forms: 塞尔维亚共和国, 日本国, 泰王国, 俄罗斯联邦.
        for suffix in ("人民共和国", "民主共和国", "联邦共和国", "共和国", "联合王国", "王国", "联邦",
                       "合众国", "国"):
            if key.endswith(suffix) and len(key) - len(suffix) >= 2:
                found = table.get(key[: -len(suffix)])
                if found is not None:
                    break
    if found is None:
        for form in _forms(text)[1:]:
            found = table.get(fold(form))
            if found is not None:
                break
    return found


def known_codes() -> frozenset[str]:
    """Every ISO code this lookup can produce."""
    return frozenset(_lookup().values())
