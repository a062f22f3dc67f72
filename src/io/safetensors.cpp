#include "io/safetensors.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "base/checked_math.h"
#include "base/error.h"
#include "fmt/format.h"
#include "fmt/ranges.h"
#include "nlohmann/json.hpp"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; this reader copies bytes as they are");

namespace gradflow {
namespace {

using Json = nlohmann::json;

struct DTypeRow {
  const char* name;
  int size;
};
// Every dtype of the safetensors specification, so that files holding tensors
// we do not read as numbers still have their byte counts checked.
const DTypeRow kDTypes[] = {
    {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
    {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
    {"U32", 4},  {"F32", 4}, {"I64", 8}, {"U64", 8},     {"F64", 8},
};

std::string KnownDTypes() {
  std::string names;
  for (const DTypeRow& row : kDTypes) names += (names.empty() ? "" : ", ") + std::string(row.name);
  return names;
}

// `source` is the file name; `where` is already "'file': tensor 'name'".
[[noreturn]] void Fail(const std::string& source, const std::string& message) {
  throw UsageError(fmt::format("'{}': {}", source, message));
}
[[noreturn]] void FailAt(const std::string& where, const std::string& message) {
  throw UsageError(where + ": " + message);
}

template <typename Int>
Int LoadLittleEndian(const char* p) {
  Int v;
  std::memcpy(&v, p, sizeof(Int));
  return v;
}

// IEEE 754 binary16 -> float, exactly (subnormals, infinities and NaN included).
float HalfToFloat(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1u, exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  float magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);  // subnormal: m·2^-24
  } else if (exponent == 31) {
    magnitude = mantissa == 0 ? INFINITY : NAN;
  } else {
    // (1 + m/1024)·2^(e-15)
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u), static_cast<int>(exponent) - 25);
  }
  return sign ? -magnitude : magnitude;
}

// bfloat16 is the top half of a float32.
float BFloat16ToFloat(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

// Parses the header JSON, refusing duplicate keys (which a JSON parser would
// otherwise resolve silently, last one wins) and nesting deeper than a valid
// header has (root object > tensor object > shape array).
Json ParseHeaderJson(const std::string& text, const std::string& source) {
  std::vector<std::set<std::string>> keys;  // one set per open object
  auto check = [&](int depth, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        if (depth > 2) Fail(source, "header JSON is nested deeper than a safetensors header");
        if (event == Json::parse_event_t::object_start) keys.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        keys.pop_back();
        break;
      case Json::parse_event_t::key:
        if (!keys.back().insert(parsed.get<std::string>()).second) {
          Fail(source,
               fmt::format("header JSON has the key '{}' twice{}", parsed.get<std::string>(),
                           depth == 1 ? " (duplicate tensor name)" : ""));
        }
        break;
      default:
        break;
    }
    return true;
  };
  try {
    return Json::parse(text, check);
  } catch (const Json::exception& e) {
    Fail(source, fmt::format("header is not valid JSON: {}", e.what()));
  }
}

// A JSON array of non-negative integers (each below 2^64).
std::vector<uint64_t> UnsignedArray(const Json& value, const std::string& where,
                                    const char* field) {
  if (!value.is_array()) FailAt(where, fmt::format("'{}' must be an array", field));
  std::vector<uint64_t> numbers;
  for (const Json& item : value) {
    if (!item.is_number_unsigned()) {
      FailAt(where,
             fmt::format("'{}' must hold non-negative integers, got {}", field, item.dump()));
    }
    numbers.push_back(item.get<uint64_t>());
  }
  return numbers;
}

struct Entry {
  std::string name;
  uint64_t begin, end;
};

}  // namespace

int SafetensorsDTypeSize(const std::string& dtype) {
  for (const DTypeRow& row : kDTypes) {
    if (dtype == row.name) return row.size;
  }
  return 0;
}

int64_t SafetensorsTensor::NumElements() const {
  const std::optional<int64_t> n = CheckedProduct(shape);
  if (!n) {
    throw UsageError(fmt::format("tensor shape [{}] has more elements than a 64-bit count holds",
                                 fmt::join(shape, ", ")));
  }
  return *n;
}

std::string SafetensorsFile::Where(const std::string& name) const {
  return fmt::format("'{}': tensor '{}'", source, name);
}

const SafetensorsTensor& SafetensorsFile::Get(const std::string& name) const {
  const auto it = tensors.find(name);
  if (it == tensors.end()) throw UsageError(Where(name) + " is missing");
  return it->second;
}

