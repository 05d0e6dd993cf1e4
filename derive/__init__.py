"""klforge's derivation engine: closed forms derived by SymPy from their definitions."""
from .core import Check, Derivation, DerivationError, Param, StableForm, Step, by_kernel, get, names

__all__ = ["Check", "Derivation", "DerivationError", "Param", "StableForm", "Step", "by_kernel",
           "get", "names"]
