"""The reduction templates: one function per loop template a kernel's spec names
(``KernelSpec.reduction``), each returning the kernel's generated source — the row function
or a call into a hand-written kernels/ module, its loops and its registration — from the
shared pieces of :mod:`.templates`.  :data:`REDUCTIONS` maps template names to them.
"""

from __future__ import annotations

from .batchloops import batch_row_loops
from .templates import _gufunc, _vector_gufunc, docstring

_RENORM_DOC = ("\n\n    Rows are non-negative weights, renormalised as scipy.stats.entropy and"
               "\n    torch.distributions.Categorical do: p̂ = p/Σp, q̂ = q/Σq, applied to the row's"
               "\n    compensated sums in the same pass (kernels/_categorical.py); a negative,"
               "\n    infinite or NaN entry, or a zero total, gives NaN.  Never negative.")


def _categorical_light(t, views, k):
    """A row the one vectorised pass did not settle (NaN) is handed back (``_u.bail``)."""
    return [f"v = res[{k}]", "if v != v:", "    v = _u.bail()"], "v"


def _categorical(name: str, nin: int, doc: str) -> str:
    """A categorical reduction's loops, twice: the full ones around ``_c.<rows>_rows``
    (every layout, every row) and the light ones around ``_c.<rows>_fast`` (the vectorised
    pass only; a row it does not settle, or a call that needs a gather, is handed back), and
    the kernel (``_u.FirstReach``): first use compiles the light loops of the dtype called,
    the full ones when a call first reaches them (``<rows>`` is the kernel's name)."""
    rows = name
    layout = ",".join(["(n)"] * nin) + "->()"
    full = batch_row_loops(name, nin, f"_c.{rows}_rows", one_call=True)
    light = batch_row_loops(name, nin, f"_c.{rows}_fast", value=_categorical_light,
                            gather="_u.bail()", loop="light", one_call=True)
    return (full + light + f"\n\n_register({name!r}, {doc!r}, {nin}, 1, {{\n"
            f"    'float32': _{name}_loop_f32, 'float64': _{name}_loop_f64}}, {layout!r}, 1)\n"
            f"_BUILDERS[{name!r}] = _u.FirstReach(_BUILDERS[{name!r}], {{\n"
            f"    t: (lambda t=t, loop=loop, k=_BUILDERS[{name!r}]: _u.make_ufunc(\n"
            "        k.__name__, k.__doc__, k.nin, k.nout, t, loop, k.signature, 1))\n"
            f"    for t, loop in (('float32', _{name}_light_f32), "
            f"('float64', _{name}_light_f64))}})\n")


def kl_categorical(d) -> str:
    return _categorical(d.kernel, 2, docstring(d) + (
        "\n\n    KL(p̂ ‖ q̂) = Σ_i p̂_i log(p̂_i/q̂_i) = (Σ_i kl_div(p_i, q_i) − kl_div(Σp, Σq))/Σp,"
        "\n    kl_div(x, y) = x log(x/y) − x + y ≥ 0; 0·log 0 = 0, +inf where q_i = 0 < p_i."
        + _RENORM_DOC))


def entropy(d) -> str:
    return _categorical(d.kernel, 1, docstring(d) + (
        "\n\n    H(p̂) = −Σ_i p̂_i log p̂_i = Σ_i p̂_i log(Σp/p_i), 0·log 0 = 0." + _RENORM_DOC))


def cross_entropy(d) -> str:
    return _categorical(d.kernel, 2, docstring(d) + (
        "\n\n    H(p̂, q̂) = −Σ_i p̂_i log q̂_i = Σ_i p̂_i log(Σq/q_i), 0·log 0 = 0, +inf where"
        "\n    q_i = 0 < p_i." + _RENORM_DOC))


_LOGITS_SCRATCH = ("ws = np.empty((_lg.WS_ROWS, _lg.BLK))", "res = np.empty((2, _lg.ROWS))")


def _logits_full(t, views, k):
    """The row's value: the vectorised pass's, or finished by the scalar code when it left
    work (``_lg.finish_row``: the scalar loops, the masked entries' q-mass term)."""
    return ([f"v = res[0, {k}]", f"if res[1, {k}] != 0.0:",
             f"    v = _lg.finish_row({', '.join(views)}, v, res[1, {k}], wn)"], "v")


def _logits_light(t, views, k):
    """A row the vectorised pass left work for is handed back (``_u.bail``: NaN, counted)."""
    return [f"v = res[0, {k}]", f"if res[1, {k}] != 0.0:", "    v = _u.bail()"], "v"


