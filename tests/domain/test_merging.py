"""Merge chains end at one record; a loop is refused; a record merged twice joins one person only."""

from __future__ import annotations

import pytest

from checkin_app.domain.merging import MergeCycle, conflicting, final_record, final_records, merge_edges


def test_every_record_of_a_chain_stands_merged_into_its_end() -> None:
    edges = merge_edges([(1, 2), (2, 3), (4, 3)])
    assert final_records(edges) == {1: 3, 2: 3, 4: 3}
    assert final_record(edges, 3) == 3 and final_record(edges, 9) == 9


def test_a_loop_has_no_end_and_is_refused() -> None:
    edges = merge_edges([(1, 2), (2, 3), (3, 1)])
    with pytest.raises(MergeCycle):
        final_record(edges, 1)
    with pytest.raises(MergeCycle):
        final_records(edges)


def test_a_record_keeps_its_first_link_and_self_links_are_ignored() -> None:
    assert merge_edges([(1, 2), (1, 3), (4, 4)]) == {1: 2}


def test_merging_a_merged_record_into_another_person_conflicts() -> None:
    edges = merge_edges([(1, 2), (3, 2), (5, 6)])
    assert conflicting(edges, 1, 3) is None       # 3 ends at 2 as well: the same person
    assert conflicting(edges, 1, 2) is None
    assert conflicting(edges, 4, 6) is None       # 4 is not merged yet
    assert conflicting(edges, 1, 5) == 2          # 1 stands for the person of 2, 5 for 6's
