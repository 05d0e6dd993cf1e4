"""Which pages depend on the engine (derivations, values, figures) or on the verification
manifest, so that Sphinx re-reads exactly those pages when either changes."""

from __future__ import annotations

from . import cache


def uses(env, what: str) -> None:
    """Record that the page being read uses ``what`` ("engine" or "manifest")."""
    deps = env.__dict__.setdefault("klforge_deps", {})
    deps.setdefault(env.docname, set()).add(what)


def purge(app, env, docname) -> None:
    getattr(env, "klforge_deps", {}).pop(docname, None)
    getattr(env, "klforge_audit", {}).pop(docname, None)


def merge(app, env, docnames, other) -> None:
    for attr in ("klforge_deps", "klforge_audit"):
        mine = env.__dict__.setdefault(attr, {})
        theirs = getattr(other, attr, {})
        for d in docnames:
            if d in theirs:
                mine[d] = theirs[d]


def outdated(app, env, added, changed, removed) -> list[str]:
    """``env-get-outdated``: pages whose engine or manifest inputs changed since the last
    build (the hashes are kept in the environment)."""
    now = {"engine": cache.engine_hash(), "manifest": cache.manifest_hash()}
    before = getattr(env, "klforge_hashes", None)
    env.klforge_hashes = now
    if before is None:
        return []
    stale = {k for k in now if before.get(k) != now[k]}
    deps = getattr(env, "klforge_deps", {})
    return sorted(d for d, used in deps.items() if used & stale and d in env.found_docs)
