//! The demo's family tracing registry: the Korean Red Cross's 50 tracing requests and a
//! North list of 80 persons "received in an earlier exchange" (both SYNTHETIC, shipped in
//! `crates/rsm-kin/data/demo`, made by its `gen_demo.py`), a finished match run whose
//! candidates wait in the review queue, and one accepted match with its reply. KP does not
//! participate in the demo, so the pages show the exchange closed while the registry works.

use std::collections::HashSet;

use anyhow::Context;
use rsm_kin::registry::{self, Format, KeptRow, ListKind};
use rsm_store::{Attribution, CandidateFilter, KinKind, KinStore, NewKinImport, Store};
use serde_json::Value;
use sha2::{Digest, Sha256};

const SOUTH: &str = include_str!("../../rsm-kin/data/demo/south.csv");
const NORTH: &str = include_str!("../../rsm-kin/data/demo/north.csv");

fn import(kind: KinKind, filename: &str, text: &str) -> anyhow::Result<NewKinImport> {
    let list = match kind {
        KinKind::Request => ListKind::Requests,
        KinKind::Person => ListKind::Persons,
    };
    let up = registry::read_upload(
        text.as_bytes(),
        Format::Csv,
        list,
        filename,
        &HashSet::new(),
    )
    .with_context(|| format!("the demo's {filename}"))?;
    anyhow::ensure!(
        up.bad.is_empty(),
        "the demo's {filename} has bad rows: {:?}",
        up.bad
    );
    let digest: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(NewKinImport {
        party: "KR".into(),
        kind,
        filename: filename.into(),
        format: "csv".into(),
        policy: "refuse".into(),
        content_sha256: digest,
        rows_read: up.rows_read as i64,
        issues: "[]".into(),
        records: up
            .kept
            .iter()
            .map(|k: &KeptRow| (k.id.clone(), Value::Object(k.fields.clone()).to_string()))
            .collect(),
    })
}

/// Seeds the registry, runs the matcher once and accepts the best candidate.
pub async fn seed(store: &Store, who: &Attribution) -> anyhow::Result<()> {
    store
        .kin_import(
            &import(
                KinKind::Request,
                "kr-tracing-requests (synthetic).csv",
                SOUTH,
            )?,
            who,
        )
        .await?;
    store
        .kin_import(
            &import(
                KinKind::Person,
                "kp-list-earlier-exchange (synthetic).csv",
                NORTH,
            )?,
            who,
        )
        .await?;
    let requests = store.kin_records("KR", KinKind::Request, who).await?;
    let persons = store.kin_records("KR", KinKind::Person, who).await?;
    let run = store
        .kin_start_run("KR", requests.len() as i64, persons.len() as i64, who)
        .await?;
    let (candidates, message) = tokio::task::spawn_blocking(move || {
        rsm_web::api::kin::match_records(&requests, &persons, &Default::default())
    })
    .await?
    .map_err(|e| anyhow::anyhow!("the demo's match run: {e}"))?;
    store
        .kin_finish_run(run, &candidates, &message, who)
        .await?;
    let queue = store
        .kin_candidates("KR", CandidateFilter::Queue, who)
        .await?;
    if let Some(best) = queue.first() {
        store
            .kin_decide(
                "KR",
                best.id,
                "accept",
                "demo: confirmed by the applicant",
                who,
            )
            .await?;
        store
            .kin_reply(
                "KR",
                best.id,
                "alive",
                "demo: reply from the other side",
                who,
            )
            .await?;
    }
    Ok(())
}

/// Fixes a reunion draw over the registry's 50 applicants with the default weights: its
/// commitment enters the demo's log, and its result appears with the next checkpoint.
pub async fn seed_draw(log: &rsm_web::log::Log, who: &Attribution) -> anyhow::Result<()> {
    use rsm_web::api::kin_draws::{self, DEFAULT_WEIGHTS};
    let weights = rsm_kin::draw::Weights::parse(DEFAULT_WEIGHTS)?;
    let requests = log.store().kin_records("KR", KinKind::Request, who).await?;
    if requests.is_empty() {
        return Ok(());
    }
    let (eligible, _) = kin_draws::eligible_from_registry(&requests, &weights);
    kin_draws::record_draw(
        log,
        "KR",
        "Reunion round 1 (synthetic demo)",
        10,
        DEFAULT_WEIGHTS,
        &eligible,
        kin_draws::fresh_salt().map_err(|e| anyhow::anyhow!("{e:?}"))?,
        who,
    )
    .await
    .map_err(|e| anyhow::anyhow!("the demo's draw: {e:?}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_registry_has_a_finished_run_and_a_queue() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("d.db").display()))
            .await
            .unwrap();
        let who = Attribution::host_cli("2026-03-02T00:00:00Z".parse().unwrap());
        seed(&store, &who).await.unwrap();
        let counts = store.kin_counts("KR").await.unwrap();
        assert_eq!((counts.requests, counts.persons, counts.runs), (50, 80, 1));
        assert_eq!(counts.accepted, 1);
        assert!(counts.open >= 40, "{counts:?}");
        let runs = store.kin_runs("KR").await.unwrap();
        assert_eq!(runs[0].state, "finished");
        // The synthetic sample is built so that request S000n seeks person N000n.
        let all = store
            .kin_candidates("KR", CandidateFilter::All, &who)
            .await
            .unwrap();
        let assigned: Vec<_> = all.iter().filter(|c| c.assigned).collect();
        let right = assigned
            .iter()
            .filter(|c| c.request_id[1..] == c.person_id[1..])
            .count();
        assert!(
            right >= 45,
            "{right} of {} assigned pairs right",
            assigned.len()
        );
    }
}
