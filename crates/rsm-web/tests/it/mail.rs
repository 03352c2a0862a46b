//! E-mail notices through a local SMTP sink: immediate notices to the concerned members
//! only (a restricted body's business never reaches outsiders), deadlines in the
//! recipient's zone and UTC, retries with backoff when the server refuses, and the daily
//! digest that reports adoption by silence from the events and the clock.

use std::sync::{Arc, Mutex};

use rsm_store::MailStore;
use rsm_web::{
    AppState, WebConfig,
    clock::Clock,
    mail::{Mailer, Round, SmtpConfig, SmtpTls},
};
use serde_json::json;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

use crate::TestApp;

/// A message the sink accepted.
#[derive(Debug, Clone)]
struct Received {
    to: Vec<String>,
    data: String,
}

impl Received {
    /// The subject, unfolded (a long header continues on lines that start with a space).
    fn subject(&self) -> String {
        let mut lines = self
            .data
            .split("\r\n")
            .skip_while(|l| !l.starts_with("Subject: "));
        let mut subject = lines
            .next()
            .map(|l| l["Subject: ".len()..].to_owned())
            .unwrap_or_default();
        for more in lines.take_while(|l| l.starts_with(' ') || l.starts_with('\t')) {
            subject.push_str(more);
        }
        subject
    }
    /// The body with quoted-printable soft breaks and escapes undone (enough for ASCII).
    fn text(&self) -> String {
        let body = self
            .data
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .unwrap_or_default();
        let joined = body.replace("=\r\n", "");
        let mut out = String::new();
        let mut chars = joined.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '=' {
                let hex: String = chars.clone().take(2).collect();
                if let Ok(b) = u8::from_str_radix(&hex, 16) {
                    out.push(b as char);
                    chars.next();
                    chars.next();
                    continue;
                }
            }
            out.push(c);
        }
        out
    }
    fn all(&self) -> String {
        format!("{}\n{}", self.subject(), self.text())
    }
}

/// A tiny SMTP server on 127.0.0.1: accepts everything, except that it answers `451` to the
/// first `refuse` MAIL commands (a temporary failure the sender must retry).
#[derive(Clone)]
struct Sink {
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<Mutex<usize>>,
}

impl Sink {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = Self {
            port: listener.local_addr().unwrap().port(),
            got: Arc::default(),
            refuse: Arc::default(),
        };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move { s.session(conn).await });
            }
        });
        sink
    }

    async fn session(&self, conn: tokio::net::TcpStream) {
        let (r, mut w) = conn.into_split();
        let mut lines = BufReader::new(r).lines();
        let _ = w.write_all(b"220 sink ESMTP\r\n").await;
        let mut to = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                b"250-sink\r\n250 8BITMIME\r\n"
            } else if upper.starts_with("MAIL FROM") {
                let mut refuse = self.refuse.lock().unwrap();
                if *refuse > 0 {
                    *refuse -= 1;
                    b"451 try again later\r\n"
                } else {
                    to.clear();
                    b"250 OK\r\n"
                }
            } else if upper.starts_with("RCPT TO:") {
                to.push(
                    line[8..]
                        .trim()
                        .trim_matches(|c| c == '<' || c == '>')
                        .to_owned(),
                );
                b"250 OK\r\n"
            } else if upper == "DATA" {
                let _ = w.write_all(b"354 go ahead\r\n").await;
                let mut data = String::new();
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                    data.push_str(&l);
                    data.push_str("\r\n");
                }
                self.got.lock().unwrap().push(Received {
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 accepted\r\n"
            } else if upper == "QUIT" {
                let _ = w.write_all(b"221 bye\r\n").await;
                return;
            } else {
                b"250 OK\r\n"
            };
            if w.write_all(reply).await.is_err() {
                return;
            }
        }
    }

    fn take(&self) -> Vec<Received> {
        std::mem::take(&mut *self.got.lock().unwrap())
    }
}

fn mailer(sink: &Sink) -> Mailer {
    Mailer::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port: sink.port,
        from: "RSM Secretariat <notices@rsm.example>".into(),
        tls: SmtpTls::None,
        username: None,
        password: None,
        digest_hour: 7,
    })
    .unwrap()
}

fn state(app: &TestApp) -> AppState {
    AppState::new(app.store.clone(), app.clock.clone(), WebConfig::default())
        .with_log(app.log.clone())
}

