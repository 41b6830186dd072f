"""HME Workbench: scoring and reports for SKR's Hållbart medarbetarengagemang survey."""

from hme_core.deferred_imports import defer_rfc3987_syntax

__version__ = "0.1.0"

defer_rfc3987_syntax()
