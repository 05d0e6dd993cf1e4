"""A hand-written corpus document in textbook style (the lesson brief's K.1 and K.3), with a
few planted mistakes.  Every number was worked out by hand from mpmath values; the labels
below are the planted truth, written before running the auditor.  Writes
``handwritten_k.md`` and ``handwritten.json`` (line -> label, as in ``expected.json``)."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent

ROWS = [
    ("# K.1 and K.3, worked by hand (with planted mistakes)", None),
    ("", None),
    ("| token | p (truth) | q (model) |", None),
    ("|---|---|---|", None),
    ("| Paris | 0.92 | 0.70 |", None),
    ("| London | 0.03 | 0.10 |", None),
    ("| Rome | 0.02 | 0.10 |", None),
    ("| Berlin | 0.02 | 0.05 |", None),
    ("| other | 0.01 | 0.05 |", None),
    ("", None),
    ("The KL divergence, term by term:", None),
    ("", None),
    ("$$", None),
    (r"D_{\mathrm{KL}}(p\|q) = 0.92\ln\frac{0.92}{0.70} + 0.03\ln\frac{0.03}{0.10}"
     r" + 0.02\ln\frac{0.02}{0.10} + 0.02\ln\frac{0.02}{0.05} + 0.01\ln\frac{0.01}{0.05}", None),
    ("$$", None),
    ("$$", None),
    ("= 0.92(0.2733) + 0.03(-1.2040) + 0.02(-1.6094) + 0.02(-0.9163) + 0.01(-1.6094)", "ok"),
    ("$$", None),
    ("$$", None),
    ("= 0.2514 - 0.0361 - 0.0322 - 0.0183 - 0.0161", "ok"),
    ("$$", None),
    ("$$", None),
    (r"= 0.1487 \text{ nats}", "ok"),
    ("$$", None),
    ("", None),
    ("The cross-entropy and the entropy:", None),
    ("", None),
    ("$$", None),
    (r"H(p,q) = -\left(0.92\ln 0.70 + 0.03\ln 0.10 + 0.02\ln 0.10 + 0.02\ln 0.05"
     r" + 0.01\ln 0.05\right)", None),
    ("= 0.92(0.3567) + 0.03(2.3026) + 0.02(2.3026) + 0.02(2.9957) + 0.01(2.9957)", "ok"),
    ("= 0.3282 + 0.0691 + 0.0461 + 0.0599 + 0.0300", "ok"),
    ("= 0.5333", "ok"),  # propagated rounding: a warning at most, never an error
    ("$$", None),
    ("", None),
    ("$$", None),
    (r"H(p) = -\left(0.92\ln 0.92 + 0.03\ln 0.03 + 0.02\ln 0.02 + 0.02\ln 0.02"
     r" + 0.01\ln 0.01\right)", None),
    ("= 0.92(0.0834) + 0.03(3.5066) + 0.02(3.9120) + 0.02(3.9120) + 0.01(4.6052)", "ok"),
    ("= 0.0767 + 0.1052 + 0.0782 + 0.0782 + 0.0461", "ok"),
    ("= 0.3864", "error:wrong-final"),  # 0.3844 with two digits swapped
    ("$$", None),
    ("", None),
    (r"Check: $0.5331 \approx 0.3844 + 0.1487 = 0.5331$.", "ok"),
    ("", None),
    (r"Perplexities: $e^{0.3844} = 1.4687$ for p itself and", "ok"),
    (r"$e^{0.5331} = 1.7403$ for the model.", "error:wrong-final"),  # 1.7042 transposed
    ("", None),
    ("# K.3 Data processing", None),
    ("", None),
    ("With p = (0.5, 0.3, 0.2) and q = (0.2, 0.3, 0.5),", None),
    ("", None),
    ("$$", None),
    (r"D_{3} = 0.5\ln\frac{0.5}{0.2} + 0.3\ln\frac{0.3}{0.3} + 0.2\ln\frac{0.2}{0.5}", None),
    ("= 0.5(0.9163) + 0 + 0.2(-0.9163)", "ok"),
    ("= 0.4581 - 0.1833", "ok"),
    ("= 0.2749", "ok"),
    ("$$", None),
    ("", None),
    (r"After the channel, $p_A = 0.5(0.8) + 0.3(0.5) + 0.2(0.1) = 0.57$ and", "ok"),
    (r"$q_A = 0.2(0.8) + 0.3(0.5) + 0.5(0.1) = 0.38$.", "error:wrong-step"),  # is 0.36
    ("", None),
    ("$$", None),
    (r"D_{T} = 0.57\ln\frac{0.57}{0.36} + 0.43\ln\frac{0.43}{0.64}", None),
    ("= 0.57(0.4595) + 0.43(-0.3977)", "ok"),
    ("= 0.2619 - 0.1710", "ok"),
    ("= 0.0909", "ok"),
    ("$$", None),
    ("", None),
    (r"The inequality holds: $0.0909 \le 0.2749$, not $0.0909 > 0.2749$.", None),
    ("", None),
    (r"In bits, $0.5\log_2\frac{0.5}{0.2} + 0.2\log_2\frac{0.2}{0.5} = 0.3966 \text{ nats}$.",
     "error:wrong-unit"),
]
# the inequality line holds two relations, one right and one wrong: scored separately below
INEQUALITY_LINE = next(i for i, (t, _) in enumerate(ROWS, 1) if t.startswith("The inequality"))


def main(out: Path = HERE):
    (out / "handwritten_k.md").write_text("\n".join(t for t, _ in ROWS) + "\n", encoding="utf-8")
    labels = {str(i): lab for i, (_, lab) in enumerate(ROWS, 1) if lab}
    labels[str(INEQUALITY_LINE)] = "mixed:ok,error:wrong-inequality"
    (out / "handwritten.json").write_text(json.dumps({"handwritten_k.md": labels}, indent=1,
                                                     sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
