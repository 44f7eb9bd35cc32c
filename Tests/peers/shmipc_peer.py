#!/usr/bin/env python3
"""An independent shmipc peer, written from shared/specs/shmipc.md only (mmap, socket, struct, ctypes).

It checks Portico's ShmIPC against a second implementation of the wire protocol.

  server --listen PATH [--max-version 3] [--fallback] [--reply-close] [--sessions N] [--fault F]
      Accepts sessions (v2 or v3, chosen by the first event) and echoes every stream's bytes back on the
      same stream.  --fallback sends every echo as FallbackData; --reply-close closes each stream right after
      its first echo (the close element is queued after the echo, as the deployed sender does).
      Faults: die-on-data, bad-offset-reply, garbage-reply, no-drain, no-ack.
  client --connect PATH [--mode memfd|filepath] --sizes 1,100,... [--streams S] [--rounds R]
         [--buffer-size BYTES] [--queue-cap N] [--fault F]
      Sends the deterministic pattern on S streams, checks every echoed byte and closes the streams.  Prints
      "OK ..." and exits 0 on success, 1 on any mismatch or error.
      Faults (the process then exits): wrong-magic, bad-version, silent, garbage-after-handshake,
      bad-offset, die-mid-message, bad-slice (a corrupt slice header after one good echo), shrink-buffer and
      shrink-queue (truncate a region after the handshake, then make the server read it), exit-without-cleanup
      (leave the v2 files behind, as a crashed client would).

Deployed behaviours it follows (shared/specs/shmipc.md): no half close (a stream is over once either side
has closed it: after receiving a close nothing more is sent, not even a close); FallbackData is delivered
before queue elements that arrive with or after it; a v2 server removes the queue file at session end and the
buffer file when its last session ends; allocation takes the free-list head only when its hasNext flag is
set; every pop and push adds -1/+1 to the list's leak-check counter (@20 creator, @24 mapper).
"""
import argparse
import array
import ctypes
import ctypes.util
import mmap
import os
import select
import socket
import struct
import sys
import time

MAGIC = 0x7758
HEADER = struct.Struct(">IHBB")
(SHARE_BY_FILE_PATH, POLLING, STREAM_CLOSE, FALLBACK_DATA, EXCHANGE_VERSION,
 SHARE_BY_MEMFD, ACK_SHARE_MEMORY, ACK_READY_RECV_FD, HOT_RESTART, HOT_RESTART_ACK) = range(10)

MANAGER_HEADER = 8
LIST_HEADER = 36
SLICE_HEADER = 20
HAS_NEXT = 1
IN_USE = 2
QUEUE_HEADER = 24
ELEMENT = 12
# x86-64 queue header: cap u32 @0, head i64 @4, tail i64 @12, workingFlag u32 @20.
HEAD_OFF, TAIL_OFF, FLAG_OFF = 4, 12, 20
SEQ_CST = 5

_atomic = ctypes.CDLL(ctypes.util.find_library("atomic") or "libatomic.so.1")
for _name, _res, _args in [
    ("__atomic_fetch_add_4", ctypes.c_uint32, [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]),
    ("__atomic_fetch_add_8", ctypes.c_uint64, [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int]),
    ("__atomic_load_4", ctypes.c_uint32, [ctypes.c_void_p, ctypes.c_int]),
    ("__atomic_load_8", ctypes.c_uint64, [ctypes.c_void_p, ctypes.c_int]),
    ("__atomic_store_4", None, [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]),
    ("__atomic_compare_exchange_4", ctypes.c_bool,
     [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_int]),
]:
    _fn = getattr(_atomic, _name)
    _fn.restype = _res
    _fn.argtypes = _args
_fetch_add_4, _fetch_add_8 = _atomic.__atomic_fetch_add_4, _atomic.__atomic_fetch_add_8
_load_4, _load_8, _store_4 = _atomic.__atomic_load_4, _atomic.__atomic_load_8, _atomic.__atomic_store_4
_compare_exchange_4 = _atomic.__atomic_compare_exchange_4


