"""WebSocket backend for the gateway's WebSocket proxy tests, on the `websockets` library (asyncio server).

Prints "PORT <n>" once listening on 127.0.0.1. Every path but the ones below upgrades; the server picks the
subprotocol "chat.v2" when offered (else "chat.v1" when offered, else none). On a session it first sends one text
frame, the JSON {"hello": {"path", "subprotocol", "headers": {lower-case name: value}}}, then echoes every message
as it came (text as text, binary as binary), except:
  "close:<code>:<reason>"  closes the session with that code and reason;
  "burst:<n>:<size>"       sends n binary messages of size bytes (byte i of message k is (k + i) % 251).
  /refuse                  answers the upgrade with 403 and the body "refused by the backend".
  /closes                  (a session) sends the JSON list of the close codes and reasons clients sent so far.
"""

import asyncio
import json
import sys
from http import HTTPStatus

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

closes = []


def select_subprotocol(connection, offered):
    for wanted in ("chat.v2", "chat.v1"):
        if wanted in offered:
            return wanted
    return None


def process_request(connection, request):
    if request.path == "/refuse":
        return connection.respond(HTTPStatus.FORBIDDEN, "refused by the backend\n")
    return None


async def session(connection):
    request = connection.request
    if request.path == "/closes":
        await connection.send(json.dumps(closes))
        await connection.close()
        return
    headers = {}
    for name, value in request.headers.raw_items():
        key = name.lower()
        headers[key] = headers[key] + ", " + value if key in headers else value
    await connection.send(
        json.dumps({"hello": {"path": request.path, "subprotocol": connection.subprotocol, "headers": headers}}))
    try:
        async for message in connection:
            if isinstance(message, str) and message.startswith("close:"):
                _, code, reason = message.split(":", 2)
                await connection.close(int(code), reason)
                return
            if isinstance(message, str) and message.startswith("burst:"):
                _, count, size = message.split(":")
                for k in range(int(count)):
                    await connection.send(bytes((k + i) % 251 for i in range(int(size))))
                continue
            await connection.send(message)
    except ConnectionClosed:
        pass
    finally:
        received = connection.protocol.close_rcvd
        if received is not None:
            closes.append({"code": received.code, "reason": received.reason})
        else:
            closes.append({"code": None, "reason": None})


async def main():
    async with serve(
        session, "127.0.0.1", 0, process_request=process_request, select_subprotocol=select_subprotocol,
        max_size=64 << 20, ping_interval=None,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print("PORT %d" % port, flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
