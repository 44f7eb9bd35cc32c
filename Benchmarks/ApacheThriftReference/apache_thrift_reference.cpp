#include "ApacheThriftReference.h"

#include <memory>
#include <utility>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "generated/baseline_types.h"

using apache::thrift::protocol::TBinaryProtocolT;
using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::transport::TMemoryBuffer;

// Thrift's generated operator< is declared, not defined; std::multiset (see generate_reference_code.sh) needs one.
// Every element compares equal, so the set keeps them all, in insertion order.
bool baseline::Nesting::operator<(const baseline::Nesting &) const { return false; }

namespace {

/// One input transport over the caller's bytes and one growing output buffer, with a protocol on each.
template <class Protocol> struct Channel {
    std::shared_ptr<TMemoryBuffer> input = std::make_shared<TMemoryBuffer>();
    std::shared_ptr<TMemoryBuffer> output = std::make_shared<TMemoryBuffer>();
    Protocol reader{input};
    Protocol writer{output};

    Protocol &read(const uint8_t *data, size_t length) {
        // readEnd() is what Apache's processors call after each message: among other things it resets the
        // transport's message-size budget (TConfiguration's 100 MB), which resetBuffer() keeps and every read
        // consumes. Without it the reads of this thread start failing after about 100 MB in total.
        input->readEnd();
        input->resetBuffer(const_cast<uint8_t *>(data), static_cast<uint32_t>(length), TMemoryBuffer::OBSERVE);
        return reader;
    }

    Protocol &write() {
        output->resetBuffer();
        return writer;
    }

    long written(const uint8_t **out) {
        uint8_t *bytes = nullptr;
        uint32_t count = 0;
        output->getBuffer(&bytes, &count);
        *out = bytes;
        return static_cast<long>(count);
    }
};

using Binary = TBinaryProtocolT<TMemoryBuffer>;
using Compact = TCompactProtocolT<TMemoryBuffer>;

template <class Protocol> Channel<Protocol> &channel() {
    thread_local Channel<Protocol> instance;
    return instance;
}

/// Runs `body(channel)` with the channel of `protocol`, turning exceptions into -1.
template <class Body> long with_protocol(int protocol, Body &&body) {
    try {
        if (protocol == 0) return body(channel<Binary>());
        return body(channel<Compact>());
    } catch (...) {
        return -1;
    }
}

/// Runs `body(message)` on a fresh generated struct of `size` (Simple, Nesting or Nesting2).
template <class Body> long with_type(int size, Body &&body) {
    switch (size) {
    case 0: { baseline::Simple message; return body(message); }
    case 1: { baseline::Nesting message; return body(message); }
    default: { baseline::Nesting2 message; return body(message); }
    }
}

baseline::Simple *simple_for_key(baseline::Nesting &nesting) {
    auto entry = nesting.MapStringSimple.find("15");
    return entry == nesting.MapStringSimple.end() ? nullptr : &entry->second;
}

/// The Simple that GetOne and SetOne reach.
baseline::Simple *target(baseline::Simple &simple) { return &simple; }
baseline::Simple *target(baseline::Nesting &nesting) { return simple_for_key(nesting); }
baseline::Simple *target(baseline::Nesting2 &large) {
    return large.ListNesting.size() > 15 ? simple_for_key(large.ListNesting[15]) : nullptr;
}

long seen(baseline::Simple &simple) {
    return (simple.byte_field != 0) + (simple.double_field != 0) + !simple.binary_field.empty();
}
long seen(baseline::Nesting &nesting) {
    return static_cast<long>(nesting.ListSimple.size() + 1 + nesting.MapStringSimple.size());
}
long seen(baseline::Nesting2 &large) { return seen(large.Nesting); }

/// The SetMany edits: the first field, a double one level down, the GetOne binary field.
void edit_many(baseline::Simple &simple) {
    simple.byte_field = 1;
    simple.double_field = 1.5;
}
void edit_many(baseline::Nesting &nesting) {
    nesting.I32 = 1;
    nesting.SimpleStruct.double_field = 1.5;
}
void edit_many(baseline::Nesting2 &large) {
    large.I32 = 1;
    large.Nesting.SimpleStruct.double_field = 1.5;
}

}  // namespace

