"""Interrupted builds: SIGKILL, Ctrl-C, a write error, a kill between the swap's renames."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reporter.output.write import TMP_INFIX, recover

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under a folder by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    """Folders of reporter beside ``out`` (staging or parked)."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.reporter-"))


def staged_files(out: Path) -> int:
    """Files in the staging folders beside ``out`` so far."""
    count = 0
    for stage in out.parent.glob(f".{out.name}{TMP_INFIX}*"):
        count += sum(len(files) for _, _, files in os.walk(stage))
    return count


# The real CLI, with a pause after each staged file: a whole build now stages its files within
# milliseconds, too fast for a poll to land a kill between two given files.
SLOW_WRITES = textwrap.dedent("""
    import sys, time
    from reporter import cli
    from reporter.output import write
    put = write.put
    write.put = lambda path, data: (put(path, data), time.sleep(0.05))
    sys.exit(cli.main(sys.argv[1:]))
""")


def start_demo(out: Path, *extra: str) -> subprocess.Popen:
    """`reporter demo` into ``out`` with every export format, as a child process that writes slowly."""
    return subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITES, "demo", "-o", str(out), "--formats", "svg,png,pdf", "-q", *extra],
        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for_staged(proc: subprocess.Popen, out: Path, threshold: int) -> None:
    """Poll until the staging folders hold ``threshold`` files (the build is then mid-write)."""
    while staged_files(out) < threshold:
        assert proc.poll() is None, f"the build ended before {threshold} staged files: {proc.stderr.read()}"


@pytest.fixture
def previous_site(tmp_path, cli):
    """A site built from a small table, and its files."""
    table = tmp_path / "t.csv"
    table.write_text("layer,head,category\n0,0,A\n1,1,B\n")
    out = tmp_path / "site"
    r = cli("build", str(table), "-o", str(out), "--formats", "svg", "--title", "previous", "-q")
    assert r.returncode == 0, r.stderr
    return out, listing(out)


def test_sigkill_mid_write_leaves_previous_site(previous_site, cli):
    out, before = previous_site
    # Staged files: the lock file (1), the data files (5), then each figure's four exports at once
    # (9 after the heatmaps, 13 after the layer profile); so the kills land before the data files,
    # while the heatmaps export and while the layer profile exports.
    for threshold in (1, 3, 5, 7, 9):
        proc = start_demo(out)
        wait_for_staged(proc, out, threshold)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        assert listing(out) == before, f"killed at {threshold} staged files"
        assert len(leftovers(out)) == 1  # the killed build's staging folder; the next build removes it
    r = cli("demo", "-o", str(out), "--formats", "", "-q")
    assert (r.returncode, r.stderr) == (0, "")
    assert leftovers(out) == []
    assert "synthetic example" in (out / "index.html").read_text()


@pytest.mark.parametrize("sig, status, message", [
    (signal.SIGINT, 130, "reporter: interrupted; the output folder was left as it was\n"),
    (signal.SIGTERM, 143, ""),
])
def test_ctrl_c_and_sigterm_leave_previous_site_and_clean_up(previous_site, sig, status, message):
    out, before = previous_site
    proc = start_demo(out)
    wait_for_staged(proc, out, 7)
    proc.send_signal(sig)
    _, err = proc.communicate()
    assert proc.returncode == status
    assert err == message
    assert listing(out) == before
    assert leftovers(out) == []


def limit_file_size() -> None:
    """In the child: files over 100 kB fail to write (EFBIG), as on a full disk."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_write_error_leaves_previous_site(previous_site):
    out, before = previous_site
    proc = subprocess.run(
        [sys.executable, "-m", "reporter", "demo", "-o", str(out), "--formats", "svg"],
        env=ENV, capture_output=True, text=True, preexec_fn=limit_file_size,
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        f"reporter: error: cannot write the site into {out} (File too large); the folder was left as it was — "
        "free some space or choose another folder with -o\n"
    )
    assert listing(out) == before
    assert leftovers(out) == []


# Runs a build that dies at a chosen step of the swap: stdlib calls are wrapped, never reporter's code.
KILLER = textwrap.dedent("""
    import ctypes, os, pathlib, shutil, signal, sys
    import reporter
    out, point = pathlib.Path(sys.argv[1]), sys.argv[2]
    report = reporter.build(sys.argv[3], formats=())

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "between-renames":
        ctypes.CDLL = lambda *a, **k: object()  # a platform without renameat2: two renames
        rename = pathlib.Path.rename
        def killing_rename(self, target):
            result = rename(self, target)
            if pathlib.Path(target).name == "old":
                die()
            return result
        pathlib.Path.rename = killing_rename
    else:  # "after-swap": the new site is in place, the staging folder not yet removed
        rmtree = shutil.rmtree
        def killing_rmtree(path, *args, **kwargs):
            if ".reporter-tmp-" in str(path):
                die()
            return rmtree(path, *args, **kwargs)
        shutil.rmtree = killing_rmtree
    report.save(out)
""")


def kill_at(point: str, out: Path, table: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", KILLER, str(out), point, str(table)], env=ENV, capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def test_kill_between_the_two_renames_is_recovered(previous_site, tmp_path, cli):
    out, before = previous_site
    kill_at("between-renames", out, tmp_path / "t.csv")
    assert not out.exists()  # the moment the previous site waits in the staging folder
    (stage,) = out.parent.glob(f".site{TMP_INFIX}*")
    assert listing(stage / "old") == before
    recover(out)
    assert listing(out) == before
    assert leftovers(out) == []


def test_next_build_after_a_kill_between_renames(previous_site, tmp_path, cli):
    out, before = previous_site
    kill_at("between-renames", out, tmp_path / "t.csv")
    r = cli("build", str(tmp_path / "t.csv"), "-o", str(out), "--formats", "", "--title", "next", "-q")
    assert (r.returncode, r.stderr) == (0, f"reporter: warning: restoring {out} from an interrupted build\n")
    assert leftovers(out) == []
    assert "<h1>next</h1>" in (out / "index.html").read_text()


def test_kill_after_the_swap_leaves_new_site_and_next_build_cleans(previous_site, tmp_path, cli):
    out, before = previous_site
    kill_at("after-swap", out, tmp_path / "t.csv")
    assert listing(out) != before and (out / "index.html").is_file()
    assert len(leftovers(out)) == 1
    r = cli("build", str(tmp_path / "t.csv"), "-o", str(out), "--formats", "", "-q")
    assert (r.returncode, r.stderr) == (0, "")
    assert leftovers(out) == []


def test_leftovers_of_others_are_not_touched(previous_site, cli, tmp_path):
    out, _ = previous_site
    foreign = out.parent / f".site{TMP_INFIX}mine"  # our name, but no marker: not ours
    foreign.mkdir()
    (foreign / "keep.txt").write_text("keep")
    other = out.parent / f".other{TMP_INFIX}x"  # another output's staging folder
    other.mkdir()
    r = cli("build", str(tmp_path / "t.csv"), "-o", str(out), "--formats", "", "-q")
    assert r.returncode == 0
    assert (foreign / "keep.txt").read_text() == "keep" and other.is_dir()