def kl_logits(d) -> str:
    """kl_logits' loops over batches of rows (``batch_row_loops`` around
    ``_lg.kl_logits_rows``), twice: the full loops (every layout, every row) and the light
    ones, compiled on first use, which leave entry-strided rows and the rows the scalar code
    must finish to the full loops, built on first reach (``_u.FirstReach``)."""
    doc = docstring(d) + (
        "\n\n    KL(softmax(a) ‖ softmax(b)) = log1pmx(S0 + S2) + S2 with e = (b − a) − E_p[b − a],"
        "\n    S0 = E_p[e], S2 = E_p[expm1mx(e)]; −inf logits are masked entries (p_i = 0);"
        "\n    a finite logit against b_i = −inf gives +inf; +inf or NaN gives NaN.")
    name = d.kernel
    full = batch_row_loops(name, 2, "_lg.kl_logits_rows", value=_logits_full, rows="_lg.ROWS",
                           scratch=(*_LOGITS_SCRATCH, "wn = np.empty(n)"), one_call=True)
    light = batch_row_loops(name, 2, "_lg.kl_logits_rows", value=_logits_light, rows="_lg.ROWS",
                            scratch=_LOGITS_SCRATCH, gather="_u.bail()", loop="light",
                            one_call=True)
    return (full + light + f"\n\n_register({name!r}, {doc!r}, 2, 1, {{\n"
            f"    'float32': _{name}_loop_f32, 'float64': _{name}_loop_f64}}, "
            "'(n),(n)->()', 1)\n"
            f"_BUILDERS[{name!r}] = _u.FirstReach(_BUILDERS[{name!r}], {{\n"
            f"    t: (lambda t=t, loop=loop, k=_BUILDERS[{name!r}]: _u.make_ufunc(\n"
            "        k.__name__, k.__doc__, k.nin, k.nout, t, loop, k.signature, 1))\n"
            f"    for t, loop in (('float32', _{name}_light_f32), "
            f"('float64', _{name}_light_f64))}})\n")


def kl_dirichlet(d) -> str:
    """The row loops around ``_lb.kl_dirichlet_row`` (float32 rows pick their own B_S inside
    it), and light loops around ``_lb.row_main`` that a first call compiles: they hand back
    the rows needing the textbook or the direct grouping (``_lg.bail``), and the call runs
    again on the full loops (``_lg.FirstReach``, as kl_logits)."""
    name = d.kernel
    body = "    out[0] = _lb.kl_dirichlet_row(alpha_p, alpha_q, wn)\n"
    text = _gufunc(name, "(n),(n)->()", "alpha_p, alpha_q, out", docstring(d), body)
    loops, register = text.split("\n\n_register(")
    call = "out[0] = _lb.kl_dirichlet_row(alpha_p, alpha_q, wn)"
    light = loops.replace(f"def _{name}_loop_", f"def _{name}_light_").replace(
        call, "res = _lb.row_main(alpha_p, alpha_q, wn)\n"
        "        out[0] = res[0] if res[1] == 0 else _lg.bail()")
    assert light.count("_lb.row_main(") == 2, "row_loops changed shape"
    return (loops + "\n" + light + "\n\n_register(" + register
            + f"_BUILDERS[{name!r}] = _lg.FirstReach(_BUILDERS[{name!r}], {{\n"
            f"    t: (lambda t=t, loop=loop, k=_BUILDERS[{name!r}]: _u.make_ufunc(\n"
            "        k.__name__, k.__doc__, k.nin, k.nout, t, loop, k.signature, 1))\n"
            f"    for t, loop in (('float32', _{name}_light_f32), "
            f"('float64', _{name}_light_f64))}})\n")


_MVN_CALL = (("mu_p", "real vector"), ("L_p", "lower Cholesky factor"),
             ("mu_q", "real vector"), ("L_q", "lower Cholesky factor"))
_MVN_DOC = (
    "\n\n    Call: kl_mvn(mu_p, L_p, mu_q, L_q), gufunc signature (n),(n,n),(n),(n,n)->(): means"
    "\n    and lower Cholesky factors (Σ = L Lᵀ) of any n; the derivation's symbols above"
    "\n    are those at n = 2."
    "\n\n    Only the lower triangles of L_p and L_q are read (the upper triangle, NaN included,"
    "\n    is ignored: numpy.linalg.cholesky returns the lower factor, scipy.linalg.cholesky the"
    "\n    upper one unless lower=True — pass its transpose); a diagonal entry ≤ 0 gives NaN,"
    "\n    and so does n = 0.  KL = ½[Σ_{i≠j} D_ij² + Σ_i (M_ii² − 1 − 2 log M_ii) + |w|²],"
    "\n    M = L_q⁻¹L_p = I + D, D = L_q⁻¹(L_p − L_q), w = L_q⁻¹(μ_p − μ_q): non-negative terms,"
    "\n    the solves in double-double (kernels/_mvn_solve.py); accurate for scale ratios up to"
    "\n    1e±300 between p and q.")


