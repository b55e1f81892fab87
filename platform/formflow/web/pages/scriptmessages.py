"""Texts the form page's script shows (buttons it creates, upload progress, its own errors),
translated on the server and handed to the script with the page — so the browser needs no
catalogue of its own and every text lives in the same ``.po`` files."""

from __future__ import annotations

from formflow.i18n import Msg, _, gettext

SCRIPT_MESSAGES: dict[str, Msg] = {
    "remove_row": _("Remove row {n}"),
    "move_up": _("Move row {n} up"),
    "move_down": _("Move row {n} down"),
    "searching": _("Searching…"),
    "no_matches": _("Nothing found for “{q}”."),
    "search_failed": _("The search did not work; try again."),
    "clear": _("Clear"),
    "uploading": _("Uploading {name}…"),
    "remove_file": _("Remove {name}"),
    "remove_pick": _("Remove {name}"),
    "too_large": _("{name} is {size}; files may be at most {limit}. Choose a smaller file."),
    "too_many_files": _("At most {limit} file(s) may be added here; remove one first."),
    "wrong_type": _("{name} is not a file type allowed here ({accept})."),
    "upload_failed": _("{name} could not be uploaded: {reason}"),
    "signature_hint": _("Sign in the box with your finger or the mouse."),
    "signature_saved": _("The signature is saved."),
    "sign_again": _("Sign again"),
    "locate_failed": _("Your location is not available: {reason}"),
    "saving": _("Saving…"),
    "draft_saved": _("Draft saved at {time}."),
    "submitting": _("Submitting…"),
    "fix_errors": _("Please correct {count} problem(s) before submitting:"),
    "save_failed": _("Nothing was saved: {reason}"),
    "offline": _("The server could not be reached; your input is still here. Try again."),
    "stale": _(
        "Someone else changed this draft meanwhile; reload the page to see their version "
        "(copy your changes first)."
    ),
}


def script_messages(locale: str) -> dict[str, str]:
    """The script's texts in ``locale`` (placeholders like ``{n}`` are filled by the script)."""
    return {key: _raw(message, locale) for key, message in SCRIPT_MESSAGES.items()}


def _raw(message: Msg, locale: str) -> str:
    """The translated template, placeholders left in (``Msg.render`` would fill them)."""
    return gettext(locale, message.text)
