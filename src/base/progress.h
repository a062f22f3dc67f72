// The sweep progress bar: runs done / total, rate and time left, redrawn in
// place on stderr (the CLI enables it only when stderr is a terminal).
#pragma once

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace gradflow {

// "[#########-----------] 12/40 runs  3.2 runs/s  ETA 0:09" (bar of `width`
// cells). Rate and ETA read "--" until a run has finished.
std::string FormatProgress(size_t done, size_t total, double elapsed_seconds, int width);

// "0:09", "12:05", "1:02:03"
std::string FormatDuration(double seconds);

class ProgressBar {
 public:
  // Draws on *out when enabled; a disabled bar does nothing.
  ProgressBar(size_t total, bool enabled, std::ostream* out);
  // Redraws (at most every 100 ms, and always when done == total).
  void Update(size_t done);
  // Ends the line if anything was drawn.
  void Finish();

 private:
  size_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::ostream* out_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace gradflow
