"""Which language a page is shown in, and how templates translate.

A signed-in user sees their profile language (``User.locale``; set from the browser at their
first login, changed with the language switch or on the profile page). Anonymous visitors see
the language they picked on the login page (kept in the signed session), else their browser's
(``Accept-Language``). ``?lang=`` overrides both for one request.

Templates translate with Jinja2's i18n extension (``{% trans %}``, ``_()``), wired to
:func:`formflow.i18n.gettext` for the page's language: one catalogue mechanism, the gettext
``.po`` files under ``formflow/locales``, shared with every other message of the platform.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request, session

from formflow.i18n import gettext, negotiate, normalize_locale
from formflow.services.actor import Actor
from formflow.web.runtime import Runtime

#: Session key of the language an anonymous visitor picked.
SESSION_LANG = "lang"


def page_locale(runtime: Runtime, actor: Actor | None) -> str:
    """The language of this page request (see the module docstring)."""
    explicit = request.args.get("lang")
    if explicit:
        return normalize_locale(explicit)
    if actor is not None:
        return normalize_locale(actor.locale)
    picked = session.get(SESSION_LANG)
    if picked:
        return normalize_locale(str(picked))
    return browser_locale(runtime)


def browser_locale(runtime: Runtime) -> str:
    """The language the browser asks for, or the installation's default."""
    return negotiate(request.headers.get("Accept-Language"), runtime.settings.default_locale)


def current_locale() -> str:
    """The language set for this request by the page machinery (English outside requests)."""
    if has_request_context():
        return str(g.get("page_locale") or "en")
    return "en"


def _gettext(text: str) -> str:
    return gettext(current_locale(), text)


def _ngettext(singular: str, plural: str, count: int) -> str:
    # Chinese has one form; plural msgids are avoided in templates, this keeps `ngettext`
    # usable without a second catalogue mechanism.
    return gettext(current_locale(), singular if count == 1 else plural)


def install_i18n(app: Flask) -> None:
    """Enable ``{% trans %}`` and ``_()`` in templates, translated per request."""
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
