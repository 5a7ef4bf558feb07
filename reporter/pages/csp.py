"""CSP: the page's Content-Security-Policy allows exactly the page's own inline scripts, by hash.

The scripts are fixed (the Vega bundle and the page script), so their SHA-256
hashes let them run while any other inline script or ``on…`` handler that got
into the page, escaping notwithstanding, is blocked: a second defence.
"""

from __future__ import annotations

import base64
import hashlib

import jinja2

PAGE_SCRIPT = "partials/page_script.js"


def install(env: jinja2.Environment) -> jinja2.Environment:
    """Give ``env``'s templates ``page_script()`` (the script's text) and ``script_sources(*scripts)``."""
    env.globals["page_script"] = lambda: env.get_template(PAGE_SCRIPT).render()
    env.globals["script_sources"] = script_sources
    return env


def script_sources(*scripts: str | None) -> str:
    """The CSP ``script-src`` sources that allow exactly ``scripts``: one ``'sha256-…'`` each (None: no such script)."""
    return " ".join(f"'sha256-{digest(script)}'" for script in scripts if script is not None)


def digest(script: str) -> str:
    """Base64 SHA-256 of a script's UTF-8 text, as CSP wants it."""
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
