// The safetensors reader and writer: round trips, dtype conversions, and every
// kind of malformed file refused with a UsageError naming the file and tensor.
#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "base/error.h"

namespace gradflow {
namespace {

// A file from a header text and a data buffer, the length prefix honest.
std::string FileBytes(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t length = header.size();
  std::memcpy(out.data(), &length, 8);
  return out + header + data;
}

// A file whose length prefix says `length`, whatever follows.
std::string WithLength(uint64_t length, const std::string& rest) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &length, 8);
  return out + rest;
}

// Expects ParseSafetensors to throw UsageError whose message has every one of `parts`.
void ExpectRefused(const std::string& bytes, const std::vector<std::string>& parts) {
  try {
    ParseSafetensors(bytes, "bad.safetensors");
    ADD_FAILURE() << "accepted; expected an error with '" << parts.front() << "'";
  } catch (const UsageError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'bad.safetensors'"), std::string::npos) << message;
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "missing '" << part << "' in: " << message;
    }
  }
}

const std::string kEightBytes(8, 'z');
// One F32 tensor "w" of 2 elements at [0, 8).
std::string OneTensor(const std::string& fields) {
  return FileBytes("{\"w\": {" + fields + "}}", kEightBytes);
}

TEST(Safetensors, RoundTripKeepsEverything) {
  SafetensorsFile file;
  file.metadata = {{"activation", "tanh"}, {"note", "ünïcode ok"}};
  file.tensors["b"] = MakeF32Tensor({3}, {1.5f, -2.0f, 1e-30f});
  file.tensors["a"] = MakeF64Tensor({2, 2}, {1, 2, 3, std::numeric_limits<double>::denorm_min()});
  file.tensors["labels"] = MakeI64Tensor({2}, {7, -1});
  file.tensors["scalar"] = MakeF64Tensor({}, {42});
  file.tensors["empty"] = MakeF32Tensor({0, 5}, {});
  const std::string bytes = SerializeSafetensors(file);
  const SafetensorsFile back = ParseSafetensors(bytes, "mem");
  EXPECT_EQ(back.metadata, file.metadata);
  ASSERT_EQ(back.tensors.size(), file.tensors.size());
  for (const auto& [name, t] : file.tensors) {
    EXPECT_EQ(back.Get(name).dtype, t.dtype) << name;
    EXPECT_EQ(back.Get(name).shape, t.shape) << name;
    EXPECT_EQ(back.Get(name).bytes, t.bytes) << name;
  }
  EXPECT_EQ(back.ReadDoubles("a"), (std::vector<double>{1, 2, 3, 4.9406564584124654e-324}));
  EXPECT_EQ(back.ReadDoubles("b"), (std::vector<double>{1.5, -2.0, double(1e-30f)}));
  EXPECT_EQ(back.ReadInts("labels"), (std::vector<int64_t>{7, -1}));
  EXPECT_EQ(back.ReadDoubles("scalar"), std::vector<double>{42});
  EXPECT_TRUE(back.ReadDoubles("empty").empty());
  // Deterministic bytes.
  EXPECT_EQ(SerializeSafetensors(back), bytes);
}

TEST(Safetensors, WriterAlignsHeaderAndTensors) {
  SafetensorsFile file;
  file.tensors["a_f32"] =
      MakeF32Tensor({3}, {1, 2, 3});  // 12 bytes: would misalign an F64 after it
  file.tensors["z_f64"] = MakeF64Tensor({1}, {1});
  const std::string bytes = SerializeSafetensors(file);
  uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  EXPECT_EQ((8 + header) % 8, 0u);
  // The F64 goes first, at offset 0; the F32 follows at 8.
  EXPECT_NE(bytes.find("\"z_f64\":{\"data_offsets\":[0,8]"), std::string::npos)
      << bytes.substr(8, header);
  EXPECT_NE(bytes.find("\"a_f32\":{\"data_offsets\":[8,20]"), std::string::npos)
      << bytes.substr(8, header);
}

