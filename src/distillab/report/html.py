"""The self-contained HTML report: figures embedded, agreement tables, failures, provenance."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import os
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from distillab.errors import ConfigError
from distillab.provenance import code_version, provenance
from distillab.report.agreement import AgreementLine, agreement, describe_resolution
from distillab.studies import Figure, Scaling, Study, registry
from distillab.sweep.store import ResultStore, Row, RunRecord

__all__ = ["FigureReport", "render_figure", "write_report"]

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:0}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}.pass{color:#176b2c;font-weight:600}.fail{color:#a8201a;font-weight:600}
.note{background:#fff8e1;border-left:4px solid #f0c000;padding:.5em 1em}
.caption{color:#444}img{max-width:100%;border:1px solid #eee}code{font-size:.9em}
.muted{color:#777;font-size:.9em}.summary{font-size:1.05em}ul.failed{margin:.2em 0;color:#a8201a}
"""


@dataclass
class FigureReport:
    """Everything the report shows about one figure."""

    study: Study
    figure: Figure
    rows: list[Row]
    png: bytes | None = None
    plot_error: str = ""
    agreement: list[AgreementLine] = field(default_factory=list)

    @property
    def statuses(self) -> Counter[str]:
        """Row status → count."""
        return Counter(r.status for r in self.rows)

    @property
    def failures(self) -> list[Row]:
        """Rows whose status is not ``"ok"``."""
        return [r for r in self.rows if not r.ok]


def render_figure(figure: Figure, rows: Sequence[Row]) -> bytes:
    """Draw ``figure`` from ``rows`` and return PNG bytes."""
    drawing = figure.plot(rows)
    buffer = io.BytesIO()
    drawing.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _expected(
    runs: Sequence[RunRecord], version: str, study: Study, figure: Figure
) -> list[Mapping[str, object]]:
    """The grid points of every profile that a run of this code version ran for ``figure``."""
    target = f"{study.name}/{figure.name}"
    profiles = {
        r.profile
        for r in runs
        if r.code_version == version and target in r.seeds and r.profile in figure.grid
    }
    return [point for profile in sorted(profiles) for point in figure.grid[profile]]


def _collect(store: ResultStore, version: str, studies: Mapping[str, Study]) -> list[FigureReport]:
    reports = []
    runs = store.runs()
    for study in studies.values():
        for figure in study.figures:
            rows = store.rows(study.name, figure.name, code_version=version)
            if not rows:
                continue
            report = FigureReport(study, figure, rows)
            try:
                report.png = render_figure(figure, rows)
            except Exception as error:  # a broken plot must not hide the other figures
                report.plot_error = f"{type(error).__name__}: {error}"
            report.agreement = agreement(figure, rows, _expected(runs, version, study, figure))
            reports.append(report)
    return reports


def _e(text: object) -> str:
    return html.escape(str(text))


def _fmt(value: float) -> str:
    return "–" if value != value else f"{value:.3g}"  # NaN-safe


def _provenance_html(runs: Sequence[RunRecord], version: str, stale: int) -> str:
    info = provenance()
    current = [r for r in runs if r.code_version == version]
    versions = "".join(
        f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in info["versions"].items()
    )
    run_rows = "".join(
        f"<tr><td>{r.run_id}</td><td>{_e(dt.datetime.fromtimestamp(r.started).isoformat(timespec='seconds'))}</td>"
        f"<td><code>{_e(r.command)}</code></td><td>{_e(r.profile)}</td><td>{r.jobs}</td>"
        f"<td>{_fmt((r.summary or {}).get('wall_time', float('nan')))} s</td>"
        f"<td>{_e((r.summary or {}).get('computed', '–'))} computed, "
        f"{_e((r.summary or {}).get('skipped', '–'))} resumed</td>"
        f"<td>{_e(r.provenance.get('git_commit') or '–')}</td></tr>"
        for r in current
    )
    stale_note = (
        f"<p class='muted'>{stale} stored rows from other code versions are not shown.</p>"
        if stale
        else ""
    )
    return (
        "<h2 id='provenance'>Provenance</h2>"
        f"<p>Code version <code>{_e(version)}</code>; git commit "
        f"<code>{_e(info['git_commit'] or 'not a git checkout')}</code>; "
        f"{_e(info['platform'])}, {_e(info['cpu_count'])} CPUs.</p>"
        f"<table>{versions}</table>"
        "<h3>Sweeps that computed these results</h3>"
        "<table><tr><th>run</th><th>started</th><th>command</th><th>profile</th><th>jobs</th>"
        f"<th>wall time</th><th>tasks</th><th>git commit</th></tr>{run_rows}</table>{stale_note}"
    )