def pattern(count, seed):
    return bytes(((seed * 131 + i * 7 + (i >> 8)) & 0xFF) for i in range(count))


class PeerError(Exception):
    pass


class Region:
    """A shared mapping with native-endian plain and atomic access by offset."""

    def __init__(self, fd, size):
        self.size = size
        self.mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        self._anchor = ctypes.c_char.from_buffer(self.mm)
        self.base = ctypes.addressof(self._anchor)

    def close(self):
        del self._anchor
        self.mm.close()

    def check(self, off, n):
        if off < 0 or off + n > self.size:
            raise PeerError("offset %d+%d outside the region of %d bytes" % (off, n, self.size))

    def u32(self, off):
        return struct.unpack_from("<I", self.mm, off)[0]

    def set_u32(self, off, v):
        struct.pack_into("<I", self.mm, off, v & 0xFFFFFFFF)

    def add32(self, off, v):
        return _fetch_add_4(self.base + off, v & 0xFFFFFFFF, SEQ_CST)

    def add64(self, off, v):
        return _fetch_add_8(self.base + off, v, SEQ_CST)

    def load32(self, off):
        return _load_4(self.base + off, SEQ_CST)

    def load64(self, off):
        return ctypes.c_int64(_load_8(self.base + off, SEQ_CST)).value

    def store32(self, off, v):
        _store_4(self.base + off, v, SEQ_CST)

    def cas32(self, off, expected, desired):
        e = ctypes.c_uint32(expected)
        return _compare_exchange_4(self.base + off, ctypes.byref(e), desired, SEQ_CST, SEQ_CST)