std::vector<double> SafetensorsFile::ReadDoubles(const std::string& name) const {
  const SafetensorsTensor& t = Get(name);
  const int64_t n = t.NumElements();
  std::vector<double> values(static_cast<size_t>(n));
  const char* p = t.bytes.data();
  if (t.dtype == "F64") {
    for (int64_t i = 0; i < n; ++i) values[i] = LoadLittleEndian<double>(p + 8 * i);
  } else if (t.dtype == "F32") {
    for (int64_t i = 0; i < n; ++i) values[i] = LoadLittleEndian<float>(p + 4 * i);
  } else if (t.dtype == "F16") {
    for (int64_t i = 0; i < n; ++i) values[i] = HalfToFloat(LoadLittleEndian<uint16_t>(p + 2 * i));
  } else if (t.dtype == "BF16") {
    for (int64_t i = 0; i < n; ++i) {
      values[i] = BFloat16ToFloat(LoadLittleEndian<uint16_t>(p + 2 * i));
    }
  } else {
    throw UsageError(fmt::format("{} has dtype {}; expected a floating dtype (F64, F32, F16, BF16)",
                                 Where(name), t.dtype));
  }
  return values;
}

std::vector<int64_t> SafetensorsFile::ReadInts(const std::string& name) const {
  const SafetensorsTensor& t = Get(name);
  const int64_t n = t.NumElements();
  std::vector<int64_t> values(static_cast<size_t>(n));
  const char* p = t.bytes.data();
  if (t.dtype == "I64") {
    for (int64_t i = 0; i < n; ++i) values[i] = LoadLittleEndian<int64_t>(p + 8 * i);
  } else if (t.dtype == "I32") {
    for (int64_t i = 0; i < n; ++i) values[i] = LoadLittleEndian<int32_t>(p + 4 * i);
  } else {
    throw UsageError(
        fmt::format("{} has dtype {}; expected an integer dtype (I64, I32)", Where(name), t.dtype));
  }
  return values;
}

SafetensorsFile ParseSafetensors(const std::string& bytes, const std::string& source) {
  if (bytes.size() < 8) {
    Fail(source, fmt::format("file is {} bytes, shorter than the 8-byte header length "
                             "(not a safetensors file, or truncated)",
                             bytes.size()));
  }
  const uint64_t header_size = LoadLittleEndian<uint64_t>(bytes.data());
  const uint64_t after_length = bytes.size() - 8;
  if (header_size > kSafetensorsMaxHeaderBytes) {
    Fail(source, fmt::format("header length {} exceeds the {}-byte limit (not a safetensors file?)",
                             header_size, kSafetensorsMaxHeaderBytes));
  }
  if (header_size > after_length) {
    Fail(source, fmt::format("header length {} but only {} bytes follow (truncated file?)",
                             header_size, after_length));
  }
  const std::string header_text = bytes.substr(8, header_size);
  if (header_text.empty() || header_text[0] != '{') {
    Fail(source, "header does not start with '{' (not a safetensors file?)");
  }
  const Json header = ParseHeaderJson(header_text, source);
  if (!header.is_object()) Fail(source, "header JSON is not an object");

  const uint64_t buffer_size = after_length - header_size;
  const char* buffer = bytes.data() + 8 + header_size;
  SafetensorsFile file;
  file.source = source;
  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      if (!info.is_object()) Fail(source, "'__metadata__' must be an object of strings");
      for (const auto& [key, value] : info.items()) {
        if (!value.is_string()) {
          Fail(source, fmt::format("'__metadata__' value of '{}' must be a string, got {}", key,
                                   value.dump()));
        }
        file.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    const std::string where = file.Where(name);
    if (name.empty()) Fail(source, "a tensor has an empty name");
    if (!info.is_object()) FailAt(where, "entry must be an object with dtype, shape, data_offsets");
    for (const auto& [key, value] : info.items()) {
      if (key != "dtype" && key != "shape" && key != "data_offsets") {
        FailAt(where, fmt::format("unknown field '{}' (expected dtype, shape, data_offsets)", key));
      }
    }
    for (const char* key : {"dtype", "shape", "data_offsets"}) {
      if (!info.contains(key)) FailAt(where, fmt::format("field '{}' is missing", key));
    }
    SafetensorsTensor tensor;
    if (!info["dtype"].is_string()) FailAt(where, "'dtype' must be a string");
    tensor.dtype = info["dtype"].get<std::string>();
    const int element_size = SafetensorsDTypeSize(tensor.dtype);
    if (element_size == 0) {
      FailAt(where, fmt::format("unknown dtype '{}' (known: {})", tensor.dtype, KnownDTypes()));
    }
    // Elements = Π shape; refuse products that could not fit the buffer before
    // they overflow.
    const std::vector<uint64_t> shape = UnsignedArray(info["shape"], where, "shape");
    for (uint64_t d : shape) {
      // Beside a zero dimension any size passes the buffer check below; a
      // dimension must still fit the signed 64-bit shape it is stored in.
      if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        FailAt(where,
               fmt::format("shape [{}] has a dimension of 2^63 or more", fmt::join(shape, ", ")));
      }
    }
    const bool has_zero = std::find(shape.begin(), shape.end(), 0u) != shape.end();
    uint64_t elements = has_zero ? 0 : 1;
    bool too_many = false;
    for (uint64_t d : shape) {
      if (has_zero) break;
      if (elements > buffer_size / d) {  // elements·d would exceed the buffer
        too_many = true;
        break;
      }
      elements *= d;
    }
    if (too_many || elements > buffer_size / element_size) {
      FailAt(where,
             fmt::format("shape [{}] of {} needs more bytes than the {}-byte data buffer holds",
                         fmt::join(shape, ", "), tensor.dtype, buffer_size));
    }
    for (uint64_t d : shape) tensor.shape.push_back(static_cast<int64_t>(d));
    const std::vector<uint64_t> offsets =
        UnsignedArray(info["data_offsets"], where, "data_offsets");
    if (offsets.size() != 2) {
      FailAt(where,
             fmt::format("'data_offsets' must be [begin, end], got {} numbers", offsets.size()));
    }
    const uint64_t begin = offsets[0], end = offsets[1];
    if (begin > end || end > buffer_size) {
      FailAt(where, fmt::format("data_offsets [{}, {}] do not lie inside the {}-byte data buffer",
                                begin, end, buffer_size));
    }
    const uint64_t expected_bytes = elements * static_cast<uint64_t>(element_size);
    if (end - begin != expected_bytes) {
      FailAt(where,
             fmt::format("data_offsets [{}, {}] span {} bytes but shape [{}] of {} needs {}", begin,
                         end, end - begin, fmt::join(shape, ", "), tensor.dtype, expected_bytes));
    }
    tensor.bytes.assign(buffer + begin, end - begin);
    file.tensors.emplace(name, std::move(tensor));
    entries.push_back({name, begin, end});
  }
  // The tensors must tile the buffer: no overlap, no hole, nothing after.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  uint64_t covered = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (e.begin < covered) {
      FailAt(file.Where(e.name),
             fmt::format("data_offsets [{}, {}] overlap tensor '{}' (which ends at {})", e.begin,
                         e.end, entries[i - 1].name, covered));
    }
    if (e.begin > covered) {
      FailAt(file.Where(e.name),
             fmt::format("data_offsets start at {}, leaving bytes [{}, {}) of the data buffer "
                         "unused (the format has no holes)",
                         e.begin, covered, e.begin));
    }
    covered = e.end;
  }
  if (covered != buffer_size) {
    Fail(source, fmt::format("the data buffer has {} bytes but the tensors cover only {} "
                             "(trailing bytes or a header that lies about sizes)",
                             buffer_size, covered));
  }
  return file;
}

