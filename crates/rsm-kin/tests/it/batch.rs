//! The batch API end to end: bad rows, encodings, and the dev-2k set scored
//! against its truth when the shared data is present.

use std::collections::HashSet;

use rsm_kin::batch::{self, BatchOptions};
use rsm_kin::csvin::BadRowPolicy;
use rsm_kin::linker::Progress;

const SOUTH: &str = "request_id,applicant_id,applicant_name,applicant_birth_date,sought_name,sought_sex,sought_birth_year,relationship,sought_father_name,hometown_province,hometown_county,hometown_township,hometown_village,registration_date\n\
S1,A1,이옥례,1926-05-10,이용호,M,1940,brother,이영식,함남,함주,내원면,,2002-07-20\n\
S2,A2,박학준,1926-07-11,백정애,F,1900,mother,,황해도,옹진군,남면,마산리,1996-02-22\n\
S3,A3,최말순,1930-13-01,최복남,M,1931,brother,,평남,강서,,,2000-01-01\n";

const NORTH: &str = "person_id,name,sex,birth_date,calendar,father_name,birthplace_province,birthplace_county,birthplace_village,residence_province,relatives_in_south\n\
N1,리룡호,M,1940-03-02,lunar,리영식,함경남도,함주군,,함경남도,sister:리옥례\n\
N2,백정애,F,1899-12-20,lunar,,황해남도,강령군,마산리,황해남도,child:박학준\n\
N3,김철수,M,1950-01-01,solar,김영남,평안북도,신의주시,,평안북도,\n\
N4,,M,1950-01-01,solar,,평안북도,,,평안북도,\n";

fn quiet(_: Progress) {}