class Buffer:
    """The buffer manager: slice lists whose free lists live in the region."""

    def __init__(self, region, specs=None):
        self.r = region
        self.lists = []  # (header offset, slice count, slice capacity)
        # The leak-check counter this side adds to: @20 for the region's creator, @24 for the mapper.
        self.counter = 20 if specs is not None else 24
        if specs is not None:
            self._format(specs)
        else:
            self._attach()
        self.total = sum(n for _, n, _ in self.lists)

    def _format(self, specs):
        r = self.r
        cap = r.size - MANAGER_HEADER - LIST_HEADER * len(specs)
        off = MANAGER_HEADER
        for size, percent in specs:
            n = (cap * percent // 100) // (size + SLICE_HEADER)
            if n < 1:
                raise PeerError("buffer too small for the %d-byte list" % size)
            stride = size + SLICE_HEADER
            r.set_u32(off, n)
            r.set_u32(off + 4, n)
            r.set_u32(off + 8, 0)
            r.set_u32(off + 12, (n - 1) * stride)
            r.set_u32(off + 16, size)
            r.set_u32(off + 20, 0)
            r.set_u32(off + 24, 0)
            for i in range(n):
                s = off + LIST_HEADER + i * stride
                struct.pack_into("<IIIIB", r.mm, s, size, 0, 0, (i + 1) * stride, HAS_NEXT if i + 1 < n else 0)
            self.lists.append((off, n, size))
            off += LIST_HEADER + n * stride
        struct.pack_into("<HHI", r.mm, 0, len(specs), 0, off - MANAGER_HEADER)

    def _attach(self):
        r = self.r
        count = struct.unpack_from("<H", r.mm, 0)[0]
        off = MANAGER_HEADER
        for _ in range(count):
            r.check(off, LIST_HEADER)
            n, size = r.u32(off + 4), r.u32(off + 16)
            r.check(off + LIST_HEADER, n * (size + SLICE_HEADER))
            self.lists.append((off, n, size))
            off += LIST_HEADER + n * (size + SLICE_HEADER)

    def _list_of(self, off):
        for index, (h, n, size) in enumerate(self.lists):
            data, stride = h + LIST_HEADER, size + SLICE_HEADER
            if data <= off < data + n * stride and (off - data) % stride == 0:
                return index
        raise PeerError("offset %d is not a slice" % off)

    def _pop(self, index):
        h, n, size = self.lists[index]
        stride = size + SLICE_HEADER
        remain = self.r.add32(h, -1)
        if ctypes.c_int32(remain).value - 1 <= 0:
            self.r.add32(h, 1)
            return None
        for _ in range(200):
            old = self.r.load32(h + 8)
            if old % stride or old // stride >= n:
                break
            slice_off = h + LIST_HEADER + old
            # Only a linked head may be taken: a free that moved the tail may not have linked it yet.
            if self.r.mm[slice_off + 16] & HAS_NEXT:
                nxt = self.r.load32(slice_off + 12)
                if self.r.cas32(h + 8, old, nxt):
                    struct.pack_into("<IIIIB", self.r.mm, slice_off, size, 0, 0, 0, IN_USE)
                    self.r.add32(h + self.counter, -1)
                    return slice_off
            elif ctypes.c_int32(self.r.load32(h)).value <= 1:
                break
        self.r.add32(h, 1)
        return None

    def counters(self):
        """(creator, mapper) leak-check counters of every list; they sum to 0 when no slice is outstanding."""
        return [(ctypes.c_int32(self.r.load32(h + 20)).value, ctypes.c_int32(self.r.load32(h + 24)).value)
                for h, _, _ in self.lists]

    def alloc(self, want):
        order = sorted(range(len(self.lists)), key=lambda i: self.lists[i][2])
        for i in order:
            if self.lists[i][2] >= want:
                s = self._pop(i)
                if s is not None:
                    return s
        for i in reversed(order):
            if self.lists[i][2] < want:
                s = self._pop(i)
                if s is not None:
                    return s
        return None

    def free(self, off):
        index = self._list_of(off)
        h, n, size = self.lists[index]
        data = h + LIST_HEADER
        struct.pack_into("<IIB", self.r.mm, off + 4, 0, 0, 0)
        self.r.mm[off + 16] = 0
        new_tail = off - data
        while True:
            old = self.r.load32(h + 12)
            if self.r.cas32(h + 12, old, new_tail):
                prev = data + old
                self.r.store32(prev + 12, new_tail)
                self.r.mm[prev + 16] = self.r.mm[prev + 16] | HAS_NEXT
                self.r.add32(h, 1)
                self.r.add32(h + self.counter, 1)
                return

    def write_chain(self, data):
        """Copies `data` into a chain of slices; returns the first slice's offset, or None if memory ran out."""
        taken, pos = [], 0
        while pos < len(data) or not taken:
            s = self.alloc(len(data) - pos)
            if s is None:
                for t in taken:
                    self.free(t)
                return None
            cap = self.r.u32(s)
            n = min(cap, len(data) - pos)
            self.r.mm[s + SLICE_HEADER:s + SLICE_HEADER + n] = data[pos:pos + n]
            self.r.set_u32(s + 4, n)
            if taken:
                self.r.set_u32(taken[-1] + 12, s)
                self.r.mm[taken[-1] + 16] |= HAS_NEXT
            taken.append(s)
            pos += n
        return taken[0]

    def read_chain(self, off):
        """Reads a message chain, validating every hop, and frees its slices."""
        out, hops = [], 0
        while True:
            index = self._list_of(off)
            cap = self.lists[index][2]
            size, start, nxt = struct.unpack_from("<III", self.r.mm, off + 4)
            flags = self.r.mm[off + 16]
            if start > cap or size > cap - start:
                raise PeerError("slice %d claims %d bytes from %d" % (off, size, start))
            begin = off + SLICE_HEADER + start
            out.append(bytes(self.r.mm[begin:begin + size]))
            self.free(off)
            hops += 1
            if not flags & HAS_NEXT:
                return b"".join(out)
            if hops > self.total:
                raise PeerError("chain loops")
            off = nxt


class Queue:
    def __init__(self, region, offset):
        self.r, self.h = region, offset
        self.cap = region.u32(offset)

    def put(self, stream, off, status):
        for attempt in range(11):
            tail, head = self.r.load64(self.h + TAIL_OFF), self.r.load64(self.h + HEAD_OFF)
            if tail - head < self.cap:
                slot = self.h + QUEUE_HEADER + (tail % self.cap) * ELEMENT
                struct.pack_into("<III", self.r.mm, slot, stream, off, status)
                self.r.add64(self.h + TAIL_OFF, 1)
                return True
            if attempt < 10:
                time.sleep(0.01)
        return False

    def pop(self):
        head, tail = self.r.load64(self.h + HEAD_OFF), self.r.load64(self.h + TAIL_OFF)
        if head >= tail:
            return None
        slot = self.h + QUEUE_HEADER + (head % self.cap) * ELEMENT
        element = struct.unpack_from("<III", self.r.mm, slot)
        self.r.add64(self.h + HEAD_OFF, 1)
        return element

    def size(self):
        return self.r.load64(self.h + TAIL_OFF) - self.r.load64(self.h + HEAD_OFF)

    def mark_working(self):
        return self.r.cas32(self.h + FLAG_OFF, 0, 1)

    def mark_not_working(self):
        self.r.store32(self.h + FLAG_OFF, 0)
        if self.size() == 0:
            return True
        self.r.store32(self.h + FLAG_OFF, 1)
        return False


def event(kind, version, payload=b""):
    return HEADER.pack(8 + len(payload), MAGIC, version, kind) + payload


def paths_payload(queue_path, buffer_path):
    q, b = queue_path.encode(), buffer_path.encode()
    return struct.pack(">H", len(q)) + q + struct.pack(">H", len(b)) + b


def parse_paths(payload):
    n = struct.unpack_from(">H", payload, 0)[0]
    q = payload[2:2 + n].decode()
    m = struct.unpack_from(">H", payload, 2 + n)[0]
    return q, payload[4 + n:4 + n + m].decode()


class Session:
    def __init__(self, sock):
        self.sock = sock
        self.pending = b""
        self.version = 3
        self.regions = []
        self.files = []  # v2 files this side removes at session end
        self.fds = {}  # the client's region descriptors, kept for the shrink faults
        self.closed_streams = set()

    # -- socket ---------------------------------------------------------------------------------------
    def recv_exact(self, n, timeout=None):
        while len(self.pending) < n:
            if timeout is not None:
                ready, _, _ = select.select([self.sock], [], [], timeout)
                if not ready:
                    raise PeerError("timed out")
            chunk = self.sock.recv(max(65536, n - len(self.pending)))
            if not chunk:
                raise EOFError("peer closed the connection")
            self.pending += chunk
        data, self.pending = self.pending[:n], self.pending[n:]
        return data

    def recv_event(self, timeout=None):
        length, magic, version, kind = HEADER.unpack(self.recv_exact(8, timeout))
        if magic != MAGIC or version == 0 or kind > 9 or length < 8:
            raise PeerError("bad event header: length %d magic %x version %d type %d" % (length, magic, version, kind))
        return kind, version, self.recv_exact(length - 8, timeout)

    def expect(self, kind):
        got, version, payload = self.recv_event(timeout=5)
        if got != kind:
            raise PeerError("expected event %d, got %d" % (kind, got))
        return version, payload

    def send(self, data):
        self.sock.sendall(data)

    # -- handshakes -----------------------------------------------------------------------------------
    def client_handshake(self, mode, buffer_size, queue_cap, specs):
        prefix = "/dev/shm/pyshmipc_%d" % os.getpid()
        queue_path, buffer_path = prefix + "_queue_1", prefix + "_buffer"
        if mode == "memfd":
            self.send(bytes([0, 0, 0, 8, 0x77, 0x58, 3, 4]))
            version, _ = self.expect(EXCHANGE_VERSION)
            self.version = min(3, version)
        else:
            self.version = 2
        queue_size = 2 * (QUEUE_HEADER + ELEMENT * queue_cap)
        if self.version == 3:
            buffer_fd = os.memfd_create("shmipc" + buffer_path)
            queue_fd = os.memfd_create("shmipc" + queue_path)
        else:
            buffer_fd = os.open(buffer_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
            queue_fd = os.open(queue_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
            self.files = [buffer_path, queue_path]
        self.paths = {"buffer": buffer_path, "queue": queue_path}
        os.ftruncate(buffer_fd, buffer_size)
        os.ftruncate(queue_fd, queue_size)
        buffer_region, queue_region = Region(buffer_fd, buffer_size), Region(queue_fd, queue_size)
        self.regions = [buffer_region, queue_region]
        self.buffer = Buffer(buffer_region, specs)
        for off in (0, QUEUE_HEADER + ELEMENT * queue_cap):
            struct.pack_into("<IqqI", queue_region.mm, off, queue_cap, 0, 0, 0)
        self.send_queue = Queue(queue_region, 0)
        self.recv_queue = Queue(queue_region, QUEUE_HEADER + ELEMENT * queue_cap)
        if self.version == 3:
            self.send(event(SHARE_BY_MEMFD, 3, paths_payload(queue_path, buffer_path)))
            self.expect(ACK_READY_RECV_FD)
            self.sock.sendmsg([b"\x00"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [buffer_fd, queue_fd]))])
            self.expect(ACK_SHARE_MEMORY)
        else:
            self.send(event(SHARE_BY_FILE_PATH, 2, paths_payload(queue_path, buffer_path)))
        self.fds = {"buffer": buffer_fd, "queue": queue_fd}

    def server_handshake(self, max_version, fault=None):
        kind, version, payload = self.recv_event(timeout=5)
        if version == 2 and kind == SHARE_BY_FILE_PATH:
            self.version = 2
            self._map_files(payload)
        elif version == 3 and kind == EXCHANGE_VERSION:
            self.send(event(EXCHANGE_VERSION, max_version))
            self.version = min(version, max_version)
            if self.version == 3:
                self.expect(SHARE_BY_MEMFD)
                if fault == "no-ack":
                    time.sleep(5)
                    raise PeerError("no-ack fault: the handshake was left hanging")
                self.send(event(ACK_READY_RECV_FD, 3))
                msg, ancillary, _, _ = self.sock.recvmsg(1, socket.CMSG_SPACE(8 * 4))
                fds = array.array("i")
                for level, kind_, data in ancillary:
                    if level == socket.SOL_SOCKET and kind_ == socket.SCM_RIGHTS:
                        fds.frombytes(data[:len(data) - len(data) % 4])
                if msg != b"\x00" or len(fds) != 2:
                    raise PeerError("expected one 0x00 byte with 2 descriptors, got %r and %d" % (msg, len(fds)))
                buffer_fd, queue_fd = fds
                self._map_fds(buffer_fd, queue_fd)
                self.send(event(ACK_SHARE_MEMORY, 3))
            else:
                _, payload = self.expect(SHARE_BY_FILE_PATH)
                self._map_files(payload)
        else:
            raise PeerError("unexpected first event %d version %d" % (kind, version))

    def _map_files(self, payload):
        queue_path, buffer_path = parse_paths(payload)
        buffer_fd, queue_fd = os.open(buffer_path, os.O_RDWR), os.open(queue_path, os.O_RDWR)
        self._map_fds(buffer_fd, queue_fd)
        # The deployed server removes the queue file at session end, the buffer file after its last session.
        self.server_files = (queue_path, buffer_path)
        BUFFER_USERS[buffer_path] = BUFFER_USERS.get(buffer_path, 0) + 1

    def _map_fds(self, buffer_fd, queue_fd):
        buffer_region = Region(buffer_fd, os.fstat(buffer_fd).st_size)
        queue_region = Region(queue_fd, os.fstat(queue_fd).st_size)
        os.close(buffer_fd)
        os.close(queue_fd)
        self.regions = [buffer_region, queue_region]
        self.buffer = Buffer(buffer_region)
        cap = queue_region.u32(0)
        self.recv_queue = Queue(queue_region, 0)
        self.send_queue = Queue(queue_region, QUEUE_HEADER + ELEMENT * cap)

    # -- data -----------------------------------------------------------------------------------------
    def notify(self):
        if self.send_queue.mark_working():
            self.send(event(POLLING, self.version))

    def send_data(self, stream, data, fallback=False):
        off = None if fallback else self.buffer.write_chain(data)
        if off is None:
            self.send(event(FALLBACK_DATA, self.version, struct.pack(">II", stream, 0) + data))
            return "fallback"
        if not self.send_queue.put(stream, off, 0):
            raise PeerError("queue full")
        self.notify()
        return "shm"

    def send_close(self, stream, use_event=False):
        if use_event or not self.send_queue.put(stream, 0, 1):
            self.send(event(STREAM_CLOSE, self.version, struct.pack(">I", stream)))
        else:
            self.notify()

    def _drain(self, out):
        while True:
            while True:
                element = self.recv_queue.pop()
                if element is None:
                    break
                stream, off, status = element
                if status & 0xFF == 1:
                    out.append(("close", stream, None))
                else:
                    out.append(("data", stream, self.buffer.read_chain(off)))
            if self.recv_queue.mark_not_working():
                return

    def next_messages(self, timeout=10, drain=True):
        """Waits for one event and returns what it carried: [("data", id, bytes) | ("close", id, None)]."""
        kind, _, payload = self.recv_event(timeout)
        out = []
        if kind == POLLING:
            if drain:
                self._drain(out)
        elif kind == FALLBACK_DATA:
            # The payload comes before any queue element that arrived with or after it (a close, say).
            stream, status = struct.unpack_from(">II", payload, 0)
            out.append(("data", stream, payload[8:]))
            if status & 0xFF == 1:
                out.append(("close", stream, None))
            self._drain(out)
        elif kind == STREAM_CLOSE:
            self._drain(out)
            out.append(("close", struct.unpack_from(">I", payload, 0)[0], None))
        elif kind not in (HOT_RESTART, HOT_RESTART_ACK):
            raise PeerError("unexpected event %d after the handshake" % kind)
        return out

    def close(self):
        self.sock.close()
        for r in self.regions:
            r.close()
        for fd in self.fds.values():
            os.close(fd)
        self.fds = {}
        files = list(self.files)
        if getattr(self, "server_files", None):
            queue_path, buffer_path = self.server_files
            files.append(queue_path)
            BUFFER_USERS[buffer_path] -= 1
            if BUFFER_USERS[buffer_path] == 0:
                del BUFFER_USERS[buffer_path]
                files.append(buffer_path)
        for f in files:
            try:
                os.unlink(f)
            except FileNotFoundError:
                pass


# Server side: sessions using each v2 buffer file.
BUFFER_USERS = {}


def run_server(args):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(args.listen):
        os.unlink(args.listen)
    listener.bind(args.listen)
    listener.listen(16)
    print("READY", flush=True)
    served = 0
    while args.sessions is None or served < args.sessions:
        conn, _ = listener.accept()
        served += 1
        session = Session(conn)
        try:
            session.server_handshake(args.max_version, args.fault)
            print("SESSION v%d" % session.version, flush=True)
            serve(session, args)
        except EOFError:
            if getattr(session, "buffer", None) is not None:
                print("COUNTERS %s" % session.buffer.counters(), flush=True)
        except Exception as error:  # noqa: BLE001 - report and keep serving
            print("SESSION ERROR %s" % error, flush=True)
        finally:
            session.close()
    listener.close()
    os.unlink(args.listen)


def serve(session, args):
    echoed = 0
    while True:
        for kind, stream, data in session.next_messages(timeout=None, drain=args.fault != "no-drain"):
            if kind == "data":
                if args.fault == "die-on-data":
                    os._exit(3)
                if args.fault == "bad-offset-reply":
                    session.send_queue.put(stream, 0x7FFFFFF0, 0)
                    session.notify()
                    continue
                if args.fault == "garbage-reply":
                    session.send(b"\x00\x00\x00\x08\x12\x34\x03\x01")
                    continue
                if stream in session.closed_streams:
                    raise PeerError("data on stream %d after its close" % stream)
                session.send_data(stream, data, fallback=args.fallback)
                echoed += len(data)
                if args.reply_close:
                    # Deployed order: the socket write of FallbackData is finished before the close is queued.
                    session.send_close(stream)
                    session.closed_streams.add(stream)
                    print("REPLIED AND CLOSED %d" % stream, flush=True)
            elif stream not in session.closed_streams:
                # No half close: the stream is over; nothing more is sent on it, not even our close.
                session.closed_streams.add(stream)
                print("CLOSED %d echoed %d" % (stream, echoed), flush=True)


def run_client(args):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(args.connect)
    session = Session(sock)
    if args.fault == "wrong-magic":
        session.send(bytes([0, 0, 0, 8, 0x12, 0x34, 3, 4]))
        time.sleep(0.5)
        return 0
    if args.fault == "bad-version":
        session.send(bytes([0, 0, 0, 8, 0x77, 0x58, 4, 4]))
        time.sleep(0.5)
        return 0
    if args.fault == "silent":
        time.sleep(3)
        return 0
    specs = [(8172, 50), (32748, 30), (131052, 20)]
    if args.buffer_size < 4 << 20:
        specs = [(1004, 50), (4076, 50)]
    session.client_handshake(args.mode, args.buffer_size, args.queue_cap, specs)
    try:
        if args.fault == "garbage-after-handshake":
            session.send(bytes([0, 0, 0, 8, 0x77, 0x58, 3, 12]))
            time.sleep(0.5)
            return 0
        if args.fault == "bad-offset":
            session.send_queue.put(2, 0x7FFFFFF0, 0)
            session.notify()
            time.sleep(0.5)
            return 0
        if args.fault == "die-mid-message":
            session.send_data(2, pattern(1000, 1))
            time.sleep(0.2)
            half = event(FALLBACK_DATA, session.version, struct.pack(">II", 2, 0) + pattern(5000, 2))
            session.send(half[:2000])
            os._exit(0)
        if args.fault in ("bad-slice", "shrink-buffer", "shrink-queue"):
            return hostile_after_echo(session, args.fault)
        status = exchange(session, args)
        if args.fault == "exit-without-cleanup":
            os._exit(status)
        return status
    finally:
        session.close()


def echo_once(session, stream, size):
    """Sends one message and waits for its echo, so the server's session is known to be up."""
    session.send_data(stream, pattern(size, 5))
    received = bytearray()
    while len(received) < size:
        for kind, got, data in session.next_messages():
            if kind == "data" and got == stream:
                received += data
    if bytes(received) != pattern(size, 5):
        raise PeerError("the first echo differs")


def wait_for_disconnect(session, seconds=5):
    """Reads events until the server closes the connection; True if it did within `seconds`."""
    deadline = time.time() + seconds
    try:
        while time.time() < deadline:
            session.recv_event(timeout=max(0.01, deadline - time.time()))
    except (EOFError, ConnectionResetError):
        return True
    except PeerError:
        return False
    return False


def hostile_after_echo(session, fault):
    """One good echo, then a corrupt slice header or a region shrunk under the server's feet."""
    echo_once(session, 2, 1000)
    if fault == "bad-slice":
        off = session.buffer.alloc(100)
        cap = session.buffer.r.u32(off)
        session.buffer.r.set_u32(off + 4, cap + 100)
        session.send_queue.put(2, off, 0)
        session.notify()
    elif fault == "shrink-buffer":
        # The chain is written while the region is whole; the server reads it after the shrink.
        off = session.buffer.write_chain(pattern(100000, 9))
        os.ftruncate(session.fds["buffer"], 4096)
        session.send_queue.put(2, off, 0)
        session.notify()
    else:
        os.ftruncate(session.fds["queue"], 0)
        session.send(event(POLLING, session.version))
    print("FAULT SENT %s" % fault, flush=True)
    if not wait_for_disconnect(session):
        raise PeerError("the server kept the session after the %s fault" % fault)
    print("DISCONNECTED", flush=True)
    # Nothing of the regions may be touched any more: a shrunk mapping faults.
    session.regions = []
    return 0


def exchange(session, args):
    streams = [2 + i for i in range(args.streams)]
    paths = set()
    total = 0
    for round_ in range(args.rounds):
        for size in args.sizes:
            expected = {}
            for index, stream in enumerate(streams):
                data = pattern(size, stream + round_ * 7)
                expected[stream] = data
                paths.add(session.send_data(stream, data, fallback=args.fallback))
            received = {stream: bytearray() for stream in streams}
            while any(len(received[s]) < size for s in streams):
                for kind, stream, data in session.next_messages():
                    if kind != "data" or stream not in received:
                        raise PeerError("unexpected %s on stream %d" % (kind, stream))
                    received[stream] += data
            for stream in streams:
                if bytes(received[stream]) != expected[stream]:
                    first = next(i for i, (a, b) in enumerate(zip(received[stream], expected[stream])) if a != b)
                    raise PeerError("stream %d size %d: echoed bytes differ from byte %d" % (stream, size, first))
                total += size
    for stream in streams:
        session.send_close(stream)
    # No half close: the server sends nothing more on a stream we closed, not even its own close.
    deadline = time.time() + 0.3
    while time.time() < deadline:
        try:
            messages = session.next_messages(timeout=max(0.01, deadline - time.time()))
        except PeerError as error:
            if "timed out" in str(error):
                break
            raise
        for kind, stream, data in messages:
            if kind == "close":
                raise PeerError("the server sent a close for stream %d after ours (half close)" % stream)
            if data:
                raise PeerError("data after the echo on stream %d" % stream)
    counters = settled_counters(session.buffer)
    print("OK v%d streams %d bytes %d paths %s counters %s" % (
        session.version, len(streams), total, ",".join(sorted(paths)), counters), flush=True)
    return 0


def settled_counters(buffer, seconds=2):
    """Waits until every list's creator and mapper leak-check counters sum to 0 (nothing outstanding)."""
    deadline = time.time() + seconds
    while True:
        counters = buffer.counters()
        if all(a + b == 0 for a, b in counters):
            return "settled"
        if time.time() >= deadline:
            raise PeerError("leak-check counters did not settle: %s" % counters)
        time.sleep(0.01)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="role", required=True)
    server = sub.add_parser("server")
    server.add_argument("--listen", required=True)
    server.add_argument("--max-version", type=int, default=3)
    server.add_argument("--fallback", action="store_true")
    server.add_argument("--reply-close", action="store_true")
    server.add_argument("--sessions", type=int)
    server.add_argument("--fault")
    client = sub.add_parser("client")
    client.add_argument("--connect", required=True)
    client.add_argument("--mode", choices=["memfd", "filepath"], default="memfd")
    client.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1, 100])
    client.add_argument("--streams", type=int, default=1)
    client.add_argument("--rounds", type=int, default=1)
    client.add_argument("--buffer-size", type=int, default=32 << 20)
    client.add_argument("--queue-cap", type=int, default=8192)
    client.add_argument("--fallback", action="store_true")
    client.add_argument("--fault")
    args = parser.parse_args()
    try:
        return run_server(args) if args.role == "server" else run_client(args)
    except Exception as error:  # noqa: BLE001 - the exit status and message are the report
        print("FAIL %s: %s" % (type(error).__name__, error), flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main() or 0)
