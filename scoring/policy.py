"""The policy numbers of the scoring rules, in one place (see ``scoring.rules``)."""

from __future__ import annotations

from fractions import Fraction

#: A side is shown once it has at least this many counted responses, by default.
DEFAULT_THRESHOLD = 5
#: A response counts when at least this share of the bank's items has a 1–5 answer.
COUNTED_SHARE = Fraction(2, 3)
#: An item is flagged only when the sides' means differ by at least this much (1–5 scale).
FLAG_GAP = Fraction(1)
#: Side and dimension scores are item means (1–5) times this (20–100).
SCALE_FACTOR = 20
REASONS_PER_MOVE = 2
#: Respondent scores are stored as integers: this many units per point of the 1–5 scale.
SCORE_UNIT = 1_000_000
#: The scope of a respondent's score over the whole bank (other scopes are dimension ids).
WHOLE_BANK = ""
#: The coverage of the intervals.
INTERVAL_LEVEL = 0.95
#: The false-discovery rate at which gaps are flagged (Benjamini–Hochberg).
FALSE_DISCOVERY_RATE = 0.10
#: A side's standard deviation is shown from this many times the threshold of answers.
SPREAD_THRESHOLD_FACTOR = 2
