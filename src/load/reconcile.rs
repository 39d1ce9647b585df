//! Resolving the staged rows into the [`Dataset`]: agencies against the
//! register, bookings against their sessions, duplicates merged, and
//! evaluations and impact responses linked to the bookings of trained
//! delegates.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::agency::Register;
use super::loader::Loader;
use super::sources::{
    Origin, StagedAgency, StagedBooking, StagedForm, StagedResponse, StagedReturn, StagedSession,
    dedupe_first,
};
use crate::fast::FastMap;
use crate::model::{
    Agency, AgencyReturn, Booking, Dataset, EvaluationForm, EvaluationScore, ImpactResponse,
    ImpactScore, Status,
};

/// A session with its course and level names as the bookings share them.
type SessionFacts<'a> = (&'a crate::model::Session, Arc<str>, Option<Arc<str>>);

/// One shared string per distinct value.
#[derive(Default)]
struct Interner(FastMap<String, Arc<str>>);

impl Interner {
    fn get_str(&mut self, value: &str) -> Arc<str> {
        match self.0.get(value) {
            Some(shared) => shared.clone(),
            None => self.get(value.to_string()),
        }
    }

    fn get(&mut self, value: String) -> Arc<str> {
        if let Some(shared) = self.0.get(&value) {
            return shared.clone();
        }
        let shared: Arc<str> = value.as_str().into();
        self.0.insert(value, shared.clone());
        shared
    }
}

