#include "ProtobufCReference.h"

#include <string.h>

#include "generated/baseline.pb-c.h"

static const ProtobufCMessageDescriptor *full_type(int size) {
    switch (size) {
    case 0: return &baseline__simple__descriptor;
    case 1: return &baseline__nesting__descriptor;
    default: return &baseline__nesting2__descriptor;
    }
}

static ProtobufCMessage *unpack(const ProtobufCMessageDescriptor *type, const uint8_t *data, size_t length) {
    return protobuf_c_message_unpack(type, NULL, length, data);
}

static long pack(const ProtobufCMessage *message, uint8_t *out, size_t capacity) {
    size_t needed = protobuf_c_message_get_packed_size(message);
    if (needed > capacity) return -1;
    return (long)protobuf_c_message_pack(message, out);
}

/// The value of map_string_simple[key]; the last entry with the key wins, as in the wire format.
static Baseline__Simple *simple_for_key(const Baseline__Nesting *nesting, const char *key) {
    Baseline__Simple *found = NULL;
    for (size_t i = 0; i < nesting->n_map_string_simple; i++) {
        if (strcmp(nesting->map_string_simple[i]->key, key) == 0) found = nesting->map_string_simple[i]->value;
    }
    return found;
}

/// The Simple that GetOne and SetOne reach: the message itself, map_string_simple["15"], or
/// list_nesting[15].map_string_simple["15"].
static Baseline__Simple *target_simple(int size, ProtobufCMessage *message) {
    switch (size) {
    case 0: return (Baseline__Simple *)message;
    case 1: return simple_for_key((Baseline__Nesting *)message, "15");
    default: {
        Baseline__Nesting2 *large = (Baseline__Nesting2 *)message;
        return large->n_list_nesting > 15 ? simple_for_key(large->list_nesting[15], "15") : NULL;
    }
    }
}

long pbc_decode_all(int size, const uint8_t *data, size_t length) {
    ProtobufCMessage *message = unpack(full_type(size), data, length);
    if (message == NULL) return -1;
    protobuf_c_message_free_unpacked(message, NULL);
    return 0;
}

long pbc_get_one(int size, const uint8_t *data, size_t length) {
    ProtobufCMessage *message = unpack(full_type(size), data, length);
    if (message == NULL) return -1;
    Baseline__Simple *simple = target_simple(size, message);
    long result = simple == NULL ? -1 : (long)simple->binary_field.len;
    protobuf_c_message_free_unpacked(message, NULL);
    return result;
}

long pbc_get_many(int size, const uint8_t *data, size_t length) {
    ProtobufCMessage *message = unpack(full_type(size), data, length);
    if (message == NULL) return -1;
    long seen = 0;
    const Baseline__Nesting *nesting = NULL;
    switch (size) {
    case 0: {
        Baseline__Simple *simple = (Baseline__Simple *)message;
        seen = (simple->byte_field != 0) + (simple->double_field != 0) + (simple->binary_field.len != 0);
        break;
    }
    case 1: nesting = (Baseline__Nesting *)message; break;
    default: nesting = ((Baseline__Nesting2 *)message)->nesting; break;
    }
    if (nesting != NULL) {
        seen = (long)nesting->n_list_simple + (nesting->simple_struct != NULL) + (long)nesting->n_map_string_simple;
    }
    protobuf_c_message_free_unpacked(message, NULL);
    return seen;
}

long pbc_set_one(int size, const uint8_t *data, size_t length, uint8_t *out, size_t capacity) {
    ProtobufCMessage *message = unpack(full_type(size), data, length);
    if (message == NULL) return -1;
    Baseline__Simple *simple = target_simple(size, message);
    long result = -1;
    if (simple != NULL) {
        simple->i64_field = 42;
        result = pack(message, out, capacity);
    }
    protobuf_c_message_free_unpacked(message, NULL);
    return result;
}

static uint8_t new_binary[3] = {1, 2, 3};

long pbc_set_many(int size, const uint8_t *data, size_t length, uint8_t *out, size_t capacity) {
    ProtobufCMessage *message = unpack(full_type(size), data, length);
    if (message == NULL) return -1;
    Baseline__Simple *simple = target_simple(size, message);
    Baseline__Simple *with_double = NULL;
    switch (size) {
    case 0: ((Baseline__Simple *)message)->byte_field = 1; with_double = simple; break;
    case 1:
        ((Baseline__Nesting *)message)->i32 = 1;
        with_double = ((Baseline__Nesting *)message)->simple_struct;
        break;
    default: {
        Baseline__Nesting2 *large = (Baseline__Nesting2 *)message;
        large->i32 = 1;
        with_double = large->nesting == NULL ? NULL : large->nesting->simple_struct;
        break;
    }
    }
    long result = -1;
    if (simple != NULL && with_double != NULL) {
        with_double->double_field = 1.5;
        // The new bytes are not the unpacker's: put its pointer back before freeing.
        ProtobufCBinaryData original = simple->binary_field;
        simple->binary_field.data = new_binary;
        simple->binary_field.len = sizeof new_binary;
        result = pack(message, out, capacity);
        simple->binary_field = original;
    }
    protobuf_c_message_free_unpacked(message, NULL);
    return result;
}

/// Sets (hide) or restores every n_unknown_fields under `message` (visited in the same order both times).
static void hide_unknown_fields(ProtobufCMessage *message, unsigned *saved, size_t *next, int hide) {
    if (hide) {
        saved[(*next)++] = message->n_unknown_fields;
        message->n_unknown_fields = 0;
    } else {
        message->n_unknown_fields = saved[(*next)++];
    }
    const ProtobufCMessageDescriptor *type = message->descriptor;
    for (unsigned i = 0; i < type->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &type->fields[i];
        if (field->type != PROTOBUF_C_TYPE_MESSAGE) continue;
        char *member = (char *)message + field->offset;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(size_t *)((char *)message + field->quantifier_offset);
            ProtobufCMessage **elements = *(ProtobufCMessage ***)member;
            for (size_t e = 0; e < count; e++) hide_unknown_fields(elements[e], saved, next, hide);
        } else if (*(ProtobufCMessage **)member != NULL) {
            hide_unknown_fields(*(ProtobufCMessage **)member, saved, next, hide);
        }
    }
}

long pbc_trim(int size, const uint8_t *data, size_t length, uint8_t *out, size_t capacity) {
    if (size > 1) return -1;
    const ProtobufCMessageDescriptor *type =
        size == 0 ? &baseline__partial_simple__descriptor : &baseline__partial_nesting__descriptor;
    ProtobufCMessage *message = unpack(type, data, length);
    if (message == NULL) return -1;
    unsigned saved[128];  // PartialNesting of the benchmark has 1 + 16 + 1 + 16 * 2 messages
    size_t next = 0;
    hide_unknown_fields(message, saved, &next, 1);
    long result = pack(message, out, capacity);
    next = 0;
    hide_unknown_fields(message, saved, &next, 0);
    protobuf_c_message_free_unpacked(message, NULL);
    return result;
}

void *pbc_unpack(int size, const uint8_t *data, size_t length) {
    return unpack(full_type(size), data, length);
}

void pbc_free(int size, void *message) {
    (void)size;
    if (message != NULL) protobuf_c_message_free_unpacked((ProtobufCMessage *)message, NULL);
}

long pbc_pack(int size, const void *message, uint8_t *out, size_t capacity) {
    (void)size;
    return pack((const ProtobufCMessage *)message, out, capacity);
}
