"""The hash-chained audit trail shared by the web station and the CLI.

``AuditLog(Database(url))`` appends entries and verifies the chain; the chain itself is
pure code in :mod:`screening.audit.chain`.
"""

from screening.audit.chain import AuditEntry, ChainCheck, verify_chain
from screening.audit.log import AuditLog

__all__ = ["AuditEntry", "AuditLog", "ChainCheck", "verify_chain"]