def kl_mvn(d) -> str:
    body = "    out[0] = _mvn.kl_mvn_row(mu_p, L_p, mu_q, L_q, wn)\n"
    text = _gufunc(d.kernel, "(n),(n,n),(n),(n,n)->()", "mu_p, L_p, mu_q, L_q, out",
                   docstring(d, _MVN_CALL) + _MVN_DOC,
                   body)
    # kl_mvn_row's scratch (_mvn.row_scratch: the right-hand sides in double-double in
    # whole blocks of eight columns, the per-column sums of squares), allocated once per
    # call (row_loops gives 2 × n); the row streams' scratch ws is not used.
    small, large = "wn = np.empty((2, n))", "wn = _mvn.row_scratch(n)"
    assert text.count(small) == 2, "row_loops no longer allocates wn as kl_mvn expects"
    text = text.replace(small, large)
    unused = "    ws = np.empty((8, 256))\n"
    assert text.count(unused) == 2, "row_loops no longer allocates ws as kl_mvn expects"
    text = text.replace(unused, "")
    loops, register = text.split("\n\n_register(")
    # Two ufuncs per dtype, so that a call compiles only the path it can take: the row loop
    # alone (_kl_mvn_rows_*), which Kernel.__call__ picks when the batch cannot apply (n
    # outside 1…BATCH_MAX or fewer than W pairs: _mvn.batch_may_apply), and the full loop
    # (_kl_mvn_loop_*, Kernel.ufunc), where C-contiguous stacks of small pairs go W at a
    # time across SIMD lanes (kernels/_mvn_batch.py) and the rows it leaves (N mod W), and
    # every other layout, go through the row loop.
    rows_only = loops.replace("_loop_f32(", "_rows_f32(").replace("_loop_f64(", "_rows_f64(")
    parts = loops.split("    for i in range(N):\n")
    assert len(parts) == 3, "row_loops' loop header changed"
    out = parts[0]
    for part, (size, dt) in zip(parts[1:], ((4, "np.float32"), (8, "np.float64")), strict=True):
        shapes = ("(N, n)", "(N, n, n)", "(N, n)", "(N, n, n)", "(N,)")
        views = ", ".join(f"carray(args[{k}], {sh}, {dt})" for k, sh in enumerate(shapes))
        out += (
            "    start = 0\n"
            f"    if (1 <= n <= _mvn.BATCH_MAX and N >= _mvn.W and unit0 and unit1 and unit2\n"
            f"            and unit3 and steps[0] == n * {size} and steps[1] == n * n * {size}\n"
            f"            and steps[2] == n * {size} and steps[3] == n * n * {size}\n"
            f"            and steps[4] == {size}):\n"
            "        wb = np.empty((_mvn.scratch_rows(n) + 1, _mvn.W))\n"
            f"        start = _mvn.kl_mvn_batch({views}, wb)\n"
            "    for i in range(start, N):\n" + part)
    name = d.kernel
    # threads' chunks start at multiples of W rows: the same rows go W at a time whatever
    # the number of threads (the batch and the row loop may differ in the last bit)
    head, tail = register.rsplit(")\n", 1)
    register = head + ", align=_mvn.W)\n" + tail
    return (rows_only.rstrip("\n") + "\n\n\n" + out.lstrip("\n") + "\n\n_register(" + register
            + f"_BUILDERS[{name!r}].serve_lightly(_mvn.batch_may_apply, {{\n"
            f"    t: (lambda t=t, loop=loop, k=_BUILDERS[{name!r}]: _u.make_ufunc(\n"
            "        k.__name__, k.__doc__, k.nin, k.nout, t, loop, k.signature, 8))\n"
            f"    for t, loop in (('float32', _{name}_rows_f32), "
            f"('float64', _{name}_rows_f64))}})\n"
            # float32's double-double fallback is compiled when a call first needs it
            f"_BUILDERS[{name!r}] = _mvn.ColdReach(_BUILDERS[{name!r}])\n")


def eg_step(d) -> str:
    body = "    _pol.eg_step_row(p, g, lr, out)\n"
    return _vector_gufunc(d.kernel, "(n),(n),()->(n)", "p, g, lr, out", docstring(d) + (
        "\n\n    p_i ← p_i·exp(−lr·g_i) / Σ_j p_j·exp(−lr·g_j), exponents in double-double"
        "\n    (kernels/_policy.py); zeros stay zero."),
        body)


def kl_regularized_policy(d) -> str:
    body = "    _pol.policy_row(logits_ref, reward, beta, pi_star, value)\n"
    return _vector_gufunc(d.kernel, "(n),(n),()->(n),()",
                   "logits_ref, reward, beta, pi_star, value", docstring(d) + (
                       "\n\n    Returns (π*, V): π* ∝ π_ref·exp(r/β), V = β·log E_ref[exp(r/β)]"
                       "\n    (kernels/_policy.py)."),
                   body)


