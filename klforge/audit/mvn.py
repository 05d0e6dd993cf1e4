"""Multivariate normals for the matrix checks: ``p = \\mathcal N(\\mu_p, \\Sigma_p)`` stated in
the text makes ``p(x)`` the density (through the Cholesky factor: −½n ln 2π − Σ ln L_ii −
½‖L⁻¹(x − μ)‖²) and ``\\mathbb E_p[f(x)]`` a Gauss–Hermite product rule in n dimensions at 2
and 3 nodes per axis, which must agree to 30 digits (exact for polynomial bodies of degree
≤ 3: log-densities, quadratic forms) — a mixin of :class:`.linalg.Evaluator`.

``D_{KL}(p\\|q)`` of two such normals (and ``H(p)``) is E_p[ln p(x) − ln q(x)] by the same
rule (:func:`divergence_of`), never the closed form under test.

Example: ``\\mathbb{E}_p[(x-m)^\\top A(x-m)]`` at n = 2 is tr(AΣ_p) + (μ_p − m)ᵀA(μ_p − m).
"""

from __future__ import annotations

import functools
import re

import mpmath

from . import nodes as N
from .distributions import parameter
from .matvals import _is_m, _scalar, shape

mp = mpmath.mp
_E = re.compile(r"^E_\{?(?:(?P<var>[a-z]\w*?)(?:sim|~))?(?P<dist>[^\[]+?)\}?\[(?P<body>.*)\]$")
_NORMAL = re.compile(r"^N\((?P<mean>[^,()]+),(?P<cov>[^,()]+)\)$")


class Normal:
    """Needs ``self.pt``, ``self.bound`` and ``self._eval``."""

    def log_density(self, dist, name):
        mean, cov = (self._eval(_read(t)) for t in dist)
        arg = re.search(r"\((.*)\)$", name).group(1)
        return self._log_pdf(mean, cov, self._eval(_read(arg)))

    def _log_pdf(self, mean, cov, x):
        """ln N(x; mean, cov) through the Cholesky factor (independent of any closed form)."""
        if not (_is_m(mean) and _is_m(cov) and _is_m(x)):
            raise N.NotEvaluable("a multivariate normal needs a mean vector and a covariance")
        low = self.pt.memo.get(("chol", id(cov)))
        if low is None:
            low = self.pt.memo[("chol", id(cov))] = mpmath.cholesky(cov)
        y = mpmath.lu_solve(low, x - mean)
        n = cov.rows
        return (-mp.mpf(n) / 2 * mp.log(2 * mp.pi) - sum(mp.log(low[i, i]) for i in range(n))
                - sum(y[i] ** 2 for i in range(n)) / 2)

    def divergence(self, first, second):
        """D_KL(N₁‖N₂) = E_{N₁}[ln N₁(x) − ln N₂(x)] (or −E[ln N₁] for an entropy, ``second``
        None) by the Gauss–Hermite rule of :meth:`_normal_mean` — exact, the body being
        quadratic in x — not by the closed form a text would be checked against."""
        mean, cov = self._moments(first)
        if second is None:
            return -self._normal_mean(mean, cov, lambda x: self._log_pdf(mean, cov, x))
        mean2, cov2 = self._moments(second)
        return self._normal_mean(mean, cov, lambda x: self._log_pdf(mean, cov, x)
                                 - self._log_pdf(mean2, cov2, x))

    def _moments(self, dist):
        """Mean vector and covariance matrix of ``N(mean, cov)`` as written; a mean written 0
        (``\\mathcal N(0, I)``) is the zero vector."""
        mean, cov = (self._eval(_read(t)) for t in dist)
        if _is_m(cov) and not _is_m(mean) and mean == 0:
            mean = mp.matrix(cov.rows, 1)
        return mean, cov

    def _normal_mean(self, mean, cov, f,
                     inexact="the Gauss–Hermite rule is not exact for this body"):
        """E[f(x)] for x ~ N(mean, cov): Gauss–Hermite product rules at 2 and 3 nodes per axis,
        which must agree to 30 digits (else NotEvaluable(``inexact``))."""
        if not (_is_m(mean) and _is_m(cov)) or mean.rows != cov.rows:
            raise N.NotEvaluable("a multivariate normal needs a mean vector and a covariance")
        low = mpmath.cholesky(cov)
        results = []
        for k in (2, 3):
            nodes, weights = _hermite(k)
            total = mp.mpf(0)
            for idx in _grid(k, cov.rows):
                t = mp.matrix([[nodes[i]] for i in idx])
                w = functools.reduce(lambda a, i: a * weights[i], idx, mp.mpf(1))
                total += w * _scalar(f(mean + low * t * mp.sqrt(2)))
            results.append(total / mp.pi ** (mp.mpf(cov.rows) / 2))
        if abs(results[0] - results[1]) > mp.mpf(10) ** -30 * max(1, abs(results[1])):
            raise N.NotEvaluable(inexact)
        return results[1]

    def expectation(self, e):
        dist = normal_of(self.pt.st, e.group("dist"))
        if dist is None:
            raise N.NotEvaluable(f"an expectation under {e.group('dist')}: not a multivariate "
                                 "normal of the text")
        body = _read(e.group("body"))
        var = e.group("var") or "x"
        mean, cov = (self._eval(_read(t)) for t in dist)
        return self._normal_mean(
            mean, cov, lambda x: type(self)(self.pt, {**self.bound, var: x})._eval(body),
            inexact="the expectation's body is not a low-degree polynomial in "
                    f"{var}: the Gauss–Hermite rule is not exact")


