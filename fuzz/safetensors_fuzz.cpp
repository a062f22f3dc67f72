// libFuzzer target for the safetensors reader: any input must either parse or
// throw UsageError. Anything else (another exception, a crash, an address or
// undefined-behaviour sanitizer report) is a bug. Parsed files are read back
// as numbers and re-serialised, so those paths are exercised too.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const gradflow::SafetensorsFile file = gradflow::ParseSafetensors(bytes, "fuzz");
    for (const auto& [name, tensor] : file.tensors) {
      try {
        file.ReadDoubles(name);
      } catch (const gradflow::UsageError&) {
        try {
          file.ReadInts(name);
        } catch (const gradflow::UsageError&) {  // neither floating nor integer
        }
      }
    }
    // A file that parses must survive a write/read round trip unchanged.
    const gradflow::SafetensorsFile again =
        gradflow::ParseSafetensors(gradflow::SerializeSafetensors(file), "again");
    if (again.tensors.size() != file.tensors.size() || again.metadata != file.metadata) {
      __builtin_trap();
    }
    for (const auto& [name, tensor] : file.tensors) {
      const gradflow::SafetensorsTensor& t = again.Get(name);
      if (t.dtype != tensor.dtype || t.shape != tensor.shape || t.bytes != tensor.bytes) {
        __builtin_trap();
      }
    }
  } catch (const gradflow::UsageError&) {
  }
  return 0;
}
