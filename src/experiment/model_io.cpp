#include "experiment/model_io.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <optional>

#include "base/error.h"
#include "base/parallel.h"
#include "base/suggest.h"
#include "engine/inputs.h"
#include "engine/memory_estimate.h"
#include "experiment/run_columns.h"
#include "fmt/format.h"
#include "fmt/ranges.h"
#include "io/atomic_file.h"
#include "theory/prediction.h"

#ifndef GRADFLOW_VERSION
#define GRADFLOW_VERSION "unknown"
#endif

namespace gradflow {
namespace {

constexpr const char* kFormat = "gradflow-mlp";
constexpr const char* kFormatVersion = "1";

std::string WeightName(int l) { return fmt::format("layers.{}.weight", l); }
std::string BiasName(int l) { return fmt::format("layers.{}.bias", l); }
std::string NormWeightName(int l) { return fmt::format("layers.{}.norm.weight", l); }
std::string NormBiasName(int l) { return fmt::format("layers.{}.norm.bias", l); }

std::string ShapeText(const std::vector<int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

// ---------------------------------------------------------------- saving

// Every RunConfig field, keyed by its option name without dashes (the
// activation and init parameters by their table rows' keys).
std::map<std::string, std::string> ConfigMetadata(const RunConfig& c) {
  auto num = [](double v) { return FormatNumber(v); };
  std::map<std::string, std::string> metadata = {
      {"format", kFormat},
      {"format_version", kFormatVersion},
      {"gradflow_version", GRADFLOW_VERSION},
      {"activation", ActivationName(c.activation)},
      {"init", InitName(c.init)},
      {"gain", num(c.gain)},
      {"bias_std", num(c.bias_std)},
      {"depth", std::to_string(c.depth)},
      {"width", std::to_string(c.width)},
      {"input_dim", std::to_string(c.InputDim())},
      {"batch", std::to_string(c.batch)},
      {"input", InputName(c.input)},
      {"input_scale", num(c.input_scale)},
      {"loss", LossName(c.loss)},
      {"output_dim", std::to_string(c.output_dim)},
      {"classes", std::to_string(c.classes)},
      {"dtype", DTypeName(c.dtype)},
      {"seed", std::to_string(c.seed)},
      {"saturation_threshold", num(c.saturation_threshold)},
      {"vanishing_threshold", num(c.vanishing_threshold)},
      {"exploding_threshold", num(c.exploding_threshold)},
      {"norm", NormName(c.norm)},
      {"residual", c.residual ? "true" : "false"},
      {"residual_scale", num(c.residual_scale)},
  };
  if (!c.widths.empty()) metadata["widths"] = WidthsText(c);
  for (const ActivationParameter* p : ActivationParameters()) {
    metadata[p->key] = p->MetadataText(c.activation_params);
  }
  for (const InitParameter* p : InitParameters()) metadata[p->key] = p->MetadataText(c.init_params);
  return metadata;
}

// A column-major (rows, cols) matrix as row-major values.
template <typename T>
std::vector<T> RowMajor(const Mat<T>& m) {
  std::vector<T> values(static_cast<size_t>(m.size()));
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) values[i * m.cols() + j] = m(i, j);
  return values;
}

template <typename T>
SafetensorsTensor MakeTensor(const std::vector<int64_t>& shape, const std::vector<T>& values) {
  if constexpr (std::is_same_v<T, float>) {
    return MakeF32Tensor(shape, values);
  } else {
    return MakeF64Tensor(shape, values);
  }
}

// ---------------------------------------------------------------- loading

// Where a value of the resolved config came from, for messages.
class Resolver {
 public:
  Resolver(const SafetensorsFile& file, const GivenOptions& given) : file_(file), given_(given) {}

  bool Given(const std::string& option) const { return given_.count(option) > 0; }
  const std::string* Meta(const std::string& key) const {
    const auto it = file_.metadata.find(key);
    return it == file_.metadata.end() ? nullptr : &it->second;
  }
  // "'file': __metadata__ 'key' = 'value'" for messages.
  std::string MetaWhere(const std::string& key) const {
    return fmt::format("'{}': __metadata__ '{}' = '{}'", file_.source, key, *Meta(key));
  }
  [[noreturn]] void FailFile(const std::string& message) const {
    throw UsageError(fmt::format("'{}': {}", file_.source, message));
  }

