"""Settings: flag values read from a reporter.toml or a pyproject.toml's [tool.reporter], under the flags given.

A setting's key is its flag's long name without ``--`` (``score-column``;
``score_column`` is read the same). Keys at the top of the table apply to every
command that has that flag; a sub-table named after a command (``[tool.reporter.diff]``)
applies to that command only, over the top. A key no command has is refused
with the nearest name. The file is found from the first input's folder
upwards (stopping at the folder holding ``.git``): the first ``reporter.toml``,
or ``pyproject.toml`` with a ``[tool.reporter]`` table, wins.
"""

from __future__ import annotations

import argparse
import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError, listed

SETTINGS_FILE = "reporter.toml"
PYPROJECT = "pyproject.toml"
NOT_SETTINGS = {"help", "version", "config", "no-config"}
FROM_FLAG = "the command line"
FROM_DEFAULT = "default"


@dataclass(frozen=True)
class SettingsFile:
    """One settings file as read: its path, its label in messages and its table of settings."""

    path: Path
    label: str  # "/x/reporter.toml" or "[tool.reporter] in /x/pyproject.toml"
    table: dict = field(repr=False)


@dataclass(frozen=True)
class Settled:
    """Every option's value for one command, where each came from, and the file read (if any)."""

    values: dict
    sources: dict  # dest -> FROM_FLAG, a SettingsFile label or FROM_DEFAULT
    keys: dict  # dest -> its setting key
    file: SettingsFile | None


def read_toml(path: Path) -> dict:
    """A TOML file as a dict; unreadable or invalid TOML is a UsageError naming the file."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the settings file {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not valid TOML ({exc}); fix it, or pass --no-config") from exc


def settings_in(path: Path) -> SettingsFile | None:
    """The settings of a reporter.toml (the whole file) or a pyproject.toml (its [tool.reporter]), else None."""
    document = read_toml(path)
    if path.name != PYPROJECT:
        return SettingsFile(path, str(path), document)
    table = document.get("tool", {}).get("reporter")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise UsageError(f"[tool.reporter] in {path} must be a table of settings")
    return SettingsFile(path, f"[tool.reporter] in {path}", table)


def given_file(path: str) -> SettingsFile:
    """The settings of ``--config FILE``; a file without settings is an error rather than silently nothing."""
    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise UsageError(f"--config {path}: no such file; give a reporter.toml or a pyproject.toml")
    found = settings_in(file)
    if found is None:
        raise UsageError(f"--config {path}: the file has no [tool.reporter] table")
    return found


def candidates(start: Path) -> list[Path]:
    """The files that may hold settings, nearest first: from ``start`` up to the project root (``.git``)."""
    found = []
    for folder in (start, *start.parents):
        found += [folder / SETTINGS_FILE, folder / PYPROJECT]
        if (folder / ".git").exists():
            break
    return found


def find(start: Path) -> SettingsFile | None:
    """The nearest settings file from ``start`` upwards, or None."""
    for path in candidates(start):
        if path.is_file():
            found = settings_in(path)
            if found is not None:
                return found
    return None


def start_folder(inputs: list[str]) -> Path:
    """Where the search starts: the first local input's folder, else the working folder."""
    for given in inputs:
        text = str(given)
        if "://" not in text and not any(c in text for c in "*?["):
            return Path(text).expanduser().resolve().parent
    return Path.cwd().resolve()


def setting_key(action: argparse.Action) -> str:
    """A flag's setting key: its long name without the dashes."""
    longest = max(action.option_strings, key=len)
    return longest.lstrip("-")


