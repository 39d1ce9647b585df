//! The statistics SQL cannot say: normalised change, Hake's gain, the
//! Wilcoxon signed-rank test with tie correction and the normal distribution.
//!
//! Every definition follows METRICS.md "Learning gain". Differences are
//! compared to zero, and to each other for ties, after rounding to 9 decimal
//! places, so that 4.1 - 3.9 and 0.2 are the same difference.

/// Rounds to 9 decimal places, the precision at which differences compare.
pub fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// Two-sided p-value of a standard normal statistic: `2(1 - Phi(|z|))`,
/// computed as `erfc(|z|/sqrt 2)` so that small p-values keep their precision.
pub fn two_sided_p(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// The regularised incomplete beta function `I_x(a, b)`, by its continued
/// fraction (Lentz's method, as in Numerical Recipes' `betai`).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b) + a * x.ln() + b * (1.0 - x).ln())
            .exp();
    // The fraction converges fast for x below (a + 1) / (a + b + 2).
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(b, a, 1.0 - x);
    }
    const TINY: f64 = 1e-300;
    let (mut c, mut d) = (1.0, 1.0 - (a + b) * x / (a + 1.0));
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        for numerator in [
            m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)),
        ] {
            d = 1.0 + numerator * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + numerator / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    front * h / a
}

/// Student's t cumulative distribution function with `df` degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The 97.5th percentile of Student's t with `df` degrees of freedom: the
/// multiplier of a two-sided 95% interval. By bisection on [`t_cdf`].
pub fn t_975(df: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1000.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < 0.975 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The 95% confidence interval of a mean: `mean ± t(0.975, n-1) · s / √n`,
/// with `s` the sample standard deviation. `None` for fewer than 2 values.
pub fn mean_interval(values: &[f64]) -> Option<(f64, f64)> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean = values.iter().sum::<f64>() / nf;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nf - 1.0);
    let half = t_975(nf - 1.0) * (var / nf).sqrt();
    Some((mean - half, mean + half))
}

/// Normalised change `c` (Marx & Cummings 2007) of one form on a scale
/// `min..=max`. `None` when `pre = post` at the top or bottom of the scale:
/// such a form is left out of the mean of `c` only.
pub fn normalised_change(pre: f64, post: f64, min: f64, max: f64) -> Option<f64> {
    let d = round9(post - pre);
    if d > 0.0 {
        Some((post - pre) / (max - pre))
    } else if d < 0.0 {
        Some((post - pre) / (pre - min))
    } else if round9(pre - max) == 0.0 || round9(pre - min) == 0.0 {
        None
    } else {
        Some(0.0)
    }
}

/// Hake's gain of a group: `(post_mean - pre_mean) / (max - pre_mean)`;
/// `None` when `pre_mean = max`.
pub fn hake_gain(pre_mean: f64, post_mean: f64, max: f64) -> Option<f64> {
    if round9(max - pre_mean) == 0.0 {
        None
    } else {
        Some((post_mean - pre_mean) / (max - pre_mean))
    }
}

/// The Wilcoxon signed-rank test on paired differences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignedRank {
    /// Non-zero differences.
    pub n: usize,
    pub w_plus: f64,
    pub w_minus: f64,
    pub z: f64,
    pub p: f64,
    /// `z / sqrt(n)`: positive when scores rose.
    pub r: f64,
    /// `(W+ - W-) / (W+ + W-)`.
    pub rank_biserial: f64,
}

/// The fewest non-zero differences for which the normal approximation is
/// reported.
pub const MIN_PAIRS: usize = 10;

