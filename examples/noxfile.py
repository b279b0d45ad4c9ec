"""Sessions for the example project (cachelint lints the workflow that runs them)."""

import nox


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")


@nox.session(python=["3.10", "3.12"])
def tests(session: nox.Session) -> None:
    session.install("pytest", ".")
    session.run("pytest")


@nox.session
def docs(session: nox.Session) -> None:
    session.install("mkdocs")
    session.run("mkdocs", "build")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("mypy", ".")
    session.run("mypy", ".")
