"""The statistics of ``scoring.statistics``, checked against published tables and
hand arithmetic (Student's t tables as printed in any statistics textbook)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from scoring.statistics import (
    NO_PRIOR,
    Interval,
    Sample,
    VariancePrior,
    benjamini_hochberg,
    digamma,
    moderated_variance,
    regularized_incomplete_beta,
    t_cdf,
    t_interval,
    t_quantile,
    t_two_sided_p,
    trigamma,
    trigamma_inverse,
    variance_floor,
    variance_prior,
    welch_test,
)

# Two-sided 95 % (t at 0.975) and one-sided 95 % (t at 0.95) critical values.
T_TABLE = [
    (1, 12.706, 6.314),
    (2, 4.303, 2.920),
    (3, 3.182, 2.353),
    (4, 2.776, 2.132),
    (5, 2.571, 2.015),
    (9, 2.262, 1.833),
    (10, 2.228, 1.812),
    (18, 2.101, 1.734),
    (29, 2.045, 1.699),
    (30, 2.042, 1.697),
    (60, 2.000, 1.671),
    (120, 1.980, 1.658),
]


@pytest.mark.parametrize(("df", "t975", "t95"), T_TABLE)
def test_t_quantiles_match_the_printed_table(df: int, t975: float, t95: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(t975, abs=5e-4)
    assert t_quantile(0.95, df) == pytest.approx(t95, abs=5e-4)
    # symmetric about 0
    assert t_quantile(0.025, df) == pytest.approx(-t_quantile(0.975, df))
    assert t_quantile(0.5, df) == 0.0


@pytest.mark.parametrize(("df", "t975", "t95"), T_TABLE)
def test_t_cdf_inverts_the_quantile(df: int, t975: float, t95: float) -> None:
    assert t_cdf(t975, df) == pytest.approx(0.975, abs=2e-4)
    assert t_cdf(-t95, df) == pytest.approx(0.05, abs=2e-4)
    assert t_two_sided_p(t975, df) == pytest.approx(0.05, abs=4e-4)


def test_t_with_one_degree_of_freedom_is_the_cauchy_distribution() -> None:
    for t in (-3.0, -0.5, 0.0, 0.7, 2.0, 40.0):
        assert t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, abs=1e-12)


def test_t_with_many_degrees_of_freedom_approaches_the_normal() -> None:
    # the normal distribution's 97.5 % point is 1.95996
    assert t_quantile(0.975, 100_000) == pytest.approx(1.95996, abs=1e-4)


def test_fractional_degrees_of_freedom_lie_between_their_neighbours() -> None:
    assert t_quantile(0.975, 8) < t_quantile(0.975, 7.2) < t_quantile(0.975, 7)


def test_regularized_incomplete_beta_by_hand() -> None:
    # I_x(1, 1) = x; I_x(2, 3) = 1 − (1 − x)⁴ − 4x(1 − x)³; I_0.5(a, a) = 0.5
    assert regularized_incomplete_beta(1, 1, 0.3) == pytest.approx(0.3)
    assert regularized_incomplete_beta(2, 3, 0.4) == pytest.approx(0.5248)
    assert regularized_incomplete_beta(0.5, 0.5, 0.5) == pytest.approx(0.5)
    assert regularized_incomplete_beta(7.5, 7.5, 0.5) == pytest.approx(0.5)
    assert regularized_incomplete_beta(2, 3, 0.0) == 0.0
    assert regularized_incomplete_beta(2, 3, 1.0) == 1.0


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        regularized_incomplete_beta(0, 1, 0.5)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        t_quantile(1.0, 5)
    with pytest.raises(ValueError, match="degrees of freedom must be positive"):
        t_quantile(0.9, 0)
    with pytest.raises(ValueError, match="degrees of freedom must be positive"):
        t_two_sided_p(1.0, -1)


def test_sample_mean_and_variance_from_sums() -> None:
    # 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squares about the mean 32, variance 32/7
    values = (2, 4, 4, 4, 5, 5, 7, 9)
    sample = Sample(len(values), sum(values), sum(v * v for v in values))
    assert sample.mean == 5
    assert sample.variance == Fraction(32, 7)
    # the same values in millionths
    scaled = Sample(8, 40_000_000, sum((v * 1_000_000) ** 2 for v in values), scale=1_000_000)
    assert (scaled.mean, scaled.variance) == (5, Fraction(32, 7))
    assert Sample(1, 3, 9).variance is None


def test_variance_floor_is_one_answer_a_point_off() -> None:
    # four 3s and one 4: mean 3.2, squares 4 × 0.04 + 0.64 = 0.8, variance 0.8/4 = 1/5
    assert Sample(5, 16, 4 * 9 + 16).variance == variance_floor(5) == Fraction(1, 5)


def test_welch_by_hand() -> None:
    # first 4.1 (variance 0.1, n 10), second 3.1 (0.1, 10): t = 1/√0.02 = 7.071, df 18
    first = Sample(10, 41, 9 * 16 + 25)
    second = Sample(10, 31, 9 * 9 + 16)
    test = welch_test(first, second)
    assert test is not None
    assert test.difference == 1
    assert test.t == pytest.approx(7.0711, abs=1e-4)
    assert test.df == pytest.approx(18.0)
    # t(0.9995, 18) = 3.922, so p is far below 0.001
    assert test.p_value < 0.001
    assert welch_test(second, first).t == pytest.approx(-test.t)  # type: ignore[union-attr]


def test_welch_with_unequal_variances_uses_satterthwaite() -> None:
    # first: 1, 5 (mean 3, variance 8); second: 3, 3, 4 (mean 10/3, variance 1/3)
    # shares 8/2 = 4 and (1/3)/3 = 1/9: t = (3 − 10/3)/√(37/9) = −0.1644,
    # df = (37/9)² / (16/1 + (1/81)/2) = (1369/81) / (2593/162) = 2738/2593 = 1.05592
    test = welch_test(Sample(2, 6, 26), Sample(3, 10, 34))
    assert test is not None
    assert test.t == pytest.approx(-0.16440, abs=1e-5)
    assert test.df == pytest.approx(2738 / 2593)


def test_welch_gives_all_equal_groups_the_floor_variance() -> None:
    # five 4s against five 3s: both tested with variance 1/5 → t = 1/√0.08 = 3.536, df 8
    test = welch_test(Sample(5, 20, 80), Sample(5, 15, 45))
    assert test is not None
    assert test.t == pytest.approx(3.5355, abs=1e-4)
    assert test.df == pytest.approx(8.0)
    # t(0.995, 8) = 3.355 and t(0.9995, 8) = 5.041: p between 0.001 and 0.01
    assert 0.001 < test.p_value < 0.01
    # and one value a side cannot be tested at all
    assert welch_test(Sample(1, 4, 16), Sample(5, 15, 45)) is None


def test_benjamini_hochberg_by_hand() -> None:
    # sorted: 0.01 (rank 1), 0.02 (2), 0.03 (3), 0.5 (4) of m = 4:
    # 0.04, 0.04, 0.04, 0.5 after taking the minimum from the top down
    p_values = [0.03, None, 0.5, 0.01, 0.02]
    assert benjamini_hochberg(p_values) == pytest.approx([0.04, None, 0.5, 0.04, 0.04])
    assert benjamini_hochberg([]) == ()
    assert benjamini_hochberg([None, None]) == (None, None)
    # capped at 1
    assert benjamini_hochberg([0.9, 0.95]) == pytest.approx([0.95, 0.95])


def test_benjamini_hochberg_ties_do_not_depend_on_order() -> None:
    assert benjamini_hochberg([0.02, 0.02, 0.2]) == pytest.approx([0.03, 0.03, 0.2])
    assert benjamini_hochberg([0.2, 0.02, 0.02]) == pytest.approx([0.2, 0.03, 0.03])


def test_t_interval() -> None:
    # 50 ± t(0.975, 4) × 2 = 50 ± 5.5529
    interval = t_interval(50.0, 2.0, 4, 0.95)
    assert (interval.low, interval.high) == pytest.approx((44.4471, 55.5529), abs=1e-4)
    assert t_interval(50.0, 0.0, 4, 0.95) == Interval(50.0, 50.0)
    assert t_interval(50.0, 0.0, None, 0.95) == Interval(50.0, 50.0)


# --- digamma, trigamma and the variance prior ---------------------------------------------

EULER_GAMMA = 0.5772156649015329


def test_digamma_and_trigamma_at_known_points() -> None:
    # ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ(x + 1) = ψ(x) + 1/x
    assert digamma(1.0) == pytest.approx(-EULER_GAMMA, abs=1e-12)
    assert digamma(0.5) == pytest.approx(-EULER_GAMMA - 2 * math.log(2), abs=1e-12)
    assert digamma(4.5) == pytest.approx(digamma(3.5) + 1 / 3.5, abs=1e-12)
    # ψ′(1) = π²/6, ψ′(1/2) = π²/2, ψ′(x + 1) = ψ′(x) − 1/x²
    assert trigamma(1.0) == pytest.approx(math.pi**2 / 6, abs=1e-12)
    assert trigamma(0.5) == pytest.approx(math.pi**2 / 2, abs=1e-11)
    assert trigamma(20.0) == pytest.approx(trigamma(19.0) - 1 / 19**2, abs=1e-13)
    with pytest.raises(ValueError, match="must be positive"):
        digamma(0.0)


@pytest.mark.parametrize("y", [1e-4, 0.05, 0.3, 1.0, 5.0, 200.0])
def test_trigamma_inverse_inverts(y: float) -> None:
    assert trigamma(trigamma_inverse(y)) == pytest.approx(y, rel=1e-8)


def test_no_prior_from_fewer_than_three_groups() -> None:
    two = [Sample(5, 15, 47), Sample(5, 20, 86)]  # 3, 3, 3, 2, 4 and 2, 4, 4, 5, 5
    assert variance_prior(two) == NO_PRIOR
    # and without a prior a group keeps its own (floored) variance and n − 1
    assert moderated_variance(two[0], NO_PRIOR) == (pytest.approx(0.5), 4.0)
    assert moderated_variance(Sample(1, 3, 9), NO_PRIOR) is None


def test_groups_that_differ_no_more_than_chance_share_one_variance() -> None:
    # three groups, each 1, 2, 3, 4, 5 (variance 2.5, df 4): nothing to tell them apart,
    # so d0 is infinite and σ0² = 2.5 × 2 × e^(−ψ(2)) (the mean of log s² corrected)
    same = [Sample(5, 15, 55)] * 3
    prior = variance_prior(same)
    assert math.isinf(prior.df)
    assert prior.variance == pytest.approx(2.5 * 2 * math.exp(-digamma(2.0)))
    assert moderated_variance(same[0], prior) == (prior.variance, math.inf)


def test_a_finite_prior_pulls_each_variance_towards_the_others() -> None:
    # six groups of five with variances 0.2, 0.2, 2.5, 2.5, 2.5 and 8.0: clearly different
    groups = [Sample(5, 21, 89)] * 2 + [Sample(5, 15, 55)] * 3 + [Sample(5, 15, 77)]
    assert [float(g.variance or 0) for g in groups] == pytest.approx([0.2, 0.2, 2.5, 2.5, 2.5, 8.0])
    prior = variance_prior(groups)
    assert 0 < prior.df < math.inf
    small = moderated_variance(groups[0], prior)
    large = moderated_variance(groups[-1], prior)
    assert small is not None and large is not None
    assert 0.2 < small[0] < prior.variance < large[0] < 8.0
    assert small[1] == pytest.approx(prior.df + 4)


def test_welch_with_a_shared_variance_uses_the_normal_distribution() -> None:
    prior = VariancePrior(math.inf, 0.5)
    test = welch_test(Sample(5, 20, 82), Sample(5, 15, 47), prior, prior)
    # se = √(0.5/5 + 0.5/5) = 0.4472; t = 1/0.4472 = 2.236; infinite df: normal
    assert test is not None
    assert math.isinf(test.df)
    assert test.t == pytest.approx(2.2361, abs=1e-4)
    assert test.p_value == pytest.approx(math.erfc(2.2361 / math.sqrt(2)), abs=1e-5)
    assert t_two_sided_p(1.959964, math.inf) == pytest.approx(0.05, abs=1e-6)
