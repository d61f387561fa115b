"""Merged records: which record stands for a person the organiser merged, through chains, never in a cycle.

A MERGE decision on a pair links the other record to the kept one (an edge other -> kept). A record
kept for one pair may itself be merged into a third (A -> B, then B -> C): every record of such a
chain stands merged into its end (C), which is what desks store (delegates.merged_into) so that a
scan needs one look-up. A decision that would close a loop (C -> A) has no end and is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class MergeCycle(ValueError):
    """The merges would make a loop: no record would stand for the others."""


def merge_edges(decisions: Iterable[tuple[int, int]]) -> dict[int, int]:
    """{merged record: the record it was merged into} from (other, kept) pairs, oldest first.

    A record merged twice keeps its first link: the decision that merges it a second time joins
    the same person (callers refuse one that would join another; see `conflicting`).
    """
    edges: dict[int, int] = {}
    for other, kept in decisions:
        if other != kept:
            edges.setdefault(other, kept)
    return edges


def final_record(edges: Mapping[int, int], record: int) -> int:
    """The end of the record's chain (the record itself when it is not merged); MergeCycle on a loop."""
    seen = {record}
    while record in edges:
        record = edges[record]
        if record in seen:
            raise MergeCycle(record)
        seen.add(record)
    return record


def final_records(edges: Mapping[int, int]) -> dict[int, int]:
    """{merged record: the end of its chain} for every merged record; MergeCycle on a loop."""
    return {r: final_record(edges, r) for r in edges}


def conflicting(edges: Mapping[int, int], other: int, kept: int) -> int | None:
    """The record `other` already stands merged into when merging it into `kept` would join two
    different people's records (its chain ends elsewhere than kept's); else None."""
    if other not in edges:
        return None
    there = final_record(edges, other)
    return there if there != final_record(edges, kept) else None
