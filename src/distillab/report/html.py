"""The HTML report: an index page with a sortable summary, one page per study, figure files.

Layout under the output directory::

    report.html                     index: summary of every claim per figure, legend, provenance
    report/<study>.html             one page per study: captions, figures, agreement tables
    figures/<study>/<figure>.svg    each figure (or .png at 2× when its SVG would be large)
    figures/<study>/<figure>.csv    the data of every panel of that figure

One page per study rather than one long page: 28 figures on one page made it 27,000 px tall and
4 MB; an index that fits a screen, with a status per figure, lets a reader go straight to a failed
claim, and each study page stays a few figures long. Every file is written atomically with the
user's umask.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from distillab.errors import ConfigError
from distillab.provenance import code_version, figure_version, provenance
from distillab.report.agreement import AgreementLine, agreement, describe_resolution
from distillab.report.figure_files import FigureFiles, figure_files
from distillab.report.models import link_citations, model_page, render_model_page
from distillab.studies import Figure, Scaling, Study, registry
from distillab.sweep.grid import canonical_params, override_grid
from distillab.sweep.store import ResultStore, Row, RunRecord

__all__ = ["FigureReport", "write_report"]

PROVENANCE_TAGS: dict[str, str] = {
    "[A]": "stated in the paper's abstract or introduction",
    "[V]": "stated in the paper's abstract or introduction",
    "[S]": "stated in the paper's abstract or introduction",
    "[P]": "stated in the paper's abstract or introduction",
    "[R]": "our reconstruction, derived from first principles and checked numerically",
    "[D]": "our derivation, checked numerically",
    "[F]": "the authors' group's standard framework",
    "[G]": "a guess where nothing was available",
}

_STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;max-width:1100px;margin:0 auto;padding:0 1em 2em;color:#222;
line-height:1.4}
h1{margin:.6em 0 0}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.6em;
scroll-margin-top:3em}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.4em 0;z-index:1;
font-size:.9em;overflow-wrap:anywhere}
nav a{margin-right:.8em}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em;width:100%}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
th{background:#f4f4f4;overflow-wrap:normal}
th.sort{cursor:pointer;white-space:nowrap}th.sort:after{content:" ⇅";
color:#999}
.pass{color:#176b2c;font-weight:600}.fail{color:#a8201a;font-weight:600}
.note{background:#fff8e1;border-left:4px solid #f0c000;padding:.5em 1em}
.caption{color:#444}img{max-width:100%;height:auto;border:1px solid #eee}
figure{margin:1em 0;position:relative;left:50%;transform:translateX(-50%);width:96vw;
max-width:var(--natural);min-width:100%}
code{font-size:.9em;overflow-wrap:anywhere}.muted{color:#666;font-size:.9em}
.summary{font-size:1.05em}ul.failed{margin:.2em 0;color:#a8201a}
.scroll{overflow-x:auto}details{font-size:.85em}
p,li{overflow-wrap:anywhere}pre{white-space:pre-wrap;overflow-wrap:anywhere}
@media (max-width:600px){body{padding:0 .5em}td,th{padding:.2em .3em;font-size:.82em}}
"""

_SORT_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th').forEach(function(th, column){
    th.classList.add('sort');
    th.addEventListener('click', function(){
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var up = th.getAttribute('data-up') !== '1';
      th.setAttribute('data-up', up ? '1' : '0');
      rows.sort(function(a, b){
        var x = a.cells[column].getAttribute('data-sort') || a.cells[column].textContent;
        var y = b.cells[column].getAttribute('data-sort') || b.cells[column].textContent;
        var p = parseFloat(x), q = parseFloat(y);
        var c = (!isNaN(p) && !isNaN(q)) ? p - q : x.localeCompare(y);
        return up ? c : -c;
      });
      rows.forEach(function(r){ body.appendChild(r); });
    });
  });
});
"""


@dataclass
class FigureReport:
    """Everything the report shows about one figure."""

    study: Study
    figure: Figure
    rows: list[Row]
    files: FigureFiles | None = None
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

    @property
    def compute_time(self) -> float:
        """Seconds of computation summed over the rows."""
        return sum(r.wall_time for r in self.rows)

    @property
    def figure_path(self) -> str:
        """The image's path relative to the output directory."""
        suffix = self.files.suffix if self.files else "svg"
        return f"figures/{self.study.name}/{self.figure.name}.{suffix}"

    @property
    def anchor(self) -> str:
        """The figure's id on its study page."""
        return self.figure.name


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``path`` atomically with the mode ``open()`` gives: 0666 less the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp creates 0600, but a report is made to be shared. There is no umask getter:
        # set it (to the strict 077, in case another thread creates a file now) and restore it.
        umask = os.umask(0o077)
        os.umask(umask)
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), 0o666 & ~umask)
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _expected(
    runs: Sequence[RunRecord], version: str, study: Study, figure: Figure
) -> list[Mapping[str, object]]:
    """The grid points of every profile that a run of ``figure``'s code version ran for it."""
    target = f"{study.name}/{figure.name}"
    points: dict[str, Mapping[str, object]] = {}
    for run in runs:
        if run.provenance.get("figure_versions", {}).get(target) != version:
            continue
        if run.profile not in figure.grid:
            continue
        grid = override_grid(list(figure.grid[run.profile]), run.provenance.get("overrides", {}))
        points.update((canonical_params(p), p) for p in grid)
    return list(points.values())