/// Wilcoxon signed-rank test: zero differences dropped, average ranks for
/// ties, tie-corrected variance, normal approximation without continuity
/// correction. `None` when fewer than [`MIN_PAIRS`] differences are non-zero.
pub fn wilcoxon(differences: &[f64]) -> Option<SignedRank> {
    let mut d: Vec<f64> = differences
        .iter()
        .map(|&x| round9(x))
        .filter(|&x| x != 0.0)
        .collect();
    let n = d.len();
    if n < MIN_PAIRS {
        return None;
    }
    d.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let (mut w_plus, mut w_minus, mut ties) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && d[j + 1].abs() == d[i].abs() {
            j += 1;
        }
        // Positions i..=j (0-based) share the average of ranks i+1..=j+1.
        let rank = (i + j + 2) as f64 / 2.0;
        for x in &d[i..=j] {
            if *x > 0.0 {
                w_plus += rank;
            } else {
                w_minus += rank;
            }
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    let nf = n as f64;
    let mean = nf * (nf + 1.0) / 4.0;
    let variance = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - ties / 48.0;
    // With n >= 1 the variance is at least n(n+1)^2/16 > 0, ties or not.
    let z = (w_plus - mean) / variance.sqrt();
    Some(SignedRank {
        n,
        w_plus,
        w_minus,
        z,
        p: two_sided_p(z),
        r: z / nf.sqrt(),
        rank_biserial: (w_plus - w_minus) / (w_plus + w_minus),
    })
}

/// One paired form (or one item of one form): the mean of its pre scores and
/// of its post scores, on a scale `min..=max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub pre: f64,
    pub post: f64,
    pub min: f64,
    pub max: f64,
}

/// Learning gain of a group of paired forms (METRICS.md "Learning gain").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gain {
    pub n_paired: usize,
    pub pre_mean: f64,
    pub post_mean: f64,
    pub mean_gain: f64,
    pub hake_gain: Option<f64>,
    pub mean_normalised_change: Option<f64>,
    pub pct_improved: f64,
    pub pct_unchanged: f64,
    pub pct_worse: f64,
    pub test: Option<SignedRank>,
    /// The 95% confidence interval of the mean gain (t-interval).
    pub gain_interval: Option<(f64, f64)>,
    /// The same interval as Hake gain: over the room to rise, `max -
    /// pre_mean`, taken as fixed. Empty where Hake gain is.
    pub hake_interval: Option<(f64, f64)>,
}

