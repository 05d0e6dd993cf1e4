"""An ``aligned`` display inside a directive (a dropdown solution) is read row by row, as
it is at the top level: the environment, ``&`` and ``\\\\`` are blanked, so every step of
a chain broken across lines is checked (and a wrong step is an error at its line)."""
from klforge.audit import audit_text

BLOCK = """$$
\\begin{{aligned}}
0.5(0.4 - 1 - \\ln 0.4) &= 0.5(0.316291) \\\\
&= {VALUE}
\\end{{aligned}}
$$
"""


def found(text):
    return [(f.line, f.severity, f.message) for f in audit_text(text, "md").findings]


def test_aligned_rows_are_checked_at_top_level_and_in_a_dropdown():
    top = BLOCK.format(VALUE="0.1581")
    nested = ":::{dropdown} Solution\n" + top + ":::\n"
    for text, shift in ((top, 0), (nested, 1)):
        got = found(text)
        assert [(line, sev) for line, sev, _ in got] == [(3 + shift, "ok"), (4 + shift, "ok")]
        assert not any("unsupported" in m or "unexpected" in m for _, _, m in got)


def test_a_wrong_step_in_a_nested_aligned_display_is_an_error():
    text = ":::{dropdown} Solution\n" + BLOCK.format(VALUE="0.2581") + ":::\n"
    assert (5, "error") in [(line, sev) for line, sev, _ in found(text)]
