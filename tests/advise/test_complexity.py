"""Supervision complexity against its formula."""

from __future__ import annotations

import numpy as np

from distillab.advise.complexity import RIDGE, centred_targets, supervision_complexity


def test_matches_formula() -> None:
    rng = np.random.default_rng(0)
    A = rng.standard_normal((30, 50))
    K = A @ A.T
    Y = centred_targets(rng.standard_normal((30, 4)), temperature=2.0)
    regularised = K + RIDGE * np.trace(K) / 30 * np.eye(30)
    expected = np.sqrt(np.trace(Y.T @ np.linalg.solve(regularised, Y)) * np.trace(K)) / 30
    np.testing.assert_allclose(supervision_complexity(K, Y), expected, rtol=1e-8)


def test_targets_are_centred_and_scale_free() -> None:
    logits = np.array([[2.0, 0.0, -1.0]])
    Y = centred_targets(logits)
    np.testing.assert_allclose(Y.sum(axis=1), 0.0, atol=1e-15)
    np.testing.assert_allclose(centred_targets(logits + 5.0), Y)
    K = np.eye(1)
    assert supervision_complexity(K, centred_targets(np.zeros((1, 3)))) == 0.0