  double MetaDouble(const std::string& key) const {
    const std::string& text = *Meta(key);
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno == ERANGE) {
      throw UsageError(MetaWhere(key) + " is not a number");
    }
    return v;
  }
  int64_t MetaInt(const std::string& key) const {
    const std::string& text = *Meta(key);
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE) {
      throw UsageError(MetaWhere(key) + " is not an integer");
    }
    return v;
  }

  // The command line's value when `option` was given, else the metadata's
  // (parsed by `parse`) when present, else the command line's default.
  template <typename V, typename Parse>
  void Take(const std::string& option, const std::string& key, V* value, Parse parse) const {
    if (!Given(option) && Meta(key) != nullptr) *value = parse(key);
  }
  void TakeDouble(const std::string& option, const std::string& key, double* value) const {
    Take(option, key, value, [this](const std::string& k) { return MetaDouble(k); });
  }
  void TakeInt(const std::string& option, const std::string& key, int* value) const {
    Take(option, key, value, [this](const std::string& k) {
      const int64_t v = MetaInt(k);
      if (v < INT32_MIN || v > INT32_MAX) throw UsageError(MetaWhere(k) + " is out of range");
      return static_cast<int>(v);
    });
  }
  // A name from the metadata, one of `allowed`, parsed by `parse`.
  template <typename Kind, typename Parse>
  void TakeName(const std::string& option, const std::string& key, Kind* value,
                const std::vector<std::string>& allowed, Parse parse) const {
    Take(option, key, value, [&](const std::string& k) {
      const std::string& v = *Meta(k);
      if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
        throw UsageError(fmt::format("{}: allowed: {}", MetaWhere(k), JoinNames(allowed)));
      }
      return parse(v);
    });
  }
  // The value of a table row's parameter, under its metadata key.
  template <typename Params>
  void TakeParameter(const ParameterSpec<Params>& p, Params* params) const {
    if (p.IsInteger()) {
      TakeInt(p.option, p.key, &(params->*p.whole));
    } else {
      TakeDouble(p.option, p.key, &(params->*p.real));
    }
  }

  // A structural size read from the tensors: a given option must agree.
  void Agree(const std::string& option, int cli_value, int file_value,
             const std::string& evidence) const {
    if (Given(option) && cli_value != file_value) {
      throw UsageError(fmt::format("{} {} contradicts --load-model '{}': {} gives {}", option,
                                   cli_value, file_.source, evidence, file_value));
    }
  }
  // Metadata that states a structural size must agree with the tensors too.
  void MetaAgrees(const std::string& key, int file_value, const std::string& evidence) const {
    if (Meta(key) != nullptr && MetaInt(key) != file_value) {
      throw UsageError(fmt::format("{} but {} gives {}", MetaWhere(key), evidence, file_value));
    }
  }

 private:
  const SafetensorsFile& file_;
  const GivenOptions& given_;
};

// A tensor that must be 2-D, returned as (rows, cols). Eigen indexes a
// network's sizes as int, and an empty weight or batch would run a network of
// no units (all-zero gradients, or a null buffer read), so each dimension must
// lie in [1, INT32_MAX].
std::pair<int, int> Shape2D(const SafetensorsFile& file, const std::string& name,
                            const char* expected) {
  const SafetensorsTensor& t = file.Get(name);
  if (t.shape.size() != 2) {
    throw UsageError(fmt::format("{} has shape {} but must be 2-D {}", file.Where(name),
                                 ShapeText(t.shape), expected));
  }
  for (const int64_t d : t.shape) {
    if (d < 1 || d > INT32_MAX) {
      throw UsageError(fmt::format("{} has shape {}: each dimension of {} must be in [1, {}]{}",
                                   file.Where(name), ShapeText(t.shape), expected, INT32_MAX,
                                   d < 1 ? " (zero-size dimensions are refused)" : ""));
    }
  }
  return {static_cast<int>(t.shape[0]), static_cast<int>(t.shape[1])};
}

