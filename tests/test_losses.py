"""Identities of the KD convention in distillab.losses."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from distillab.errors import ConfigError
from distillab.losses import feature_loss, kd_loss, pi_loss

VARIANTS = ("hinton", "mixed-target")


def _binary(n: int = 7, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    s = torch.randn(n, generator=g, dtype=torch.float64) * 2
    t = torch.randn(n, generator=g, dtype=torch.float64) * 2
    y = torch.randint(0, 2, (n,), generator=g).to(torch.float64)
    return s, t, y


def _multi(
    n: int = 6, c: int = 4, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    s = torch.randn(n, c, generator=g, dtype=torch.float64) * 2
    t = torch.randn(n, c, generator=g, dtype=torch.float64) * 2
    y = torch.randint(0, c, (n,), generator=g)
    return s, t, y


def _bernoulli_kl(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    return p * torch.log(p / q) + (1 - p) * torch.log((1 - p) / (1 - q))


@pytest.mark.parametrize("T", [0.5, 1.0, 4.0])
def test_ratio_zero_is_hard_label_cross_entropy(T: float) -> None:
    s, t, y = _binary()
    hard = F.binary_cross_entropy_with_logits(s, y)
    assert kd_loss(s, t, y, soft_ratio=0.0, temperature=T).item() == pytest.approx(hard.item())
    # mixed-target: the hard term sees the temperature (Ji & Zhu's verified form).
    hard_T = F.binary_cross_entropy_with_logits(s / T, y)
    mixed = kd_loss(s, t, y, soft_ratio=0.0, temperature=T, variant="mixed-target")
    assert mixed.item() == pytest.approx(hard_T.item())
    sm, tm, ym = _multi()
    assert kd_loss(sm, tm, ym, soft_ratio=0.0, temperature=T).item() == pytest.approx(
        F.cross_entropy(sm, ym).item()
    )


@pytest.mark.parametrize("T", [0.5, 1.0, 4.0])
def test_ratio_one_is_pure_soft_term(T: float) -> None:
    s, t, y = _binary()
    expected = (T**2 * _bernoulli_kl(torch.sigmoid(t / T), torch.sigmoid(s / T))).mean()
    assert kd_loss(s, t, y, soft_ratio=1.0, temperature=T).item() == pytest.approx(expected.item())
    sm, tm, ym = _multi()
    p_t, p_s = F.softmax(tm / T, 1), F.softmax(sm / T, 1)
    expected_m = (T**2 * (p_t * (p_t.log() - p_s.log())).sum(1)).mean()
    assert kd_loss(sm, tm, ym, soft_ratio=1.0, temperature=T).item() == pytest.approx(
        expected_m.item()
    )
    mixed = kd_loss(sm, tm, ym, soft_ratio=1.0, temperature=T, variant="mixed-target")
    assert mixed.item() == pytest.approx(-(p_t * p_s.log()).sum(1).mean().item())


@pytest.mark.parametrize("T", [0.7, 2.0, 5.0])
@pytest.mark.parametrize("multi", [False, True])
def test_soft_term_gradient_is_T_times_probability_gap(T: float, multi: bool) -> None:
    s, t, y = _multi() if multi else _binary()
    s = s.clone().requires_grad_(True)
    kd_loss(s, t, y, soft_ratio=1.0, temperature=T).backward()
    if multi:
        gap = F.softmax(s.detach() / T, 1) - F.softmax(t / T, 1)
    else:
        gap = torch.sigmoid(s.detach() / T) - torch.sigmoid(t / T)
    torch.testing.assert_close(s.grad, T * gap / s.shape[0], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("variant", VARIANTS)
def test_multiclass_invariant_to_constant_shift(variant: str) -> None:
    s, t, y = _multi()
    shift_s = torch.randn(s.shape[0], 1, dtype=torch.float64)
    shift_t = torch.randn(t.shape[0], 1, dtype=torch.float64)
    base = kd_loss(s, t, y, soft_ratio=0.3, temperature=2.0, variant=variant)
    moved = kd_loss(s + shift_s, t + shift_t, y, soft_ratio=0.3, temperature=2.0, variant=variant)
    assert moved.item() == pytest.approx(base.item(), rel=1e-12)


def test_large_temperature_tends_to_logit_matching() -> None:
    s, t, y = _multi(c=5)
    centred = (s - s.mean(1, keepdim=True)) - (t - t.mean(1, keepdim=True))
    target = (0.5 * (centred**2).mean(1)).mean().item()
    errors = []
    for T in (10.0, 100.0, 1000.0):
        value = kd_loss(s, t, y, soft_ratio=1.0, temperature=T).item()
        errors.append(abs(value - target))
    # T²·KL = ½δᵀ(diag p − ppᵀ)δ·(1 + O(1/T)): the gap shrinks tenfold per tenfold T.
    assert errors[-1] < 1e-3 * target
    assert errors[1] < 0.2 * errors[0] and errors[2] < 0.2 * errors[1]
    sb, tb, yb = _binary()
    binary = kd_loss(sb, tb, yb, soft_ratio=1.0, temperature=1e3).item()
    assert binary == pytest.approx(((sb - tb) ** 2 / 8).mean().item(), rel=1e-4)


def test_mixed_target_stationary_at_effective_logit() -> None:
    # The converged logit of Ji & Zhu: g = T·logit(ρσ(t/T) + (1−ρ)y) zeroes the gradient.
    _, t, y = _binary(n=9)
    rho, T = 0.4, 3.0
    target = rho * torch.sigmoid(t / T) + (1 - rho) * y
    g = (T * torch.log(target / (1 - target))).requires_grad_(True)
    kd_loss(g, t, y, soft_ratio=rho, temperature=T, variant="mixed-target").backward()
    assert g.grad.abs().max().item() < 1e-12


def test_soft_term_vanishes_when_student_equals_teacher() -> None:
    _, t, y = _multi()
    assert kd_loss(t, t, y, soft_ratio=1.0, temperature=3.0).item() == pytest.approx(0.0, abs=1e-12)


@given(rho=st.one_of(st.floats(max_value=-1e-9), st.floats(min_value=1 + 1e-9), st.just(math.nan)))
def test_bad_soft_ratio_is_config_error(rho: float) -> None:
    s, t, y = _binary()
    with pytest.raises(ConfigError, match="soft_ratio"):
        kd_loss(s, t, y, soft_ratio=rho, temperature=1.0)


@given(T=st.one_of(st.floats(max_value=0.0), st.just(math.inf), st.just(math.nan)))
def test_bad_temperature_is_config_error(T: float) -> None:
    s, t, y = _binary()
    with pytest.raises(ConfigError, match="temperature"):
        kd_loss(s, t, y, soft_ratio=0.5, temperature=T)


@given(n=st.integers(1, 6), extra=st.integers(1, 3))
def test_shape_mismatch_is_config_error(n: int, extra: int) -> None:
    with pytest.raises(ConfigError, match="shape"):
        kd_loss(
            torch.zeros(n), torch.zeros(n + extra), torch.zeros(n), soft_ratio=0.5, temperature=1.0
        )
    with pytest.raises(ConfigError, match="labels"):
        kd_loss(
            torch.zeros(n, 3),
            torch.zeros(n, 3),
            torch.zeros(n + extra),
            soft_ratio=0.5,
            temperature=1.0,
        )


def test_unknown_variant_is_config_error() -> None:
    s, t, y = _binary()
    with pytest.raises(ConfigError, match="variant"):
        kd_loss(s, t, y, soft_ratio=0.5, temperature=1.0, variant="fitnets")  # type: ignore[arg-type]


@pytest.mark.parametrize("lam", [0.0, 0.5, 3.0])
def test_pi_loss_completes_the_square(lam: float) -> None:
    g = torch.Generator().manual_seed(1)
    u, y, z = (torch.randn(8, 2, generator=g, dtype=torch.float64) for _ in range(3))
    u_star = (y + lam * z) / (1 + lam)
    expected = (
        ((1 + lam) / 2) * ((u - u_star) ** 2).sum(1) + lam / (2 * (1 + lam)) * ((y - z) ** 2).sum(1)
    ).mean()
    assert pi_loss(u, y, z, pi_weight=lam).item() == pytest.approx(expected.item(), rel=1e-12)
    u_opt = u_star.clone().requires_grad_(True)
    pi_loss(u_opt, y, z, pi_weight=lam).backward()
    assert u_opt.grad.abs().max().item() < 1e-12


@given(lam=st.one_of(st.floats(max_value=-1e-12), st.just(math.nan), st.just(math.inf)))
def test_pi_loss_rejects_bad_weight(lam: float) -> None:
    with pytest.raises(ConfigError, match="pi_weight"):
        pi_loss(torch.zeros(3), torch.zeros(3), torch.zeros(3), pi_weight=lam)


def test_pi_loss_rejects_shape_mismatch() -> None:
    with pytest.raises(ConfigError, match="shape"):
        pi_loss(torch.zeros(3), torch.zeros(3), torch.zeros(4), pi_weight=1.0)


def test_feature_loss_sums_layer_mses() -> None:
    g = torch.Generator().manual_seed(2)
    hs = [torch.randn(5, 4, generator=g, dtype=torch.float64), torch.randn(5, 3, generator=g)]
    ht = [torch.randn(5, 4, generator=g, dtype=torch.float64), torch.randn(5, 3, generator=g)]
    expected = sum(((a - b) ** 2).mean() for a, b in zip(hs, ht, strict=True))
    assert feature_loss(hs, ht).item() == pytest.approx(expected.item())
    assert feature_loss(hs[0], hs[0]).item() == 0.0
    with pytest.raises(ConfigError, match="matched"):
        feature_loss(hs, ht[:1])
    with pytest.raises(ConfigError, match="layer 1"):
        feature_loss(hs, [ht[0], ht[0]])


def test_binary_gradient_is_exact_for_large_logits() -> None:
    # The mixed-target gradient is (σ(s/T) − target)/(nT) exactly, also far into the tails.
    s = torch.tensor([30.0, -45.0, 60.0], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([-40.0, 50.0, 0.0], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    rho, T = 0.3, 1.0
    kd_loss(s, t, y, soft_ratio=rho, temperature=T, variant="mixed-target").backward()
    target = rho * torch.sigmoid(t / T) + (1 - rho) * y
    expected = (torch.sigmoid(s.detach() / T) - target) / (3 * T)
    torch.testing.assert_close(s.grad, expected, rtol=1e-14, atol=1e-300)


def _soft_reference(s: torch.Tensor, t: torch.Tensor, T: float) -> float:
    """ρ = 1 Hinton loss T²·KL in 60-digit arithmetic (mpmath), independent of torch."""
    import mpmath

    mpmath.mp.dps = 60
    total = mpmath.mpf(0)
    rows = s.tolist() if s.ndim == 2 else [[0.0, v] for v in s.tolist()]
    teacher = t.tolist() if t.ndim == 2 else [[0.0, v] for v in t.tolist()]
    for s_row, t_row in zip(rows, teacher, strict=True):
        # A binary logit a is the two-class softmax of (0, a).
        log_s = [mpmath.mpf(v) / T for v in s_row]
        log_t = [mpmath.mpf(v) / T for v in t_row]
        norm_s = mpmath.log(sum(mpmath.exp(v) for v in log_s))
        norm_t = mpmath.log(sum(mpmath.exp(v) for v in log_t))
        total += sum(
            mpmath.exp(b - norm_t) * ((b - norm_t) - (a - norm_s))
            for a, b in zip(log_s, log_t, strict=True)
        )
    return float(T**2 * total / len(rows))


@pytest.mark.parametrize("T", [1.0, 1e2, 1e4])
@pytest.mark.parametrize("multi", [False, True])
def test_float32_matches_float64_and_exact_reference_at_large_temperature(
    T: float, multi: bool
) -> None:
    g = torch.Generator().manual_seed(3)
    shape = (12, 4) if multi else (12,)
    s = 3.0 * torch.randn(shape, generator=g, dtype=torch.float64)
    t = 3.0 * torch.randn(shape, generator=g, dtype=torch.float64)
    y = torch.randint(0, 4, (12,), generator=g) if multi else (t > 0).long()
    exact = _soft_reference(s, t, T)
    loss64 = kd_loss(s, t, y, soft_ratio=1.0, temperature=T)
    loss32 = kd_loss(s.float(), t.float(), y, soft_ratio=1.0, temperature=T)
    assert loss64.dtype == torch.float64 and loss32.dtype == torch.float32
    assert float(loss64) == pytest.approx(exact, rel=1e-8)
    # float32 inputs: only the rounding of the inputs and of the returned value remains (the old
    # float32 computation returned 0.0 at T = 1e4, binary).
    assert float(loss32) == pytest.approx(float(loss64), rel=1e-6)
    for rho in (0.3, 0.7):
        mixed64 = kd_loss(s, t, y, soft_ratio=rho, temperature=T)
        mixed32 = kd_loss(s.float(), t.float(), y, soft_ratio=rho, temperature=T)
        assert float(mixed32) == pytest.approx(float(mixed64), rel=1e-6)


def test_float32_gradient_flows_through_the_float64_computation() -> None:
    s = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    t = torch.tensor([1.0, -2.0, 0.5])
    T = 1e4
    kd_loss(s, t, torch.tensor([1, 0, 1]), soft_ratio=1.0, temperature=T).backward()
    expected = T * (torch.sigmoid(s.detach().double() / T) - torch.sigmoid(t.double() / T)) / 3
    assert s.grad is not None and s.grad.dtype == torch.float32
    assert torch.allclose(s.grad.double(), expected, rtol=1e-5, atol=0.0)


def test_float64_inputs_are_computed_unchanged() -> None:
    # Upcasting is a no-op for float64: the same tensor object goes into the computation.
    s = torch.tensor([[0.3, -0.2], [1.0, 0.1]], dtype=torch.float64)
    t = torch.tensor([[1.3, 0.2], [-1.0, 0.4]], dtype=torch.float64)
    y = torch.tensor([0, 1])
    log_p_s, log_p_t = F.log_softmax(s / 2.0, dim=1), F.log_softmax(t / 2.0, dim=1)
    kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1)
    hard = F.cross_entropy(s, y, reduction="none")
    expected = (0.5 * hard + 0.5 * 4.0 * kl).mean()
    assert kd_loss(s, t, y, soft_ratio=0.5, temperature=2.0).item() == expected.item()
