#!/usr/bin/env python3
"""An Apache Thrift server (Python runtime + `thrift -r --gen py` code of Descriptors/bookstore.thrift) for
Portico's GenericCall tests. Serves BookstoreAdmin (and everything it extends) on 127.0.0.1, a free port.

  thrift_rpc_server.py --gen DIR --transport framed|buffered --protocol binary|compact

Prints "PORT <n>" once listening. Behaviour, so tests can check computed values and error mapping:
  GetBook(req): id 404 -> BookNotFound; id 500 -> an unexpected error (TApplicationException INTERNAL_ERROR);
                id 999 -> sleeps 3 s first; otherwise BookReply{book{id, title "Book <id> on shelf <shelf>",
                tags = fields}, etag "e-<id>"}.
  Reindex(req): shelf * 2.     Ping(): true.     RecordView(event): remembered, see LastView... (oneway)
"""
import argparse, sys, time

parser = argparse.ArgumentParser()
parser.add_argument("--gen", required=True)
parser.add_argument("--transport", default="framed")
parser.add_argument("--protocol", default="binary")
args = parser.parse_args()
sys.path.insert(0, args.gen)

from thrift.transport import TSocket, TTransport
from thrift.protocol import TBinaryProtocol, TCompactProtocol
from thrift.server import TServer
from bookstore import BookstoreAdmin
from bookstore.ttypes import Book, BookReply
from bookstore.common.ttypes import BookNotFound


class Handler:
    def Ping(self):
        return True

    def GetBook(self, req):
        if req.id == 404:
            raise BookNotFound(message="no book %d" % req.id, shelf=req.shelf, id=req.id)
        if req.id == 500:
            raise RuntimeError("handler crashed")
        if req.id == 999:
            time.sleep(3)
        return BookReply(
            book=Book(id=req.id, title="Book %d on shelf %d" % (req.id, req.shelf), tags=set(req.fields or [])),
            etag="e-%d" % req.id)

    def Reindex(self, req):
        return req.shelf * 2

    def RecordView(self, event):
        pass


socket = TSocket.TServerSocket(host="127.0.0.1", port=0)
socket.listen()
port = socket.handle.getsockname()[1]
socket.listen = lambda: None  # already listening; the server calls it again

transport_factory = TTransport.TFramedTransportFactory() if args.transport == "framed" else TTransport.TBufferedTransportFactory()
protocol_factory = TBinaryProtocol.TBinaryProtocolFactory() if args.protocol == "binary" else TCompactProtocol.TCompactProtocolFactory()
server = TServer.TThreadedServer(
    BookstoreAdmin.Processor(Handler()), socket, transport_factory, protocol_factory, daemon=True)
print("PORT %d" % port, flush=True)
server.serve()
