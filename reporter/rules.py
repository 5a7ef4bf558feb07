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

# Heads needed before any test-based claim, on every page (one model, the overview, KV groups): a
# concentration, a lean, a comparison, a cluster split, a third of depth across models. Ten is where the
# Monte Carlo and binomial tests can reach p < ALPHA at all for a tight group (ten heads in one layer of
# eighty: p ~ 1e-13; ten heads spread evenly: p ~ 1) and the 80% window holds at least eight heads. Below
# it a category gets checkable facts instead: its count, its layer span, its densest layers, and the heads
# themselves when there are at most LIST_HEADS.
MIN_HEADS = 10
LIST_HEADS = 8

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

# Diffs of two runs.
MIN_CHANGES = 5  # fewer changed memberships than this: list their layers instead of a window
MIN_SHIFT = 10  # gained and lost heads each needed before comparing their layers

# Choosing a rule for scores: `inspect` reports a rule that keeps "almost nothing": fewer heads than MIN_HEADS
# per category (the least a claim about where a category sits needs) and under this share of all heads.
MIN_KEPT_SHARE = 0.05

# Clusters (analysis/clusters.py): a split needs MIN_CLUSTER_SHARE of a category's heads, and at least
# MIN_CLUSTER_HEADS, on each side of an empty run; at most MAX_CLUSTERS clusters are described.
MIN_CLUSTER_SHARE = 0.1
MIN_CLUSTER_HEADS = 3
MAX_CLUSTERS = 3

# Empty layers: a run of layers with no classified head is said when it spans at least EMPTY_MIN_SHARE of
# the depth (and two layers) and an even spread of the classified heads would leave it empty with p < ALPHA.
EMPTY_MIN_SHARE = 0.1

# Robustness: under a neighbouring rule a reading "holds" when it names the same layers, each end within this
# share of the depth (at least one layer), and the same categories and direction.
ROBUST_TOLERANCE = 0.1

# Pages show this many observations first, the strongest; the rest sit behind "more".
SHOWN_OBSERVATIONS = 10

# Knife edges: a p-value within this factor of ALPHA (either side), or a ratio within this share of its cut,
# is said as borderline rather than as a clear finding or a clear absence.
BORDERLINE_FACTOR = 2.0
BORDERLINE_RATIO = 0.1

# Scores on different scales (input/suggest.py): `inspect` warns when one relation's highest score is at least
# SCALE_RATIO times another's, since then any threshold above half the larger maximum keeps none of the other.
SCALE_RATIO = 2.0

# A dominant head (observe/scores.py): a relation's single highest score at least DOMINANT_RATIO times the next
# head's: half again as high as any other head, a gap no rule has to draw.
DOMINANT_RATIO = 1.5
