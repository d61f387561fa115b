"""Header recognition in Chinese and English with the variations real exports have."""

from __future__ import annotations

import pytest

from checkin_app.importers.fields import auto_mapping, column_letter, find_header, recognise


@pytest.mark.parametrize(("header", "field"), [
    ("姓名", "name"), ("中文姓名", "name"), ("Name", "name"), ("Full name", "name"),
    ("单位", "organisation"), ("工作单位", "organisation"), ("Organization", "organisation"),
    ("国家/地区", "country"), ("Country/Region", "country"), ("国籍", "country"),
    ("类别", "category"), ("嘉宾类别", "category"), ("参会身份", "category"), ("Category", "category"),
    ("报名编号", "registration_code"), ("Registration No.", "registration_code"),
    ("参加活动", "activities"), ("Activities", "activities"),
    ("手机", "phone"), ("Mobile", "phone"), ("邮箱", "email"), ("E-mail", "email"),
    ("报名编号（必填）", "registration_code"), ("Email *", "email"), ("  姓名 ", "name"),
    ("单位（英文）", "organisation_en"), ("姓名拼音", "name_latin"), ("身份证号码", "id_number"),
    ("Job title", "position"), ("Title", "honorific"), ("First Name", "given_name"),
])
def test_recognise(header: str, field: str) -> None:
    assert recognise(header) == field


@pytest.mark.parametrize("header", ["", "2024 大会报名表", None, "Seat", "微信国家", "证件类型",
                                    "团队编号", "来自IP", "Order #"])
def test_not_recognised(header: object) -> None:
    assert recognise(header) is None


def test_auto_mapping_uses_a_single_field_once_but_activities_many_times() -> None:
    assert auto_mapping(["姓名", "中文姓名", "活动1", "活动2", "Category"]) == [
        "name", None, "activities", "activities", "category"]


def test_find_header_skips_title_and_notes() -> None:
    rows = [["2024 大会报名表"] * 5, ["导出时间 2024-11-01"], [], ["报名编号", "姓名", "单位", "类别"],
            ["R1", "张伟", "重庆大学", "VIP"]]
    assert find_header(rows) == 3
    assert find_header([["a", "b"], ["1", "2"]]) is None


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_survey_export_columns() -> None:
    # 问卷星: the submission's own columns are not the person's; questions are read by their words.
    headers = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的姓名",
               "2、您的单位", "3、手机号码", "4、参会身份", "微信昵称", "微信性别", "微信国家",
               "证件类型", "证件号码", "Q5. Your e-mail"]
    assert auto_mapping(headers) == [
        "registration_code", None, None, None, None, None, "name", "organisation", "phone",
        "category", None, None, None, None, "id_number", "email"]


def test_eventbrite_columns() -> None:
    headers = ["Order #", "Order Date", "First Name", "Last Name", "Email", "Quantity",
               "Ticket Type", "Attendee #", "Attendee Status", "Company", "Job Title", "Country"]
    assert auto_mapping(headers) == [
        None, None, "given_name", "family_name", "email", None, "category", "registration_code",
        "status", "organisation", "position", "country"]


def test_persons_number_wins_over_serial_and_team_number() -> None:
    headers = ["No.\n序号", "姓名 Name", "团队编号", "报名编号", "团队名称", "赛道"]
    assert auto_mapping(headers) == [None, "name", None, "registration_code", "team", "track"]
    assert auto_mapping(["No.\n序号", "姓名"]) == ["registration_code", "name"]


def test_two_row_header_is_joined() -> None:
    from checkin_app.importers.fields import merge_sub_header

    upper = ["序号", "姓名", "联系方式", "联系方式"]
    assert merge_sub_header(upper, ["序号", "姓名", "手机", "邮箱"]) == ["序号", "姓名", "手机", "邮箱"]
    assert merge_sub_header(upper, [1, "张伟", "13800138000", "a@b.cn"]) is None