void RequireShape(const SafetensorsFile& file, const std::string& name,
                  const std::vector<int64_t>& shape, const std::string& why) {
  const SafetensorsTensor& t = file.Get(name);
  if (t.shape != shape) {
    throw UsageError(fmt::format("{} has shape {} but must be {} ({})", file.Where(name),
                                 ShapeText(t.shape), ShapeText(shape), why));
  }
}

void RequireFloating(const SafetensorsFile& file, const std::string& name) {
  const std::string& dtype = file.Get(name).dtype;
  if (dtype != "F64" && dtype != "F32" && dtype != "F16" && dtype != "BF16") {
    file.ReadDoubles(name);  // throws the message naming file, tensor and dtype
  }
}

// The number of layers: layers.1 .. layers.N, each with weight and bias; any
// other tensor name is refused (it is probably a typo).
int CountLayers(const SafetensorsFile& file) {
  std::set<int> numbers;
  const std::vector<std::string> others = {"x", "probe", "targets", "labels"};
  for (const auto& [name, tensor] : file.tensors) {
    if (std::find(others.begin(), others.end(), name) != others.end()) continue;
    int l = 0;
    std::string kind;
    if (name.rfind("layers.", 0) == 0) {
      const size_t dot = name.find('.', 7);
      const std::string digits = name.substr(7, dot == std::string::npos ? 0 : dot - 7);
      kind = dot == std::string::npos ? "" : name.substr(dot + 1);
      const bool numeric = !digits.empty() && digits.size() <= 6 && digits[0] != '0' &&
                           digits.find_first_not_of("0123456789") == std::string::npos;
      if (numeric) l = std::stoi(digits);
    }
    if (l < 1 ||
        (kind != "weight" && kind != "bias" && kind != "norm.weight" && kind != "norm.bias")) {
      throw UsageError(fmt::format(
          "{} is not a gradflow tensor name (expected layers.{{l}}.weight, layers.{{l}}.bias, "
          "layers.{{l}}.norm.weight, layers.{{l}}.norm.bias with l = 1, 2, ..., x, probe, "
          "targets, labels)",
          file.Where(name)));
    }
    numbers.insert(l);
  }
  if (numbers.empty()) throw UsageError(file.Where("layers.1.weight") + " is missing (no layers)");
  const int count = *numbers.rbegin();
  for (int l = 1; l <= count; ++l) {
    for (const std::string& name : {WeightName(l), BiasName(l)}) {
      if (!file.Has(name)) {
        throw UsageError(
            fmt::format("{} is missing (the file has layers up to {})", file.Where(name), count));
      }
    }
  }
  return count;
}

// The architecture: --norm and --residual/--residual-scale from the command
// line must agree with the metadata (a file without them is a plain MLP); the
// norm's γ, β tensors must be there exactly for the hidden layers when it has one.
void ResolveArchitecture(const Resolver& r, const SafetensorsFile& file, int depth, int num_layers,
                         const RunConfig& command_line, RunConfig* c) {
  c->norm = NormKind::kNone;
  r.TakeName("--norm", "norm", &c->norm, NormNames(), ParseNorm);
  const NormKind file_norm =
      r.Meta("norm") != nullptr ? c->norm : NormKind::kNone;  // TakeName checked the name
  const std::string file_norm_text =
      r.Meta("norm") != nullptr ? r.MetaWhere("norm") : "it has no __metadata__ 'norm' (plain MLP)";
  if (r.Given("--norm") && command_line.norm != file_norm) {
    throw UsageError(fmt::format("--norm {} contradicts --load-model '{}': {}",
                                 NormName(command_line.norm), file.source, file_norm_text));
  }
  c->norm = file_norm;
  bool file_residual = false;
  if (r.Meta("residual") != nullptr) {
    const std::string& text = *r.Meta("residual");
    if (text != "true" && text != "false") {
      throw UsageError(r.MetaWhere("residual") + ": allowed: true, false");
    }
    file_residual = text == "true";
  }
  if (r.Given("--residual") && command_line.residual != file_residual) {
    throw UsageError(
        fmt::format("--residual contradicts --load-model '{}': {}", file.source,
                    r.Meta("residual") != nullptr
                        ? r.MetaWhere("residual")
                        : std::string("it has no __metadata__ 'residual' (plain MLP)")));
  }
  c->residual = file_residual;
  c->residual_scale = 1.0;
  if (r.Meta("residual_scale") != nullptr) c->residual_scale = r.MetaDouble("residual_scale");
  if (r.Given("--residual-scale") && command_line.residual_scale != c->residual_scale) {
    throw UsageError(fmt::format(
        "--residual-scale {} contradicts --load-model '{}': its scale is {}",
        FormatNumber(command_line.residual_scale), file.source, FormatNumber(c->residual_scale)));
  }
  for (int l = 1; l <= num_layers; ++l) {
    const bool wanted = c->norm != NormKind::kNone && l <= depth;
    for (const std::string& name : {NormWeightName(l), NormBiasName(l)}) {
      if (wanted && !file.Has(name)) {
        throw UsageError(
            fmt::format("{} is missing: the file's norm is '{}' (γ and β of every "
                        "hidden layer)",
                        file.Where(name), NormName(c->norm)));
      }
      if (!wanted && file.Has(name)) {
        throw UsageError(fmt::format(
            "{} is not used: {}", file.Where(name),
            l > depth ? "the head has no norm" : "the file's norm is 'none' (__metadata__ norm)"));
      }
      if (wanted) {
        RequireShape(file, name, {file.Get(WeightName(l)).shape[0]},
                     "one per row of " + WeightName(l));
        RequireFloating(file, name);
      }
    }
  }
}

}  // namespace

