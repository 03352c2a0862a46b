//! The demo's notifications under the default regime, signed with the DEMO party keys and
//! dated relative to the demo's clock (received over the last 60 days): a KR exercise
//! notified on time, a US launch pre-notification with its post-launch report, a JP annual
//! exchange, a RU annual calendar submitted late, a CN pair just under the troop threshold,
//! a JP→RU request for clarification with its reply, and acknowledgements, some missing.

use ed25519_dalek::SigningKey;
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use rsm_ledger::{Anchor, EntryBody, EntryType, Party, commit_public};
use rsm_store::{Attribution, LedgerStore, NewContent, NewNotificationEntry, NotificationStore};
use rsm_web::notify::Kind;
use serde_json::{Value, json};

/// Signs `content` as `party` with its demo key, stores the content, appends the entry
/// (received at `at`) and links them; returns the log index.
async fn put(
    log: &rsm_web::log::Log,
    keys: &[(Party, SigningKey)],
    party: &str,
    type_id: &str,
    content: &Value,
    kind: Kind,
    at: Timestamp,
) -> anyhow::Result<u64> {
    let (p, key) = keys
        .iter()
        .find(|(p, _)| p.as_str() == party)
        .ok_or_else(|| anyhow::anyhow!("no demo key for {party}"))?;
    let text = content.to_string();
    let entry_type = match kind {
        Kind::Ack(_) => rsm_web::notify::ACK_ENTRY_TYPE.to_owned(),
        _ => format!("{}{type_id}", rsm_web::notify::NOTIFICATION_PREFIX),
    };
    let (seq, prev, _) = log.party_head(p);
    let head = log.head();
    let env = EntryBody {
        party: p.clone(),
        seq,
        prev,
        entry_type: EntryType::new(&entry_type)?,
        commitment: commit_public(text.as_bytes()),
        anchor: Anchor {
            size: head.size,
            root: head.root,
        },
        data: kind.data().into_bytes(),
    }
    .sign(key)?;
    let who = Attribution::host_cli(at);
    let store = log.store();
    let commitment = env.body.commitment.to_hex();
    store
        .put_notification_content(
            &NewContent {
                commitment: commitment.clone(),
                content: text,
                salt: None,
                restricted_to: None,
            },
            &who,
        )
        .await?;
    let acked = log.submit(env.encode()?, who.clone()).await?;
    let entry = store
        .log_entry(acked.index)
        .await?
        .ok_or_else(|| anyhow::anyhow!("entry {} missing", acked.index))?;
    let (k, reference) = kind.store_kind();
    store
        .link_notification(
            &NewNotificationEntry {
                index: acked.index,
                commitment,
                party: party.to_owned(),
                type_id: match kind {
                    Kind::Ack(_) => "ack".into(),
                    _ => type_id.to_owned(),
                },
                kind: k,
                reference,
                received_at: entry.received_at,
            },
            &who,
        )
        .await?;
    Ok(acked.index)
}

/// Local time `d` days and `h` hours after `t`, in `zone`, as the regime's `…T06:00` form.
fn local(t: Timestamp, d: i64, h: i64, zone: &str) -> String {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let z = (t + SignedDuration::from_hours(24 * d + h)).to_zoned(tz);
    z.strftime("%Y-%m-%dT%H:%M").to_string()
}

fn calendar(year: i16) -> Value {
    json!({
        "year": year,
        "activities": "Vostok: land and naval exercise, Eastern Military District, September"
    })
}

