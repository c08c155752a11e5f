"""GLM fits: ridge primal = dual, min-norm interpolation, logistic stationarity, loss identities."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from distillab.errors import ConfigError
from distillab.train.glm import glm_student, glm_teacher, ridge_weights


def _data(n: int, p: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, p)) / np.sqrt(p)
    return A, np.sign(A[:, 0] + 0.3 * rng.standard_normal(n))


@pytest.mark.parametrize(("n", "p"), [(10, 30), (30, 10)])
def test_ridge_weights_solve_the_normal_equations(n: int, p: int) -> None:
    A, y = _data(n, p)
    w = ridge_weights(A, y, 0.3)
    np.testing.assert_allclose(A.T @ (A @ w - y) + 0.3 * w, 0.0, atol=1e-12)


def test_ridgeless_weights_are_the_minimum_norm_interpolator() -> None:
    A, y = _data(10, 30)
    w = ridge_weights(A, y, 0.0)
    np.testing.assert_allclose(w, np.linalg.pinv(A) @ y, atol=1e-10)
    np.testing.assert_allclose(A @ w, y, atol=1e-10)


def test_logistic_teacher_is_stationary_and_hard_log_student_is_the_same_fit() -> None:
    A, y = _data(80, 10, seed=1)
    teacher, note = glm_teacher(A, y, loss="logistic", reg=0.5)
    gradient = -A.T @ (y * expit(-y * (A @ teacher))) + 0.5 * teacher
    # L-BFGS stops at a gradient of the *mean* objective ≤ 1e-10, i.e. 80e-10 for this sum.
    assert note == "" and np.linalg.norm(gradient) < 1e-7
    # η = 1: the student's loss is softplus(−y h), the teacher's logistic loss, whatever h_T is.
    student, _ = glm_student(A, y, np.zeros(80), loss="hard_log", reg=0.5)
    np.testing.assert_allclose(student, teacher, atol=1e-7)


def test_square_student_fits_the_mixed_target() -> None:
    A, y = _data(40, 8, seed=2)
    field = A @ np.ones(8)
    student, _ = glm_student(A, y, field, loss="kd_sq", reg=0.2, hard_weight=0.25)
    np.testing.assert_allclose(student, ridge_weights(A, 0.75 * field + 0.25 * y, 0.2))
    hard, _ = glm_student(A, y, field, loss="hard_sq", reg=0.2, hard_weight=0.25)
    np.testing.assert_allclose(hard, ridge_weights(A, y, 0.2))


def test_bad_settings_are_config_errors() -> None:
    A, y = _data(10, 4)
    with pytest.raises(ConfigError, match="teacher loss"):
        glm_teacher(A, y, loss="hinge", reg=0.1)
    with pytest.raises(ConfigError, match="reg"):
        glm_teacher(A, y, loss="square", reg=-1.0)
    with pytest.raises(ConfigError, match="student loss"):
        glm_student(A, y, y, loss="kd", reg=0.1)
    with pytest.raises(ConfigError, match="hard_weight"):
        glm_student(A, y, y, loss="kd_ce", reg=0.1, hard_weight=1.5)
    with pytest.raises(ConfigError, match="temperature"):
        glm_student(A, y, y, loss="kd_ce", reg=0.1, temperature=0.0)