def _collect(
    store: ResultStore, runs: Sequence[RunRecord], studies: Mapping[str, Study]
) -> list[FigureReport]:
    reports = []
    for study in studies.values():
        for figure in study.figures:
            own = figure_version(figure)
            rows = store.rows(study.name, figure.name, code_version=own)
            if not rows:
                continue
            report = FigureReport(study, figure, rows)
            try:
                report.files = figure_files(figure, rows)
            except Exception as error:  # a broken plot must not hide the other figures
                report.plot_error = f"{type(error).__name__}: {error}"
            report.agreement = agreement(figure, rows, _expected(runs, own, study, figure))
            reports.append(report)
    return reports


def _e(text: object) -> str:
    return html.escape(str(text))


def _fmt(value: float) -> str:
    return "–" if value != value else f"{value:.3g}"  # NaN-safe


def _page(title: str, body: str) -> bytes:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>{body}"
        f"<script>{_SORT_SCRIPT}</script></body></html>"
    ).encode()


def _provenance_html(runs: Sequence[RunRecord], version: str, stale: int) -> str:
    info = provenance()
    current = [r for r in runs if r.provenance.get("code_version") == version]
    versions = "".join(
        f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in info["versions"].items()
    )
    run_rows = "".join(
        f"<tr><td>{r.run_id}</td>"
        f"<td>{_e(dt.datetime.fromtimestamp(r.started).isoformat(timespec='seconds'))}</td>"
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
        "<h3>Sweeps that computed these results</h3><div class='scroll'>"
        "<table><tr><th>run</th><th>started</th><th>command</th><th>profile</th><th>jobs</th>"
        f"<th>wall time</th><th>tasks</th><th>git commit</th></tr>{run_rows}</table></div>"
        f"{stale_note}"
    )


def _compact(params: Mapping[str, object]) -> str:
    """A grid point in one short line: ``key=value`` pairs, long values cut."""
    return ", ".join(f"{k}={str(v)[:16]}" for k, v in params.items())


def _params_html(params: Mapping[str, object], varying: Sequence[str]) -> str:
    """The parameters that vary over the grid, with the full point behind a ``<details>``."""
    if not params:
        return "–"
    short = ", ".join(f"{k}={str(params[k])[:16]}" for k in varying if k in params) or "(one point)"
    full = json.dumps(params, sort_keys=True, indent=1)
    return (
        f"<code>{_e(short)}</code><details><summary>all parameters</summary>"
        f"<pre>{_e(full)}</pre></details>"
    )


def _varying(rows: Sequence[Row]) -> list[str]:
    """Parameter names whose value differs between the figure's rows."""
    seen: dict[str, set[str]] = {}
    for row in rows:
        for key, value in row.params.items():
            seen.setdefault(key, set()).add(json.dumps(value, sort_keys=True))
    return [k for k, v in seen.items() if len(v) > 1]


