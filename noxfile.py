"""nox sessions: tests, emit, verify, audit, lint (site and bench come with their issues)."""
import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session):
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


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
    session.run("ruff", "check", "derive", "kernels", "tests", "noxfile.py")


@nox.session
def audit(session):
    """Audit course text (default: content/ when present) and score the auditor on the
    seeded-error corpus (sensitivity/specificity, bars 95 % / 99 %)."""
    session.install("-e", ".")
    paths = session.posargs or [p for p in ("content",) if __import__("os").path.isdir(p)]
    if paths:
        session.run("klforge", "audit", *paths)
    session.run("python", "tests/audit_corpus/score.py")
