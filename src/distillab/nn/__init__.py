"""Model builders: NTK-parameterised two-layer net, deep linear net, MLP."""

from distillab.nn.deep_linear import DeepLinearNet
from distillab.nn.mlp import MLP
from distillab.nn.two_layer import TwoLayerNet

__all__ = ["MLP", "DeepLinearNet", "TwoLayerNet"]
