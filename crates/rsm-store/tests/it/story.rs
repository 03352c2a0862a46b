//! The storage story: a mechanism founded, bodies edited, people and tokens managed, KP
//! joining, and the audit trail holding every write. The same story runs on each backend.

use jiff::{Timestamp, civil::date};
use rsm_core::{
    access::Role,
    body::{BodyId, default_bodies},
    participation::{ParticipationStatus, StatusChange, Timeline},
    party::PartyCode,
};
use rsm_store::{
    AccountStore, Attribution, AuditFilter, AuditStore, BodyStore, NewAccount, ParticipationStore,
    Store, StoreError, TokenScope,
};

fn at(s: &str) -> Attribution {
    Attribution {
        actor: "admin".into(),
        account_id: None,
        source: "127.0.0.1".into(),
        at: s.parse::<Timestamp>().unwrap(),
    }
}

async fn story(store: &Store, url: &str) {
    let who = at("2026-01-01T09:00:00Z");
    assert!(store.is_empty().await.unwrap());
    store
        .seed_timeline(
            &Timeline::founding(date(2026, 1, 1), "Founding Declaration"),
            &who,
        )
        .await
        .unwrap();
    for body in default_bodies(2026) {
        store.create_body(&body, "founding", &who).await.unwrap();
    }
    assert!(!store.is_empty().await.unwrap());

    // Participation: five, then six; the past stays as it was.
    let t = store.timeline().await.unwrap();
    assert_eq!(t.participating_on(date(2026, 6, 1)).len(), 5);
    let join = StatusChange {
        party: PartyCode::KP,
        status: ParticipationStatus::Participating,
        effective: date(2027, 3, 1),
        basis: "MC.DEC/1/27".into(),
        recorded_on: date(2027, 2, 10),
    };
    store
        .record_change(&join, &at("2027-02-10T10:00:00Z"))
        .await
        .unwrap();
    let retro = StatusChange {
        effective: date(2026, 6, 1),
        status: ParticipationStatus::Suspended,
        ..join.clone()
    };
    let err = store
        .record_change(&retro, &at("2027-02-10T10:00:00Z"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Participation(_)), "{err}");
    let t = store.timeline().await.unwrap();
    assert_eq!(t.participating_on(date(2026, 6, 1)).len(), 5);
    assert_eq!(t.participating_on(date(2027, 3, 1)).len(), 6);
    assert_eq!(t.history(PartyCode::KP).len(), 2);

    // Bodies: an edit adds a revision; a stale edit is a conflict; the history stays.
    let id = BodyId::parse("wg-economic").unwrap();
    let mut wg = store.body(&id).await.unwrap().unwrap();
    assert_eq!(wg.revision, 1);
    wg.body.name = "Working Group on Economic and Energy Cooperation".into();
    let rev = store
        .update_body(&wg.body, 1, "renamed by MC.DEC/2/27", &who)
        .await
        .unwrap();
    assert_eq!(rev, 2);
    let stale = store
        .update_body(&wg.body, 1, "stale", &who)
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict(_)), "{stale}");
    let history = store.body_history(&id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        history[0].body.name,
        "Working Group on Economic Cooperation"
    );
    assert_eq!(store.bodies().await.unwrap().len(), 6);
    let dup = store
        .create_body(&wg.body, "again", &who)
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup}");

    // Accounts, sessions, tokens.
    let new = NewAccount {
        username: "kr.delegate".into(),
        display_name: "KR Delegate".into(),
        role: Role::Delegate(PartyCode::KR),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        language: "ko".into(),
        time_zone: "Asia/Seoul".into(),
    };
    let acct = store.create_account(&new, &who).await.unwrap();
    assert_eq!(acct.role, Role::Delegate(PartyCode::KR));
    let dup = store.create_account(&new, &who).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup}");
    let wgm = NewAccount {
        username: "wg.member".into(),
        role: Role::WorkingGroupMember(PartyCode::JP, id.clone()),
        ..new.clone()
    };
    let wgm = store.create_account(&wgm, &who).await.unwrap();
    assert_eq!(wgm.role.body(), Some(&id));

    let now: Timestamp = "2027-02-11T00:00:00Z".parse().unwrap();
    let later: Timestamp = "2027-02-12T00:00:00Z".parse().unwrap();
    store
        .create_session(
            "sess-hash",
            acct.id,
            "csrf",
            later,
            &at("2027-02-11T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .session("sess-hash", now)
            .await
            .unwrap()
            .unwrap()
            .account
            .id,
        acct.id
    );
    assert!(
        store.session("sess-hash", later).await.unwrap().is_none(),
        "expired"
    );
    store.set_disabled(acct.id, true, &who).await.unwrap();
    assert!(
        store.session("sess-hash", now).await.unwrap().is_none(),
        "disabled ends sessions"
    );
    store.set_disabled(acct.id, false, &who).await.unwrap();

    let token = store
        .create_token(acct.id, "cli", "tok-hash", TokenScope::Read, None, &who)
        .await
        .unwrap();
    let (found, owner) = store.token_by_hash("tok-hash").await.unwrap().unwrap();
    assert_eq!((found.id, owner.id), (token.id, acct.id));
    store.revoke_token(token.id, &who).await.unwrap();
    let (revoked, _) = store.token_by_hash("tok-hash").await.unwrap().unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(matches!(
        store.revoke_token(token.id, &who).await.unwrap_err(),
        StoreError::NotFound(_)
    ));

    // The audit trail has every write, newest first, and cannot be rewritten.
    let events = store
        .list_audit(&AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for expected in [
        "participation.seed",
        "body.create",
        "participation.set",
        "body.update",
        "account.create",
        "session.sign-in",
        "account.disable",
        "token.create",
        "token.revoke",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    assert!(!actions.iter().any(|a| a.contains("stale")));
    assert_eq!(actions.first(), Some(&"token.revoke"));
    for sql in [
        "UPDATE audit_events SET actor = 'nobody'",
        "DELETE FROM audit_events",
        "DELETE FROM participation_changes",
        "UPDATE body_revisions SET name = 'x'",
    ] {
        let err = crate::raw_sql(url, sql).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
}

#[tokio::test]
async fn story_on_sqlite() {
    let (store, url, _dir) = crate::sqlite().await;
    story(&store, &url).await;
}

#[tokio::test]
async fn story_on_postgres() {
    match crate::postgres("story").await {
        Some((store, url)) => story(&store, &url).await,
        None => eprintln!("RSM_TEST_POSTGRES_URL not set: PostgreSQL story skipped (CI sets it)"),
    }
}

#[tokio::test]
async fn backup_and_restore_round_trip() {
    let (store, _url, dir) = crate::sqlite().await;
    let who = at("2026-01-01T09:00:00Z");
    store
        .seed_timeline(
            &Timeline::founding(date(2026, 1, 1), "Founding Declaration"),
            &who,
        )
        .await
        .unwrap();
    let backup = dir.path().join("backup.db");
    rsm_store::backup_sqlite(&store, &backup).await.unwrap();
    assert!(
        rsm_store::backup_sqlite(&store, &backup).await.is_err(),
        "never overwrites"
    );
    store.close().await;

    let live = dir.path().join("rsm.db");
    let refused = rsm_store::restore_sqlite(&backup, &live, false)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("--force"), "{refused}");
    let other = dir.path().join("fresh.db");
    rsm_store::restore_sqlite(&backup, &other, false)
        .await
        .unwrap();
    let restored = Store::open(&format!("sqlite://{}", other.display()))
        .await
        .unwrap();
    assert_eq!(
        restored
            .timeline()
            .await
            .unwrap()
            .participating_on(date(2026, 2, 1))
            .len(),
        5
    );
    let not_db = dir.path().join("junk.db");
    std::fs::write(&not_db, b"not a database").unwrap();
    assert!(
        rsm_store::restore_sqlite(&not_db, &other, true)
            .await
            .is_err()
    );
}
