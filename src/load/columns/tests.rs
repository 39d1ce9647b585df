use super::grid::*;

#[test]
fn grid_headers_as_each_tool_writes_them() {
    let qs = |h: &str| question_and_statement(h, None, &[], false);
    assert_eq!(
        qs("Before the course, rate your confidence [I can make a referral]"),
        (
            Some("Before the course, rate your confidence".into()),
            "I can make a referral".into()
        )
    );
    assert_eq!(
        qs("Q2. Before the course [Q2.1. Planning a lesson]"),
        (Some("Before the course".into()), "Planning a lesson".into())
    );
    assert_eq!(
        qs("I can make a referral2"),
        (None, "I can make a referral2".into())
    );
    let labels = ["Before - I know A", "Before - I know B"];
    assert_eq!(
        question_and_statement("Before - I know B", Some("Q2_2"), &labels, false),
        (Some("Before".into()), "I know B".into())
    );
    assert_eq!(
        question_and_statement("(pre_x) Before the course", None, &[], true),
        (Some("Before the course".into()), "Before the course".into())
    );
    assert_eq!(
        qs("(optional) After the course"),
        (None, "(optional) After the course".into())
    );
}

#[test]
fn config_names_a_header_exactly_by_pattern_or_past_its_number() {
    assert!(header_matches(
        "Which session did you attend?",
        "which session did you attend"
    ));
    assert!(header_matches(
        "Which session did you attend?",
        "Q1. Which session did you attend?"
    ));
    assert!(header_matches(
        "Which session*",
        "Which session did you attend?"
    ));
    assert!(header_matches(
        "before the course*",
        "Before the course, rate"
    ));
    assert!(!header_matches(
        "Which session",
        "Which sessions were useful?"
    ));
    assert!(!header_matches("Q1*", "Question 1"));
    assert_eq!(strip_question_number("Q12.3. Text"), "Text");
    assert_eq!(
        bare_question("(sat) Overall, how satisfied?"),
        "Overall, how satisfied?"
    );
    assert_eq!(bare_question("(a b) Text"), "(a b) Text");
    assert!(header_matches("Which session?", "(session) Which session?"));
    assert_eq!(
        strip_question_number("Quality of venue"),
        "Quality of venue"
    );
}