extern "C" long thrift_decode_all(int size, int protocol, const uint8_t *data, size_t length) {
    return with_protocol(protocol, [&](auto &channel) {
        return with_type(size, [&](auto &message) {
            message.read(&channel.read(data, length));
            return 0L;
        });
    });
}

extern "C" long thrift_get_one(int size, int protocol, const uint8_t *data, size_t length) {
    return with_protocol(protocol, [&](auto &channel) {
        return with_type(size, [&](auto &message) {
            message.read(&channel.read(data, length));
            baseline::Simple *simple = target(message);
            return simple == nullptr ? -1L : static_cast<long>(simple->binary_field.size());
        });
    });
}

extern "C" long thrift_get_many(int size, int protocol, const uint8_t *data, size_t length) {
    return with_protocol(protocol, [&](auto &channel) {
        return with_type(size, [&](auto &message) {
            message.read(&channel.read(data, length));
            return seen(message);
        });
    });
}

extern "C" long thrift_set_one(int size, int protocol, const uint8_t *data, size_t length, const uint8_t **out) {
    return with_protocol(protocol, [&](auto &channel) {
        return with_type(size, [&](auto &message) {
            message.read(&channel.read(data, length));
            baseline::Simple *simple = target(message);
            if (simple == nullptr) return -1L;
            simple->i64_field = 42;
            message.write(&channel.write());
            return channel.written(out);
        });
    });
}

extern "C" long thrift_set_many(int size, int protocol, const uint8_t *data, size_t length, const uint8_t **out) {
    return with_protocol(protocol, [&](auto &channel) {
        return with_type(size, [&](auto &message) {
            message.read(&channel.read(data, length));
            baseline::Simple *simple = target(message);
            if (simple == nullptr) return -1L;
            edit_many(message);
            simple->binary_field.assign("\x01\x02\x03", 3);
            message.write(&channel.write());
            return channel.written(out);
        });
    });
}

extern "C" long thrift_trim(int size, int protocol, const uint8_t *data, size_t length, const uint8_t **out) {
    return with_protocol(protocol, [&](auto &channel) {
        auto trim = [&](auto &&message) {
            message.read(&channel.read(data, length));
            message.write(&channel.write());
            return channel.written(out);
        };
        if (size == 0) return trim(baseline::PartialSimple());
        if (size == 1) return trim(baseline::PartialNesting());
        return -1L;
    });
}

extern "C" long thrift_skip(int protocol, const uint8_t *data, size_t length) {
    return with_protocol(protocol, [&](auto &channel) {
        return static_cast<long>(
            apache::thrift::protocol::skip(channel.read(data, length), apache::thrift::protocol::T_STRUCT));
    });
}

extern "C" void *thrift_decoded(int size, int protocol, const uint8_t *data, size_t length) {
    void *result = nullptr;
    long status = with_protocol(protocol, [&](auto &channel) {
        auto decode = [&](auto *message) {
            std::unique_ptr<std::remove_pointer_t<decltype(message)>> owner(message);
            message->read(&channel.read(data, length));
            result = owner.release();
            return 0L;
        };
        if (size == 0) return decode(new baseline::Simple());
        if (size == 1) return decode(new baseline::Nesting());
        return decode(new baseline::Nesting2());
    });
    return status == 0 ? result : nullptr;
}

extern "C" void thrift_free(int size, void *decoded) {
    if (size == 0) delete static_cast<baseline::Simple *>(decoded);
    else if (size == 1) delete static_cast<baseline::Nesting *>(decoded);
    else delete static_cast<baseline::Nesting2 *>(decoded);
}

extern "C" long thrift_encode(int size, int protocol, const void *decoded, const uint8_t **out) {
    return with_protocol(protocol, [&](auto &channel) {
        auto encode = [&](const auto *message) {
            message->write(&channel.write());
            return channel.written(out);
        };
        if (size == 0) return encode(static_cast<const baseline::Simple *>(decoded));
        if (size == 1) return encode(static_cast<const baseline::Nesting *>(decoded));
        return encode(static_cast<const baseline::Nesting2 *>(decoded));
    });
}
