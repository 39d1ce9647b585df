//! The sample's seeded draws. Every random value comes from one generator,
//! in a fixed order, so the same seed and scale give the same files: a
//! change that draws once more, or once less, changes everything after it.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::partnership::LIKERT;
use super::sheet::{V, s};

pub(super) struct Gen {
    pub rng: ChaCha8Rng,
}

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        self.rng.random_range(lo..=hi)
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.rng.random_range(0.0..total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
    pub fn normal(&mut self) -> f64 {
        // Box-Muller: enough for plausible scores.
        let u1: f64 = self.rng.random_range(f64::EPSILON..1.0);
        let u2: f64 = self.rng.random_range(0.0..1.0);
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// A working day in financial year `fy`, fewer in August and over
    /// Christmas.
    pub fn weekday_in(&mut self, fy: i32) -> NaiveDate {
        let start = NaiveDate::from_ymd_opt(fy, 4, 1).expect("valid date");
        loop {
            let d = start + Duration::days(self.range(0, 364) as i64);
            let quiet = d.month() == 8 || (d.month() == 12 && d.day() > 18);
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && (!quiet || !self.chance(0.7))
            {
                return d;
            }
        }
    }

    /// A 1-5 score as a form records it: the number, or now and then its
    /// label (`Agree`, `4 - Agree`).
    pub fn likert(&mut self, score: u32, label_share: f64) -> V {
        if self.chance(label_share) {
            if self.chance(0.5) {
                s(LIKERT[(score - 1) as usize])
            } else {
                s(format!("{score} - {}", LIKERT[(score - 1) as usize]))
            }
        } else {
            V::N(score as f64)
        }
    }
}

/// A score on the 1-5 scale.
pub(super) fn clamp_score(x: f64) -> u32 {
    x.round().clamp(1.0, 5.0) as u32
}