template <typename T>
Model<T> GenerateModel(const RunConfig& config) {
  const int out_units = config.HasHead() ? config.HeadUnits() : config.LastHiddenWidth();
  return Model<T>{config, BuildNetwork<T>(config), SampleInput(config).cast<T>(),
                  SampleLossTargets(config.loss, out_units, config.batch, config.seed)};
}

template <typename T>
SafetensorsFile ModelToSafetensors(const Model<T>& model) {
  SafetensorsFile file;
  file.metadata = ConfigMetadata(model.config);
  for (int l = 1; l <= model.network.NumLayers(); ++l) {
    const Layer<T>& layer = model.network.layer(l);
    file.tensors[WeightName(l)] =
        MakeTensor<T>({layer.w.rows(), layer.w.cols()}, RowMajor(layer.w));
    file.tensors[BiasName(l)] = MakeTensor<T>(
        {layer.b.size()}, std::vector<T>(layer.b.data(), layer.b.data() + layer.b.size()));
    if (layer.gamma.size() > 0) {
      file.tensors[NormWeightName(l)] = MakeTensor<T>(
          {layer.gamma.size()},
          std::vector<T>(layer.gamma.data(), layer.gamma.data() + layer.gamma.size()));
      file.tensors[NormBiasName(l)] =
          MakeTensor<T>({layer.beta.size()},
                        std::vector<T>(layer.beta.data(), layer.beta.data() + layer.beta.size()));
    }
  }
  // (input_dim, B) column-major is (B, input_dim) row-major: the same memory.
  const Mat<T>& x = model.x;
  file.tensors["x"] =
      MakeTensor<T>({x.cols(), x.rows()}, std::vector<T>(x.data(), x.data() + x.size()));
  const LossTargets& t = model.targets;
  if (t.probe.size() > 0) {
    file.tensors["probe"] =
        MakeF64Tensor({t.probe.cols(), t.probe.rows()},
                      std::vector<double>(t.probe.data(), t.probe.data() + t.probe.size()));
  }
  if (t.targets.size() > 0) {
    file.tensors["targets"] =
        MakeF64Tensor({t.targets.cols(), t.targets.rows()},
                      std::vector<double>(t.targets.data(), t.targets.data() + t.targets.size()));
  }
  if (!t.labels.empty()) {
    file.tensors["labels"] = MakeI64Tensor({static_cast<int64_t>(t.labels.size())},
                                           std::vector<int64_t>(t.labels.begin(), t.labels.end()));
  }
  return file;
}

