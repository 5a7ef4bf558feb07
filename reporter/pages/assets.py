"""Assets inlined into every page: the Vega JavaScript bundle and the embedded JSON."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from pathlib import Path
from typing import Callable

from ..vega.exporter import Exporter, SharedExporter

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script, safe to inline in <script>.

    Building the bundle costs over a second, so it is cached per vl-convert
    version in the user's cache folder (REPORTER_CACHE_DIR overrides it).
    """
    path = bundle_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    import vl_convert as vlc

    return store_bundle(vlc.javascript_bundle())


def store_bundle(text: str) -> str:
    """Make a built bundle safe to inline, cache it in the user's cache folder and return it."""
    path = bundle_path()
    bundle = text.replace("</script", "<\\/script")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:  # a read-only home only costs time
        log.info("cannot cache the Vega bundle at %s: %s", path, exc)
    return bundle


def script_context(theme: str | None = None) -> dict:
    """The template context every page gets besides ``page``: the Vega bundle, inline in every page so that each
    opens alone; and ``theme`` ("light" or "dark" to fix it; None follows the system)."""
    return {"vega_bundle": vega_bundle(), "theme": theme}


def bundle_path() -> Path:
    """Where the bundle of the installed vl-convert versions is cached."""
    import vl_convert as vlc

    version = vlc.get_vega_embed_version() + "-" + vlc.get_vega_version() + "-" + vlc.get_vegalite_versions()[-1]
    return cache_dir() / f"vega-bundle-{version}.js"


def cache_bundle(build: Callable[[], str | None]) -> None:
    """Cache the bundle that ``build`` gives (the export helper's, its runtime booted already), unless cached."""
    if vega_bundle.cache_info().currsize or bundle_path().exists():
        return
    text = build()
    if text is not None:
        store_bundle(text)


def exporter_for(formats: tuple[str, ...]) -> Exporter:
    """The exporter of one build: its helper started when it will have figures or the bundle to make.

    A new one per build, except in a notebook kernel, where every build shares one (SharedExporter).
    """
    cold = not bundle_path().exists()
    exporter = SharedExporter.get() if "ipykernel" in sys.modules else Exporter()
    if cold or formats:
        exporter.start(bundle=cold)
    return exporter


def cache_dir() -> Path:
    """Where reporter keeps reusable build assets."""
    if os.environ.get("REPORTER_CACHE_DIR"):
        return Path(os.environ["REPORTER_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reporter"


def script_json(value: object) -> str:
    """JSON safe inside an HTML <script> element: <, > and & escaped as \\u escapes."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
