//! Data-driven compliance scenarios: each `tests/scenarios/*.toml` gives the regime
//! versions, participation changes, the events received and an "as of" instant; the
//! compliance report is snapshot-checked (`tests/snapshots/`).
//!
//! Scenario file keys: `description`, `year`, `as_of`, `founded` (the founding timeline:
//! five parties, KP invited), optional `focus` (parties whose table rows are shown),
//! `show_acknowledgements`, `[options]` (`near_margin_percent`, `near_min_count`),
//! `[[participation]]`, `[[versions]]` (`effective`, `basis`, `regime = "default"`, optional
//! `edits = [{find, replace}]` applied to the default text) and `[[events]]` with `kind` one
//! of `submit`, `amend`, `cancel`, `request`, `reply`, `ack`.

use std::{collections::BTreeMap, path::Path};

use jiff::{Timestamp, civil::Date};
use rsm_core::{
    body::default_bodies,
    participation::{ParticipationStatus, StatusChange, Timeline},
    party::PartyCode,
};
use rsm_regime::{
    Ack, ComplianceOptions, DEFAULT_REGIME_TOML, Event, Regime, RegimeHistory, RegimeVersion,
    Reply, Request, Submission, SubmissionKind, compliance::Context, compute, to_csv, to_json,
};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    description: String,
    year: i16,
    as_of: Timestamp,
    founded: Date,
    #[serde(default)]
    focus: Option<Vec<String>>,
    #[serde(default)]
    show_acknowledgements: bool,
    #[serde(default)]
    options: Option<Options>,
    #[serde(default)]
    participation: Vec<Change>,
    versions: Vec<Version>,
    #[serde(default)]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    near_margin_percent: Option<u32>,
    near_min_count: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    party: String,
    status: String,
    effective: Date,
    recorded_on: Date,
    basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Version {
    effective: Timestamp,
    basis: String,
    regime: String,
    #[serde(default)]
    edits: Vec<Edit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    find: String,
    replace: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    party: Option<String>,
    #[serde(default, rename = "type")]
    type_id: Option<String>,
    received: Timestamp,
    #[serde(default)]
    content: Option<serde_json::Value>,
    #[serde(default)]
    of: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    about: Option<String>,
    #[serde(default)]
    request: Option<String>,
}

fn party(s: &Option<String>) -> PartyCode {
    s.as_deref()
        .expect("party code")
        .parse()
        .expect("party code")
}

fn build_history(s: &Scenario) -> RegimeHistory {
    let mut history = RegimeHistory::default();
    for v in &s.versions {
        assert_eq!(v.regime, "default", "scenarios edit the default regime");
        let mut text = DEFAULT_REGIME_TOML.to_owned();
        for e in &v.edits {
            assert!(text.contains(&e.find), "edit target `{}` not found", e.find);
            text = text.replacen(&e.find, &e.replace, 1);
        }
        let regime = Regime::parse(&text).unwrap_or_else(|e| panic!("{e}"));
        history
            .add(
                RegimeVersion {
                    effective: v.effective,
                    basis: v.basis.clone(),
                    regime,
                },
                v.effective,
            )
            .unwrap();
    }
    history
}

fn build_events(s: &Scenario, history: &RegimeHistory) -> Vec<Event> {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for e in &s.events {
        let id = || e.id.clone().expect("event id");
        let validated = |type_id: &str| {
            let v = history
                .in_force_at(e.received)
                .or_else(|| history.versions().first())
                .unwrap();
            let ty = v
                .regime
                .get(type_id)
                .unwrap_or_else(|| panic!("type {type_id}"));
            ty.validate(e.content.as_ref().expect("content"))
                .unwrap_or_else(|errs| panic!("{}: {errs:#?}", id()))
        };
        let event = match e.kind.as_str() {
            "submit" => {
                let t = e.type_id.clone().expect("type");
                types.insert(id(), t.clone());
                Event::Submitted(Submission {
                    id: id(),
                    party: party(&e.party),
                    kind: SubmissionKind::Original(validated(&t)),
                    type_id: t,
                    received: e.received,
                })
            }
            "amend" | "cancel" => {
                let of = e.of.clone().expect("of");
                let t = e.type_id.clone().unwrap_or_else(|| types[&of].clone());
                types.insert(id(), t.clone());
                let kind = if e.kind == "amend" {
                    SubmissionKind::Amends {
                        of,
                        notice: validated(&t),
                    }
                } else {
                    SubmissionKind::Cancels { of }
                };
                Event::Submitted(Submission {
                    id: id(),
                    party: party(&e.party),
                    type_id: t,
                    received: e.received,
                    kind,
                })
            }
            "request" => Event::Request(Request {
                id: id(),
                from: party(&e.from),
                to: party(&e.to),
                about: e.about.clone(),
                received: e.received,
            }),
            "reply" => Event::Reply(Reply {
                id: id(),
                request: e.request.clone().expect("request"),
                from: party(&e.from),
                received: e.received,
            }),
            "ack" => Event::Ack(Ack {
                party: party(&e.party),
                of: e.of.clone().expect("of"),
                received: e.received,
            }),
            other => panic!("unknown event kind {other}"),
        };
        out.push(event);
    }
    out
}

/// Runs one scenario file and returns the text that is snapshot-checked.
pub fn run(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let s: Scenario = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let history = build_history(&s);
    let mut timeline = Timeline::founding(s.founded, "Founding Declaration");
    for c in &s.participation {
        timeline
            .record(StatusChange {
                party: c.party.parse().unwrap(),
                status: ParticipationStatus::parse(&c.status).expect("status"),
                effective: c.effective,
                basis: c.basis.clone(),
                recorded_on: c.recorded_on,
            })
            .unwrap();
    }
    let bodies = default_bodies(s.founded.year());
    let events = build_events(&s, &history);
    let mut options = ComplianceOptions::default();
    if let Some(o) = &s.options {
        options.near_margin_percent = o.near_margin_percent.unwrap_or(options.near_margin_percent);
        options.near_min_count = o.near_min_count.unwrap_or(options.near_min_count);
    }
    let ctx = Context {
        history: &history,
        timeline: &timeline,
        bodies: &bodies,
    };
    let mut report = compute(ctx, &events, s.year, s.as_of, &options);

    // Whatever the input order, the same bytes.
    let mut reversed = events.clone();
    reversed.reverse();
    let again = compute(ctx, &reversed, s.year, s.as_of, &options);
    assert_eq!(
        to_json(&report),
        to_json(&again),
        "order of events changed the result"
    );
    assert_eq!(to_csv(&report), to_csv(&again));

    if let Some(focus) = &s.focus {
        report.rows.retain(|r| focus.contains(&r.party));
    }
    if !s.show_acknowledgements {
        report.acknowledgements.clear();
    }
    let rest = serde_json::json!({
        "patterns": report.patterns,
        "consultations": report.consultations,
        "acknowledgements": report.acknowledgements,
        "anomalies": report.anomalies,
    });
    format!(
        "{}\nyear {} as of {}{}\n\n{}\n{}\n",
        s.description.trim(),
        s.year,
        s.as_of,
        s.focus
            .as_ref()
            .map(|f| format!("; rows shown for {}", f.join(", ")))
            .unwrap_or_default(),
        to_csv(&report),
        serde_json::to_string_pretty(&rest).unwrap()
    )
}

#[test]
fn scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "the required scenarios are present");
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let out = run(&path);
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, out);
        });
    }
}