impl Loader<'_> {
    /// The dataset the staged rows make, every row dropped or rejected on
    /// the way counted in the ledger.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn reconcile(
        mut self,
        staged_agencies: Vec<StagedAgency>,
        mut staged_sessions: Vec<StagedSession>,
        staged_bookings: Vec<StagedBooking>,
        staged_forms: Vec<StagedForm>,
        staged_responses: Vec<StagedResponse>,
        staged_returns: Vec<StagedReturn>,
        has_sessions: bool,
    ) -> Dataset {
        let config = self.config;
        // The register.
        let mut register = Register::default();
        let mut agencies = Vec::new();
        for a in staged_agencies {
            match register.add(&a.agency, &a.aliases) {
                Ok(_) => agencies.push(Agency {
                    agency: a.agency.trim().to_string(),
                    sector: a.sector,
                    statutory_partner: a.statutory_partner,
                    charge_exempt: a.charge_exempt,
                }),
                Err(reason) => self.reject_late(a.origin, "agency", a.agency.clone(), reason),
            }
        }
        let has_register = !register.is_empty();
        let mut resolve =
            |this: &mut Self, raw: &str, source: &'static str, origin: Origin| -> (String, bool) {
                if !has_register {
                    return (raw.trim().to_string(), true);
                }
                let (name, matched) = register.resolve(raw, source);
                if !matched {
                    this.note_unmatched_agency(origin);
                }
                (name, matched)
            };

        // Sessions: the first row of each session id counts.
        let dropped = dedupe_first(
            &mut staged_sessions,
            |s| (s.session.session_id.as_str(), ""),
            |s| s.origin,
        );
        self.add_merged(dropped);
        let sessions: Vec<crate::model::Session> =
            staged_sessions.into_iter().map(|s| s.session).collect();
        // Each session with its course and level as the bookings share them.
        let mut names = Interner::default();
        let by_id: FastMap<&str, SessionFacts<'_>> = sessions
            .iter()
            .map(|s| {
                let course = names.get_str(&s.course);
                let level = s.level.as_deref().map(|l| names.get_str(l));
                (s.session_id.as_str(), (s, course, level))
            })
            .collect();
        // Each agency spelling is resolved once; a spelling's rows share one
        // string (see StagedBooking), so its address names it. The map keeps
        // the spelling alive beside its answer, so that no other string can
        // take its address meanwhile.
        let mut agency_of: FastMap<*const u8, (Arc<str>, Arc<str>, bool)> = FastMap::default();

        // Bookings: session facts, late cancellations, agencies, duplicates.
        let mut bookings: Vec<Booking> = Vec::with_capacity(staged_bookings.len());
        let mut origins: Vec<Origin> = Vec::with_capacity(staged_bookings.len());
        let mut last_session: Option<(*const u8, Option<&SessionFacts<'_>>)> = None;
        for b in staged_bookings {
            // Bookings come a session at a time: a run of one session id
            // (one shared string) is looked up once.
            let session = match last_session {
                Some((ptr, facts)) if ptr == b.session_id.as_ptr() => facts,
                _ => {
                    let facts = by_id.get(&*b.session_id);
                    last_session = Some((b.session_id.as_ptr(), facts));
                    facts
                }
            };
            let Some(session_date) = session.map(|s| s.0.session_date).or(b.session_date) else {
                let reason = if has_sessions {
                    format!(
                        "session '{}' is not in the sessions source, and the row has no session_date",
                        b.session_id
                    )
                } else {
                    "a required value is missing: session_date (needed when there is no sessions source)".to_string()
                };
                self.reject_late(b.origin, "session_date", String::new(), reason);
                continue;
            };
            let mut status = b.status;
            if status == Status::Cancelled
                && let Some(cancelled) = b.cancelled_at
                && (session_date - cancelled).num_days() <= config.notice_days
            {
                status = Status::LateCancellation;
            }
            // A cancellation from a file that gives no cancellation dates
            // may have been late: hubreport cannot tell.
            let late_known =
                status != Status::Cancelled || self.locations[b.origin.location].cancellation_dates;
            let (agency, agency_matched) = match agency_of.get(&b.agency.as_ptr()) {
                // Unmatched names are resolved again: each row is counted.
                Some((_, name, true)) => (name.clone(), true),
                _ => {
                    let (name, matched) = resolve(&mut self, &b.agency, "attendance", b.origin);
                    let name = names.get(name);
                    agency_of.insert(b.agency.as_ptr(), (b.agency.clone(), name.clone(), matched));
                    (name, matched)
                }
            };
            origins.push(b.origin);
            bookings.push(Booking {
                session_id: b.session_id,
                delegate: b.delegate,
                // Numbered once the duplicates are gone.
                link: 0,
                agency,
                agency_matched,
                status,
                late_known,
                course: match session {
                    Some((_, course, _)) => Some(course.clone()),
                    None => b.course,
                },
                session_date,
                booked_at: b.booked_at,
                cancelled_at: b.cancelled_at,
                level: match b.level {
                    Some(l) => Some(l),
                    None => session.and_then(|(_, _, level)| level.clone()),
                },
            });
        }
        // Duplicates: the best status wins (attended, walk-in, dna, late, cancelled);
        // among equals, the first in file order.
        // Sized up front: a map of millions of keys is not rebuilt as it grows.
        let mut best: FastMap<(&str, &str), usize> =
            FastMap::with_capacity_and_hasher(bookings.len(), Default::default());
        let mut keep = vec![true; bookings.len()];
        let mut dropped: HashMap<usize, usize> = HashMap::new();
        for (i, b) in bookings.iter().enumerate() {
            let key = (&*b.session_id, &*b.delegate);
            match best.get(&key) {
                None => {
                    best.insert(key, i);
                }
                Some(&j) => {
                    let loser = if b.status < bookings[j].status {
                        best.insert(key, i);
                        j
                    } else {
                        i
                    };
                    keep[loser] = false;
                    *dropped.entry(origins[loser].location).or_default() += 1;
                }
            }
        }
        self.add_merged(dropped);
        for ((b, origin), kept) in bookings.iter().zip(&origins).zip(&keep) {
            if *kept && !b.late_known {
                let ledger = self.locations[origin.location].ledger;
                self.quality.sources[ledger].undated_cancellations += 1;
            }
        }
        for q in &self.quality.sources {
            if q.undated_cancellations > 0 {
                self.quality.notes.push(format!(
                    "{}: the file gives no cancellation dates, so whether its {} cancellation(s) were late is not known: \
                     late cancellations are left empty (– in the reports) wherever they are among them, and are not charged",
                    q.file, q.undated_cancellations
                ));
            }
        }
        drop(origins);
        let mut keep = keep.into_iter();
        bookings.retain(|_| keep.next().unwrap_or(true));
        for (link, b) in (0u64..).zip(bookings.iter_mut()) {
            b.link = link;
        }

        // Links: evaluations and impact responses count only for trained delegates.
        let mut trained: FastMap<(&str, &str), u64> =
            FastMap::with_capacity_and_hasher(bookings.len(), Default::default());
        trained.extend(
            bookings
                .iter()
                .filter(|b| b.status.is_trained())
                .map(|b| ((&*b.session_id, &*b.delegate), b.link)),
        );
        let staged_forms = self.keep_linked(
            staged_forms,
            &trained,
            |f| (&*f.session_id, &*f.delegate),
            |f| f.origin,
        );
        // Sized up front: millions of scores are not copied as a vector grows.
        let mut forms = Vec::with_capacity(staged_forms.len());
        let mut scores = Vec::with_capacity(staged_forms.iter().map(|(f, _)| f.scores.len()).sum());
        for (f, link) in staged_forms {
            for (item, pre, post, (lo, hi)) in f.scores {
                scores.push(EvaluationScore {
                    session_id: f.session_id.clone(),
                    delegate: f.delegate.clone(),
                    link,
                    item,
                    pre,
                    post,
                    scale_min: lo,
                    scale_max: hi,
                });
            }
            forms.push(EvaluationForm {
                session_id: f.session_id,
                delegate: f.delegate,
                link,
                satisfaction: f.satisfaction,
                relevance: f.relevance,
                comment: f.comment,
            });
        }
        let staged_responses = self.keep_linked(
            staged_responses,
            &trained,
            |r| (&*r.session_id, &*r.delegate),
            |r| r.origin,
        );
        let mut responses = Vec::with_capacity(staged_responses.len());
        let mut impact_scores =
            Vec::with_capacity(staged_responses.iter().map(|(r, _)| r.scores.len()).sum());
        for (r, link) in staged_responses {
            for (item, score, (lo, hi)) in r.scores {
                impact_scores.push(ImpactScore {
                    session_id: r.session_id.clone(),
                    delegate: r.delegate.clone(),
                    link,
                    item,
                    score,
                    scale_min: lo,
                    scale_max: hi,
                });
            }
            responses.push(ImpactResponse {
                session_id: r.session_id,
                delegate: r.delegate,
                link,
                responded_at: r.responded_at,
                applied_learning: r.applied_learning,
                comment: r.comment,
            });
        }

        // Returns: one per agency, year and level; the first counts.
        let mut returns = Vec::new();
        let mut seen = HashSet::new();
        let mut dropped: HashMap<usize, usize> = HashMap::new();
        for r in staged_returns {
            let (agency, agency_matched) =
                resolve(&mut self, &r.agency, "agency_returns", r.origin);
            let key = (
                crate::fold::fold(&agency),
                r.fy,
                crate::fold::fold(&r.level),
            );
            if !seen.insert(key) {
                *dropped.entry(r.origin.location).or_default() += 1;
                continue;
            }
            returns.push(AgencyReturn {
                agency,
                agency_matched,
                fy: r.fy,
                level: r.level,
                headcount: r.headcount,
                trained: r.trained,
            });
        }
        self.add_merged(dropped);

        self.quality.unmatched_agencies = register.unmatched();
        for q in &self.quality.sources {
            if q.rejections_unlisted > 0 {
                self.quality.notes.push(format!(
                    "{}: {} more rejected values are counted but not listed (the first {} are): fix the file at its source",
                    q.file,
                    q.rejections_unlisted,
                    crate::model::MAX_LISTED_REJECTIONS
                ));
            }
        }
        self.quality.rejections.sort_by(|a, b| {
            (a.source.as_str(), a.file.as_str(), a.sheet.as_str(), a.row).cmp(&(
                b.source.as_str(),
                b.file.as_str(),
                b.sheet.as_str(),
                b.row,
            ))
        });
        Dataset {
            bookings,
            sessions,
            forms,
            scores,
            responses,
            impact_scores,
            returns,
            agencies,
            quality: self.quality,
        }
    }
}
