#include "sweep/student_t.h"

#include <cmath>

namespace gradflow {
namespace {

// Continued fraction of I_x(a, b) (modified Lentz), converging for x < (a+1)/(a+b+2):
//   I_x(a,b) = x^a (1-x)^b / (a B(a,b)) · 1/(1+ d1/(1+ d2/(1+ ...)))
//   d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),  d_{2m} = m(b-m) x / ((a+2m-1)(a+2m))
double BetaFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  auto guard = [](double v) { return std::fabs(v) < kTiny ? kTiny : v; };
  double c = 1.0;
  double d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
  double h = d;
  for (int m = 1; m <= 1000; ++m) {
    const double even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
    d = 1.0 / guard(1.0 + even * d);
    c = guard(1.0 + even / c);
    h *= d * c;
    const double odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
    d = 1.0 / guard(1.0 + odd * d);
    c = guard(1.0 + odd / c);
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1.0) < 1e-16) break;
  }
  return h;
}

}  // namespace

double RegularizedIncompleteBeta(double a, double b, double x) {
  if (x <= 0) return 0.0;
  if (x >= 1) return 1.0;
  // log of x^a (1-x)^b / B(a,b)
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * BetaFraction(a, b, x) / a;
  return 1.0 - std::exp(log_front) * BetaFraction(b, a, 1.0 - x) / b;
}

double StudentTCdf(double t, double df) {
  if (std::isnan(t)) return t;
  // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2)
  const double tail = 0.5 * RegularizedIncompleteBeta(0.5 * df, 0.5, df / (df + t * t));
  return t > 0 ? 1.0 - tail : tail;
}

double StudentTQuantile(double p, double df) {
  if (!(p > 0 && p < 1) || !(df > 0)) return NAN;
  if (p < 0.5) return -StudentTQuantile(1.0 - p, df);
  if (p == 0.5) return 0.0;
  // Closed forms: df = 1 (Cauchy) and df = 2.
  if (df == 1) return std::tan(M_PI * (p - 0.5));
  if (df == 2) return (2 * p - 1) / std::sqrt(2 * p * (1 - p));
  // Bisection on the upper tail 1 - p = 0.5 I_{df/(df+t²)}(df/2, 1/2), decreasing in t.
  const double target = 1.0 - p;
  auto tail = [df](double t) {
    return 0.5 * RegularizedIncompleteBeta(0.5 * df, 0.5, df / (df + t * t));
  };
  double lo = 0.0, hi = 1.0;
  while (tail(hi) > target && hi < 1e300) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (tail(mid) > target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace gradflow
