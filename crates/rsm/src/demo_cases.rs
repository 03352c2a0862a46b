//! The demo's humanitarian case referrals, dated relative to the demo's clock: two more
//! focal points (Japan's and China's Red Cross societies) beside Korea's, and five synthetic
//! referrals between them — one awaiting an answer (due soon), one whose follow-up is
//! overdue, one declined with its reason, one closed with an outcome, and one referred on a
//! legal basis because the person is a child. Every name is invented and says so.
//!
//! Each referral is judged by `rsm_humanitarian::case::check_referral` and each step by
//! `next_status`, exactly as the server does, before it is stored.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use rsm_core::{access::Role, party::PartyCode};
use rsm_humanitarian::case::{
    Basis, ConsentScope, LegalBasis, NewReferral, Side, Step, check_referral, next_status,
};
use rsm_store::{AccountStore, Attribution, CaseStore, NewAccount, ParticipationStore, Store};
use rsm_web::{api::cases::referral_types, auth::hash_password, auth::random_token};

/// The focal points the cases need besides `kr.redcross`: user name, display name, role,
/// language, zone.
const FOCAL_POINTS: [(&str, &str, PartyCode, &str, &str); 2] = [
    (
        "jp.redcross",
        "Japanese Red Cross Society focal point",
        PartyCode::JP,
        "ja",
        "Asia/Tokyo",
    ),
    (
        "cn.redcross",
        "Red Cross Society of China focal point",
        PartyCode::CN,
        "zh",
        "Asia/Shanghai",
    ),
];

/// Steps taken on a demo case: (hours ago, step).
type Steps = Vec<(i64, Step)>;
/// A demo case: referrer, receiver, type, fields, basis, referred hours ago, steps.
type DemoCase<'a> = (
    &'a rsm_store::Account,
    &'a rsm_store::Account,
    &'a str,
    BTreeMap<String, String>,
    Basis,
    i64,
    Steps,
);

