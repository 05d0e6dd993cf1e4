"""Templates of the batched row loops: serial NumPy inner loops (float32, float64) that hand
whole batches of C-contiguous rows to one compiled function (the categorical reductions and
kl_logits; see :func:`batch_row_loops`).  Used by :mod:`.reductions`.
"""

from .templates import _view_or_gather

#: the categorical reductions' scratch (``_rowsum``): terms and per-row sums, one result per row
ROWSUM_SCRATCH = ("ws = np.empty((8, _rs.BLK))", "res = np.empty(_rs.ROWS)")


def _plain_value(t: str, views: list[str], k: str) -> tuple[list[str], str]:
    return [], f"res[{k}]"


def batch_row_loops(name: str, nin: int, fn, *, scratch=ROWSUM_SCRATCH, rows: str = "_rs.ROWS",
                    value=_plain_value, gather: str | None = None, loop: str = "loop",
                    one_call: bool = False) -> str:
    """Serial NumPy inner loops (float32, float64) of a reduction over rows of n entries,
    ``(n),…->()``: when every operand's rows lie one after another (C-contiguous
    (rows, n) data) the rows are handed in batches of ``rows`` to
    ``fn(flat operands…, n, r0, r1, res, ws)``, which walks them as one flat array; any other
    layout (row-strided, broadcast, entry-strided) calls it on one row at a time, viewed in
    place when unit-stride, else gathered — the same code on the same row, so the same bits.

    ``fn``: the batch function, one name for both dtypes or ``{"f32": …, "f64": …}``;
    ``scratch``: the statements allocating ``res``, ``ws`` (and whatever ``value`` uses),
    once per call; ``value(t, views, k)`` → (statements, expression): the result of the row
    at batch index ``k`` whose operands are the expressions ``views`` (default ``res[k]``);
    ``gather``: None gathers entry-strided rows, else the expression stored for each row of
    a call that would need it (a loop compiled without the gather path);
    ``loop``: the loops are named ``_<name>_<loop>_<f32|f64>``;
    ``one_call``: ``fn`` and ``value`` are called at one place in the loop (a batch, or one
    row viewed or gathered), so that a batch function numba inlines into the loop is
    compiled once (``_one_call_loop``)."""
    if one_call:
        return "".join(_one_call_loop(name, nin, fn if isinstance(fn, str) else fn[t], t,
                                      size, dtype, scratch, rows, value, gather, loop)
                       for t, size, dtype in (("f32", 4, "np.float32"),
                                              ("f64", 8, "np.float64")))
    inputs = [f"x{k}" for k in range(nin)]
    text = ""
    for t, size, dtype in (("f32", 4, "np.float32"), ("f64", 8, "np.float64")):
        f = fn if isinstance(fn, str) else fn[t]
        lines, packed = _loop_head(name, loop, t, nin, size, scratch)
        lines += [f"    if {packed}:"]
        lines += [f"        {x} = carray(args[{k}], (N * n,), {dtype})"
                  for k, x in enumerate(inputs)]
        pre, v = value(t, [f"{x}[i * n:i * n + n]" for x in inputs], "i - r0")
        lines += [f"        for r0 in range(0, N, {rows}):",
                  f"            r1 = min(N, r0 + {rows})",
                  f"            {f}({', '.join(inputs)}, n, r0, r1, res, ws)",
                  "            for i in range(r0, r1):",
                  *(f"                {s}" for s in pre),
                  f"                _u.store_{t}(args[{nin}], i * steps[{nin}], {dtype}({v}))",
                  "        return"]
        if gather is None:
            lines += [f"    buf{k} = np.empty((n,), {dtype})" for k in range(nin)]
        else:
            units = " and ".join(f"unit{k}" for k in range(nin))
            lines += [f"    if not ({units}):",
                      "        for i in range(N):",
                      f"            _u.store_{t}(args[{nin}], i * steps[{nin}], {dtype}({gather}))",
                      "        return"]
        lines += ["    for i in range(N):"]
        for k, x in enumerate(inputs):
            if gather is not None:
                lines += [f"        {x} = carray(_u.at(args[{k}], i * steps[{k}]), (n,), {dtype})"]
                continue
            lines += _view_or_gather(k, x, ["n"], [nin + 1 + k], t, size, dtype)[1]
        pre, v = value(t, inputs, "0")
        # (np.intp: literal 0, 1 would type a second specialisation of fn to compile)
        lines += [f"        {f}({', '.join(inputs)}, n, np.intp(0), np.intp(1), res, ws)",
                  *(f"        {s}" for s in pre),
                  f"        _u.store_{t}(args[{nin}], i * steps[{nin}], {dtype}({v}))"]
        text += "\n\n" + "\n".join(lines) + "\n"
    return text


