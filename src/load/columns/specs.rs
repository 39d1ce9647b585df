//! The canonical columns of each source and the header spellings each
//! answers to.

use crate::config::SourceKind;

/// A canonical column: its name and the header spellings it answers to
/// (compared as [`header_key`](crate::fold::header_key)s), the canonical name first.
pub struct Spec {
    pub name: &'static str,
    pub required: bool,
    pub aliases: &'static [&'static str],
}

pub(super) const fn req(name: &'static str, aliases: &'static [&'static str]) -> Spec {
    Spec {
        name,
        required: true,
        aliases,
    }
}
pub(super) const fn opt(name: &'static str, aliases: &'static [&'static str]) -> Spec {
    Spec {
        name,
        required: false,
        aliases,
    }
}

pub(super) const SESSION_ID: &[&str] = &[
    "sessionid",
    "session",
    "sessionref",
    "sessionreference",
    "eventid",
    "coursesessionid",
];
pub(super) const DELEGATE_ID: &[&str] = &[
    "delegateid",
    "delegate",
    "email",
    "emailaddress",
    "delegateemail",
    "attendeeid",
    "attendeeemail",
    "learnerid",
    "learneremail",
    "userid",
    "personid",
];
pub(super) const AGENCY: &[&str] = &[
    "agency",
    "organisation",
    "organization",
    "employer",
    "agencyname",
    "organisationname",
    "organizationname",
];
pub(super) const LEVEL: &[&str] = &["level", "traininglevel", "courselevel"];
pub(super) const COURSE: &[&str] = &["course", "coursetitle", "coursename", "title"];
pub(super) const SESSION_DATE: &[&str] = &[
    "sessiondate",
    "date",
    "eventdate",
    "coursedate",
    "startdate",
];

pub(super) const ATTENDANCE: &[Spec] = &[
    req("session_id", SESSION_ID),
    req("delegate_id", DELEGATE_ID),
    req("agency", AGENCY),
    req(
        "status",
        &["status", "attendancestatus", "attendance", "bookingstatus"],
    ),
    opt("course", COURSE),
    opt("session_date", SESSION_DATE),
    opt(
        "booked_at",
        &[
            "bookedat",
            "bookingdate",
            "datebooked",
            "bookeddate",
            "bookedon",
        ],
    ),
    opt(
        "cancelled_at",
        &[
            "cancelledat",
            "cancellationdate",
            "datecancelled",
            "cancelleddate",
            "cancelledon",
        ],
    ),
    opt("level", LEVEL),
];

pub(super) const SESSIONS: &[Spec] = &[
    req("session_id", SESSION_ID),
    req("course", COURSE),
    req("session_date", SESSION_DATE),
    req(
        "places",
        &["places", "capacity", "maxplaces", "placesavailable"],
    ),
    opt("mode", &["mode", "deliverymode", "delivery", "format"]),
    opt("duration", &["duration", "length", "sessionlength"]),
    opt("level", LEVEL),
    opt("pathway", &["pathway", "priority", "theme"]),
    opt(
        "trainer_cost",
        &["trainercost", "trainerfee", "trainercosts"],
    ),
    opt("venue_cost", &["venuecost", "roomcost", "venuecosts"]),
    opt(
        "facilitator",
        &[
            "facilitator",
            "facilitators",
            "trainer",
            "trainers",
            "presenter",
            "presenters",
        ],
    ),
];

/// A typed email, for survey responses whose own is anonymous.
pub(super) const WORK_EMAIL: &[&str] = &[
    "workemail",
    "workemailaddress",
    "yourworkemail",
    "yourworkemailaddress",
    "youremail",
    "youremailaddress",
];

pub(super) const EVALUATIONS: &[Spec] = &[
    req("session_id", SESSION_ID),
    req("delegate_id", DELEGATE_ID),
    opt("course", COURSE),
    opt("work_email", WORK_EMAIL),
    opt("satisfaction", &["satisfaction", "overallsatisfaction"]),
    opt(
        "relevance",
        &[
            "relevance",
            "relevancetomyrole",
            "relevancetorole",
            "relevancetomywork",
        ],
    ),
    // Long form: one row a score.
    opt(
        "comment",
        &["comment", "comments", "anyothercomments", "othercomments"],
    ),
    opt("item", &["item", "question"]),
    opt("phase", &["phase", "prepost", "when"]),
    opt("score", &["score", "rating", "answer"]),
];

pub(super) const IMPACT: &[Spec] = &[
    req("session_id", SESSION_ID),
    req("delegate_id", DELEGATE_ID),
    opt("course", COURSE),
    opt("work_email", WORK_EMAIL),
    req(
        "responded_at",
        &[
            "respondedat",
            "responsedate",
            "submittedat",
            "completedat",
            "submitted",
            "timestamp",
        ],
    ),
    req(
        "applied_learning",
        &[
            "appliedlearning",
            "applied",
            "haveyouappliedthelearning",
            "appliedinpractice",
        ],
    ),
    opt("comment", &["comment", "comments", "feedback"]),
];

pub(super) const AGENCY_RETURNS: &[Spec] = &[
    req("agency", AGENCY),
    req("year", &["year", "financialyear", "fy", "returnyear"]),
    req("level", LEVEL),
    req(
        "headcount",
        &[
            "headcount",
            "staff",
            "stafftotal",
            "numberofstaff",
            "totalstaff",
        ],
    ),
    req(
        "trained",
        &["trained", "numbertrained", "stafftrained", "totaltrained"],
    ),
];

pub(super) const AGENCIES: &[Spec] = &[
    req(
        "agency",
        &[
            "agency",
            "agencyname",
            "name",
            "organisation",
            "organization",
        ],
    ),
    opt(
        "aliases",
        &["aliases", "alias", "alsoknownas", "otherNames"],
    ),
    opt("sector", &["sector", "type", "agencytype"]),
    opt("statutory_partner", &["statutorypartner", "statutory"]),
    opt("charge_exempt", &["chargeexempt", "exempt", "nocharge"]),
];

pub fn specs(kind: SourceKind) -> &'static [Spec] {
    match kind {
        SourceKind::Attendance => ATTENDANCE,
        SourceKind::Sessions => SESSIONS,
        SourceKind::Evaluations => EVALUATIONS,
        SourceKind::Impact => IMPACT,
        SourceKind::AgencyReturns => AGENCY_RETURNS,
        SourceKind::Agencies => AGENCIES,
    }
}

/// Person-name headers: never read, so never stored or reported.
pub(super) const NAME_HEADERS: &[&str] = &[
    "name",
    "firstname",
    "forename",
    "givenname",
    "surname",
    "lastname",
    "familyname",
    "fullname",
    "delegatename",
    "attendeename",
    "learnername",
    "usersfullname",
    "userfullname",
    "userfirstname",
    "userlastname",
    "recipientfirstname",
    "recipientlastname",
];
