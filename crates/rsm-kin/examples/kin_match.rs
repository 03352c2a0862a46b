//! Batch match of tracing requests against a North person list:
//! `kin_match --south S.csv [--diaspora D.csv] --north N.csv --out PRED.csv
//! [--explain E.jsonl] [--threshold P] [--refuse-bad-rows] [--runners-up]
//! [--truth TRUTH.csv (prints blocking pair completeness)] [--verbose]
//! [--whole (hold both lists whole instead of streaming the requests)]
//! [--chunk N (requests per chunk)]`.

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;

use rsm_kin::batch::{self, BatchOptions};
use rsm_kin::csvin::BadRowPolicy;
use rsm_kin::stream;

fn main() -> ExitCode {
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kin_match: {e}");
            ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut south, mut diaspora, mut north, mut out, mut explain) = (None, None, None, None, None);
    let mut opts = BatchOptions::default();
    let mut verbose = false;
    let mut truth: Option<String> = None;
    let mut whole = false;
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--south" => south = Some(val()?),
            "--diaspora" => diaspora = Some(val()?),
            "--north" => north = Some(val()?),
            "--out" => out = Some(val()?),
            "--explain" => explain = Some(val()?),
            "--threshold" => opts.linker.threshold = val()?.parse()?,
            "--seed" => opts.linker.seed = val()?.parse()?,
            "--refuse-bad-rows" => opts.bad_rows = BadRowPolicy::Refuse,
            "--runners-up" => opts.include_runners_up = true,
            "--verbose" => verbose = true,
            "--whole" => whole = true,
            "--chunk" => opts.linker.chunk = val()?.parse()?,
            "--truth" => truth = Some(val()?),
            "-h" | "--help" => {
                println!(
                    "kin_match --south S.csv [--diaspora D.csv] --north N.csv --out PRED.csv [--explain E.jsonl] [--threshold P] [--seed N] [--refuse-bad-rows] [--runners-up]"
                );
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let south = south.ok_or("--south is required")?;
    let north = north.ok_or("--north is required")?;
    let out = out.ok_or("--out is required")?;
    opts.explain = explain.is_some();
    opts.labels = batch::FileLabels {
        south: south.clone(),
        diaspora: diaspora.clone().unwrap_or_default(),
        north: north.clone(),
    };
    let d = match &diaspora {
        Some(p) => Some(File::open(p)?),
        None => None,
    };
    let started = std::time::Instant::now();
    let progress = |p: rsm_kin::linker::Progress| {
        if std::env::var_os("KIN_PROGRESS").is_some() {
            // Resident and peak memory from /proc (Linux), when readable.
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let kb = |key: &str| {
                status
                    .lines()
                    .find(|l| l.starts_with(key))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            // CPU time of all threads so far (user + system, clock ticks
            // of 10 ms), fields 14 and 15 of /proc/self/stat.
            let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
            let cpu: f64 = stat
                .rsplit_once(") ")
                .map(|(_, rest)| {
                    rest.split_whitespace()
                        .skip(11)
                        .take(2)
                        .filter_map(|v| v.parse::<f64>().ok())
                        .sum::<f64>()
                        / 100.0
                })
                .unwrap_or(0.0);
            eprintln!(
                "{:8.3} s cpu={:.2} s {:?} {}/{} rss={} MB peak={} MB",
                started.elapsed().as_secs_f64(),
                cpu,
                p.stage,
                p.done.min(p.total),
                p.total,
                kb("VmRSS:") / 1024,
                kb("VmHWM:") / 1024
            );
        }
    };
    let mut pred_w = BufWriter::new(File::create(&out)?);
    let mut expl_w = match &explain {
        Some(e) => Some(BufWriter::new(File::create(e)?)),
        None => None,
    };
    batch::write_predictions_header(&mut pred_w)?;
    let (model, stats, issues, predictions) = if whole {
        let res = batch::run(
            File::open(&south)?,
            d,
            File::open(&north)?,
            &opts,
            &progress,
        )?;
        for p in &res.predictions {
            batch::write_prediction(&mut pred_w, p)?;
            if let Some(w) = expl_w.as_mut() {
                batch::write_explanation(w, p)?;
            }
        }
        let n = res.predictions.len();
        (res.model, res.stats, res.issues, n)
    } else {
        drop(d);
        let mut sources = vec![stream::Source::path(&south)];
        if let Some(p) = &diaspora {
            sources.push(stream::Source::path(p));
        }
        let north_src = stream::Source::path(&north);
        let mut sink = |p: batch::Prediction| -> rsm_kin::Result<()> {
            batch::write_prediction(&mut pred_w, &p)?;
            if let Some(w) = expl_w.as_mut() {
                batch::write_explanation(w, &p)?;
            }
            Ok(())
        };
        let res = stream::run(&sources, &north_src, &opts, &mut sink, &progress)?;
        let f = &res.footprint;
        eprintln!(
            "footprint: persons={} distinct_names={} distinct_places={} index_entries={} index_keys={} index_bytes={} ({:.0} B/person) id_bytes={} requests={} chunk={}",
            f.persons,
            f.distinct_names,
            f.distinct_places,
            f.index_entries,
            f.index_keys,
            f.index_bytes,
            f.index_bytes as f64 / f.persons.max(1) as f64,
            f.id_bytes,
            f.requests,
            f.chunk
        );
        (res.model, res.stats, res.issues, res.predictions)
    };
    use std::io::Write;
    pred_w.flush()?;
    if let Some(mut w) = expl_w {
        w.flush()?;
    }
    if verbose {
        let m = &model;
        eprintln!("lambda={:.5} prior={:.2} bits", m.lambda, m.prior_weight());
        for (f, field) in rsm_kin::compare::ALL_FIELDS.iter().enumerate() {
            let w: Vec<String> = (1..m.m[f].len())
                .map(|l| {
                    format!(
                        "{l}:m={:.3},u={:.4},w={:+.1}",
                        m.m[f][l],
                        m.u[f][l],
                        m.field_weight(f, l as u8)
                    )
                })
                .collect();
            eprintln!("  {:<11} {}", field.name(), w.join("  "));
            if let Some(fam) = &m.family {
                let w: Vec<String> = (1..fam.f[f].len())
                    .map(|l| format!("{l}:f={:.3}", fam.f[f][l]))
                    .collect();
                eprintln!("  {:<11} {}", "", w.join("  "));
            }
        }
    }
    for i in issues.iter().take(3) {
        eprintln!("note: {i}");
    }
    if issues.len() > 3 {
        eprintln!("note: … {} more", issues.len() - 3);
    }
    let s = &stats;
    eprintln!(
        "requests={} persons={} candidate_pairs={} em_iterations={} match_share={:.4} predictions={}",
        s.requests, s.persons, s.candidate_pairs, s.em_iterations, s.match_share, predictions
    );
    if let Some(t) = &truth {
        // Blocking quality: pairs lost in blocking count as misses.
        use rsm_kin::records;
        let pairs: Vec<(String, String)> = std::fs::read_to_string(t)?
            .lines()
            .skip(1)
            .filter_map(|l| {
                l.trim()
                    .split_once(',')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            })
            .collect();
        let mut reqs = records::load_requests(File::open(&south)?, "south", opts.bad_rows)?.records;
        if let Some(p) = &diaspora {
            reqs.extend(records::load_requests(File::open(p)?, "diaspora", opts.bad_rows)?.records);
        }
        let pers = records::load_persons(File::open(&north)?, "north", opts.bad_rows)?.records;
        let b = batch::blocking_report(&reqs, &pers, &pairs, &opts.linker);
        eprintln!(
            "blocking: pair_completeness={:.4} ({}/{}) candidate_pairs={} reduction_ratio={:.6}",
            b.pair_completeness(),
            b.found,
            b.true_pairs,
            b.candidate_pairs,
            b.reduction_ratio
        );
    }
    Ok(())
}