TEST(Safetensors, HalfAndBFloat16AreConvertedExactly) {
  // F16: 1.0 = 0x3c00, -2.5 = 0xc100, smallest subnormal 2^-24 = 0x0001, 65504 = 0x7bff,
  // +inf = 0x7c00, NaN = 0x7e00. BF16: 1.0 = 0x3f80, -0.15625 = 0xbe20.
  const uint16_t half[] = {0x3c00, 0xc100, 0x0001, 0x7bff, 0x7c00, 0x7e00};
  const uint16_t bf16[] = {0x3f80, 0xbe20};
  const std::string data(reinterpret_cast<const char*>(half), sizeof(half));
  const std::string data2(reinterpret_cast<const char*>(bf16), sizeof(bf16));
  const SafetensorsFile file =
      ParseSafetensors(FileBytes(R"({"h": {"dtype": "F16", "shape": [6], "data_offsets": [0, 12]},
                    "b": {"dtype": "BF16", "shape": [2], "data_offsets": [12, 16]}})",
                                 data + data2),
                       "mem");
  const std::vector<double> h = file.ReadDoubles("h");
  EXPECT_EQ(h[0], 1.0);
  EXPECT_EQ(h[1], -2.5);
  EXPECT_EQ(h[2], std::ldexp(1.0, -24));
  EXPECT_EQ(h[3], 65504.0);
  EXPECT_EQ(h[4], std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(h[5]));
  EXPECT_EQ(file.ReadDoubles("b"), (std::vector<double>{1.0, -0.15625}));
}

TEST(Safetensors, WrongKindOfDtypeIsNamed) {
  SafetensorsFile file;
  file.source = "m.safetensors";
  file.tensors["labels"] = MakeF32Tensor({1}, {1});
  file.tensors["x"] = MakeI64Tensor({1}, {1});
  EXPECT_THROW(
      {
        try {
          file.ReadInts("labels");
        } catch (const UsageError& e) {
          EXPECT_STREQ(e.what(),
                       "'m.safetensors': tensor 'labels' has dtype F32; expected an integer dtype "
                       "(I64, I32)");
          throw;
        }
      },
      UsageError);
  EXPECT_THROW(file.ReadDoubles("x"), UsageError);
  EXPECT_THROW(file.Get("nope"), UsageError);
}

TEST(Safetensors, TooShortOrTruncatedFiles) {
  ExpectRefused("", {"0 bytes", "shorter than the 8-byte header length"});
  ExpectRefused("abc", {"3 bytes"});
  const std::string good = OneTensor(R"("dtype": "F32", "shape": [2], "data_offsets": [0, 8])");
  ASSERT_NO_THROW(ParseSafetensors(good, "good"));
  // Cut inside the data: the tensor runs past the end of the buffer.
  ExpectRefused(good.substr(0, good.size() - 1), {"tensor 'w'", "7-byte data buffer"});
  // Cut inside the header.
  ExpectRefused(good.substr(0, 20), {"header length", "only 12 bytes follow", "truncated"});
}

TEST(Safetensors, OversizeHeaderIsRefusedBeforeReading) {
  ExpectRefused(WithLength(kSafetensorsMaxHeaderBytes + 1, "{}"),
                {"exceeds the 100000000-byte limit"});
  ExpectRefused(WithLength(std::numeric_limits<uint64_t>::max(), "{}"), {"exceeds"});
}

TEST(Safetensors, HeaderThatIsNotJsonObject) {
  ExpectRefused(FileBytes("", ""), {"does not start with '{'"});
  ExpectRefused(FileBytes("[1, 2]", ""), {"does not start with '{'"});
  ExpectRefused(FileBytes("{\"w\": ", ""), {"not valid JSON"});
  ExpectRefused(FileBytes("{\"w\": {}} trailing", ""), {"not valid JSON"});
  ExpectRefused(FileBytes("{\"\xff\": 1}", ""), {"not valid JSON"});  // invalid UTF-8
  ExpectRefused(FileBytes("{\"a\": [[[[1]]]]}", ""), {"nested deeper"});
  ExpectRefused(FileBytes("{\"a\": " + std::string(100000, '[') + "}", ""), {"nested deeper"});
  ExpectRefused(FileBytes("{\"w\": [1e999]}", ""), {"not valid JSON"});
}

TEST(Safetensors, DuplicateNamesAndFields) {
  const std::string entry = R"({"dtype": "F32", "shape": [1], "data_offsets": [0, 4]})";
  ExpectRefused(FileBytes("{\"w\": " + entry + ", \"w\": " + entry + "}", "abcd"),
                {"'w' twice", "duplicate tensor name"});
  ExpectRefused(
      OneTensor(R"("dtype": "F32", "dtype": "F32", "shape": [2], "data_offsets": [0, 8])"),
      {"'dtype' twice"});
}