SafetensorsFile ReadSafetensors(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    throw UsageError(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  }
  if (!S_ISREG(info.st_mode)) throw UsageError(fmt::format("'{}' is not a regular file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  std::stringstream content;
  content << in.rdbuf();
  if (in.bad()) throw UsageError(fmt::format("cannot read '{}'", path));
  return ParseSafetensors(content.str(), path);
}

std::string SerializeSafetensors(const SafetensorsFile& file) {
  std::vector<std::string> names;
  for (const auto& [name, tensor] : file.tensors) {
    const int size = SafetensorsDTypeSize(tensor.dtype);
    if (size == 0 ||
        CheckedMultiply(tensor.NumElements(), size) != static_cast<int64_t>(tensor.bytes.size())) {
      throw std::logic_error(fmt::format("tensor '{}': {} bytes do not match dtype {} and shape",
                                         name, tensor.bytes.size(), tensor.dtype));
    }
    names.push_back(name);
  }
  // Larger elements first so each tensor starts aligned to its element size.
  std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return SafetensorsDTypeSize(file.tensors.at(a).dtype) >
           SafetensorsDTypeSize(file.tensors.at(b).dtype);
  });
  Json header = Json::object();
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  std::string data;
  for (const std::string& name : names) {
    const SafetensorsTensor& t = file.tensors.at(name);
    header[name] = {{"dtype", t.dtype},
                    {"shape", t.shape},
                    {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
    data += t.bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  const uint64_t length = text.size();
  std::memcpy(out.data(), &length, sizeof(length));
  return out + text + data;
}

namespace {

template <typename Value>
SafetensorsTensor MakeTensor(const char* dtype, const std::vector<int64_t>& shape,
                             const std::vector<Value>& values) {
  SafetensorsTensor t;
  t.dtype = dtype;
  t.shape = shape;
  if (t.NumElements() != static_cast<int64_t>(values.size())) {
    throw std::logic_error(
        fmt::format("{} values for a tensor of {} elements", values.size(), t.NumElements()));
  }
  t.bytes.assign(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(Value));
  return t;
}

}  // namespace

SafetensorsTensor MakeF64Tensor(const std::vector<int64_t>& shape,
                                const std::vector<double>& values) {
  return MakeTensor("F64", shape, values);
}
SafetensorsTensor MakeF32Tensor(const std::vector<int64_t>& shape,
                                const std::vector<float>& values) {
  return MakeTensor("F32", shape, values);
}
SafetensorsTensor MakeI64Tensor(const std::vector<int64_t>& shape,
                                const std::vector<int64_t>& values) {
  return MakeTensor("I64", shape, values);
}

}  // namespace gradflow
