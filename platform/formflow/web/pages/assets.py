"""Static files of the web app (CSS, JavaScript modules, icons) and the catalogue of China's
administrative divisions that region fields suggest from, served with cache headers.

Pages link assets as ``/static/<path>?v=<fingerprint>``; the fingerprint is a hash of every
shipped static file, computed once per process. A request carrying the current fingerprint
may be cached for a year (``immutable``): a new release changes the fingerprint and so the
address. Requests without it — the imports between JavaScript modules — are revalidated
with ``ETag``/``Last-Modified`` each time (``no-cache``), so a browser never mixes releases.
The region catalogue (:mod:`formflow.forms.regions`) is fingerprinted the same way by its own
hash.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from pathlib import Path

from flask import Blueprint, Response, request, send_from_directory
from werkzeug.exceptions import NotFound

from formflow.forms import regions

YEAR = 365 * 24 * 3600


@functools.cache
def static_folder() -> Path:
    """The folder of the shipped static files."""
    return Path(str(resources.files("formflow") / "static"))


@functools.cache
def fingerprint() -> str:
    """A short hash over the names and contents of all static files (read once)."""
    digest = hashlib.sha256()
    root = static_folder()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def asset_url(path: str) -> str:
    """The address of a static file, fingerprinted for long caching."""
    return f"/static/{path}?v={fingerprint()}"


def region_catalogue_url() -> str:
    """The address of the region catalogue, fingerprinted for long caching."""
    return f"/regions.json?v={regions.catalogue_version()}"


def _cache_for(fingerprinted: bool, response: Response) -> Response:
    if fingerprinted:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response


def register(blueprint: Blueprint) -> None:
    @blueprint.get("/static/<path:filename>")
    def static(filename: str) -> Response:
        """A static file; 404 for anything outside the static folder."""
        if filename.startswith(".") or "/." in filename:
            raise NotFound()
        response = send_from_directory(static_folder(), filename, max_age=0, conditional=True)
        _cache_for(request.args.get("v") == fingerprint(), response)
        if filename.endswith(".js"):
            response.mimetype = "text/javascript"
        return response

    @blueprint.get("/regions.json")
    def region_catalogue() -> Response:
        """``{province: {city: [district, ...]}}`` for the region fields' suggestions."""
        response = Response(regions.catalogue_bytes(), mimetype="application/json")
        response.set_etag(regions.catalogue_version())
        response.make_conditional(request)
        return _cache_for(request.args.get("v") == regions.catalogue_version(), response)
