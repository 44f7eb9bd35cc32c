// Test schema for the nested-container oracle tests (Tests/peers/thrift_nested_peer.py): lists, sets and maps
// nested inside each other, with structs at the bottom.
namespace py nested

struct Leaf {
  1: i32 id
  2: string name
  3: optional list<i64> tags
  4: optional bool flag
}

struct Deep {
  1: list<list<i32>> matrix
  2: map<i64, list<string>> nested
  3: list<map<string, list<Leaf>>> groups
  4: map<string, set<string>> labels
  5: list<set<i32>> buckets
  6: map<string, map<i32, Leaf>> table
  7: set<string> names
  8: list<list<list<bool>>> cube
  9: map<string, list<map<string, Leaf>>> chains
  10: i32 count = 5
  11: Leaf leaf
  12: list<list<binary>> blobs
  13: map<i16, list<double>> series
}
