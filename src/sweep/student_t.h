// Student's t distribution, for the 95% intervals of sweep aggregates.
#pragma once

namespace gradflow {

// Regularized incomplete beta function I_x(a, b), a, b > 0, 0 <= x <= 1.
double RegularizedIncompleteBeta(double a, double b, double x);

// P(T <= t) for T ~ Student t with df > 0 degrees of freedom.
double StudentTCdf(double t, double df);

// The p-quantile of Student t with df > 0 degrees of freedom, 0 < p < 1
// (e.g. p = 0.975 for a two-sided 95% interval). Accurate to ~1e-12.
double StudentTQuantile(double p, double df);

}  // namespace gradflow
