//! Case referral: the shipped types, field validation, consent or legal basis, the parties'
//! participation, the life cycle with who may take each step, and deadlines.

use std::collections::BTreeMap;

use jiff::{Timestamp, civil::date};
use rsm_core::{
    participation::{ParticipationStatus, StatusChange, Timeline},
    party::PartyCode::{self, *},
};
use rsm_humanitarian::case::{
    Basis, CaseStatus, ConsentScope, DeadlineKind, LegalBasis, NewReferral, ReferralTypes, Side,
    Step, StepError, Urgency, check_referral, deadline, default_referral_types, next_status,
    report_outcome,
};

fn types() -> ReferralTypes {
    default_referral_types().unwrap()
}

fn timeline() -> Timeline {
    Timeline::founding(date(2026, 1, 1), "Founding Declaration")
}

fn trafficking_fields() -> BTreeMap<String, String> {
    [
        ("given_name", "Synthetic"),
        ("family_name", "Person-One"),
        ("sex", "female"),
        ("age_group", "adult"),
        ("nationality", "VN"),
        ("date_identified", "2026-11-20"),
        ("exploitation", "labour"),
        ("immediate_need", "shelter"),
        ("internal_reference", "KR-TV-0001"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn consent() -> Basis {
    Basis::Consent {
        recorded_by: "Caseworker Test-Kim".into(),
        recorded_on: date(2026, 11, 21),
        scope: ConsentScope::Referral,
    }
}

fn referral(receiving: PartyCode) -> NewReferral {
    NewReferral {
        type_id: "trafficking-victim".into(),
        referring: KR,
        receiving,
        fields: trafficking_fields(),
        basis: Some(consent()),
    }
}

const TODAY: jiff::civil::Date = date(2026, 11, 27);

fn rules(errors: &[rsm_humanitarian::case::FieldError]) -> Vec<(String, &'static str)> {
    errors.iter().map(|e| (e.field.clone(), e.rule)).collect()
}

#[test]
fn a_complete_referral_with_consent_is_accepted() {
    check_referral(&types(), &referral(JP), &timeline(), TODAY).unwrap();
}

#[test]
fn a_referral_without_consent_or_legal_basis_is_refused() {
    let mut r = referral(JP);
    r.basis = None;
    let errors = check_referral(&types(), &r, &timeline(), TODAY).unwrap_err();
    assert_eq!(
        rules(&errors),
        [("consent".to_owned(), "consent_or_legal_basis")]
    );
}

#[test]
fn a_legal_basis_needs_its_explanation() {
    let mut r = referral(JP);
    r.basis = Some(Basis::Legal {
        basis: LegalBasis::VitalInterest,
        explanation: "  ".into(),
    });
    let errors = check_referral(&types(), &r, &timeline(), TODAY).unwrap_err();
    assert_eq!(
        rules(&errors),
        [("legal_basis.explanation".to_owned(), "required")]
    );
    r.basis = Some(Basis::Legal {
        basis: LegalBasis::VitalInterest,
        explanation: "Unconscious on arrival; no relative reachable".into(),
    });
    check_referral(&types(), &r, &timeline(), TODAY).unwrap();
    assert_eq!(
        LegalBasis::parse("best-interests-of-child"),
        Some(LegalBasis::BestInterestsOfChild)
    );
    assert_eq!(LegalBasis::parse("convenience"), None, "the list is fixed");
}

#[test]
fn consent_is_neither_future_nor_stale_nor_anonymous() {
    let mut r = referral(JP);
    r.basis = Some(Basis::Consent {
        recorded_by: String::new(),
        recorded_on: date(2026, 11, 28),
        scope: ConsentScope::ReferralAndServices,
    });
    let errors = check_referral(&types(), &r, &timeline(), TODAY).unwrap_err();
    assert_eq!(
        rules(&errors),
        [
            ("consent.recorded_by".to_owned(), "required"),
            ("consent.recorded_on".to_owned(), "in_future")
        ]
    );
    r.basis = Some(Basis::Consent {
        recorded_by: "X".into(),
        recorded_on: date(2025, 11, 1),
        scope: ConsentScope::Referral,
    });
    let errors = check_referral(&types(), &r, &timeline(), TODAY).unwrap_err();
    assert_eq!(
        rules(&errors),
        [("consent.recorded_on".to_owned(), "stale")]
    );
}

#[test]
fn every_bad_field_is_named_with_its_rule_and_unknown_fields_are_refused() {
    let mut r = referral(JP);
    r.fields.remove("given_name");
    r.fields.insert("sex".into(), "unknown".into());
    r.fields.insert("nationality".into(), "Korea".into());
    r.fields
        .insert("date_identified".into(), "2026-12-01".into());
    r.fields.insert("date_of_birth".into(), "1990-02-30".into());
    r.fields.insert("languages".into(), "x".repeat(201));
    r.fields.insert("religion".into(), "anything".into());
    let errors = check_referral(&types(), &r, &timeline(), TODAY).unwrap_err();
    assert_eq!(
        rules(&errors),
        [
            ("fields.given_name".to_owned(), "required"),
            ("fields.sex".to_owned(), "not_in_list"),
            ("fields.date_of_birth".to_owned(), "bad_date"),
            ("fields.nationality".to_owned(), "not_a_country"),
            ("fields.date_identified".to_owned(), "in_future"),
            ("fields.languages".to_owned(), "too_long"),
            ("fields.religion".to_owned(), "unknown_field"),
        ]
    );
    assert!(errors[1].message.contains("female, male, not-stated"));
}

#[test]
fn integers_respect_their_bounds() {
    let t = types();
    let refugee = t.get("refugee-assistance").unwrap();
    let mut f: BTreeMap<String, String> = [
        ("given_name", "A"),
        ("family_name", "B"),
        ("nationality", "MM"),
        ("household_size", "0"),
        ("current_location", "Synthetic camp 1"),
        ("need", "shelter"),
        ("vulnerability", "none"),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v.into()))
    .collect();
    assert_eq!(
        rules(&refugee.validate(&f, TODAY)),
        [("fields.household_size".to_owned(), "out_of_range")]
    );
    f.insert("household_size".into(), "three".into());
    assert_eq!(
        rules(&refugee.validate(&f, TODAY)),
        [("fields.household_size".to_owned(), "not_an_integer")]
    );
    f.insert("household_size".into(), "3".into());
    assert!(refugee.validate(&f, TODAY).is_empty());
}

#[test]
fn the_receiving_party_must_participate_and_be_another_party() {
    let errors = check_referral(&types(), &referral(KP), &timeline(), TODAY).unwrap_err();
    assert_eq!(
        rules(&errors),
        [("receiving_party".to_owned(), "not_participating")]
    );
    assert!(
        errors[0].message.contains("KP is invited"),
        "{}",
        errors[0].message
    );
    let errors = check_referral(&types(), &referral(KR), &timeline(), TODAY).unwrap_err();
    assert_eq!(
        rules(&errors),
        [("receiving_party".to_owned(), "same_party")]
    );
    // Suspended from a date: refused from that date on, not before.
    let mut t = timeline();
    t.record(StatusChange {
        party: JP,
        status: ParticipationStatus::Suspended,
        effective: date(2026, 12, 1),
        basis: "MC.DEC/9/26".into(),
        recorded_on: TODAY,
    })
    .unwrap();
    check_referral(&types(), &referral(JP), &t, TODAY).unwrap();
    let errors = check_referral(&types(), &referral(JP), &t, date(2026, 12, 1)).unwrap_err();
    assert!(errors[0].message.contains("suspended"));
}

#[test]
fn the_receiving_side_sees_only_the_referred_fields() {
    let t = types();
    let tv = t.get("trafficking-victim").unwrap();
    let seen = tv.referred_fields(&trafficking_fields());
    assert!(!seen.contains_key("internal_reference"));
    assert!(seen.contains_key("given_name"));
    assert_eq!(seen.len(), trafficking_fields().len() - 1);
}

#[test]
fn a_referral_is_accepted_progressed_and_closed_by_the_receiving_side() {
    let t = types();
    let tv = t.get("trafficking-victim").unwrap();
    let mut s = CaseStatus::Referred;
    s = next_status(tv, s, Side::Receiving, &Step::Accept).unwrap();
    assert_eq!(s, CaseStatus::Accepted);
    let close = Step::Close {
        outcome: "reunited-with-family".into(),
        note: String::new(),
    };
    assert!(
        matches!(
            next_status(tv, s, Side::Receiving, &close),
            Err(StepError::WrongStatus { .. })
        ),
        "a case is worked on before it is closed"
    );
    let progress = Step::Progress {
        note: "Shelter place found".into(),
    };
    s = next_status(tv, s, Side::Receiving, &progress).unwrap();
    s = next_status(tv, s, Side::Receiving, &progress).unwrap();
    assert_eq!(s, CaseStatus::InProgress);
    let bad = Step::Close {
        outcome: "resettled".into(),
        note: String::new(),
    };
    let Err(StepError::Field(e)) = next_status(tv, s, Side::Receiving, &bad) else {
        panic!("an outcome of another type is refused")
    };
    assert_eq!((e.field.as_str(), e.rule), ("outcome", "not_in_list"));
    s = next_status(tv, s, Side::Receiving, &close).unwrap();
    assert_eq!(s, CaseStatus::Closed);
    assert!(!s.is_open());
    assert_eq!(
        report_outcome(s, Some("reunited-with-family")).as_deref(),
        Some("closed:reunited-with-family")
    );
    for step in [
        Step::Accept,
        progress,
        Step::Withdraw { reason: "r".into() },
    ] {
        let side = step.taken_by();
        assert!(
            next_status(tv, s, side, &step).is_err(),
            "{step:?} after closure"
        );
    }
}

#[test]
fn a_decline_needs_a_reason_and_only_the_receiving_side_answers() {
    let t = types();
    let tv = t.get("trafficking-victim").unwrap();
    let decline = |reason: &str| Step::Decline {
        reason: reason.into(),
    };
    let Err(StepError::Field(e)) =
        next_status(tv, CaseStatus::Referred, Side::Receiving, &decline(" "))
    else {
        panic!()
    };
    assert_eq!((e.field.as_str(), e.rule), ("reason", "required"));
    assert_eq!(
        next_status(
            tv,
            CaseStatus::Referred,
            Side::Referring,
            &decline("no capacity")
        ),
        Err(StepError::WrongSide {
            step: "decline",
            side: Side::Receiving
        })
    );
    assert_eq!(
        next_status(
            tv,
            CaseStatus::Referred,
            Side::Receiving,
            &decline("no capacity")
        ),
        Ok(CaseStatus::Declined)
    );
    assert!(next_status(tv, CaseStatus::Accepted, Side::Receiving, &decline("late")).is_err());
    assert_eq!(
        report_outcome(CaseStatus::Declined, None).as_deref(),
        Some("declined")
    );
    assert_eq!(report_outcome(CaseStatus::InProgress, None), None);
}

#[test]
fn only_the_referring_side_withdraws_an_open_case() {
    let t = types();
    let tv = t.get("trafficking-victim").unwrap();
    let w = Step::Withdraw {
        reason: "The person withdrew consent".into(),
    };
    for open in [
        CaseStatus::Referred,
        CaseStatus::Accepted,
        CaseStatus::InProgress,
    ] {
        assert_eq!(
            next_status(tv, open, Side::Referring, &w),
            Ok(CaseStatus::Withdrawn)
        );
        assert!(next_status(tv, open, Side::Receiving, &w).is_err());
    }
    assert!(next_status(tv, CaseStatus::Declined, Side::Referring, &w).is_err());
    assert!(next_status(tv, CaseStatus::Referred, Side::Referring, &Step::Accept).is_err());
}

#[test]
fn deadlines_are_computed_from_the_given_instant() {
    let t = types();
    let tv = t.get("trafficking-victim").unwrap(); // answer in 2 days, follow-up every 14
    let referred: Timestamp = "2026-11-20T09:00:00Z".parse().unwrap();
    let d = deadline(tv, CaseStatus::Referred, referred, None).unwrap();
    assert_eq!(d.kind, DeadlineKind::Response);
    assert_eq!(d.due, "2026-11-22T09:00:00Z".parse::<Timestamp>().unwrap());
    let at = |s: &str| s.parse::<Timestamp>().unwrap();
    assert_eq!(d.urgency(at("2026-11-20T08:59:59Z")), Urgency::OnTime);
    assert_eq!(d.urgency(at("2026-11-20T09:00:00Z")), Urgency::DueSoon);
    assert_eq!(d.urgency(at("2026-11-22T09:00:00Z")), Urgency::DueSoon);
    assert_eq!(d.urgency(at("2026-11-22T09:00:01Z")), Urgency::Overdue);
    let accepted = at("2026-11-21T10:00:00Z");
    let f = deadline(tv, CaseStatus::InProgress, referred, Some(accepted)).unwrap();
    assert_eq!(f.kind, DeadlineKind::FollowUp);
    assert_eq!(f.due, at("2026-12-05T10:00:00Z"));
    for over in [
        CaseStatus::Declined,
        CaseStatus::Closed,
        CaseStatus::Withdrawn,
    ] {
        assert_eq!(deadline(tv, over, referred, Some(accepted)), None);
    }
}

#[test]
fn an_unknown_type_is_refused_with_the_known_ones() {
    let mut r = referral(JP);
    r.type_id = "lost-luggage".into();
    let errors = check_referral(&types(), &r, &timeline(), TODAY).unwrap_err();
    assert_eq!(rules(&errors), [("type".to_owned(), "unknown_type")]);
    assert!(errors[0].message.contains("medical-evacuation"));
}

proptest::proptest! {
    /// Whatever is sent, validation answers (never panics), refuses every field the type
    /// does not name, and accepts nothing with a required field missing.
    #[test]
    fn validation_is_total_and_minimal(
        fields in proptest::collection::btree_map("[a-z_]{1,12}", ".{0,40}", 0..12),
    ) {
        let t = types();
        let tv = t.get("trafficking-victim").unwrap();
        let errors = tv.validate(&fields, TODAY);
        for name in fields.keys() {
            if tv.field(name).is_none() {
                let path = format!("fields.{name}");
                proptest::prop_assert!(
                    errors.iter().any(|e| e.field == path && e.rule == "unknown_field"),
                    "{} not refused", name
                );
            }
        }
        for spec in tv.fields.iter().filter(|f| f.required) {
            if fields.get(&spec.name).is_none_or(|v| v.trim().is_empty()) {
                proptest::prop_assert!(!errors.is_empty());
            }
        }
    }
}
