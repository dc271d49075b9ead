"""The few statistics the report needs, in the standard library only.

* Student's t distribution (cumulative probability and quantile) through the
  regularised incomplete beta function, evaluated with its continued fraction
  (Lentz's method, as in Press et al., *Numerical Recipes*, § 6.4).
* Welch's two-sample t-test from counts, sums and sums of squares, optionally with
  each group's variance moderated towards a prior fitted across many such groups
  (the empirical-Bayes "moderated t" of Smyth, 2004, as in limma), which needs the
  digamma and trigamma functions.
* The Benjamini–Hochberg adjustment of a family of p-values.

Everything that *decides* something elsewhere in ``scoring`` (band edges, the
size of a gap) is exact; the values here are floats, as p-values and interval
ends may be.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from statistics import NormalDist

_MAX_ITERATIONS = 500
_EPSILON = 1e-15
_TINY = 1e-300


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_ITERATIONS + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPSILON:
            break
    return h


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """``I_x(a, b)``: the regularised incomplete beta function, for ``a, b > 0``."""
    if a <= 0 or b <= 0:
        raise ValueError(f"a and b must be positive (got a={a}, b={b})")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The continued fraction converges fast only on one side of the mean; use the
    # symmetry I_x(a, b) = 1 − I_{1−x}(b, a) on the other.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


#: Beyond this many degrees of freedom Student's t is taken as the normal distribution.
NORMAL_DF = 1e7


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for Student's t with ``df`` (> 0, need not be whole; may be infinite)."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive (got {df})")
    if math.isinf(t):
        return 0.0
    if df > NORMAL_DF:
        return math.erfc(abs(t) / math.sqrt(2.0))
    return regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t))


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with ``df`` degrees of freedom."""
    tail = t_two_sided_p(t, df) / 2.0
    return 1.0 - tail if t >= 0 else tail


def t_density(t: float, df: float) -> float:
    """The density of Student's t with ``df`` degrees of freedom at ``t``."""
    if df > NORMAL_DF:
        return math.exp(-t * t / 2.0) / math.sqrt(2.0 * math.pi)
    log_scale = math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0)
    log_scale -= 0.5 * math.log(df * math.pi)
    return math.exp(log_scale - (df + 1.0) / 2.0 * math.log1p(t * t / df))


@lru_cache(maxsize=4096)
def t_quantile(probability: float, df: float) -> float:
    """The ``t`` with P(T ≤ t) = ``probability`` (0 < probability < 1).

    Newton's method from the normal quantile, kept inside a bracket that every step
    narrows (a step that would leave it bisects instead): a handful of evaluations of
    the distribution function where bisection alone needs about sixty — it runs each
    time a side's sample grows, in the transaction that publishes it.
    """
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must lie strictly between 0 and 1 (got {probability})")
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive (got {df})")
    if probability == 0.5:
        return 0.0
    if probability < 0.5:
        return -t_quantile(1.0 - probability, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < probability:
        low, high = high, high * 2.0
    guess = min(max(NormalDist().inv_cdf(probability), low), high)
    for _ in range(_MAX_ITERATIONS):
        error = t_cdf(guess, df) - probability
        if error == 0.0:
            return guess
        if error < 0.0:
            low = guess
        else:
            high = guess
        step = guess - error / t_density(guess, df)
        following = step if low < step < high else (low + high) / 2.0
        if abs(following - guess) <= 4.0 * _EPSILON * max(1.0, following):
            return following
        guess = following
    return guess


# --- digamma and trigamma ------------------------------------------------------------------

#: Below this the functions are shifted up by their recurrences before the series is used.
_SERIES_FROM = 8.0


def digamma(x: float) -> float:
    """ψ(x) = d/dx ln Γ(x), for x > 0 (recurrence, then the asymptotic series)."""
    if x <= 0:
        raise ValueError(f"x must be positive (got {x})")
    result = 0.0
    while x < _SERIES_FROM:
        result -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    series = f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))
    return result + math.log(x) - 0.5 / x - series


