"""Notebooks: the report frame's hint when untrusted, and one export helper per kernel for every report."""

from __future__ import annotations

import sys
import types

import pytest
from bs4 import BeautifulSoup

import reporter
from reporter.vega.exporter import Exporter, SharedExporter


@pytest.fixture
def kernel(monkeypatch):
    """As inside a notebook kernel (ipykernel imported); the shared exporter ended and forgotten afterwards."""
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setattr(SharedExporter, "_one", None)
    yield
    if SharedExporter._one is not None:
        Exporter.close(SharedExporter._one)


def test_every_report_in_a_kernel_shares_one_export_helper(kernel, small_table):
    reports = [reporter.build(small_table, formats="svg") for _ in range(4)]
    helpers = {id(r.exporter._helper) for r in reports}
    assert len({id(r.exporter) for r in reports}) == 1 and len(helpers) == 1 and reports[0].exporter.running
    reports[0].close()  # one report closed: the others still draw with the helper
    assert reports[1].exporter.running


def test_outside_a_kernel_each_build_has_its_own_exporter(small_table, monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    with reporter.build(small_table, formats="svg") as a, reporter.build(small_table, formats="svg") as b:
        assert a.exporter is not b.exporter and not isinstance(a.exporter, SharedExporter)


def test_an_untrusted_notebook_keeps_a_one_line_hint_and_a_trusted_one_removes_it(small_table, visit):
    html = reporter.build(small_table, formats="")._repr_html_()
    # What an untrusted notebook shows: the sanitizer drops the frame and the script, the hint stays.
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(["iframe", "script"]):
        element.decompose()
    assert soup.get_text(" ", strip=True) == (
        "No report below? This notebook is not trusted: trust it (File ▸ Trust Notebook, or "
        "jupyter trust NOTEBOOK.ipynb ) and run the cell again.")
    # Trusted (the script runs): no hint, the report draws.
    v = visit("about:blank")
    v.page.set_content(f"<!doctype html><html><body><div class='output'>{html}</div></body></html>")
    assert v.page.evaluate("document.querySelectorAll('.reporter-untrusted').length") == 0
    frame = v.page.query_selector("iframe.reporter-report").content_frame()
    frame.wait_for_function("Array.from(document.querySelectorAll('[data-figure]')).every(e => e.dataset.rendered === 'true')")
    assert v.errors == []
