// Models as safetensors: PyTorch layout (transposition), golden files from an
// independent writer, save/load round trips through the CLI, and the checks
// that refuse files and command lines that disagree.
#include "experiment/model_io.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "experiment/run_columns.h"

namespace gradflow {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Golden(const std::string& name) {
  return std::string(GRADFLOW_SOURCE_DIR) + "/tests/data/" + name;
}

// Expects `call` to throw UsageError with every one of `parts` in its message.
template <typename Call>
void ExpectUsageError(Call call, const std::vector<std::string>& parts) {
  try {
    call();
    ADD_FAILURE() << "no error; expected '" << parts.front() << "'";
  } catch (const UsageError& e) {
    for (const std::string& part : parts) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "missing '" << part << "' in: " << e.what();
    }
  }
}

RunConfig Small(const std::string& activation, const std::string& loss) {
  RunConfig c;
  c.activation = ParseActivation(activation);
  c.loss = ParseLoss(loss);
  c.depth = 3;
  c.width = 4;
  c.input_dim = 3;
  c.batch = 5;
  c.output_dim = 2;
  c.classes = 3;
  c.bias_std = 0.1;
  c.seed = 11;
  return c;
}

// ------------------------------------------------------------ layout

TEST(ModelIo, WeightsAreSavedRowMajorAsTorchLinear) {
  RunConfig c = Small("tanh", "probe");
  c.depth = 1;
  c.width = 2;
  const Model<double> model = GenerateModel<double>(c);
  const SafetensorsFile file = ModelToSafetensors(model);
  const Mat<double>& w = model.network.layer(1).w;  // (2, 3)
  EXPECT_EQ(file.Get("layers.1.weight").shape, (std::vector<int64_t>{2, 3}));
  const std::vector<double> v = file.ReadDoubles("layers.1.weight");
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(v[i * 3 + j], w(i, j)) << i << "," << j;
  // x: (B, input_dim), row b is sample b = column b of our (input_dim, B) matrix.
  EXPECT_EQ(file.Get("x").shape, (std::vector<int64_t>{5, 3}));
  const std::vector<double> x = file.ReadDoubles("x");
  EXPECT_EQ(x[1 * 3 + 2], model.x(2, 1));
  const std::vector<double> probe = file.ReadDoubles("probe");  // (B, units)
  EXPECT_EQ(file.Get("probe").shape, (std::vector<int64_t>{5, 2}));
  EXPECT_EQ(probe[3 * 2 + 1], model.targets.probe(1, 3));
  EXPECT_EQ(file.metadata.at("activation"), "tanh");
  EXPECT_EQ(file.metadata.at("gradflow_version"), GRADFLOW_VERSION);
  EXPECT_EQ(file.metadata.at("format"), "gradflow-mlp");
}

TEST(ModelIo, Float32FilesHoldF32WeightsAndF64Targets) {
  RunConfig c = Small("relu", "mse");
  const SafetensorsFile file = ModelToSafetensors(GenerateModel<float>(c));
  EXPECT_EQ(file.Get("layers.1.weight").dtype, "F32");
  EXPECT_EQ(file.Get("x").dtype, "F32");
  EXPECT_EQ(file.Get("targets").dtype, "F64");
  EXPECT_EQ(file.Get("layers.4.weight").shape, (std::vector<int64_t>{2, 4}));  // the head
  EXPECT_FALSE(file.Has("probe"));
}

// ------------------------------------------------------------ golden files

