"""Teachers that live in the NTK's function space (RKHS), with an optional imperfect ground truth.

A *kernel teacher* is z_t(x) = Σ_{j≤M} a_j Θ(x, c_j) with random centres c_j on the sphere, a_j
drawn N(0, 1) and then rescaled so that std(z_t) = ``logit_std`` on a reference sample, and
Θ = ``relu_ntk(·, trained="both")``. It is linear in the NTK features, z_t = w_tᵀφ with
w_t = Σ_j a_j φ(c_j), so a wide student can represent it exactly and ‖w_t‖² = aᵀΘ(C, C)a.
Its ground truth is y = 1[z_t > 0] (a *perfect* teacher).

An *imperfect* teacher keeps z_t but takes the ground truth from z_g = z_t + λ·δ, with δ an
independent kernel teacher of the same form; the teacher error is P_x[sign z_t ≠ sign z_g], which
increases with λ (pointwise, a sign flips once λ|δ| > |z_t|), so a target error fixes λ.

Reference: the teacher construction of the Ji & Zhu model §2 (``shared/papers/ji_zhu_wide_kd.md``),
reconstructed by us [R]: the paper's own teachers are unknown (model §6.4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from distillab.errors import ConfigError
from distillab.kernels import relu_ntk

__all__ = ["ImperfectTeacher", "KernelTeacher", "imperfect_teacher", "kernel_teacher"]

_CALIBRATION_STEPS = 60


def _sphere(rng: np.random.Generator, n: int, d: int) -> NDArray[np.float64]:
    g = rng.standard_normal((n, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


@dataclass(frozen=True)
class KernelTeacher:
    """z_t(x) = Σ_j a_j Θ(x, c_j), Θ = ``relu_ntk(trained="both")`` (a perfect RKHS teacher).

    Attributes:
      centres: ``(M, d)`` kernel centres c_j.
      coefficients: ``(M,)`` a_j.
    """

    centres: NDArray[np.float64]
    coefficients: NDArray[np.float64]

    @property
    def d(self) -> int:
        """Input dimension."""
        return int(self.centres.shape[1])

    @property
    def norm_sq(self) -> float:
        """‖w_t‖² = aᵀΘ(C, C)a, in the ``relu_ntk(trained="both")`` convention."""
        a = self.coefficients
        return float(a @ relu_ntk(self.centres, trained="both") @ a)

    def logits(self, X: ArrayLike) -> NDArray[np.float64]:
        """Teacher logits z_t of shape ``(n,)`` for inputs ``(n, d)``."""
        return relu_ntk(X, self.centres, trained="both") @ self.coefficients

    def labels(self, X: ArrayLike) -> NDArray[np.float64]:
        """Ground truth of the perfect teacher, 1[z_t(x) > 0] as 0/1 floats."""
        return (self.logits(X) > 0).astype(np.float64)


def kernel_teacher(
    d: int,
    *,
    seed: int,
    centres: int = 40,
    logit_std: float = 3.0,
    reference_size: int = 4000,
    centred: bool = True,
) -> KernelTeacher:
    r"""A random kernel teacher scaled so that std(z_t) = ``logit_std`` (model §4: M = 40, 3).

    Args:
      d: input dimension; inputs live on the unit sphere S^{d−1}.
      seed: seeds the centres, coefficients and the reference sample.
      centres: M, the number of kernel centres.
      logit_std: standard deviation of z_t over ``reference_size`` uniform points of the sphere.
      reference_size: size of that reference sample.
      centred: project a onto Σ_j a_j = 0. Then E_x z_t(x) = (Σ_j a_j)·E_xΘ(x, c) = 0 exactly for
        x uniform on the sphere (E_xΘ(x, c) is the same for every centre c), so the classes are
        roughly balanced. Without it the NTK's constant component gives each teacher a random
        offset (seed 1: 99.6% positive labels). Our choice; the model draws a_j ~ N(0, 1).

    Returns:
      A :class:`KernelTeacher`.
    """
    if d < 2 or centres < 2 or reference_size < 2:
        raise ConfigError(
            f"need d ≥ 2, centres ≥ 2 and reference_size ≥ 2, got {d}, {centres}, {reference_size}."
        )
    if not (math.isfinite(logit_std) and logit_std > 0):
        raise ConfigError(f"logit_std must be positive, got {logit_std!r}.")
    # A two-word seed keeps this stream apart from unit_sphere(n, d, seed=seed) training sets.
    rng = np.random.default_rng([seed, 1])
    centre_points = _sphere(rng, centres, d)
    coefficients = rng.standard_normal(centres)
    if centred:
        coefficients = coefficients - coefficients.mean()
    reference = _sphere(rng, reference_size, d)
    spread = float(np.std(relu_ntk(reference, centre_points, trained="both") @ coefficients))
    return KernelTeacher(centre_points, coefficients * (logit_std / spread))


@dataclass(frozen=True)
class ImperfectTeacher:
    """A kernel teacher whose ground truth is z_g = z_t + λ·δ (model §2 "imperfect teacher").

    Attributes:
      teacher: the teacher z_t (the student distils its logits).
      perturbation_function: δ, an independent kernel teacher.
      perturbation: λ ≥ 0 (0: the perfect teacher).
    """

    teacher: KernelTeacher
    perturbation_function: KernelTeacher
    perturbation: float

    def logits(self, X: ArrayLike) -> NDArray[np.float64]:
        """Teacher logits z_t, shape ``(n,)``."""
        return self.teacher.logits(X)

    def ground_truth_logits(self, X: ArrayLike) -> NDArray[np.float64]:
        """z_g = z_t + λδ, shape ``(n,)``."""
        return self.teacher.logits(X) + self.perturbation * self.perturbation_function.logits(X)

    def labels(self, X: ArrayLike) -> NDArray[np.float64]:
        """Ground-truth labels 1[z_g(x) > 0] as 0/1 floats."""
        return (self.ground_truth_logits(X) > 0).astype(np.float64)

    def teacher_error(self, X: ArrayLike) -> float:
        """Fraction of ``X`` where the teacher's sign disagrees with the ground truth."""
        return float(np.mean((self.logits(X) > 0) != (self.ground_truth_logits(X) > 0)))