RunConfig ResolveLoadedConfig(const SafetensorsFile& file, const RunConfig& command_line,
                              const GivenOptions& given) {
  const Resolver r(file, given);
  RunConfig c = command_line;

  // Weights come from the file: options that would make them are refused.
  for (const char* option : {"--init", "--init-std", "--init-scale", "--gain", "--bias-std"}) {
    if (r.Given(option)) {
      throw UsageError(fmt::format("{} has no effect with --load-model: the weights come from '{}'",
                                   option, file.source));
    }
  }
  if (r.Meta("format") != nullptr && *r.Meta("format") != kFormat) {
    throw UsageError(
        fmt::format("{} but gradflow reads format '{}'", r.MetaWhere("format"), kFormat));
  }

  // Command line, else metadata, else default.
  if (!r.Given("--activation") && r.Meta("activation") == nullptr) {
    r.FailFile("__metadata__ names no activation; give --activation");
  }
  r.TakeName("--activation", "activation", &c.activation, ActivationNames(), ParseActivation);
  for (const ActivationParameter* p : ActivationParameters()) {
    r.TakeParameter(*p, &c.activation_params);
  }
  r.TakeName("--loss", "loss", &c.loss, LossNames(), ParseLoss);
  // "file" (a batch from a file) is a name only metadata may give.
  const std::string from_file = InputName(InputKind::kFromFile);
  std::vector<std::string> inputs = InputNames();
  inputs.push_back(from_file);
  r.TakeName("--input", "input", &c.input, inputs, [&](const std::string& name) {
    return name == from_file ? InputKind::kFromFile : ParseInput(name);
  });
  r.TakeDouble("--input-scale", "input_scale", &c.input_scale);
  r.TakeInt("--batch", "batch", &c.batch);
  if (!r.Given("--seed") && r.Meta("seed") != nullptr) {
    const int64_t seed = r.MetaInt("seed");
    if (seed < 0) throw UsageError(r.MetaWhere("seed") + " must be >= 0");
    c.seed = static_cast<uint64_t>(seed);
  }
  // Shown in the CSV only: how the file says its weights were made.
  std::vector<std::string> inits = InitNames();
  inits.push_back(InitName(InitKind::kFromFile));
  c.init = InitKind::kFromFile;
  r.TakeName("--init", "init", &c.init, inits, [](const std::string& name) {
    return name == InitName(InitKind::kFromFile) ? InitKind::kFromFile : ParseInit(name);
  });
  for (const InitParameter* p : InitParameters()) r.TakeParameter(*p, &c.init_params);
  r.TakeDouble("--gain", "gain", &c.gain);
  r.TakeDouble("--bias-std", "bias_std", &c.bias_std);

  // A loss with a linear head needs one in the file, and the reverse.
  const bool head = c.loss != LossKind::kProbe;
  const std::string probe = LossName(LossKind::kProbe);
  if (r.Meta("loss") != nullptr && (*r.Meta("loss") != probe) != head) {
    throw UsageError(
        head ? fmt::format("--loss {} needs a linear head layer but the file's last layer has an "
                           "activation (its __metadata__ loss is '{}'); use --loss probe",
                           LossName(c.loss), *r.Meta("loss"))
             : fmt::format("--loss probe has no linear head layer but the file's last layer is a "
                           "linear head (its __metadata__ loss is '{}'); use --loss mse or "
                           "cross_entropy",
                           *r.Meta("loss")));
  }

  // Sizes from the tensors.
  const Activation activation = MakeActivation(c);
  const int pieces = activation.Pieces();
  if (pieces < 1) throw UsageError(fmt::format("--maxout-pieces must be >= 1, got {}", pieces));
  const int num_layers = CountLayers(file);
  const int depth = num_layers - (head ? 1 : 0);
  if (depth < 1) {
    r.FailFile(
        fmt::format("has {} layer(s) but --loss {} needs a linear head on top of at least "
                    "one hidden layer",
                    num_layers, LossName(c.loss)));
  }
  const int input_dim = Shape2D(file, WeightName(1), "(fan_out, fan_in)").second;
  int units = input_dim;  // units feeding the next layer
  std::vector<int> widths;
  for (int l = 1; l <= num_layers; ++l) {
    const bool is_head = l > depth;
    const std::string weight = WeightName(l);
    const auto [rows, cols] = Shape2D(file, weight, "(fan_out, fan_in)");
    if (cols != units) {
      throw UsageError(
          fmt::format("{} has shape {} but its fan_in must be {}, the {}", file.Where(weight),
                      ShapeText(file.Get(weight).shape), units,
                      l == 1 ? "input dimension" : "units of layer " + std::to_string(l - 1)));
    }
    if (rows < 1) throw UsageError(fmt::format("{} has no rows", file.Where(weight)));
    if (!is_head && rows % pieces != 0) {
      throw UsageError(fmt::format("{} has {} rows, not a multiple of the {} maxout pieces",
                                   file.Where(weight), rows, pieces));
    }
    RequireShape(file, BiasName(l), {rows}, "one bias per row of " + weight);
    RequireFloating(file, weight);
    RequireFloating(file, BiasName(l));
    units = is_head ? rows : rows / pieces;
    if (!is_head) widths.push_back(units);
  }
  const int width = *std::max_element(widths.begin(), widths.end());
  const std::string layer_evidence =
      fmt::format("{} layers{}", num_layers, head ? " (one a linear head)" : "");
  r.Agree("--depth", command_line.depth, depth, layer_evidence);
  r.MetaAgrees("depth", depth, layer_evidence);
  const bool equal_widths =
      std::all_of(widths.begin(), widths.end(), [&](int w) { return w == widths.front(); });
  RunConfig from_tensors;
  SetWidths(widths, &from_tensors);
  const std::string tensor_widths = fmt::format("{}", fmt::join(widths, "x"));
  if (r.Given("--widths") && command_line.widths != from_tensors.widths &&
      !(equal_widths && command_line.widths.empty() && command_line.depth == depth &&
        command_line.width == width)) {
    throw UsageError(
        fmt::format("--widths {} contradicts --load-model '{}': its layers have "
                    "{} units",
                    WidthsText(command_line).empty()
                        ? fmt::format("{}x{}", command_line.depth, command_line.width)
                        : WidthsText(command_line),
                    file.source, tensor_widths));
  }
  for (size_t i = 0; i < widths.size(); ++i) {
    const std::string evidence =
        fmt::format("{} (units of hidden layer {})", WeightName(i + 1), i + 1);
    if (!r.Given("--widths")) r.Agree("--width", command_line.width, widths[i], evidence);
    if (equal_widths) r.MetaAgrees("width", widths[i], evidence);
  }
  if (!equal_widths) r.MetaAgrees("width", width, "the widest hidden layer");
  if (r.Meta("widths") != nullptr && *r.Meta("widths") != tensor_widths) {
    throw UsageError(
        fmt::format("{} but the layers have {} units", r.MetaWhere("widths"), tensor_widths));
  }
  if (r.Given("--input-dim") && command_line.input_dim != 0) {
    r.Agree("--input-dim", command_line.input_dim, input_dim, WeightName(1) + " fan_in");
  }
  r.MetaAgrees("input_dim", input_dim, WeightName(1) + " fan_in");
  c.widths.clear();
  SetWidths(widths, &c);
  c.input_dim = input_dim;
  ResolveArchitecture(r, file, depth, num_layers, command_line, &c);
  if (head) {
    const std::string option = LossSpecOf(c.loss).head_option;
    int* head_units = c.loss == LossKind::kMse ? &c.output_dim : &c.classes;
    const std::string evidence = WeightName(num_layers) + " rows (the head)";
    r.Agree(option, *head_units, units, evidence);
    *head_units = units;
    if (c.loss == LossKind::kCrossEntropy && units < 2) {
      r.FailFile(fmt::format("the head {} has {} row(s); cross_entropy needs >= 2 classes",
                             WeightName(num_layers), units));
    }
  }

  // The batch: x's rows when the file has x.
  if (file.Has("x")) {
    const auto [batch, dim] = Shape2D(file, "x", "(batch, input_dim)");
    if (dim != input_dim || batch < 1) {
      throw UsageError(fmt::format(
          "{} has shape {} but must be (batch >= 1, {}): {} takes {} inputs", file.Where("x"),
          ShapeText(file.Get("x").shape), input_dim, WeightName(1), input_dim));
    }
    RequireFloating(file, "x");
    r.Agree("--batch", command_line.batch, batch, "x rows");
    for (const char* option : {"--input", "--input-scale"}) {
      if (r.Given(option)) {
        throw UsageError(fmt::format("{} has no effect with --load-model: '{}' holds the batch x",
                                     option, file.source));
      }
    }
    r.MetaAgrees("batch", batch, "x rows");
    c.batch = batch;
    if (r.Meta("input") == nullptr) c.input = InputKind::kFromFile;
  } else if (c.input == InputKind::kFromFile) {
    throw UsageError(r.MetaWhere("input") + " but the file has no tensor 'x'");
  }
  // The loss tensor, when present, must fit the batch and the output units.
  const std::string loss_tensor = c.loss == LossKind::kProbe ? "probe"
                                  : c.loss == LossKind::kMse ? "targets"
                                                             : "labels";
  if (file.Has(loss_tensor)) {
    const std::string why = fmt::format("batch {} by {} outputs", c.batch, units);
    if (loss_tensor == "labels") {
      RequireShape(file, "labels", {c.batch},
                   fmt::format("one label per sample of the batch of {}", c.batch));
      const std::vector<int64_t> labels = file.ReadInts("labels");
      for (size_t b = 0; b < labels.size(); ++b) {
        if (labels[b] < 0 || labels[b] >= units) {
          throw UsageError(fmt::format("{}[{}] = {} is not a class in [0, {})",
                                       file.Where("labels"), b, labels[b], units));
        }
      }
    } else {
      RequireShape(file, loss_tensor, {c.batch, units}, why);
      file.ReadDoubles(loss_tensor);  // checks the dtype
    }
  }
  // dtype: --dtype, else metadata, else the weights' own.
  if (!r.Given("--dtype")) {
    if (r.Meta("dtype") != nullptr) {
      r.TakeName("--dtype", "dtype", &c.dtype, DTypeNames(), ParseDType);
    } else {
      c.dtype = file.Get(WeightName(1)).dtype == "F64" ? DType::kFloat64 : DType::kFloat32;
    }
  }

  // Everything else Validate checks (thresholds, finite parameters).
  try {
    Validate(c);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("{} (with --load-model '{}')", e.what(), file.source));
  }
  return c;
}

