"""Assets inlined into every page: the Vega JavaScript bundle and the embedded JSON."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Callable

from ..vega.exporter import Exporter, SharedExporter

log = logging.getLogger(__name__)

# The SHA-256 of the bundle (as cached, "</script" escaped) of the Vega versions of each vl-convert release
# reporter is tested with: a cached copy that differs (edited, truncated, planted in a shared cache) is
# rebuilt, never inlined. For other versions the digest written beside the cached copy is checked.
KNOWN_BUNDLES = {
    "7.0.2-6.2.0-6.4": "3425bd951a44d478d0505c6b5d1e8d57656b6e9a4da7bfe88a718ce61d76e572",  # vl-convert 1.9.0
}


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script, safe to inline in <script>.

    Building the bundle costs over a second, so it is cached per vl-convert
    version in the user's cache folder (REPORTER_CACHE_DIR overrides it).
    """
    cached = cached_bundle()
    if cached is not None:
        return cached
    import vl_convert as vlc

    return store_bundle(vlc.javascript_bundle())


def cached_bundle() -> str | None:
    """The cached bundle when it has the SHA-256 it should (see KNOWN_BUNDLES), else None."""
    path = bundle_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if sha256_text(text) == expected_digest(path):
        return text
    log.warning("the cached Vega bundle %s does not have the SHA-256 it should; building it again", path)
    return None


def store_bundle(text: str) -> str:
    """Make a built bundle safe to inline, cache it in the user's cache folder and return it."""
    path = bundle_path()
    bundle = text.replace("</script", "<\\/script")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        digest_path(path).write_text(sha256_text(bundle) + "\n", encoding="ascii")
        tmp.replace(path)
    except OSError as exc:  # a read-only home only costs time
        log.info("cannot cache the Vega bundle at %s: %s", path, exc)
    return bundle


def sha256_text(text: str) -> str:
    """SHA-256 of text's UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def expected_digest(path: Path) -> str | None:
    """The SHA-256 the cached bundle at ``path`` must have: pinned for a known version, else the one stored beside it."""
    known = KNOWN_BUNDLES.get(path.name.removeprefix("vega-bundle-").removesuffix(".js"))
    if known:
        return known
    try:
        return digest_path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def digest_path(path: Path) -> Path:
    """Where the SHA-256 of a cached bundle is written, beside it."""
    return path.with_name(path.name + ".sha256")


def script_context(theme: str | None = None) -> dict:
    """The template context every page gets besides ``page``: the Vega bundle, inline in every page so that each
    opens alone (no shared script file for a changed copy to replace); and ``theme`` ("light" or "dark" to fix it;
    None follows the system)."""
    return {"vega_bundle": vega_bundle(), "theme": theme}


def bundle_path() -> Path:
    """Where the bundle of the installed vl-convert versions is cached."""
    import vl_convert as vlc

    version = vlc.get_vega_embed_version() + "-" + vlc.get_vega_version() + "-" + vlc.get_vegalite_versions()[-1]
    return cache_dir() / f"vega-bundle-{version}.js"


def cache_bundle(build: Callable[[], str | None]) -> None:
    """Cache the bundle that ``build`` gives (the export helper's, its runtime booted already), unless cached."""
    if vega_bundle.cache_info().currsize or cached_bundle() is not None:
        return
    text = build()
    if text is not None:
        store_bundle(text)


def exporter_for(formats: tuple[str, ...]) -> Exporter:
    """The exporter of one build: its helper started when it will have figures or the bundle to make.

    A new one per build, except in a notebook kernel, where every build shares one (SharedExporter).
    """
    cold = cached_bundle() is None
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
