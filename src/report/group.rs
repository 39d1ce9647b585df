//! What the periods of one run share, and each dataset's metrics computed
//! once per period and scope.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;

use crate::calendar::{Calendar, Period};
use crate::config::Config;
use crate::error::Result;
use crate::frame;
use crate::metrics::{self, Metrics, Scope, sql};
use crate::model::{Dataset, Quality};
use crate::render::html::Pages;
use crate::render::pages::{self, Comparison, Kind};

/// What every period of one run shares.
pub(super) struct Run<'a> {
    pub(super) config: &'a Config,
    pub(super) calendar: Calendar,
    pub(super) queries: Vec<sql::Query>,
    pub(super) pages: Pages,
    pub(super) quality: &'a Quality,
    pub(super) today: NaiveDate,
    pub(super) dates: Vec<NaiveDate>,
}

impl Run<'_> {
    fn has_data(&self, p: &Period) -> bool {
        self.dates.iter().any(|d| p.contains(*d))
    }

    /// Renders a period's page, comparing it with the period before (and,
    /// for a quarter, the same quarter a year before) where the data covers
    /// them.
    pub(super) fn page(
        &self,
        kind: Kind,
        group: &Group,
        m: &Metrics,
        subgroup: Option<&str>,
    ) -> Result<Vec<u8>> {
        let mut wanted = vec![self.calendar.previous(&m.period)];
        if kind == Kind::Quarterly {
            wanted.push(self.calendar.year_before(&m.period));
        }
        let mut computed = Vec::new();
        for p in wanted {
            let metrics = if self.has_data(&p) {
                Some(group.metrics_scope(p, self, Scope::Headline)?)
            } else {
                None
            };
            computed.push((p, metrics));
        }
        let comparisons: Vec<Comparison<'_>> = computed
            .iter()
            .map(|(p, m)| Comparison {
                label: p.label(),
                metrics: m.as_deref(),
            })
            .collect();
        // A pack's trend: the seven quarters before this one, oldest first.
        let mut earlier = Vec::new();
        if kind == Kind::Quarterly {
            let mut p = m.period;
            for _ in 0..7 {
                p = self.calendar.previous(&p);
                let metrics = if self.has_data(&p) {
                    Some(group.metrics_scope(p, self, Scope::Headline)?)
                } else {
                    None
                };
                earlier.push((p, metrics));
            }
            earlier.reverse();
            // Quarters before the data begins are not part of its trend.
            let first = earlier.iter().position(|(_, m)| m.is_some());
            earlier.drain(..first.unwrap_or(earlier.len()));
        }
        let earlier: Vec<Comparison<'_>> = earlier
            .iter()
            .map(|(p, m)| Comparison {
                label: p.label(),
                metrics: m.as_deref(),
            })
            .collect();
        let rejected = self.quality.rows_rejected();
        let context = pages::page(
            kind,
            m,
            &comparisons,
            &earlier,
            subgroup,
            self.config,
            rejected,
        )?;
        Ok(self.pages.render(kind.template(), &context)?.into_bytes())
    }
}

/// One dataset (the partnership's, or a sub-group's) as dataframes, with
/// each period's metrics computed once.
pub(super) struct Group {
    pub(super) frames: frame::Frames,
    cache: Mutex<BTreeMap<(Period, Scope), Arc<Metrics>>>,
}

impl Group {
    pub(super) fn new(data: &Dataset, calendar: &Calendar) -> Result<Group> {
        Ok(Group {
            frames: frame::frames(data, calendar)?,
            cache: Mutex::default(),
        })
    }

    /// A period's metrics: every table, or (for a comparison) only the
    /// headline ones, unless every table is computed already.
    pub(super) fn metrics(&self, period: Period, run: &Run<'_>) -> Result<Arc<Metrics>> {
        self.metrics_scope(period, run, Scope::Full)
    }

    fn metrics_scope(&self, period: Period, run: &Run<'_>, scope: Scope) -> Result<Arc<Metrics>> {
        for have in [Scope::Full, scope] {
            let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(m) = cache.get(&(period, have)) {
                return Ok(m.clone());
            }
        }
        let m = Arc::new(metrics::compute_scope(
            &self.frames,
            run.quality,
            run.config,
            &run.queries,
            period,
            run.today,
            scope,
        )?);
        // Two threads may compute the same comparison; either result serves.
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((period, scope), m.clone());
        Ok(m)
    }
}