template <typename T>
Model<T> ModelFromSafetensors(const SafetensorsFile& file, const RunConfig& config) {
  const Activation activation = MakeActivation(config);
  const int num_layers = config.depth + (config.HasHead() ? 1 : 0);
  std::vector<Layer<T>> layers;
  for (int l = 1; l <= num_layers; ++l) {
    const SafetensorsTensor& w = file.Get(WeightName(l));
    const Eigen::Index rows = w.shape[0], cols = w.shape[1];
    const std::vector<double> wv = file.ReadDoubles(WeightName(l));
    const std::vector<double> bv = file.ReadDoubles(BiasName(l));
    Layer<T> layer;
    layer.is_head = l > config.depth;
    layer.w.resize(rows, cols);  // (fan_out, fan_in) from row-major values
    for (Eigen::Index i = 0; i < rows; ++i)
      for (Eigen::Index j = 0; j < cols; ++j) layer.w(i, j) = static_cast<T>(wv[i * cols + j]);
    layer.b = Eigen::Map<const VecD>(bv.data(), rows).cast<T>();
    if (config.norm != NormKind::kNone && !layer.is_head) {
      const std::vector<double> gamma = file.ReadDoubles(NormWeightName(l));
      const std::vector<double> beta = file.ReadDoubles(NormBiasName(l));
      layer.gamma = Eigen::Map<const VecD>(gamma.data(), rows).cast<T>();
      layer.beta = Eigen::Map<const VecD>(beta.data(), rows).cast<T>();
    }
    layers.push_back(std::move(layer));
  }
  Model<T> model{config, Network<T>(activation, std::move(layers), Architecture::Of(config)),
                 Mat<T>(), LossTargets()};
  if (file.Has("x")) {
    const std::vector<double> xv = file.ReadDoubles("x");
    // (B, input_dim) row-major is (input_dim, B) column-major.
    model.x = Eigen::Map<const MatD>(xv.data(), config.InputDim(), config.batch).cast<T>();
  } else {
    model.x = SampleInput(config).cast<T>();
  }
  const LossKind kind = config.loss;
  const int out_units = static_cast<int>(model.network.layer(num_layers).w.rows()) /
                        (config.HasHead() ? 1 : activation.Pieces());
  model.targets = SampleLossTargets(kind, out_units, config.batch, config.seed);
  if (kind == LossKind::kProbe && file.Has("probe")) {
    const std::vector<double> v = file.ReadDoubles("probe");
    model.targets.probe = Eigen::Map<const MatD>(v.data(), out_units, config.batch);
  } else if (kind == LossKind::kMse && file.Has("targets")) {
    const std::vector<double> v = file.ReadDoubles("targets");
    model.targets.targets = Eigen::Map<const MatD>(v.data(), out_units, config.batch);
  } else if (kind == LossKind::kCrossEntropy && file.Has("labels")) {
    const std::vector<int64_t> v = file.ReadInts("labels");
    model.targets.labels.assign(v.begin(), v.end());
  }
  return model;
}

