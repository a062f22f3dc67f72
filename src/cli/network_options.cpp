#include <string>

#include "base/error.h"
#include "base/suggest.h"
#include "cli/commands.h"
#include "engine/activation.h"
#include "engine/init.h"
#include "fmt/format.h"

namespace gradflow::cli {

void AddNetworkOptions(CLI::App* app, RunConfig* c, NetworkNames* names) {
  names->activation = ActivationName(c->activation);
  names->init = InitName(c->init);
  names->input = InputName(c->input);
  names->loss = LossName(c->loss);
  names->dtype = DTypeName(c->dtype);
  names->norm = NormName(c->norm);
  app->add_option("--activation", names->activation,
                  "activation, one of: " + JoinNames(ActivationNames()))
      ->capture_default_str();
  AddParameterOptions(app, ActivationParameters(), &c->activation_params);
  app->add_option("--init", names->init, "weight initialisation, one of: " + JoinNames(InitNames()))
      ->capture_default_str();
  AddParameterOptions(app, InitParameters(), &c->init_params);
  app->add_option("--gain", c->gain, "multiplier on every initial weight")->capture_default_str();
  app->add_option("--bias-std", c->bias_std, "biases ~ N(0, std^2); 0 = zero biases")
      ->capture_default_str();
  names->depth_option =
      app->add_option("--depth", c->depth, "hidden layers")->capture_default_str();
  names->width_option =
      app->add_option("--width", c->width, "units per hidden layer")->capture_default_str();
  // A list (also a TOML array in --config); an entry may itself hold 'x'-separated widths.
  app->add_option("--widths", names->widths,
                  "units of each hidden layer, e.g. 512,256,128 (instead of --depth/--width; "
                  "the list's length is the depth)")
      ->delimiter(',')
      ->type_name("LIST");
  app->add_option("--norm", names->norm,
                  "normalise each hidden z^l before phi: none | batch (over the batch, "
                  "training-mode statistics) | layer (over the units)")
      ->capture_default_str();
  app->add_flag("--residual", c->residual,
                "residual connections a^l = a^(l-1) + s*phi(...) for hidden layers l >= 2 "
                "(equal widths)");
  names->residual_scale_option =
      app->add_option("--residual-scale", c->residual_scale, "s in --residual's sum")
          ->capture_default_str();
  app->add_option("--input-dim", c->input_dim, "input dimension (0: same as --width)")
      ->capture_default_str();
  app->add_option("--batch", c->batch, "samples per batch")->capture_default_str();
  app->add_option("--input", names->input,
                  "input distribution: gaussian N(0,1) | uniform U[-√3,√3]")
      ->capture_default_str();
  app->add_option("--input-scale", c->input_scale, "multiplier on every input")
      ->capture_default_str();
  app->add_option("--loss", names->loss,
                  "probe (random projection, matches theory) | mse | cross_entropy")
      ->capture_default_str();
  app->add_option("--output-dim", c->output_dim, "mse: outputs of the linear head")
      ->capture_default_str();
  app->add_option("--classes", c->classes, "cross_entropy: classes of the linear head")
      ->capture_default_str();
  app->add_option("--dtype", names->dtype, "float32 | float64")->capture_default_str();
  // CLI11 would read "-1" into the unsigned seed as 2^64 - 1; refuse it instead.
  app->add_option("--seed", c->seed, "random seed (a non-negative integer)")
      ->type_name("UINT")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& value) {
            return value.rfind('-', 0) == 0 ? "must be a non-negative integer, got " + value
                                            : std::string();
          },
          ""));
  app->add_option("--saturation-threshold", c->saturation_threshold,
                  "tau: (unit, sample) saturated when |phi'(z)| < tau * max|phi'|")
      ->capture_default_str();
  app->add_option("--vanishing-threshold", c->vanishing_threshold,
                  "verdict 'vanishing' when delta_norm[1]/delta_norm[L] is below this")
      ->capture_default_str();
  app->add_option("--exploding-threshold", c->exploding_threshold,
                  "verdict 'exploding' when delta_norm[1]/delta_norm[L] is above this")
      ->capture_default_str();
  app->add_option("--threads", c->threads, "worker threads (0: all cores)")->capture_default_str();
  app->add_option("--memory-limit-gb", c->memory_limit_gb,
                  "refuse runs whose memory estimate exceeds this (0: available memory)")
      ->capture_default_str();
}

void ParseNetworkNames(const NetworkNames& names, RunConfig* config) {
  config->dtype = ParseDType(names.dtype);
  config->activation = ParseActivation(names.activation);
  config->init = ParseInit(names.init);
  config->loss = ParseLoss(names.loss);
  config->input = ParseInput(names.input);
  config->norm = ParseNorm(names.norm);
  if (!names.widths.empty()) {
    std::string widths;
    for (const std::string& entry : names.widths) widths += (widths.empty() ? "" : ",") + entry;
    for (const CLI::Option* option : {names.depth_option, names.width_option}) {
      if (option != nullptr && option->count() > 0) {
        throw UsageError(fmt::format(
            "--widths {} and {} {}: give one or the other (--widths sets the depth to its "
            "length and each layer's width)",
            widths, option->get_name(), option->as<std::string>()));
      }
    }
    SetWidths(ParseWidths(widths), config);
  }
  if (names.residual_scale_option != nullptr && names.residual_scale_option->count() > 0 &&
      !config->residual) {
    throw UsageError(fmt::format("--residual-scale {} applies with --residual only",
                                 names.residual_scale_option->as<std::string>()));
  }
}

}  // namespace gradflow::cli