fn as_user(store_user: &rsm_store::Account, at: Timestamp) -> Attribution {
    Attribution {
        actor: store_user.username.clone(),
        account_id: Some(store_user.id),
        source: "demo".into(),
        at,
    }
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Creates the two focal points (returning their passwords, shown once) and the cases.
pub async fn seed(
    store: &Store,
    who: &Attribution,
) -> anyhow::Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    for (username, display, party, language, tz) in FOCAL_POINTS {
        let password = random_token(12);
        let role = Role::FocalPoint(party);
        out.push((
            username.to_owned(),
            format!("{} {party}", role.kind()),
            password.clone(),
        ));
        store
            .create_account(
                &NewAccount {
                    username: username.into(),
                    display_name: display.into(),
                    role,
                    password_hash: Some(hash_password(password).await?),
                    language: language.into(),
                    time_zone: tz.into(),
                },
                who,
            )
            .await?;
    }
    let account = |name: &'static str| async move {
        store
            .account_by_username(name)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo account {name} missing"))
    };
    let kr = account("kr.redcross").await?;
    let jp = account("jp.redcross").await?;
    let cn = account("cn.redcross").await?;
    let now = who.at;
    let ago = |hours: i64| now - SignedDuration::from_hours(hours);
    let timeline = store.timeline().await?;
    let consent = |by: &str, hours: i64| Basis::Consent {
        recorded_by: by.into(),
        recorded_on: ago(hours).to_zoned(jiff::tz::TimeZone::UTC).date(),
        scope: ConsentScope::Referral,
    };

    let cases: Vec<DemoCase<'_>> = vec![
        (
            &kr,
            &jp,
            "trafficking-victim",
            fields(&[
                ("given_name", "Demo"),
                ("family_name", "Synthetic-Person-One"),
                ("sex", "female"),
                ("age_group", "adult"),
                ("nationality", "VN"),
                ("date_identified", &ago(72).to_zoned(jiff::tz::TimeZone::UTC).date().to_string()),
                ("exploitation", "labour"),
                ("immediate_need", "shelter"),
                ("languages", "Vietnamese, some Korean"),
                ("internal_reference", "KR-TV-DEMO-0001"),
                ("identified_by", "Synthetic labour inspection team"),
            ]),
            consent("Caseworker Demo-Kim (synthetic)", 30),
            24,
            vec![],
        ),
        (
            &kr,
            &cn,
            "medical-evacuation",
            fields(&[
                ("given_name", "Demo"),
                ("family_name", "Synthetic-Patient-Two"),
                ("date_of_birth", "1961-04-09"),
                ("nationality", "CN"),
                ("condition", "Synthetic example: needs dialysis unavailable at the current location"),
                ("urgency", "within-72-hours"),
                ("mobility", "wheelchair"),
                ("physician_notes", "Synthetic notes kept by the referring hospital"),
            ]),
            consent("Caseworker Demo-Lee (synthetic)", 150),
            6 * 24,
            vec![
                (5 * 24, Step::Accept),
                (
                    4 * 24,
                    Step::Progress {
                        note: "Bed reserved at a synthetic receiving hospital".into(),
                    },
                ),
            ],
        ),
        (
            &kr,
            &jp,
            "refugee-assistance",
            fields(&[
                ("given_name", "Demo"),
                ("family_name", "Synthetic-Family-Three"),
                ("nationality", "MM"),
                ("household_size", "5"),
                ("current_location", "Synthetic reception centre"),
                ("need", "shelter"),
                ("vulnerability", "child-at-risk"),
                ("internal_reference", "KR-RF-DEMO-0003"),
            ]),
            consent("Caseworker Demo-Park (synthetic)", 12 * 24 + 2),
            12 * 24,
            vec![(
                11 * 24,
                Step::Decline {
                    reason: "No reception capacity in the named prefecture this month; please refer to the national office".into(),
                },
            )],
        ),
        (
            &jp,
            &kr,
            "refugee-assistance",
            fields(&[
                ("given_name", "Demo"),
                ("family_name", "Synthetic-Person-Four"),
                ("date_of_birth", "1990-07-01"),
                ("nationality", "AF"),
                ("household_size", "1"),
                ("current_location", "Synthetic transit point"),
                ("need", "documentation"),
                ("vulnerability", "none"),
            ]),
            consent("Caseworker Demo-Sato (synthetic)", 41 * 24),
            40 * 24,
            vec![
                (39 * 24, Step::Accept),
                (
                    30 * 24,
                    Step::Progress {
                        note: "Travel document application lodged (synthetic)".into(),
                    },
                ),
                (
                    10 * 24,
                    Step::Close {
                        outcome: "assistance-provided".into(),
                        note: "Document issued (synthetic)".into(),
                    },
                ),
            ],
        ),
        (
            &cn,
            &kr,
            "trafficking-victim",
            fields(&[
                ("given_name", "Demo"),
                ("family_name", "Synthetic-Child-Five"),
                ("sex", "not-stated"),
                ("age_group", "child"),
                ("nationality", "KR"),
                ("date_identified", &ago(26).to_zoned(jiff::tz::TimeZone::UTC).date().to_string()),
                ("exploitation", "not-yet-known"),
                ("immediate_need", "family-tracing"),
            ]),
            Basis::Legal {
                basis: LegalBasis::BestInterestsOfChild,
                explanation: "A young child who cannot give consent; referred in their best interests for family tracing (synthetic)".into(),
            },
            2,
            vec![],
        ),
    ];

    let types = referral_types();
    for (from, to, type_id, fields, basis, hours, steps) in cases {
        let (Role::FocalPoint(referring), Role::FocalPoint(receiving)) = (&from.role, &to.role)
        else {
            anyhow::bail!("demo cases are between focal points");
        };
        let at = ago(hours);
        let referral = NewReferral {
            type_id: type_id.into(),
            referring: *referring,
            receiving: *receiving,
            fields,
            basis: Some(basis),
        };
        let today = at.to_zoned(jiff::tz::TimeZone::UTC).date();
        check_referral(types, &referral, &timeline, today).map_err(|e| {
            anyhow::anyhow!(
                "demo referral refused: {}",
                e.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })?;
        let id = store
            .open_case(
                &rsm_store::NewCase {
                    type_id: referral.type_id.clone(),
                    referring: referral.referring,
                    receiving: referral.receiving,
                    fields: referral.fields.clone(),
                    basis: referral.basis.clone().expect("checked"),
                    commitment: None,
                },
                &as_user(from, at),
            )
            .await?;
        let rt = types.get(type_id).expect("checked");
        let mut status = rsm_humanitarian::case::CaseStatus::Referred;
        for (revision, (hours, step)) in (1..).zip(steps) {
            let side = step.taken_by();
            let actor = if side == Side::Receiving { to } else { from };
            let next = next_status(rt, status, side, &step)?;
            store
                .record_case_step(id, revision, side, &step, next, &as_user(actor, ago(hours)))
                .await?;
            status = next;
        }
    }
    Ok(out)
}
