#include "base/progress.h"

#include <algorithm>
#include <cmath>

#include "fmt/format.h"

namespace gradflow {

std::string FormatDuration(double seconds) {
  const int64_t total = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  const int64_t h = total / 3600, m = (total / 60) % 60, s = total % 60;
  if (h > 0) return fmt::format("{}:{:02}:{:02}", h, m, s);
  return fmt::format("{}:{:02}", m, s);
}

std::string FormatProgress(size_t done, size_t total, double elapsed_seconds, int width) {
  const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int filled = static_cast<int>(std::floor(fraction * width));
  std::string text = "[" + std::string(filled, '#') + std::string(width - filled, '-') + "] ";
  text += fmt::format("{}/{} runs", done, total);
  if (done > 0 && elapsed_seconds > 0) {
    const double rate = static_cast<double>(done) / elapsed_seconds;
    text += fmt::format("  {:.3g} runs/s  ETA {}", rate,
                        FormatDuration(static_cast<double>(total - done) / rate));
  } else {
    text += "  -- runs/s  ETA --";
  }
  return text;
}

ProgressBar::ProgressBar(size_t total, bool enabled, std::ostream* out)
    : total_(total), enabled_(enabled), out_(out), start_(std::chrono::steady_clock::now()) {
  last_draw_ = start_ - std::chrono::seconds(1);
}

void ProgressBar::Update(size_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  // \r back to the line start, \x1b[K clears what a longer previous line left.
  *out_ << '\r' << FormatProgress(done, total_, elapsed, 30) << "\x1b[K" << std::flush;
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (enabled_ && drawn_) *out_ << '\n' << std::flush;
  drawn_ = false;
}

}  // namespace gradflow
