"""``klforge audit``: check the numeric claims of course text (Markdown/MyST, LaTeX)."""

from .api import AuditInputError, Report, audit_paths, audit_text
from .check import Finding
from .latex import Unsupported, parse_chain

__all__ = ["AuditInputError", "Finding", "Report", "Unsupported", "audit_paths", "audit_text",
           "parse_chain"]
