"""Benchmark of the deep-linear clean→noisy engine (Hong et al. study).

Prints ratios measured in one run (median of repeats; CPU time beside wall time):

1. closed form C1/C2 vs the Monte-Carlo mean of R(Y X̃^+) over 500 training sets;
2. ``deep_linear_gd`` trained on B seeds at once (batched numpy) vs the same B runs one by one
   with the engine, and vs a naive per-seed torch loop (``DeepLinearNet`` + ``fit`` +
   ``feature_loss``) on the same student–teacher loss.

Run: ``python bench/deep_linear_kd.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import measure
from distillab.data.clean_noisy import add_input_noise, gaussian_linear_task, low_rank_target_map
from distillab.losses import feature_loss
from distillab.nn import DeepLinearNet
from distillab.theory.deep_linear_kd import (
    hidden_features,
    linear_risk,
    min_norm_map,
    min_norm_risk,
    mse_feature_weight,
    teacher_layers,
)
from distillab.train import fit
from distillab.train.deep_linear_gd import deep_linear_gd, small_initialisation

D, DY, WIDTH, N, SIGMA, TAU, WEIGHT = 50, 50, 60, 30, 0.3, 1.0, 1.0
SEEDS, STEPS, REPEATS = 16, 300, 3


def _problem() -> dict[str, np.ndarray]:
    target = low_rank_target_map(DY, D, 8, seed=0)
    clean, labels = gaussian_linear_task(N, target, label_noise=TAU, seed=1, replicates=SEEDS)
    noisy = add_input_noise(clean, SIGMA, seed=2)
    (features,) = hidden_features(
        teacher_layers(np.broadcast_to(target, (SEEDS, DY, D)), (D, WIDTH, DY), "task"), clean
    )
    initial = small_initialisation((D, WIDTH, DY), SEEDS, init_scale=1e-3, seed=3)
    top = np.linalg.eigvalsh(np.swapaxes(noisy, -1, -2) @ noisy / N)[:, -1].max()
    return {
        "target": target,
        "noisy": noisy,
        "labels": labels,
        "features": features,
        "w1": initial[0],
        "w2": initial[1],
        "lr": np.asarray(0.2 / top),
    }


def _engine(p: dict[str, np.ndarray], index: slice) -> np.ndarray:
    run = deep_linear_gd(
        p["noisy"][index],
        p["labels"][index],
        widths=(D, WIDTH, DY),
        target_map=p["target"],
        input_noise=SIGMA,
        steps=STEPS,
        lr=float(p["lr"]),
        initial_weights=[p["w1"][index], p["w2"][index]],
        feature_weight=WEIGHT,
        teacher_features={1: p["features"][index]},
        halve_on_increase=False,
    )
    return run.final_map


def _torch_loop(p: dict[str, np.ndarray]) -> np.ndarray:
    """One ``fit`` per seed: the sum-form ST loss written with the library's losses."""
    weight = mse_feature_weight(WEIGHT, WIDTH)

    def objective(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        out, (hidden,) = model.forward_features(batch["x"])
        squared = 0.5 * ((out - batch["y"]) ** 2).sum(dim=1).mean()
        return squared + weight * feature_loss(hidden, batch["h"])

    maps = []
    for seed in range(SEEDS):
        net = DeepLinearNet((D, WIDTH, DY), dtype=torch.float64)
        with torch.no_grad():
            net.weights[0].copy_(torch.tensor(p["w1"][seed]))
            net.weights[1].copy_(torch.tensor(p["w2"][seed]))
        train = {
            "x": torch.tensor(p["noisy"][seed]),
            "y": torch.tensor(p["labels"][seed]),
            "h": torch.tensor(p["features"][seed]),
        }
        fit(net, objective, train, steps=STEPS, lr=float(p["lr"]))
        maps.append(net.end_to_end().detach().numpy())
    return np.stack(maps)


def main() -> None:
    """Print the benchmark ratios."""
    torch.set_num_threads(1)
    print("deep_linear_kd benchmark (medians of", REPEATS, "repeats; CPU s beside wall s)")

    target = low_rank_target_map(DY, D, 8, seed=0)

    def closed_form() -> float:
        return min_norm_risk(
            N,
            D,
            target_norm2=float(np.sum(target**2)),
            input_noise=SIGMA,
            label_noise=TAU,
            output_dim=DY,
        )

    def monte_carlo() -> float:
        clean, labels = gaussian_linear_task(N, target, label_noise=TAU, seed=5, replicates=500)
        noisy = add_input_noise(clean, SIGMA, seed=6)
        return float(linear_risk(min_norm_map(noisy, labels), target, input_noise=SIGMA).mean())

    closed = measure(closed_form, repeats=101, warmup=0)
    sampled = measure(monte_carlo, repeats=REPEATS, warmup=0)
    print(
        f"  C1 closed form {closed.wall * 1e6:.1f} µs (cpu {closed.cpu * 1e6:.1f} µs); Monte Carlo "
        f"(500 sets) {sampled.wall:.3f} s (cpu {sampled.cpu:.3f} s): ratio MC/closed = "
        f"{sampled.wall / closed.wall:.0f}; values {closed_form():.2f} vs {monte_carlo():.2f}"
    )

    problem = _problem()
    batched = measure(lambda: _engine(problem, slice(None)), repeats=REPEATS, warmup=0)
    one_by_one = measure(
        lambda: [_engine(problem, slice(s, s + 1)) for s in range(SEEDS)], repeats=REPEATS, warmup=0
    )
    naive = measure(lambda: _torch_loop(problem), repeats=REPEATS, warmup=0)
    agreement = np.abs(_engine(problem, slice(None)) - _torch_loop(problem)).max()
    print(f"  GD, {SEEDS} seeds × {STEPS} steps, d = {D}, m = {WIDTH}, ST loss:")
    print(f"    batched engine      {batched.wall:.3f} s (cpu {batched.cpu:.3f} s)")
    print(f"    engine seed by seed {one_by_one.wall:.3f} s (cpu {one_by_one.cpu:.3f} s)")
    print(f"    torch fit() loop    {naive.wall:.3f} s (cpu {naive.cpu:.3f} s)")
    print(
        f"    ratios: seed-by-seed/batched = {one_by_one.wall / batched.wall:.1f}, "
        f"torch loop/batched = {naive.wall / batched.wall:.1f} (max |ΔW| = {agreement:.1e})"
    )


if __name__ == "__main__":
    main()