def settable(command: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """A subcommand's settable options by setting key."""
    return {setting_key(a): a for a in command._actions
            if a.option_strings and setting_key(a) not in NOT_SETTINGS}


def checked_table(file: SettingsFile, commands: dict[str, argparse.ArgumentParser]) -> None:
    """Refuse a key no command has (naming the nearest), and a command table of an unknown command."""
    every = sorted({key for sp in commands.values() for key in settable(sp)})
    for key, value in file.table.items():
        if isinstance(value, dict):
            if key not in commands:
                refuse(file, key, sorted(commands), "command table")
            known = sorted(settable(commands[key]))
            for inner in value:
                if norm(inner) not in known:
                    refuse(file, f"{key}.{inner}", known, f"setting of {key}", typed=norm(inner))
        elif norm(key) not in every:
            refuse(file, key, every, "setting", typed=norm(key))


def refuse(file: SettingsFile, key: str, known: list[str], what: str, typed: str | None = None) -> None:
    """Raise the UsageError for an unknown key, with the nearest known name."""
    near = difflib.get_close_matches(typed or key, known, n=1, cutoff=0.6)
    hint = f"did you mean {near[0]!r}? " if near else ""
    raise UsageError(f"{file.label}: unknown {what} {key!r}: {hint}known: {listed(known, 40)}")


def norm(key: str) -> str:
    """A key as written (``score_column``) in flag form (``score-column``)."""
    return key.replace("_", "-")


def file_values(file: SettingsFile, command: str) -> dict[str, object]:
    """The file's settings for one command: top-level keys, then its command table over them."""
    top = {norm(k): v for k, v in file.table.items() if not isinstance(v, dict)}
    own = file.table.get(command)
    return {**top, **({norm(k): v for k, v in own.items()} if isinstance(own, dict) else {})}


def converted(action: argparse.Action, key: str, value: object, file: SettingsFile) -> object:
    """A TOML value as the flag would give it: checked like the flag, paths relative to the file's folder."""
    where = f"{file.label}: {key}"
    if action.nargs == 0:  # a switch: --quiet, --force
        if not isinstance(value, bool):
            raise UsageError(f"{where} must be true or false, not {value!r}")
        return value
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise UsageError(f"{where} must be a string or a number, not {value!r}")
    try:
        result = action.type(str(value)) if action.type else str(value)
    except (argparse.ArgumentTypeError, ValueError) as exc:
        raise UsageError(f"{where} = {value!r}: {exc}") from exc
    if action.choices is not None and result not in action.choices:
        raise UsageError(f"{where} must be one of {', '.join(map(str, action.choices))}, not {value!r}")
    if action.metavar in ("FILE", "DIR") and not Path(str(result)).expanduser().is_absolute():
        result = str(file.path.parent / str(result))  # as written in the file, relative to the file
    return result


def settle(command: argparse.ArgumentParser, name: str, explicit: dict, file: SettingsFile | None,
           defaults: dict) -> Settled:
    """Each option's value: the flag given, else the file's setting, else the default; with its source."""
    from_file = file_values(file, name) if file else {}
    values, sources, keys = {}, {}, {}
    for key, action in settable(command).items():
        dest = action.dest
        keys[dest] = key
        if dest in explicit:
            values[dest], sources[dest] = explicit[dest], FROM_FLAG
        elif key in from_file:
            values[dest], sources[dest] = converted(action, key, from_file[key], file), file.label
        else:
            values[dest], sources[dest] = defaults.get(dest), FROM_DEFAULT
    return Settled(values, sources, keys, file)


def provenance_lines(settled: Settled) -> list[str]:
    """What `inspect` prints when a settings file is in play: the file, then every setting and where it came from.

    Without a file every value is the flag given or the default, and nothing is added.
    """
    if settled.file is None:
        return []
    lines = [f"settings file: {settled.file.label}", "settings (the command line wins over the file, the file over "
             "the default):"]
    width = max((len(k) for k in settled.keys.values()), default=0)
    for dest, key in sorted(settled.keys.items(), key=lambda item: item[1]):
        lines.append(f"  {key.ljust(width)}  {shown(settled.values[dest])}  ({settled.sources[dest]})")
    return lines


def shown(value: object) -> str:
    """A setting's value as TOML would write it; unset for None."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
