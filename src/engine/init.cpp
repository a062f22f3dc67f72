#include "engine/init.h"

#include <cmath>

#include "base/suggest.h"
#include "fmt/format.h"

namespace gradflow {
namespace {

using P = InitParams;

void FillNormal(MatD* w, Rng* rng, double std) {
  for (Eigen::Index i = 0; i < w->rows(); ++i)
    for (Eigen::Index j = 0; j < w->cols(); ++j) (*w)(i, j) = std * rng->Normal();
}
void FillUniform(MatD* w, Rng* rng, double limit) {
  for (Eigen::Index i = 0; i < w->rows(); ++i)
    for (Eigen::Index j = 0; j < w->cols(); ++j) (*w)(i, j) = rng->Uniform(-limit, limit);
}
double FanIn(const MatD& w) { return static_cast<double>(w.cols()); }
double FanSum(const MatD& w) { return static_cast<double>(w.rows() + w.cols()); }

// Orthogonal: QR of a Gaussian (max × min) matrix, Q's columns sign-fixed by
// sign(diag R) so Q is Haar-distributed; transposed when fan_out < fan_in, so
// rows or columns (whichever are fewer) are orthonormal.
void FillOrthogonal(MatD* w, Rng* rng, const P&) {
  const Eigen::Index rows = std::max(w->rows(), w->cols());
  const Eigen::Index cols = std::min(w->rows(), w->cols());
  MatD gaussian(rows, cols);
  FillNormal(&gaussian, rng, 1.0);
  Eigen::HouseholderQR<MatD> qr(gaussian);
  MatD q = qr.householderQ() * MatD::Identity(rows, cols);
  const MatD r = qr.matrixQR().topRows(cols).triangularView<Eigen::Upper>();
  for (Eigen::Index j = 0; j < cols; ++j) {
    if (r(j, j) < 0) q.col(j) = -q.col(j);
  }
  *w = (w->rows() >= w->cols()) ? q : MatD(q.transpose());
}

const std::vector<InitSpec> kTable = {
    {"xavier_uniform", "U[-sqrt(6/(fan_in+fan_out)), +sqrt(6/(fan_in+fan_out))]", "",
     [](int in, int out, const P&) { return 2.0 * in / (in + out); },
     [](MatD* w, Rng* r, const P&) { FillUniform(w, r, std::sqrt(6.0 / FanSum(*w))); }},
    {"xavier_normal", "N(0, 2/(fan_in+fan_out))", "",
     [](int in, int out, const P&) { return 2.0 * in / (in + out); },
     [](MatD* w, Rng* r, const P&) { FillNormal(w, r, std::sqrt(2.0 / FanSum(*w))); }},
    {"he_normal", "N(0, 2/fan_in)", "", [](int, int, const P&) { return 2.0; },
     [](MatD* w, Rng* r, const P&) { FillNormal(w, r, std::sqrt(2.0 / FanIn(*w))); }},
    {"he_uniform", "U[-sqrt(6/fan_in), +sqrt(6/fan_in)]", "",
     [](int, int, const P&) { return 2.0; },
     [](MatD* w, Rng* r, const P&) { FillUniform(w, r, std::sqrt(6.0 / FanIn(*w))); }},
    {"lecun_normal", "N(0, 1/fan_in)", "", [](int, int, const P&) { return 1.0; },
     [](MatD* w, Rng* r, const P&) { FillNormal(w, r, std::sqrt(1.0 / FanIn(*w))); }},
    {"lecun_uniform", "U[-sqrt(3/fan_in), +sqrt(3/fan_in)]", "",
     [](int, int, const P&) { return 1.0; },
     [](MatD* w, Rng* r, const P&) { FillUniform(w, r, std::sqrt(3.0 / FanIn(*w))); }},
    {"orthogonal", "Q of QR(Gaussian), sign-fixed; rows or columns orthonormal", "",
     [](int in, int out, const P&) { return static_cast<double>(in) / std::max(in, out); },
     FillOrthogonal},
    {"torch_default", "U[-1/sqrt(fan_in), +1/sqrt(fan_in)] (PyTorch nn.Linear)", "",
     [](int, int, const P&) { return 1.0 / 3.0; },
     [](MatD* w, Rng* r, const P&) { FillUniform(w, r, 1.0 / std::sqrt(FanIn(*w))); }},
    {"normal", "N(0, init_std^2)", "--init-std",
     [](int in, int, const P& p) { return p.init_std * p.init_std * in; },
     [](MatD* w, Rng* r, const P& p) { FillNormal(w, r, p.init_std); }},
    {"uniform", "U[-init_scale, +init_scale]", "--init-scale",
     [](int in, int, const P& p) { return p.init_scale * p.init_scale / 3.0 * in; },
     [](MatD* w, Rng* r, const P& p) { FillUniform(w, r, p.init_scale); }},
};

}  // namespace

const std::vector<InitSpec>& InitTable() { return kTable; }

std::vector<std::string> InitNames() {
  std::vector<std::string> names;
  for (const InitSpec& spec : kTable) names.push_back(spec.name);
  return names;
}

const InitSpec& FindInit(const std::string& name) {
  for (const InitSpec& spec : kTable) {
    if (name == spec.name) return spec;
  }
  RequireOneOf("--init", name, InitNames());
  throw;  // unreachable
}

MatD SampleWeights(const InitSpec& spec, const InitParams& params, double gain, int fan_out,
                   int fan_in, Rng* rng) {
  MatD w(fan_out, fan_in);
  spec.fill(&w, rng, params);
  if (gain != 1.0) w *= gain;
  return w;
}

std::string InitParamString(const InitSpec& spec, const InitParams& params) {
  const std::string option = spec.parameter;
  if (option == "--init-std") return fmt::format("{}", params.init_std);
  if (option == "--init-scale") return fmt::format("{}", params.init_scale);
  return "";
}

}  // namespace gradflow