TEST(ModelIo, GoldenF64FromAnIndependentWriter) {
  const SafetensorsFile file = ReadSafetensors(Golden("golden_f64.safetensors"));
  RunConfig cli;
  const RunConfig c = ResolveLoadedConfig(file, cli, {});
  EXPECT_EQ(c.activation, ActivationKind::kRelu);
  EXPECT_EQ(c.depth, 2);
  EXPECT_EQ(c.width, 3);
  EXPECT_EQ(c.input_dim, 2);
  EXPECT_EQ(c.batch, 2);
  EXPECT_EQ(c.dtype, DType::kFloat64);  // from the weights' dtype: no dtype in the metadata
  EXPECT_EQ(c.init, InitKind::kFromFile);
  EXPECT_EQ(c.input, InputKind::kFromFile);
  const Model<double> m = ModelFromSafetensors<double>(file, c);
  // make_golden.py wrote layers.1.weight row-major [[1, -2], [3, 4], [-5, 6]].
  MatD w1(3, 2);
  w1 << 1, -2, 3, 4, -5, 6;
  EXPECT_EQ(m.network.layer(1).w, w1);
  // x rows are samples: [1, 2] and [-1, 0.5].
  MatD x(2, 2);
  x << 1, -1, 2, 0.5;
  EXPECT_EQ(m.x, x);
  ForwardCache<double> cache;
  m.network.Forward(m.x, &cache);
  // z1 = W1 x + b1, b1 = [0.5, 0, -1]: sample 0 [-2.5, 11, 6], sample 1 [-1.5, -1, 7].
  MatD z1(3, 2);
  z1 << -2.5, -1.5, 11, -1, 6, 7;
  EXPECT_EQ(cache.z[1], z1);
  // W2 = [[1,0,-1],[0.5,2,0],[0,-1,1]], b2 = [0,1,-0.5] on relu(z1):
  // sample 0 [-6, 23, -5.5], sample 1 [-7, 1, 6.5].
  MatD z2(3, 2);
  z2 << -6, -7, 23, 1, -5.5, 6.5;
  EXPECT_EQ(cache.z[2], z2);

  // Metrics by hand. probe rows r0 = [1,-1,2], r1 = [0.5,0,-2]; B = 2.
  // Loss = (r0·a0 + r1·a1)/2 = (-23 - 13)/2 = -18.
  // δ2 = relu'(z2) ⊙ r/B: sample 0 [0,-0.5,0], sample 1 [0,0,-1] -> ‖δ2‖ = √1.25.
  // δ1 = relu'(z1) ⊙ W2ᵀδ2: sample 0 [0,-1,0], sample 1 [0,0,-1] -> ‖δ1‖ = √2.
  const RunResult r = MeasureNetwork(c, m.network, m.x, m.targets);
  EXPECT_DOUBLE_EQ(r.summary.loss, -18);
  EXPECT_DOUBLE_EQ(r.layers[1].delta_norm, std::sqrt(1.25));
  EXPECT_DOUBLE_EQ(r.layers[0].delta_norm, std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(r.layers[0].preact_mean, 19.0 / 6.0);
}

TEST(ModelIo, GoldenMixedDtypesF16BF16I32) {
  const SafetensorsFile file = ReadSafetensors(Golden("golden_mixed.safetensors"));
  const RunConfig c = ResolveLoadedConfig(file, RunConfig(), {});
  EXPECT_EQ(c.activation, ActivationKind::kTanh);
  EXPECT_EQ(c.loss, LossKind::kCrossEntropy);
  EXPECT_EQ(c.depth, 1);
  EXPECT_EQ(c.width, 2);
  EXPECT_EQ(c.classes, 3);
  EXPECT_EQ(c.dtype, DType::kFloat32);
  const Model<float> m = ModelFromSafetensors<float>(file, c);
  Mat<float> w1(2, 2), w2(3, 2), x(2, 2);
  w1 << 0.25f, -0.5f, 1.5f, 2;
  w2 << 1, 0, 0, 1, -1, -1;
  x << 1.5f, 2, -0.75f, 0.125f;  // BF16 rows [1.5, -0.75] and [2, 0.125]
  EXPECT_EQ(m.network.layer(1).w, w1);
  EXPECT_EQ(m.network.layer(2).w, w2);
  EXPECT_TRUE(m.network.layer(2).is_head);
  EXPECT_EQ(m.network.layer(1).b, (Vec<float>(2) << 0.5f, -0.125f).finished());  // F16
  EXPECT_EQ(m.network.layer(2).b, (Vec<float>(3) << 0, 0.25f, -2).finished());
  EXPECT_EQ(m.x, x);
  EXPECT_EQ(m.targets.labels, (std::vector<int>{2, 0}));  // I32
  ForwardCache<float> cache;
  m.network.Forward(m.x, &cache);
  // z1 sample 0 = [0.375+0.375+0.5, 2.25-1.5-0.125] = [1.25, 0.625];
  // sample 1 = [0.5-0.0625+0.5, 3+0.25-0.125] = [0.9375, 3.125].
  Mat<float> z1(2, 2);
  z1 << 1.25f, 0.9375f, 0.625f, 3.125f;
  EXPECT_EQ(cache.z[1], z1);
}

// ------------------------------------------------------------ in-memory round trip

template <typename T>
void ExpectSameModel(const RunConfig& c) {
  const Model<T> saved = GenerateModel<T>(c);
  const SafetensorsFile file =
      ParseSafetensors(SerializeSafetensors(ModelToSafetensors(saved)), "mem");
  RunConfig cli;  // all defaults: everything must come from the file
  const RunConfig r = ResolveLoadedConfig(file, cli, {});
  EXPECT_EQ(LayerCsvRows(RunResult{r, {}, {}}), LayerCsvRows(RunResult{c, {}, {}}));
  EXPECT_EQ(r.dtype, c.dtype);
  const Model<T> loaded = ModelFromSafetensors<T>(file, r);
  ASSERT_EQ(loaded.network.NumLayers(), saved.network.NumLayers());
  for (int l = 1; l <= saved.network.NumLayers(); ++l) {
    EXPECT_EQ(loaded.network.layer(l).w, saved.network.layer(l).w) << l;
    EXPECT_EQ(loaded.network.layer(l).b, saved.network.layer(l).b) << l;
    EXPECT_EQ(loaded.network.layer(l).is_head, saved.network.layer(l).is_head) << l;
  }
  for (int l = 1; l <= saved.network.NumLayers(); ++l) {
    EXPECT_EQ(loaded.network.layer(l).gamma, saved.network.layer(l).gamma) << l;
    EXPECT_EQ(loaded.network.layer(l).beta, saved.network.layer(l).beta) << l;
  }
  EXPECT_EQ(loaded.network.architecture().norm, c.norm);
  EXPECT_EQ(loaded.network.architecture().residual, c.residual);
  EXPECT_EQ(loaded.network.architecture().residual_scale, c.residual_scale);
  EXPECT_EQ(loaded.x, saved.x);
  EXPECT_EQ(loaded.targets.probe, saved.targets.probe);
  EXPECT_EQ(loaded.targets.targets, saved.targets.targets);
  EXPECT_EQ(loaded.targets.labels, saved.targets.labels);
}

TEST(ModelIo, InMemoryRoundTripEveryLossBothDtypes) {
  for (const char* loss : {"probe", "mse", "cross_entropy"}) {
    for (const char* activation : {"tanh", "maxout", "leaky_relu"}) {
      SCOPED_TRACE(std::string(loss) + " " + activation);
      RunConfig c = Small(activation, loss);
      c.activation_params.maxout_pieces = 3;
      c.activation_params.leaky_slope = 0.3;
      c.dtype = DType::kFloat32;
      ExpectSameModel<float>(c);
      c.dtype = DType::kFloat64;
      ExpectSameModel<double>(c);
    }
  }
}

// Norm, residual and unequal widths are recorded (tensors and metadata) and
// come back; a file without them is a plain MLP.
TEST(ModelIo, RemediesRoundTripAndPlainFilesStayPlain) {
  for (const char* norm : {"batch", "layer"}) {
    for (const char* loss : {"probe", "cross_entropy"}) {
      SCOPED_TRACE(std::string(norm) + " " + loss);
      RunConfig c = Small("tanh", loss);
      c.norm = ParseNorm(norm);
      c.residual = true;
      c.residual_scale = 0.25;
      ExpectSameModel<double>(c);
      c.residual = false;
      c.residual_scale = 1;
      SetWidths({4, 6, 5}, &c);
      ExpectSameModel<float>(c);
      const SafetensorsFile file = ModelToSafetensors(GenerateModel<double>(c));
      EXPECT_EQ(file.metadata.at("norm"), norm);
      EXPECT_EQ(file.metadata.at("widths"), "4x6x5");
      EXPECT_EQ(file.Has("layers.2.norm.weight"), true);
      EXPECT_EQ(file.Has("layers.4.norm.weight"), false);  // the head (cross_entropy) or none
    }
  }
  RunConfig plain = Small("tanh", "probe");
  SafetensorsFile file = ModelToSafetensors(GenerateModel<double>(plain));
  for (const char* key : {"norm", "residual", "residual_scale"}) file.metadata.erase(key);
  const RunConfig loaded = ResolveLoadedConfig(file, RunConfig(), {});
  EXPECT_TRUE(loaded.IsPlainMlp());
}

TEST(ModelIo, RemediesThatDisagreeWithTheFileAreRefused) {
  RunConfig c = Small("tanh", "probe");
  c.norm = NormKind::kLayer;
  SafetensorsFile file = ModelToSafetensors(GenerateModel<double>(c));
  file.source = "m.safetensors";
  RunConfig cli;
  cli.norm = NormKind::kBatch;
  ExpectUsageError([&] { ResolveLoadedConfig(file, cli, {"--norm"}); },
                   {"--norm batch contradicts --load-model 'm.safetensors'", "'norm' = 'layer'"});
  cli = RunConfig();
  cli.residual = true;
  ExpectUsageError([&] { ResolveLoadedConfig(file, cli, {"--residual"}); },
                   {"--residual contradicts", "'residual' = 'false'"});
  // A plain file (no norm metadata) with --norm layer, and norm tensors it does not use.
  RunConfig plain_config = Small("tanh", "probe");
  SafetensorsFile plain = ModelToSafetensors(GenerateModel<double>(plain_config));
  plain.metadata.erase("norm");
  cli = RunConfig();
  cli.norm = NormKind::kLayer;
  ExpectUsageError([&] { ResolveLoadedConfig(plain, cli, {"--norm"}); },
                   {"--norm layer contradicts", "plain MLP"});
  plain.tensors["layers.1.norm.weight"] = file.tensors.at("layers.1.norm.weight");
  ExpectUsageError([&] { ResolveLoadedConfig(plain, RunConfig(), {}); },
                   {"layers.1.norm.weight", "is not used"});
  // A norm file missing a gamma.
  file.tensors.erase("layers.2.norm.bias");
  ExpectUsageError([&] { ResolveLoadedConfig(file, RunConfig(), {}); },
                   {"layers.2.norm.bias", "is missing"});
  // --widths that disagree with the tensors.
  cli = RunConfig();
  SetWidths({4, 4, 5}, &cli);
  ExpectUsageError([&] { ResolveLoadedConfig(plain, cli, {"--widths"}); },
                   {"--widths 4x4x5 contradicts", "4x4x4"});
}

// Every parameter the activation and init tables declare is in the metadata
// under its key, and comes back from it (unless given on the command line).
TEST(ModelIo, MetadataHoldsEveryTableParameter) {
  RunConfig c = Small("elu", "probe");
  c.activation_params = {0.25, 0.5, 4};
  c.init = InitKind::kNormal;
  c.init_params = {0.125, 0.75};
  const SafetensorsFile file = ModelToSafetensors(GenerateModel<double>(c));
  for (const ActivationParameter* p : ActivationParameters()) {
    ASSERT_EQ(file.metadata.count(p->key), 1u) << p->key;
    EXPECT_EQ(file.metadata.at(p->key), p->MetadataText(c.activation_params));
  }
  for (const InitParameter* p : InitParameters()) {
    ASSERT_EQ(file.metadata.count(p->key), 1u) << p->key;
  }
  EXPECT_EQ(file.metadata.at("init"), "normal");
  EXPECT_EQ(file.metadata.at("loss"), "probe");
  EXPECT_EQ(file.metadata.at("input"), "gaussian");
  const RunConfig loaded = ResolveLoadedConfig(file, RunConfig(), {});
  EXPECT_EQ(loaded.activation, ActivationKind::kElu);
  EXPECT_EQ(loaded.init, InitKind::kNormal);
  EXPECT_EQ(loaded.input, InputKind::kGaussian);
  EXPECT_EQ(loaded.activation_params.leaky_slope, 0.25);
  EXPECT_EQ(loaded.activation_params.elu_alpha, 0.5);
  EXPECT_EQ(loaded.activation_params.maxout_pieces, 4);
  EXPECT_EQ(loaded.init_params.init_std, 0.125);
  EXPECT_EQ(loaded.init_params.init_scale, 0.75);
  RunConfig cli;
  cli.activation_params.elu_alpha = 2;
  EXPECT_EQ(ResolveLoadedConfig(file, cli, {"--elu-alpha"}).activation_params.elu_alpha, 2);
}

// ------------------------------------------------------------ refusals

// A saved small model, and ways to break it.
class Refusals : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = Small("tanh", "mse");
    file_ = ModelToSafetensors(GenerateModel<double>(config_));
    file_.source = "m.safetensors";
  }
  RunConfig Resolve(const GivenOptions& given = {}, RunConfig cli = RunConfig()) const {
    return ResolveLoadedConfig(file_, cli, given);
  }
  RunConfig config_;
  SafetensorsFile file_;
};

