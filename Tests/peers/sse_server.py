#!/usr/bin/env python3
"""An independent Server-Sent Events server for the SSE client tests (stdlib only). Prints "PORT <n>", then serves
HTTP/1.1 on 127.0.0.1 with the scenario chosen by the path:

  /resume     ids from Last-Event-ID + 1: `per` events (default 3) with ids and data "event N", the first with
              `retry:` (query retry=, default 100 ms), then the start of one more event (no blank line), then drops the connection
              (no last chunk). With end=clean the stream ends properly after the events instead.
  /nocontent  204 No Content
  /wrongtype  200 with Content-Type application/json
  /error      500 with a text body
  /mixed      a BOM, comments, multi-line data, CR, LF and CRLF line ends (some split between writes), event
              types, an id with NUL (ignored), retry with a non-digit (ignored), then the end of the stream
  /endless    "tick N" every 50 ms until the client goes away

With --log FILE, every request is logged there before it is answered, one JSON line each (path, method, headers
with lowercase names, body), and so is every stream the client closed ({"closed": path}).
"""
import argparse
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
LOG_FILE = None


def record(entry):
    if LOG_FILE is None:
        return
    with LOCK:
        LOG_FILE.write(json.dumps(entry) + "\n")
        LOG_FILE.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def handle_any(self):
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record({
            "path": self.path,
            "method": self.command,
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        })
        scenario = getattr(self, "scenario_" + url.path.strip("/"), None)
        if scenario is None:
            self.answer(404, "text/plain", b"no such scenario\n")
            return
        try:
            scenario(query)
        except (BrokenPipeError, ConnectionResetError):
            record({"closed": self.path})
            self.close_connection = True

    def answer(self, status, content_type, payload):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def drop(self):
        """Ends the connection in the middle of the chunked body: a network error for the client."""
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def scenario_resume(self, query):
        last = self.headers.get("Last-Event-ID") or "0"
        start = int(last) if last.isdigit() else 0
        per = int(query.get("per", "3"))
        self.start_stream()
        for number in range(start + 1, start + per + 1):
            retry = "retry: %s\n" % query.get("retry", "100") if number == start + 1 else ""
            self.chunk("%sid: %d\ndata: event %d\n\n" % (retry, number, number))
        if query.get("end") == "clean":
            self.end_stream()
        else:
            self.chunk("id: %d\ndata: never dispatched" % (start + per + 1))
            time.sleep(0.05)
            self.drop()

    def scenario_nocontent(self, query):
        self.send_response(204)
        self.end_headers()

    def scenario_wrongtype(self, query):
        self.answer(200, "application/json", b'{"not": "an event stream"}')

    def scenario_error(self, query):
        self.answer(500, "text/plain", b"something broke\n")

    def scenario_mixed(self, query):
        self.start_stream()
        parts = [
            b"\xef\xbb\xbf: hello\r\n",
            b"event: update\r\ndata: line one\r\ndata: line two\r",
            b"\nid: m1\r\n\r\n",
            b"data:no space\nid: bad\x00id\nretry: 12x\n\n",
            b"data: cr only\rdata\r\r",
            b": keep-alive\n\nevent: done\ndata: {\"ok\": true}\n\n",
        ]
        for part in parts:
            self.chunk(part)
            time.sleep(0.02)
        self.end_stream()

    def scenario_endless(self, query):
        self.start_stream()
        number = 0
        while True:
            number += 1
            self.chunk("id: %d\ndata: tick %d\n\n" % (number, number))
            time.sleep(0.05)


arguments = argparse.ArgumentParser()
arguments.add_argument("--log")
options = arguments.parse_args()
if options.log:
    LOG_FILE = open(options.log, "a")
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print("PORT %d" % server.server_address[1], flush=True)
server.serve_forever()
