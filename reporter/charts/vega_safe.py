"""Vega-safe specs: the one path by which names from the input reach a Vega-Lite spec's text.

Names are data; the hazards are where Vega-Lite turns text into code or measures it:

- an encoding title is pasted into generated expressions (aria descriptions,
  tooltip keys) with only ``"`` escaped, so a backslash there would escape the
  quote after it: the title in expressions gets its backslashes doubled, and
  the axis or legend shows the name as given;
- a ``sort`` list or legend ``values`` list holding ``constructor`` or
  ``toString`` breaks Vega's runtime (it looks them up on a plain object):
  the order goes into the scale's ``domain`` instead, which orders the same;
- a title that is exactly the name of an ``Object.prototype`` member
  (``constructor``, ``toString``...) breaks Vega's runtime too: it is drawn
  with a trailing space, which shows nothing;
- vl-convert measures a text before cutting it to its pixel limit, so long
  names are cut by characters first: titles here, axis and legend labels by
  ``truncate`` in Vega.

``literal`` quotes any text into a Vega expression (JSON, ASCII only, so U+2028
cannot end a line inside it); ``safe_spec`` applies the rest to a finished spec.
"""

from __future__ import annotations

import json
from typing import Iterable

# Characters of a name drawn in a figure: more than the widest pixel limit holds in any usual font
# (300 px at 13 px is 23 em; the narrowest glyph, an apostrophe, is 0.19 em: 121 characters).
CUT = 128
ELLIPSIS = "…"
# The guide of each channel whose labels can be names from the input.
GUIDES = {"x": "axis", "y": "axis", "color": "legend", "fill": "legend", "stroke": "legend", "shape": "legend",
          "strokeDash": "legend", "size": "legend", "opacity": "legend"}
OBJECT_MEMBERS = frozenset({
    "constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "toString",
    "valueOf", "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__", "__proto__",
})


def literal(text: str) -> str:
    """``text`` as a Vega expression string literal."""
    return json.dumps(text, ensure_ascii=True)


def cut(text: str) -> str:
    """``text`` as a title: cut to CUT characters with an ellipsis, never exactly an Object.prototype member."""
    text = text if len(text) <= CUT else text[:CUT - 1] + ELLIPSIS
    return text + " " if text in OBJECT_MEMBERS else text


def lines_cut(text: str | list) -> str | list:
    """A title's text, one line or a list of lines, each line ``cut``."""
    return [cut(line) if isinstance(line, str) else line for line in text] if isinstance(text, list) else cut(text)


def safe_spec(spec: dict, names: Iterable[str] | None) -> dict:
    """``spec`` (changed in place and returned) with every name made safe to draw, as the module says."""
    long = names is None or any(len(n) > CUT for n in names)
    walk(spec, long)
    return spec


def walk(node: object, long: bool) -> None:
    """Make every view's title and every encoding channel under ``node`` safe."""
    if isinstance(node, list):
        for item in node:
            walk(item, long)
        return
    if not isinstance(node, dict):
        return
    title = node.get("title")
    if isinstance(title, (str, list)):
        node["title"] = lines_cut(title)
    elif isinstance(title, dict) and isinstance(title.get("text"), (str, list)):
        title["text"] = lines_cut(title["text"])
    for name, channel in (node.get("encoding") or {}).items():
        for definition in channel if isinstance(channel, list) else [channel]:
            if isinstance(definition, dict):
                safe_channel(definition, long, GUIDES.get(name))
    for key in ("layer", "concat", "hconcat", "vconcat", "spec"):
        walk(node.get(key), long)


def safe_channel(definition: dict, long: bool, kind: str | None = None) -> None:
    """One encoding channel: its order in the scale domain, its title quoted for expressions, labels cut.

    ``kind`` is the channel's guide ("axis", "legend"): a channel of names
    that left its guide to the defaults gets one, so its labels are cut too.
    """
    if long and kind and kind not in definition and definition.get("type") in ("nominal", "ordinal"):
        definition[kind] = {}
    if isinstance(definition.get("sort"), list):
        scale = definition.setdefault("scale", {})
        scale.setdefault("domain", definition.pop("sort"))
    guide = next((definition[k] for k in ("axis", "legend") if isinstance(definition.get(k), dict)), None)
    domain = (definition.get("scale") or {}).get("domain")
    if guide is not None and guide.get("values") == domain and isinstance(domain, list):
        del guide["values"]  # the domain already lists them, in this order
    if guide is not None and long:
        guide.setdefault("labelExpr", f"truncate(datum.label, {CUT})")
    title = definition.get("title")
    if isinstance(title, str):
        shown = cut(title)
        if guide is not None and "\\" in shown:
            guide.setdefault("title", shown)
        definition["title"] = shown.replace("\\", "\\\\")
