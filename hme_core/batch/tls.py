"""Reaching a dask scheduler securely: the client's TLS files, and a warning for a scheduler
on another machine reached without TLS (README, "A secured cluster").

dask's TLS is mutual: the scheduler and its workers present certificates signed by the
cluster's CA and require one from every client, so a client without credentials is refused at
the handshake and never sees a worker's memory (docs/sources.md: dask.distributed, TLS/SSL).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hme_core.errors import HMEError


def insecure_scheduler(address: str) -> str:
    """A warning for a scheduler reached without TLS on another machine ('' otherwise): the
    batch's results travel in the clear and anyone who reaches it can join as a client.

    >>> insecure_scheduler("tls://10.0.0.5:8786"), insecure_scheduler("tcp://127.0.0.1:8786")
    ('', '')
    """
    from urllib.parse import urlsplit

    if address == "local" or address.startswith("tls://"):
        return ""
    host = urlsplit(address if "://" in address else f"tcp://{address}").hostname or ""
    if host in ("localhost", "127.0.0.1", "::1"):
        return ""
    return (f"Warning: --scheduler {address} is reached without TLS: the batch's results (no "
            "respondent rows) travel unencrypted and anyone who can reach the scheduler can "
            "submit work to it and read its workers' memory. Use a tls:// scheduler with "
            "certificates (README, 'A secured cluster').")


@dataclasses.dataclass(frozen=True)
class TLSFiles:
    """The client's TLS credentials for a `tls://` scheduler (mutual TLS: the scheduler and
    workers refuse a client without a certificate signed by the cluster's CA). Files given
    by option win; else dask's configuration (`distributed.comm.tls.ca-file`,
    `distributed.comm.tls.client.cert`, `distributed.comm.tls.client.key`, or the
    environment variables `DASK_DISTRIBUTED__COMM__TLS__CA_FILE`, ...)."""

    ca_file: str | None = None
    cert: str | None = None
    key: str | None = None

    def dask_security(self):
        """dask's `Security` with encryption required, or None when no CA file is known."""
        import dask.config
        from distributed.security import Security

        ca = self.ca_file or dask.config.get("distributed.comm.tls.ca-file", None)
        cert = self.cert or dask.config.get("distributed.comm.tls.client.cert", None)
        key = self.key or dask.config.get("distributed.comm.tls.client.key", None)
        if not ca:
            return None
        for what, path in (("CA file", ca), ("certificate", cert), ("key", key)):
            if path and not Path(path).is_file():
                raise HMEError(f"--tls: the {what} {path} does not exist")
        if not cert:
            raise HMEError("--tls-cert: a TLS scheduler needs this client's certificate "
                           "(signed by the cluster's CA)")
        return Security(tls_ca_file=str(ca), tls_client_cert=str(cert),
                        tls_client_key=str(key) if key else None, require_encryption=True)
