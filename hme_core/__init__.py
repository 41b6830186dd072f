"""HME Workbench: scoring and reports for SKR's Hållbart medarbetarengagemang survey."""

__version__ = "0.1.0"
