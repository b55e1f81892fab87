"""OA announcements reach their audience and nobody else, and the document centre restricts
documents to departments and roles — with the platform's x-readers, members() and everyone.

The demo company: 总经办 (admin, liu.yang), 销售部 (li.na head, zhang.wei, sun.li), 人事行政部
(wang.fang, zhou.min), 财务部 (chen.jing, zhao.lei), 技术部 (wu.gang)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from oakit import DEMO_PASSWORD, DEMO_USERS, Office, announcement

from pages.pagekit import PageBrowser, main_of


def _reads(office: Office, username: str, record_id: int) -> bool:
    response = office[username].get(f"/api/records/{record_id}")
    assert response.status_code in (200, 404), response.payload
    return bool(response.status_code == 200)


def _notice_to_sales(office: Office, **fields: Any) -> dict[str, Any]:
    """HR's notice to the sales department, submitted by zhou.min (not yet approved)."""
    data = announcement(
        "notice",
        office.departments["hr_admin"],
        audience="departments",
        target_departments=[office.departments["sales"]],
        **fields,
    )
    return office.submit("zhou.min", "announcement", data)


def _readers(office: Office, record_id: int) -> set[str]:
    return {username for username in DEMO_USERS if _reads(office, username, record_id)}


def test_a_notice_to_sales_is_read_by_sales_once_published_and_copied_to_them(
    office: Office,
) -> None:
    record = _notice_to_sales(office)
    before = _readers(office, record["id"])
    assert before == {"admin", "zhou.min", "wang.fang"}  # admin, author, reviewer, HR (read_all)
    office.decide("wang.fang", record["id"], "dept_head")
    assert office.record(record["id"])["status"] == "approved"
    assert office.record(record["id"])["data"]["published"] is True
    assert _readers(office, record["id"]) == before | {"li.na", "zhang.wei", "sun.li"}
    for username in ("li.na", "zhang.wei", "sun.li"):
        copies = [i for i in office.inbox(username, "cc") if i["record"]["id"] == record["id"]]
        assert [c["task"]["status"] for c in copies] == ["unread"]
    assert not [i for i in office.inbox("wu.gang", "cc") if i["record"]["id"] == record["id"]]
    listed = office["wu.gang"].get("/api/forms/oa.announcement/records?total=true").payload
    assert record["id"] not in [item["id"] for item in listed["items"]]


def test_a_policy_for_everyone_asks_everyone_to_confirm_it(office: Office) -> None:
    data = announcement("policy", office.departments["sales"])
    record = office.submit("zhang.wei", "announcement", data)
    office.decide("li.na", record["id"], "dept_head")
    office.decide("zhou.min", record["id"], "legal")
    office.decide("liu.yang", record["id"], "gm")
    assert office.asked(record["id"]) == {"acknowledge_all": set(DEMO_USERS)}
    assert _readers(office, record["id"]) == set(DEMO_USERS)  # published to everyone
    for username in DEMO_USERS:
        office.decide(username, record["id"], "acknowledge_all")
    assert office.record(record["id"])["status"] == "approved"


def test_nobody_may_publish_an_announcement_by_submitting_it_published(office: Office) -> None:
    data: dict[str, Any] = {
        **announcement("notice", office.departments["sales"]),
        "published": True,
    }
    response = office.post_request("zhang.wei", "announcement", data)
    assert response.status_code == 422
    assert [e["path"] for e in response.payload["errors"]] == ["$.published"]


def _document(office: Office, username: str, **data: Any) -> int:
    body = {
        "doc_name": "文档",
        "folder": "templates",
        "owner_department": office.departments["finance"],
        "version": "V1.0",
        "files": [office.upload(username)],
        **data,
    }
    response = office[username].post("/api/forms/oa.document/records", {"data": body})
    assert response.status_code == 201, response.payload
    return int(response.payload["id"])


def test_documents_are_read_by_everyone_unless_restricted(office: Office) -> None:
    open_doc = _document(office, "chen.jing")
    restricted = _document(
        office,
        "chen.jing",
        restricted=True,
        reader_departments=[office.departments["sales"]],
        reader_roles=["legal"],
    )
    minutes = _document(office, "chen.jing", folder="minutes", reader_roles=["gm"])
    assert _readers(office, open_doc) == set(DEMO_USERS)
    office_staff = {"admin", "wang.fang"}  # the admin and HR (read_all)
    finance = {"chen.jing", "zhao.lei"}  # the owner department
    sales = {"li.na", "zhang.wei", "sun.li"}
    assert _readers(office, restricted) == office_staff | finance | sales | {"zhou.min"}
    assert _readers(office, minutes) == office_staff | finance | {"liu.yang"}


def _home(app: Flask, username: str) -> str:
    browser = PageBrowser(app.test_client(), language="zh-CN")
    assert browser.login(username, DEMO_PASSWORD).status_code == 303
    return main_of(browser.get("/"))


def test_the_home_page_shows_a_published_announcement_to_its_audience_only(
    office: Office, app: Flask
) -> None:
    record = _notice_to_sales(office, summary="本周五下午全员参加演练。")
    link = f'href="/records/{record["id"]}"'
    assert link not in _home(app, "zhang.wei")  # not published before it is approved
    office.decide("wang.fang", record["id"], "dept_head")
    body = _home(app, "zhang.wei")
    assert "通知公告" in body and link in body
    data = record["data"]
    assert data["subject"] in body and data["summary"] in body
    assert link not in _home(app, "wu.gang")  # 技术部 is not in the audience
