// Shared by the reference load clients (thrift_call_bench.cpp, grpc_call_bench.cpp): the options, the latency
// histogram, CPU time and the report, in the same shape as `portico bench --json` so the runner can put the
// figures side by side.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace callbench {

using Clock = std::chrono::steady_clock;

// Log-linear latency histogram: exact below 128 ns, then 128 buckets per power of two (under 0.8 % error), up to
// 2^41 ns. The layout is the one `portico bench` uses, so both report the same quantile of the same data.
struct Histogram {
    static constexpr int kSubBits = 7;
    static constexpr int kSubCount = 1 << kSubBits;
    static constexpr int kMaxExponent = 40;
    static constexpr int kBuckets = (kMaxExponent - kSubBits + 2) * kSubCount;

    std::vector<uint64_t> buckets = std::vector<uint64_t>(kBuckets, 0);
    uint64_t count = 0;
    uint64_t max_ns = 0;

    static int index(uint64_t ns) {
        if (ns < static_cast<uint64_t>(kSubCount)) return static_cast<int>(ns);
        int exponent = std::min(63 - __builtin_clzll(ns), kMaxExponent);
        int sub = static_cast<int>(ns >> (exponent - kSubBits)) & (kSubCount - 1);
        return (exponent - kSubBits + 1) * kSubCount + sub;
    }

    static double value(int index) {
        if (index < kSubCount) return index;
        int exponent = index / kSubCount + kSubBits - 1;
        int sub = index % kSubCount;
        double width = static_cast<double>(uint64_t{1} << (exponent - kSubBits));
        return (kSubCount + sub) * width + width / 2;
    }

    void record(uint64_t ns) {
        buckets[index(ns)] += 1;
        count += 1;
        if (ns > max_ns) max_ns = ns;
    }

    void merge(const Histogram& other) {
        for (int i = 0; i < kBuckets; ++i) buckets[i] += other.buckets[i];
        count += other.count;
        max_ns = std::max(max_ns, other.max_ns);
    }

    double quantile(double q) const {
        if (count == 0) return 0;
        uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count))));
        uint64_t seen = 0;
        for (int i = 0; i < kBuckets; ++i) {
            seen += buckets[i];
            if (seen >= rank) return std::min(value(i), static_cast<double>(max_ns));
        }
        return static_cast<double>(max_ns);
    }
};

// What one caller thread saw.
struct CallerResult {
    Histogram histogram;
    std::map<std::string, uint64_t> errors;
    std::map<std::string, std::string> messages;

    void fail(const std::string& code, const std::string& message) {
        if (errors[code]++ == 0) messages[code] = message;
    }
};

inline double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

// "10s", "500ms", "1.5s", "0s" -> seconds.
inline double parse_duration(const std::string& text) {
    size_t split = 0;
    while (split < text.size() && (isdigit(static_cast<unsigned char>(text[split])) || text[split] == '.')) ++split;
    if (split == 0) throw std::invalid_argument("not a duration: " + text);
    double amount = std::stod(text.substr(0, split));
    std::string unit = text.substr(split);
    if (unit == "s") return amount;
    if (unit == "ms") return amount / 1e3;
    if (unit == "us") return amount / 1e6;
    if (unit == "m") return amount * 60;
    throw std::invalid_argument("not a duration: " + text);
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Options {
    std::string host = "127.0.0.1";
    int port = 0;
    std::string method;         // SimpleMethod / NestingMethod
    std::string payload_file;   // Thrift: the argument struct's value (thrift-small.binary); gRPC: small.pb
    std::string mode = "raw";   // raw: the same pre-encoded bytes every call; generated: generated client code
    int concurrency = 1;
    double duration = 10;
    double warmup = 1;
    bool json = false;
    std::string label;
};

inline Options parse_options(int argc, char** argv, const char* usage) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string flag = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
            return argv[++i];
        };
        if (flag == "--target") {
            std::string target = next();
            size_t scheme = target.find("://");
            if (scheme != std::string::npos) target = target.substr(scheme + 3);
            size_t colon = target.rfind(':');
            if (colon == std::string::npos) throw std::invalid_argument("--target needs HOST:PORT");
            options.host = target.substr(0, colon);
            options.port = std::stoi(target.substr(colon + 1));
        } else if (flag == "--method") {
            options.method = next();
        } else if (flag == "--payload") {
            options.payload_file = next();
        } else if (flag == "--mode") {
            options.mode = next();
        } else if (flag == "--concurrency") {
            options.concurrency = std::stoi(next());
        } else if (flag == "--duration") {
            options.duration = parse_duration(next());
        } else if (flag == "--warmup") {
            options.warmup = parse_duration(next());
        } else if (flag == "--json") {
            options.json = true;
        } else {
            std::fprintf(stderr, "usage: %s\n", usage);
            std::exit(2);
        }
    }
    if (options.port == 0 || options.method.empty() || options.payload_file.empty() || options.concurrency < 1 ||
        (options.mode != "raw" && options.mode != "generated")) {
        std::fprintf(stderr, "usage: %s\n", usage);
        std::exit(2);
    }
    return options;
}