def _compact(params: Mapping[str, object]) -> str:
    """A grid point in one short line: ``key=value`` pairs, long values cut."""
    return ", ".join(f"{k}={str(v)[:24]}" for k, v in params.items())


def _claim_html(line: AgreementLine) -> str:
    claim = line.claim
    if isinstance(claim, Scaling):
        rule = (
            f"error ∝ {_e(claim.size)}^slope, slope {claim.slope:+g} ± {claim.slack:g}; "
            f"fitted {_fmt(line.slope)} over {len(line.sizes)} sizes"
        )
        reason = claim.reason
    else:
        rule = claim.tolerance.describe()
        reason = claim.tolerance.reason
    source = "per-seed theory (paired)" if claim.theory_from == "seed" else "theory row"
    return (
        f"<b>{_e(claim.label)}</b><br><span class='muted'><code>{_e(claim.simulation)}</code> vs "
        f"<code>{_e(claim.theory)}</code> ({source}). Rule: {_e(rule)} — {_e(reason)}. "
        f"Scope: {_e(claim.scope_reason)}.</span>"
    )


def _failed_html(line: AgreementLine) -> str:
    if not line.failed and line.points_in_scope:
        return ""
    items = "".join(
        f"<li><code>{_e(_compact(p.params))}</code>: {_e(p.reason)}</li>" for p in line.failed[:6]
    )
    more = len(line.failed) - 6
    if not line.points_in_scope:
        items += "<li>no point in scope</li>"
    return f"<ul class='failed'>{items}{f'<li>… {more} more</li>' if more > 0 else ''}</ul>"


def _agreement_html(lines: Sequence[AgreementLine]) -> str:
    if not lines:
        return "<p class='muted'>No theory-vs-simulation comparison for this figure.</p>"
    body = "".join(
        f"<tr><td>{_claim_html(line)}{_failed_html(line)}</td>"
        f"<td>{line.points_in_scope} of {line.points_total}</td>"
        f"<td>{_fmt(line.max_error)}</td><td>{_fmt(line.max_z)}</td>"
        f"<td>{_e(describe_resolution(line))}</td>"
        f"<td class='{'pass' if line.passed else 'fail'}'>{'yes' if line.passed else 'no'}</td>"
        f"<td><code>{_e(_compact(line.worst))}</code></td></tr>"
        for line in lines
    )
    return (
        "<table><tr><th>claim, rule and scope</th><th>points in scope</th><th>max error</th>"
        "<th>max |Δ|/s.e.</th><th>resolution</th><th>holds</th><th>worst point</th></tr>"
        f"{body}</table>"
    )


def _summary_html(reports: Sequence[FigureReport]) -> str:
    lines = [line for r in reports for line in r.agreement]
    held = sum(line.passed for line in lines)
    fine = sum(line.resolution <= 0.05 for line in lines if line.claim.scale is None)
    relative = sum(line.claim.scale is None for line in lines)
    return (
        f"<p class='summary'><b>{held} of {len(lines)} claims hold</b>; {fine} of {relative} "
        "relative lines would detect a 5 % theory error (resolution ≤ 5 %). A claim holds when "
        "every point in its scope has a theory and a simulation value and agrees within its "
        "pre-registered rule; the resolution is the smallest theory error (θ → θ(1 ± ε)) that "
        "would make it fail on these data.</p>"
    )


