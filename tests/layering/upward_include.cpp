// Compiled (by the ctest test layering.upward_include_fails) against the
// engine layer's include path only: engine sits below experiment, so this
// #include must not be found. If it compiles, the layers are not enforced.
#include "experiment/run.h"
