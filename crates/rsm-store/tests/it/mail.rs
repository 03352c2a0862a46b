//! The mail story: a notable event leaves its outbox row in its own transaction (and none
//! when it fails), expansion queues messages once, a digest period moves only from where it
//! was, and delivery attempts are recorded (retry, send, abandon). On each backend.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rsm_core::{access::Role, body::BodyId, party::PartyCode};
use rsm_store::{
    AccountStore, Attribution, DeliberationStore, MailEventKind, MailMode, MailStore, NewAccount,
    NewMail, NewMeeting, Store,
};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn story(store: &Store) {
    let who = Attribution::host_cli(ts("2026-03-01T09:00:00Z"));
    let account = store
        .create_account(
            &NewAccount {
                username: "kr.delegate".into(),
                display_name: "KR".into(),
                role: Role::Delegate(PartyCode::KR),
                password_hash: None,
                language: "en".into(),
                time_zone: "Asia/Seoul".into(),
            },
            &who,
        )
        .await
        .unwrap();
    assert!(store.mail_settings(account.id).await.unwrap().is_none());
    let s = store
        .set_mail_settings(account.id, "kr@example.org", MailMode::Digest, &who)
        .await
        .unwrap();
    assert_eq!(s.digest_since, who.at);
    let later = Attribution::host_cli(ts("2026-03-01T10:00:00Z"));
    let s = store
        .set_mail_settings(account.id, "kr2@example.org", MailMode::Immediate, &later)
        .await
        .unwrap();
    assert_eq!(
        (s.address.as_str(), s.mode, s.digest_since),
        ("kr2@example.org", MailMode::Immediate, who.at),
        "an update keeps the digest period"
    );

    let meeting = NewMeeting {
        body: BodyId::parse("ministerial-council").unwrap(),
        title: "Council".into(),
        start: ts("2026-04-20T00:00:00Z"),
        end: ts("2026-04-20T08:00:00Z"),
        zone: "Asia/Seoul".into(),
        venue: Some("Seoul".into()),
        link: None,
        chair: PartyCode::CN,
        chair_override: None,
        delegations: BTreeMap::new(),
        timetable: vec![],
    };
    let m = store.create_meeting(&meeting, &later).await.unwrap();
    let pending = store.pending_mail_events(10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (pending[0].kind, pending[0].subject_id, pending[0].at),
        (MailEventKind::MeetingScheduled, m, later.at)
    );
    // A change from a stale revision is a conflict and leaves no notice; a current one
    // leaves a "changed" notice.
    let moved = NewMeeting {
        venue: Some("Busan".into()),
        ..meeting.clone()
    };
    assert!(matches!(
        store.update_meeting(m, 7, &moved, &later).await,
        Err(rsm_store::StoreError::Conflict(_))
    ));
    assert_eq!(store.pending_mail_events(10).await.unwrap().len(), 1);
    assert_eq!(store.update_meeting(m, 1, &moved, &later).await.unwrap(), 2);
    let changed = store.pending_mail_events(10).await.unwrap().pop().unwrap();
    assert_eq!(
        (changed.kind, changed.subject_id),
        (MailEventKind::MeetingChanged, m)
    );
    assert_eq!(
        store
            .meeting(m)
            .await
            .unwrap()
            .unwrap()
            .meeting
            .venue
            .as_deref(),
        Some("Busan")
    );
    let pending: Vec<_> = pending.into_iter().chain([changed]).collect();
    // A write that fails (end before start violates the table's check) leaves no event.
    let bad = NewMeeting {
        end: ts("2026-04-19T00:00:00Z"),
        ..meeting.clone()
    };
    assert!(store.create_meeting(&bad, &later).await.is_err());
    assert_eq!(store.pending_mail_events(10).await.unwrap().len(), 2);

    let mail = NewMail {
        account_id: account.id,
        address: "kr2@example.org".into(),
        subject: "[RSM] Meeting scheduled".into(),
        body: "Council".into(),
    };
    let now = ts("2026-03-01T10:01:00Z");
    assert!(
        store
            .expand_mail_event(pending[0].id, std::slice::from_ref(&mail), now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .expand_mail_event(pending[0].id, std::slice::from_ref(&mail), now)
            .await
            .unwrap(),
        "expanded once only"
    );
    assert!(
        store
            .expand_mail_event(pending[1].id, &[], now)
            .await
            .unwrap()
    );
    assert!(store.pending_mail_events(10).await.unwrap().is_empty());
    assert_eq!(
        store.mail_events_between(who.at, now).await.unwrap().len(),
        2
    );
    let due = store.due_mail(now, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].mail, mail);

    // A failed attempt is retried later, then sent.
    let retry = ts("2026-03-01T10:02:00Z");
    store
        .mark_mail_failed(due[0].id, "451 try later", Some(retry), now)
        .await
        .unwrap();
    assert!(store.due_mail(now, 10).await.unwrap().is_empty());
    let again = store.due_mail(retry, 10).await.unwrap();
    assert_eq!(
        (again[0].attempts, again[0].last_error.as_deref()),
        (1, Some("451 try later"))
    );
    store.mark_mail_sent(again[0].id, retry).await.unwrap();
    assert!(store.due_mail(retry, 10).await.unwrap().is_empty());
    let q = &store.queued_mail(10).await.unwrap()[0];
    assert_eq!((q.sent_at, q.attempts), (Some(retry), 2));

    // Digests: the period moves only from where it was; the message comes with it.
    let digest = NewMail {
        subject: "[RSM] Daily digest".into(),
        ..mail.clone()
    };
    let until = ts("2026-03-01T22:00:00Z");
    assert!(
        store
            .queue_digest(account.id, who.at, until, Some(&digest), until)
            .await
            .unwrap()
    );
    assert!(
        !store
            .queue_digest(account.id, who.at, until, Some(&digest), until)
            .await
            .unwrap(),
        "a second sender with the old period queues nothing"
    );
    assert_eq!(
        store
            .mail_settings(account.id)
            .await
            .unwrap()
            .unwrap()
            .digest_since,
        until
    );
    let due = store.due_mail(until, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].event_id, None);
    store
        .mark_mail_failed(due[0].id, "550 no such user", None, until)
        .await
        .unwrap();
    let q = &store.queued_mail(10).await.unwrap()[0];
    assert_eq!(q.abandoned_at, Some(until));
    assert!(
        store
            .due_mail(ts("2027-01-01T00:00:00Z"), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn mail_story_on_sqlite() {
    let (store, _url, _dir) = crate::sqlite().await;
    story(&store).await;
}

#[tokio::test]
async fn mail_story_on_postgres() {
    match crate::postgres("mail").await {
        Some((store, _url)) => story(&store).await,
        None => eprintln!("RSM_TEST_POSTGRES_URL not set: PostgreSQL story skipped (CI sets it)"),
    }
}
