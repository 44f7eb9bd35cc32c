// gRPC C++ reference load client for `portico bench` (Debian's grpc++ 1.51 on gRPC C-core): N threads sharing one
// channel (one HTTP/2 connection, as `portico bench` shares one), each calling baseline.BaselineService/SimpleMethod
// or NestingMethod in a closed loop; latencies in the histogram of bench_common.h, output like `portico bench`.
//
// --mode raw        the generic stub with grpc::ByteBuffer (callback API; the thread waits for each reply): the
//                   request is the bytes of --payload (Benchmarks/data/small.pb or medium.pb) in one slice made once,
//                   the reply stays bytes. This is the work `portico bench` does.
// --mode generated  the generated synchronous stub (protoc --grpc_out): each call serializes the request message and
//                   parses the whole reply, as a gRPC C++ user's code does.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "baseline.grpc.pb.h"
#include "bench_common.h"

using namespace callbench;

namespace {


struct Shared {
    Options options;
    std::string payload;
    std::string path;  // /baseline.BaselineService/SimpleMethod
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<grpc::GenericStub> generic;
    std::unique_ptr<baseline::BaselineService::Stub> stub;
    baseline::Simple simple;
    baseline::Nesting nesting;
    std::atomic<int> phase{kWarmup};
    std::atomic<int> ready{0};
    std::atomic<long> reply_bytes{-1};
};

std::string code_name(grpc::StatusCode code) {
    static const char* names[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                                  "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                  "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                                  "UNAUTHENTICATED"};
    int index = static_cast<int>(code);
    return index >= 0 && index <= 16 ? names[index] : "UNKNOWN";
}

// One raw call: waits for the callback. Returns the status; `bytes` is the reply size.
grpc::Status call_raw(Shared& shared, const grpc::ByteBuffer& request, long& bytes) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::ByteBuffer reply;
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    grpc::Status status;
    shared.generic->UnaryCall(&context, shared.path, grpc::StubOptions(), &request, &reply,
                              [&](grpc::Status result) {
                                  std::lock_guard<std::mutex> lock(mutex);
                                  status = std::move(result);
                                  finished = true;
                                  done.notify_one();
                              });
    std::unique_lock<std::mutex> lock(mutex);
    done.wait(lock, [&] { return finished; });
    bytes = static_cast<long>(reply.Length());
    return status;
}

grpc::Status call_generated(Shared& shared) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (shared.options.method == "SimpleMethod") {
        baseline::Simple reply;
        return shared.stub->SimpleMethod(&context, shared.simple, &reply);
    }
    baseline::Nesting reply;
    return shared.stub->NestingMethod(&context, shared.nesting, &reply);
}

void caller(Shared& shared, CallerResult& result) {
    grpc::Slice slice(shared.payload.data(), shared.payload.size());
    grpc::ByteBuffer request(&slice, 1);
    bool counted_ready = false;
    while (true) {
        int phase = shared.phase.load(std::memory_order_acquire);
        if (phase == kStop) break;
        auto started = Clock::now();
        long bytes = -1;
        grpc::Status status = shared.options.mode == "raw" ? call_raw(shared, request, bytes) : call_generated(shared);
        auto finished = Clock::now();
        if (status.ok()) {
            if (phase == kMeasure) result.histogram.record(nanoseconds_between(started, finished));
            if (!counted_ready && bytes >= 0) shared.reply_bytes.store(bytes);
        } else if (phase == kMeasure) {
            result.fail(code_name(status.error_code()), status.error_message());
        }
        if (!counted_ready) {
            counted_ready = true;
            shared.ready.fetch_add(1);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    Shared shared;
    try {
        shared.options = parse_options(
            argc, argv,
            "grpc_call_bench --target grpc://HOST:PORT --method SimpleMethod|NestingMethod --payload FILE.pb "
            "[--mode raw|generated] [--concurrency N] [--duration 10s] [--warmup 1s] [--json]");
        if (shared.options.method != "SimpleMethod" && shared.options.method != "NestingMethod") {
            throw std::invalid_argument("--method must be SimpleMethod or NestingMethod");
        }
        shared.payload = read_file(shared.options.payload_file);
        bool parsed = shared.options.method == "SimpleMethod" ? shared.simple.ParseFromString(shared.payload)
                                                              : shared.nesting.ParseFromString(shared.payload);
        if (!parsed) throw std::runtime_error("--payload does not parse as the method's request");
    } catch (const std::exception& error) {
        std::fprintf(stderr, "grpc_call_bench: %s\n", error.what());
        return 2;
    }
    const Options& options = shared.options;
    std::string target = options.host + ":" + std::to_string(options.port);
    shared.path = "/baseline.BaselineService/" + options.method;
    shared.channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    shared.generic = std::make_unique<grpc::GenericStub>(shared.channel);
    shared.stub = baseline::BaselineService::NewStub(shared.channel);
    std::vector<CallerResult> results(options.concurrency);
    // Every thread connects and makes one call (or fails to) before the warm-up starts.
    Window window = run_callers(
        options, shared.phase, shared.ready, [&shared, &results](int i) { caller(shared, results[i]); });
    double elapsed = window.elapsed;
    double cpu = window.cpu;
    std::string client = options.mode == "raw" ? "grpc-cpp 1.51 (generic stub, raw bytes)"
                                               : "grpc-cpp 1.51 (generated sync stub)";
    return report(options, client, "grpc://" + target, results, elapsed, cpu, shared.payload.size(),
                  shared.reply_bytes.load());
}
