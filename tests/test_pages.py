"""GitHub Pages: the workflow lints clean, and the site it builds has only relative links that resolve."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def actionlint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the actionlint binary the test extra installs beside this Python."""
    exe = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert exe, "actionlint is missing: pip install -e '.[test]'"
    return subprocess.run([exe, "-no-color", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def steps(job: str) -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"][job]["steps"]


def test_pages_workflow_passes_actionlint():
    result = actionlint(str(WORKFLOW.relative_to(ROOT)))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_checks_the_upload_action_inputs(tmp_path):
    # The control: v3 of upload-pages-artifact has no include-hidden-files input, and actionlint knows it.
    bad = tmp_path / "pages.yml"
    bad.write_text(WORKFLOW.read_text().replace("actions/upload-pages-artifact@v5", "actions/upload-pages-artifact@v3"))
    result = actionlint(str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert 'input "include-hidden-files" is not defined in action "actions/upload-pages-artifact@v3"' in result.stdout


def test_workflow_uploads_the_built_folder_with_hidden_files_and_deploys_it():
    build = steps("build")
    upload = next(s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"] == {"path": "site", "include-hidden-files": True}
    assert [s.get("uses", "").split("@")[0] for s in steps("deploy")] == ["actions/deploy-pages"]
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_site_built_as_the_workflow_builds_it_has_only_resolving_relative_links(cli, tmp_path):
    command = shlex.split(next(s["run"] for s in steps("build") if s.get("name") == "Build the site"))
    assert command[0] == "reporter"
    result = cli(*command[1:], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert (site / ".nojekyll").is_file()  # harmless for Actions deploys; needed if the folder is pushed to a branch
    names = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
    assert "index.html" in names
    assert [n for n in names if any(part.startswith("_") for part in Path(n).parts)] == []

    checked = 0
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        for el in soup.find_all(["a", "link", "script", "img", "iframe", "source"]):
            ref = el.get("href") or el.get("src")
            if ref is None:
                continue
            parts = urlsplit(ref)
            assert not parts.scheme and not parts.netloc and not parts.path.startswith("/"), f"{page.name}: {ref}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), f"{page.name}: {ref} does not exist"
            assert site.resolve() in target.parents, f"{page.name}: {ref} leaves the site"
            if parts.fragment:
                ids = {t["id"] for t in BeautifulSoup(target.read_text(), "html.parser").find_all(id=True)}
                assert unquote(parts.fragment) in ids, f"{page.name}: {ref} has no such anchor"
            checked += 1
    # The demo's six "see figure" anchors, two data downloads and 2 x 8 figure downloads were among them.
    assert checked >= 24
