"""Vectorised Newton root finder safeguarded by bisection, for proximal steps.

A proximal step of a convex loss solves h = base + scale·f(h), with f = −∂_h ℓ non-increasing, so
g(h) = h − base − scale·f(h) is strictly increasing and has exactly one root. When |f| ≤ F the
root lies in the bracket [base − scale·F, base + scale·F] (tighter brackets are passed when known).
Newton steps are taken while they stay inside the current bracket; any step that leaves it is
replaced by bisection, and the bracket shrinks at every iteration from the sign of g. Only the
elements that have not converged yet are iterated, so a few slow elements in the tails of the
quadrature grid do not make every element pay for their bisections.

Why the safeguard: plain Newton diverged at student susceptibilities V_S ~ 10³ (α < ρ with
λ_S = 10⁻⁴) and returned a spurious saddle point (Saglietti & Zdeborová, arXiv:2012.00194,
model §3 "Prox solver" [R]).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

__all__ = ["increasing_root"]

Array = NDArray[np.float64]
Index = NDArray[np.intp]


def increasing_root(
    residual: Callable[[Array, Index], tuple[Array, Array]],
    lower: Array,
    upper: Array,
    guess: Array,
    *,
    tolerance: float = 1e-12,
    max_iterations: int = 200,
) -> tuple[Array, bool]:
    """Elementwise root of an increasing function g inside [lower, upper].

    Args:
      residual: ``(h, index) -> (g(h), g'(h))`` for the flat elements ``index`` of the problem
        (``h`` holds their current values), g increasing, g' > 0.
      lower, upper: brackets with g(lower) ≤ 0 ≤ g(upper), same shape as ``guess``.
      guess: starting points (clipped into the bracket), e.g. last iteration's roots.
      tolerance: an element is done when its Newton step |g/g'| ≤ tolerance·(1 + |h|) or its
        bracket is that narrow (a test on |g| alone fails when g sums terms ≫ h, as for V ~ 10³).
      max_iterations: Newton/bisection steps at most.

    Returns:
      ``(h, converged)``: the roots (shape of ``guess``) and whether every element converged.
    """
    shape = np.shape(guess)
    low = np.array(lower, dtype=np.float64).ravel()
    high = np.array(upper, dtype=np.float64).ravel()
    roots = np.clip(np.asarray(guess, dtype=np.float64).ravel(), low, high)
    active = np.arange(roots.size)
    h, lo, hi = roots, low, high
    for _ in range(max_iterations):
        g, slope = residual(h, active)
        newton = g / slope
        done = (np.abs(newton) <= tolerance * (1.0 + np.abs(h))) | (
            hi - lo <= tolerance * (1.0 + np.abs(h))
        )
        roots[active[done]] = (h - newton)[done]
        keep = ~done
        if not keep.any():
            return roots.reshape(shape), True
        active, h, g, newton, lo, hi = (
            active[keep],
            h[keep],
            g[keep],
            newton[keep],
            lo[keep],
            hi[keep],
        )
        hi = np.where(g > 0, h, hi)
        lo = np.where(g < 0, h, lo)
        step = h - newton
        h = np.where((step > lo) & (step < hi), step, 0.5 * (lo + hi))
    roots[active] = h
    return roots.reshape(shape), False