TEST_F(Refusals, CommandLineContradictingTheFile) {
  RunConfig cli;
  cli.depth = 5;
  ExpectUsageError([&] { Resolve({"--depth"}, cli); },
                   {"--depth 5 contradicts --load-model 'm.safetensors'", "4 layers", "gives 3"});
  cli = RunConfig();
  cli.width = 8;
  ExpectUsageError([&] { Resolve({"--width"}, cli); }, {"--width 8", "layers.1.weight", "gives 4"});
  cli = RunConfig();
  cli.input_dim = 7;
  ExpectUsageError([&] { Resolve({"--input-dim"}, cli); }, {"--input-dim 7", "gives 3"});
  cli = RunConfig();
  cli.batch = 9;
  ExpectUsageError([&] { Resolve({"--batch"}, cli); }, {"--batch 9", "x rows gives 5"});
  cli = RunConfig();
  cli.output_dim = 5;
  ExpectUsageError([&] { Resolve({"--output-dim"}, cli); }, {"--output-dim 5", "gives 2"});
  for (const char* option : {"--init", "--gain", "--bias-std", "--init-std"}) {
    ExpectUsageError([&] { Resolve({option}); }, {option, "has no effect with --load-model"});
  }
  ExpectUsageError([&] { Resolve({"--input"}); }, {"--input has no effect", "holds the batch x"});
  // Agreeing values are fine, and a default that differs is simply replaced.
  cli = RunConfig();
  cli.depth = 3;
  cli.width = 4;
  EXPECT_EQ(Resolve({"--depth", "--width"}, cli).depth, 3);
  EXPECT_EQ(Resolve().width, 4);
}

