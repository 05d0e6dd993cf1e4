import mpmath
import pytest


@pytest.fixture(autouse=True)
def _mp_precision():
    with mpmath.workdps(50):
        yield
