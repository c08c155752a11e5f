"""Gauss–Hermite quadrature for expectations over standard normal variables.

E_{ξ~N(0,1)}[g(ξ)] ≈ Σ_k w_k g(ξ_k) with the probabilists' Hermite nodes (weights normalised to
sum to 1); exact for polynomials of degree ≤ 2n−1, which makes the square-loss channels exact.
Tensor grids give expectations over two independent standard normals (ξ1, ξ2).

Reference: Saglietti & Zdeborová (arXiv:2012.00194), model §3 "Numerical scheme" [F/R]:
41–61 nodes per dimension.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = ["gaussian_nodes", "gaussian_tensor_nodes"]


@cache
def gaussian_nodes(count: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Nodes ξ_k and weights w_k (Σ w_k = 1) with Σ_k w_k g(ξ_k) ≈ E_{ξ~N(0,1)} g(ξ).

    Args:
      count: number of nodes n ≥ 2 (exact for polynomials of degree ≤ 2n−1).

    Returns:
      ``(nodes, weights)``, both of shape ``(count,)``, float64, read-only.
    """
    if count < 2:
        raise ConfigError(f"quadrature needs at least 2 nodes, got {count}.")
    nodes, weights = np.polynomial.hermite_e.hermegauss(count)
    weights = weights / weights.sum()
    nodes.setflags(write=False)
    weights.setflags(write=False)
    return nodes, weights


@cache
def gaussian_tensor_nodes(
    count: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Tensor-grid nodes for E over two independent standard normals (ξ1, ξ2).

    Returns:
      ``(xi1, xi2, weights)`` of shape ``(count, count)``: ξ1 varies along axis 0, ξ2 along
      axis 1, and Σ weights = 1.
    """
    nodes, weights = gaussian_nodes(count)
    xi1, xi2 = np.meshgrid(nodes, nodes, indexing="ij")
    grid_weights = np.outer(weights, weights)
    for array in (xi1, xi2, grid_weights):
        array.setflags(write=False)
    return xi1, xi2, grid_weights