def _claim_html(line: AgreementLine, study: str) -> str:
    claim = line.claim
    if isinstance(claim, Scaling):
        rule = (
            f"error ∝ {claim.size}^slope, slope {claim.slope:+g} ± {claim.slack:g}; "
            f"fitted {_fmt(line.slope)} over {len(line.sizes)} sizes"
        )
        reason = claim.reason
    else:
        rule = claim.tolerance.describe()
        reason = claim.tolerance.reason
    source = "per-seed theory, paired" if claim.theory_from == "seed" else "theory row"
    return (
        f"<b>{link_citations(_e(claim.label), study)}</b><br><span class='muted'>"
        f"<code>{_e(claim.simulation)}</code> vs <code>{_e(claim.theory)}</code> ({source}). "
        f"Rule: {_e(rule)}: {link_citations(_e(reason), study)} "
        f"Scope: {link_citations(_e(claim.scope_reason), study)}.</span>"
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


def _agreement_html(lines: Sequence[AgreementLine], varying: Sequence[str], study: str) -> str:
    if not lines:
        return "<p class='muted'>No theory-vs-simulation comparison for this figure.</p>"
    body = "".join(
        f"<tr><td>{_claim_html(line, study)}{_failed_html(line)}</td>"
        f"<td>{line.points_in_scope} of {line.points_total}</td>"
        f"<td>{_fmt(line.max_error)}</td><td>{_fmt(line.max_z)}</td>"
        f"<td>{_e(describe_resolution(line))}</td>"
        f"<td class='{'pass' if line.passed else 'fail'}'>{'yes' if line.passed else 'no'}</td>"
        f"<td>{_params_html(line.worst, varying)}</td></tr>"
        for line in lines
    )
    return (
        "<div class='scroll'><table><thead><tr><th style='width:42%'>claim, rule and scope</th>"
        "<th>points in scope"
        "</th><th>max error</th><th>max |Δ|/s.e.</th><th>resolution</th><th>holds</th>"
        f"<th>worst point</th></tr></thead><tbody>{body}</tbody></table></div>"
    )


def _figure_html(report: FigureReport) -> str:
    figure = report.figure
    if report.files is not None:
        data = report.figure_path.rsplit(".", 1)[0] + ".csv"
        image = (
            f"<figure style='--natural:{report.files.width_px}px'>"
            f"<img src='../{_e(report.figure_path)}' alt='{_e(figure.title)}' "
            f"width='{report.files.width_px}' height='{report.files.height_px}'>"
            f"<figcaption class='muted'>Data of every panel: <a href='../{_e(data)}' download>"
            f"CSV</a> · <a href='../{_e(report.figure_path)}'>image</a></figcaption></figure>"
        )
    else:
        image = f"<p class='fail'>The plot failed: {_e(report.plot_error)}</p>"
    seeds = sorted({r.seed for r in report.rows if r.seed is not None})
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(report.statuses.items()))
    failures = "".join(
        f"<li><code>{_e(r.kind)} seed={_e(r.seed)} {_e(_compact(r.params))}</code>: "
        f"{_e(r.status)}: {_e(r.message)}</li>"
        for r in report.failures[:8]
    )
    more = len(report.failures) - 8
    failure_html = (
        f"<p class='fail'>Failures:</p><ul>{failures}"
        f"{f'<li>… and {more} more</li>' if more > 0 else ''}</ul>"
        if failures
        else ""
    )
    seed_text = f"{len(seeds)} ({seeds[0]}–{seeds[-1]})" if seeds else "none"
    return (
        f"<h2 id='{_e(report.anchor)}'>{_e(figure.name)}: {_e(figure.title)}</h2>"
        f"<p class='caption'>{link_citations(_e(figure.caption), report.study.name)}</p>{image}"
        f"{_agreement_html(report.agreement, _varying(report.rows), report.study.name)}"
        f"<p class='muted'>Rows: {_e(statuses)}. Seeds: {_e(seed_text)}. "
        f"Compute time: {report.compute_time:.1f} s (sum over rows).</p>{failure_html}"
    )


def _legend_html() -> str:
    items = "".join(f"<li><b>{_e(t)}</b> {_e(m)}</li>" for t, m in PROVENANCE_TAGS.items())
    return (
        "<h2 id='tags'>What the tags in captions mean</h2><ul>"
        f"{items}</ul><p class='muted'>No number in this report is presented as a number from a "
        "paper; see docs/sources.md in the repository for what each study is built from.</p>"
    )


def _study_page(study: Study, figures: Sequence[FigureReport]) -> bytes:
    nav = (
        "<nav><a href='../report.html'>← all studies</a>"
        + "".join(f"<a href='#{_e(r.anchor)}'>{_e(r.figure.name)}</a>" for r in figures)
        + "<a href='../report.html#tags'>tags</a>"
        + (
            f"<a href='../models/{_e(study.name)}.html'>model page</a>"
            if model_page(study.name)
            else ""
        )
        + "</nav>"
    )
    body = (
        f"{nav}<h1>{_e(study.name)}</h1><p>{_e(study.title)}. {_e(study.reference)}</p>"
        f"<p class='note'>{link_citations(_e(study.status_note), study.name)}</p>"
        "<p class='muted'>Theory is drawn as lines, simulations as seed means ± standard error; "
        "hollow, faded points lie outside every claim's scope.</p>"
        + "".join(_figure_html(r) for r in figures)
    )
    return _page(f"distillab report: {study.name}", body)


