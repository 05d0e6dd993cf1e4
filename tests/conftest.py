import mpmath
import pytest
from hypothesis import settings

# No per-example deadline: kernels load lazily (first use compiles or reads numba's cache),
# and the machines are shared and noisy; speed is measured by `klforge bench`, not tests.
settings.register_profile("klforge", deadline=None)
settings.load_profile("klforge")


@pytest.fixture(autouse=True)
def _mp_precision():
    with mpmath.workdps(50):
        yield
