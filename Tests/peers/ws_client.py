"""WebSocket client peer for the gateway's WebSocket bridge tests.

Runs one scenario given as JSON on standard input and prints the outcome as JSON on stdout.

Scenarios ("kind"):
  session  - the `websockets` library (an implementation we did not write): opens `url` with `protocols`,
             `headers` and `cookie`, sends `frames` ({"text": s} | {"binary_hex": h} | {"bad_utf8": true} |
             {"fragments": [s, ...]}) either all first (`read_while_sending`: false) or interleaved with reading,
             then reads until the close. Prints the handshake refusal (status, body) or the frames received with
             the close code and reason.
  raw      - a hand-written client on a plain socket for what libraries refuse to send: `frames` of
             {"opcode": n, "payload_hex": h, "fin": bool}; `answer_pings`: false leaves pings unanswered;
             `wait`: seconds to wait for the server's frames. Prints the frames received and whether the server
             closed the TCP connection.
  churn    - `count` short sessions, `concurrency` at a time: each sends `message` then a half-close and reads to
             the close. Prints how many ended with the status frame OK and close 1000, and the failures.
"""

import base64
import concurrent.futures
import json
import os
import socket
import struct
import sys
import time

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect


def session(scenario):
    headers = dict(scenario.get("headers", {}))
    if "cookie" in scenario:
        headers["Cookie"] = scenario["cookie"]
    try:
        ws = connect(
            scenario["url"],
            subprotocols=scenario.get("protocols") or None,
            additional_headers=headers,
            max_size=scenario.get("max_size", 64 << 20),
            open_timeout=10,
            close_timeout=5,
        )
    except InvalidStatus as refused:
        response = refused.response
        return {
            "accepted": False,
            "status": response.status_code,
            "body": response.body.decode("utf-8", "replace") if response.body else "",
            "headers": {k.lower(): v for k, v in response.headers.raw_items()},
        }
    received = []

    def receive(timeout):
        message = ws.recv(timeout=timeout)
        if isinstance(message, bytes):
            received.append({"binary_hex": message.hex()})
        else:
            received.append({"text": message})

    with ws:
        outcome = {"accepted": True, "protocol": ws.subprotocol}
        try:
            try:
                send_frames(ws, scenario, receive)
            except ConnectionClosed:
                pass  # the server ended the session first; what it sent before its Close is still read below
            while True:
                receive(scenario.get("read_timeout", 15))
        except ConnectionClosed:
            pass
        except TimeoutError:
            outcome["timed_out"] = True
        outcome["received"] = received
        outcome["close_code"] = ws.close_code
        outcome["close_reason"] = ws.close_reason
        return outcome


def send_frames(ws, scenario, receive):
    for frame in scenario.get("frames", []):
        if "text" in frame:
            ws.send(frame["text"])
        elif "binary_hex" in frame:
            ws.send(bytes.fromhex(frame["binary_hex"]))
        elif "bad_utf8" in frame:
            ws.send(b"{\"warehouse\": \"\xff\xfe\"}", text=True)
        elif "fragments" in frame:
            ws.send(iter(frame["fragments"]))
        if scenario.get("read_while_sending", True) and frame.get("expect_reply", False):
            receive(10)


def raw_connect(url, protocols=None):
    rest = url[len("ws://"):]
    authority, _, path = rest.partition("/")
    host, _, port = authority.partition(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /{path} HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    )
    if protocols:
        request += f"Sec-WebSocket-Protocol: {', '.join(protocols)}\r\n"
    sock.sendall((request + "\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("closed during the handshake: %r" % head)
        head += chunk
    head, _, extra = head.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    return sock, status, extra


def raw_frame(opcode, payload, fin=True):
    first = (0x80 if fin else 0) | opcode
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", first, 0x80 | length)
    elif length < 65536:
        header = struct.pack("!BBH", first, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", first, 0x80 | 127, length)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + masked


class FrameReader:
    def __init__(self, sock, buffered):
        self.sock = sock
        self.buffer = buffered
        self.eof = False

    def _need(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                self.eof = True
                raise EOFError
            self.buffer += chunk

    def next(self):
        self._need(2)
        first, second = self.buffer[0], self.buffer[1]
        length = second & 0x7F
        offset = 2
        if length == 126:
            self._need(4)
            length = struct.unpack("!H", self.buffer[2:4])[0]
            offset = 4
        elif length == 127:
            self._need(10)
            length = struct.unpack("!Q", self.buffer[2:10])[0]
            offset = 10
        self._need(offset + length)
        payload = self.buffer[offset:offset + length]
        self.buffer = self.buffer[offset + length:]
        return first & 0x0F, bytes(payload)


def raw(scenario):
    sock, status, extra = raw_connect(scenario["url"], scenario.get("protocols"))
    if status != 101:
        return {"status": status}
    for frame in scenario.get("frames", []):
        sock.sendall(raw_frame(frame["opcode"], bytes.fromhex(frame.get("payload_hex", "")), frame.get("fin", True)))
    reader = FrameReader(sock, extra)
    received = []
    deadline = time.monotonic() + scenario.get("wait", 10)
    closed_by_server = False
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            opcode, payload = reader.next()
        except (EOFError, ConnectionResetError):
            closed_by_server = True
            break
        except socket.timeout:
            break
        entry = {"opcode": opcode}
        if opcode == 8:
            entry["code"] = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            entry["reason"] = payload[2:].decode("utf-8", "replace")
        elif opcode == 1:
            entry["text"] = payload.decode("utf-8", "replace")
        else:
            entry["payload_hex"] = payload.hex()
        received.append(entry)
        if opcode == 9 and scenario.get("answer_pings", True):
            sock.sendall(raw_frame(10, payload))
        if opcode == 8 and scenario.get("answer_close", True):
            try:
                sock.sendall(raw_frame(8, payload[:2]))
            except OSError:
                pass
            for late in scenario.get("after_close", []):
                try:
                    sock.sendall(raw_frame(late["opcode"], bytes.fromhex(late.get("payload_hex", ""))))
                except OSError:
                    pass
    sock.close()
    return {"status": 101, "received": received, "closed_by_server": closed_by_server}


def churn(scenario):
    message = scenario["message"]

    def one(_):
        try:
            with connect(scenario["url"], open_timeout=10, close_timeout=5) as ws:
                ws.send(message)
                ws.send("")
                frames = []
                try:
                    while True:
                        frames.append(ws.recv(timeout=10))
                except ConnectionClosed:
                    pass
                ok = bool(frames) and json.loads(frames[-1]).get("status", {}).get("code") == "OK"
                return "ok" if ok and ws.close_code == 1000 else f"frames={frames} close={ws.close_code}"
        except Exception as error:  # noqa: BLE001 - every failure is reported
            return f"{type(error).__name__}: {error}"

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=scenario.get("concurrency", 8)) as pool:
        results = list(pool.map(one, range(scenario["count"])))
    failures = [r for r in results if r != "ok"]
    return {
        "ok": len(results) - len(failures),
        "failures": failures[:5],
        "failed": len(failures),
        "seconds": time.monotonic() - started,
    }


def main():
    scenario = json.loads(sys.stdin.read())
    kinds = {"session": session, "raw": raw, "churn": churn}
    print(json.dumps(kinds[scenario["kind"]](scenario)))


if __name__ == "__main__":
    main()
