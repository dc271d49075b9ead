"""The few statistics the report needs, in the standard library only.

* Student's t distribution (cumulative probability and quantile) through the
  regularised incomplete beta function, evaluated with its continued fraction
  (Lentz's method, as in Press et al., *Numerical Recipes*, § 6.4).
* Welch's two-sample t-test from counts, sums and sums of squares.
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


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for Student's t with ``df`` (> 0, need not be whole) degrees of freedom."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive (got {df})")
    if math.isinf(t):
        return 0.0
    return regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t))


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with ``df`` degrees of freedom."""
    tail = t_two_sided_p(t, df) / 2.0
    return 1.0 - tail if t >= 0 else tail


@lru_cache(maxsize=4096)
def t_quantile(probability: float, df: float) -> float:
    """The ``t`` with P(T ≤ t) = ``probability`` (0 < probability < 1), by bisection."""
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must lie strictly between 0 and 1 (got {probability})")
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive (got {df})")
    if probability == 0.5:
        return 0.0
    if probability < 0.5:
        return -t_quantile(1.0 - probability, df)
    high = 1.0
    while t_cdf(high, df) < probability:
        high *= 2.0
    low = 0.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if middle in (low, high):
            break
        if t_cdf(middle, df) < probability:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0


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


@dataclass(frozen=True)
class WelchTest:
    difference: Fraction
    t: float
    df: float
    p_value: float


def welch_test(first: Sample, second: Sample) -> WelchTest | None:
    """Welch's unequal-variance t-test of ``first.mean − second.mean``.

    ``None`` when either group has fewer than two values (no variance to test with).
    A group with zero variance is given :func:`variance_floor` instead.
    """
    first_variance, second_variance = first.variance, second.variance
    if first_variance is None or second_variance is None:
        return None
    first_share = max(first_variance, variance_floor(first.count)) / first.count
    second_share = max(second_variance, variance_floor(second.count)) / second.count
    difference = first.mean - second.mean
    pooled = first_share + second_share
    # Welch–Satterthwaite degrees of freedom.
    spread = first_share * first_share / (first.count - 1)
    spread += second_share * second_share / (second.count - 1)
    df = pooled * pooled / spread
    t = float(difference) / math.sqrt(pooled)
    return WelchTest(difference=difference, t=t, df=float(df), p_value=t_two_sided_p(t, float(df)))


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
