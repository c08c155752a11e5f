"""KD epoch with a cached teacher vs a student-only epoch vs recomputing the teacher every batch.

Student MLP 784-512-512-10, teacher MLP 784-1200-1200-10 (Hinton et al.'s sizes), minibatch SGD
with batch 256 over 20 000 synthetic 784-dimensional inputs (timing does not depend on the pixel
values). Goal: cached KD epoch ≤ 1.1× the student-only epoch.

Run: ``python bench/teacher_cache.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Timing, measure
from distillab.losses import kd_loss
from distillab.nn import MLP
from distillab.train import TeacherCache

N, BATCH = 20_000, 256


def _epoch(
    student: MLP,
    optimizer: torch.optim.Optimizer,
    inputs: torch.Tensor,
    labels: torch.Tensor,
    teacher_logits: torch.Tensor | None,
    teacher: MLP | None,
) -> None:
    for start in range(0, N, BATCH):
        x, y = inputs[start : start + BATCH], labels[start : start + BATCH]
        optimizer.zero_grad(set_to_none=True)
        logits = student(x)
        if teacher is not None:
            with torch.no_grad():
                target = teacher(x)
            loss = kd_loss(logits, target, y, soft_ratio=0.9, temperature=4.0)
        elif teacher_logits is not None:
            loss = kd_loss(
                logits, teacher_logits[start : start + BATCH], y, soft_ratio=0.9, temperature=4.0
            )
        else:
            loss = F.cross_entropy(logits, y)
        loss.backward()
        optimizer.step()


def main() -> dict[str, float]:
    """Print and return the epoch-time ratios."""
    generator = torch.Generator().manual_seed(0)
    inputs = torch.rand(N, 784, generator=generator)
    labels = torch.randint(0, 10, (N,), generator=generator)
    teacher = MLP(784, [1200, 1200], 10, seed=1)
    student = MLP(784, [512, 512], 10, seed=2)
    optimizer = torch.optim.SGD(student.parameters(), lr=0.01)
    with tempfile.TemporaryDirectory() as directory:
        cache = TeacherCache(directory)
        fill = measure(
            lambda: TeacherCache(directory).outputs(teacher, inputs), repeats=1, warmup=0
        )
        cached = torch.as_tensor(cache.outputs(teacher, inputs)["logits"])
        lookup = measure(lambda: cache.outputs(teacher, inputs), repeats=3)
    timings: dict[str, Timing] = {
        "student only": measure(
            lambda: _epoch(student, optimizer, inputs, labels, None, None), repeats=3
        ),
        "KD, cached teacher": measure(
            lambda: _epoch(student, optimizer, inputs, labels, cached, None), repeats=3
        ),
        "KD, teacher every batch": measure(
            lambda: _epoch(student, optimizer, inputs, labels, None, teacher), repeats=3
        ),
    }
    base = timings["student only"].wall
    print(f"epoch of {N} samples, batch {BATCH}, torch threads {torch.get_num_threads()}")
    for name, timing in timings.items():
        print(f"  {name:<26} {timing}   ×{timing.wall / base:.3f}")
    print(f"  cache fill (once)          {fill}")
    print(f"  cache lookup (per run)     {lookup}")
    return {
        "cached_over_student": timings["KD, cached teacher"].wall / base,
        "uncached_over_student": timings["KD, teacher every batch"].wall / base,
    }


if __name__ == "__main__":
    main()
