"""The inbox and the task page: tabs, search, pages, the header badge, what a step may see and
change, every action through the page, refusals that change nothing, batch approve, and the
initiator's withdraw and urge."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from listkit import (
    REQUEST,
    REQUEST_FLOW,
    REQUIRING_FLOW,
    STRICT_FLOW,
    found,
    make_company,
    open_task_of,
    publish_flow,
)
from pagekit import main_of, text_of

from formflow.services import org, records
from formflow.services.auth import actor_for
from formflow.storage.db import Database


@pytest.fixture
def company(database: Database, make_user: Any, make_form: Any) -> dict[str, int]:
    ids = make_company(database, make_user)
    make_form("request", REQUEST, title={"zh-CN": "费用申请", "en": "Expense request"})
    publish_flow(database, REQUEST_FLOW)
    return ids


def _submit(make_record: Any, title: str = "Taxi", **extra: Any) -> int:
    data = {
        "title": title,
        "amount": Decimal("35.50"),
        "bank_account": "6222-SECRET-0001",
        "lines": [{"item": "fare"}, {"item": "tip"}],
        **extra,
    }
    record_id: int = make_record("zhang", "request", data)
    return record_id


def _record(database: Database, record_id: int) -> Any:
    with database.session() as session:
        actor = actor_for(session, org.find_user(session, "zhang"))
        return records.get_record(session, actor, record_id).record


def _config(response: Any) -> Any:
    found = re.search(
        r'<script type="application/json" id="task-config">(.*?)</script>', text_of(response), re.S
    )
    assert found is not None
    return json.loads(html.unescape(found.group(1)))


def test_my_open_task_is_in_the_inbox_and_counted_in_the_header(
    company: dict[str, int], browser_for: Any, make_record: Any, database: Database
) -> None:
    record_id = _submit(make_record, "Taxi to the airport")
    task_id = open_task_of(database, "li", record_id)
    manager = browser_for("li")
    page = manager.get("/inbox")
    assert page.status_code == 200
    body = main_of(page)
    assert "Taxi to the airport" in body and f'href="/tasks/{task_id}"' in body
    assert "主管审批" in body and "张三" in body
    header = text_of(page).split("<main", 1)[0]
    assert re.search(r'aria-label="Inbox, 1 to do"', header)
    assert re.search(r"data-task-badge[^>]*>1<", header)
    applicant = browser_for("zhang")
    assert "data-task-badge" not in text_of(applicant.get("/"))
    assert "Taxi to the airport" not in main_of(applicant.get("/inbox"))


def test_the_started_by_me_tab_shows_who_the_request_waits_for(
    company: dict[str, int], browser_for: Any, make_record: Any
) -> None:
    record_id = _submit(make_record, "Hotel")
    body = main_of(browser_for("zhang").get("/inbox?tab=initiated"))
    assert f'href="/records/{record_id}"' in body
    assert "Waiting for: 主管审批: 李四" in body
    assert 'action="/requests/' in body


def test_the_task_page_shows_the_request_without_its_hidden_fields(
    company: dict[str, int], browser_for: Any, make_record: Any, database: Database
) -> None:
    record_id = _submit(make_record)
    task_id = open_task_of(database, "li", record_id)
    page = browser_for("li").get(f"/tasks/{task_id}")
    assert page.status_code == 200
    body = main_of(page)
    assert "6222-SECRET-0001" not in text_of(page)
    assert "Bank account" not in body
    record_page = browser_for("li").get(f"/records/{record_id}")
    assert record_page.status_code == 200 and "6222-SECRET-0001" not in text_of(record_page)
    assert 'id="f-approval_note"' in body, "the step makes the note editable"
    assert body.count('data-edit-row="lines"') == 2, "one row form per existing line"
    for action in ("approve", "reject", "return", "transfer", "add-approver", "delegate"):
        assert f'action="/tasks/{task_id}/{action}"' in body
    assert "报销审批" in body and 'aria-current="step"' in body, "the timeline is shown"
    assert _config(page)["editable"] == ["approval_note"]


def test_approving_with_the_editable_fields_changed_moves_the_request_on(
    company: dict[str, int], browser_for: Any, make_record: Any, database: Database
) -> None:
    record_id = _submit(make_record)
    task_id = open_task_of(database, "li", record_id)
    manager = browser_for("li")
    version = _record(database, record_id).version
    changes = {
        "approval_note": "checked against the receipt",
        "lines": [{"checked": "ok"}, {"checked": None}],
    }
    answer = manager.post(
        f"/tasks/{task_id}/approve",
        {"data": json.dumps(changes), "version": str(version), "comment": "fine"},
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/inbox"
    record = _record(database, record_id)
    assert record.data["approval_note"] == "checked against the receipt"
    assert record.data["lines"] == [{"item": "fare", "checked": "ok"}, {"item": "tip"}]
    assert record.data["bank_account"] == "6222-SECRET-0001"
    open_task_of(database, "zhao", record_id)  # finance is asked next
    assert "Approved." in text_of(manager.get("/inbox"))


def test_a_reject_without_the_required_comment_changes_nothing(
    company: dict[str, int], browser_for: Any, make_record: Any, database: Database
) -> None:
    record_id = _submit(make_record)
    task_id = open_task_of(database, "li", record_id)
    answer = browser_for("li").post(f"/tasks/{task_id}/reject", {"comment": "  "})
    assert answer.status_code == 409
    assert "a comment is required" in main_of(answer)
    assert _record(database, record_id).status == "in_progress"
    assert open_task_of(database, "li", record_id) == task_id


def test_a_refused_change_is_explained_and_what_was_typed_stays(
    company: dict[str, int], browser_for: Any, make_record: Any, database: Database
) -> None:
    record_id = _submit(make_record)
    task_id = open_task_of(database, "li", record_id)
    before = _record(database, record_id)
    typed = {"approval_note": "my careful note", "title": "Changed title"}
    answer = browser_for("li").post(
        f"/tasks/{task_id}/approve",
        {"data": json.dumps(typed), "version": str(before.version), "comment": "typed comment"},
    )
    assert answer.status_code == 409
    body = main_of(answer)
    assert "At this step you may not change: title" in body
    assert "typed comment" in body
    assert _config(answer)["data"]["approval_note"] == "my careful note"
    after = _record(database, record_id)
    assert after.data == before.data and after.version == before.version
    assert open_task_of(database, "li", record_id) == task_id


def test_another_users_task_does_not_exist_for_them(
    company: dict[str, int], browser_for: Any, make_record: Any, database: Database
) -> None:
    record_id = _submit(make_record)
    task_id = open_task_of(database, "li", record_id)
    stranger = browser_for("stranger")
    for response in (
        stranger.get(f"/tasks/{task_id}"),
        stranger.post(f"/tasks/{task_id}/approve", {}),
        stranger.get(f"/tasks/{task_id + 999}"),
    ):
        assert response.status_code == 404
        assert "6222" not in text_of(response) and "Taxi" not in text_of(response)
    assert open_task_of(database, "li", record_id) == task_id


def test_transferring_hands_the_task_to_the_chosen_person(
    company: dict[str, int], browser_for: Any, make_record: Any, database: Database
) -> None:
    record_id = _submit(make_record)
    task_id = open_task_of(database, "li", record_id)
    manager = browser_for("li")
    assert manager.post(f"/tasks/{task_id}/transfer", {"user": ""}).status_code in {400, 409}
    answer = manager.post(f"/tasks/{task_id}/transfer", {"user": str(company["zhao"])})
    assert answer.status_code == 303
    open_task_of(database, "zhao", record_id)
    with pytest.raises(AssertionError):
        open_task_of(database, "li", record_id)


def test_returning_gives_the_applicant_a_task_to_submit_again(
    company: dict[str, int], browser_for: Any, make_record: Any, database: Database
) -> None:
    record_id = _submit(make_record)
    task_id = open_task_of(database, "li", record_id)
    answer = browser_for("li").post(
        f"/tasks/{task_id}/return", {"target": "initiator", "comment": "add the receipt"}
    )
    assert answer.status_code == 303
    again = open_task_of(database, "zhang", record_id)
    page = browser_for("zhang").get(f"/tasks/{again}")
    assert f'action="/tasks/{again}/resubmit"' in main_of(page)
    assert "add the receipt" in main_of(page)


@pytest.mark.parametrize(("tab", "expected"), [("done", "Approved"), ("cc", "")])
def test_the_other_tabs_list_what_belongs_there(
    company: dict[str, int],
    browser_for: Any,
    make_record: Any,
    database: Database,
    tab: str,
    expected: str,
) -> None:
    record_id = _submit(make_record, "Train")
    manager = browser_for("li")
    manager.post(f"/tasks/{open_task_of(database, 'li', record_id)}/approve", {})
    body = main_of(manager.get(f"/inbox?tab={tab}"))
    assert ('aria-current="page">' in body) and (f'tab={tab}"' in body or tab == "open")
    if expected:
        assert "Train" in body and expected in body
    else:
        assert "Train" not in body and "Nothing here yet." in body


def test_batch_approve_approves_the_chosen_tasks(
    company: dict[str, int], browser_for: Any, make_record: Any, database: Database
) -> None:
    first, second, third = (_submit(make_record, title) for title in ("One", "Two", "Three"))
    manager = browser_for("li")
    body = main_of(manager.get("/inbox"))
    tasks = [open_task_of(database, "li", record) for record in (first, second, third)]
    for task in tasks:
        assert f'name="task" value="{task}"' in body
    answer = manager.post(
        "/inbox/approve", {"task": [str(tasks[0]), str(tasks[1])], "comment": "ok"}
    )
    assert answer.status_code == 303
    for record in (first, second):
        open_task_of(database, "zhao", record)
    assert open_task_of(database, "li", third) == tasks[2]
    assert "2 task(s) approved." in text_of(manager.get("/inbox"))


@pytest.mark.parametrize(("form", "flow"), [("strict", STRICT_FLOW), ("noted", REQUIRING_FLOW)])
def test_a_step_with_a_required_field_to_fill_in_is_not_approved_in_a_batch(
    company: dict[str, int],
    browser_for: Any,
    make_record: Any,
    make_form: Any,
    database: Database,
    form: str,
    flow: str,
) -> None:
    make_form(form, REQUEST, title="Strict")
    publish_flow(database, flow)
    record_id = make_record("zhang", form, {"title": "Needs care", "amount": Decimal(5)})
    task_id = open_task_of(database, "li", record_id)
    manager = browser_for("li")
    assert f'name="task" value="{task_id}"' not in main_of(manager.get("/inbox"))
    answer = manager.post("/inbox/approve", {"task": str(task_id)})
    assert answer.status_code == 303
    assert "needs fields filled in" in text_of(manager.get("/inbox"))
    assert open_task_of(database, "li", record_id) == task_id


def test_the_inbox_finds_tasks_by_words_and_by_form(
    company: dict[str, int], browser_for: Any, make_record: Any, make_form: Any, database: Database
) -> None:
    _submit(make_record, "Taxi in Shenzhen")
    _submit(make_record, "Hotel in Beijing")
    manager = browser_for("li")
    found = main_of(manager.get("/inbox?q=shenzhen"))
    assert "Taxi in Shenzhen" in found and "Hotel in Beijing" not in found
    by_person = main_of(manager.get("/inbox?q=张三+hotel"))
    assert "Hotel in Beijing" in by_person and "Taxi" not in by_person
    make_form("other", REQUEST, title="Other form")
    assert "Nothing matches." in main_of(manager.get("/inbox?form=other"))
    assert "Taxi in Shenzhen" in main_of(manager.get("/inbox?form=request"))


def test_the_inbox_pages_through_many_tasks(
    company: dict[str, int], browser_for: Any, make_record: Any
) -> None:
    for number in range(23):
        _submit(make_record, f"Request {number:02d}")
    manager = browser_for("li")
    first = main_of(manager.get("/inbox"))
    assert first.count('class="inbox-item') == 20
    assert "Request 22" in first and "Request 02" not in first
    next_url = html.unescape(found(r'href="([^"]+)" rel="next"', first))
    second = main_of(manager.get(next_url))
    assert second.count('class="inbox-item') == 3
    assert "Request 02" in second and "Request 22" not in second
    assert 'rel="next"' not in second
    back = html.unescape(found(r'href="([^"]+)" rel="prev"', second))
    assert "Request 22" in main_of(manager.get(back))


def test_the_applicant_urges_and_withdraws_from_the_inbox(
    company: dict[str, int], browser_for: Any, make_record: Any, database: Database
) -> None:
    record_id = _submit(make_record)
    applicant = browser_for("zhang")
    body = main_of(applicant.get("/inbox?tab=initiated"))
    instance = int(found(r'action="/requests/(\d+)/urge"', body))
    urged = applicant.post(f"/requests/{instance}/urge", {"next": "/inbox?tab=initiated"})
    assert urged.status_code == 303 and urged.headers["Location"] == "/inbox?tab=initiated"
    assert "A reminder is sent." in text_of(applicant.get("/inbox?tab=initiated"))
    assert browser_for("stranger").post(f"/requests/{instance}/withdraw", {}).status_code == 404
    withdrawn = applicant.post(f"/requests/{instance}/withdraw", {"next": "https://evil.test/"})
    assert withdrawn.status_code == 303 and withdrawn.headers["Location"] == "/"
    assert _record(database, record_id).status == "withdrawn"