def _loop_head(name, loop, t, nin, size, scratch) -> tuple[list[str], str]:
    """The loop function's first lines (signature, N rows of n entries, the scratch, and
    ``unit<k>``: operand k's entries are unit-stride) and the condition that every operand is
    C-contiguous rows (``packed``), for both loop shapes of this module."""
    lines = [f"def _{name}_{loop}_{t}(args, dims, steps, data):", "    N = dims[0]",
             "    n = dims[1]", *(f"    {s}" for s in scratch)]
    lines += [f"    unit{k} = n <= 1 or steps[{nin + 1 + k}] == {size}" for k in range(nin)]
    packed = " and ".join(f"unit{k} and (N <= 1 or steps[{k}] == n * {size})"
                          for k in range(nin))
    return lines, packed


def _one_call_loop(name, nin, f, t, size, dtype, scratch, rows, value, gather, loop) -> str:
    """``batch_row_loops``' loop of one dtype with one call of ``f``: per step, a batch of
    ``rows`` rows of C-contiguous data, or one row (viewed in place when unit-stride, else
    gathered — or, with ``gather`` set, every row stored as ``gather``)."""
    inputs = [f"x{k}" for k in range(nin)]
    units = [f"unit{k}" for k in range(nin)]
    lines, packed = _loop_head(name, loop, t, nin, size, scratch)
    lines += [f"    packed = {packed}"]
    if gather is None:
        lines += [f"    buf{k} = np.empty((n if not packed else 0,), {dtype})"
                  for k in range(nin)]
    else:
        lines += [f"    if not ({' and '.join(units)}):",
                  "        for i in range(N):",
                  f"            _u.store_{t}(args[{nin}], i * steps[{nin}], {dtype}({gather}))",
                  "        return"]
    lines += [f"    per = {rows} if packed else 1",
              "    for r0 in range(0, N, per):",
              "        r1 = r0 + per if r0 + per < N else N",
              "        if packed:"]
    lines += [f"            {x} = carray(args[{k}], (N * n,), {dtype})"
              for k, x in enumerate(inputs)]
    lines += ["            lo = r0", "        else:"]
    for k, x in enumerate(inputs):
        if gather is not None:
            lines += [f"            {x} = carray(_u.at(args[{k}], r0 * steps[{k}]), (n,), {dtype})"]
            continue
        lines += _view_or_gather(k, x, ["n"], [nin + 1 + k], t, size, dtype, 12, "r0")[1]
    lines += ["            lo = np.intp(0)",
              f"        {f}({', '.join(inputs)}, n, lo, lo + (r1 - r0), res, ws)",
              "        for i in range(r0, r1):",
              "            at = (lo + i - r0) * n"]
    pre, v = value(t, [f"{x}[at:at + n]" for x in inputs], "i - r0")
    lines += [*(f"            {s}" for s in pre),
              f"            _u.store_{t}(args[{nin}], i * steps[{nin}], {dtype}({v}))"]
    return "\n\n" + "\n".join(lines) + "\n"
