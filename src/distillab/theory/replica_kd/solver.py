"""The replica-symmetric saddle point of teacher → student distillation: solve and curve.

Scheme (model §3 "Numerical scheme" [F/R]):

* the teacher block is autonomous and is solved first; the student block is then solved with the
  teacher frozen (the teacher does not feel the student);
* each block is a damped fixed point, new = (1−δ)·update + δ·old, stopped when the largest
  relative change of an order parameter is below ``tolerance`` (10⁻⁹);
* by default the iteration is Anderson-mixed (memory 5, δ = 0): a departure from the model's plain
  damping, which needs thousands of iterations at rate ≈ 0.998 near α ≈ ρ with λ_S = 10⁻⁴
  (V_S ~ 10²–10³) where Anderson mixing needs ≲ 200. ``acceleration=0`` gives the model's plain
  damped iteration; δ then starts at ``damping`` and moves halfway to 1 (at most 0.95) whenever
  the change grows, the model's δ = 0.7–0.9 near the interpolation peaks. Both reach the same
  saddle point (tested);
* expectations over the cavity fields use Gauss–Hermite quadrature, a tensor grid for the
  student: ω_T = √(ΔQ_T)ξ1, ω_S = c_ω ξ1 + s_ω ξ2 with c_ω = ΔQ_TS/√(ΔQ_T), s_ω² = ΔQ_S − c_ω²;
* proximal fields come from a vectorised Newton solver safeguarded by bisection
  (:mod:`.prox`), warm-started from the previous iteration's fields;
* the square teacher (and the ``kd_sq``/``hard_sq`` student of a square teacher) use the closed
  form (:mod:`.closed_form`) unless ``method="iterative"``;
* :func:`curve` continues along α (or any one numeric parameter), starting each point from the
  previous solutions.

Channel (y = +1; F_T = f_T(h_T), F_S = f_S(h_T, h_S); A, B the slopes of f_S):
  h_T = m_T + ω_T + ΔV_T f_T(h_T),   h_S = m_S + ω_S + ΔV_ST F_T + ΔV_S f_S(h_T, h_S)
  D_T = 1/(1 − ΔV_T f_T'),   ∂u_S/∂ω_S = 1/(1 − ΔV_S B),
  ∂u_S/∂ω_T = (ΔV_ST f_T' + ΔV_S A) D_T/(1 − ΔV_S B)
  m̂_T = αE[F_T], Q̂_T = αΔE[F_T²], V̂_T = −αΔE[f_T' D_T]
  m̂_S = αE[F_S], Q̂_S = αΔE[F_S²], Q̂_TS = αΔE[F_T F_S],
  V̂_S = −αΔE[B ∂u_S/∂ω_S], V̂_ST = −αΔE[A D_T + B ∂u_S/∂ω_T]
followed by the prior equations of :mod:`.overlaps`.

A point that does not converge, or whose order parameters are non-finite or unphysical
(Q ≤ 0, V ≤ 0, Q_TS² > Q_T Q_S), gets that reason as ``status``; its error observables are NaN so
that no number can be read from it by accident (the order parameters keep the last iterate, for
diagnosis).

Reference: Saglietti & Zdeborová (arXiv:2012.00194), model §3 [R, validated against simulations].
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError
from distillab.theory.replica_kd import closed_form, observables
from distillab.theory.replica_kd.bayes import bayes_error, student_bayes_error
from distillab.theory.replica_kd.channels import StudentChannel, TeacherChannel
from distillab.theory.replica_kd.overlaps import (
    StudentHats,
    StudentOverlaps,
    TeacherHats,
    TeacherOverlaps,
)
from distillab.theory.replica_kd.quadrature import gaussian_nodes, gaussian_tensor_nodes
from distillab.theory.replica_kd.setting import KDSetting

__all__ = [
    "METHODS",
    "SWEEPABLE",
    "ReplicaKDCurve",
    "ReplicaKDResult",
    "SolverOptions",
    "curve",
    "setting_of",
    "solve",
    "solve_curve",
]

Array = NDArray[np.float64]
METHODS: tuple[str, ...] = ("auto", "iterative", "closed_form")
# The numeric KDSetting fields a curve may sweep.
SWEEPABLE: tuple[str, ...] = (
    "sample_ratio",
    "noise",
    "teacher_reg",
    "student_reg",
    "feature_fraction",
    "hard_weight",
    "temperature",
)

# Initial order parameters (model §3): m = 0.1, Q = 0.1, V = 1, V_ST = 0, Q_TS = 0.05.
_TEACHER_START = (0.1, 0.1, 1.0)
_STUDENT_START = (0.1, 0.1, 1.0, 0.05, 0.0)
_MAX_DAMPING = 0.95
# Relative changes are measured against max(|x|, floor): V_ST = 0 exactly when η = 1.
_FLOOR = 1e-10
# Relative slack in the Cauchy–Schwarz check Q_TS² ≤ Q_T·Q_S (equality when the student is the
# teacher, identity 1).
_SCHWARZ_SLACK = 1e-8


@dataclass(frozen=True)
class SolverOptions:
    """Numerical options of the saddle-point solver.

    Attributes:
      method: ``"auto"`` (closed forms wherever they apply), ``"iterative"`` (the general solver
        everywhere) or ``"closed_form"`` (square teacher and ``kd_sq``/``hard_sq`` student only).
      nodes: Gauss–Hermite nodes per dimension (41–61 recommended).
      tolerance: stop when the largest relative change of an order parameter is below it.
      max_iterations: per block.
      damping: δ ∈ [0, 1) (the initial δ of the plain iteration, which raises it adaptively).
      acceleration: Anderson memory k (0: the plain damped iteration of the model).
    """

    method: str = "auto"
    nodes: int = 61
    tolerance: float = 1e-9
    max_iterations: int = 2000
    damping: float = 0.0
    acceleration: int = 5

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"method must be one of {METHODS}, got {self.method!r}.")
        if not (0.0 <= self.damping < 1.0):
            raise ConfigError(f"damping must lie in [0, 1), got {self.damping!r}.")
        if not (
            self.tolerance > 0
            and self.max_iterations >= 1
            and self.nodes >= 2
            and self.acceleration >= 0
        ):
            raise ConfigError(
                "tolerance must be positive, max_iterations ≥ 1, nodes ≥ 2 and acceleration ≥ 0, "
                f"got {self.tolerance!r}, {self.max_iterations!r}, {self.nodes!r}, "
                f"{self.acceleration!r}."
            )


@dataclass(frozen=True)
class ReplicaKDResult:
    """The saddle point of one setting and its observables.

    Attributes:
      setting: the problem solved.
      m_T, Q_T, V_T: teacher overlap with v, squared norm, susceptibility (per d).
      m_S, Q_S, V_S: the same for the student.
      Q_TS, V_ST: teacher(S-block)–student overlap and cross-susceptibility.
      teacher_test_error, student_test_error: ε = H(m/√(ΔQ)).
      teacher_train_error, student_train_error: fractions of misclassified training points.
      agreement: P(sign h_T = sign h_S) on a fresh test point.
      iterations: fixed-point iterations (teacher + student; 0 for closed forms).
      status: ``"converged"`` or the reason there is no reliable solution.
      method: ``"closed_form"``, ``"iterative"`` or ``"closed_form+iterative"`` (teacher+student).
      conjugates: m̂_T, Q̂_T, V̂_T, m̂_S, Q̂_S, V̂_S, Q̂_TS, V̂_ST (keys ``m_hat_T`` ...).
    """

    setting: KDSetting
    m_T: float  # noqa: N815 (the issue names the order parameters m_T, m_S)
    Q_T: float
    V_T: float
    m_S: float  # noqa: N815
    Q_S: float
    V_S: float
    Q_TS: float
    V_ST: float
    teacher_test_error: float
    student_test_error: float
    teacher_train_error: float
    student_train_error: float
    agreement: float
    iterations: int
    status: str
    method: str
    conjugates: dict[str, float] = field(default_factory=dict)

    @property
    def converged(self) -> bool:
        """True when the numbers are a converged, physical saddle point."""
        return self.status == "converged"

    @property
    def bayes_error(self) -> float:
        """ε_BO(α, Δ): no estimator on all d features does better (the teacher's bound)."""
        return float(bayes_error(self.setting.sample_ratio, self.setting.noise))

    @property
    def student_bayes_error(self) -> float:
        """ε_BO,S(α, Δ, ρ): no student on the ρd features does better."""
        s = self.setting
        return float(student_bayes_error(s.sample_ratio, s.noise, s.feature_fraction))

    def as_dict(self) -> dict[str, Any]:
        """Flat JSON-able values: order parameters, errors, Bayes limits, iterations, status."""
        values = {k: v for k, v in asdict(self).items() if k not in ("setting", "conjugates")}
        values["bayes_error"] = self.bayes_error
        values["student_bayes_error"] = self.student_bayes_error
        return values


@dataclass(frozen=True)
class _Block:
    """One block's fixed point: its state vector, conjugates, iterations and status."""

    state: Array
    hats: Any
    iterations: int
    status: str


def _damped_fixed_point(
    update: Callable[[Array], tuple[Array, Any, bool]],
    start: Sequence[float],
    options: SolverOptions,
    positive: Sequence[int],
) -> _Block:
    """Iterate x ← (1−δ)·G(x) + δ·x, Anderson-mixed, until the relative change is < tolerance.

    Anderson mixing (memory k = ``options.acceleration``): with residuals r = G(x) − x and the
    differences ΔX, ΔR of the last k iterates and residuals, the next iterate is
    x + β r − (ΔX + β ΔR)γ, β = 1 − δ, γ = argmin ‖W(r − ΔR γ)‖ with W = diag(1/|G(x)|) so that
    V ~ 10³ and m ~ 10⁻¹ weigh alike. A proposal with a non-positive Q or V (entries
    ``positive``) is replaced by the plain damped step and the memory is cleared; k = 0 is the
    plain damped iteration of the model.
    """
    x = np.asarray(start, dtype=np.float64)
    damping = options.damping
    previous = residual = math.inf
    iterates: list[Array] = []
    residuals: list[Array] = []
    for iteration in range(1, options.max_iterations + 1):
        new, hats, prox_converged = update(x)
        if not np.all(np.isfinite(new)):
            return _Block(
                x, hats, iteration, f"non-finite order parameter at iteration {iteration}"
            )
        step = new - x
        weights = 1.0 / np.maximum(np.abs(new), _FLOOR)
        residual = float(np.max(np.abs(step) * weights))
        if residual < options.tolerance:
            status = "converged" if prox_converged else "proximal step did not converge"
            return _Block(new, hats, iteration, status)
        if residual > previous and options.acceleration == 0:
            damping = min(_MAX_DAMPING, 0.5 * (1.0 + damping))
        previous = residual
        mixing = 1.0 - damping
        proposal = x + mixing * step
        iterates.append(x)
        residuals.append(step)
        if options.acceleration > 0 and len(iterates) > 1:
            del iterates[: -options.acceleration - 1], residuals[: -options.acceleration - 1]
            d_x = np.diff(np.array(iterates), axis=0).T
            d_r = np.diff(np.array(residuals), axis=0).T
            gamma = np.linalg.lstsq(d_r * weights[:, None], step * weights, rcond=None)[0]
            accelerated = proposal - (d_x + mixing * d_r) @ gamma
            if np.all(np.isfinite(accelerated)) and np.all(accelerated[list(positive)] > 0):
                proposal = accelerated
            else:
                iterates, residuals = [], []
        x = proposal
    return _Block(
        x,
        hats,
        options.max_iterations,
        f"not converged: relative change {residual:.1e} after {options.max_iterations} iterations",
    )


def _teacher_fields(
    teacher: TeacherOverlaps, channel: TeacherChannel, noise: float, xi: Array
) -> tuple[Array, Array, Array, Array, bool]:
    """(h_T, F_T, f_T', D_T, converged) at ω_T = √(ΔQ_T)ξ."""
    h, converged = channel.prox(teacher.m + math.sqrt(noise * teacher.Q) * xi, noise * teacher.V)
    slope = channel.slope(h)
    return h, channel.score(h), slope, 1.0 / (1.0 - noise * teacher.V * slope), converged


def _iterate_teacher(
    setting: KDSetting, channel: TeacherChannel, start: Sequence[float], options: SolverOptions
) -> _Block:
    alpha, delta = setting.sample_ratio, setting.noise
    xi, weights = gaussian_nodes(options.nodes)

    def update(x: Array) -> tuple[Array, TeacherHats, bool]:
        m, Q, V = x
        _, F, slope, D, converged = _teacher_fields(TeacherOverlaps(m, Q, V), channel, delta, xi)
        hats = TeacherHats(
            m_hat=alpha * float(weights @ F),
            Q_hat=alpha * delta * float(weights @ F**2),
            V_hat=-alpha * delta * float(weights @ (slope * D)),
        )
        new = hats.prior(setting.teacher_reg)
        return np.array([new.m, new.Q, new.V]), hats, converged

    return _damped_fixed_point(update, start, options, positive=(1, 2))


def _iterate_student(
    setting: KDSetting,
    teacher: TeacherOverlaps,
    teacher_hats: TeacherHats,
    teacher_channel: TeacherChannel,
    channel: StudentChannel,
    start: Sequence[float],
    options: SolverOptions,
) -> _Block:
    alpha, delta = setting.sample_ratio, setting.noise
    xi1, xi2, weights = gaussian_tensor_nodes(options.nodes)
    h_t, F_t, slope_t, D_t, teacher_converged = _teacher_fields(
        teacher, teacher_channel, delta, xi1[:, :1]
    )
    sd_t = math.sqrt(delta * teacher.Q)
    last = {"h": None}

    def update(x: Array) -> tuple[Array, StudentHats, bool]:
        m, Q, V, Q_ts, V_st = x
        c = delta * Q_ts / sd_t
        s = math.sqrt(max(delta * Q - c * c, 0.0))
        base = m + c * xi1 + s * xi2 + delta * V_st * F_t
        h, converged = channel.prox(base, delta * V, h_t, guess=last["h"])
        last["h"] = h
        F, A, B = channel.terms(h_t, h)
        du_s = 1.0 / (1.0 - delta * V * B)
        du_t = (delta * V_st * slope_t + delta * V * A) * D_t * du_s
        hats = StudentHats(
            m_hat=alpha * float(np.sum(weights * F)),
            Q_hat=alpha * delta * float(np.sum(weights * F**2)),
            V_hat=-alpha * delta * float(np.sum(weights * B * du_s)),
            Q_TS_hat=alpha * delta * float(np.sum(weights * F_t * F)),
            V_ST_hat=-alpha * delta * float(np.sum(weights * (A * D_t + B * du_t))),
        )
        new = hats.prior(
            teacher_hats,
            teacher_reg=setting.teacher_reg,
            student_reg=setting.student_reg,
            feature_fraction=setting.feature_fraction,
        )
        state = np.array([new.m, new.Q, new.V, new.Q_TS, new.V_ST])
        return state, hats, converged and teacher_converged

    return _damped_fixed_point(update, start, options, positive=(1, 2))


def _unphysical(teacher: TeacherOverlaps, student: StudentOverlaps) -> str:
    if teacher.Q <= 0 or teacher.V <= 0:
        return f"unphysical teacher: Q_T={teacher.Q:.3g}, V_T={teacher.V:.3g}"
    if student.Q <= 0 or student.V <= 0:
        return f"unphysical student: Q_S={student.Q:.3g}, V_S={student.V:.3g}"
    if student.Q_TS * student.Q_TS > teacher.Q * student.Q * (1.0 + _SCHWARZ_SLACK):
        return "unphysical: Q_TS² > Q_T·Q_S"
    return ""


def _result(
    setting: KDSetting,
    teacher: TeacherOverlaps,
    student: StudentOverlaps,
    conjugates: dict[str, float],
    iterations: int,
    status: str,
    method: str,
) -> ReplicaKDResult:
    delta = setting.noise
    values = (teacher.m, teacher.Q, teacher.V, student.m, student.Q, student.V)
    if status == "converged" and not all(math.isfinite(v) for v in values):
        status = "non-finite order parameter"
    if status == "converged":
        status = _unphysical(teacher, student) or status
    errors = dict.fromkeys(
        (
            "teacher_test_error",
            "student_test_error",
            "teacher_train_error",
            "student_train_error",
            "agreement",
        ),
        math.nan,
    )
    if status == "converged":
        teacher_channel = TeacherChannel(setting.teacher_loss)
        student_channel = StudentChannel.of(
            setting.student_loss, setting.hard_weight, setting.temperature
        )
        errors = {
            "teacher_test_error": observables.generalization_error(teacher.m, teacher.Q, delta),
            "student_test_error": observables.generalization_error(student.m, student.Q, delta),
            "teacher_train_error": observables.teacher_train_error(teacher, teacher_channel, delta),
            "student_train_error": observables.student_train_error(
                teacher, student, teacher_channel, student_channel, delta
            ),
            "agreement": observables.agreement(teacher, student, delta),
        }
        broken = sorted(name for name, value in errors.items() if not math.isfinite(value))
        if broken:
            # A proximal step inside the adaptive quadrature did not converge (NaN).
            status = f"non-finite observable: {', '.join(broken)}"
            errors = dict.fromkeys(errors, math.nan)
    return ReplicaKDResult(
        setting=setting,
        m_T=teacher.m,
        Q_T=teacher.Q,
        V_T=teacher.V,
        m_S=student.m,
        Q_S=student.Q,
        V_S=student.V,
        Q_TS=student.Q_TS,
        V_ST=student.V_ST,
        iterations=iterations,
        status=status,
        method=method,
        conjugates=conjugates,
        **errors,
    )


def _conjugates(teacher: TeacherHats | None, student: StudentHats | None) -> dict[str, float]:
    values: dict[str, float] = {}
    if teacher is not None:
        values.update(m_hat_T=teacher.m_hat, Q_hat_T=teacher.Q_hat, V_hat_T=teacher.V_hat)
    if student is not None:
        values.update(
            m_hat_S=student.m_hat,
            Q_hat_S=student.Q_hat,
            V_hat_S=student.V_hat,
            Q_hat_TS=student.Q_TS_hat,
            V_hat_ST=student.V_ST_hat,
        )
    return values


def _solve_setting(
    setting: KDSetting,
    options: SolverOptions,
    teacher_start: Sequence[float] = _TEACHER_START,
    student_start: Sequence[float] | None = None,
) -> ReplicaKDResult:
    nan = math.nan
    blank_teacher = TeacherOverlaps(nan, nan, nan)
    blank_student = StudentOverlaps(nan, nan, nan, nan, nan)
    closed_teacher = setting.teacher_loss == "square" and options.method != "iterative"
    closed_student = setting.square_case and options.method != "iterative"
    if options.method == "closed_form" and not setting.square_case:
        raise ConfigError(
            "the closed form needs a square teacher and a kd_sq/hard_sq student, got "
            f"{setting.teacher_loss!r} and {setting.student_loss!r}."
        )
    method = "+".join(
        dict.fromkeys(
            "closed_form" if closed else "iterative" for closed in (closed_teacher, closed_student)
        )
    )
    reason = setting.infeasible()
    if reason:
        return _result(setting, blank_teacher, blank_student, {}, 0, reason, method)
    teacher_channel = TeacherChannel(setting.teacher_loss)
    iterations = 0
    if closed_teacher:
        try:
            teacher, teacher_hats = closed_form.ridge_teacher(
                setting.sample_ratio, setting.noise, setting.teacher_reg
            )
        except ArithmeticError as error:
            # Only far outside the tested domain (e.g. Δ ~ 1e30): a status, never a raw error.
            status = f"teacher closed form failed: {error}"
            return _result(setting, blank_teacher, blank_student, {}, 0, status, method)
    else:
        block = _iterate_teacher(setting, teacher_channel, teacher_start, options)
        iterations += block.iterations
        teacher, teacher_hats = TeacherOverlaps(*map(float, block.state)), block.hats
        if block.status != "converged":
            return _result(
                setting,
                teacher,
                blank_student,
                _conjugates(teacher_hats, None),
                iterations,
                f"teacher {block.status}",
                method,
            )
    if closed_student:
        try:
            student, student_hats = closed_form.square_student(
                teacher,
                teacher_hats,
                sample_ratio=setting.sample_ratio,
                noise=setting.noise,
                teacher_reg=setting.teacher_reg,
                student_reg=setting.student_reg,
                feature_fraction=setting.feature_fraction,
                hard_weight=setting.hard_weight if setting.student_loss == "kd_sq" else 1.0,
            )
        except ArithmeticError as error:
            status = f"student closed form failed: {error}"
            conjugates = _conjugates(teacher_hats, None)
            return _result(setting, teacher, blank_student, conjugates, iterations, status, method)
        status = "converged"
    else:
        if student_start is None:
            m, Q, V, Q_ts, V_st = _STUDENT_START
            student_start = (m, Q, V, min(Q_ts, 0.5 * math.sqrt(teacher.Q * Q)), V_st)
        channel = StudentChannel.of(setting.student_loss, setting.hard_weight, setting.temperature)
        block = _iterate_student(
            setting, teacher, teacher_hats, teacher_channel, channel, student_start, options
        )
        iterations += block.iterations
        student, student_hats = StudentOverlaps(*map(float, block.state)), block.hats
        status = block.status if block.status == "converged" else f"student {block.status}"
    return _result(
        setting,
        teacher,
        student,
        _conjugates(teacher_hats, student_hats),
        iterations,
        status,
        method,
    )


def setting_of(
    setting: KDSetting | Mapping[str, Any] | None = None, /, **parameters: Any
) -> KDSetting:
    """A validated :class:`KDSetting` from a setting, a mapping of its fields, or keywords.

    Keywords override the fields of ``setting``; an unknown field name is a
    :class:`ConfigError` that lists the valid ones.

    Example:
      >>> setting_of({"sample_ratio": 2.0, "noise": 1.0, "teacher_loss": "square",
      ...             "teacher_reg": 1.0, "student_loss": "kd_sq", "student_reg": 0.0},
      ...            feature_fraction=0.5).feature_fraction
      0.5
    """
    names = [f.name for f in fields(KDSetting)]
    if isinstance(setting, KDSetting):
        base: dict[str, Any] = {name: getattr(setting, name) for name in names}
    elif setting is None or isinstance(setting, Mapping):
        base = dict(setting or {})
    else:
        raise ConfigError(
            f"setting must be a KDSetting or a mapping of its fields, got {type(setting).__name__}."
        )
    values = {**base, **parameters}
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ConfigError(f"unknown setting field(s) {unknown}; the valid ones are {names}.")
    missing = [f.name for f in fields(KDSetting) if f.name not in values and f.default is MISSING]
    if missing:
        raise ConfigError(f"the setting needs the field(s) {missing}.")
    return KDSetting(**values)


def solve(
    setting: KDSetting | Mapping[str, Any] | None = None,
    /,
    *,
    options: SolverOptions | None = None,
    **parameters: Any,
) -> ReplicaKDResult:
    """Solve the replica saddle point of teacher → student KD at one setting.

    Teacher: argmin_w Σ_μ ℓ_T(y^μ, w·x^μ/√d) + (λ_T/2)‖w‖² on all d features; student:
    argmin_w Σ_μ ℓ_S(y^μ, h_T^μ, w·x_S^μ/√d) + (λ_S/2)‖w‖² on the first ρd features, with h_T^μ
    the teacher's output on the same training points (losses in :mod:`.channels`).

    Args:
      setting: a :class:`KDSetting` (or a mapping of its fields); optional when every field is
        given as a keyword.
      options: numerical options (:class:`SolverOptions`).
      **parameters: fields of :class:`KDSetting` (they override ``setting``): ``sample_ratio``
        α = n/d; ``noise`` Δ; ``teacher_loss`` (``"square"``/``"logistic"``); ``teacher_reg``
        λ_T; ``student_loss`` (``"kd_sq"``, ``"kd_ce"``, ``"hard_sq"``, ``"hard_log"``);
        ``student_reg`` λ_S (use 10⁻⁶ for square, 10⁻⁴ for CE as a proxy of λ_S → 0⁺ at
        α ≤ ρ); ``feature_fraction`` ρ ∈ (0, 1]; ``hard_weight`` η ∈ [0, 1];
        ``temperature`` τ of ``kd_ce``.

    Returns:
      A :class:`ReplicaKDResult`; read its numbers only when ``status == "converged"``.

    Example:
      >>> r = solve(sample_ratio=2.0, noise=1.0, teacher_loss="square", teacher_reg=1.0,
      ...           student_loss="kd_sq", student_reg=0.0, feature_fraction=0.5)
      >>> r.status, r.student_test_error > r.student_bayes_error
      ('converged', True)

    Reference: Saglietti & Zdeborová (arXiv:2012.00194), model §3 [R].
    """
    return _solve_setting(setting_of(setting, **parameters), options or SolverOptions())


def _continuation(
    converged: list[tuple[float, Array, Array]], value: float
) -> tuple[Sequence[float], Sequence[float] | None]:
    """Starting points at a swept value from the last two converged points (secant), else the last.

    The secant extrapolation is used only when it keeps Q and V positive.
    """
    if not converged:
        return _TEACHER_START, None
    value_1, teacher_1, student_1 = converged[-1]
    if len(converged) == 2:
        value_0, teacher_0, student_0 = converged[0]
        weight = (value - value_1) / (value_1 - value_0) if value_1 != value_0 else 0.0
        teacher = teacher_1 + weight * (teacher_1 - teacher_0)
        student = student_1 + weight * (student_1 - student_0)
        if min(teacher[1], teacher[2], student[1], student[2]) > 0:
            return tuple(teacher), tuple(student)
    return tuple(teacher_1), tuple(student_1)


# The float observables of a ReplicaKDResult that a curve stacks into arrays.
_CURVE_FLOATS: tuple[str, ...] = (
    "m_T",
    "Q_T",
    "V_T",
    "m_S",
    "Q_S",
    "V_S",
    "Q_TS",
    "V_ST",
    "teacher_test_error",
    "student_test_error",
    "teacher_train_error",
    "student_train_error",
    "agreement",
    "bayes_error",
    "student_bayes_error",
)


@dataclass(frozen=True)
class ReplicaKDCurve:
    """Saddle points along one swept parameter, every observable as a ``(K,)`` array.

    Attributes:
      over: the swept :class:`KDSetting` field (e.g. ``"sample_ratio"``).
      values: ``(K,)`` its values, in the order solved.
      results: the K :class:`ReplicaKDResult` (settings, conjugates, methods).
      m_T, Q_T, V_T, m_S, Q_S, V_S, Q_TS, V_ST: ``(K,)`` order parameters.
      teacher_test_error, student_test_error, teacher_train_error, student_train_error: ``(K,)``
        errors (NaN where a point did not converge).
      agreement, bayes_error, student_bayes_error: ``(K,)`` observables (the agreement NaN where
        a point did not converge; the Bayes limits need no saddle point).
      iterations: ``(K,)`` fixed-point iterations.
      converged: ``(K,)`` whether each point is a converged, physical saddle point.
      status: the K status strings.
    """

    over: str
    values: Array
    results: tuple[ReplicaKDResult, ...]
    m_T: Array  # noqa: N815 (the issue names the order parameters m_T, m_S)
    Q_T: Array
    V_T: Array
    m_S: Array  # noqa: N815
    Q_S: Array
    V_S: Array
    Q_TS: Array
    V_ST: Array
    teacher_test_error: Array
    student_test_error: Array
    teacher_train_error: Array
    student_train_error: Array
    agreement: Array
    bayes_error: Array
    student_bayes_error: Array
    iterations: NDArray[np.int64]
    converged: NDArray[np.bool_]
    status: tuple[str, ...]

    @classmethod
    def of(cls, over: str, values: Array, results: Sequence[ReplicaKDResult]) -> ReplicaKDCurve:
        """Collect the named arrays of ``results`` solved at ``values`` of ``over``."""
        arrays = {
            name: np.array([getattr(r, name) for r in results], dtype=np.float64)
            for name in _CURVE_FLOATS
        }
        return cls(
            over=over,
            values=values,
            results=tuple(results),
            iterations=np.array([r.iterations for r in results], dtype=np.int64),
            converged=np.array([r.converged for r in results], dtype=bool),
            status=tuple(r.status for r in results),
            **arrays,
        )


def curve(
    setting: KDSetting | Mapping[str, Any],
    over: str = "sample_ratio",
    values: Sequence[float] | Array = (),
    *,
    options: SolverOptions | None = None,
) -> ReplicaKDCurve:
    """Solve along one parameter, warm-starting each point from the previous ones.

    Continuation: the iterative blocks of point k start from the secant extrapolation (in the
    swept parameter) of the last two converged points (the last one alone when the secant would
    make Q or V non-positive; the model's initial values for the first point), which cuts the
    iterations of a smooth curve about two-fold. Points are solved in the given order; closed
    forms (square case) need no start.

    Args:
      setting: a :class:`KDSetting` or a mapping of its fields; the ``over`` field may be left
        out of a mapping.
      over: the swept field, one of :data:`SWEEPABLE` (α = ``sample_ratio`` by default).
      values: ``(K,)`` its values (neighbours should be close for the warm start); each one is
        validated as a :class:`KDSetting` field.
      options: numerical options (:class:`SolverOptions`).

    Returns:
      :class:`ReplicaKDCurve` with one entry per value, in the given order.

    Example:
      >>> c = curve(dict(noise=1.0, teacher_loss="square", teacher_reg=1.0,
      ...                student_loss="kd_sq", student_reg=0.0, feature_fraction=0.5),
      ...           over="sample_ratio", values=[1.0, 2.0, 4.0])
      >>> bool(c.converged.all()), bool((np.diff(c.student_test_error) < 0).all())
      (True, True)

    Reference: Saglietti & Zdeborová (arXiv:2012.00194), model §3 "Numerical scheme" [R].
    """
    if over not in SWEEPABLE:
        raise ConfigError(f"over must be one of {SWEEPABLE}, got {over!r}.")
    swept = np.asarray(values, dtype=np.float64)
    if swept.ndim != 1 or swept.size == 0:
        raise ConfigError(f"values must be a non-empty 1-D sequence of {over}, got {values!r}.")
    options = options or SolverOptions()
    converged: list[tuple[float, Array, Array]] = []
    results = []
    for value in swept:
        point = setting_of(setting, **{over: float(value)})
        result = _solve_setting(point, options, *_continuation(converged, float(value)))
        results.append(result)
        if result.converged:
            teacher = np.array([result.m_T, result.Q_T, result.V_T])
            student = np.array([result.m_S, result.Q_S, result.V_S, result.Q_TS, result.V_ST])
            converged = [*converged[-1:], (float(value), teacher, student)]
    return ReplicaKDCurve.of(over, swept, results)


def solve_curve(
    sample_ratios: Sequence[float],
    *,
    options: SolverOptions | None = None,
    **parameters: Any,
) -> tuple[ReplicaKDResult, ...]:
    """The results of :func:`curve` over ``sample_ratio`` as a tuple (one per α, in order).

    Args:
      sample_ratios: the α values.
      options: as :func:`solve`.
      **parameters: the other :class:`KDSetting` fields.
    """
    return curve(parameters, "sample_ratio", sample_ratios, options=options).results