namespace {

template <typename T>
RunResult RunTyped(const RunConfig& config, const SafetensorsFile* loaded,
                   const std::string& save_path, AtomicWriteSet* outputs, int histogram_bins,
                   std::vector<LayerHistogram>* histograms) {
  const Model<T> model =
      loaded != nullptr ? ModelFromSafetensors<T>(*loaded, config) : GenerateModel<T>(config);
  // Histograms, if asked for, from the same pass as the metrics.
  std::optional<HistogramObserver> observer;
  if (histograms != nullptr) observer.emplace(histogram_bins, /*step=*/0);
  RunResult result = MeasureNetwork(config, model.network, model.x, model.targets,
                                    observer ? &*observer : nullptr);
  if (observer) *histograms = observer->Take();
  // The mean-field predictions describe a network freshly drawn from the config;
  // a loaded one may be trained or hand-made, so its pred_* columns stay empty.
  if (loaded == nullptr) AddTheoryPredictions(&result);
  if (!save_path.empty()) {
    outputs->Add(save_path, SerializeSafetensors(ModelToSafetensors(model)));
  }
  return result;
}

}  // namespace

RunResult RunWithModelFiles(const RunConfig& command_line, const GivenOptions& given,
                            const std::string& load_path, const std::string& save_path,
                            AtomicWriteSet* outputs, int histogram_bins,
                            std::vector<LayerHistogram>* histograms) {
  if (save_path == "-") {
    throw UsageError("--save-model needs a file name ('-' would mix binary data into the CSV)");
  }
  if (!save_path.empty() && outputs == nullptr) {
    throw std::logic_error("RunWithModelFiles: --save-model needs an AtomicWriteSet");
  }
  Validate(command_line);
  CheckWritable("--save-model", save_path);
  RunConfig config = command_line;
  std::optional<SafetensorsFile> loaded;
  if (!load_path.empty()) {
    try {
      loaded = ReadSafetensors(load_path);
      config = ResolveLoadedConfig(*loaded, command_line, given);
    } catch (const UsageError& e) {
      const std::string message = e.what();
      throw UsageError(message.rfind("--", 0) == 0 ? message : "--load-model " + message);
    }
  }
  CheckMemory(config);
  SetThreads(config.threads);
  const SafetensorsFile* file = loaded ? &*loaded : nullptr;
  return config.dtype == DType::kFloat32
             ? RunTyped<float>(config, file, save_path, outputs, histogram_bins, histograms)
             : RunTyped<double>(config, file, save_path, outputs, histogram_bins, histograms);
}

template Model<float> GenerateModel<float>(const RunConfig&);
template Model<double> GenerateModel<double>(const RunConfig&);
template SafetensorsFile ModelToSafetensors<float>(const Model<float>&);
template SafetensorsFile ModelToSafetensors<double>(const Model<double>&);
template Model<float> ModelFromSafetensors<float>(const SafetensorsFile&, const RunConfig&);
template Model<double> ModelFromSafetensors<double>(const SafetensorsFile&, const RunConfig&);

}  // namespace gradflow
