"""Write the seeded-error corpus for ``klforge audit``: worked KL problems, some with one
planted mistake, and ``expected.json`` saying which line holds what.

Run ``python tests/audit_corpus/generate.py`` to regenerate (deterministic; a test checks the
committed files are what this script writes).  Values come from mpmath at 50 digits and are
rounded here with ``decimal`` (half-even), independently of the auditor under test.

Labels per line (where a relation's right-hand side begins): ``ok`` (correct control),
``error:<kind>`` (the planted mistake), ``after`` (a later step of a chain that carries a
planted mistake; not scored).  Kinds: wrong-step, misrounded, wrong-final, wrong-term,
wrong-inequality, wrong-unit, wrong-name.  Planted numeric errors are at least two units in
the last printed place beyond the correct rounding, so "beyond rounding" is unambiguous.
"""

from __future__ import annotations

import json
import random
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import mpmath

mpmath.mp.dps = 50
HERE = Path(__file__).parent
SEED = 20261124


def rnd(x, k: int) -> str:
    d = Decimal(mpmath.nstr(x, 40, strip_zeros=False)).quantize(Decimal(10) ** -k, ROUND_HALF_EVEN)
    s = f"{d:.{k}f}"
    return "0." + "0" * k if s.lstrip("-") == "0." + "0" * k else s


def shift(s: str, units: int) -> str:
    k = len(s.split(".")[1]) if "." in s else 0
    return f"{Decimal(s) + Decimal(units) * Decimal(10) ** -k:.{k}f}"


def wrong(rng, s: str) -> str:
    """s moved by 2–9 units in its last place (never zero, never the same)."""
    return shift(s, rng.choice([-1, 1]) * rng.randint(2, 9))


def neg(s: str) -> str:
    return f"({s})" if s.startswith("-") else s


def mp(s: str):
    return mpmath.mpf(s)


class Doc:
    def __init__(self, fmt: str):
        self.fmt, self.lines, self.labels = fmt, [], {}

    def add(self, text: str, label: str | None = None):
        self.lines.append(text)
        if label:
            self.labels[len(self.lines)] = label

    def display(self, rows: list[tuple[str, str | None]]):
        """Rows of one chain; a row is (text, label); the first row is the definition."""
        if self.fmt == "md":
            self.add("$$")
            for text, label in rows:
                self.add(text, label)
            self.add("$$")
        else:
            self.add("\\begin{align}")
            for i, (text, label) in enumerate(rows):
                end = " \\\\" if i < len(rows) - 1 else ""
                self.add(("  " if i == 0 else "  &") + text + end, label)
            self.add("\\end{align}")

    def inline(self, prose: str, math: str, label: str):
        self.add(f"{prose} ${math}$.", label)

    def text(self) -> str:
        body = "\n".join(self.lines) + "\n"
        if self.fmt == "tex":
            return "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + body + \
                "\\end{document}\n"
        return body


def _labels(n, planted_row, kind):
    """Labels for rows 1..n of a chain with a mistake planted at planted_row (or none)."""
    out = []
    for r in range(1, n + 1):
        if planted_row is None or r < planted_row:
            out.append("ok")
        elif r == planted_row:
            out.append(f"error:{kind}")
        else:
            out.append("after")
    return out


