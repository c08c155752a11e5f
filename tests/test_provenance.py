"""Per-figure code versions: a figure's version covers exactly the code that computes its rows."""

from __future__ import annotations

from distillab.provenance import code_version, module_closure, module_version


def test_closure_follows_imports_into_engines_but_not_other_studies_or_the_report() -> None:
    closure = module_closure("distillab.studies.kernels.lazy_training")
    assert "distillab.theory.kernel_kd" in closure  # the engine it calls
    assert "distillab.nn.two_layer" in closure  # reached through distillab.nn's __init__
    assert "distillab.studies.kernels.lazy_training" in closure
    assert not any(m.startswith("distillab.studies.hong_2021") for m in closure)
    assert not any(m.startswith(("distillab.report", "distillab.sweep")) for m in closure)
    assert "distillab.studies.spec" not in closure
    # The package's own __init__ re-exports (distillab.run): not part of any figure's version.
    assert "distillab" not in closure and "distillab.runner" not in closure


def test_relative_and_from_imports_resolve_to_modules() -> None:
    closure = module_closure("distillab.theory.replica_kd.solver")
    assert {"distillab.theory.replica_kd", "distillab.theory.replica_kd.setting"} <= set(closure)


def test_versions_differ_between_studies_and_are_stable() -> None:
    kernels = module_version("distillab.studies.kernels.lazy_training")
    hong = module_version("distillab.studies.hong_2021.zero_loss")
    assert kernels != hong and kernels == module_version("distillab.studies.kernels.lazy_training")
    assert kernels.split("+")[0] == code_version().split("+")[0]


def test_a_figure_version_does_not_follow_its_study_package_to_the_other_figures() -> None:
    from distillab.provenance import module_closure
    from distillab.studies import registry

    study = registry()["hong-2021"]
    own = {f.name: f.module for f in study.figures}
    closure = module_closure(own["zero-loss"])
    assert own["zero-loss"] in closure
    assert own["double-descent"] not in closure and "distillab.studies.hong_2021" not in closure
