#!/usr/bin/env python3
"""A grpcio server for Portico's GenericCall tests, with no generated code: messages come from the compiled
descriptor set (Descriptors/bookstore.pb) through the Python protobuf runtime.

  grpc_server.py --descriptors Descriptors/bookstore.pb

Prints "PORT <n>" once listening on 127.0.0.1. Serves bookstore.v1.Bookstore:
  GetBook{name}: "shelves/S/books/404" -> NOT_FOUND; ".../books/999" -> sleeps 3 s; otherwise Book{name, id, title
     "Book <id>"}. Trailing metadata: x-deadline-ms (the deadline the server saw, or -1) and x-echo-<key> for each
     request metadata key starting with "x-".
  WatchShelf{shelf}: three ShelfEvents, then (shelf == 13) ABORTED after the first. Shelf 7 is a ticker: events
     numbered from after_sequence + 1, one every 250 ms, up to 200 of them (for resumable SSE streams).
And portico.test.Streams, on raw bytes (any message type):
  Collect (client streaming): the request messages concatenated (for Protobuf, their merge); a message "fail"
     -> INVALID_ARGUMENT; trailing metadata x-count: the number of messages.
  Echo (bidirectional): each request message back as it arrives; a message "abort" -> ABORTED.
"""
import argparse, sys, time
from concurrent import futures

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

parser = argparse.ArgumentParser()
parser.add_argument("--descriptors", required=True)
args = parser.parse_args()

file_set = descriptor_pb2.FileDescriptorSet()
with open(args.descriptors, "rb") as handle:
    file_set.ParseFromString(handle.read())
pool = descriptor_pool.DescriptorPool()
for file_proto in file_set.file:
    pool.Add(file_proto)


def message(name):
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


GetBookRequest = message("bookstore.v1.GetBookRequest")
Book = message("bookstore.v1.Book")
WatchShelfRequest = message("bookstore.v1.WatchShelfRequest")
ShelfEvent = message("bookstore.v1.ShelfEvent")


def trailing(context):
    remaining = context.time_remaining()
    pairs = [("x-deadline-ms", str(int(remaining * 1000)) if remaining is not None else "-1")]
    for key, value in context.invocation_metadata():
        if key.startswith("x-"):
            pairs.append(("x-echo-" + key, value))
    return pairs


def get_book(request_bytes, context):
    request = GetBookRequest.FromString(request_bytes)
    context.set_trailing_metadata(trailing(context))
    book_id = int(request.name.rsplit("/", 1)[-1]) if request.name.rsplit("/", 1)[-1].isdigit() else 0
    if book_id == 404:
        context.abort(grpc.StatusCode.NOT_FOUND, "no book %s" % request.name)
    if book_id == 999:
        time.sleep(3)
    return Book(name=request.name, id=book_id, title="Book %d" % book_id).SerializeToString()


def watch_shelf(request_bytes, context):
    request = WatchShelfRequest.FromString(request_bytes)
    if request.shelf == 7:
        for sequence in range(request.after_sequence + 1, request.after_sequence + 201):
            if not context.is_active():
                return
            yield ShelfEvent(sequence=sequence).SerializeToString()
            time.sleep(0.25)
        return
    for index in range(3):
        event = ShelfEvent(sequence=index + 1)
        yield event.SerializeToString()
        if request.shelf == 13:
            context.abort(grpc.StatusCode.ABORTED, "watch aborted")


def collect(request_iterator, context):
    parts = []
    for message in request_iterator:
        if message == b"fail":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "told to fail")
        parts.append(message)
    context.set_trailing_metadata((("x-count", str(len(parts))),))
    return b"".join(parts)


def echo(request_iterator, context):
    for message in request_iterator:
        if message == b"abort":
            context.abort(grpc.StatusCode.ABORTED, "told to abort")
        yield message


stream_handlers = {
    "Collect": grpc.stream_unary_rpc_method_handler(collect),
    "Echo": grpc.stream_stream_rpc_method_handler(echo),
}
handlers = {
    "GetBook": grpc.unary_unary_rpc_method_handler(get_book),
    "WatchShelf": grpc.unary_stream_rpc_method_handler(watch_shelf),
}
server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
server.add_generic_rpc_handlers((
    grpc.method_handlers_generic_handler("bookstore.v1.Bookstore", handlers),
    grpc.method_handlers_generic_handler("portico.test.Streams", stream_handlers),
))
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print("PORT %d" % port, flush=True)
server.wait_for_termination()
