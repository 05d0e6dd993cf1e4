"""nox sessions: tests, emit, verify, lint (audit, site and bench come with their issues)."""
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