TEST_F(Refusals, LossThatChangesTheHead) {
  RunConfig cli;
  cli.loss = LossKind::kProbe;
  ExpectUsageError(
      [&] { Resolve({"--loss"}, cli); },
      {"--loss probe has no linear head", "is a linear head", "use --loss mse or cross_entropy"});
  cli.loss = LossKind::kCrossEntropy;  // another head loss is fine: labels drawn from the seed
  const RunConfig c = Resolve({"--loss"}, cli);
  EXPECT_EQ(c.classes, 2);
  EXPECT_EQ(ModelFromSafetensors<double>(file_, c).targets.labels.size(), 5u);
}

TEST_F(Refusals, MissingAndMisnamedTensors) {
  file_.tensors.erase("layers.2.bias");
  ExpectUsageError([&] { Resolve(); }, {"'m.safetensors': tensor 'layers.2.bias' is missing"});
  SetUp();
  file_.tensors["layer.1.weight"] = file_.tensors["x"];
  ExpectUsageError([&] { Resolve(); }, {"tensor 'layer.1.weight' is not a gradflow tensor name"});
  SetUp();
  file_.tensors["layers.01.weight"] = file_.tensors["x"];
  ExpectUsageError([&] { Resolve(); }, {"tensor 'layers.01.weight' is not"});
  SetUp();
  file_.tensors["layers.6.weight"] = file_.tensors["layers.1.weight"];
  ExpectUsageError([&] { Resolve(); }, {"tensor 'layers.5.weight' is missing", "up to 6"});
  SetUp();
  file_.metadata.erase("activation");
  ExpectUsageError([&] { Resolve(); }, {"names no activation; give --activation"});
}

