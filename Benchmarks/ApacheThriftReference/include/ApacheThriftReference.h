// A small C API over Apache Thrift's C++ generated code for Descriptors/baseline.thrift (generated/, made with
// `thrift --gen cpp:templates`), called by the Swift benchmarks. `size` picks the struct: 0 = Simple (small),
// 1 = Nesting (medium), 2 = Nesting2 (large); `protocol` 0 = binary, 1 = compact. The protocols are Apache's
// templated TBinaryProtocolT / TCompactProtocolT over a TMemoryBuffer that observes the caller's bytes; one input
// and one output transport per thread are reused across calls, the structs are fresh per call (as an application
// decoding a request would have). Failures (exceptions) return -1.
#ifndef APACHE_THRIFT_REFERENCE_H
#define APACHE_THRIFT_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Decodes the whole struct into the generated type.
long thrift_decode_all(int size, int protocol, const uint8_t *data, size_t length);
/// Decodes, reads the GetOne field (binary_field at the path of the Portico benchmark). Returns its length.
long thrift_get_one(int size, int protocol, const uint8_t *data, size_t length);
/// Decodes, reads the three GetMany fields. Returns the number of elements seen.
long thrift_get_many(int size, int protocol, const uint8_t *data, size_t length);
/// Decodes, sets the SetOne field to 42, encodes. Returns the encoded length; `*out` points at the bytes (valid
/// until the next call on this thread).
long thrift_set_one(int size, int protocol, const uint8_t *data, size_t length, const uint8_t **out);
/// Decodes, makes the three SetMany edits, encodes.
long thrift_set_many(int size, int protocol, const uint8_t *data, size_t length, const uint8_t **out);
/// Decodes as the Partial type (Apache skips the fields it lacks), encodes. Sizes 0 and 1.
long thrift_trim(int size, int protocol, const uint8_t *data, size_t length, const uint8_t **out);
/// Skips the whole struct with the protocol's skip(T_STRUCT). Returns the bytes skipped.
long thrift_skip(int protocol, const uint8_t *data, size_t length);

/// A decoded struct kept across calls (for the encode benchmark); NULL on failure.
void *thrift_decoded(int size, int protocol, const uint8_t *data, size_t length);
void thrift_free(int size, void *decoded);
/// Encodes a struct from thrift_decoded.
long thrift_encode(int size, int protocol, const void *decoded, const uint8_t **out);

#ifdef __cplusplus
}
#endif

#endif
