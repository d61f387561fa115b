"""Formatting people's names per culture (DESIGN §8): native order for CJK, "Given FAMILY" otherwise."""

from __future__ import annotations


def display_name(
    *, family: str, given: str, native: str, latin: str, order: str
) -> str:
    """The name to show largest on the desk and the badge."""
    if native:
        return native
    if order == "eastern":
        return f"{family}{given}" if family or given else latin
    if family or given:
        return " ".join(p for p in (given, family.upper()) if p)
    return latin


def latin_display(*, family_latin: str, given_latin: str, order: str) -> str:
    """Latin form: 'ZHANG Wei' for eastern order, 'Given FAMILY' for western."""
    if order == "eastern":
        return " ".join(p for p in (family_latin.upper(), given_latin) if p)
    return " ".join(p for p in (given_latin, family_latin.upper()) if p)