inline std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
            out += buffer;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

// Prints the merged results like `portico bench` (text or --json) and returns the exit status (1: no success).
inline int report(const Options& options, const std::string& client, const std::string& target,
                  const std::vector<CallerResult>& results, double elapsed, double cpu, size_t request_bytes,
                  long reply_bytes) {
    Histogram histogram;
    std::map<std::string, uint64_t> errors;
    std::map<std::string, std::string> messages;
    for (const auto& result : results) {
        histogram.merge(result.histogram);
        for (const auto& [code, count] : result.errors) {
            errors[code] += count;
            if (!messages.count(code)) messages[code] = result.messages.at(code);
        }
    }
    uint64_t failed = 0;
    for (const auto& entry : errors) failed += entry.second;
    uint64_t completed = histogram.count + failed;
    double rate = elapsed > 0 ? histogram.count / elapsed : 0;
    double cpu_per_call = completed > 0 ? cpu * 1e6 / completed : 0;
    double p50 = histogram.quantile(0.5) / 1e3, p90 = histogram.quantile(0.9) / 1e3;
    double p99 = histogram.quantile(0.99) / 1e3, max = histogram.max_ns / 1e3;
    if (options.json) {
        std::ostringstream out;
        out << "{\"client\":" << quoted(client) << ",\"target\":" << quoted(target)
            << ",\"method\":" << quoted(options.method) << ",\"concurrency\":" << options.concurrency;
        char buffer[512];
        std::snprintf(buffer, sizeof buffer, ",\"duration_s\":%.3f,\"calls\":%llu", elapsed,
                      static_cast<unsigned long long>(histogram.count));
        out << buffer << ",\"errors\":{";
        bool first = true;
        for (const auto& [code, count] : errors) {
            out << (first ? "" : ",") << quoted(code) << ":" << count;
            first = false;
        }
        out << "},\"error_messages\":{";
        first = true;
        for (const auto& [code, message] : messages) {
            out << (first ? "" : ",") << quoted(code) << ":" << quoted(message);
            first = false;
        }
        std::snprintf(buffer, sizeof buffer,
                      "},\"calls_per_second\":%.1f,\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"max\":%.1f},"
                      "\"cpu_s\":%.3f,\"cpu_us_per_call\":%.2f,\"request_bytes\":%zu",
                      rate, p50, p90, p99, max, cpu, cpu_per_call, request_bytes);
        out << buffer;
        if (reply_bytes >= 0) out << ",\"reply_bytes\":" << reply_bytes;
        out << "}\n";
        std::fputs(out.str().c_str(), stdout);
    } else {
        std::printf("%s %s -> %s\n", client.c_str(), options.method.c_str(), target.c_str());
        std::printf("callers %d, measured %.2f s, request %zu B", options.concurrency, elapsed, request_bytes);
        if (reply_bytes >= 0) std::printf(", reply %ld B", reply_bytes);
        std::printf("\ncalls %llu (%.1f calls/s), errors %llu\n", static_cast<unsigned long long>(histogram.count),
                    rate, static_cast<unsigned long long>(failed));
        for (const auto& [code, count] : errors) {
            std::printf("  %s: %llu (%s)\n", code.c_str(), static_cast<unsigned long long>(count),
                        messages[code].c_str());
        }
        std::printf("latency us: p50 %.1f p90 %.1f p99 %.1f max %.1f\n", p50, p90, p99, max);
        std::printf("client cpu: %.2f us/call (%.3f s user+sys)\n", cpu_per_call, cpu);
    }
    std::fflush(stdout);
    return histogram.count == 0 ? 1 : 0;
}

inline uint64_t nanoseconds_between(Clock::time_point a, Clock::time_point b) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

// The callers' phases: warming up (latencies not recorded), measuring, stopping.
enum Phase { kWarmup = 0, kMeasure = 1, kStop = 2 };

// What run_callers measured: wall time and process CPU time (user+sys) of the measured window, in seconds.
struct Window {
    double elapsed;
    double cpu;
};

// Runs one thread per caller (caller(i) loops until `phase` is kStop, bumping `ready` once it has made its first
// call), waits until all are ready, warms up, measures for the duration, stops and joins them.
template <typename Caller>
Window run_callers(const Options& options, std::atomic<int>& phase, std::atomic<int>& ready, Caller caller) {
    std::vector<std::thread> threads;
    for (int i = 0; i < options.concurrency; ++i) threads.emplace_back([&caller, i] { caller(i); });
    while (ready.load() < options.concurrency) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::duration<double>(options.warmup));
    double cpu_before = cpu_seconds();
    auto start = Clock::now();
    phase.store(kMeasure, std::memory_order_release);
    std::this_thread::sleep_for(std::chrono::duration<double>(options.duration));
    phase.store(kStop, std::memory_order_release);
    for (auto& thread : threads) thread.join();
    return Window{nanoseconds_between(start, Clock::now()) / 1e9, cpu_seconds() - cpu_before};
}

}  // namespace callbench
