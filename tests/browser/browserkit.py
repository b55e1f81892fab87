"""What the browser tests share: logging in through the real login form."""

from __future__ import annotations

from playwright.sync_api import Page

from harness import PASSWORD


def log_in(
    page: Page, base: str, username: str, target: str = "/", password: str = PASSWORD
) -> None:
    """Open ``target`` (the app asks for a login first), log in, and land on ``target``."""
    page.goto(base + target)
    page.fill("#login", username)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(base + target)