def categorical(doc: Doc, rng, name: str, plant: str | None, bits: bool = False):
    n = rng.choice([2, 3])
    while True:
        cuts = sorted(rng.sample(range(5, 96, 1), n - 1))
        p = [b - a for a, b in zip([0] + cuts, cuts + [100], strict=True)]
        cuts = sorted(rng.sample(range(5, 96, 1), n - 1))
        q = [b - a for a, b in zip([0] + cuts, cuts + [100], strict=True)]
        if min(p + q) >= 4 and all(a != b for a, b in zip(p, q, strict=True)):
            break
    ps, qs = [f"{x / 100:.2f}" for x in p], [f"{x / 100:.2f}" for x in q]
    log, unit = ("\\log_2", "bits") if bits else ("\\ln", "nats")
    f = (lambda x: mpmath.log(x, 2)) if bits else mpmath.log
    doc.add(f"Let $p = ({', '.join(ps)})$ and $q = ({', '.join(qs)})$ over {n} outcomes.")
    logs = [f(mp(a) / mp(b)) for a, b in zip(ps, qs, strict=True)]
    terms = [mp(a) * l for a, l in zip(ps, logs, strict=True)]
    total = mpmath.fsum(terms)
    ls = [rnd(x, 4) for x in logs]
    ts = [rnd(x, 4) for x in terms]
    fin = rnd(total, 4)
    planted_row = None
    if plant is None and rng.random() < 0.4:  # control: each step from the printed numbers
        ts = [rnd(mp(a) * mp(l), 4) for a, l in zip(ps, ls, strict=True)]
        fin = rnd(mpmath.fsum(mp(t) for t in ts), 4)
    if plant in ("wrong-step", "misrounded"):  # a log of the inverted ratio, or mis-rounded
        i = rng.randrange(n)
        ls[i] = rnd(-logs[i], 4) if plant == "wrong-step" else wrong(rng, ls[i])
        ts[i] = rnd(mp(ps[i]) * mp(ls[i]), 4)
        fin = rnd(mpmath.fsum(mp(t) for t in ts), 4)
        planted_row = 1
    elif plant == "wrong-term":
        i = rng.randrange(n)
        ts[i] = wrong(rng, ts[i])
        fin = rnd(mpmath.fsum(mp(t) for t in ts), 4)
        planted_row = 2
    elif plant == "wrong-final":
        fin = wrong(rng, fin)
        planted_row = 3
    elif plant == "wrong-unit":
        unit = "nats" if bits else "bits"
        planted_row = 3
    labels = _labels(3, planted_row, plant)
    defn = " + ".join(f"{a} {log}\\frac{{{a}}}{{{b}}}" for a, b in zip(ps, qs, strict=True))
    rows = [(f"{name} = {defn}", None),
            ("= " + " + ".join(f"{a}({l})" for a, l in zip(ps, ls, strict=True)), labels[0]),
            ("= " + _sum_text(ts), labels[1]),
            (f"= {fin} \\text{{ {unit}}}", labels[2])]
    doc.display(rows)
    return total


def _sum_text(ts):
    out = ts[0]
    for t in ts[1:]:
        out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
    return out


def entropy(doc: Doc, rng, plant: str | None):
    n = 3
    cuts = sorted(rng.sample(range(5, 96), n - 1))
    p = [f"{(b - a) / 100:.2f}" for a, b in zip([0] + cuts, cuts + [100], strict=True)]
    logs = [mpmath.log(mp(x)) for x in p]
    terms = [mp(x) * l for x, l in zip(p, logs, strict=True)]
    ls, ts = [rnd(x, 4) for x in logs], [rnd(x, 4) for x in terms]
    fin = rnd(-mpmath.fsum(terms), 4)
    planted_row = None
    if plant == "misrounded":
        i = rng.randrange(n)
        ls[i] = wrong(rng, ls[i])
        ts[i] = rnd(mp(p[i]) * mp(ls[i]), 4)
        fin = rnd(-mpmath.fsum(mp(t) for t in ts), 4)
        planted_row = 1
    elif plant == "wrong-final":
        fin = wrong(rng, fin)
        planted_row = 3
    labels = _labels(3, planted_row, plant)
    rows = [("H(p) = -\\left(" + " + ".join(f"{x}\\ln {x}" for x in p) + "\\right)", None),
            ("= -\\left(" + " + ".join(f"{x}({l})" for x, l in zip(p, ls, strict=True))
             + "\\right)", labels[0]),
            ("= -(" + _sum_text(ts) + ")", labels[1]),
            (f"= {fin}", labels[2])]
    doc.add(f"The entropy of $p = ({', '.join(p)})$:")
    doc.display(rows)


