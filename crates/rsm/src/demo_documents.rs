//! The demo's documents, so `/documents` has something to show: the Secretary General's
//! general report with a revision, the economic working group's report, an issued
//! information note (already on the Council's agenda), and a discussion paper of the
//! restricted peace-regime talks that only their members see — each with language versions
//! in every state (original, in translation, issued). Issued versions are entered in the
//! log exactly as the server does it (`document.issued`, data = the symbol, committing to
//! the bytes), so the document pages show their log entries. Synthetic texts only.

use jiff::Timestamp;
use rsm_core::{
    body::BodyId,
    document::{Language, Symbol},
};
use rsm_store::{Attribution, DeliberationStore, DistributionKind, Store};
use rsm_web::log::Log;

/// One demo document: symbol (without the year), body, title, distribution, original, and
/// its language versions with the issued text (or `None`: in translation).
type DemoDocument = (
    &'static str,
    &'static str,
    &'static str,
    DistributionKind,
    Language,
    &'static [(Language, Option<&'static str>)],
);

const DOCUMENTS: [DemoDocument; 5] = [
    (
        "SEC.GAL/1",
        "ministerial-council",
        "Annual report of the Secretary General",
        DistributionKind::Public,
        Language::En,
        &[
            (
                Language::En,
                Some(
                    "Annual report of the Secretary General (synthetic demo text).\n\
                     The mechanism held one Ministerial Council and four working-group meetings.",
                ),
            ),
            (
                Language::Ko,
                Some(
                    "사무총장 연례 보고서 (데모용 합성 문서).\n\
                     메커니즘은 각료이사회 1회와 실무그룹 회의 4회를 개최했다.",
                ),
            ),
            (Language::Zh, None),
            (Language::Ru, None),
        ],
    ),
    (
        "SEC.GAL/1/Rev.1",
        "ministerial-council",
        "Annual report of the Secretary General (revised)",
        DistributionKind::Public,
        Language::En,
        &[
            (
                Language::En,
                Some(
                    "Annual report of the Secretary General, revised (synthetic demo text).\n\
                     Adds the calendar of the next ministerial year.",
                ),
            ),
            (Language::Ko, None),
        ],
    ),
    (
        "WGE.REP/1",
        "wg-economic",
        "Regional gas network: planning scenarios",
        DistributionKind::Limited,
        Language::En,
        &[
            (
                Language::En,
                Some("Report of the economic working group on planning scenarios (synthetic)."),
            ),
            (Language::Ja, None),
        ],
    ),
    (
        "MC.INF/1",
        "ministerial-council",
        "Template for launch pre-notifications",
        DistributionKind::Public,
        Language::En,
        &[
            (
                Language::En,
                Some("Template for launch pre-notifications (synthetic demo text)."),
            ),
            (
                Language::Ko,
                Some("발사 사전 통보 양식 (데모용 합성 문서)."),
            ),
        ],
    ),
    (
        "PRT.INF/1",
        "peace-regime-talks",
        "Elements of a peace regime: discussion paper",
        DistributionKind::Restricted,
        Language::Ko,
        &[
            (
                Language::Ko,
                Some("평화체제의 요소: 토의 문서 (데모용 합성 문서)."),
            ),
            (
                Language::En,
                Some("Elements of a peace regime: discussion paper (synthetic demo text)."),
            ),
        ],
    ),
];

/// Seeds the demo's documents once (a later start finds them and does nothing). The
/// information note `MC.INF/1/yy` may already exist (the deliberation demo puts it on the
/// agenda); its versions are added to it.
pub async fn seed(store: &Store, log: &Log, now: Timestamp) -> anyhow::Result<()> {
    let who = Attribution::host_cli(now);
    let yy = now.to_zoned(jiff::tz::TimeZone::UTC).year() % 100;
    let with_year = |s: &str| match s.split_once("/Rev.") {
        Some((base, rev)) => format!("{base}/{yy:02}/Rev.{rev}"),
        None => format!("{s}/{yy:02}"),
    };
    let report = Symbol::parse(&with_year(DOCUMENTS[0].0))?;
    if store.document(&report).await?.is_some() {
        return Ok(());
    }
    for (symbol, body, title, distribution, original, versions) in DOCUMENTS {
        let symbol = Symbol::parse(&with_year(symbol))?;
        if store.document(&symbol).await?.is_none() {
            store
                .create_document(
                    &symbol,
                    &BodyId::parse(body)?,
                    title,
                    distribution,
                    original,
                    &who,
                )
                .await?;
        }
        for (language, text) in versions {
            let have = store
                .document(&symbol)
                .await?
                .and_then(|d| d.versions.into_iter().find(|v| v.language == *language));
            let revision = match have {
                Some(v) if v.status == "issued" => continue,
                Some(v) => v.revision,
                None => {
                    store.request_translation(&symbol, *language, &who).await?;
                    1
                }
            };
            let Some(text) = text else { continue };
            store
                .issue_version(&symbol, *language, revision, text.as_bytes(), &who)
                .await?;
            let acked = log
                .append_secretariat(
                    "document.issued",
                    rsm_ledger::commit_public(text.as_bytes()),
                    symbol.to_string().into_bytes(),
                    None,
                    who.clone(),
                )
                .await?;
            store
                .set_version_log_index(&symbol, *language, acked.index as i64)
                .await?;
        }
    }
    Ok(())
}
