"""The advisor's outputs for people: a heat map per teacher, a bar chart, an HTML page, a table."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np

from distillab.advise.verify import spearman_text

__all__ = ["recommendation_sentence", "render_table", "write_figures", "write_page"]


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name).strip("-")[:60] or "teacher"


def recommendation_sentence(document: dict[str, Any]) -> str:
    """The recommendation in one sentence."""
    best = document["recommended"]
    gain = best["predicted_gain"]
    change = "better" if gain >= 0 else "worse"
    return (
        f"Distil from {best['teacher']} with soft ratio {best['soft_ratio']:g} and temperature "
        f"{best['temperature']:g} for {best['steps']} steps: predicted test error "
        f"{best['predicted_error']:.1%}, {abs(gain) * 100:.1f} pp {change} than without a teacher."
    )


def write_figures(document: dict[str, Any], out: Path) -> list[Path]:
    """One heat map of predicted error over (ρ, T) per teacher and one bar chart of teachers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    settings = document["settings"]
    for teacher in document["teachers"]:
        own = [s for s in settings if s["teacher"] == teacher["name"]]
        rhos = sorted({s["soft_ratio"] for s in own})
        temps = sorted({s["temperature"] for s in own})
        grid = np.full((len(rhos), len(temps)), np.nan)
        for s in own:
            grid[rhos.index(s["soft_ratio"]), temps.index(s["temperature"])] = s["predicted_error"]
        figure, axes = plt.subplots(figsize=(4.8, 3.6), layout="constrained")
        image = axes.imshow(grid * 100, origin="lower", aspect="auto", cmap="viridis_r")
        low, high = np.nanmin(grid), np.nanmax(grid)
        for (i, j), value in np.ndenumerate(grid):
            cell = next(
                s for s in own if s["soft_ratio"] == rhos[i] and s["temperature"] == temps[j]
            )
            mark = ("!" if cell["predicted_diverges"] else "") + ("" if cell["lazy"] else "*")
            axes.text(
                j,
                i,
                f"{value * 100:.1f}{mark}",
                ha="center",
                va="center",
                fontsize=8,
                color="black" if value - low < 0.5 * (high - low) else "white",
            )
        axes.set_xticks(range(len(temps)), [f"{t:g}" for t in temps])
        axes.set_yticks(range(len(rhos)), [f"{r:g}" for r in rhos])
        axes.set_xlabel("temperature T")
        axes.set_ylabel("soft ratio ρ")
        axes.set_title(
            f"predicted test error (%), {teacher['name']}\n! diverges, * leaves the lazy regime",
            fontsize=8,
        )
        figure.colorbar(image, ax=axes)
        path = out / f"heatmap-{_slug(teacher['name'])}.png"
        figure.savefig(path, dpi=110)
        plt.close(figure)
        paths.append(path)
    figure, axes = plt.subplots(figsize=(5.5, 3.2), layout="constrained")
    names = [t["name"] for t in document["teachers"]]
    x = np.arange(len(names))
    axes.bar(
        x - 0.2,
        [t["predicted_best_error"] * 100 for t in document["teachers"]],
        0.4,
        label="predicted best student",
    )
    axes.bar(
        x + 0.2, [t["test_error"] * 100 for t in document["teachers"]], 0.4, label="teacher itself"
    )
    axes.axhline(
        document["no_teacher"]["predicted_error"] * 100,
        color="k",
        ls="--",
        lw=1,
        label="student without teacher (predicted)",
    )
    axes.set_xticks(x, names, fontsize=7, rotation=15)
    axes.set_ylabel("test error (%)")
    axes.legend(fontsize=7)
    path = out / "teachers.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    paths.append(path)
    return paths


def write_page(document: dict[str, Any], figures: list[Path], out: Path) -> Path:
    """A short self-contained HTML page (figures referenced beside it) → ``out/advice.html``."""
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(t['name'])}</td><td>{t['test_error']:.1%}</td>"
        f"<td>{t['predicted_best_error']:.1%}</td><td>{t['supervision_complexity']:.3g}</td></tr>"
        for t in document["teachers"]
    )
    warnings = "".join(f"<li>{esc(w)}</li>" for w in document["warnings"]) or "<li>none</li>"
    images = "".join(
        f'<img src="{esc(p.name)}" alt="{esc(p.stem)}" style="max-width:100%">' for p in figures
    )
    verification = ""
    if "verification" in document:
        v = document["verification"]
        verification = (
            f"<h2>Verification</h2><p>{v['settings_verified']} settings × {v['seeds']} seed(s): "
            f"Spearman {spearman_text(v['spearman'])}, "
            f"predicted best in measured top 2: {v['top2']}, "
            f"regret {v['regret'] * 100:.2f} pp; advice {v['advice_seconds']:.1f} s vs grid "
            f"{v['grid_seconds']:.1f} s.</p>"
        )
    regime = document["regime"]
    text = f"""<!doctype html><html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>distillab advise</title>
<body style="font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem">
<h1>KD advice</h1><p><strong>{esc(recommendation_sentence(document))}</strong></p>
<p>Data {esc(document["data"]["spec"])} (n_train {document["data"]["n_train"]}, n_test
{document["data"]["n_test"]}), student {esc(document["student"])}, full-batch GD lr
{document["budget"]["lr"]:g}, {document["budget"]["steps"]} steps; kernel on
{document["kernel"]["n_kernel"]} training points.</p>
<h2>Teachers</h2><table border="1" cellpadding="4" style="border-collapse:collapse">
<tr><th>teacher</th><th>its test error</th><th>predicted best student</th>
<th>supervision complexity</th></tr>{rows}</table>
<h2>Regime</h2><p>predicted train error at the budget {regime["predicted_train_error"]:.1%};
NTK change along the predicted path {regime["kernel_change"]:.1%}; weight change
{regime["weight_change"]:.1%}; lazy: {regime["lazy"]}.</p>
<h2>Warnings</h2><ul>{warnings}</ul>{verification}<h2>Figures</h2>{images}
<p>Method and formulas: docs/advisor.md.</p></body></html>
"""
    path = out / "advice.html"
    path.write_text(text)
    return path


def render_table(document: dict[str, Any]) -> Any:
    """A rich table of the teachers and the recommended setting's neighbours."""
    from rich.table import Table

    table = Table(title="distillab advise: predicted test error (linearised GD)")
    for column in (
        "teacher",
        "teacher error",
        "best ρ, T",
        "predicted",
        "measured",
        "supervision complexity",
    ):
        table.add_column(column)
    for teacher in document["teachers"]:
        own = [s for s in document["settings"] if s["teacher"] == teacher["name"]]
        stable = [s for s in own if not s["predicted_diverges"]] or own
        best = min(stable, key=lambda s: s["predicted_error"])
        measured = best.get("measured_error")
        table.add_row(
            teacher["name"],
            f"{teacher['test_error']:.1%}",
            f"{best['soft_ratio']:g}, {best['temperature']:g}",
            f"{best['predicted_error']:.1%}",
            "" if measured is None else f"{measured:.1%}",
            f"{teacher['supervision_complexity']:.3g}",
        )
    return table
