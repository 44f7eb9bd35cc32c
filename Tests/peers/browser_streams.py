"""Drives headless Chromium over its DevTools protocol against the gateway's streams.

  browser_streams.py CHROMIUM GATEWAY_PORT SSE_PATH WS_PATH

Serves a small page on a loopback port of its own. The page opens an EventSource to SSE_PATH through a TCP relay
this script runs in front of the gateway, and a WebSocket straight to WS_PATH (subprotocol portico.json) that
sends five messages and a half-close. Once the page has received three events the relay cuts every connection it
carries, so the browser must reconnect with Last-Event-ID. Prints JSON: the page's record (events with their ids,
opens, errors, WebSocket frames and close) and how many events came before the cut.
"""

import http.server
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from websockets.sync.client import connect

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>streams</title></head><body>
<pre id="log"></pre>
<script>
window.record = {sse: [], opens: 0, errors: 0, ws: [], wsOpen: false, wsClose: null, wsErrors: 0};
const source = new EventSource(%(sse)s);
source.onopen = () => { record.opens += 1; };
source.onmessage = (event) => { record.sse.push({id: event.lastEventId, data: JSON.parse(event.data)}); };
source.onerror = () => { record.errors += 1; };
const socket = new WebSocket(%(ws)s, ["portico.json"]);
socket.onopen = () => {
  record.wsOpen = true;
  record.wsProtocol = socket.protocol;
  for (let i = 1; i <= 5; i++) socket.send(JSON.stringify({warehouse: "w" + i, delta: i}));
  socket.send("");
};
socket.onerror = () => { record.wsErrors += 1; };
socket.onmessage = (event) => { record.ws.push(JSON.parse(event.data)); };
socket.onclose = (event) => { record.wsClose = {code: event.code, reason: event.reason, clean: event.wasClean}; };
</script></body></html>
"""


class Relay:
    """Forwards loopback connections to the gateway; `cut()` closes every connection it carries."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.pairs = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self.pump, args=(client, upstream), daemon=True).start()

    def pump(self, client, upstream):
        sockets = [client, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 0.5)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        raise OSError
                    (upstream if source is client else client).sendall(data)
        except (OSError, ValueError):
            for item in sockets:
                try:
                    item.close()
                except OSError:
                    pass

    def cut(self):
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for client, upstream in pairs:
            for item in (client, upstream):
                try:
                    item.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        return len(pairs)


def serve_page(html):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class DevTools:
    def __init__(self, url):
        self.ws = connect(url, max_size=None, open_timeout=20)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv(timeout=20))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(reply["error"])
                return reply["result"]

    def record(self):
        result = self.call("Runtime.evaluate", expression="JSON.stringify(window.record || null)", returnByValue=True)
        value = result["result"].get("value")
        return json.loads(value) if value else None


def main():
    chromium, gateway_port, sse_path, ws_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    relay = Relay(gateway_port)
    html = PAGE % {
        "sse": json.dumps("http://127.0.0.1:%d%s" % (relay.port, sse_path)),
        "ws": json.dumps("ws://127.0.0.1:%d%s" % (gateway_port, ws_path)),
    }
    page = serve_page(html)
    profile = tempfile.mkdtemp(prefix="portico-chromium-")
    browser = subprocess.Popen(
        [
            chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-allow-origins=*",
            # The page's origin is not the gateway's: EventSource would need CORS headers otherwise.
            "--disable-web-security",
            "http://127.0.0.1:%d/" % page.server_address[1],
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        endpoint = None
        deadline = time.monotonic() + 60
        while endpoint is None and time.monotonic() < deadline:
            line = browser.stderr.readline()
            if not line:
                break
            match = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if match:
                endpoint = int(match.group(1))
        if endpoint is None:
            raise RuntimeError("chromium did not start its DevTools endpoint")
        threading.Thread(target=lambda: browser.stderr.read(), daemon=True).start()
        target = None
        while target is None and time.monotonic() < deadline:
            with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % endpoint) as response:
                targets = [t for t in json.load(response) if t.get("type") == "page" and "127.0.0.1" in t.get("url", "")]
            target = targets[0]["webSocketDebuggerUrl"] if targets else None
            time.sleep(0.1)
        tools = DevTools(target)
        before_cut = None
        record = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            record = tools.record()
            if record and before_cut is None and len(record["sse"]) >= 3:
                before_cut = len(record["sse"])
                relay.cut()
            if record and before_cut is not None and len(record["sse"]) >= before_cut + 3 and record["wsClose"]:
                break
            time.sleep(0.1)
        print(json.dumps({"record": record, "before_cut": before_cut}))
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
        page.shutdown()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
