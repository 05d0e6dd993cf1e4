"""The auditor in a slim install without SymPy: the second opinion is skipped and the
relation stays unchecked; nothing raises (``klforge/audit/sympyjudge.py``)."""
import subprocess
import sys

POISSON_RATIO = r"$$\frac{\lambda^x e^{-\lambda}}{x!} \cdot \frac{x!}{\lambda^x} = e^{-\lambda}$$"


def test_without_sympy_the_relation_is_unchecked_not_a_traceback():
    # sys.modules['sympy'] = None makes `import sympy` raise ImportError, as if not installed
    code = ("import sys; sys.modules['sympy'] = None; "
            "from klforge.audit import audit_text; "
            f"(f,) = audit_text({POISSON_RATIO!r}).findings; "
            "assert f.severity == 'unchecked', f.severity; "
            "assert not hasattr(f, 'judge')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
