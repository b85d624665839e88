"""`ocop reports serve`: the reports folder over HTTP, read only, so that links in Prefect's UI open.

A browser opens no file:// link from a web page such as Prefect's UI, and the files are on the
disk of the worker that built them anyway. With `OCOP_REPORTS_URL` set to where this server is
reached, the `build_reports` flow links its artifacts here (`report_url`).
"""

from __future__ import annotations

from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8790


class ReportsHandler(SimpleHTTPRequestHandler):
    """GET and HEAD of what lies inside the folder (http.server answers 501 to anything else)."""

    server_version = "ocop-reports"
    sys_version = ""
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".csv": "text/csv; charset=utf-8",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    def send_head(self):
        # http.server drops ".." from the path, but a symbolic link inside the folder may lead out of it
        if not Path(self.translate_path(self.path)).resolve().is_relative_to(self.directory):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")      # reports are rebuilt in place
        super().end_headers()


def reports_server(folder: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    """A server (not yet serving: call `serve_forever`) of `folder`, which must exist; port 0 picks a free one."""
    root = folder.resolve(strict=True)
    return ThreadingHTTPServer((host, port), partial(ReportsHandler, directory=str(root)))


def report_url(base_url: str, reports_dir: Path, path: Path) -> str:
    """Where the server of `reports_dir`, reached at `base_url`, serves `path` (a file or folder in it)."""
    relative = path.resolve().relative_to(reports_dir.resolve()).as_posix()
    tail = "/" if path.is_dir() and relative != "." else ""
    return base_url.rstrip("/") + "/" + ("" if relative == "." else quote(relative)) + tail
