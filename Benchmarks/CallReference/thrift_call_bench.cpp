// Apache Thrift C++ reference load client for `portico bench`: N threads, each with its own synchronous
// connection (TSocket + TFramedTransport + TBinaryProtocol), calling BaselineService.SimpleMethod or
// NestingMethod in a closed loop; latencies in the histogram of bench_common.h, output like `portico bench`.
//
// --mode raw        the request is the argument struct bytes from --payload (Benchmarks/data/thrift-*.binary) wrapped
//                   as the args struct once; each call writes the message header with TBinaryProtocol, then those
//                   bytes, and reads the reply message header and takes the rest of the frame as bytes. This is the
//                   work `portico bench` does (it encodes the request once and does not decode the reply).
// --mode generated  the generated BaselineServiceClient (thrift --gen cpp from call_baseline.thrift): each call
//                   serializes the request struct and deserializes the whole reply, as an Apache user's code does.
#include <thrift/TApplicationException.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>
#include <thrift/transport/TTransportException.h>

#include <atomic>
#include <memory>
#include <thread>

#include "BaselineService.h"
#include "bench_common.h"

using apache::thrift::TApplicationException;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::protocol::TMessageType;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TMemoryBuffer;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransportException;
using namespace callbench;

namespace {


struct Shared {
    Options options;
    std::string args;          // the method's args struct: field 1 (struct) = the payload, then stop
    baseline::Simple simple;   // the payload decoded, for --mode generated
    baseline::Nesting nesting;
    std::atomic<int> phase{kWarmup};
    std::atomic<int> ready{0};
    std::atomic<long> reply_bytes{-1};
};

struct Connection {
    std::shared_ptr<TSocket> socket;
    std::shared_ptr<TFramedTransport> transport;
    std::shared_ptr<TBinaryProtocol> protocol;
    std::unique_ptr<baseline::BaselineServiceClient> client;

    explicit Connection(const Options& options) {
        socket = std::make_shared<TSocket>(options.host, options.port);
        socket->setNoDelay(true);
        transport = std::make_shared<TFramedTransport>(socket);
        protocol = std::make_shared<TBinaryProtocol>(transport);
        client = std::make_unique<baseline::BaselineServiceClient>(protocol);
    }
};

// One call; returns the reply's payload size. Throws on failure.
long call_raw(Connection& connection, Shared& shared, int32_t sequence, std::string& reply) {
    TBinaryProtocol& protocol = *connection.protocol;
    TFramedTransport& transport = *connection.transport;
    protocol.writeMessageBegin(shared.options.method, apache::thrift::protocol::T_CALL, sequence);
    transport.write(reinterpret_cast<const uint8_t*>(shared.args.data()), static_cast<uint32_t>(shared.args.size()));
    protocol.writeMessageEnd();
    transport.writeEnd();
    transport.flush();
    std::string name;
    TMessageType type;
    int32_t replied = 0;
    protocol.readMessageBegin(name, type, replied);
    if (type == apache::thrift::protocol::T_EXCEPTION) {
        TApplicationException exception;
        exception.read(&protocol);
        protocol.readMessageEnd();
        transport.readEnd();
        throw exception;
    }
    uint32_t length = 0;
    const uint8_t* rest = transport.borrow(nullptr, &length);
    reply.assign(reinterpret_cast<const char*>(rest), length);
    transport.consume(length);
    protocol.readMessageEnd();
    transport.readEnd();
    if (type != apache::thrift::protocol::T_REPLY || replied != sequence || name != shared.options.method) {
        throw std::runtime_error("unexpected reply message");
    }
    return static_cast<long>(length);
}

long call_generated(Connection& connection, Shared& shared) {
    if (shared.options.method == "SimpleMethod") {
        baseline::Simple reply;
        connection.client->SimpleMethod(reply, shared.simple);
        return -1;
    }
    baseline::Nesting reply;
    connection.client->NestingMethod(reply, shared.nesting);
    return -1;
}

void caller(Shared& shared, CallerResult& result) {
    std::unique_ptr<Connection> connection;
    std::string reply;
    int32_t sequence = 0;
    bool counted_ready = false;
    while (true) {
        int phase = shared.phase.load(std::memory_order_acquire);
        if (phase == kStop) break;
        auto started = Clock::now();
        try {
            if (!connection) {
                connection = std::make_unique<Connection>(shared.options);
                try {
                    connection->transport->open();
                } catch (const TTransportException& error) {
                    connection.reset();
                    if (phase == kMeasure) result.fail("UNAVAILABLE", error.what());
                    if (!counted_ready) {
                        counted_ready = true;
                        shared.ready.fetch_add(1);
                    }
                    continue;
                }
            }
            long bytes = shared.options.mode == "raw" ? call_raw(*connection, shared, ++sequence, reply)
                                                       : call_generated(*connection, shared);
            auto finished = Clock::now();
            if (!counted_ready) {
                counted_ready = true;
                if (bytes >= 0) shared.reply_bytes.store(bytes);
                shared.ready.fetch_add(1);
            }
            if (phase == kMeasure) result.histogram.record(nanoseconds_between(started, finished));
        } catch (const TApplicationException& error) {
            if (phase == kMeasure) result.fail("APPLICATION_EXCEPTION", error.what());
        } catch (const TTransportException& error) {
            if (phase == kMeasure) result.fail("BACKEND_CLOSED", error.what());
            connection.reset();
        } catch (const std::exception& error) {
            if (phase == kMeasure) result.fail("BAD_BACKEND_REPLY", error.what());
            connection.reset();
        }
        if (!counted_ready && !connection) {
            counted_ready = true;
            shared.ready.fetch_add(1);
        }
    }
    if (connection) connection->transport->close();
}

}  // namespace

int main(int argc, char** argv) {
    Shared shared;
    try {
        shared.options = parse_options(
            argc, argv,
            "thrift_call_bench --target framed://HOST:PORT --method SimpleMethod|NestingMethod --payload FILE "
            "[--mode raw|generated] [--concurrency N] [--duration 10s] [--warmup 1s] [--json]");
        const Options& options = shared.options;
        std::string payload = read_file(options.payload_file);
        if (options.method != "SimpleMethod" && options.method != "NestingMethod") {
            throw std::invalid_argument("--method must be SimpleMethod or NestingMethod");
        }
        // args struct = field header (type 12 struct, id 1) + the struct + stop.
        shared.args = std::string("\x0c\x00\x01", 3) + payload + std::string("\x00", 1);
        auto buffer = std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(payload.data()),
                                                      static_cast<uint32_t>(payload.size()));
        TBinaryProtocol decoder(buffer);
        if (options.method == "SimpleMethod") {
            shared.simple.read(&decoder);
        } else {
            shared.nesting.read(&decoder);
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "thrift_call_bench: %s\n", error.what());
        return 2;
    }
    const Options& options = shared.options;
    std::vector<CallerResult> results(options.concurrency);
    // Every thread connects and makes one call (or fails to) before the warm-up starts.
    Window window = run_callers(
        options, shared.phase, shared.ready, [&shared, &results](int i) { caller(shared, results[i]); });
    double elapsed = window.elapsed;
    double cpu = window.cpu;
    std::string client = options.mode == "raw" ? "apache-thrift-cpp (raw bytes)" : "apache-thrift-cpp (generated client)";
    return report(options, client, "framed://" + options.host + ":" + std::to_string(options.port), results, elapsed,
                  cpu, shared.args.size(), shared.reply_bytes.load());
}