TEST_F(Refusals, ShapesThatDoNotChain) {
  file_.tensors["layers.2.weight"] = MakeF64Tensor({4, 5}, std::vector<double>(20, 0.0));
  ExpectUsageError([&] { Resolve(); }, {"tensor 'layers.2.weight' has shape [4, 5]",
                                        "fan_in must be 4, the units of layer 1"});
  SetUp();
  file_.tensors["layers.1.bias"] = MakeF64Tensor({3}, {0, 0, 0});
  ExpectUsageError([&] { Resolve(); }, {"tensor 'layers.1.bias' has shape [3] but must be [4]"});
  SetUp();
  file_.tensors["layers.1.weight"] = MakeF64Tensor({12}, std::vector<double>(12, 0.0));
  ExpectUsageError([&] { Resolve(); }, {"tensor 'layers.1.weight' has shape [12] but must be 2-D"});
  SetUp();
  file_.tensors["x"] = MakeF64Tensor({5, 2}, std::vector<double>(10, 0.0));
  ExpectUsageError([&] { Resolve(); }, {"tensor 'x' has shape [5, 2]", "takes 3 inputs"});
  SetUp();
  file_.tensors["targets"] = MakeF64Tensor({5, 3}, std::vector<double>(15, 0.0));
  ExpectUsageError([&] { Resolve(); }, {"tensor 'targets' has shape [5, 3] but must be [5, 2]"});
  SetUp();
  file_.tensors["targets"] = MakeI64Tensor({5, 2}, std::vector<int64_t>(10, 0));
  ExpectUsageError([&] { Resolve(); }, {"tensor 'targets' has dtype I64"});
  SetUp();
  file_.tensors["layers.1.weight"].dtype = "I64";  // same byte count, not floating
  ExpectUsageError([&] { Resolve(); },
                   {"tensor 'layers.1.weight' has dtype I64; expected a floating"});
  SetUp();
  file_.tensors["x"].dtype = "U64";
  ExpectUsageError([&] { Resolve(); }, {"tensor 'x' has dtype U64"});
}

TEST_F(Refusals, MaxoutRowsMustDivide) {
  config_ = Small("maxout", "probe");
  config_.activation_params.maxout_pieces = 2;
  file_ = ModelToSafetensors(GenerateModel<double>(config_));
  file_.source = "m.safetensors";
  RunConfig cli;
  cli.activation = ActivationKind::kMaxout;
  cli.activation_params.maxout_pieces = 3;
  ExpectUsageError([&] { Resolve({"--maxout-pieces"}, cli); },
                   {"tensor 'layers.1.weight' has 8 rows, not a multiple of the 3 maxout pieces"});
  EXPECT_EQ(Resolve().width, 4);
}

