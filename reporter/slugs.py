"""Slugs: safe, unique ASCII names for ids in a page and for file and folder names."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

MAX_LENGTH = 40  # characters before the hash suffix, so a slug stays well under file-name limits
HASH_LENGTH = 8
FALLBACK = "item"
# Names Windows refuses as files whatever the extension.
WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10)}
SITE_FOLDERS = ("assets", "data", "figures")  # a model's folder must not take the name of the site's own folders
NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str, taken: set[str]) -> str:
    """A slug for ``name`` not in ``taken`` (which it joins): ASCII [a-z0-9-], no leading ``_`` or ``.``.

    Names that lose nothing but case and punctuation keep a readable slug
    ("Algorithmic" -> "algorithmic"); a slug that is empty, cut short,
    reserved or already taken gets a short hash of the name appended.
    """
    base = readable(name)
    slug = base
    if not base or len(base) > MAX_LENGTH or base in WINDOWS_RESERVED or base in taken:
        slug = f"{(base[:MAX_LENGTH].rstrip('-') or FALLBACK)}-{digest(name)[:HASH_LENGTH]}"
    n = 2
    while slug in taken:  # only a name crafted to look like another's hashed slug gets here
        slug = f"{(base[:MAX_LENGTH].rstrip('-') or FALLBACK)}-{digest(name)[:HASH_LENGTH]}-{n}"
        n += 1
    taken.add(slug)
    return slug


def slug_map(names: Iterable[str], reserved: Iterable[str] = ()) -> dict[str, str]:
    """A unique slug for every distinct name, given in order (earlier names keep the plainer slugs)."""
    taken = set(reserved)
    out: dict[str, str] = {}
    for name in names:
        if name not in out:
            out[name] = slugify(name, taken)
    return out


def folder_slugs(names: Iterable[str]) -> list[str]:
    """One folder slug per model name, in order: never a folder of the site's own (assets, data, figures)."""
    taken = set(SITE_FOLDERS)
    return [slugify(name, taken) for name in names]


def readable(name: str) -> str:
    """Lower-case ASCII letters and digits of ``name``, runs of anything else as one ``-``."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return NOT_SLUG.sub("-", ascii_text.lower()).strip("-")


def digest(name: str) -> str:
    """Hex SHA-256 of the name (lone surrogates included, so every str has one)."""
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
