"""`hme narratives serve`: the HR partner's page, served by Voilà on this machine only.

Voilà (voila-dashboards, Jupyter's own project) runs `notebooks/narrative_page.ipynb` in a
kernel and shows its ipywidgets without any code: the page is a notebook like the report, its
logic plain Python in `hme_core.page`. The server:

- listens on 127.0.0.1 only, with a random token (Jupyter's rule: whoever opens the page must
  know the token); the link with the token is printed, as `jupyter lab` prints it;
- passes the year, the store, the language and the token to the kernel in its environment
  (``HME_PAGE_*``; ``HME_PARAMS`` and ``HME_OUTPUTS`` as every command sets them);
- serves the year's rendered reports (HTML and PDF under ``outputs/reports/``) to the same
  logged-in user at ``/reports/<year>/<folder>/<file>``, nothing else from disk;
- stops its kernels when it stops (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from jupyter_server.base.handlers import AuthenticatedFileHandler, JupyterHandler
from tornado import web
from tornado.ioloop import IOLoop
from traitlets.config import Config
from voila.app import Voila

from hme_core.paths import notebooks_dir, outputs_dir

PAGE_NOTEBOOK = "narrative_page.ipynb"
HOST = "127.0.0.1"
#: Only rendered reports: <year>/<folder>/report[.<lang>].html|pdf
REPORT_FILE = r"\d{4}/[^/]+/report(\.[a-z]{2,8})?\.(html|pdf)"


class ReportFileHandler(AuthenticatedFileHandler):
    """A rendered report, for the logged-in user only (token or its cookie). HTML is served
    sandboxed (no script of a report can reach the server); PDF plainly, for the browser's viewer."""

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        rel = os.path.relpath(absolute_path, root).replace(os.sep, "/")
        if not re.fullmatch(REPORT_FILE, rel):
            raise web.HTTPError(404)
        return super().validate_absolute_path(root, absolute_path)

    @property
    def content_security_policy(self) -> str:
        if (self.request.path or "").endswith(".pdf"):
            return JupyterHandler.content_security_policy.fget(self)
        return super().content_security_policy


class PageServer(Voila):
    """Voilà with the reports route, the whole link printed, and its kernels stopped on exit."""

    reports_root = ""

    @property
    def display_url(self) -> str:
        token = self.identity_provider.token if self.identity_provider else ""
        return f"http://{HOST}:{self.port}/" + (f"?token={token}" if token else "")

    def init_handlers(self) -> list:
        route = (r"/reports/(.*)", ReportFileHandler, {"path": self.reports_root})
        return [route, *super().init_handlers()]

    def start(self) -> None:
        IOLoop.current().add_callback(self._announce)
        super().start()

    def _announce(self) -> None:
        print(f"The HR partner's page is at {self.display_url}\n"
              "Open it in a browser on this machine; stop it with Ctrl-C.", flush=True)

    def stop(self) -> None:
        try:
            IOLoop.current().run_sync(self.kernel_manager.shutdown_all, timeout=20)
        except Exception:  # noqa: BLE001 - stopping: the kernels also exit with their parent
            pass
        super().stop()


#: Voilà's own file route serves nothing (a pattern no path matches): reports have their own.
SERVER_CONFIG = Config({"VoilaConfiguration": {"file_allowlist": ["(?!)"]}})


def serve_arguments(notebook: Path, port: int, token: str, lang: str) -> list[str]:
    """Voilà's command line for the page: this machine only, the token, no code shown."""
    return [str(notebook), "--no-browser", f"--port={int(port)}", f"--Voila.ip={HOST}",
            f"--token={token}", "--Voila.port_retries=0", "--strip_sources=True",
            f"--VoilaExporter.language_code={lang}", "--theme=light"]


def serve(year: int | None, port: int, db: Path, lang: str = "sv") -> None:
    """Run the page until stopped (blocks). The year defaults to the latest stored year."""
    token = secrets.token_hex(24)
    os.environ.update({"HME_PAGE_DB": str(Path(db).resolve()), "HME_PAGE_LANG": lang,
                       "HME_PAGE_TOKEN": token, "HME_PAGE_YEAR": str(year or "")})
    os.environ.setdefault("MPLBACKEND", "Agg")
    PageServer.reports_root = str(outputs_dir() / "reports")
    Path(PageServer.reports_root).mkdir(parents=True, exist_ok=True)
    PageServer.launch_instance(argv=serve_arguments(notebooks_dir() / PAGE_NOTEBOOK, port,
                                                    token, lang), config=SERVER_CONFIG)
