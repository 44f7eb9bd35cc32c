#!/usr/bin/env python3
"""A misbehaving TCP backend for fault tests. Prints "PORT <n>", then for every connection:
  silent     reads forever, never answers
  close-mid  reads one request, writes half of a framed reply, closes
  garbage    reads one request, answers with bytes that are no frame of any framing
  reset      closes at once, before reading
"""
import socket, sys, threading

mode = sys.argv[1]
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print("PORT %d" % listener.getsockname()[1], flush=True)


def serve(connection):
    try:
        if mode == "reset":
            connection.close()
            return
        data = connection.recv(65536)
        if mode == "silent":
            while connection.recv(65536):
                pass
        elif mode == "close-mid":
            # A frame that promises 100 bytes and delivers 10.
            connection.sendall(b"\x00\x00\x00\x64" + b"\x80\x01\x00\x02" + b"\x00" * 6)
        elif mode == "garbage":
            connection.sendall(b"\x00\x00\x00\x08" + b"GARBAGE!")
            while connection.recv(65536):
                pass
    except OSError:
        pass
    finally:
        connection.close()


while True:
    client, _ = listener.accept()
    threading.Thread(target=serve, args=(client,), daemon=True).start()
