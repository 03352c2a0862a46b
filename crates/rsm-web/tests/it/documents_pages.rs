//! The document pages: the list (only what the reader may see — a restricted body's
//! documents are neither listed, counted, offered as a filter nor found by the search), the
//! secretariat's new-document form that assigns symbols (the next number of a series, the
//! next `/Rev.`, `/Add.`, `/Corr.`), bad input refused naming the field with nothing
//! stored, translations and issued versions from the document page (the uploaded bytes'
//! SHA-256 in the log), and the forbidden paths (delegates, outsiders, the signed-out).

use axum::{
    body::Body,
    http::{Request, header},
};
use jiff::Timestamp;
use rsm_core::document::{Language, Sha256, Symbol};
use rsm_store::{AccountStore, Attribution, DeliberationStore, StoredDocument};
use rsm_web::auth::secret_digest;
use serde_json::json;

use crate::{Reply, TestApp};

/// Opens (once) a session for `who`: cookie `sess-<who>`, CSRF token `csrf-<who>`.
pub(crate) async fn session(app: &TestApp, who: &str) -> String {
    let at: Timestamp = "2026-03-02T03:00:00Z".parse().unwrap();
    let digest = secret_digest(&format!("sess-{who}"));
    if app.store.session(&digest, at).await.unwrap().is_none() {
        app.store
            .create_session(
                &digest,
                app.ids[who],
                &format!("csrf-{who}"),
                "2026-03-03T03:00:00Z".parse().unwrap(),
                &Attribution::host_cli(at),
            )
            .await
            .unwrap();
    }
    format!("rsm_session=sess-{who}")
}