def _model_html(study: str, page: Path) -> bytes:
    nav = (
        f"<nav><a href='../report.html'>← all studies</a>"
        f"<a href='../report/{_e(study)}.html'>{_e(study)} figures</a></nav>"
    )
    return _page(f"model page: {study}", nav + render_model_page(study, page.read_text()))


def _summary_rows(reports: Sequence[FigureReport]) -> str:
    rows = []
    for r in reports:
        held = sum(line.passed for line in r.agreement)
        failed = len(r.agreement) - held
        worst = max((line.resolution for line in r.agreement), default=float("nan"))
        failed_points = sum(len(line.failed) for line in r.agreement)
        link = f"report/{r.study.name}.html#{r.anchor}"
        worst_text = (
            "–" if worst != worst else ("∞" if worst == float("inf") else f"{100 * worst:.3g} %")
        )
        status = "fail" if failed else "pass"
        rows.append(
            f"<tr><td>{_e(r.study.name)}</td><td><a href='{_e(link)}'>{_e(r.figure.name)}</a></td>"
            f"<td data-sort='{held}'>{held}</td>"
            f"<td data-sort='{failed}' class='{status}'>{failed}</td>"
            f"<td data-sort='{worst if worst == worst else -1}'>{worst_text}</td>"
            f"<td data-sort='{failed_points}'>{failed_points}</td>"
            f"<td data-sort='{r.compute_time:.3f}'>{r.compute_time:.1f}</td></tr>"
        )
    return "".join(rows)


def _index_page(
    reports: Sequence[FigureReport], runs: Sequence[RunRecord], version: str, stale: int
) -> bytes:
    lines = [line for r in reports for line in r.agreement]
    held = sum(line.passed for line in lines)
    fine = sum(
        line.passed and line.resolution <= 0.05 for line in lines if line.claim.scale is None
    )
    relative = sum(line.claim.scale is None for line in lines)
    studies = list(dict.fromkeys(r.study.name for r in reports))
    nav = (
        "<nav>"
        + "".join(f"<a href='report/{_e(s)}.html'>{_e(s)}</a>" for s in studies)
        + "<a href='#tags'>tags</a><a href='#provenance'>provenance</a></nav>"
    )
    generated = dt.datetime.now().isoformat(timespec="seconds")
    body = (
        f"{nav}<h1>distillab report</h1><p class='muted'>Generated {_e(generated)}.</p>"
        f"<p class='summary' id='summary' data-held='{held}' data-total='{len(lines)}'>"
        f"<b>{held} of {len(lines)} claims hold</b>; {fine} of {relative} relative lines hold and "
        "would detect a 5 % theory error (resolution ≤ 5 %). A claim holds when every point in its "
        "scope has a theory and a simulation value and agrees within its pre-registered rule; "
        "the resolution is the smallest theory error (θ → θ(1 ± ε)) that would make it fail on "
        "these data. Click a column to sort.</p><div class='scroll'>"
        "<table class='sortable' id='summary-table'><thead><tr><th>study</th><th>figure</th>"
        "<th>claims held</th><th>claims failed</th><th>worst resolution</th>"
        "<th>failed points</th><th>compute time (s)</th></tr></thead>"
        f"<tbody>{_summary_rows(reports)}</tbody></table></div>"
        + _legend_html()
        + _provenance_html(runs, version, stale)
    )
    return _page("distillab report", body)


def write_report(
    store: ResultStore, out_dir: str | Path, *, studies: Mapping[str, Study] | None = None
) -> Path:
    """Write the report site under ``out_dir`` (see the module docstring for its layout).

    Only rows computed by the current code version are shown. ``studies`` defaults to the
    registry.

    Returns:
      The path of the index page, ``out_dir/report.html``.
    """
    out = Path(out_dir)
    version = code_version()
    runs = store.runs()
    reports = _collect(store, runs, registry() if studies is None else studies)
    if not reports:
        raise ConfigError(
            f"the store {store.path} holds no results for this code ({version}); "
            "run 'distillab reproduce' first."
        )
    for report in reports:
        if report.files is not None:
            _atomic_write(out / report.figure_path, report.files.image)
            _atomic_write((out / report.figure_path).with_suffix(".csv"), report.files.csv)
    for name in dict.fromkeys(r.study.name for r in reports):
        figures = [r for r in reports if r.study.name == name]
        _atomic_write(out / "report" / f"{name}.html", _study_page(figures[0].study, figures))
        page = model_page(name)
        if page is not None:
            _atomic_write(out / "models" / f"{name}.html", _model_html(name, page))
    stale = store.count() - sum(len(r.rows) for r in reports)
    path = out / "report.html"
    _atomic_write(path, _index_page(reports, runs, version, stale))
    return path