TEST_F(Refusals, LabelsOutOfRange) {
  config_ = Small("tanh", "cross_entropy");
  file_ = ModelToSafetensors(GenerateModel<double>(config_));
  file_.source = "m.safetensors";
  file_.tensors["labels"] = MakeI64Tensor({5}, {0, 1, 2, 3, 0});
  ExpectUsageError([&] { Resolve(); }, {"tensor 'labels'[3] = 3 is not a class in [0, 3)"});
}

TEST_F(Refusals, MetadataThatLiesOrIsMalformed) {
  file_.metadata["depth"] = "7";
  ExpectUsageError([&] { Resolve(); }, {"__metadata__ 'depth' = '7'", "gives 3"});
  SetUp();
  file_.metadata["gain"] = "1.5x";
  ExpectUsageError([&] { Resolve(); }, {"__metadata__ 'gain' = '1.5x' is not a number"});
  SetUp();
  file_.metadata["activation"] = "swish";
  ExpectUsageError([&] { Resolve(); }, {"__metadata__ 'activation' = 'swish'", "allowed:"});
  SetUp();
  file_.metadata["init"] = "a,b";  // would break the CSV
  ExpectUsageError([&] { Resolve(); }, {"__metadata__ 'init'"});
  SetUp();
  file_.metadata["format"] = "other";
  ExpectUsageError([&] { Resolve(); }, {"'format' = 'other'"});
  SetUp();
  file_.metadata["leaky_slope"] = "nan";
  ExpectUsageError([&] { Resolve(); }, {"--leaky-slope", "m.safetensors"});
}

// ------------------------------------------------------------ the command line

class ModelCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gradflow_model_io_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs gradflow with `args`; returns the exit code, stderr in *err.
  int Run(const std::string& args, std::string* err = nullptr) const {
    const std::string command = std::string(GRADFLOW_BINARY) + " " + args + " 2>" +
                                (dir_ / "stderr.txt").string() + " >" +
                                (dir_ / "stdout.txt").string();
    const int status = std::system(command.c_str());
    if (err != nullptr) *err = ReadText(dir_ / "stderr.txt");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

// The CSV with the three pred_* cells of each row emptied (they are the last columns).
std::string WithoutPredictions(const std::string& csv) {
  std::string out;
  size_t start = 0;
  bool header = true;
  while (start < csv.size()) {
    const size_t end = csv.find('\n', start);
    std::string line = csv.substr(start, end - start);
    if (!header) {
      for (int i = 0; i < 3; ++i) line = line.substr(0, line.find_last_of(','));
      line += ",,,";
    }
    out += line + '\n';
    header = false;
    start = end + 1;
  }
  return out;
}

TEST_F(ModelCli, SaveLoadRerunGivesIdenticalCsv) {
  for (const char* dtype : {"float32", "float64"}) {
    for (const char* net : {"--activation tanh --loss probe", "--activation relu --loss mse",
                            "--activation maxout --maxout-pieces 3 --loss cross_entropy",
                            "--activation elu --elu-alpha 0.7 --input uniform --input-scale 2"}) {
      SCOPED_TRACE(std::string(dtype) + " " + net);
      const std::string common = std::string(
                                     "run -q --depth 4 --width 6 --input-dim 5 --batch 7 "
                                     "--bias-std 0.2 --seed 3 --dtype ") +
                                 dtype + " " + net;
      std::string err;
      ASSERT_EQ(Run(common + " -o " + Path("plain.csv"), &err), 0) << err;
      ASSERT_EQ(
          Run(common + " -o " + Path("saved.csv") + " --save-model " + Path("m.safetensors"), &err),
          0)
          << err;
      ASSERT_EQ(Run("run -q --load-model " + Path("m.safetensors") + " -o " + Path("loaded.csv") +
                        " --summary-out " + Path("summary.csv"),
                    &err),
                0)
          << err;
      const std::string plain = ReadText(Path("plain.csv"));
      const bool head = std::string(net).find("--loss probe") == std::string::npos &&
                        std::string(net).find("--loss") != std::string::npos;
      EXPECT_EQ(std::count(plain.begin(), plain.end(), '\n'), head ? 6 : 5);  // header + layers
      EXPECT_EQ(ReadText(Path("saved.csv")), plain);
      // A loaded network may be trained or hand-made: no mean-field predictions.
      EXPECT_EQ(ReadText(Path("loaded.csv")), WithoutPredictions(plain));
      // Loading and saving again gives the same bytes.
      ASSERT_EQ(Run("run -q --load-model " + Path("m.safetensors") + " -o " + Path("again.csv") +
                        " --save-model " + Path("m2.safetensors"),
                    &err),
                0)
          << err;
      EXPECT_EQ(ReadText(Path("m2.safetensors")), ReadText(Path("m.safetensors")));
    }
  }
}

TEST_F(ModelCli, HistogramsOfALoadedModelAreThoseOfTheSavedOne) {
  std::string err;
  ASSERT_EQ(Run("run -q --activation tanh --depth 3 --width 5 --batch 6 --seed 4 --histograms " +
                    Path("saved_h.csv") + " -o " + Path("a.csv") + " --save-model " +
                    Path("m.safetensors"),
                &err),
            0)
      << err;
  ASSERT_EQ(Run("run -q --load-model " + Path("m.safetensors") + " --histograms " +
                    Path("loaded_h.csv") + " -o " + Path("b.csv"),
                &err),
            0)
      << err;
  const std::string saved = ReadText(Path("saved_h.csv"));
  EXPECT_GT(std::count(saved.begin(), saved.end(), '\n'),
            3 * 3 * 10);  // layers × quantities × bins
  EXPECT_EQ(ReadText(Path("loaded_h.csv")), saved);
}

TEST_F(ModelCli, LoadedModelWithoutBatchDrawsItFromTheSeed) {
  // Weights only (as from a plain torch export): x and probe come from --seed.
  RunConfig c = Small("tanh", "probe");
  SafetensorsFile file = ModelToSafetensors(GenerateModel<double>(c));
  file.tensors.erase("x");
  file.tensors.erase("probe");
  file.metadata = {{"activation", "tanh"}};
  std::ofstream(Path("w.safetensors"), std::ios::binary) << SerializeSafetensors(file);
  std::string err;
  ASSERT_EQ(Run("run -q --seed 11 --batch 5 --input-dim 3 --bias-std 0.1 --depth 3 --width 4 "
                "--activation tanh --dtype float64 -o " +
                Path("gen.csv")),
            0);
  ASSERT_EQ(Run("run -q --load-model " + Path("w.safetensors") + " --seed 11 --batch 5 -o " +
                    Path("loaded.csv"),
                &err),
            0)
      << err;
  // Same weights, batch and probe; only the init/gain/bias_std columns differ ("file").
  const std::string generated = ReadText(Path("gen.csv")), loaded = ReadText(Path("loaded.csv"));
  EXPECT_NE(loaded.find("tanh,,file,,1,0,3,4,,none,,3,5,gaussian,1,probe,float64,11,1,hidden"),
            std::string::npos)
      << loaded;
  auto metrics = [](const std::string& csv) {  // everything after the seed column
    std::string out;
    std::istringstream in(csv);
    std::string line;
    while (std::getline(in, line)) out += line.substr(line.find(",11,") + 4) + "\n";
    return out;
  };
  EXPECT_EQ(metrics(loaded), metrics(WithoutPredictions(generated)));
}

TEST_F(ModelCli, BadFilesExitTwoWithoutOutput) {
  const std::string good =
      SerializeSafetensors(ModelToSafetensors(GenerateModel<double>(Small("tanh", "probe"))));
  struct Case {
    std::string name, bytes, message;
  };
  std::string lying = good;  // the first tensor's offsets [0, n] become [9, n]
  lying[lying.find("\"data_offsets\":[0,") + std::string("\"data_offsets\":[").size()] = '9';
  const std::vector<Case> cases = {
      {"truncated", good.substr(0, good.size() - 3), "do not lie inside"},
      {"empty", "", "shorter than the 8-byte header"},
      {"oversize", std::string("\xff\xff\xff\xff\x00\x00\x00\x00", 8) + "{}",
       "exceeds the 100000000-byte limit"},
      {"badjson", std::string("\x05\x00\x00\x00\x00\x00\x00\x00", 8) + "{\"a\":", "not valid JSON"},
      {"lying", lying, "data_offsets"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::ofstream(Path(c.name), std::ios::binary) << c.bytes;
    std::string err;
    EXPECT_EQ(Run("run --load-model " + Path(c.name) + " -o " + Path("out.csv"), &err), 2);
    EXPECT_NE(err.find("--load-model '" + Path(c.name) + "'"), std::string::npos) << err;
    EXPECT_NE(err.find(c.message), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(Path("out.csv")));
  }
  std::string err;
  EXPECT_EQ(Run("run --load-model " + Path("nothing.safetensors") + " -o " + Path("out.csv"), &err),
            2);
  EXPECT_NE(err.find("cannot open"), std::string::npos) << err;
  EXPECT_EQ(Run("run --depth 2 --width 3 --save-model " + Path("no/such/dir/m.safetensors"), &err),
            2);
  EXPECT_NE(err.find("--save-model"), std::string::npos) << err;
  EXPECT_EQ(Run("run --depth 2 --width 3 --save-model -", &err), 2);
  EXPECT_NE(err.find("--save-model needs a file name"), std::string::npos) << err;
  // The golden file with a contradicting --depth.
  EXPECT_EQ(Run("run --load-model " + Golden("golden_f64.safetensors") + " --depth 5", &err), 2);
  EXPECT_NE(err.find("--depth 5 contradicts"), std::string::npos) << err;
}

// A safetensors file of F64 tensors: `tensors` is the header's tensor entries
// (JSON text), followed by `data` bytes; activation tanh in the metadata.
std::string CraftedFile(const std::string& tensors, const std::string& data) {
  const std::string header = "{\"__metadata__\": {\"activation\": \"tanh\"}, " + tensors + "}";
  std::string out(8, '\0');
  const uint64_t length = header.size();
  std::memcpy(out.data(), &length, 8);
  return out + header + data;
}

// Regressions: a zero-column weight with a zero-column x segfaulted, one without
// x ran with exit 0 and all-zero gradients, a dimension >= 2^63 aborted with
// std::length_error, and [2^62, 4, 0] overflowed the element count.
TEST_F(ModelCli, CraftedZeroSizeAndHugeDimensionsExitTwo) {
  const std::string bias =
      R"("layers.1.bias": {"dtype": "F64", "shape": [4], "data_offsets": [0, 32]})";
  const std::string zeros(32, '\0');
  struct Case {
    std::string name, tensors, message;
  };
  const std::vector<Case> cases = {
      {"zero_weight_zero_x",
       bias + R"(, "layers.1.weight": {"dtype": "F64", "shape": [4, 0], "data_offsets": [32, 32]},
                 "x": {"dtype": "F64", "shape": [3, 0], "data_offsets": [32, 32]})",
       "zero-size dimensions are refused"},
      {"zero_weight",
       bias + R"(, "layers.1.weight": {"dtype": "F64", "shape": [4, 0], "data_offsets": [32, 32]})",
       "zero-size dimensions are refused"},
      {"huge_dimension",
       bias + R"(, "layers.1.weight": {"dtype": "F64", "shape": [9223372036854775808, 0],
                                      "data_offsets": [32, 32]})",
       "2^63"},
      {"huge_rows",
       bias + R"(, "layers.1.weight": {"dtype": "F64", "shape": [9223372036854775812, 0],
                                      "data_offsets": [32, 32]})",
       "2^63"},
      {"huge_batch",
       bias + R"(, "layers.1.weight": {"dtype": "F64", "shape": [4, 0], "data_offsets": [32, 32]},
                 "x": {"dtype": "F64", "shape": [9223372036854775811, 0], "data_offsets": [32, 32]})",
       "2^63"},
      {"huge_int_dimension",
       bias + R"(, "layers.1.weight": {"dtype": "F64", "shape": [4, 4294967296, 0],
                                      "data_offsets": [32, 32]})",
       "must be 2-D"},
      {"overflowing_count",
       bias + R"(, "layers.1.weight": {"dtype": "F64", "shape": [4611686018427387904, 4, 0],
                                      "data_offsets": [32, 32]})",
       "must be 2-D"},
      {"zero_rows_too_wide",
       bias + R"(, "layers.1.weight": {"dtype": "F64", "shape": [0, 4294967296],
                                      "data_offsets": [32, 32]})",
       "must be in [1, 2147483647]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::ofstream(Path(c.name), std::ios::binary) << CraftedFile(c.tensors, zeros);
    std::string err;
    EXPECT_EQ(Run("run --load-model " + Path(c.name) + " -o " + Path("out.csv"), &err), 2);
    EXPECT_NE(err.find(c.message), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(Path("out.csv")));
  }
}

TEST_F(ModelCli, NumpyReaderAgreesWithTheCsv) {
  // An independent reader (numpy, no torch) recomputes the forward pass and
  // the loss from a saved file and compares with gradflow's CSV.
  std::string err;
  ASSERT_EQ(Run("run -q --activation relu --init he_normal --depth 5 --width 16 --input-dim 9 "
                "--batch 8 --bias-std 0.1 --loss mse --dtype float64 -o " +
                    Path("l.csv") + " --summary-out " + Path("s.csv") + " --save-model " +
                    Path("m.safetensors"),
                &err),
            0)
      << err;
  const std::string command = "/usr/bin/python3 " + std::string(GRADFLOW_SOURCE_DIR) +
                              "/tests/python/numpy_reader_check.py " + Path("m.safetensors") + " " +
                              Path("l.csv") + " " + Path("s.csv");
  const int status = std::system((command + " >" + Path("py.txt") + " 2>&1").c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << "\n"
                                                             << ReadText(Path("py.txt"));
}

}  // namespace
}  // namespace gradflow