pub(crate) async fn get(app: &TestApp, path: &str, who: &str) -> Reply {
    let mut req = Request::builder().uri(path);
    if who != "public" {
        req = req.header(header::COOKIE, session(app, who).await);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

pub(crate) async fn post(app: &TestApp, path: &str, who: &str, form: &[(&str, &str)]) -> Reply {
    let csrf = format!("csrf-{who}");
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf", &csrf)
        .extend_pairs(form)
        .finish();
    let mut req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if who != "public" {
        req = req.header(header::COOKIE, session(app, who).await);
    }
    app.send(req.body(Body::from(body)).unwrap()).await
}

/// The issue form as a browser sends it (multipart, the file last).
async fn post_file(
    app: &TestApp,
    path: &str,
    who: &str,
    fields: &[(&str, &str)],
    file: &[u8],
) -> Reply {
    let cookie = session(app, who).await;
    let boundary = "----rsm-test-boundary";
    let mut body = Vec::new();
    let csrf = format!("csrf-{who}");
    for (k, v) in [("csrf", csrf.as_str())].iter().chain(fields) {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"text.txt\"\r\nContent-Type: text/plain\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn docs(app: &TestApp) -> Vec<StoredDocument> {
    app.store.documents().await.unwrap()
}

async fn symbols(app: &TestApp) -> Vec<String> {
    let mut s: Vec<String> = docs(app)
        .await
        .iter()
        .map(|d| d.symbol.to_string())
        .collect();
    s.sort();
    s
}

/// A new-document form with `extra` fields over sensible defaults.
fn new_doc<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("body", "ministerial-council"),
        ("assign", "series"),
        ("series", "DEC"),
        ("prefix", ""),
        ("numbering", "yearly"),
        ("follows", ""),
        ("follow_up", "rev"),
        ("distribution", "public"),
        ("language", "en"),
        ("title", "Draft decision on launch pre-notifications"),
    ];
    for (k, v) in extra {
        form.retain(|(f, _)| f != k);
        form.push((k, v));
    }
    form
}

fn location(r: &Reply) -> String {
    r.headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_secretariat_creates_documents_under_assigned_symbols() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    let form = get(&app, "/documents/new", "officer").await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(form.text.contains("name=\"series\""), "{}", form.text);

    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[], "MC.DEC/1/26"),
        (&[], "MC.DEC/2/26"),
        (&[("series", "gal"), ("prefix", "SEC")], "SEC.GAL/1/26"),
        (
            &[("series", "JOUR"), ("numbering", "continuous")],
            "MC.JOUR/1",
        ),
        (
            &[
                ("assign", "follows"),
                ("follows", "MC.DEC/1/26"),
                ("follow_up", "rev"),
            ],
            "MC.DEC/1/26/Rev.1",
        ),
        (
            &[
                ("assign", "follows"),
                ("follows", "MC.DEC/1/26"),
                ("follow_up", "corr"),
            ],
            "MC.DEC/1/26/Corr.1",
        ),
        (
            &[
                ("assign", "follows"),
                ("follows", "MC.DEC/1/26/Rev.1"),
                ("follow_up", "add"),
            ],
            "MC.DEC/1/26/Rev.1/Add.1",
        ),
    ];
    for (extra, expected) in cases {
        let r = post(&app, "/documents", "officer", &new_doc(extra)).await;
        assert_eq!(r.status, 303, "{expected}: {}", r.text);
        let d = docs(&app)
            .await
            .into_iter()
            .find(|d| d.symbol.to_string() == expected)
            .unwrap_or_else(|| panic!("{expected} not stored"));
        assert_eq!(location(&r), format!("/documents/{}", d.id));
        assert_eq!(d.versions.len(), 1);
        assert_eq!(d.versions[0].language, Language::En);
        assert_eq!(d.versions[0].status, "original");
    }
    // The API assigns the same way.
    let r = app
        .call(
            "POST",
            "/api/v1/documents",
            "officer",
            Some(
                json!({"series": "DEC", "body": "ministerial-council", "title": "Third",
                "distribution": "limited", "language": "ko"}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["symbol"], "MC.DEC/3/26");
    assert_eq!(r.json["versions"][0]["language"], "ko");
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_nothing_is_stored() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    let before = symbols(&app).await;
    let cases: [(&[(&str, &str)], &str); 8] = [
        (&[("title", "  ")], "title"),
        (&[("series", "DEC1")], "series"),
        (&[("series", "")], "series"),
        (&[("prefix", "WGS")], "prefix"),
        (&[("distribution", "secret")], "distribution"),
        (&[("language", "fr")], "language"),
        (
            &[
                ("assign", "follows"),
                ("follows", "MC.INF/9/26"),
                ("follow_up", "rev"),
            ],
            "follows",
        ),
        (
            &[
                ("assign", "follows"),
                ("follows", "MC.INF/1/26"),
                ("follow_up", "amend"),
            ],
            "follow_up",
        ),
    ];
    for (extra, field) in cases {
        let r = post(&app, "/documents", "officer", &new_doc(extra)).await;
        assert_eq!(r.status, 422, "{field}: {}", r.text);
        let id = format!("id=\"f-{}-error\"", field.replace('_', "-"));
        assert!(r.text.contains(&id), "{field}: {}", r.text);
    }
    // A follow-up belongs to the body of the document it follows.
    let r = post(
        &app,
        "/documents",
        "officer",
        &new_doc(&[
            ("body", "wg-security"),
            ("assign", "follows"),
            ("follows", "MC.INF/1/26"),
        ]),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("f-follows-error"), "{}", r.text);
    // The values sent are kept in the form.
    let r = post(
        &app,
        "/documents",
        "officer",
        &new_doc(&[("title", "Kept title"), ("series", "DEC1")]),
    )
    .await;
    assert!(r.text.contains("value=\"Kept title\""), "{}", r.text);
    // A symbol already assigned (the API's explicit symbol): refused naming the field.
    let r = app
        .call(
            "POST",
            "/api/v1/documents",
            "officer",
            Some(
                json!({"symbol": "MC.INF/1/26", "body": "ministerial-council", "title": "Again",
                "distribution": "public", "language": "en"}),
            ),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json["field"], "symbol");
    let r = app
        .call(
            "POST",
            "/api/v1/documents",
            "officer",
            Some(
                json!({"symbol": "MC.INF/3/26", "series": "INF", "body": "ministerial-council",
                "title": "Both", "distribution": "public", "language": "en"}),
            ),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(symbols(&app).await, before, "nothing stored");
}

#[tokio::test]
async fn a_restricted_document_cannot_be_followed_by_those_who_may_not_see_it() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    // The secretariat sees the peace talks' document; a follow-up in another body is
    // refused for the body, and one of a never-assigned symbol reads exactly the same as
    // one of a document the caller may not read would.
    let unknown = post(
        &app,
        "/documents",
        "officer",
        &new_doc(&[("assign", "follows"), ("follows", "PRT.INF/7/26")]),
    )
    .await;
    assert_eq!(unknown.status, 422);
    assert!(
        unknown
            .text
            .contains("no document has the symbol PRT.INF/7/26"),
        "{}",
        unknown.text
    );
    let r = post(
        &app,
        "/documents",
        "officer",
        &new_doc(&[
            ("body", "peace-regime-talks"),
            ("assign", "follows"),
            ("follows", "PRT.INF/1/26"),
            ("distribution", "restricted"),
        ]),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert!(
        symbols(&app)
            .await
            .contains(&"PRT.INF/1/26/Rev.1".to_owned())
    );
}

#[tokio::test]
async fn delegates_and_outsiders_may_not_create_translate_or_issue() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    let before = docs(&app).await;
    let r = get(&app, "/documents/new", "kr.delegate").await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = get(&app, "/documents/new", "public").await;
    assert_eq!(r.status, 303, "the signed-out are asked to sign in");
    assert!(location(&r).starts_with("/sign-in"));
    let r = post(&app, "/documents", "kr.delegate", &new_doc(&[])).await;
    assert_eq!(r.status, 403, "{}", r.text);
    // A delegate of a member party sees the restricted body's document but may not manage it.
    let r = post(
        &app,
        "/documents",
        "kr.delegate",
        &new_doc(&[("body", "peace-regime-talks")]),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // An outsider of the peace talks: the same "not found" as a body that does not exist.
    let outsider = post(
        &app,
        "/documents",
        "jp.delegate",
        &new_doc(&[("body", "peace-regime-talks")]),
    )
    .await;
    let missing = post(
        &app,
        "/documents",
        "jp.delegate",
        &new_doc(&[("body", "no-such-body")]),
    )
    .await;
    assert_eq!(outsider.status, 404);
    assert_eq!(outsider.text, missing.text);
    for (who, id, status) in [
        ("kr.delegate", 1, 403),
        ("ru.auditor", 1, 403),
        ("jp.delegate", 2, 404),
        ("cn.energy", 2, 404),
    ] {
        let r = post(
            &app,
            &format!("/documents/{id}/translations"),
            who,
            &[("language", "ko")],
        )
        .await;
        assert_eq!(r.status, status, "{who} translates {id}: {}", r.text);
        let r = post_file(
            &app,
            &format!("/documents/{id}/issue"),
            who,
            &[("language", "en"), ("revision", "1")],
            b"text",
        )
        .await;
        assert_eq!(r.status, status, "{who} issues {id}: {}", r.text);
    }
    // A form without the session's CSRF token is refused too.
    let cookie = session(&app, "officer").await;
    let r = app
        .send(
            Request::builder()
                .method("POST")
                .uri("/documents/1/translations")
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("csrf=wrong&language=ko"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(docs(&app).await, before, "nothing stored");
}

#[tokio::test]
async fn translations_are_requested_and_versions_issued_from_the_page() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    // Document 1 (MC.INF/1/26): its original is not issued yet.
    let page = get(&app, "/documents/1", "officer").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("action=\"/documents/1/translations\""));
    assert!(page.text.contains("action=\"/documents/1/issue\""));
    let delegate = get(&app, "/documents/1", "kr.delegate").await;
    assert_eq!(delegate.status, 200);
    assert!(!delegate.text.contains("/documents/1/translations"));
    assert!(!delegate.text.contains("/documents/1/issue"));

    let r = post(
        &app,
        "/documents/1/translations",
        "officer",
        &[("language", "ko")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = post(
        &app,
        "/documents/1/translations",
        "officer",
        &[("language", "ko")],
    )
    .await;
    assert_eq!(r.status, 422, "twice: {}", r.text);
    let r = post(
        &app,
        "/documents/1/translations",
        "officer",
        &[("language", "xx")],
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);

    // A translation is issued after its original.
    let r = post_file(
        &app,
        "/documents/1/issue",
        "officer",
        &[("language", "ko"), ("revision", "1")],
        "번역문".as_bytes(),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("document-error"), "{}", r.text);
    // An empty file is not a version.
    let r = post_file(
        &app,
        "/documents/1/issue",
        "officer",
        &[("language", "en"), ("revision", "1")],
        b"",
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let original = b"Template for launch pre-notifications, as issued.";
    let r = post_file(
        &app,
        "/documents/1/issue",
        "officer",
        &[("language", "en"), ("revision", "1")],
        original,
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let translated = "발사 사전 통보 양식.".as_bytes();
    let r = post_file(
        &app,
        "/documents/1/issue",
        "officer",
        &[("language", "ko"), ("revision", "1")],
        translated,
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    // A second issue from the same form: the version never changes.
    let r = post_file(
        &app,
        "/documents/1/issue",
        "officer",
        &[("language", "ko"), ("revision", "1")],
        b"other",
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.text);

    let doc = app
        .store
        .document(&Symbol::parse("MC.INF/1/26").unwrap())
        .await
        .unwrap()
        .unwrap();
    for (lang, bytes) in [(Language::En, &original[..]), (Language::Ko, translated)] {
        let v = doc.versions.iter().find(|v| v.language == lang).unwrap();
        assert_eq!(v.status, "issued");
        assert_eq!(v.digest, Some(Sha256::of(bytes)));
        let index = v.log_index.expect("entered in the log");
        let entry = app
            .call(
                "GET",
                &format!("/api/v1/log/entries/{index}"),
                "officer",
                None,
            )
            .await;
        assert_eq!(entry.status, 200, "{}", entry.text);
        assert!(entry.text.contains("document.issued"), "{}", entry.text);
        let content = app
            .call(
                "GET",
                &format!("/api/v1/documents/1/content/{lang}"),
                "kr.delegate",
                None,
            )
            .await;
        assert_eq!(content.text.as_bytes(), bytes);
    }
    let page = get(&app, "/documents/1", "kr.delegate").await;
    let history = page.text.split("id=\"document-history\"").nth(1).unwrap();
    assert!(history.contains(&Sha256::of(translated).to_string()));
}

#[tokio::test]
async fn the_list_shows_only_what_the_reader_may_see() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    app.store
        .request_translation(
            &Symbol::parse("MC.INF/2/26").unwrap(),
            Language::Ko,
            &Attribution::host_cli("2026-03-02T03:00:00Z".parse().unwrap()),
        )
        .await
        .unwrap();
    let member = get(&app, "/documents", "kr.delegate").await;
    assert_eq!(member.status, 200, "{}", member.text);
    for s in ["MC.INF/1/26", "MC.INF/2/26", "PRT.INF/1/26"] {
        assert!(member.text.contains(s), "{s}: {}", member.text);
    }
    assert!(member.text.contains("3 documents shown"));

    let outsider = get(&app, "/documents", "jp.delegate").await;
    assert_eq!(outsider.status, 200);
    assert!(outsider.text.contains("MC.INF/1/26"));
    assert!(
        outsider.text.contains("2 documents shown"),
        "{}",
        outsider.text
    );
    for hidden in ["PRT", "peace-regime-talks", "Peace Regime"] {
        assert!(
            !outsider.text.contains(hidden),
            "{hidden}: {}",
            outsider.text
        );
    }
    // Filtering by the hidden body shows nothing and says nothing.
    let r = get(&app, "/documents?body=peace-regime-talks", "jp.delegate").await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("documents-empty"), "{}", r.text);
    assert!(!r.text.contains("PRT"));
    let r = get(&app, "/documents?q=PRT", "jp.delegate").await;
    assert!(r.text.contains("documents-empty"), "{}", r.text);
    let r = get(&app, "/documents?q=PRT", "kr.delegate").await;
    assert!(r.text.contains("PRT.INF/1/26"), "{}", r.text);
    let api = app
        .call("GET", "/api/v1/search?q=information", "jp.delegate", None)
        .await;
    assert!(!api.text.contains("PRT"), "{}", api.text);

    // Filters: series, language with status; the search also reads issued texts.
    let r = get(
        &app,
        "/documents?language=ko&status=in-translation",
        "jp.delegate",
    )
    .await;
    assert!(
        r.text.contains("MC.INF/2/26") && !r.text.contains("MC.INF/1/26"),
        "{}",
        r.text
    );
    let r = get(&app, "/documents?status=issued", "jp.delegate").await;
    assert!(
        r.text.contains("MC.INF/2/26") && !r.text.contains("MC.INF/1/26"),
        "{}",
        r.text
    );
    let r = get(&app, "/documents?series=DEC", "jp.delegate").await;
    assert!(r.text.contains("documents-empty"));
    let r = get(&app, "/documents?q=issued+text", "jp.delegate").await;
    assert!(
        r.text.contains("MC.INF/2/26") && !r.text.contains("MC.INF/1/26"),
        "{}",
        r.text
    );
    let long = "x".repeat(201);
    let r = get(&app, &format!("/documents?q={long}"), "jp.delegate").await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("f-q-error"));

    // Only the secretariat is offered the new-document button.
    assert!(!outsider.text.contains("href=\"/documents/new\""));
    let officer = get(&app, "/documents", "officer").await;
    assert!(officer.text.contains("href=\"/documents/new\""));
    // The public reads public documents of public bodies.
    let public = get(&app, "/documents", "public").await;
    assert_eq!(public.status, 200);
    assert!(public.text.contains("MC.INF/1/26") && !public.text.contains("PRT"));
}

#[tokio::test]
async fn agenda_symbols_link_to_the_documents_a_reader_may_read() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    let r = get(&app, "/documents/symbol/MC.INF/2/26", "jp.delegate").await;
    assert_eq!(r.status, 303);
    assert_eq!(location(&r), "/documents/3");
    let hidden = get(&app, "/documents/symbol/PRT.INF/1/26", "jp.delegate").await;
    let missing = get(&app, "/documents/symbol/PRT.INF/9/26", "jp.delegate").await;
    assert_eq!(hidden.status, 404);
    assert_eq!(hidden.text, missing.text);
    let r = get(&app, "/documents/symbol/PRT.INF/1/26", "kr.delegate").await;
    assert_eq!(location(&r), "/documents/2");
    // An agenda item that names a document links to it.
    let r = post(
        &app,
        "/meetings/1/items",
        "officer",
        &[("title", "Information notes"), ("documents", "MC.INF/2/26")],
    )
    .await;
    assert!(r.status.is_redirection(), "{}", r.text);
    let page = get(&app, "/meetings/1", "jp.delegate").await;
    assert!(
        page.text.contains("href=\"/documents/symbol/MC.INF/2/26\""),
        "{}",
        page.text
    );
}

#[tokio::test]
async fn a_large_issued_file_that_is_not_text_is_served_as_a_download_of_its_exact_bytes() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    // Larger than the server's default body limit (64 KiB): the issue form takes files.
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n\xff\xfe\x00\x01\nendobj\n".to_vec();
    pdf.extend((0..200_000u32).map(|i| (i % 251) as u8));
    let pdf = &pdf[..];
    let r = post_file(
        &app,
        "/documents/1/issue",
        "officer",
        &[("language", "en"), ("revision", "1")],
        pdf,
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let req = Request::builder()
        .uri("/api/v1/documents/1/content/en")
        .header(header::AUTHORIZATION, "Bearer tok-jp.delegate")
        .body(Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "application/octet-stream"
    );
    assert_eq!(
        resp.headers()[header::CONTENT_DISPOSITION],
        "attachment; filename=\"MC.INF_1_26.en\""
    );
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(&bytes[..], pdf);
    let doc = docs(&app).await.into_iter().find(|d| d.id == 1).unwrap();
    assert_eq!(doc.versions[0].digest, Some(Sha256::of(pdf)));
}

#[tokio::test]
async fn the_list_is_paged_and_the_pages_keep_the_filters() {
    let app = TestApp::new().await;
    crate::deliberation_matrix::seed(&app).await;
    let before = docs(&app).await.len();
    for i in 0..55 {
        let title = format!("Information note {i}");
        let r = post(
            &app,
            "/documents",
            "officer",
            &new_doc(&[("series", "BRF"), ("title", &title)]),
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.text);
    }
    // Another series, filtered out below.
    let r = post(&app, "/documents", "officer", &new_doc(&[])).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(docs(&app).await.len(), before + 56);

    let rows = |text: &str| text.matches("<th scope=\"row\">").count();
    let first = get(&app, "/documents?series=BRF", "officer").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(rows(&first.text), 50, "a page holds 50 rows");
    assert!(
        first.text.contains("55 documents shown"),
        "only the BRF series counts"
    );
    assert!(first.text.contains("Page 1 of 2"), "{}", first.text);
    assert!(
        first
            .text
            .contains("href=\"/documents?series=BRF&#38;page=2\" rel=\"next\""),
        "the next page keeps the filter: {}",
        first.text
    );
    assert!(!first.text.contains("rel=\"prev\""));
    let second = get(&app, "/documents?series=BRF&page=2", "officer").await;
    assert_eq!(rows(&second.text), 5);
    assert!(second.text.contains("Page 2 of 2"));
    assert!(second.text.contains("rel=\"prev\""));
    assert!(!second.text.contains("rel=\"next\""));
    // The newest come first: together the two pages hold each note once.
    for i in 0..55 {
        let title = format!("Information note {i}<");
        let n = first.text.matches(&title).count() + second.text.matches(&title).count();
        assert_eq!(n, 1, "{title}");
    }
    // Past the end: the last page.
    let past = get(&app, "/documents?series=BRF&page=9", "officer").await;
    assert_eq!((past.status.as_u16(), rows(&past.text)), (200, 5));
    // One page only: no pager.
    let one = get(&app, "/documents?series=DEC", "officer").await;
    assert!(!one.text.contains("class=\"pager\""), "{}", one.text);
    // A page that is not a whole number from 1 is refused, naming the field.
    for bad in ["0", "-1", "two"] {
        let r = get(&app, &format!("/documents?page={bad}"), "officer").await;
        assert_eq!(r.status, 422, "page={bad}: {}", r.text);
        assert!(r.text.contains("page"), "{}", r.text);
    }
    // The signed-out reader pages through the same public notes, and never sees the
    // restricted peace-talks papers on any page.
    for n in 1..=2 {
        let public = get(&app, &format!("/documents?page={n}"), "public").await;
        assert_eq!(public.status, 200);
        assert!(!public.text.contains("PRT"), "{}", public.text);
    }
    let public = get(&app, "/documents?series=BRF&page=2", "public").await;
    assert_eq!(rows(&public.text), 5);
}
