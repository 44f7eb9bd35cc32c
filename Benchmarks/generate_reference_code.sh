#!/usr/bin/env bash
# Regenerates the committed reference code from Descriptors/baseline.{proto,thrift}:
#   ProtobufCReference/generated/    protoc-c (Debian protobuf-c-compiler)
#   ApacheThriftReference/generated/ thrift --gen cpp:templates (Debian thrift-compiler), types only
# Run it after changing the IDL; `scripts/install-bench-deps.sh` installs both compilers.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bench="$root/Benchmarks"

rm -rf "$bench/ProtobufCReference/generated" && mkdir -p "$bench/ProtobufCReference/generated"
protoc-c --c_out="$bench/ProtobufCReference/generated" -I "$root/Descriptors" baseline.proto

out="$bench/ApacheThriftReference/generated"
rm -rf "$out" && mkdir -p "$out"
# `templates`: read/write are templates over the protocol class, so the reference runs with
# TBinaryProtocolT<TMemoryBuffer> / TCompactProtocolT<TMemoryBuffer> and no virtual call per value (Apache's
# fastest configuration).
thrift --gen cpp:templates,no_skeleton -out "$out" "$root/Descriptors/baseline.thrift" 2>/dev/null
rm -f "$out"/BaselineService.*
# Nesting2.SetNesting holds 16 equal elements (benchmark-messages.md); a std::set would keep one of them, so the
# reference would decode and encode 1/16 of that field. std::multiset keeps them all (the generated code only
# calls insert, begin and end). Thrift 0.17 ignores cpp.template/cpp.type on a set field, hence the edit here.
sed -i 's/std::set<Nesting>/std::multiset<Nesting>/g' "$out"/baseline_types.h "$out"/baseline_types.cpp \
    "$out"/baseline_types.tcc
# Nesting2 has a field named Nesting of type Nesting: inside Nesting2 the name then means the field, and the
# generated code does not compile (in clang or gcc). Spell the type as ::baseline::Nesting wherever Nesting2's
# code uses it.
sed -i -e 's/<Nesting>/< ::baseline::Nesting>/g' -e 's/, Nesting>/, ::baseline::Nesting>/g' \
    -e 's/^\( *\)Nesting \(Nesting;\)/\1::baseline::Nesting \2/' -e 's/const Nesting& val/const ::baseline::Nesting\& val/' \
    -e 's/^\( *\)Nesting\(&\{0,1\} _\(val\|elem\)[0-9]*\)/\1::baseline::Nesting\2/' \
    "$out"/baseline_types.h "$out"/baseline_types.cpp "$out"/baseline_types.tcc
# Apache's TToString.h prints std::set but not std::multiset (generated printTo uses it): add the overload.
sed -i 's|^#include <memory>$|#include <memory>\n#include <set>\n#include <thrift/TToString.h>\nnamespace apache { namespace thrift {\ntemplate <typename T> std::string to_string(const std::multiset<T>\& s) { return to_string(s.begin(), s.end()); }\n} }  // added by generate_reference_code.sh|' \
    "$out"/baseline_types.h
