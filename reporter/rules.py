"""Rules: the one table of constants behind every claim, read by analysis, observe and the pages.

A sentence in the report is a claim only where these rules allow it; changing a
value here changes it on every page (one model, the overview, the diff).
"""

from __future__ import annotations

# Significance: every test behind a claim is read at p < ALPHA, and intervals at the matching level.
ALPHA = 0.01
CONFIDENCE = 1 - ALPHA

# Layer windows: the core window holds CORE_SHARE of a category's heads, the half window HALF_SHARE.
CORE_SHARE = 0.8
HALF_SHARE = 0.5

# Heads needed before a test-based claim: where one model's category concentrates (a Monte Carlo
# test has little power below this, and a core window of a handful of heads says little) ...
MIN_HEADS = 20
# ... where a category sits in each model of an overview, and whether categories cluster in KV groups.
MIN_HEADS_PER_MODEL = 10
MIN_HEADS_KV = 10

# "Clearly earlier/later": |Cliff's delta| >= DELTA_MIN (a "medium" effect: one category's head is
# later than the other's in at least two pairs out of three) and its interval excludes 0. "Clearly more
# spread out": core windows differ by at least WIDTH_RATIO_MIN and the ratio's interval excludes 1.
DELTA_MIN = 0.33
WIDTH_RATIO_MIN = 1.25

# Wording thresholds of one model's page.
MAX_CONCENTRATED_SPREAD = 0.5  # a "concentration" window covers at most half the depth
PEAK_RATIO = 0.4  # half window narrower than this share of the core window: a peak over a background
SPARSE_FRACTION = 0.25  # sparse: fewer heads than this fraction of the largest category
FEW_MULTI, MANY_MULTI = 0.10, 0.25  # shares of classified heads in 2+ categories

# Across models: a share "differs" only when one model has at least MIN_RATIO times the other's.
MIN_RATIO = 2.0
RARE = 0.05

# Diffs of two runs.
MIN_CHANGES = 5  # fewer changed memberships than this: list their layers instead of a window
MIN_SHIFT = 10  # gained and lost heads each needed before comparing their layers

# Choosing a rule for scores: `inspect` reports a rule that keeps "almost nothing": no category reaches
# MIN_HEADS heads (so no claim can be made of where any sits) while under this share of the heads is kept.
MIN_KEPT_SHARE = 0.05
