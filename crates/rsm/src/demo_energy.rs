//! Demo planning: two scenarios of the economic working group (no transit through KP, and
//! demand growth), the base case and both scenarios solved with their ENTSOG indicators, and
//! the no-KP result attached to an agenda item of the working group's coming meeting.

use rsm_core::{agenda::Proposer, body::Basket, body::BodyId};
use rsm_store::{
    AttachTarget, Attribution, DeliberationStore, EnergyStore, ItemStatus, NewItem, RunOutcome,
    Store,
};
use rsm_web::energy::{NETWORK, compute};

const SCENARIOS: [(&str, &str); 2] = [
    (
        "no-KP-transit",
        "description = \"Pipelines may not cross the DPRK (transit unavailable)\"\n\
         exclude_transit = [\"KP\"]\n",
    ),
    (
        "demand +10 %",
        "description = \"Every country's demand ten per cent higher\"\ndemand_growth = 1.1\n",
    ),
];

/// Seeds scenarios, solved runs and one attachment (after the deliberation demo).
pub async fn seed(store: &Store, who: &Attribution) -> anyhow::Result<()> {
    let mut runs = Vec::new();
    for (name, toml) in std::iter::once((None, "")).chain(SCENARIOS.map(|(n, t)| (Some(n), t))) {
        if let Some(name) = name {
            store.create_energy_scenario(name, toml, who).await?;
        }
        let id = store.queue_energy_run(NETWORK, name, toml, 1, who).await?;
        let text = toml.to_owned();
        let result = tokio::task::spawn_blocking(move || compute(NETWORK, &text, &|_| {}, &|| {}))
            .await?
            .map_err(anyhow::Error::msg)?;
        store
            .finish_energy_run(
                id,
                &RunOutcome::Done {
                    input_hash: result.input_hash.clone(),
                    result_hash: result.result_hash.clone(),
                    result: serde_json::to_string(&result)?,
                },
                who.at,
            )
            .await?;
        runs.push(id);
    }
    let economic = BodyId::parse("wg-economic")?;
    let meeting = store
        .meetings()
        .await?
        .into_iter()
        .find(|m| m.meeting.body == economic);
    if let Some(m) = meeting {
        let item = store
            .add_item(
                &NewItem {
                    meeting: m.id,
                    parent: None,
                    basket: Some(Basket::Economic),
                    title: "Pipeline scenarios: transit through the DPRK unavailable".into(),
                    minutes: Some(60),
                    proposer: Proposer::Secretariat,
                    status: ItemStatus::Accepted,
                    symbols: vec![],
                },
                who,
            )
            .await?;
        store
            .attach_energy_run(runs[1], AttachTarget::AgendaItem(item), who)
            .await?;
    }
    Ok(())
}
