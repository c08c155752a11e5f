"""Analytic and empirical NTKs: closed forms, Monte Carlo, convergence with width, memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from distillab.data import unit_sphere
from distillab.errors import ConfigError
from distillab.kernels import (
    arccos_kernel,
    empirical_ntk,
    gram_spectrum,
    relu_ntk,
    relu_ntk_variance,
)
from distillab.nn import MLP, TwoLayerNet


def _points(n: int = 6, d: int = 4, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)) * rng.uniform(0.5, 2.0, size=(n, 1))


@pytest.mark.parametrize("trained", ["first", "both"])
def test_relu_ntk_is_symmetric_psd(trained: str) -> None:
    X = _points(30, 5)
    K = relu_ntk(X, trained=trained)
    np.testing.assert_allclose(K, K.T, atol=1e-14)
    assert np.linalg.eigvalsh(K).min() > -1e-10
    np.testing.assert_allclose(relu_ntk(X, X[:7], trained=trained), K[:, :7], atol=1e-14)


def test_relu_ntk_diagonal_closed_form() -> None:
    X = _points(5, 3)
    sq = (X**2).sum(1)
    np.testing.assert_allclose(np.diag(relu_ntk(X, trained="first")), sq / 2, rtol=1e-12)
    np.testing.assert_allclose(np.diag(relu_ntk(X, trained="both")), sq, rtol=1e-12)
    # Opposite inputs: the step kernel vanishes (θ = π); off the Gram diagonal, arccos turns a
    # 1e-16 round-off of the cosine into ~1e-8 in θ.
    assert relu_ntk(X[:1], -X[:1])[0, 0] == pytest.approx(0.0, abs=1e-7)


@pytest.mark.parametrize("order", [0, 1, 2])
def test_arccos_kernel_matches_monte_carlo(order: int) -> None:
    X = _points(5, 3, seed=1)
    w = np.random.default_rng(2).standard_normal((400_000, 3))
    proj = w @ X.T
    feature = (proj >= 0) * np.where(proj >= 0, proj, 0.0) ** order
    samples = 2.0 * feature[:, :, None] * feature[:, None, :]
    mean = samples.mean(0)
    se = samples.std(0) / np.sqrt(w.shape[0])
    z = np.abs(mean - arccos_kernel(X, order=order)) / np.maximum(se, 1e-12)
    assert z.max() < 4.0  # 25 entries: max of |N(0,1)| stays below 4 with probability > 0.998


@pytest.mark.parametrize("trained", ["first", "both"])
def test_relu_ntk_and_variance_match_monte_carlo_over_units(trained: str) -> None:
    X = _points(5, 4, seed=3)
    rng = np.random.default_rng(4)
    units = 300_000
    w = rng.standard_normal((units, 4))
    proj = w @ X.T
    on = (proj >= 0).astype(float)
    per_unit = (X @ X.T)[None] * on[:, :, None] * on[:, None, :]
    if trained == "both":
        relu = np.maximum(proj, 0.0)
        per_unit = per_unit + relu[:, :, None] * relu[:, None, :]
    mean = per_unit.mean(0)
    se = per_unit.std(0) / np.sqrt(units)
    assert (np.abs(mean - relu_ntk(X, trained=trained)) / np.maximum(se, 1e-12)).max() < 4.0
    np.testing.assert_allclose(
        per_unit.var(0), relu_ntk_variance(X, trained=trained), rtol=0.03, atol=1e-6
    )


def test_bad_kernel_inputs_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="dimension"):
        relu_ntk(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ConfigError, match="trained"):
        relu_ntk(np.ones((2, 3)), trained="second")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="order"):
        arccos_kernel(np.ones((2, 3)), order=3)


@pytest.mark.parametrize("trained", ["first", "both"])
def test_empirical_ntk_error_matches_variance_and_shrinks_as_inverse_sqrt_width(
    trained: str,
) -> None:
    X = unit_sphere(10, 5, seed=0)
    K = relu_ntk(X, trained=trained)
    predicted = relu_ntk_variance(X, trained=trained).sum()
    widths = [64, 256, 1024, 4096]
    mean_errors = []
    for m in widths:
        squared = np.array(
            [
                np.sum(
                    (
                        empirical_ntk(
                            TwoLayerNet(5, m, trained=trained, seed=s, dtype=torch.float64), X
                        )
                        - K
                    )
                    ** 2
                )
                for s in range(24)
            ]
        )
        # E‖Θ_m − Θ‖² = ΣVar/m exactly: within 3 standard errors of the 24-seed mean.
        assert abs(squared.mean() * m - predicted) < 3 * squared.std(ddof=1) * m / np.sqrt(24)
        mean_errors.append(np.sqrt(squared).mean())
    slope = np.polyfit(np.log(widths), np.log(mean_errors), 1)[0]
    assert -0.6 < slope < -0.4


def test_empirical_ntk_equals_explicit_jacobian_product() -> None:
    torch.manual_seed(0)
    net = MLP(3, [5, 4], 2, seed=1, dtype=torch.float64)
    X = torch.randn(4, 3, dtype=torch.float64)
    Z = torch.randn(3, 3, dtype=torch.float64)

    def jacobian(x: torch.Tensor) -> torch.Tensor:
        rows = []
        for c in range(2):
            net.zero_grad()
            net(x[None])[0, c].backward()
            rows.append(torch.cat([p.grad.reshape(-1) for p in net.parameters()]))
        return torch.stack(rows)  # (C, P)

    jx = torch.stack([jacobian(x) for x in X])
    jz = torch.stack([jacobian(z) for z in Z])
    full = torch.einsum("icp,jdp->ijcd", jx, jz).numpy()
    np.testing.assert_allclose(empirical_ntk(net, X, Z, output_kernel="full"), full, atol=1e-12)
    trace = np.einsum("ijcc->ij", full) / 2
    np.testing.assert_allclose(empirical_ntk(net, X, Z), trace, atol=1e-12)


@pytest.mark.parametrize("output_kernel", ["trace", "full"])
def test_empirical_ntk_chunking_and_symmetry_do_not_change_the_kernel(output_kernel: str) -> None:
    net = MLP(4, [6], 3, seed=2, dtype=torch.float64)
    X = torch.randn(11, 4, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    whole = empirical_ntk(net, X, X, output_kernel=output_kernel)
    chunked = empirical_ntk(net, X, chunk_size=3, output_kernel=output_kernel)
    np.testing.assert_allclose(chunked, whole, atol=1e-12)
    swapped = np.swapaxes(whole, 0, 1)
    if output_kernel == "full":
        swapped = np.swapaxes(swapped, 2, 3)
    np.testing.assert_allclose(whole, swapped, atol=1e-12)


def test_fixed_output_weights_do_not_enter_the_ntk() -> None:
    first = TwoLayerNet(3, 50, trained="first", seed=0, dtype=torch.float64)
    both = TwoLayerNet(3, 50, trained="both", seed=0, dtype=torch.float64)
    X = torch.randn(4, 3, dtype=torch.float64)
    hidden = both.hidden(X).detach()
    np.testing.assert_allclose(
        empirical_ntk(both, X) - empirical_ntk(first, X),
        (hidden @ hidden.T / 50).numpy(),
        atol=1e-12,
    )


def test_empirical_ntk_input_errors() -> None:
    net = TwoLayerNet(3, 8, seed=0)
    with pytest.raises(ConfigError, match="chunk_size"):
        empirical_ntk(net, torch.ones(2, 3), chunk_size=0)
    with pytest.raises(ConfigError, match="dimension"):
        empirical_ntk(net, torch.ones(2, 3), torch.ones(2, 4))


def test_gram_spectrum_reconstructs_and_applies_functions() -> None:
    K = relu_ntk(unit_sphere(12, 4, seed=1))
    spectrum = gram_spectrum(K)
    assert np.all(np.diff(spectrum.eigenvalues) <= 1e-14)
    V, mu = spectrum.eigenvectors, spectrum.eigenvalues
    np.testing.assert_allclose(V @ np.diag(mu) @ V.T, K, atol=1e-12)
    y = np.arange(12.0)
    np.testing.assert_allclose(spectrum.apply(1.0 / mu, y), np.linalg.solve(K, y), rtol=1e-8)


_MEMORY_SCRIPT = textwrap.dedent("""
    import json, resource, sys, torch
    from distillab.kernels import empirical_ntk
    from distillab.nn import MLP
    torch.set_num_threads(1)
    n, strategy, chunk = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    net = MLP(784, [512, 512], 10, seed=0)
    X = torch.randn(n, 784, generator=torch.Generator().manual_seed(0))
    K = empirical_ntk(net, X, chunk_size=chunk, strategy=strategy)
    print(json.dumps({"peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                      "shape": list(K.shape)}))
""")


def _peak_memory_gb(n: int, strategy: str, chunk_size: int) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(n), strategy, str(chunk_size)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["shape"] == [n, n]
    return float(result["peak_gb"])


def test_ntk_of_a_784_512_512_10_mlp_on_2000_inputs_fits_in_4_gb() -> None:
    # The full Jacobian of 2000 inputs would take 53 GB; the structured strategy needs n·Σ(in +
    # C·out) numbers (97 MB) and measured 0.52 GB peak RSS with the interpreter and torch.
    assert _peak_memory_gb(2000, "auto", 250) < 4.0


def test_chunked_jacobian_ntk_of_the_large_mlp_stays_in_bounded_memory() -> None:
    # Chunks of 8 inputs hold 2·8·10·6.7e5 floats ≈ 0.43 GB of Jacobians at once, for any n.
    assert _peak_memory_gb(24, "jacobian", 8) < 4.0


@pytest.mark.slow
def test_chunked_jacobian_ntk_memory_does_not_grow_with_inputs() -> None:
    small, large = _peak_memory_gb(32, "jacobian", 16), _peak_memory_gb(96, "jacobian", 16)
    assert large < 1.15 * small < 4.0


@pytest.mark.parametrize("output_kernel", ["trace", "full"])
def test_structured_and_jacobian_strategies_agree(output_kernel: str) -> None:
    X = torch.randn(9, 5, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    Z = torch.randn(4, 5, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    for model in (
        MLP(5, [7, 6], 3, seed=0, dtype=torch.float64),
        TwoLayerNet(5, 16, trained="both", outputs=2, seed=1, dtype=torch.float64),
        TwoLayerNet(5, 16, trained="first", seed=1, dtype=torch.float64),
    ):
        structured = empirical_ntk(
            model, X, Z, output_kernel=output_kernel, strategy="structured", chunk_size=4
        )
        jacobian = empirical_ntk(model, X, Z, output_kernel=output_kernel, strategy="jacobian")
        np.testing.assert_allclose(structured, jacobian, atol=1e-12)


def test_structured_strategy_refuses_models_it_cannot_handle() -> None:
    class Shared(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(3, 3)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.layer(self.layer(x)).sum(1)

    with pytest.raises(ConfigError, match="once"):
        empirical_ntk(Shared(), torch.ones(2, 3), strategy="structured")

    class Scaled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(3, 1)
            self.scale = torch.nn.Parameter(torch.ones(()))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.scale * self.layer(x).squeeze(1)

    with pytest.raises(ConfigError, match=r"nn\.Linear"):
        empirical_ntk(Scaled(), torch.ones(2, 3), strategy="structured")
    assert empirical_ntk(Scaled(), torch.ones(2, 3)).shape == (2, 2)  # auto falls back
