"""The browser floor's server: one tiny static HTML page on a free loopback port.

    python -m bench.static_server   # prints "Serving on http://127.0.0.1:PORT"
"""
import http.server
import sys

PAGE = (b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>floor</title></head>"
        b"<body><h1>floor</h1><p>A static page: the least a navigation can cost.</p></body></html>")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The headers and the body go out as two writes: with Nagle's algorithm the body waits for the
    # browser's delayed ACK of the headers on a kept-alive connection, ~27 ms a load on loopback
    # (bench/results/flow-account.md), which made this "floor" slower than the portal's own pages.
    disable_nagle_algorithm = True

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):  # the browser moved on; nothing to serve
            self.close_connection = True


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"Serving on http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