#[test]
fn small_batch_with_bad_rows_and_explanations() {
    let opts = BatchOptions {
        explain: true,
        ..Default::default()
    };
    let out = batch::run(
        SOUTH.as_bytes(),
        None::<&[u8]>,
        NORTH.as_bytes(),
        &opts,
        &quiet,
    )
    .unwrap();
    // S3 has an impossible applicant birth date; N4 an empty name.
    assert!(
        out.issues
            .iter()
            .any(|i| i.file == "south" && i.line == 4 && i.reason.contains("impossible"))
    );
    assert!(
        out.issues
            .iter()
            .any(|i| i.file == "north" && i.line == 5 && i.reason.contains("empty name"))
    );
    let pairs: HashSet<(String, String)> = out
        .predictions
        .iter()
        .map(|p| (p.request_id.clone(), p.person_id.clone()))
        .collect();
    assert!(pairs.contains(&("S1".into(), "N1".into())), "{pairs:?}");
    assert!(pairs.contains(&("S2".into(), "N2".into())), "{pairs:?}");
    let s1 = out
        .predictions
        .iter()
        .find(|p| p.request_id == "S1")
        .unwrap();
    let summary = &s1.explanation.as_ref().unwrap().summary;
    assert!(summary.contains("same class 李"), "{summary}");
    assert!(summary.contains("initial-sound rule"), "{summary}");
    let s2 = out
        .predictions
        .iter()
        .find(|p| p.request_id == "S2")
        .unwrap();
    let summary = &s2.explanation.as_ref().unwrap().summary;
    assert!(summary.contains("옹진 → 옹진, 강령"), "{summary}");
    // Output format is what score.py reads.
    let mut buf = Vec::new();
    batch::write_predictions(&mut buf, &out.predictions).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert!(text.starts_with("request_id,person_id,score\n"));
    let mut jl = Vec::new();
    batch::write_explanations(&mut jl, &out.predictions).unwrap();
    let first: serde_json::Value =
        serde_json::from_slice(jl.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert!(first["evidence"].is_array());
}

#[test]
fn refuse_policy_rejects_the_file() {
    let opts = BatchOptions {
        bad_rows: BadRowPolicy::Refuse,
        ..Default::default()
    };
    let err = batch::run(
        SOUTH.as_bytes(),
        None::<&[u8]>,
        NORTH.as_bytes(),
        &opts,
        &quiet,
    )
    .unwrap_err();
    assert!(err.to_string().contains("south: 1 bad row(s)"), "{err}");
}

#[test]
fn euc_kr_input_is_decoded() {
    let (south, _, _) = encoding_rs::EUC_KR.encode(SOUTH);
    let (north, _, _) = encoding_rs::EUC_KR.encode(NORTH);
    let out = batch::run(
        &south[..],
        None::<&[u8]>,
        &north[..],
        &BatchOptions::default(),
        &quiet,
    )
    .unwrap();
    assert!(
        out.predictions
            .iter()
            .any(|p| p.request_id == "S1" && p.person_id == "N1")
    );
}

#[test]
fn malformed_csv_row_is_reported() {
    let south = format!("{SOUTH}S4,A4,\"unterminated,x\n");
    let out = batch::run(
        south.as_bytes(),
        None::<&[u8]>,
        NORTH.as_bytes(),
        &BatchOptions::default(),
        &quiet,
    )
    .unwrap();
    assert!(
        out.issues.iter().any(|i| i.file == "south" && i.line == 5),
        "{:?}",
        out.issues
    );
}

#[test]
fn dev_2k_meets_its_goals() {
    let Some(data) = crate::shared_data() else {
        eprintln!("shared data not present; skipped");
        return;
    };
    let dir = data.join("kin/dev-2k");
    let south = std::fs::File::open(dir.join("south.csv")).unwrap();
    let north = std::fs::File::open(dir.join("north.csv")).unwrap();
    let out = batch::run(
        south,
        None::<std::fs::File>,
        north,
        &BatchOptions::default(),
        &quiet,
    )
    .unwrap();
    let truth: HashSet<(String, String)> = std::fs::read_to_string(dir.join("truth.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| {
            l.trim()
                .split_once(',')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect();
    let pred: HashSet<(String, String)> = out
        .predictions
        .iter()
        .map(|p| (p.request_id.clone(), p.person_id.clone()))
        .collect();
    let tp = pred.intersection(&truth).count() as f64;
    let (p, r) = (tp / pred.len() as f64, tp / truth.len() as f64);
    let f1 = 2.0 * p * r / (p + r);
    assert!(
        f1 >= 0.95,
        "dev-2k F1 {f1:.4} (precision {p:.4}, recall {r:.4})"
    );
}

/// Runs the streaming match with `chunk` requests per chunk and returns the
/// predictions as written.
fn streamed(
    south: &[u8],
    diaspora: Option<&[u8]>,
    north: &[u8],
    opts: &BatchOptions,
) -> (Vec<batch::Prediction>, Vec<rsm_kin::RowIssue>) {
    use rsm_kin::stream::{self, Source};
    let mut sources = vec![Source::bytes("south", south)];
    if let Some(d) = diaspora {
        sources.push(Source::bytes("diaspora", d));
    }
    let mut preds = Vec::new();
    let out = stream::run(
        &sources,
        &Source::bytes("north", north),
        opts,
        &mut |p| {
            preds.push(p);
            Ok(())
        },
        &quiet,
    )
    .unwrap();
    assert_eq!(out.predictions, preds.len());
    (preds, out.issues)
}

fn as_lines(preds: &[batch::Prediction]) -> Vec<u8> {
    let mut buf = Vec::new();
    batch::write_predictions(&mut buf, preds).unwrap();
    batch::write_explanations(&mut buf, preds).unwrap();
    buf
}

#[test]
fn streaming_in_chunks_gives_the_whole_list_predictions() {
    // Small inline lists, one and two requests per chunk, EUC-KR too.
    let (south_euc, _, _) = encoding_rs::EUC_KR.encode(SOUTH);
    for chunk in [1, 2, 20_000] {
        let mut opts = BatchOptions {
            explain: true,
            include_runners_up: true,
            ..Default::default()
        };
        opts.linker.chunk = chunk;
        let whole = batch::run(
            SOUTH.as_bytes(),
            None::<&[u8]>,
            NORTH.as_bytes(),
            &opts,
            &quiet,
        )
        .unwrap();
        let (preds, issues) = streamed(&south_euc, None, NORTH.as_bytes(), &opts);
        assert!(!preds.is_empty());
        assert_eq!(
            as_lines(&preds),
            as_lines(&whole.predictions),
            "chunk {chunk}"
        );
        let show = |v: &[rsm_kin::RowIssue]| v.iter().map(|i| i.to_string()).collect::<Vec<_>>();
        assert_eq!(show(&issues), show(&whole.issues));
    }
    // A bad row under the refusing policy refuses the run, as the whole-list run does.
    let opts = BatchOptions {
        bad_rows: BadRowPolicy::Refuse,
        ..Default::default()
    };
    let e = rsm_kin::stream::run(
        &[rsm_kin::stream::Source::bytes("south", SOUTH.as_bytes())],
        &rsm_kin::stream::Source::bytes("north", NORTH.as_bytes()),
        &opts,
        &mut |_| Ok(()),
        &quiet,
    )
    .unwrap_err();
    assert!(e.to_string().contains("south: 1 bad row(s)"), "{e}");

    // A real set with a trained model: dev-2k-diaspora (South and diaspora
    // files), chunks of 700 requests against the whole list.
    let Some(data) = crate::shared_data() else {
        eprintln!("shared data not present; skipped");
        return;
    };
    let dir = data.join("kin/dev-2k-diaspora");
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
    let (south, diaspora, north) = (read("south.csv"), read("diaspora.csv"), read("north.csv"));
    let mut opts = BatchOptions {
        include_runners_up: true,
        ..Default::default()
    };
    opts.linker.chunk = 700;
    let whole = batch::run(&south[..], Some(&diaspora[..]), &north[..], &opts, &quiet).unwrap();
    let (preds, _) = streamed(&south, Some(&diaspora), &north, &opts);
    assert!(preds.len() > 1000);
    assert_eq!(as_lines(&preds), as_lines(&whole.predictions));
}