def trigamma(x: float) -> float:
    """ψ′(x), the derivative of :func:`digamma`, for x > 0."""
    if x <= 0:
        raise ValueError(f"x must be positive (got {x})")
    result = 0.0
    while x < _SERIES_FROM:
        result += 1.0 / (x * x)
        x += 1.0
    f = 1.0 / (x * x)
    series = 1 / 6 - f * (1 / 30 - f * (1 / 42 - f * (1 / 30 - f * 5 / 66)))
    return result + 1.0 / x + f / 2.0 + f / x * series


def _tetragamma(x: float) -> float:
    """ψ″(x), for x > 0."""
    result = 0.0
    while x < _SERIES_FROM:
        result -= 2.0 / (x * x * x)
        x += 1.0
    f = 1.0 / (x * x)
    series = 1 / 6 - f * (1 / 6 - f * (3 / 10 - f * 5 / 6))
    return result - f - f / x - f * f / 2.0 + f * f * f * series


def trigamma_inverse(y: float) -> float:
    """The x > 0 with ψ′(x) = y (Newton's method, started as in limma's ``trigammaInverse``)."""
    if y <= 0:
        raise ValueError(f"y must be positive (got {y})")
    if y > 1e7:
        return 1.0 / math.sqrt(y)
    if y < 1e-6:
        return 1.0 / y
    x = 0.5 + 1.0 / y
    for _ in range(100):
        value = trigamma(x)
        step = value * (1.0 - value / y) / _tetragamma(x)
        x += step
        if -step / x < 1e-10:
            break
    return x


