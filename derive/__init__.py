"""klforge's derivation engine: closed forms derived by SymPy from their definitions."""
from .core import (
    Check,
    Derivation,
    DerivationError,
    Param,
    StableForm,
    Step,
    by_kernel,
    get,
    names,
    specs,
)
from .spec import KernelSpec, TorchPeer

__all__ = ["Check", "Derivation", "DerivationError", "KernelSpec", "Param", "StableForm", "Step",
           "TorchPeer", "by_kernel", "get", "names", "specs"]