async fn subscribe(app: &TestApp, who: &str, mode: &str, zone: &str) {
    let r = app
        .call(
            "PUT",
            "/api/v1/me/preferences",
            who,
            Some(json!({"language": "en", "time_zone": zone})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .call(
            "PUT",
            "/api/v1/me/mail",
            who,
            Some(json!({"address": format!("{who}@example.org"), "mode": mode})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

fn to(msgs: &[Received], who: &str) -> Vec<Received> {
    let address = format!("{who}@example.org");
    msgs.iter()
        .filter(|m| m.to.contains(&address))
        .cloned()
        .collect()
}

fn subjects(msgs: &[Received]) -> Vec<String> {
    let mut s: Vec<String> = msgs.iter().map(Received::subject).collect();
    s.sort();
    s
}

#[tokio::test]
async fn settings_are_checked_and_kept_per_account() {
    let app = TestApp::new().await;
    let r = app
        .call("GET", "/api/v1/me/mail", "kr.delegate", None)
        .await;
    assert_eq!(r.status, 404);
    for (body, field) in [
        (
            json!({"address": "not an address", "mode": "digest"}),
            "address",
        ),
        (
            json!({"address": "a@example.org", "mode": "hourly"}),
            "mode",
        ),
    ] {
        let r = app
            .call("PUT", "/api/v1/me/mail", "kr.delegate", Some(body))
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.json["field"], field, "{}", r.text);
    }
    assert!(
        app.store.all_mail_settings().await.unwrap().is_empty(),
        "nothing stored on refusal"
    );
    let r = app
        .call(
            "PUT",
            "/api/v1/me/mail",
            "public",
            Some(json!({"address": "a@example.org", "mode": "digest"})),
        )
        .await;
    assert_eq!(r.status, 401);
    subscribe(&app, "kr.delegate", "digest", "Asia/Seoul").await;
    let r = app
        .call("GET", "/api/v1/me/mail", "kr.delegate", None)
        .await;
    assert_eq!(r.json["mode"], "digest");
    assert_eq!(r.json["address"], "kr.delegate@example.org");
}

#[tokio::test]
async fn immediate_notices_reach_concerned_members_only_and_are_retried() {
    let app = TestApp::new().await;
    let sink = Sink::start().await;
    let mailer = mailer(&sink);
    let state = state(&app);
    subscribe(&app, "officer", "immediate", "UTC").await;
    subscribe(&app, "kr.delegate", "immediate", "Asia/Seoul").await;
    subscribe(&app, "jp.delegate", "immediate", "Asia/Tokyo").await;
    subscribe(&app, "ru.auditor", "immediate", "Europe/Moscow").await;
    // Two meetings (one of the restricted peace-regime talks), two tabled drafts, KR's
    // action item: each written with its notice in the same transaction.
    crate::deliberation_matrix::seed(&app).await;
    assert_eq!(
        app.store.pending_mail_events(100).await.unwrap().len(),
        5,
        "2 meetings, 2 tablings, 1 action item… and nothing sent yet"
    );
    let r = app
        .call(
            "POST",
            "/api/v1/drafts/1/silence",
            "officer",
            Some(json!({"until": "2026-03-09T09:00:00+09:00"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .call(
            "POST",
            "/api/v1/drafts/2/silence",
            "officer",
            Some(json!({"until": "2026-03-10T09:00:00+09:00"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A refused request records no notice.
    let before = app.store.pending_mail_events(100).await.unwrap().len();
    let r = app
        .call(
            "POST",
            "/api/v1/drafts/1/positions",
            "jp.delegate",
            Some(json!({"party": "KR", "position": "objects", "reason": "x"})),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.text);
    assert_eq!(
        app.store.pending_mail_events(100).await.unwrap().len(),
        before
    );

    let round = rsm_web::mail::run_once(&state, &mailer).await.unwrap();
    assert_eq!(round.failed, 0, "{round:?}");
    let got = sink.take();
    assert_eq!(round.sent, got.len());

    let officer = to(&got, "officer");
    assert_eq!(
        subjects(&officer),
        vec![
            "[RSM] Meeting scheduled: First round (Talks on a Peace Regime for the Korean Peninsula)",
            "[RSM] Meeting scheduled: Second Ministerial Council (Ministerial Council)",
            "[RSM] Under silence: Confidence measures (Talks on a Peace Regime for the Korean Peninsula)",
            "[RSM] Under silence: Launch pre-notification (Ministerial Council)",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    );
    let kr = to(&got, "kr.delegate");
    assert_eq!(kr.len(), 5, "{:?}", subjects(&kr));
    let silence = kr
        .iter()
        .find(|m| m.subject().contains("Launch pre-notification"))
        .unwrap();
    let text = silence.text();
    assert!(
        text.contains("Deadline: 2026-03-09 09:00 KST (Asia/Seoul) = 2026-03-09 00:00 UTC"),
        "{text}"
    );
    let jp = to(&got, "jp.delegate");
    assert_eq!(
        subjects(&jp),
        vec![
            "[RSM] Meeting scheduled: Second Ministerial Council (Ministerial Council)",
            "[RSM] Under silence: Launch pre-notification (Ministerial Council)",
        ]
    );
    let jp_text = jp.iter().map(Received::all).collect::<String>();
    assert!(
        jp_text.contains("2026-03-09 09:00 JST (Asia/Tokyo)"),
        "{jp_text}"
    );
    // The restricted body's business never reaches an outsider, in any form.
    for m in &jp {
        let all = m.all();
        for secret in ["Peace", "First round", "Panmunjom", "Confidence measures"] {
            assert!(!all.contains(secret), "{secret} leaked to JP: {all}");
        }
    }
    assert!(
        to(&got, "ru.auditor").is_empty(),
        "an auditor is not concerned"
    );
    // Every message has exactly one recipient.
    assert!(got.iter().all(|m| m.to.len() == 1));

    // Silence broken by JP: the members hear of it at once. The server refuses the first
    // attempt; the message is retried after a minute, not before.
    *sink.refuse.lock().unwrap() = 1;
    let r = app
        .call(
            "POST",
            "/api/v1/drafts/1/positions",
            "jp.delegate",
            Some(json!({"party": "JP", "position": "objects", "reason": "route not agreed"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let round = rsm_web::mail::run_once(&state, &mailer).await.unwrap();
    assert_eq!((round.queued, round.failed), (3, 1), "{round:?}");
    let after_failure = sink.take();
    assert_eq!(after_failure.len(), 2);
    let failed = app
        .store
        .queued_mail(20)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.sent_at.is_none())
        .unwrap();
    assert_eq!(failed.attempts, 1);
    assert!(failed.last_error.as_deref().unwrap().contains("try again"));
    assert_eq!(
        failed.next_attempt_at,
        app.clock.now() + jiff::SignedDuration::from_mins(1)
    );
    let round = rsm_web::mail::run_once(&state, &mailer).await.unwrap();
    assert_eq!(round, Round::default(), "not due yet");
    app.clock.advance(jiff::SignedDuration::from_mins(1));
    let round = rsm_web::mail::run_once(&state, &mailer).await.unwrap();
    assert_eq!(round.sent, 1);
    let mut broken = after_failure;
    broken.extend(sink.take());
    assert_eq!(broken.len(), 3, "officer, KR and JP");
    for m in &broken {
        assert_eq!(
            m.subject(),
            "[RSM] Silence broken: Launch pre-notification (Ministerial Council)"
        );
        assert!(
            m.text().contains("broken by JP (an objection)"),
            "{}",
            m.text()
        );
    }
}

#[tokio::test]
async fn the_daily_digest_reports_adoption_by_silence_from_the_clock() {
    let app = TestApp::new().await;
    let sink = Sink::start().await;
    let mailer = mailer(&sink);
    let state = state(&app);
    // Settings saved at 11:00 in Seoul (before the seeded events of 12:00): the first
    // digest goes out after 07:00 Seoul on 2026-03-03.
    app.clock.set("2026-03-02T02:00:00Z".parse().unwrap());
    subscribe(&app, "kr.delegate", "digest", "Asia/Seoul").await;
    subscribe(&app, "jp.delegate", "immediate", "Asia/Tokyo").await;
    subscribe(&app, "officer", "none", "UTC").await;
    app.clock.set("2026-03-02T03:00:00Z".parse().unwrap());
    crate::deliberation_matrix::seed(&app).await;
    for (d, until) in [
        (1, "2026-03-02T20:00:00+09:00"),
        (2, "2026-03-02T21:00:00+09:00"),
    ] {
        let r = app
            .call(
                "POST",
                &format!("/api/v1/drafts/{d}/silence"),
                "officer",
                Some(json!({"until": until})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let round = rsm_web::mail::run_once(&state, &mailer).await.unwrap();
    let now = sink.take();
    assert_eq!(round.digests, 0);
    assert!(to(&now, "kr.delegate").is_empty(), "a digest reader waits");
    assert!(to(&now, "officer").is_empty(), "none means none");
    assert_eq!(to(&now, "jp.delegate").len(), 2, "meeting and silence");

    // Next morning in Seoul (22:30 UTC = 07:30 KST): the digest, computed now. Nobody read
    // the drafts, so no adoption was recorded; the digest finds it from the events.
    app.clock.set("2026-03-02T22:30:00Z".parse().unwrap());
    let round = rsm_web::mail::run_once(&state, &mailer).await.unwrap();
    assert_eq!(round.digests, 2, "{round:?}");
    let got = sink.take();
    let kr = to(&got, "kr.delegate");
    assert_eq!(kr.len(), 1);
    assert_eq!(kr[0].subject(), "[RSM] Daily digest 2026-03-03: 7 notices");
    let text = kr[0].text();
    for expected in [
        "Meeting scheduled: Second Ministerial Council (Ministerial Council)",
        "Meeting scheduled: First round (Talks on a Peace Regime for the Korean Peninsula)",
        "Under silence: Launch pre-notification (Ministerial Council)",
        "Adopted: Launch pre-notification (Ministerial Council)",
        "was adopted by silence (no objection before the deadline) on 2026-03-02 20:00 KST (Asia/Seoul) = 2026-03-02 11:00 UTC",
        "Adopted: Confidence measures (Talks on a Peace Regime for the Korean Peninsula)",
        "Action item assigned: Circulate the template",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }
    let jp = to(&got, "jp.delegate");
    assert_eq!(jp.len(), 1);
    let jp_text = jp[0].all();
    assert!(
        jp_text.contains("Adopted: Launch pre-notification"),
        "{jp_text}"
    );
    assert!(
        !jp_text.contains("Under silence"),
        "immediate readers had it already: {jp_text}"
    );
    for secret in ["Peace", "First round", "Confidence measures"] {
        assert!(!jp_text.contains(secret), "{secret} leaked: {jp_text}");
    }
    assert!(to(&got, "officer").is_empty());

    // The same morning again: nothing more.
    app.clock.set("2026-03-02T23:30:00Z".parse().unwrap());
    let round = rsm_web::mail::run_once(&state, &mailer).await.unwrap();
    assert_eq!(round, Round::default());
}

/// The message's text as sent, whatever transfer encoding the sender chose (base64 or
/// quoted-printable for non-ASCII text), decoded to UTF-8.
fn decoded_text(m: &Received) -> String {
    let (head, body) = m.data.split_once("\r\n\r\n").unwrap_or_default();
    let head = head.to_ascii_lowercase();
    let bytes = if head.contains("content-transfer-encoding: base64") {
        base64_decode(&body.replace("\r\n", ""))
    } else if head.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "");
        let mut out = Vec::new();
        let b = joined.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'='
                && i + 2 < b.len()
                && let Ok(v) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
            out.push(b[i]);
            i += 1;
        }
        out
    } else {
        body.as_bytes().to_vec()
    };
    String::from_utf8(bytes).expect("UTF-8 text")
}

/// The subject with RFC 2047 encoded words (`=?utf-8?b?…?=`) decoded.
fn decoded_subject(m: &Received) -> String {
    let raw = m.subject();
    let mut out = Vec::new();
    // Space between two encoded words is not part of the text; any other space is.
    let mut previous_encoded = false;
    for (i, word) in raw.split_whitespace().enumerate() {
        let encoded = word.to_ascii_lowercase().starts_with("=?utf-8?b?") && word.ends_with("?=");
        if i > 0 && !(encoded && previous_encoded) {
            out.push(b' ');
        }
        if encoded {
            out.extend(base64_decode(&word[10..word.len() - 2]));
        } else {
            out.extend(word.as_bytes());
        }
        previous_encoded = encoded;
    }
    String::from_utf8(out).expect("UTF-8 subject")
}

fn base64_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base64") as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[tokio::test]
async fn notices_are_written_in_each_recipients_language() {
    let app = TestApp::new().await;
    let sink = Sink::start().await;
    let mailer = mailer(&sink);
    let state = state(&app);
    subscribe(&app, "jp.delegate", "immediate", "Asia/Tokyo").await;
    subscribe(&app, "kr.delegate", "immediate", "Asia/Seoul").await;
    // KR's delegate reads RSM in Korean; the same notices reach them in Korean.
    let r = app
        .call(
            "PUT",
            "/api/v1/me/preferences",
            "kr.delegate",
            Some(json!({"language": "ko", "time_zone": "Asia/Seoul"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    crate::deliberation_matrix::seed(&app).await;
    let r = app
        .call(
            "POST",
            "/api/v1/drafts/1/silence",
            "officer",
            Some(json!({"until": "2026-03-09T09:00:00+09:00"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    rsm_web::mail::run_once(&state, &mailer).await.unwrap();
    let got = sink.take();

    let mut jp: Vec<(String, String)> = to(&got, "jp.delegate")
        .iter()
        .map(|m| (decoded_subject(m), decoded_text(m)))
        .collect();
    jp.sort();
    assert_eq!(jp.len(), 2);
    assert_eq!(
        jp[1].0,
        "[RSM] Under silence: Launch pre-notification (Ministerial Council)"
    );
    assert!(
        jp[1]
            .1
            .contains("Deadline: 2026-03-09 09:00 JST (Asia/Tokyo)"),
        "{}",
        jp[1].1
    );

    let kr: Vec<(String, String)> = to(&got, "kr.delegate")
        .iter()
        .map(|m| (decoded_subject(m), decoded_text(m)))
        .collect();
    let silence = kr
        .iter()
        .find(|(s, _)| s.contains("Launch pre-notification"))
        .unwrap_or_else(|| panic!("{kr:?}"));
    assert_eq!(
        silence.0,
        "[RSM] 묵시적 동의 절차 진행 중: Launch pre-notification (Ministerial Council)"
    );
    assert!(
        silence
            .1
            .contains("기한: 2026-03-09 09:00 KST (Asia/Seoul) = 2026-03-09 00:00 UTC"),
        "{}",
        silence.1
    );
    assert!(!silence.1.contains("Deadline"), "{}", silence.1);
    let meeting = kr
        .iter()
        .find(|(s, _)| s.contains("Second Ministerial Council"))
        .unwrap_or_else(|| panic!("{kr:?}"));
    assert!(
        meeting.0.starts_with("[RSM] 회의 일정 확정: "),
        "{}",
        meeting.0
    );
    assert!(meeting.1.contains("장소: Seoul"), "{}", meeting.1);

    // The daily digest too: KR switches to the digest and reads it in Korean.
    let r = app
        .call(
            "PUT",
            "/api/v1/me/mail",
            "kr.delegate",
            Some(json!({"address": "kr.delegate@example.org", "mode": "digest"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.clock.set("2026-03-09T22:30:00Z".parse().unwrap());
    rsm_web::mail::run_once(&state, &mailer).await.unwrap();
    let got = sink.take();
    let kr = to(&got, "kr.delegate");
    assert_eq!(kr.len(), 1, "{:?}", subjects(&got));
    let (subject, text) = (decoded_subject(&kr[0]), decoded_text(&kr[0]));
    assert!(
        subject.starts_with("[RSM] 일일 요약 2026-03-10: 알림 "),
        "{subject}"
    );
    assert!(text.contains("묵시적 동의로 (기한 전 이의 없음)"), "{text}");
    let jp = to(&got, "jp.delegate");
    assert!(
        jp.iter()
            .any(|m| decoded_text(m).contains("was adopted by silence")),
        "{:?}",
        subjects(&jp)
    );
}

#[tokio::test]
async fn the_account_page_saves_the_mail_preference() {
    use crate::documents_pages::{get, post};
    let app = TestApp::new().await;
    let page = get(&app, "/me", "kr.delegate").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("action=\"/me/mail\""), "{}", page.text);
    assert!(page.text.contains("id=\"mail-not-set\""));
    for (form, field) in [
        (
            [("address", "not an address"), ("mode", "digest")],
            "address",
        ),
        ([("address", "kr@example.org"), ("mode", "hourly")], "mode"),
    ] {
        let r = post(&app, "/me/mail", "kr.delegate", &form).await;
        assert_eq!(r.status, 422, "{field}: {}", r.text);
        assert!(
            r.text.contains(&format!("id=\"f-mail-{field}-error\"")),
            "{field}: {}",
            r.text
        );
        assert!(r.text.contains(&format!("value=\"{}\"", form[0].1)));
    }
    let r = post(
        &app,
        "/me/mail",
        "public",
        &[("address", "x@example.org"), ("mode", "none")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert!(
        app.store.all_mail_settings().await.unwrap().is_empty(),
        "nothing stored on refusal"
    );
    let r = post(
        &app,
        "/me/mail",
        "kr.delegate",
        &[("address", " kr@example.org "), ("mode", "digest")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let saved = app
        .store
        .mail_settings(app.ids["kr.delegate"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (saved.address.as_str(), saved.mode.as_str()),
        ("kr@example.org", "digest")
    );
    let page = get(&app, "/me", "kr.delegate").await;
    assert!(!page.text.contains("id=\"mail-not-set\""));
    assert!(page.text.contains("value=\"kr@example.org\""));
    assert!(
        page.text.contains("value=\"digest\" checked"),
        "{}",
        page.text
    );
    let api = app
        .call("GET", "/api/v1/me/mail", "kr.delegate", None)
        .await;
    assert_eq!(api.json["mode"], "digest");
}
