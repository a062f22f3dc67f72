#include <string>

#include "base/suggest.h"
#include "cli/commands.h"
#include "engine/activation.h"
#include "engine/init.h"

namespace gradflow::cli {

void AddNetworkOptions(CLI::App* app, RunConfig* c, std::string* dtype) {
  app->add_option("--activation", c->activation,
                  "activation, one of: " + JoinNames(ActivationNames()))
      ->capture_default_str();
  app->add_option("--leaky-slope", c->activation_params.leaky_slope, "leaky_relu: slope for z < 0")
      ->capture_default_str();
  app->add_option("--elu-alpha", c->activation_params.elu_alpha, "elu: alpha")
      ->capture_default_str();
  app->add_option("--maxout-pieces", c->activation_params.maxout_pieces,
                  "maxout: linear pieces per unit")
      ->capture_default_str();
  app->add_option("--init", c->init, "weight initialisation, one of: " + JoinNames(InitNames()))
      ->capture_default_str();
  app->add_option("--init-std", c->init_params.init_std, "normal init: standard deviation")
      ->capture_default_str();
  app->add_option("--init-scale", c->init_params.init_scale, "uniform init: U[-scale, scale]")
      ->capture_default_str();
  app->add_option("--gain", c->gain, "multiplier on every initial weight")->capture_default_str();
  app->add_option("--bias-std", c->bias_std, "biases ~ N(0, std^2); 0 = zero biases")
      ->capture_default_str();
  app->add_option("--depth", c->depth, "hidden layers")->capture_default_str();
  app->add_option("--width", c->width, "units per hidden layer")->capture_default_str();
  app->add_option("--input-dim", c->input_dim, "input dimension (0: same as --width)")
      ->capture_default_str();
  app->add_option("--batch", c->batch, "samples per batch")->capture_default_str();
  app->add_option("--input", c->input, "input distribution: gaussian N(0,1) | uniform U[-√3,√3]")
      ->capture_default_str();
  app->add_option("--input-scale", c->input_scale, "multiplier on every input")
      ->capture_default_str();
  app->add_option("--loss", c->loss,
                  "probe (random projection, matches theory) | mse | cross_entropy")
      ->capture_default_str();
  app->add_option("--output-dim", c->output_dim, "mse: outputs of the linear head")
      ->capture_default_str();
  app->add_option("--classes", c->classes, "cross_entropy: classes of the linear head")
      ->capture_default_str();
  app->add_option("--dtype", *dtype, "float32 | float64")->capture_default_str();
  // CLI11 would read "-1" into the unsigned seed as 2^64 - 1; refuse it instead.
  app->add_option("--seed", c->seed, "random seed (a non-negative integer)")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& value) {
            return value.rfind('-', 0) == 0 ? "must be a non-negative integer, got " + value
                                            : std::string();
          },
          "UINT"));
  app->add_option("--saturation-threshold", c->saturation_threshold,
                  "tau: (unit, sample) saturated when phi'(z) < tau * max phi'")
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

}  // namespace gradflow::cli
