# SPDX-License-Identifier: Apache-2.0
"""forwarder.py: a small in-test HTTP(S) server on 127.0.0.1 that forwards
each request to an upstream URL, unless an `answer(method, path, headers,
body)` hook returns its own (status, headers, body) for it.  Tests use it
to put TLS in front of the verifying proxy, or to answer a few calls moto
cannot serve while the rest goes through.  Bounded: every upstream call has
a timeout; the server stops when the `with` block ends.
"""

import http.server
import ssl
import threading
import urllib.error
import urllib.request

_HOP = ("content-length", "connection", "accept-encoding", "transfer-encoding")


class Forwarder:
    def __init__(self, upstream, answer=None, tls=None):
        """tls: (key_path, cert_path) to serve HTTPS (as https://localhost:PORT)."""
        up = upstream.rstrip("/")

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                mine = answer(self.command, self.path, self.headers, body) if answer else None
                if mine is not None:
                    status, hdrs, data = mine
                else:
                    req = urllib.request.Request(up + self.path, data=body or None,
                                                 method=self.command)
                    for k, v in self.headers.items():
                        if k.lower() not in _HOP:
                            req.add_header(k, v)
                    try:
                        resp = urllib.request.urlopen(req, timeout=60)
                        status, data, hdrs = resp.status, resp.read(), dict(resp.headers)
                    except urllib.error.HTTPError as e:
                        status, data, hdrs = e.code, e.read(), dict(e.headers)
                data = data.encode() if isinstance(data, str) else data
                self.send_response(status)
                for k, v in hdrs.items():
                    if k.lower() not in _HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        port = self.server.server_address[1]
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(tls[1]), str(tls[0]))
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            self.url = "https://localhost:%d" % port
        else:
            self.url = "http://127.0.0.1:%d" % port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *a):
        self.server.shutdown()
        self.server.server_close()