def _figure_html(report: FigureReport) -> str:
    figure = report.figure
    anchor = f"{report.study.name}-{figure.name}"
    if report.png is not None:
        image = (
            f"<img alt='{_e(figure.title)}' src='data:image/png;base64,"
            f"{base64.b64encode(report.png).decode()}'>"
        )
    else:
        image = f"<p class='fail'>The plot failed: {_e(report.plot_error)}</p>"
    seeds = sorted({r.seed for r in report.rows if r.seed is not None})
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(report.statuses.items()))
    failures = "".join(
        f"<li><code>{_e(r.kind)} seed={_e(r.seed)} {_e(r.params)}</code>: {_e(r.status)} — "
        f"{_e(r.message)}</li>"
        for r in report.failures[:8]
    )
    more = len(report.failures) - 8
    failure_html = (
        f"<p class='fail'>Failures:</p><ul>{failures}"
        f"{f'<li>… and {more} more</li>' if more > 0 else ''}</ul>"
        if failures
        else ""
    )
    compute = sum(r.wall_time for r in report.rows)
    return (
        f"<h3 id='{_e(anchor)}'>{_e(report.study.name)}/{_e(figure.name)} — {_e(figure.title)}</h3>"
        f"<p class='caption'>{_e(figure.caption)}</p>{image}"
        f"{_agreement_html(report.agreement)}"
        f"<p class='muted'>Rows: {_e(statuses)}. Seeds: {_e(seeds or 'none')}. "
        f"Compute time: {compute:.1f} s (sum over rows).</p>{failure_html}"
    )


def write_report(
    store: ResultStore, out_dir: str | Path, *, studies: Mapping[str, Study] | None = None
) -> Path:
    """Write ``report.html`` and ``figures/<study>/<figure>.png`` under ``out_dir``.

    Only rows computed by the current code version are shown. Files are written atomically.
    ``studies`` defaults to the registry.

    Returns:
      The path of the HTML report.
    """
    out = Path(out_dir)
    version = code_version()
    reports = _collect(store, version, registry() if studies is None else studies)
    if not reports:
        raise ConfigError(
            f"the store {store.path} holds no results for this code version ({version}); "
            "run 'distillab reproduce' first."
        )
    for report in reports:
        if report.png is not None:
            _atomic_write(
                out / "figures" / report.study.name / f"{report.figure.name}.png", report.png
            )
    stale = store.count() - sum(len(r.rows) for r in reports)
    sections, toc = [], []
    for name in dict.fromkeys(r.study.name for r in reports):
        figures = [r for r in reports if r.study.name == name]
        study = figures[0].study
        toc.append(
            f"<li><a href='#{_e(study.name)}'>{_e(study.name)}</a>: "
            + ", ".join(
                f"<a href='#{_e(study.name)}-{_e(r.figure.name)}'>{_e(r.figure.name)}</a>"
                for r in figures
            )
            + "</li>"
        )
        sections.append(
            f"<h2 id='{_e(study.name)}'>{_e(study.name)} — {_e(study.title)}</h2>"
            f"<p>{_e(study.reference)}</p><p class='note'>{_e(study.status_note)}</p>"
            + "".join(_figure_html(r) for r in figures)
        )
    generated = dt.datetime.now().isoformat(timespec="seconds")
    document = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>distillab report</title><style>{_STYLE}</style></head><body>"
        f"<h1>distillab report</h1><p class='muted'>Generated {_e(generated)}. Theory is drawn "
        "as lines, simulations as seed means ± standard error; greyed points lie outside a "
        "claim's scope.</p>"
        f"{_summary_html(reports)}"
        f"<ul>{''.join(toc)}<li><a href='#provenance'>provenance</a></li></ul>"
        + "".join(sections)
        + _provenance_html(store.runs(), version, stale)
        + "</body></html>"
    )
    path = out / "report.html"
    _atomic_write(path, document.encode("utf-8"))
    return path
