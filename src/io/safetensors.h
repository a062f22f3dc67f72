// Reading and writing safetensors files (https://github.com/huggingface/safetensors).
//
// Layout: an 8-byte little-endian unsigned header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"key": "value", ...}}
// then the data buffer; offsets are relative to the start of the buffer, tensors are
// row-major (C order), little-endian. The format carries no code, so reading an
// untrusted file is safe as long as every length and offset is checked, which
// ParseSafetensors does: header length against the file size and a 100 MB limit,
// each tensor's byte count against its dtype and shape, offsets inside the buffer,
// no two tensors overlapping, no unindexed bytes (as the reference implementation),
// no duplicate names, metadata values strings. Every failure is a UsageError naming
// the file and, where there is one, the tensor.
//
// Written: F32, F64, I64 (and any dtype whose bytes the caller supplies).
// Read as numbers: F16, BF16, F32, F64 to double; I64, I32 to int64.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gradflow {

// Headers above this size are refused before they are parsed.
constexpr uint64_t kSafetensorsMaxHeaderBytes = 100u * 1000 * 1000;

struct SafetensorsTensor {
  std::string dtype;           // "F32", "F64", "I64", ...
  std::vector<int64_t> shape;  // row-major; {} is a scalar
  std::string bytes;           // little-endian data, exactly NumElements() · element size

  int64_t NumElements() const;
};

struct SafetensorsFile {
  std::string source;  // the file name, for messages ("" when built in memory)
  std::map<std::string, SafetensorsTensor> tensors;
  std::map<std::string, std::string> metadata;  // the "__metadata__" object

  bool Has(const std::string& name) const { return tensors.count(name) > 0; }
  // Throws UsageError naming the file and the tensor when it is absent.
  const SafetensorsTensor& Get(const std::string& name) const;
  // The tensor's values in row-major order. Floating dtypes (F16, BF16, F32,
  // F64) only; throws UsageError naming file, tensor and dtype otherwise.
  std::vector<double> ReadDoubles(const std::string& name) const;
  // Integer dtypes (I64, I32) only.
  std::vector<int64_t> ReadInts(const std::string& name) const;
  // "'<source>': tensor '<name>'" for messages.
  std::string Where(const std::string& name) const;
};

// Bytes per element of a safetensors dtype name; 0 if the name is unknown.
int SafetensorsDTypeSize(const std::string& dtype);

// Parses a whole file's bytes. `source` names the file in error messages.
SafetensorsFile ParseSafetensors(const std::string& bytes, const std::string& source);
// Reads and parses `path`; a missing or unreadable file is a UsageError.
SafetensorsFile ReadSafetensors(const std::string& path);

// The file's bytes: tensors in order of descending element size, then name
// (so every tensor starts at a multiple of its element size), header padded
// with spaces to a multiple of 8 bytes. Deterministic for the same content.
std::string SerializeSafetensors(const SafetensorsFile& file);

// Tensors from row-major values.
SafetensorsTensor MakeF64Tensor(const std::vector<int64_t>& shape,
                                const std::vector<double>& values);
SafetensorsTensor MakeF32Tensor(const std::vector<int64_t>& shape,
                                const std::vector<float>& values);
SafetensorsTensor MakeI64Tensor(const std::vector<int64_t>& shape,
                                const std::vector<int64_t>& values);

}  // namespace gradflow
