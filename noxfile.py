"""nox sessions: tests, emit, verify, audit, bench, site, lint."""
import os

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session):
    session.install("-e", ".[test]")
    session.run("pytest", *(session.posargs or ["-n", "2"]))  # both cores, as .ci/run


@nox.session
def emit(session):
    session.install("-e", ".")
    session.run("klforge", "emit", *session.posargs)


@nox.session
def verify(session):
    session.install("-e", ".")
    session.run("klforge", "verify", *session.posargs)


@nox.session
def lint(session):
    session.install("ruff")
    session.run("ruff", "check", "klforge", "derive", "kernels", "tests", "noxfile.py")


@nox.session
def audit(session):
    """Audit course text (default: content/ when present), score the auditor on the
    seeded-error corpus and the planted-slip formula corpus (sensitivity/specificity, bars
    95 % / 99 %) and on the hand-labelled
    real documents in ../shared/real-corpus or $KLFORGE_REAL_CORPUS (error precision, recall,
    coverage; bars 95 % / 100 % / 90 %), when that directory is present."""
    session.install("-e", ".")
    paths = session.posargs or [p for p in ("content",) if os.path.isdir(p)]
    if paths:
        session.run("klforge", "audit", *paths)
    session.run("python", "tests/audit_corpus/score.py")
    session.run("python", "tests/formula_corpus/score.py")
    real = os.environ.get("KLFORGE_REAL_CORPUS") or os.path.join("..", "shared", "real-corpus")
    if os.path.isdir(real):
        session.run("python", "tests/real_corpus/score.py", "--quiet")
    else:
        session.log(f"no real corpus at {real}: real-document score skipped")


@nox.session
def bench(session):
    """Kernels against torch (CPU) and scipy, same run; writes bench-results/bench.json and
    bench.png.  `nox -s bench -- --quick` for a smoke run, `-- --check` to fail on a bar."""
    session.install("-e", ".[bench]")
    # the CPU build; elsewhere add `--index-url https://download.pytorch.org/whl/cpu`
    session.install(os.environ.get("KLFORGE_TORCH", "torch==2.13.0"))
    session.run("klforge", "bench", *session.posargs)


@nox.session
def site(session):
    """Build the lesson site from a clean checkout (strict: any warning fails), after
    checking the generated kernels are current.  `nox -s site -- --clean` rebuilds all."""
    session.install("-e", ".[docs]")
    session.run("klforge", "emit", "--check")
    session.run("klforge", "site", *session.posargs)
