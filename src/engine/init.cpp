#include "engine/init.h"

#include <cmath>

#include "base/error.h"
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

// The parameters, each pointed to by its row.
const InitParameter kInitStd{"--init-std", "init_std",   "normal init: standard deviation",
                             0.0,          &P::init_std, nullptr};
const InitParameter kInitScale{"--init-scale", "init_scale", "uniform init: U[-scale, scale]", 0.0,
                               &P::init_scale, nullptr};

using K = InitKind;

const std::vector<InitSpec> kTable = {
    {K::kXavierUniform, "xavier_uniform", "U[-sqrt(6/(fan_in+fan_out)), +sqrt(6/(fan_in+fan_out))]",
     nullptr, [](int in, int out, const P&) { return 2.0 * in / (in + out); },
     [](MatD* w, Rng* r, const P&) { FillUniform(w, r, std::sqrt(6.0 / FanSum(*w))); }},
    {K::kXavierNormal, "xavier_normal", "N(0, 2/(fan_in+fan_out))", nullptr,
     [](int in, int out, const P&) { return 2.0 * in / (in + out); },
     [](MatD* w, Rng* r, const P&) { FillNormal(w, r, std::sqrt(2.0 / FanSum(*w))); }},
    {K::kHeNormal, "he_normal", "N(0, 2/fan_in)", nullptr, [](int, int, const P&) { return 2.0; },
     [](MatD* w, Rng* r, const P&) { FillNormal(w, r, std::sqrt(2.0 / FanIn(*w))); }},
    {K::kHeUniform, "he_uniform", "U[-sqrt(6/fan_in), +sqrt(6/fan_in)]", nullptr,
     [](int, int, const P&) { return 2.0; },
     [](MatD* w, Rng* r, const P&) { FillUniform(w, r, std::sqrt(6.0 / FanIn(*w))); }},
    {K::kLecunNormal, "lecun_normal", "N(0, 1/fan_in)", nullptr,
     [](int, int, const P&) { return 1.0; },
     [](MatD* w, Rng* r, const P&) { FillNormal(w, r, std::sqrt(1.0 / FanIn(*w))); }},
    {K::kLecunUniform, "lecun_uniform", "U[-sqrt(3/fan_in), +sqrt(3/fan_in)]", nullptr,
     [](int, int, const P&) { return 1.0; },
     [](MatD* w, Rng* r, const P&) { FillUniform(w, r, std::sqrt(3.0 / FanIn(*w))); }},
    {K::kOrthogonal, "orthogonal", "Q of QR(Gaussian), sign-fixed; rows or columns orthonormal",
     nullptr, [](int in, int out, const P&) { return static_cast<double>(in) / std::max(in, out); },
     FillOrthogonal},
    {K::kTorchDefault, "torch_default", "U[-1/sqrt(fan_in), +1/sqrt(fan_in)] (PyTorch nn.Linear)",
     nullptr, [](int, int, const P&) { return 1.0 / 3.0; },
     [](MatD* w, Rng* r, const P&) { FillUniform(w, r, 1.0 / std::sqrt(FanIn(*w))); }},
    {K::kNormal, "normal", "N(0, init_std^2)", &kInitStd,
     [](int in, int, const P& p) { return p.init_std * p.init_std * in; },
     [](MatD* w, Rng* r, const P& p) { FillNormal(w, r, p.init_std); }},
    {K::kUniform, "uniform", "U[-init_scale, +init_scale]", &kInitScale,
     [](int in, int, const P& p) { return p.init_scale * p.init_scale / 3.0 * in; },
     [](MatD* w, Rng* r, const P& p) { FillUniform(w, r, p.init_scale); }},
};

}  // namespace

const std::vector<InitSpec>& InitTable() { return kTable; }

const InitSpec& InitSpecOf(InitKind kind) {
  if (kind == InitKind::kFromFile) {
    throw UsageError(
        "--init: the weights came from a model file that names no init scheme, so there is "
        "none to draw from or predict with");
  }
  return kTable.at(static_cast<size_t>(kind));
}

std::vector<const InitParameter*> InitParameters() {
  std::vector<const InitParameter*> parameters;
  for (const InitSpec& spec : kTable) {
    if (spec.parameter != nullptr) parameters.push_back(spec.parameter);
  }
  return parameters;
}

std::vector<std::string> InitNames() {
  std::vector<std::string> names;
  for (const InitSpec& spec : kTable) names.push_back(spec.name);
  return names;
}

InitKind ParseInit(const std::string& name) {
  for (const InitSpec& spec : kTable) {
    if (name == spec.name) return spec.kind;
  }
  RequireOneOf("--init", name, InitNames());
  throw;  // unreachable: RequireOneOf throws for unknown names
}

std::string InitName(InitKind kind) {
  return kind == InitKind::kFromFile ? "file" : InitSpecOf(kind).name;
}

const InitSpec& FindInit(const std::string& name) { return InitSpecOf(ParseInit(name)); }

MatD SampleWeights(const InitSpec& spec, const InitParams& params, double gain, int fan_out,
                   int fan_in, Rng* rng) {
  MatD w(fan_out, fan_in);
  spec.fill(&w, rng, params);
  if (gain != 1.0) w *= gain;
  return w;
}

std::string InitParamString(InitKind kind, const InitParams& params) {
  if (kind == InitKind::kFromFile) return "";
  const InitParameter* parameter = InitSpecOf(kind).parameter;
  return parameter != nullptr ? parameter->CsvText(params) : "";
}

}  // namespace gradflow
