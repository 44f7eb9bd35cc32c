// A small C API over protobuf-c's generated code for Descriptors/baseline.proto (generated/baseline.pb-c.*),
// called by the Swift benchmarks. `size` picks the message: 0 = Simple (small), 1 = Nesting (medium),
// 2 = Nesting2 (large). Every operation starts from the received bytes, as an application with generated code
// would: unpack (protobuf-c's default allocator, malloc), do the job, free. Failures return -1.
#ifndef PROTOBUF_C_REFERENCE_H
#define PROTOBUF_C_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Unpacks and frees the whole message.
long pbc_decode_all(int size, const uint8_t *data, size_t length);
/// Unpacks, reads the GetOne field (binary_field at the path of the Portico benchmark), frees. Returns its length.
long pbc_get_one(int size, const uint8_t *data, size_t length);
/// Unpacks, reads the three GetMany fields, frees. Returns the number of elements seen.
long pbc_get_many(int size, const uint8_t *data, size_t length);
/// Unpacks, sets the SetOne field to 42, packs into `out`, frees. Returns the packed length.
long pbc_set_one(int size, const uint8_t *data, size_t length, uint8_t *out, size_t capacity);
/// Unpacks, makes the three SetMany edits, packs into `out`, frees. Returns the packed length.
long pbc_set_many(int size, const uint8_t *data, size_t length, uint8_t *out, size_t capacity);
/// Unpacks as the Partial type, drops the unknown fields (protobuf-c keeps them), packs into `out`. Sizes 0 and 1.
long pbc_trim(int size, const uint8_t *data, size_t length, uint8_t *out, size_t capacity);

/// A decoded message kept across calls (for the encode benchmark); NULL on failure.
void *pbc_unpack(int size, const uint8_t *data, size_t length);
void pbc_free(int size, void *message);
/// Packs a message from pbc_unpack into `out`. Returns the packed length.
long pbc_pack(int size, const void *message, uint8_t *out, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif
