"""Every "model §N" citation in the studies resolves to a section of a shipped model page."""

from __future__ import annotations

import re

import pytest

from distillab.report.models import link_citations, model_page, render_model_page
from distillab.studies import Scaling, Study, registry

STUDIES = list(registry().values())


def _texts(study: Study) -> list[str]:
    texts = [study.status_note]
    for figure in study.figures:
        texts.append(figure.caption)
        for claim in figure.compare:
            texts += [claim.label, claim.scope_reason]
            texts.append(claim.reason if isinstance(claim, Scaling) else claim.tolerance.reason)
    return texts


@pytest.mark.parametrize("study", STUDIES, ids=lambda s: s.name)
def test_every_citation_links_to_an_existing_section(study: Study) -> None:
    page = model_page(study.name)
    assert page is not None, f"docs/models/{study.name}.md is missing"
    ids = set(re.findall(r'id="([^"]+)"', render_model_page(study.name, page.read_text())))
    for text in _texts(study):
        linked = link_citations(text, study.name)
        # Every citation became a link: none is left outside an anchor.
        assert "model §" not in re.sub(r"<a [^>]*>model §[^<]*</a>", "", linked)
        for anchor in re.findall(r"models/[\w-]+\.html#(s\d+)", linked):
            assert anchor in ids, f"{study.name}: no section {anchor} for {text[:60]!r}"


def test_section_headings_get_numbered_ids() -> None:
    body = render_model_page("x", "## 5. Testable predictions\n\n### 4.1 What\n\n## Other\n")
    assert 'id="s5"' in body and 'id="s4-1"' in body and 'id="other"' in body
    assert link_citations("see model §5 item 3", "hong-2021").startswith(
        "see <a href='../models/hong-2021.html#s5'>model §5</a>"
    )
