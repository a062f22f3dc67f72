// Sees the tensors of MeasureNetwork's one forward/backward pass, layer by
// layer, so that what else a caller wants from them (histograms) comes from the
// same pass as the metrics, never a second one.
//
// A run's dtype is chosen at run time, so there is one overload per scalar type;
// an observer overrides those it needs (the defaults ignore the layer).
#pragma once

#include "base/types.h"

namespace gradflow {

class PassObserver {
 public:
  virtual ~PassObserver() = default;
  // After layer l's forward step: z^l (units·pieces, B) and a^l (units, B).
  virtual void AfterForward(int /*layer*/, const Mat<float>& /*z*/, const Mat<float>& /*a*/) {}
  virtual void AfterForward(int /*layer*/, const Mat<double>& /*z*/, const Mat<double>& /*a*/) {}
  // During the backward pass, from the top layer down: δ^l (units·pieces, B).
  virtual void AfterBackward(int /*layer*/, const Mat<float>& /*delta*/) {}
  virtual void AfterBackward(int /*layer*/, const Mat<double>& /*delta*/) {}
};

}  // namespace gradflow