pub async fn seed(
    log: &rsm_web::log::Log,
    keys: &[(Party, SigningKey)],
    now: Timestamp,
) -> anyhow::Result<()> {
    let ago = |days: i64, hours: i64| now - SignedDuration::from_hours(24 * days + hours);
    let year = |t: Timestamp| t.to_zoned(TimeZone::UTC).year();

    // KR: a division-level exercise notified 50 days ahead (due 42): on time.
    let t = ago(60, 0);
    let kr = put(
        log,
        keys,
        "KR",
        "military-activity",
        &json!({
            "designation": "Hwarang 26", "purpose": "Combined-arms readiness of the Capital Corps",
            "activity_type": "land", "parties_involved": ["KR"], "command_level": "corps",
            "window": {"start": local(t, 50, 0, "Asia/Seoul"), "end": local(t, 56, 0, "Asia/Seoul"), "zone": "Asia/Seoul"},
            "area": {"polygon": [[126.9, 37.6], [127.6, 37.6], [127.6, 38.1], [126.9, 38.1]]},
            "troops": 12500, "tanks": 140, "artillery": 90
        }),
        Kind::Original,
        t,
    )
    .await?;
    // US: a space launch pre-notified three days ahead, and its post-launch report.
    let t = ago(45, 0);
    let pre = put(
        log,
        keys,
        "US",
        "launch-pre",
        &json!({
            "launch_class": "space-launch", "number": 1,
            "launch_window": {"start": local(t, 3, 0, "America/Los_Angeles"), "end": local(t, 3, 4, "America/Los_Angeles"), "zone": "America/Los_Angeles"},
            "launch_area": {"centre": [-120.6, 34.7], "radius_km": 10},
            "impact_area": {"centre": [-125.0, 25.0], "radius_km": 200},
            "azimuth": 190
        }),
        Kind::Original,
        t,
    )
    .await?;
    put(
        log,
        keys,
        "US",
        "launch-post",
        &json!({
            "pre_notification": pre.to_string(), "launch_class": "space-launch",
            "launched_at": {"time": local(t, 3, 1, "America/Los_Angeles"), "zone": "America/Los_Angeles"},
            "outcome": "orbit-reached"
        }),
        Kind::Original,
        t + SignedDuration::from_hours(24 * 3 + 10),
    )
    .await?;
    // JP: the annual exchange of military information for next year.
    let t = ago(30, 0);
    put(
        log,
        keys,
        "JP",
        "annual-exchange",
        &json!({
            "year": year(t) + 1,
            "command_organisation": "Joint Staff; Ground, Maritime and Air Self-Defense Forces",
            "personnel": 247000,
            "major_systems": "Battle tanks 300; combat aircraft 370; destroyers 50"
        }),
        Kind::Original,
        t,
    )
    .await?;
    // CN: two exercises just under the 9,000-troop threshold (a pattern worth a question).
    for (days, troops, name) in [(28, 8600, "Joint Sword A"), (12, 8850, "Joint Sword B")] {
        let t = ago(days, 0);
        put(
            log,
            keys,
            "CN",
            "military-activity",
            &json!({
                "designation": name, "purpose": "Training", "activity_type": "combined",
                "parties_involved": ["CN"], "command_level": "division",
                "window": {"start": local(t, 20, 0, "Asia/Shanghai"), "end": local(t, 24, 0, "Asia/Shanghai"), "zone": "Asia/Shanghai"},
                "area": {"centre": [121.5, 29.0], "radius_km": 60},
                "troops": troops
            }),
            Kind::Original,
            t,
        )
        .await?;
    }
    // JP asks RU about naval movements; RU replies within 30 hours (due within 48).
    let t = ago(15, 0);
    let req = put(
        log,
        keys,
        "JP",
        "clarification-request",
        &json!({
            "addressee": ["RU"], "activity": "Unannounced naval movements in the Sea of Japan",
            "questions": "What is the purpose and duration of the activity?"
        }),
        Kind::Original,
        t,
    )
    .await?;
    put(
        log,
        keys,
        "RU",
        "clarification-reply",
        &json!({
            "request": req.to_string(),
            "objectives": "A scheduled passage of the Pacific Fleet; no exercise is involved"
        }),
        Kind::Original,
        t + SignedDuration::from_hours(30),
    )
    .await?;
    // Acknowledgements: KR's exercise by JP, CN and RU (US missing); the US launch by JP.
    let t = ago(10, 0);
    for (i, (party, of)) in [("JP", kr), ("CN", kr), ("RU", kr), ("JP", pre)]
        .into_iter()
        .enumerate()
    {
        put(
            log,
            keys,
            party,
            "ack",
            &json!({"of": of.to_string()}),
            Kind::Ack(of),
            t + SignedDuration::from_hours(i as i64),
        )
        .await?;
    }
    // RU: an annual calendar sent late. The calendar for year Y + 1 is due on 15 November of
    // Y; the demo's founding (1 January 2026) bounds which deadline can have been missed.
    let t = ago(3, 0);
    let y = year(t);
    let nov15 = jiff::civil::date(y, 11, 16)
        .to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(t);
    let (type_id, content) = if t >= nov15 {
        ("annual-calendar", calendar(y + 1))
    } else if y > 2026 {
        ("annual-calendar", calendar(y))
    } else {
        // Before the first calendar could be late: the defence planning of this year (due
        // 31 March) instead.
        (
            "defence-planning",
            json!({
                "year": y, "policy_and_doctrine": "Military Doctrine of the Russian Federation",
                "force_planning": "Eastern Military District", "budget": 140000
            }),
        )
    };
    put(log, keys, "RU", type_id, &content, Kind::Original, t).await?;
    Ok(())
}