TEST(Safetensors, BadFields) {
  ExpectRefused(OneTensor(R"("dtype": "F33", "shape": [2], "data_offsets": [0, 8])"),
                {"tensor 'w'", "unknown dtype 'F33'", "F64"});
  ExpectRefused(OneTensor(R"("dtype": 4, "shape": [2], "data_offsets": [0, 8])"),
                {"tensor 'w'", "'dtype' must be a string"});
  ExpectRefused(OneTensor(R"("dtype": "F32", "shape": [-2], "data_offsets": [0, 8])"),
                {"tensor 'w'", "non-negative integers, got -2"});
  ExpectRefused(OneTensor(R"("dtype": "F32", "shape": [2.0], "data_offsets": [0, 8])"),
                {"non-negative integers, got 2.0"});
  ExpectRefused(OneTensor(R"("dtype": "F32", "shape": 2, "data_offsets": [0, 8])"),
                {"'shape' must be an array"});
  ExpectRefused(OneTensor(R"("dtype": "F32", "shape": [2])"),
                {"tensor 'w'", "'data_offsets' is missing"});
  ExpectRefused(OneTensor(R"("dtype": "F32", "shape": [2], "data_offsets": [0, 8], "x": 1)"),
                {"unknown field 'x'"});
  ExpectRefused(OneTensor(R"("dtype": "F32", "shape": [2], "data_offsets": [0])"),
                {"[begin, end], got 1 numbers"});
  ExpectRefused(FileBytes(R"({"w": 3})", ""), {"tensor 'w'", "must be an object"});
  ExpectRefused(FileBytes(R"({"__metadata__": {"a": 1}})", ""),
                {"'__metadata__' value of 'a' must be a string"});
  ExpectRefused(FileBytes(R"({"__metadata__": [1]})", ""), {"'__metadata__' must be an object"});
}

TEST(Safetensors, HugeDimensionsBesideAZeroAreCountedWithoutOverflow) {
  // [2^62, 4, 0] holds no element: its count is 0, not a wrapped product.
  const SafetensorsFile file =
      ParseSafetensors(FileBytes(R"({"e": {"dtype": "F32", "shape": [4611686018427387904, 4, 0],
                          "data_offsets": [0, 0]}})",
                                 ""),
                       "empty.safetensors");
  EXPECT_EQ(file.Get("e").NumElements(), 0);
  EXPECT_TRUE(file.ReadDoubles("e").empty());
  // A dimension of 2^63 or more does not fit the signed shape: refused.
  ExpectRefused(FileBytes(R"({"e": {"dtype": "F32", "shape": [9223372036854775808, 0],
                                   "data_offsets": [0, 0]}})",
                          ""),
                {"tensor 'e'", "2^63"});
  // An in-memory tensor whose count overflows says so instead of wrapping.
  SafetensorsTensor huge;
  huge.shape = {int64_t{1} << 62, 4};
  EXPECT_THROW(huge.NumElements(), UsageError);
}

TEST(Safetensors, OffsetsThatLie) {
  // Past the end of the buffer.
  ExpectRefused(OneTensor(R"("dtype": "F32", "shape": [2], "data_offsets": [0, 16])"),
                {"tensor 'w'", "[0, 16] do not lie inside the 8-byte data buffer"});
  // begin > end.
  ExpectRefused(OneTensor(R"("dtype": "F32", "shape": [0], "data_offsets": [8, 0])"),
                {"[8, 0] do not lie inside"});
  // Span disagrees with dtype and shape.
  ExpectRefused(OneTensor(R"("dtype": "F32", "shape": [1], "data_offsets": [0, 8])"),
                {"tensor 'w'", "span 8 bytes but shape [1] of F32 needs 4"});
  ExpectRefused(OneTensor(R"("dtype": "F32", "shape": [1], "data_offsets": [4, 8])"),
                {"tensor 'w'", "start at 4", "bytes [0, 4)", "no holes"});
  // Overlapping tensors.
  ExpectRefused(FileBytes(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                              "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                          kEightBytes),
                {"tensor 'b'", "overlap tensor 'a'"});
  // Bytes no tensor claims.
  ExpectRefused(OneTensor(R"("dtype": "F32", "shape": [1], "data_offsets": [0, 4])"),
                {"8 bytes but the tensors cover only 4"});
  // A shape whose byte count overflows 64 bits, or needs more than the buffer.
  ExpectRefused(
      OneTensor(R"("dtype": "F64", "shape": [4611686018427387904, 4], "data_offsets": [0, 8])"),
      {"tensor 'w'", "needs more bytes than the 8-byte data buffer"});
  ExpectRefused(OneTensor(R"("dtype": "F64", "shape": [3], "data_offsets": [0, 8])"),
                {"needs more bytes"});
  ExpectRefused(
      OneTensor(R"("dtype": "F32", "shape": [2], "data_offsets": [0, 18446744073709551616])"),
      {"non-negative integers"});
}

TEST(Safetensors, ReadFileErrorsNameThePath) {
  try {
    ReadSafetensors("/nonexistent/model.safetensors");
    ADD_FAILURE();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open '/nonexistent/model.safetensors'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(ReadSafetensors("/tmp"), UsageError);
}

}  // namespace
}  // namespace gradflow
