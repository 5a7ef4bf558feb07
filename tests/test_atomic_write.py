"""Interrupted builds: SIGKILL, Ctrl-C, a write error, a kill between the swap's renames."""

from __future__ import annotations

import json
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
    """Folders of reporter beside ``out`` (staging or parked); the build lock a killed build leaves is
    one empty file, locked and removed by the next build, so it is not counted."""
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name.startswith(f".{out.name}.reporter-") and p.name != f".{out.name}.reporter-lock")


# The real CLI, paused after its Nth staged file: it says so on stdout and waits on stdin, which the
# test never answers, so the signal the test sends then lands at that known point, however loaded the
# machine is (a build stages its files within milliseconds: a poll and a signal would race it).
PAUSED_WRITES = textwrap.dedent("""
    import sys
    from reporter import cli
    from reporter.output import write
    pause_at, put, staged = int(sys.argv[1]), write.put, [0]

    def paused(path, data):
        put(path, data)
        staged[0] += 1
        if staged[0] == pause_at:
            print(f"paused after {pause_at} files", flush=True)
            sys.stdin.readline()  # interrupted by the test's signal

    write.put = paused
    sys.exit(cli.main(sys.argv[2:]))
""")


def start_demo(out: Path, pause_at: int) -> subprocess.Popen:
    """`reporter demo` into ``out`` with every export format, as a child paused after ``pause_at`` staged files."""
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSED_WRITES, str(pause_at), "demo", "-o", str(out), "--formats", "svg,png,pdf", "-q"],
        env=ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline()
    assert line == f"paused after {pause_at} files\n", f"the build did not pause: {line!r} {proc.stderr.read()}"
    return proc


def signalled(proc: subprocess.Popen, sig: int) -> str:
    """Send ``sig`` to the paused child, wait for it to end and return its stderr."""
    proc.send_signal(sig)
    proc.wait()
    err = proc.stderr.read()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        stream.close()
    return err


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
    # Files put in the staging folder: the data files (4), then each figure's four exports (8 after the
    # heatmaps, 12 after the layer profile); so the kills land among the data files, while the heatmaps
    # export and while the layer profile exports.
    for threshold in (1, 3, 5, 7, 9):
        proc = start_demo(out, threshold)
        signalled(proc, signal.SIGKILL)
        assert proc.returncode == -signal.SIGKILL
        assert listing(out) == before, f"killed at {threshold} staged files"
        assert len(leftovers(out)) == 1  # the killed build's staging folder; the next build removes it
    assert (out.parent / ".site.reporter-lock").is_file()  # left by the kill, taken by the next build
    r = cli("demo", "-o", str(out), "--formats", "", "-q")
    assert (r.returncode, r.stderr) == (0, "")
    assert leftovers(out) == [] and not (out.parent / ".site.reporter-lock").exists()
    assert "synthetic example" in (out / "index.html").read_text()


@pytest.mark.parametrize("sig, status, message", [
    (signal.SIGINT, 130, "reporter: interrupted; the output folder was left as it was\n"),
    (signal.SIGTERM, 143, "reporter: terminated; the output folder was left as it was\n"),
])
def test_ctrl_c_and_sigterm_leave_previous_site_and_clean_up(previous_site, sig, status, message):
    out, before = previous_site
    proc = start_demo(out, 7)  # mid-write: the data files and the heatmaps' exports are staged
    err = signalled(proc, sig)
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


def test_a_second_build_of_the_folder_is_refused_while_the_first_writes(previous_site, cli, tmp_path):
    out, _ = previous_site
    first = start_demo(out, 3)  # a real build, paused with its lock held and its staging folder half full
    second = cli("build", str(tmp_path / "t.csv"), "-o", str(out), "--formats", "", "-q")
    first.stdin.write("go on\n")
    first.stdin.flush()
    first.wait()
    for stream in (first.stdin, first.stdout, first.stderr):
        stream.close()
    assert (second.returncode, second.stderr) == (
        2, f"reporter: error: another reporter build is writing {out} right now; wait until it ends, "
           "or choose another folder with -o\n")
    assert first.returncode == 0
    marker = json.loads((out / ".reporter-site").read_text())
    assert sorted(marker["files"]) == sorted(p for p in listing(out) if p != ".reporter-site")  # no file of the
    assert "synthetic example" in (out / "index.html").read_text()  # refused build claimed as the user's
    again = cli("build", str(tmp_path / "t.csv"), "-o", str(out), "--formats", "", "-q")
    assert (again.returncode, again.stderr) == (0, "")  # the lock went with the first build
    assert leftovers(out) == [] and not (out.parent / ".site.reporter-lock").exists()


# An editor saving notes into the site folder (write a temporary file, rename it over the note), one
# after another until told to stop; it logs each note it saved to a file (a pipe that nobody reads
# while the build runs would fill and stop it) and says "saving" on stdout once the first is saved.
# A rename that fails because the build swapped the folder between the two calls is what an editor
# reports as a failed save: not logged.
EDITOR = textwrap.dedent("""
    import os, sys
    out, log, stop = sys.argv[1:4]
    n = 0
    with open(log, "w") as saved:
        while not os.path.exists(stop):
            tmp = os.path.join(out, f".note-{n}.txt.swp")
            try:
                with open(tmp, "w") as fh:
                    fh.write(f"note {n}\\n")
                os.replace(tmp, os.path.join(out, f"note-{n}.txt"))
            except OSError:
                continue
            print(f"note-{n}.txt", file=saved, flush=True)
            if n == 0:
                print("saving", flush=True)
            n += 1
""")


def test_files_saved_while_a_build_finishes_are_kept(previous_site, cli, tmp_path):
    out, _ = previous_site
    (out / "bulk").mkdir()
    for n in range(3000):  # the user's files: carrying them over takes a while, as in a real work folder
        (out / "bulk" / f"{n}.txt").write_text(f"{n}\n")
    log, stop = tmp_path / "saved.log", tmp_path / "stop"
    editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(out), str(log), str(stop)],
                              stdout=subprocess.PIPE, text=True)
    assert editor.stdout.readline() == "saving\n"  # the editor is saving: now build while it goes on
    r = cli("build", str(tmp_path / "t.csv"), "-o", str(out), "--formats", "svg", "-q")
    stop.touch()
    editor.wait()
    editor.stdout.close()
    saved = log.read_text().split()
    assert (r.returncode, r.stderr) == (0, "")
    lost = [name for name in saved if not (out / name).is_file()]
    assert lost == [], f"{len(lost)} of {len(saved)} saved notes lost, e.g. {lost[:3]}"
    assert all((out / name).read_text() == f"note {name[5:-4]}\n" for name in saved)
    assert len(list((out / "bulk").iterdir())) == 3000 and leftovers(out) == []
