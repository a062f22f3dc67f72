#include "sweep/student_t.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gradflow {
namespace {

// Reference quantiles t(0.975, df) from scipy.stats.t.ppf.
TEST(StudentT, QuantilesMatchReferenceValues) {
  EXPECT_NEAR(StudentTQuantile(0.975, 1), 12.706204736174707, 1e-9);  // tan(0.475 pi)
  EXPECT_NEAR(StudentTQuantile(0.975, 2), 4.302652729749464, 1e-9);   // closed form
  EXPECT_NEAR(StudentTQuantile(0.975, 3), 3.182446305284263, 1e-9);
  EXPECT_NEAR(StudentTQuantile(0.975, 5), 2.5705818366147395, 1e-9);
  EXPECT_NEAR(StudentTQuantile(0.975, 10), 2.2281388519649385, 1e-9);
  EXPECT_NEAR(StudentTQuantile(0.975, 30), 2.0422724563012373, 1e-9);
  EXPECT_NEAR(StudentTQuantile(0.975, 100), 1.9839715184496334, 1e-9);
  EXPECT_NEAR(StudentTQuantile(0.975, 1e7), 1.959963984540054, 1e-6);  // normal limit
}

TEST(StudentT, SymmetricAndInverseOfCdf) {
  for (double df : {1.0, 2.5, 4.0, 17.0}) {
    for (double p : {0.6, 0.9, 0.975, 0.999}) {
      const double t = StudentTQuantile(p, df);
      EXPECT_NEAR(StudentTCdf(t, df), p, 1e-12) << df << " " << p;
      EXPECT_NEAR(StudentTQuantile(1 - p, df), -t, 1e-9 * t);
    }
  }
}

TEST(StudentT, IncompleteBetaAnchors) {
  // I_x(1, 1) = x;  I_x(a, 1) = x^a;  I_0.5(a, a) = 0.5
  EXPECT_NEAR(RegularizedIncompleteBeta(1, 1, 0.3), 0.3, 1e-14);
  EXPECT_NEAR(RegularizedIncompleteBeta(3, 1, 0.7), std::pow(0.7, 3), 1e-14);
  EXPECT_NEAR(RegularizedIncompleteBeta(4.5, 4.5, 0.5), 0.5, 1e-14);
  EXPECT_TRUE(std::isnan(StudentTQuantile(0.975, 0)));
}

}  // namespace
}  // namespace gradflow
