"""The command line as a user meets it: grouped help with examples, typos, completion, closed pipes and Ctrl-C."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, long_table

GROUP_TITLES = {
    "input": "input: what is read, and how:",
    "rule": "rule: how per-head scores become category memberships:",
    "model shape": "model shape: which model, its layers, heads and KV heads:",
    "output": "output: what is written, where, and what is printed:",
    "publishing": "publishing: where the report goes besides the output folder:",
}
EXPECTED_GROUPS = {
    "build": ["input", "rule", "model shape", "output", "publishing"],
    "inspect": ["input", "rule", "model shape"],
    "diff": ["input", "rule", "model shape", "output", "publishing"],
    "timeline": ["input", "rule", "model shape", "output", "publishing"],
    "demo": ["output", "publishing"],
    "serve": ["input", "rule", "model shape", "output"],
}


def help_of(cli, command: str) -> str:
    result = cli(command, "--help")
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("command", sorted(EXPECTED_GROUPS))
def test_help_shows_the_commands_groups_in_order_and_its_examples(cli, command):
    shown = help_of(cli, command)
    positions = [shown.find(GROUP_TITLES[g]) for g in EXPECTED_GROUPS[command]]
    assert -1 not in positions, [g for g, at in zip(EXPECTED_GROUPS[command], positions) if at < 0]
    assert positions == sorted(positions)
    absent = set(GROUP_TITLES) - set(EXPECTED_GROUPS[command])
    assert not [g for g in absent if GROUP_TITLES[g] in shown]  # an empty group is not printed
    examples = shown.split("examples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert 4 <= len(examples) <= 6 and len(examples) % 2 == 0, examples
    assert all(why.startswith("  # ") and len(why) > 10 for why in examples[0::2])  # what each example does
    assert all(line.startswith(f"  reporter {command} ") for line in examples[1::2])


def test_each_flag_sits_in_its_group(cli):
    shown = help_of(cli, "build")
    sections = dict(re.findall(r"\n([a-z ]+): [^\n]*:\n(.*?)(?=\n\n|\Z)", shown, flags=re.S))
    assert {"--threshold", "--top-k", "--top-percent", "--aggregate", "--category-map", "--score-column"} <= \
        set(re.findall(r"--[a-z-]+", sections["rule"].split("\n  --model", 1)[0]))
    assert re.search(r"^  --model NAME", sections["model shape"], flags=re.M)
    assert re.search(r"^  --kv-heads N", sections["model shape"], flags=re.M)
    assert re.search(r"^  --single-file FILE", sections["publishing"], flags=re.M)
    assert re.search(r"^  -o(?: DIR)?, --output DIR", sections["output"], flags=re.M)  # 3.13 writes "-o, --output DIR"


def test_model_help_says_every_effect_of_the_flag(cli):
    shown = " ".join(help_of(cli, "build").split())
    assert "select that model's rows" in shown
    assert "take its layers, heads and KV heads from the built-in table of 41 known models" in shown
    assert "name the report with it" in shown


def test_top_level_help_lists_every_command(cli):
    result = cli("--help")
    for command in ("build", "inspect", "diff", "timeline", "demo", "serve", "completion"):
        assert re.search(rf"^    {command}\b", result.stdout, flags=re.M), command


@pytest.mark.parametrize("argv, said", [
    (["build", "x.csv", "--treshold", "0.2"],
     "reporter build: error: unknown flag --treshold; did you mean --threshold? "
     "(`reporter build --help` lists every flag)"),
    (["inspect", "x.csv", "--top-kk=3"],
     "reporter inspect: error: unknown flag --top-kk; did you mean --top-k? "
     "(`reporter inspect --help` lists every flag)"),
    (["diff", "a.csv", "b.csv", "--mlfow"], "reporter diff: error: unknown flag --mlfow; did you mean --mlflow?"),
    (["inspect", "x.csv", "--formats", "svg"],
     "reporter inspect: error: unknown flag --formats; it is a flag of build, diff, timeline, demo, serve, not of "
     "reporter inspect"),
    (["build", "x.csv", "--zzz"], "reporter build: error: unknown flag --zzz (`reporter build --help`"),
])
def test_a_mistyped_flag_names_the_subcommand_and_the_nearest_flag(cli, argv, said):
    result = cli(*argv)
    assert result.returncode == 2
    assert said in result.stderr
    assert result.stderr.startswith(f"usage: reporter {argv[0]} ")


def test_a_mistyped_command_suggests_the_nearest(cli):
    result = cli("biuld", "x.csv")
    assert result.returncode == 2
    assert "reporter: error: unknown command 'biuld'; did you mean 'build'?" in result.stderr


# --- closed pipes and Ctrl-C -------------------------------------------------------------------------------

def closed_stdout(*args: str, cwd) -> subprocess.CompletedProcess:
    """Run the CLI with its stdout a pipe whose reader is already gone (like `| head` that has exited)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "reporter", *args], cwd=cwd, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=600,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        os.close(write_end)


