//! Diagnostics: every candidate pair's comparison vector, with its truth
//! label, as CSV on stdout (to check EM's estimates against labels).
//! `kin_vectors --south S.csv [--diaspora D.csv] --north N.csv --truth T.csv`.

use std::collections::HashSet;
use std::fs::File;
use std::io::Write;

use rayon::prelude::*;
use rsm_kin::block::{self, Index};
use rsm_kin::compare;
use rsm_kin::csvin::BadRowPolicy;
use rsm_kin::features::{PerFeatures, ReqFeatures};
use rsm_kin::linker::{CANDIDATE_BUDGET, Options};
use rsm_kin::records;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut south, mut diaspora, mut north, mut truth) = (None, None, None, None);
    while let Some(a) = args.next() {
        let v = args.next().ok_or("value missing")?;
        match a.as_str() {
            "--south" => south = Some(v),
            "--diaspora" => diaspora = Some(v),
            "--north" => north = Some(v),
            "--truth" => truth = Some(v),
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    let skip = BadRowPolicy::Skip;
    let mut reqs = records::load_requests(File::open(south.ok_or("--south")?)?, "s", skip)?.records;
    if let Some(d) = diaspora {
        reqs.extend(records::load_requests(File::open(d)?, "d", skip)?.records);
    }
    let pers = records::load_persons(File::open(north.ok_or("--north")?)?, "n", skip)?.records;
    let rf: Vec<ReqFeatures> = reqs.par_iter().map(ReqFeatures::new).collect();
    let pf: Vec<PerFeatures> = pers.par_iter().map(PerFeatures::new).collect();
    let keys: Vec<Vec<u64>> = pf.par_iter().map(block::person_keys).collect();
    let index = Index::build(&keys);
    let text = std::fs::read_to_string(truth.ok_or("--truth")?)?;
    let want: HashSet<(String, String)> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            l.trim()
                .split_once(',')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect();
    let max_block = Options::default().max_block;
    let out = std::io::stdout();
    let mut w = std::io::BufWriter::new(out.lock());
    writeln!(
        w,
        "request_id,person_id,relation,v0,v1,v2,v3,v4,v5,v6,v7,v8,truth"
    )?;
    for (r, rq) in rf.iter().zip(&reqs) {
        let k = block::request_keys(r);
        for pi in index.candidates_within(&k, max_block, CANDIDATE_BUDGET) {
            let p = &pers[pi as usize];
            let v = compare::compare(r, &pf[pi as usize]);
            let t = want.contains(&(rq.id.clone(), p.id.clone()));
            let vs: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            writeln!(
                w,
                "{},{},{},{},{}",
                rq.id,
                p.id,
                rq.relationship,
                vs.join(","),
                u8::from(t)
            )?;
        }
    }
    Ok(())
}
