"""One conformance suite every registered study and figure must pass (the check_estimator idea)."""

from __future__ import annotations

import re

import pytest
from matplotlib.figure import Figure as MplFigure

from distillab.studies import PROFILES, Figure, Scaling, Study, registry, resolve_targets
from distillab.sweep import canonical_params

STUDIES = list(registry().values())
FIGURES = [(s, f) for s in STUDIES for f in s.figures]
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_registry_finds_the_studies() -> None:
    assert "kernels" in registry()


@pytest.mark.parametrize("study", STUDIES, ids=lambda s: s.name)
def test_study_is_named_and_documented(study: Study) -> None:
    assert KEBAB.match(study.name)
    assert study.title and study.reference and study.status_note
    names = [f.name for f in study.figures]
    assert len(names) == len(set(names)) and names
    assert resolve_targets([study.name]) == [(study, f) for f in study.figures]


@pytest.mark.parametrize(("study", "figure"), FIGURES, ids=lambda x: x.name)
def test_figure_spec_is_complete(study: Study, figure: Figure) -> None:
    assert KEBAB.match(figure.name)
    assert figure.title and len(figure.caption) > 40
    for profile in PROFILES:
        points = figure.grid[profile]
        assert points, f"empty {profile} grid"
        keys = [canonical_params(p) for p in points]
        assert len(keys) == len(set(keys)), f"duplicate points in the {profile} grid"
        if figure.simulate is not None:
            assert figure.seeds.get(profile, 0) >= 1
    for claim in figure.compare:
        assert claim.simulation and claim.theory and claim.label
        statistical = isinstance(claim, Scaling) or claim.tolerance.z > 0
        if statistical and figure.simulate is not None:
            assert figure.seeds["full"] >= 4, "a z·s.e. rule needs ≥ 4 seeds in the full profile"
    assert resolve_targets([f"{study.name}/{figure.name}"]) == [(study, figure)]


@pytest.mark.parametrize(("study", "figure"), FIGURES, ids=lambda x: x.name)
def test_plot_draws_with_no_rows(study: Study, figure: Figure) -> None:
    drawing = figure.draw([])
    assert isinstance(drawing, MplFigure)
    for ax in drawing.axes:
        if ax.get_visible() and ax.axison:
            assert ax.get_xlabel() and ax.get_ylabel(), "every panel needs labelled axes"
