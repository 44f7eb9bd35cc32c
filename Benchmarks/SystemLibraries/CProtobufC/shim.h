// The protobuf-c runtime (Debian libprotobuf-c-dev), installed by scripts/install-bench-deps.sh.
#include <protobuf-c/protobuf-c.h>