# --- Welch's test ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One group's values, summed: how many, their sum and the sum of their squares.

    ``scale`` divides every value: respondent scores are stored in integer
    micro-units, answers as plain 1–5 integers.
    """

    count: int
    total: int
    total_squares: int
    scale: int = 1

    @property
    def mean(self) -> Fraction:
        return Fraction(self.total, self.count * self.scale)

    @property
    def variance(self) -> Fraction | None:
        """The sample variance (``n − 1`` in the denominator); ``None`` below two values."""
        if self.count < 2:
            return None
        squares = Fraction(self.total_squares) - Fraction(self.total * self.total, self.count)
        return max(squares, Fraction(0)) / ((self.count - 1) * self.scale * self.scale)


def variance_floor(count: int) -> Fraction:
    """The smallest variance a group of ``count`` whole-point answers can have unless all agree.

    ``count − 1`` equal answers and one a point away give a sample variance of
    exactly ``1 / count``. A group whose values all agree is tested as if it had
    that spread: on a five-point scale "all the same" is partly the coarseness
    of the scale, and a variance of zero would make any difference infinitely
    significant.
    """
    return Fraction(1, count)


def floored_variance(sample: Sample) -> Fraction | None:
    """The sample variance, or :func:`variance_floor` when every value is the same."""
    variance = sample.variance
    if variance is None:
        return None
    return max(variance, variance_floor(sample.count))


@dataclass(frozen=True)
class VariancePrior:
    """A prior for many groups' variances: ``df`` pseudo-values of variance ``variance``.

    ``df`` 0 means no prior (each group stands alone); infinite ``df`` means every
    group is taken to share the one variance.
    """

    df: float
    variance: float


NO_PRIOR = VariancePrior(0.0, 0.0)
#: The fewest groups a prior is fitted from.
MIN_GROUPS_FOR_PRIOR = 3


def variance_prior(samples: Sequence[Sample]) -> VariancePrior:
    """Fit the prior of Smyth (2004) to the (floored) variances of ``samples``.

    With ``d`` = n − 1 degrees of freedom, ``log s²`` has mean
    ``log σ0² + ψ(d0/2) − ln(d0/2) − ψ(d/2) + ln(d/2)`` and variance
    ``ψ′(d/2) + ψ′(d0/2)`` when the true variances follow a scaled inverse χ² with
    ``d0`` degrees of freedom; matching the two moments gives ``d0`` and ``σ0²``.
    Groups with fewer than two values are left out; with fewer than
    :data:`MIN_GROUPS_FOR_PRIOR` groups there is no prior.
    """
    usable = [
        (float(variance), sample.count - 1)
        for sample in samples
        if (variance := floored_variance(sample)) is not None
    ]
    if len(usable) < MIN_GROUPS_FOR_PRIOR:
        return NO_PRIOR
    centred = [
        math.log(variance) - digamma(df / 2.0) + math.log(df / 2.0) for variance, df in usable
    ]
    mean = math.fsum(centred) / len(centred)
    spread = math.fsum((value - mean) ** 2 for value in centred) / (len(centred) - 1)
    spread -= math.fsum(trigamma(df / 2.0) for _variance, df in usable) / len(usable)
    if spread <= 0:
        # the variances differ no more than sampling alone would make them
        return VariancePrior(math.inf, math.exp(mean))
    prior_df = 2.0 * trigamma_inverse(spread)
    prior_variance = math.exp(mean + digamma(prior_df / 2.0) - math.log(prior_df / 2.0))
    return VariancePrior(prior_df, prior_variance)


def moderated_variance(sample: Sample, prior: VariancePrior) -> tuple[float, float] | None:
    """A group's variance moderated by ``prior``, and its degrees of freedom.

    ``(d0 σ0² + d s²) / (d0 + d)`` with ``d0 + d`` degrees of freedom; ``None`` for
    fewer than two values.
    """
    variance = floored_variance(sample)
    if variance is None:
        return None
    df = float(sample.count - 1)
    if prior.df == 0:
        return float(variance), df
    if math.isinf(prior.df):
        return prior.variance, math.inf
    return (prior.df * prior.variance + df * float(variance)) / (prior.df + df), prior.df + df


@dataclass(frozen=True)
class WelchTest:
    difference: Fraction
    t: float
    df: float
    p_value: float


def welch_test(
    first: Sample,
    second: Sample,
    first_prior: VariancePrior = NO_PRIOR,
    second_prior: VariancePrior = NO_PRIOR,
) -> WelchTest | None:
    """Welch's unequal-variance t-test of ``first.mean − second.mean``.

    Each group's variance is floored (:func:`variance_floor`) and moderated by its
    prior (:func:`moderated_variance`); the degrees of freedom are
    Welch–Satterthwaite's with each group's own (possibly infinite) ones. ``None``
    when either group has fewer than two values.
    """
    first_moderated = moderated_variance(first, first_prior)
    second_moderated = moderated_variance(second, second_prior)
    if first_moderated is None or second_moderated is None:
        return None
    (first_variance, first_df), (second_variance, second_df) = first_moderated, second_moderated
    first_share = first_variance / first.count
    second_share = second_variance / second.count
    pooled = first_share + second_share
    # Welch–Satterthwaite degrees of freedom; an infinite df adds nothing below.
    spread = first_share * first_share / first_df + second_share * second_share / second_df
    df = pooled * pooled / spread if spread > 0 else math.inf
    difference = first.mean - second.mean
    t = float(difference) / math.sqrt(pooled)
    return WelchTest(difference=difference, t=t, df=df, p_value=t_two_sided_p(t, df))


# --- Benjamini–Hochberg ------------------------------------------------------------------


def benjamini_hochberg(p_values: Sequence[float | None]) -> tuple[float | None, ...]:
    """BH-adjusted p-values ("q-values"), in the order given; ``None`` stays ``None``.

    The family is the p-values that are not ``None``. The adjusted value of the
    ``i``-th smallest of ``m`` is ``min over j ≥ i of m · p_(j) / j``, capped at 1;
    rejecting every hypothesis whose adjusted value is below ``q`` keeps the
    expected share of false discoveries below ``q``. Ties are ordered by
    position (the bank's order); the adjusted values do not depend on it.
    """
    tested = sorted(
        ((p, index) for index, p in enumerate(p_values) if p is not None),
        key=lambda entry: (entry[0], entry[1]),
    )
    family = len(tested)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 1.0
    for rank in range(family, 0, -1):
        p, index = tested[rank - 1]
        running = min(running, p * family / rank)
        adjusted[index] = running
    return tuple(adjusted)


# --- intervals -------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A 95 % interval on the 20–100 scale, clipped to that scale."""

    low: float
    high: float


def t_interval(centre: float, standard_error: float, df: float | None, level: float) -> Interval:
    """``centre ± t((1 + level) / 2, df) × standard_error``; zero width when the error is 0."""
    if standard_error == 0.0 or df is None:
        return Interval(centre, centre)
    half = t_quantile((1.0 + level) / 2.0, df) * standard_error
    return Interval(centre - half, centre + half)