def imperfect_teacher(
    d: int,
    *,
    teacher_error: float,
    seed: int,
    centres: int = 40,
    logit_std: float = 3.0,
    reference_size: int = 20000,
) -> ImperfectTeacher:
    r"""An imperfect kernel teacher whose error rate is ``teacher_error`` on a reference sample.

    λ is found by bisection on P_ref[sign z_t ≠ sign(z_t + λδ)] = ``teacher_error`` over
    ``reference_size`` uniform sphere points (the error is non-decreasing in λ). For jointly
    Gaussian independent z_t and δ of equal spread the error would be arctan(λ)/π: λ = 0.3 ↔ 9.3%,
    λ = 0.6 ↔ 17.2% (the model reports 8.6% and 16.8% for its teachers).

    Args:
      d: input dimension.
      teacher_error: target error rate in [0, 0.5).
      seed: seeds the teacher (``seed``), δ (``seed + 1``) and the reference sample.
      centres, logit_std: as in :func:`kernel_teacher`, for both z_t and δ.
      reference_size: the calibration sample's size (its error estimate has s.e. √(e(1−e)/size)).

    Returns:
      An :class:`ImperfectTeacher`.
    """
    if not (math.isfinite(teacher_error) and 0.0 <= teacher_error < 0.5):
        raise ConfigError(f"teacher_error must lie in [0, 0.5), got {teacher_error!r}.")
    teacher = kernel_teacher(d, seed=seed, centres=centres, logit_std=logit_std)
    delta = kernel_teacher(d, seed=seed + 1, centres=centres, logit_std=logit_std)
    reference = _sphere(np.random.default_rng([seed, 2]), reference_size, d)
    z_t, z_delta = teacher.logits(reference), delta.logits(reference)

    def error(lam: float) -> float:
        return float(np.mean((z_t > 0) != (z_t + lam * z_delta > 0)))

    lo, hi = 0.0, 1.0
    while error(hi) < teacher_error:
        hi *= 2.0
        if hi > 1e6:
            raise ConfigError(f"no perturbation reaches teacher_error {teacher_error}.")
    for _ in range(_CALIBRATION_STEPS):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if error(mid) < teacher_error else (lo, mid)
    return ImperfectTeacher(teacher, delta, hi)