def _grid(k, n):
    if n == 0:
        yield ()
        return
    for rest in _grid(k, n - 1):
        for i in range(k):
            yield (*rest, i)


@functools.lru_cache(maxsize=4)
def _hermite(k):
    """Nodes and weights of the k-point Gauss–Hermite rule (∫ e^{-t²} f(t) dt), 60 digits."""
    with mp.workdps(N.DPS + 20):
        h = [[mp.mpf(1)], [mp.mpf(2), mp.mpf(0)]]  # coefficients, highest power first
        for j in range(1, k):
            nxt = [2 * c for c in h[j]] + [mp.mpf(0)]
            for i, c in enumerate(h[j - 1]):
                nxt[i + 2] -= 2 * j * c
            h.append(nxt)
        roots = sorted(mp.re(r) for r in mpmath.polyroots(h[k], maxsteps=200, extraprec=200))
        weights = [2 ** (k - 1) * mpmath.factorial(k) * mp.sqrt(mp.pi)
                   / (k ** 2 * mpmath.polyval(h[k - 1], r) ** 2) for r in roots]
    return roots, weights


@functools.lru_cache(maxsize=256)
def _read(text):
    """A formula from a flattened name's text (``(x-m)^topA(x-m)``, ``lnq(x)``)."""
    text = re.sub(r"\^top(?![a-z])", r"^\\top ", text)
    return parameter(text)


_PAIR = re.compile(r"^(?:D_?KL|KL|D)\((?P<a>.+?)(?:\|\||Vert)(?P<b>.+)\)$")
_ENTROPY = re.compile(r"^[Hh]\((?P<a>.+)\)$")


def divergence_of(st, name):
    r"""((mean, cov) texts, (mean, cov) texts or None) when ``name`` is the KL divergence (or
    the entropy) of multivariate normals of the text: ``D_KL(p||q)`` after ``p = \mathcal
    N(\mu_1, \Sigma_1)``, ``KL(N(m,S)||N(0,I))``; None otherwise."""
    m = _PAIR.match(name) or _ENTROPY.match(name)
    if not m:
        return None
    dists = [normal_of(st, g) for g in m.groups()]
    if any(d is None for d in dists):
        return None
    return dists[0], dists[1] if len(dists) == 2 else None


def normal_of(st, dist):
    """(mean text, covariance text) when ``dist`` is a multivariate normal: ``N(mu_p,Sigma_p)``
    or a name the text bound to one (``p = \\mathcal N(\\mu_p, \\Sigma_p)``)."""
    dist = getattr(st, "aliases", {}).get(dist, dist)
    m = _NORMAL.match(dist.replace(" ", ""))
    if not m or shape(m.group("cov")) not in ("spd", "matrix", "identity"):
        return None
    return m.group("mean"), m.group("cov")


# -- verdicts ------------------------------------------------------------------------------
