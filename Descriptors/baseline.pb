
õ
baseline.protobaseline"Ê
Simple

byte_field (R	byteField
	i64_field (Ri64Field!
double_field (RdoubleField
	i32_field (Ri32Field!
string_field (	RstringField!
binary_field (RbinaryField"t
PartialSimple

byte_field (R	byteField!
double_field (RdoubleField!
binary_field (RbinaryField"˜
Nesting
string (	Rstring1
list_simple (2.baseline.SimpleR
listSimple
double (Rdouble
i32 (Ri32
list_i32 (RlistI32
i64 (Ri64R
map_string_string (2&.baseline.Nesting.MapStringStringEntryRmapStringString5
simple_struct (2.baseline.SimpleRsimpleStruct@
map_i32_i64	 (2 .baseline.Nesting.MapI32I64EntryR	mapI32I64
list_string
 (	R
listString
binary (RbinaryI
map_i64_string (2#.baseline.Nesting.MapI64StringEntryRmapI64String
list_i64 (RlistI64
byte (RbyteR
map_string_simple (2&.baseline.Nesting.MapStringSimpleEntryRmapStringSimpleB
MapStringStringEntry
key (	Rkey
value (	Rvalue:8<
MapI32I64Entry
key (Rkey
value (Rvalue:8?
MapI64StringEntry
key (Rkey
value (	Rvalue:8T
MapStringSimpleEntry
key (	Rkey&
value (2.baseline.SimpleRvalue:8"À
PartialNesting8
list_simple (2.baseline.PartialSimpleR
listSimple<
simple_struct (2.baseline.PartialSimpleRsimpleStructY
map_string_simple (2-.baseline.PartialNesting.MapStringSimpleEntryRmapStringSimple[
MapStringSimpleEntry
key (	Rkey-
value (2.baseline.PartialSimpleRvalue:8"­
Nesting2M
map_i64_nesting (2%.baseline.Nesting2.MapI64NestingEntryRmapI64Nesting4
list_nesting (2.baseline.NestingRlistNesting2
set_nesting (2.baseline.NestingR
setNesting+
nesting (2.baseline.NestingRnesting
string (	Rstring
i32 (Ri32
double (Rdouble
i64 (Ri64
bool	 (RboolS
MapI64NestingEntry
key (Rkey'
value (2.baseline.NestingRvalue:82ÿ
BaselineService2
SimpleMethod.baseline.Simple.baseline.SimpleG
PartialSimpleMethod.baseline.PartialSimple.baseline.PartialSimple5
NestingMethod.baseline.Nesting.baseline.Nesting8
Nesting2Method.baseline.Nesting2.baseline.Nesting2bproto3