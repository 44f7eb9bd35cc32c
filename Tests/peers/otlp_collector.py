#!/usr/bin/env python3
"""A minimal OpenTelemetry collector for Portico's tracing tests: an OTLP/gRPC trace receiver built from the
`opentelemetry-proto` package's generated service and grpcio.

  otlp_collector.py --out spans.jsonl

Prints "PORT <n>" once listening on 127.0.0.1, then appends one JSON object per received span to the output file:
{"trace_id", "span_id", "parent_span_id" (hex, "" for a root), "name", "kind" (SPAN_KIND_* name), "status"
(STATUS_CODE_* name), "status_message", "service" (the resource's service.name), "attributes" {key: value}}.
"""
import argparse
import json
import sys
import threading
from concurrent import futures

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1 import trace_pb2

parser = argparse.ArgumentParser()
parser.add_argument("--out", required=True)
args = parser.parse_args()
lock = threading.Lock()


def value(any_value):
    kind = any_value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [value(item) for item in any_value.array_value.values]
    if kind == "kvlist_value":
        return {entry.key: value(entry.value) for entry in any_value.kvlist_value.values}
    if kind == "bytes_value":
        return any_value.bytes_value.hex()
    return getattr(any_value, kind)


class TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def Export(self, request, context):
        lines = []
        for resource_spans in request.resource_spans:
            resource = {attribute.key: value(attribute.value) for attribute in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    lines.append(json.dumps({
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex(),
                        "name": span.name,
                        "kind": trace_pb2.Span.SpanKind.Name(span.kind),
                        "status": trace_pb2.Status.StatusCode.Name(span.status.code),
                        "status_message": span.status.message,
                        "service": resource.get("service.name"),
                        "attributes": {attribute.key: value(attribute.value) for attribute in span.attributes},
                    }))
        with lock:
            with open(args.out, "a") as handle:
                for line in lines:
                    handle.write(line + "\n")
        return trace_service_pb2.ExportTraceServiceResponse()


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
trace_service_pb2_grpc.add_TraceServiceServicer_to_server(TraceService(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print("PORT %d" % port, flush=True)
server.wait_for_termination()