def test_inspect_into_a_closed_pipe_is_quiet_with_status_141(tmp_path):
    table = tmp_path / "heads.csv"
    long_table([(0, 0, "A"), (1, 1, "B")]).to_csv(table, index=False)
    result = closed_stdout("inspect", str(table), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (141, "")


@pytest.mark.parametrize("argv", [["build", "--help"], ["completion", "bash"]])
def test_help_and_completion_into_a_closed_pipe_are_quiet(tmp_path, argv):
    result = closed_stdout(*argv, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (141, "")


def test_ctrl_c_while_parsing_says_interrupted_and_exits_130(monkeypatch, capsys):
    from reporter import cli

    def interrupted(argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "parse", interrupted)
    assert cli.main(["inspect", "x.csv"]) == 130
    assert capsys.readouterr().err == "reporter: interrupted\n"


def test_ctrl_c_while_building_says_the_folder_was_left_alone(monkeypatch, capsys, tmp_path):
    from reporter import cli

    def interrupted(*args):
        raise KeyboardInterrupt

    table = tmp_path / "heads.csv"
    long_table([(0, 0, "A")]).to_csv(table, index=False)
    monkeypatch.setattr(cli, "made", interrupted)
    assert cli.main(["build", str(table), "-o", str(tmp_path / "out"), "--formats", ""]) == 130
    assert capsys.readouterr().err == "reporter: interrupted; the output folder was left as it was\n"
    assert not (tmp_path / "out").exists()


# --- shell completion --------------------------------------------------------------------------------------

@pytest.fixture
def completion_script(cli, tmp_path):
    result = cli("completion", "bash")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "reporter.bash"
    path.write_text(result.stdout)
    return path


def complete(script, words: list[str], cwd) -> list[str]:
    """What bash offers for the last of ``words`` (the command line typed so far), with the script loaded."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    code = (f"source '{script}'; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; _reporter; "
            'printf "%s\\n" "${COMPREPLY[@]}"')
    result = subprocess.run(["bash", "--norc", "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_completion_registers_the_function(completion_script, tmp_path):
    result = subprocess.run(["bash", "--norc", "-c", f"source '{completion_script}'; complete -p reporter"],
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "complete -o bashdefault -o filenames -F _reporter reporter"


@pytest.mark.parametrize("words, offered", [
    (["reporter", "bu"], ["build"]),
    (["reporter", "s"], ["serve"]),
    (["reporter", "build", "x.csv", "--thr"], ["--threshold", "--threshold-map"]),
    (["reporter", "build", "x.csv", "--kv"], ["--kv-heads"]),
    (["reporter", "build", "x.csv", "--top"], ["--top-k", "--top-percent", "--top-mass"]),
    (["reporter", "inspect", "x.csv", "--single"], []),  # inspect writes nothing: no publishing flags
    (["reporter", "build", "x.csv", "--aggregate", "m"], ["mean", "max", "median"]),
    (["reporter", "serve", "x.csv", "--engine", ""], ["auto", "pandas", "duckdb"]),
    (["reporter", "build", "x.csv", "--threshold", ""], []),
    (["reporter", "completion", ""], ["bash", "zsh"]),
])
def test_completion_offers_commands_flags_and_choices(completion_script, tmp_path, words, offered):
    assert complete(completion_script, words, tmp_path) == offered


def test_completion_offers_file_names_for_inputs_and_file_flags(completion_script, tmp_path):
    (tmp_path / "heads.csv").write_text("layer,head,category\n")
    (tmp_path / "map.json").write_text("{}")
    assert complete(completion_script, ["reporter", "build", "he"], tmp_path) == ["heads.csv"]
    assert complete(completion_script, ["reporter", "build", "heads.csv", "--category-map", "m"], tmp_path) == \
        ["map.json"]


def test_zsh_script_is_the_bash_function_behind_bashcompinit(cli):
    zsh, bash = cli("completion", "zsh").stdout, cli("completion", "bash").stdout
    assert zsh.splitlines()[1] == "autoload -U +X bashcompinit && bashcompinit"
    assert zsh.endswith(bash)
