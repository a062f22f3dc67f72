// Shared aliases for the gradflow core.
//
// Convention used everywhere: matrices hold one sample per COLUMN.
// A layer's pre-activation z and activation a are (units, batch); a weight
// matrix W is (fan_out, fan_in), PyTorch's nn.Linear layout.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>

namespace gradflow {

template <typename T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;  // column-major
template <typename T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

using MatD = Mat<double>;
using VecD = Vec<double>;

enum class DType { kFloat32, kFloat64 };

inline const char* DTypeName(DType d) { return d == DType::kFloat32 ? "float32" : "float64"; }

}  // namespace gradflow
