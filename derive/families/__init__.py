"""Distribution families, one file each: the family's data (parameters, domains, the
density or pmf on its support), the recipe of its KL's stable form, its kernel's
verification spec (bar or bound, sampling, hard points) and its reference-page text.

Nothing else is edited to add a family: :func:`klforge.derive.core._load_all` imports every
module here, and emit, verify, the kernels' exports, the reference pages, the torch
cross-checks and the hashed sources are computed from the registry.  Exponential families
register through :func:`klforge.derive.expfam_derivations.register` (KL by the Bregman identity,
entropy, cross-entropy, Fisher information, natural gradient); others (``laplace.py``)
derive their KL from the definition ∫ p log(p/q).
"""
