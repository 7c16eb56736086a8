"""A tiny HTTP proxy in front of the stack: answers the first requests from a script (e.g. 503 + Retry-After),
then forwards to the real service. It notes when each request arrived."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional, Tuple

import httpx

Canned = Tuple[int, Dict[str, str], dict]


class Proxy:
    def __init__(self, target: str, script: Optional[List[Canned]] = None, port: int = 0) -> None:
        self.target = target
        self.script = list(script or [])
        self.arrivals: List[float] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                proxy.arrivals.append(time.monotonic())
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if proxy.script:
                    status, headers, payload = proxy.script.pop(0)
                    content = json.dumps(payload).encode()
                else:
                    forwarded = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "apikey", "content-type")}
                    res = httpx.post(proxy.target + self.path, content=body, headers=forwarded, timeout=30)
                    status, headers, content = res.status_code, {}, res.content
                self.send_response(status)
                for key, value in {"content-type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "Proxy":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