_NATGRAD_PRODUCT = """\
@njit(inline='always', error_model='numpy', cache=True)
def _natgrad_normal_step_product(a, b, j, n):
    \"\"\"a·b·2^j·e^n for finite a, b, n: the mantissas multiplied (frexp) and the exponents
    added, so neither a·b nor e^n over- or underflows alone; e^n is math.exp(n) where that is
    normal (the bits of a·b·e^n there), else 2^k·e^r, n = k·ln 2 + r (ln 2 in two parts,
    k·LN2_HI exact); |n| > 2400 puts any nonzero a·b beyond the range.  0 when a or b is 0.
    Where a·b·2^j is normal and e^n too, the plain product (the same bits, no calls).\"\"\"
    f = 0.5 if j < 0 else (2.0 if j > 0 else 1.0)  # j in {-1, 0, 1}
    s = a * b * f
    lo = 2.2250738585072014e-308 * max(f, 1.0)  # a·b normal before the ·2^j
    if -708.0 <= n <= 708.0 and lo <= abs(s) <= 1.7976931348623157e308:
        return s * math.exp(n)
    ma, ea = math.frexp(a)
    mb, eb = math.frexp(b)
    k = 0.0
    if not (-708.0 <= n <= 708.0):
        n = min(max(n, -2400.0), 2400.0)
        k = math.floor(n * 1.4426950408889634 + 0.5)
        n = (n - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
    me, ee = math.frexp(math.exp(n))
    return math.ldexp(ma * mb * me, ea + eb + ee + j + int(k))


"""


def _natgrad_product(value, rename) -> str:
    """A step bound by the derivation, c·a·b·e^n (c = ±2^j, e^n optional), printed as a call
    of ``_natgrad_normal_step_product``: the bound product is scaled by exponents, never
    formed as σ² = e^{2 log σ} (inf for log σ > 354.9, and inf·0 = NaN) or ½·g (0 for a
    subnormal g) first."""
    import sympy as sp

    from .printer import print_expr
    c, factors = value.xreplace(rename).as_coeff_mul()
    exps = [f for f in factors if isinstance(f, sp.exp)]
    rest = [f for f in factors if not isinstance(f, sp.exp)]
    j = sp.log(abs(c), 2)
    if len(rest) != 2 or len(exps) > 1 or j not in (-1, 0, 1):
        raise ValueError(f"natgrad_normal_step: a step {value} is not ±2^j·a·b[·e^n], |j| ≤ 1")
    a, b = (print_expr(f) for f in rest)
    n = print_expr(exps[0].args[0]) if exps else "0.0"
    return f"_natgrad_normal_step_product({'-' if c < 0 else ''}{a}, {b}, {int(j)}, {n})"


def natgrad_normal_step(d) -> str:
    """The row function: the guards, the steps (the derivation's bindings) as scaled
    products (``_natgrad_normal_step_product``), then θ − step per output; a zero gradient
    leaves its parameter unchanged, and ±inf comes out only when θ − step is beyond the range."""
    import sympy as sp

    from .printer import print_expr
    rename = {p.symbol: sp.Symbol(p.name) for p in d.params}
    steps = "".join(f"    {h} = {_natgrad_product(v, rename)}\n"
                    for h, v in d.stable_form.bindings)
    new_mu, new_s = (print_expr(e.xreplace(rename)) for e in d.stable_form.result)
    body = f'''\
    mu = np.float64(mu)
    log_sigma = np.float64(log_sigma)
    g_mu = np.float64(g_mu)
    g_log_sigma = np.float64(g_log_sigma)
    lr = np.float64(lr)
    if not (0.0 < lr < INF and abs(mu) < INF and abs(log_sigma) < INF and abs(g_mu) < INF
            and abs(g_log_sigma) < INF):
        mu_out[0] = NAN
        log_sigma_out[0] = NAN
        return
{steps}    mu_out[0] = {new_mu}
    log_sigma_out[0] = {new_s}
'''
    return _NATGRAD_PRODUCT + _vector_gufunc(
        d.kernel, "(),(),(),(),()->(),()",
        "mu, log_sigma, g_mu, g_log_sigma, lr, mu_out, log_sigma_out",
        docstring(d) + "\n\n    Returns (mu, log_sigma) after μ ← μ − lr·σ²·g_μ, "
        "log σ ← log σ − lr·g_logσ/2.\n    Each step is scaled by exponents, σ² never formed "
        "alone: a zero gradient leaves its\n    parameter unchanged, ±inf only where θ − step "
        "is beyond the range.", body)


#: template name -> loop template, named by a kernel's spec (``KernelSpec.reduction``).
REDUCTIONS = {t.__name__: t for t in (cross_entropy, entropy, eg_step, kl_categorical,
                                      kl_dirichlet, kl_logits, kl_mvn, kl_regularized_policy,
                                      natgrad_normal_step)}
