//! The economic working group's planning over the API and the pages: scenarios with
//! optimistic versioning, background runs to a result with ENTSOG's indicators, runs resumed
//! after a restart, results attached to agenda items with their hashes, side-by-side
//! comparison, and who may do what.

use std::time::Duration;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use jiff::Timestamp;
use rsm_store::{AccountStore, Attribution, EnergyStore, RunStatus};
use rsm_web::{AppState, WebConfig, auth::secret_digest, clock::Clock};
use serde_json::{Value, json};

use crate::{Reply, TestApp};

async fn ok(app: &TestApp, method: &str, path: &str, who: &str, body: Value) -> Value {
    let r = app.call(method, path, who, Some(body)).await;
    assert!(
        r.status.is_success(),
        "{method} {path} as {who}: {} {}",
        r.status,
        r.text
    );
    r.json
}

fn problem(r: &Reply, status: u16, field: Option<&str>) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(
        r.headers[header::CONTENT_TYPE],
        "application/problem+json",
        "{}",
        r.text
    );
    if let Some(f) = field {
        assert_eq!(r.json["field"], f, "{}", r.text);
    }
}

/// Polls a run until it is finished (the planner runs on the blocking pool).
async fn finished(app: &TestApp, id: i64) -> Value {
    for _ in 0..1200 {
        let r = app
            .call(
                "GET",
                &format!("/api/v1/energy/runs/{id}"),
                "kr.delegate",
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        if r.json["status"] == "done" || r.json["status"] == "failed" {
            return r.json;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("run {id} did not finish in two minutes");
}

async fn economic_item(app: &TestApp, body: &str) -> i64 {
    let m = ok(
        app,
        "POST",
        "/api/v1/meetings",
        "officer",
        json!({"body": body, "title": "Working group session",
               "start": "2026-05-12T10:00", "end": "2026-05-12T12:00", "time_zone": "Asia/Seoul",
               "venue": "Seoul"}),
    )
    .await;
    let mid = m["id"].as_i64().unwrap();
    let item = ok(
        app,
        "POST",
        &format!("/api/v1/meetings/{mid}/items"),
        "officer",
        json!({"title": "Pipeline options", "basket": "economic"}),
    )
    .await;
    item["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_working_group_keeps_scenarios_runs_them_and_attaches_a_result() {
    let app = TestApp::new().await;
    let scenarios = "/api/v1/energy/scenarios";

    // Who may write scenarios: the economic working group and the secretariat only.
    let body = json!({"name": "no-KP-transit", "toml": "exclude_transit = [\"KP\"]\n"});
    problem(
        &app.call("POST", scenarios, "public", Some(body.clone()))
            .await,
        401,
        None,
    );
    for who in ["kr.delegate", "ru.auditor", "kr.redcross"] {
        problem(
            &app.call("POST", scenarios, who, Some(body.clone())).await,
            403,
            None,
        );
    }
    let s = ok(&app, "POST", scenarios, "cn.energy", body.clone()).await;
    let sid = s["id"].as_i64().unwrap();
    assert_eq!(s["revision"], 1);

    // Bad input names the field and stores nothing.
    let bad = app
        .call(
            "POST",
            scenarios,
            "cn.energy",
            Some(json!({"name": "typo", "toml": "cut_links = [\"NO_SUCH_PIPE\"]"})),
        )
        .await;
    problem(&bad, 422, Some("toml"));
    assert!(
        bad.json["detail"]
            .as_str()
            .unwrap()
            .contains("NO_SUCH_PIPE")
    );
    let bad = app
        .call(
            "POST",
            scenarios,
            "cn.energy",
            Some(json!({"name": "x", "toml": "demand_growth = \"lots\""})),
        )
        .await;
    problem(&bad, 422, Some("toml"));
    problem(
        &app.call(
            "POST",
            scenarios,
            "cn.energy",
            Some(json!({"name": " ", "toml": ""})),
        )
        .await,
        422,
        Some("name"),
    );
    problem(
        &app.call("POST", scenarios, "officer", Some(body)).await,
        409,
        None,
    );
    let list = app.call("GET", scenarios, "kr.delegate", None).await;
    assert_eq!(list.json.as_array().unwrap().len(), 1, "{}", list.text);

    // Two edits of revision 1: the second is refused and loses nothing silently.
    let path = format!("{scenarios}/{sid}");
    let edit = |toml: &str| json!({"name": "no-KP-transit", "toml": toml, "revision": 1});
    ok(
        &app,
        "PUT",
        &path,
        "cn.energy",
        edit("exclude_transit = [\"KP\"]\ndemand_growth = 1.05\n"),
    )
    .await;
    let stale = app
        .call(
            "PUT",
            &path,
            "officer",
            Some(edit("exclude_transit = [\"KP\"]\n")),
        )
        .await;
    problem(&stale, 409, None);
    assert!(stale.json["detail"].as_str().unwrap().contains("revision"));
    let now = app.call("GET", &path, "kr.delegate", None).await;
    assert_eq!(now.json["revision"], 2);
    assert!(now.json["toml"].as_str().unwrap().contains("1.05"));

    // Runs: any signed-in account reads them; only planners start them.
    problem(
        &app.call(
            "POST",
            "/api/v1/energy/runs",
            "kr.delegate",
            Some(json!({})),
        )
        .await,
        403,
        None,
    );
    problem(
        &app.call(
            "POST",
            "/api/v1/energy/runs",
            "cn.energy",
            Some(json!({"scenario": 999})),
        )
        .await,
        404,
        Some("scenario"),
    );
    let base = app
        .call("POST", "/api/v1/energy/runs", "cn.energy", Some(json!({})))
        .await;
    assert_eq!(base.status, StatusCode::ACCEPTED, "{}", base.text);
    let no_kp = ok(
        &app,
        "POST",
        "/api/v1/energy/runs",
        "officer",
        json!({"scenario": sid}),
    )
    .await;
    let base = finished(&app, base.json["id"].as_i64().unwrap()).await;
    let no_kp = finished(&app, no_kp["id"].as_i64().unwrap()).await;
    assert_eq!(base["status"], "done", "{base}");
    assert_eq!(no_kp["status"], "done", "{no_kp}");
    assert_eq!(no_kp["scenario"], "no-KP-transit");
    let objective = |r: &Value| r["result"]["objective"].as_f64().unwrap();
    // Excluding KP transit and growing demand can only cost more.
    assert!(objective(&no_kp) > objective(&base));
    assert_eq!(base["steps_done"], base["steps_total"]);
    // The ENTSOG indicators are part of the result.
    let countries = base["result"]["countries"].as_array().unwrap();
    assert!(
        countries
            .iter()
            .any(|c| c["remaining_flexibility"].is_number())
    );
    assert!(!base["result"]["disruptions"].as_array().unwrap().is_empty());
    assert_eq!(base["input_hash"], base["result"]["input_hash"]);

    // Attaching the result to an agenda item of the economic working group.
    let item = economic_item(&app, "wg-economic").await;
    let run = no_kp["id"].as_i64().unwrap();
    let attach = format!("/api/v1/energy/runs/{run}/attachments");
    problem(
        &app.call(
            "POST",
            &attach,
            "kr.delegate",
            Some(json!({"agenda_item": item})),
        )
        .await,
        403,
        None,
    );
    problem(
        &app.call("POST", &attach, "cn.energy", Some(json!({})))
            .await,
        422,
        Some("agenda_item"),
    );
    let a = ok(
        &app,
        "POST",
        &attach,
        "cn.energy",
        json!({"agenda_item": item}),
    )
    .await;
    assert_eq!(a["input_hash"], no_kp["input_hash"]);
    assert_eq!(a["result_hash"], no_kp["result_hash"]);
    problem(
        &app.call(
            "POST",
            &attach,
            "cn.energy",
            Some(json!({"agenda_item": item})),
        )
        .await,
        409,
        None,
    );
    // An agenda item of a restricted body the member may not see is not found.
    let hidden = economic_item(&app, "peace-regime-talks").await;
    problem(
        &app.call(
            "POST",
            &attach,
            "cn.energy",
            Some(json!({"agenda_item": hidden})),
        )
        .await,
        404,
        None,
    );
    let shown = app
        .call(
            "GET",
            &format!("/api/v1/energy/runs/{run}"),
            "jp.delegate",
            None,
        )
        .await;
    assert_eq!(shown.json["attachments"].as_array().unwrap().len(), 1);

    // A run without a result cannot be attached.
    let who = Attribution::host_cli(app.clock.now());
    let pending = app
        .store
        .queue_energy_run("nea14-daily", None, None, "", 1, &who)
        .await
        .unwrap();
    problem(
        &app.call(
            "POST",
            &format!("/api/v1/energy/runs/{pending}/attachments"),
            "cn.energy",
            Some(json!({"agenda_item": item})),
        )
        .await,
        409,
        None,
    );
}

#[tokio::test]
async fn a_run_acknowledged_before_a_crash_is_finished_at_the_next_start() {
    let app = TestApp::new().await;
    let who = Attribution::host_cli(app.clock.now());
    let id = app
        .store
        .queue_energy_run(
            "nea14-daily",
            None,
            Some("growth"),
            "demand_growth = 1.1\n",
            5,
            &who,
        )
        .await
        .unwrap();
    // Left "running" by a process that died mid-way.
    app.store.energy_run_progress(id, 2, 5).await.unwrap();
    let state = AppState::new(app.store.clone(), app.clock.clone(), WebConfig::default());
    assert_eq!(rsm_web::energy::resume(&state).await.unwrap(), 1);
    let run = finished(&app, id).await;
    assert_eq!(run["status"], "done", "{run}");
    let stored = app.store.energy_run(id).await.unwrap().unwrap();
    assert_eq!(stored.status, RunStatus::Done);
    assert!(stored.finished_at.is_some());
    // Nothing is left to resume, and the same input gives the same result hash.
    assert_eq!(rsm_web::energy::resume(&state).await.unwrap(), 0);
    let again = rsm_web::energy::compute(
        "nea14-daily",
        None,
        "demand_growth = 1.1\n",
        &|_| {},
        &|| {},
    )
    .unwrap();
    assert_eq!(Some(again.result_hash), stored.result_hash);
}

async fn session(app: &TestApp, who: &str) -> String {
    let at: Timestamp = "2026-03-02T03:00:00Z".parse().unwrap();
    app.store
        .create_session(
            &secret_digest(&format!("sess-{who}")),
            app.ids[who],
            &format!("csrf-{who}"),
            "2026-03-03T03:00:00Z".parse().unwrap(),
            &Attribution::host_cli(at),
        )
        .await
        .unwrap();
    format!("rsm_session=sess-{who}")
}

async fn get(app: &TestApp, path: &str, cookie: &str) -> Reply {
    let req = Request::builder()
        .uri(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    app.send(req).await
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &str) -> Reply {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn the_planning_pages_run_compare_and_refuse_what_they_must() {
    let app = TestApp::new().await;
    let cn = session(&app, "cn.energy").await;
    let kr = session(&app, "kr.delegate").await;

    // A delegate reads the page but has no forms.
    let page = get(&app, "/energy/runs", &kr).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(!page.text.contains("action=\"/energy/scenarios\""));
    let refused = post_form(
        &app,
        "/energy/scenarios",
        &kr,
        "csrf=csrf-kr.delegate&name=x&toml=",
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The working group adds a scenario; a bad one is shown inline and not stored.
    let page = get(&app, "/energy/runs", &cn).await;
    assert!(page.text.contains("action=\"/energy/scenarios\""));
    let bad = post_form(
        &app,
        "/energy/scenarios",
        &cn,
        "csrf=csrf-cn.energy&name=bad&toml=cut_supplies+%3D+%5B%22Nowhere%22%5D",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text.contains("toml:") && bad.text.contains("Nowhere"),
        "{}",
        bad.text
    );
    assert!(app.store.energy_scenarios().await.unwrap().is_empty());
    let saved = post_form(
        &app,
        "/energy/scenarios",
        &cn,
        "csrf=csrf-cn.energy&name=growth&toml=demand_growth+%3D+1.2",
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let sid = app.store.energy_scenarios().await.unwrap()[0].id;

    // Runs started from the page; the status fragment polls until done.
    let started = post_form(&app, "/energy/runs", &cn, "csrf=csrf-cn.energy&scenario=").await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let a = started.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let started = post_form(
        &app,
        "/energy/runs",
        &cn,
        &format!("csrf=csrf-cn.energy&scenario={sid}"),
    )
    .await;
    let b = started.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let (a, b) = (
        a.rsplit('/').next().unwrap().parse::<i64>().unwrap(),
        b.rsplit('/').next().unwrap().parse::<i64>().unwrap(),
    );
    finished(&app, a).await;
    finished(&app, b).await;
    let status = get(&app, &format!("/energy/runs/{b}/status"), &kr).await;
    assert_eq!(status.headers["hx-refresh"], "true");
    let run = get(&app, &format!("/energy/runs/{b}"), &kr).await;
    assert_eq!(run.status, StatusCode::OK);
    assert!(run.text.contains("growth"));
    assert!(run.text.contains("Remaining flexibility"));
    assert!(run.text.contains("class=\"pipe flow-"));

    // Side by side: both runs, the differing rows marked.
    let cmp = get(&app, &format!("/energy/compare?run={a}&run={b}"), &kr).await;
    assert_eq!(cmp.status, StatusCode::OK, "{}", cmp.text);
    assert!(cmp.text.contains(&format!("/energy/runs/{a}")));
    assert!(cmp.text.contains(&format!("/energy/runs/{b}")));
    assert!(cmp.text.contains("class=\"differs\""));
    let one = get(&app, &format!("/energy/compare?run={a}"), &kr).await;
    assert_eq!(one.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The stale edit is refused with the conflict shown, the stored text kept.
    let stale = post_form(
        &app,
        &format!("/energy/scenarios/{sid}"),
        &cn,
        "csrf=csrf-cn.energy&revision=0&name=growth&toml=demand_growth+%3D+9",
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    let kept = app.store.energy_scenario(sid).await.unwrap().unwrap();
    assert!(kept.text.contains("1.2"));
}

#[tokio::test]
async fn a_network_is_edited_as_its_csv_files_checked_line_by_line_and_run() {
    let app = TestApp::new().await;
    let shipped = rsm_energy::run::load_network("nea14-daily").unwrap();
    let mut files = rsm_energy::csv::to_files(&shipped);
    let networks = "/api/v1/energy/networks";
    let input = |files: &rsm_energy::csv::Files, revision: Option<i64>| json!({"name": "nea14 with a bigger Power of Siberia", "files": files, "revision": revision});
    problem(
        &app.call("POST", networks, "kr.delegate", Some(input(&files, None)))
            .await,
        403,
        None,
    );
    // A negative capacity on line 3 of links.csv: the file, line and column are named.
    let links = files["links.csv"].clone();
    let mut lines: Vec<String> = links.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let p_nom = header.iter().position(|h| *h == "p_nom").unwrap();
    let mut cells: Vec<String> = lines[2].split(',').map(str::to_owned).collect();
    cells[p_nom] = "-5".into();
    lines[2] = cells.join(",");
    files.insert("links.csv".into(), lines.join("\n") + "\n");
    let bad = app
        .call("POST", networks, "cn.energy", Some(input(&files, None)))
        .await;
    problem(&bad, 422, Some("files.links.csv"));
    let rule = bad.json["rule"].as_str().unwrap();
    assert!(rule.contains("line 3") && rule.contains("p_nom"), "{rule}");
    problem(
        &app.call(
            "POST",
            networks,
            "cn.energy",
            Some(json!({"name": "x", "files": {"pipes.csv": "a,b\n"}})),
        )
        .await,
        422,
        Some("files.pipes.csv"),
    );
    assert!(app.store.energy_networks().await.unwrap().is_empty());

    // A valid edit: twice the capacity on that link.
    cells[p_nom] = format!("{}", shipped.links[1].p_nom * 2.0 + 10.0);
    lines[2] = cells.join(",");
    files.insert("links.csv".into(), lines.join("\n") + "\n");
    let n = ok(&app, "POST", networks, "cn.energy", input(&files, None)).await;
    let nid = n["id"].as_i64().unwrap();
    assert_eq!(n["revision"], 1);
    let stale = app
        .call(
            "PUT",
            &format!("{networks}/{nid}"),
            "officer",
            Some(input(&files, Some(0))),
        )
        .await;
    problem(&stale, 409, None);

    let run = ok(
        &app,
        "POST",
        "/api/v1/energy/runs",
        "cn.energy",
        json!({"network": nid}),
    )
    .await;
    let run = finished(&app, run["id"].as_i64().unwrap()).await;
    assert_eq!(run["status"], "done", "{run}");
    assert_eq!(run["network"], "nea14 with a bigger Power of Siberia");
    let base = rsm_web::energy::compute("nea14-daily", None, "", &|_| {}, &|| {}).unwrap();
    assert_ne!(
        run["input_hash"],
        base.input_hash.as_str(),
        "a different network"
    );
    // The page shows the files for editing.
    let cookie = session(&app, "cn.energy").await;
    let page = get(&app, &format!("/energy/networks/{nid}"), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("id=\"file-links\""));
}

/// Seeds, with fixed ids: scenario 1 (`growth`), network 1 (a copy of the shipped one) and
/// run 1 (the base case, finished with a small result), for the access matrix.
pub async fn seed(app: &TestApp) {
    let who = Attribution::host_cli("2026-03-02T03:00:00Z".parse().unwrap());
    let s = &app.store;
    let scenario = s
        .create_energy_scenario("growth", "demand_growth = 1.1\n", &who)
        .await
        .unwrap();
    let network = s
        .create_energy_network("copy", &shipped_files_json(), &who)
        .await
        .unwrap();
    let run = s
        .queue_energy_run("nea14-daily", None, None, "", 1, &who)
        .await
        .unwrap();
    let result = rsm_web::energy::RunResult {
        network: "nea14-daily".into(),
        scenario: String::new(),
        objective: 1.0,
        cost_supply: 1.0,
        cost_capital: 0.0,
        cost_operation: 0.0,
        cost_unserved: 0.0,
        builds: vec![],
        buses: vec![],
        links: vec![],
        unserved: vec![],
        countries: vec![],
        disruptions: vec![],
        variables: 1,
        constraints: 1,
        input_hash: "aa".into(),
        result_hash: "bb".into(),
    };
    s.finish_energy_run(
        run,
        &rsm_store::RunOutcome::Done {
            input_hash: "aa".into(),
            result_hash: "bb".into(),
            result: serde_json::to_string(&result).unwrap(),
        },
        who.at,
    )
    .await
    .unwrap();
    assert_eq!((scenario, network, run), (1, 1, 1));
}

fn shipped_files_json() -> String {
    let shipped = rsm_energy::run::load_network("nea14-daily").unwrap();
    serde_json::to_string(&rsm_energy::csv::to_files(&shipped)).unwrap()
}

/// Method, route, path, body and the expected status per role.
type MatrixRow = (&'static str, &'static str, String, Option<Value>, [u16; 8]);

/// The access-matrix rows of `/api/v1/energy` (run against [`seed`]): any signed-in account
/// reads; the economic working group and the secretariat write.
pub fn matrix_rows() -> Vec<MatrixRow> {
    const READ: [u16; 8] = [401, 200, 200, 200, 200, 200, 200, 200];
    let write = |ok: u16| [401, ok, ok, 403, 403, 403, 403, ok];
    let files: Value = serde_json::from_str(&shipped_files_json()).unwrap();
    vec![
        (
            "GET",
            "/api/v1/energy/scenarios",
            "/api/v1/energy/scenarios".into(),
            None,
            READ,
        ),
        (
            "POST",
            "/api/v1/energy/scenarios",
            "/api/v1/energy/scenarios".into(),
            Some(json!({"name": "other", "toml": ""})),
            write(201),
        ),
        (
            "GET",
            "/api/v1/energy/scenarios/{id}",
            "/api/v1/energy/scenarios/1".into(),
            None,
            READ,
        ),
        (
            "PUT",
            "/api/v1/energy/scenarios/{id}",
            "/api/v1/energy/scenarios/1".into(),
            Some(json!({"name": "growth", "toml": "demand_growth = 1.2\n", "revision": 1})),
            write(200),
        ),
        (
            "GET",
            "/api/v1/energy/networks",
            "/api/v1/energy/networks".into(),
            None,
            READ,
        ),
        (
            "POST",
            "/api/v1/energy/networks",
            "/api/v1/energy/networks".into(),
            Some(json!({"name": "copy 2", "files": files.clone()})),
            write(201),
        ),
        (
            "GET",
            "/api/v1/energy/networks/{id}",
            "/api/v1/energy/networks/1".into(),
            None,
            READ,
        ),
        (
            "PUT",
            "/api/v1/energy/networks/{id}",
            "/api/v1/energy/networks/1".into(),
            Some(json!({"name": "copy", "files": files, "revision": 1})),
            write(200),
        ),
        (
            "GET",
            "/api/v1/energy/runs",
            "/api/v1/energy/runs".into(),
            None,
            READ,
        ),
        (
            "POST",
            "/api/v1/energy/runs",
            "/api/v1/energy/runs".into(),
            Some(json!({"scenario": 1})),
            write(202),
        ),
        (
            "GET",
            "/api/v1/energy/runs/{id}",
            "/api/v1/energy/runs/1".into(),
            None,
            READ,
        ),
        (
            "POST",
            "/api/v1/energy/runs/{id}/attachments",
            "/api/v1/energy/runs/1/attachments".into(),
            Some(json!({"agenda_item": 1})),
            write(201),
        ),
    ]
}