def gaussian(doc: Doc, rng, plant: str | None):
    m1, m2 = (f"{rng.randint(-20, 20) / 10:.1f}" for _ in range(2))
    s1, s2 = (f"{rng.randint(5, 25) / 10:.1f}" for _ in range(2))
    a = mpmath.log(mp(s2) / mp(s1))
    b = (mp(s1) ** 2 + (mp(m1) - mp(m2)) ** 2) / (2 * mp(s2) ** 2)
    A, B = rnd(a, 4), rnd(b, 4)
    fin = rnd(a + b - mpmath.mpf(1) / 2, 4)
    planted_row = None
    if plant == "wrong-step":  # forgot the square on σ₂ in the denominator
        B = rnd((mp(s1) ** 2 + (mp(m1) - mp(m2)) ** 2) / (2 * mp(s2)), 4)
        fin = rnd(a + mp(B) - mpmath.mpf(1) / 2, 4)
        planted_row = 1 if B != rnd(b, 4) else None
    elif plant == "wrong-final":
        fin = wrong(rng, fin)
        planted_row = 2
    labels = _labels(2, planted_row, plant if planted_row else None)
    d = f"{m1} - {neg(m2)}"
    rows = [(f"\\mathrm{{KL}} = \\ln\\frac{{{s2}}}{{{s1}}} + "
             f"\\frac{{{s1}^2 + ({d})^2}}{{2 \\cdot {s2}^2}} - \\frac{{1}}{{2}}", None),
            (f"= {A} + {B} - 0.5", labels[0]),
            (f"= {fin}", labels[1])]
    doc.add(f"For $N({m1}, {s1}^2)$ against $N({m2}, {s2}^2)$:")
    doc.display(rows)
    return planted_row is not None or plant is None


def inequality(doc: Doc, rng, plant: str | None):
    a, b = rng.randint(5, 300) / 100, rng.randint(5, 300) / 100
    while a == b:
        b = rng.randint(5, 300) / 100
    op = "\\ge" if plant == "wrong-inequality" else "\\le"
    label = "error:wrong-inequality" if plant == "wrong-inequality" else "ok"
    doc.inline("The log inequality gives", f"\\ln\\frac{{{a:.2f}}}{{{b:.2f}}} {op} "
               f"\\frac{{{a:.2f}}}{{{b:.2f}}} - 1", label)


def summary(doc: Doc, rng, name: str, total, plant: str | None):
    stated = rnd(total, 2)
    if plant == "wrong-name":
        stated = wrong(rng, rnd(total, 3))
        doc.inline("So", f"{name} \\approx {stated}", "error:wrong-name")
    else:
        doc.inline("So", f"{name} \\approx {stated}", "ok")


PLANTS = ["wrong-step", "misrounded", "wrong-term", "wrong-final", "wrong-unit"]


def build(fmt: str, rng) -> Doc:
    doc = Doc(fmt)
    doc.add("# Worked problems" if fmt == "md" else "\\section{Worked problems}")
    for j in range(3):
        doc.add("")
        plant = rng.choice(PLANTS) if rng.random() < 0.5 else None
        name = "D_{\\mathrm{KL}}(p\\|q)" if j == 0 else f"D_{{{j}}}"
        total = categorical(doc, rng, name, plant, bits=rng.random() < 0.3)
        doc.add("")
        summary(doc, rng, name, total,
                "wrong-name" if (plant is None and rng.random() < 0.3) else None)
    doc.add("")
    entropy(doc, rng, rng.choice(["misrounded", "wrong-final"]) if rng.random() < 0.5 else None)
    doc.add("")
    gaussian(doc, rng, rng.choice(["wrong-step", "wrong-final"]) if rng.random() < 0.5 else None)
    for _ in range(2):
        doc.add("")
        inequality(doc, rng, "wrong-inequality" if rng.random() < 0.4 else None)
    return doc


def _handwritten():
    """The sibling module that writes the hand-written document (loaded by path, so this
    script runs both as ``python tests/audit_corpus/generate.py`` and under pytest)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("handwritten", HERE / "handwritten.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(out: Path = HERE):
    rng = random.Random(SEED)
    expected = {}
    for i in range(16):
        fmt = "tex" if i % 4 == 3 else "md"
        doc = build(fmt, rng)
        fname = f"problems_{i:02d}.{fmt}"
        (out / fname).write_text(doc.text(), encoding="utf-8")
        offset = 3 if fmt == "tex" else 0
        expected[fname] = {str(k + offset): v for k, v in sorted(doc.labels.items())}
    _handwritten().main(out)
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
