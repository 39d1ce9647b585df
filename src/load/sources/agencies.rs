//! The agencies' own sources: the register of agencies and their aliases,
//! and the returns of each agency's headcount and trained staff.

use super::context::Context;
use super::staged::{StagedAgency, StagedReturn};
use crate::load::columns::RowParser;
use crate::load::{dates, value};

pub fn returns(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<StagedReturn> {
    let agency = p.column("agency", true, value::text);
    let fy = p.column("year", true, |c| {
        dates::financial_year(c, ctx.config.fy_start_month, ctx.date_order, ctx.is_1904)
    });
    let level = p.column("level", true, value::text);
    let headcount = p.column("headcount", true, value::count);
    let trained = p.column("trained", true, value::count);
    for r in 0..p.height() {
        if let (true, Some(h), Some(t)) = (p.keep(r), headcount[r], trained[r])
            && t > h
        {
            let header = p.header_of("trained");
            p.reject(
                r,
                &header,
                t.to_string(),
                format!("{t} trained is more than the headcount of {h}: one of them is wrong"),
            );
        }
    }
    let mut out = Vec::new();
    for r in 0..p.height() {
        if !p.keep(r) {
            continue;
        }
        if let (Some(a), Some(y), Some(l), Some(h), Some(t)) = (
            agency[r].clone(),
            fy[r],
            level[r].clone(),
            headcount[r],
            trained[r],
        ) {
            out.push(StagedReturn {
                origin: ctx.origin(p, r),
                agency: a,
                fy: y,
                level: l,
                headcount: h,
                trained: t,
            });
        }
    }
    out
}

pub fn agencies(ctx: &Context<'_>, p: &mut RowParser<'_>) -> Vec<StagedAgency> {
    let agency = p.column("agency", true, value::text);
    let aliases = p.column("aliases", false, value::text);
    let sector = p.column("sector", false, value::text);
    let statutory = p.column("statutory_partner", false, value::yes_no);
    let exempt = p.column("charge_exempt", false, value::yes_no);
    let mut out = Vec::new();
    for r in 0..p.height() {
        if !p.keep(r) {
            continue;
        }
        let Some(name) = agency[r].clone() else {
            continue;
        };
        out.push(StagedAgency {
            origin: ctx.origin(p, r),
            agency: name,
            aliases: aliases[r]
                .as_deref()
                .map(|a| {
                    a.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            sector: sector[r].clone(),
            statutory_partner: statutory[r],
            charge_exempt: exempt[r].unwrap_or(false),
        });
    }
    out
}
