// The positive control of layering.upward_include_fails: the same engine
// include path finds its own layer and the layer below it.
#include "base/types.h"
#include "engine/network.h"
