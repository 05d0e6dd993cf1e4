"""Lists other stages read are computed from the registry (issue 12 item 2): a registered
family or row kernel missing from verify's sampling or from the audit's known forms fails
here, without building a derivation."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import numpy as np
import pytest
from klforge.derive import families
from klforge.derive.core import specs

import klforge
from klforge.audit import _known_forms, known
from klforge.verify import cases, references

ROOT_PKG = Path(klforge.__file__).parent

FAMILY_MODULES = sorted(m.name for m in pkgutil.iter_modules(families.__path__))
ROW_KERNELS = sorted(k for k, s in specs().items() if s.rows is not None)


def test_every_family_file_gives_a_kl_kernel_with_a_spec():
    assert FAMILY_MODULES, "no family modules found"
    missing = [m for m in FAMILY_MODULES if f"kl_{m}" not in specs()]
    assert not missing, f"family file(s) without a kl_<name> kernel spec: {missing}"


@pytest.mark.parametrize("family", FAMILY_MODULES)
def test_scalar_family_is_known_to_the_audit(family):
    spec = specs()[f"kl_{family}"]
    if spec.rows is not None:  # rows of parameters (Dirichlet): not written as Fam(a, b)
        return
    assert spec.written, f"kl_{family}: spec declares no `written` names for the audit"
    assert known.ARITY.get(family), f"{family} missing from generated ARITY"
    for name in spec.written:
        assert known.FAMILIES[name] == family
    assert f"kl_{family}" in _known_forms.FORMS


def test_audit_parses_each_family_as_written():
    for written, fam in known.FAMILIES.items():
        args = ",".join("ab"[: known.ARITY[fam]] if known.ARITY[fam] <= 2 else "abc")
        text = f"KL({written}({args})||{written}({args}))"
        assert known.parse(text) == (f"kl_{fam}", [(fam, list(args.split(",")))] * 2), text


def test_geometric_and_laplace_values_from_the_generated_forms():
    # KL(Geom(1/2) || Geom(1/4)) = log 2 + log(2/3) ≈ 0.2616 (log(p/q) + ((1−p)/p)·log((1−p)/(1−q)))
    import math

    assert math.isclose(float(known.value("kl_geometric", [0.5, 0.25])),
                        math.log(2) + math.log(2 / 3), rel_tol=1e-14)
    # KL(Laplace(0,1) || Laplace(1,2)) = log 2 + 1/2 + e^{-1}/2 − 1 (hand formula)
    assert math.isclose(float(known.value("kl_laplace", [0, 1, 1, 2])),
                        math.log(2) + 0.5 + math.exp(-1) / 2 - 1, rel_tol=1e-14)


@pytest.mark.parametrize("kernel", ROW_KERNELS)
def test_row_kernels_sample_from_their_spec(kernel):
    spec = specs()[kernel]
    assert spec.rows.kind in cases.ROW_SAMPLERS, f"{kernel}: unknown kind {spec.rows.kind!r}"
    assert callable(getattr(references, f"mp_{kernel}"))
    got = cases.vector_cases(kernel, np.random.default_rng(0), 3)
    assert len(got) == 3 + len(spec.rows.hard_points)
    for inputs, (ref, args) in got:
        assert ref is getattr(references, f"mp_{kernel}") and args is inputs


def test_vector_peers_are_row_kernels():
    rows = set(cases.vector_kernels())
    vec = {k for k, s in specs().items() if s.torch is not None and s.torch.vector}
    assert vec and vec <= rows, f"torch vector peers without row sampling: {vec - rows}"


def test_a_scalar_kernel_has_no_row_sampling():
    with pytest.raises(LookupError, match="no row sampling"):
        cases.vector_cases("kl_gamma", np.random.default_rng(0), 1)


# --- no kernel is named by hand in the verifier or the emitter --------------------------------

TOOL_FILES = sorted([*(ROOT_PKG / "verify").glob("*.py"), *(ROOT_PKG / "emit").glob("*.py")])


def kernel_literals(source: str, kernels) -> list[tuple[int, str]]:
    """(line, name) of every string literal (f-string pieces included) that is exactly a
    kernel's name; docstrings and comments that mention one in a sentence are not literals."""
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value in kernels]


def test_the_literal_finder_finds_a_name():
    src = 'MULTI = ("eg_step", "x")\nif k == "kl_gamma":\n    pass\n"""Docstring on kl_gamma."""\n'
    assert kernel_literals(src, set(specs())) == [(1, "eg_step"), (2, "kl_gamma")]


def test_no_kernel_name_literal_in_verify_or_emit():
    """verify and emit read every kernel's sampling, reference, scale, outputs and loop
    template from its spec: a kernel-name literal there is a list kept by hand."""
    assert len(TOOL_FILES) >= 6, TOOL_FILES
    found = [f"{f.relative_to(ROOT_PKG.parent)}:{line}: {name!r}" for f in TOOL_FILES
             for line, name in kernel_literals(f.read_text(encoding="utf-8"), set(specs()))]
    assert not found, "kernel names kept by hand (declare it on the KernelSpec): " + "; ".join(
        found)


def test_every_reduction_and_scale_a_spec_names_exists():
    from klforge.emit import reductions

    for kernel, spec in specs().items():
        if spec.reduction is not None:
            assert spec.reduction in reductions.REDUCTIONS, (kernel, spec.reduction)
        if spec.bound is not None:
            assert spec.scale in references.SCALES, (kernel, spec.scale)
        for name, lo, hi in spec.uniform:
            assert lo < hi, (kernel, name)


def test_readme_kernels_api_names_every_kernel():
    """The README's list of ufuncs and gufuncs is prose: it must name every exported kernel
    (a new family's kernel is a new name there too)."""
    from klforge import kernels as K

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text.split("## Kernels API", 1)[1].split("\n## ", 1)[0]
    listed = section.split("Ufuncs:", 1)[1].split("All take", 1)[0]
    missing = [name for name in K.__all__ if f"{name}," not in listed
               and f"{name}`" not in listed and f"{name} " not in listed]
    assert not missing, f"README 'Kernels API' does not list {missing}"