/// Learning gain of a group; `None` for a group with no paired forms. Hake's
/// gain uses the group's scale maximum (forms of one group share a scale).
pub fn learning_gain(pairs: &[Pair]) -> Option<Gain> {
    if pairs.is_empty() {
        return None;
    }
    // Sums in a fixed order: the same forms give the same bits, in whatever
    // order the query returned them.
    let mut sorted = pairs.to_vec();
    sorted.sort_by(|a, b| {
        (a.pre, a.post, a.min, a.max)
            .partial_cmp(&(b.pre, b.post, b.min, b.max))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let pairs = &sorted[..];
    let n = pairs.len() as f64;
    let mean = |f: &dyn Fn(&Pair) -> f64| pairs.iter().map(f).sum::<f64>() / n;
    let pre_mean = mean(&|p| p.pre);
    let post_mean = mean(&|p| p.post);
    let differences: Vec<f64> = pairs.iter().map(|p| p.post - p.pre).collect();
    let changes: Vec<f64> = pairs
        .iter()
        .filter_map(|p| normalised_change(p.pre, p.post, p.min, p.max))
        .collect();
    let share =
        |keep: fn(f64) -> bool| differences.iter().filter(|&&d| keep(round9(d))).count() as f64 / n;
    let max = pairs
        .iter()
        .map(|p| p.max)
        .fold(f64::NEG_INFINITY, f64::max);
    let gain_interval = mean_interval(&differences);
    let room = max - pre_mean;
    let hake_interval = gain_interval
        .filter(|_| round9(room) > 0.0)
        .map(|(lo, hi)| (lo / room, hi / room));
    Some(Gain {
        n_paired: pairs.len(),
        pre_mean,
        post_mean,
        mean_gain: differences.iter().sum::<f64>() / n,
        hake_gain: hake_gain(pre_mean, post_mean, max),
        mean_normalised_change: (!changes.is_empty())
            .then(|| changes.iter().sum::<f64>() / changes.len() as f64),
        pct_improved: share(|d| d > 0.0),
        pct_unchanged: share(|d| d == 0.0),
        pct_worse: share(|d| d < 0.0),
        test: wilcoxon(&differences),
        gain_interval,
        hake_interval,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} is not within {tol} of {b}");
    }

    // Reference values of Phi from standard normal tables.
    #[test]
    fn t_percentiles_match_tables() {
        // Student's t, 97.5th percentile, from published tables.
        for (df, t) in [
            (1.0, 12.7062),
            (2.0, 4.3027),
            (5.0, 2.5706),
            (10.0, 2.2281),
            (30.0, 2.0423),
            (120.0, 1.9799),
        ] {
            close(t_975(df), t, 1e-4);
        }
        close(t_cdf(0.0, 7.0), 0.5, 1e-12);
        close(t_cdf(-2.2281, 10.0), 0.025, 1e-5);
    }

    #[test]
    fn mean_interval_of_a_small_sample() {
        // Differences 1, 2, 3: mean 2, s = 1, t(0.975, 2) = 4.302653.
        let (lo, hi) = mean_interval(&[1.0, 2.0, 3.0]).unwrap();
        close(lo, 2.0 - 4.302653 / 3f64.sqrt(), 1e-5);
        close(hi, 2.0 + 4.302653 / 3f64.sqrt(), 1e-5);
        assert_eq!(mean_interval(&[1.0]), None);
        assert_eq!(mean_interval(&[2.0, 2.0]), Some((2.0, 2.0)));
    }

    #[test]
    fn two_sided_p_matches_tables() {
        close(two_sided_p(1.959963984540), 0.05, 1e-10);
        // Far in the tail the p-value keeps its precision.
        close(two_sided_p(8.0) / 1.2441921148543e-15, 1.0, 1e-9);
    }

    // d = 1..10: no ties, no zeros. W+ = 55, W- = 0, E = 27.5,
    // Var = 10*11*21/24 = 96.25, z = 27.5 / 9.810708435 = 2.803059553.
    #[test]
    fn wilcoxon_without_ties() {
        let d: Vec<f64> = (1..=10).map(f64::from).collect();
        let t = wilcoxon(&d).unwrap();
        assert_eq!((t.n, t.w_plus, t.w_minus), (10, 55.0, 0.0));
        close(t.z, 2.803059553, 1e-9);
        close(t.p, 0.005062032126, 1e-9);
        close(t.r, 2.803059553 / 10f64.sqrt(), 1e-9);
        assert_eq!(t.rank_biserial, 1.0);
    }

    // d = 0, 0, 1, 1, 1, -1, 2, 2, 3, -3, 4, 5. Zeros dropped: n = 10.
    // |d| sorted: 1 1 1 1 | 2 2 | 3 3 | 4 | 5; average ranks 2.5, 5.5, 7.5, 9, 10.
    // W+ = 3*2.5 + 2*5.5 + 7.5 + 9 + 10 = 45; W- = 2.5 + 7.5 = 10.
    // Ties: (4^3-4) + (2^3-2) + (2^3-2) = 72; Var = 96.25 - 72/48 = 94.75.
    // z = (45 - 27.5) / sqrt(94.75) = 1.797829...; r = z / sqrt(10);
    // rank-biserial = 35 / 55.
    #[test]
    fn wilcoxon_with_ties_and_zero_differences() {
        let d = [0.0, 0.0, 1.0, 1.0, 1.0, -1.0, 2.0, 2.0, 3.0, -3.0, 4.0, 5.0];
        let t = wilcoxon(&d).unwrap();
        assert_eq!((t.n, t.w_plus, t.w_minus), (10, 45.0, 10.0));
        let z = 17.5 / 94.75f64.sqrt();
        close(t.z, z, 1e-12);
        close(t.z, 1.797829, 1e-6);
        close(t.p, 0.072204, 1e-6);
        close(t.r, z / 10f64.sqrt(), 1e-12);
        close(t.rank_biserial, 35.0 / 55.0, 1e-12);
    }

    // Differences that are equal only after rounding are ties, and a
    // difference of 1e-12 is zero.
    #[test]
    fn wilcoxon_compares_at_nine_decimals() {
        let mut d = vec![4.1 - 3.9, 0.2, 1e-12];
        d.extend((1..=9).map(f64::from));
        let t = wilcoxon(&d).unwrap();
        assert_eq!(t.n, 11);
        // 0.2 twice share ranks 1 and 2; 1 has rank 3, ... 9 has rank 11.
        assert_eq!(t.w_plus, 66.0);
    }

    #[test]
    fn wilcoxon_needs_ten_non_zero_differences() {
        let nine: Vec<f64> = (1..=9).map(f64::from).collect();
        assert!(wilcoxon(&nine).is_none());
        let mut with_zeros = nine.clone();
        with_zeros.extend([0.0; 5]);
        assert!(wilcoxon(&with_zeros).is_none());
        assert!(wilcoxon(&[0.0; 20]).is_none());
        assert!(wilcoxon(&[]).is_none());
    }

    // All ten differences equal: one tie group of 10.
    // Var = 96.25 - (1000 - 10)/48 = 75.625; W+ = 55; z = 27.5 / sqrt(75.625).
    #[test]
    fn wilcoxon_all_differences_tied() {
        let t = wilcoxon(&[0.5; 10]).unwrap();
        assert_eq!(t.w_plus, 55.0);
        close(t.z, 27.5 / 75.625f64.sqrt(), 1e-12);
        close(t.z, 3.162278, 1e-6);
        let down = wilcoxon(&[-0.5; 10]).unwrap();
        close(down.z, -t.z, 1e-12);
        assert_eq!(down.rank_biserial, -1.0);
    }

    #[test]
    fn normalised_change_follows_marx_and_cummings() {
        assert_eq!(normalised_change(2.0, 4.0, 1.0, 5.0), Some(2.0 / 3.0));
        assert_eq!(normalised_change(4.0, 3.0, 1.0, 5.0), Some(-1.0 / 3.0));
        assert_eq!(normalised_change(3.0, 3.0, 1.0, 5.0), Some(0.0));
        assert_eq!(normalised_change(5.0, 5.0, 1.0, 5.0), None);
        assert_eq!(normalised_change(1.0, 1.0, 1.0, 5.0), None);
        assert_eq!(normalised_change(1.0, 5.0, 1.0, 5.0), Some(1.0));
        assert_eq!(normalised_change(5.0, 1.0, 1.0, 5.0), Some(-1.0));
        // On a 1-10 scale.
        assert_eq!(normalised_change(4.0, 7.0, 1.0, 10.0), Some(0.5));
    }

    // Forms (pre, post): (2,4) (3,3) (4,3) (5,5).
    // pre_mean 3.5, post_mean 3.75, mean_gain 0.25,
    // hake = 0.25 / 1.5 = 1/6; c = 2/3, 0, -1/3 and (5,5) left out: mean 1/9.
    #[test]
    fn learning_gain_of_a_small_group() {
        let p = |pre, post| Pair {
            pre,
            post,
            min: 1.0,
            max: 5.0,
        };
        let g = learning_gain(&[p(2.0, 4.0), p(3.0, 3.0), p(4.0, 3.0), p(5.0, 5.0)]).unwrap();
        assert_eq!(g.n_paired, 4);
        assert_eq!((g.pre_mean, g.post_mean, g.mean_gain), (3.5, 3.75, 0.25));
        close(g.hake_gain.unwrap(), 1.0 / 6.0, 1e-15);
        close(g.mean_normalised_change.unwrap(), 1.0 / 9.0, 1e-15);
        assert_eq!(
            (g.pct_improved, g.pct_unchanged, g.pct_worse),
            (0.25, 0.5, 0.25)
        );
        assert!(g.test.is_none(), "fewer than 10 pairs");
        assert!(learning_gain(&[]).is_none());
    }

    // Everyone rated 5 before and after: no gain possible.
    #[test]
    fn learning_gain_everyone_at_the_ceiling() {
        let at_top = vec![
            Pair {
                pre: 5.0,
                post: 5.0,
                min: 1.0,
                max: 5.0
            };
            12
        ];
        let g = learning_gain(&at_top).unwrap();
        assert_eq!(g.mean_gain, 0.0);
        assert_eq!(g.hake_gain, None);
        assert_eq!(g.mean_normalised_change, None);
        assert_eq!(g.pct_unchanged, 1.0);
        assert!(g.test.is_none(), "all differences are zero");
    }

    // Item means that differ from the scale top only in the 12th decimal
    // count as at the top.
    #[test]
    fn hake_gain_is_empty_at_the_top_after_rounding() {
        assert_eq!(hake_gain(5.0 - 1e-12, 5.0, 5.0), None);
        assert_eq!(hake_gain(3.0, 4.0, 5.0), Some(0.5));
    }
}
