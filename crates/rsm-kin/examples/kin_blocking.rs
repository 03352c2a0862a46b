//! Blocking diagnostics for a set with known truth: per blocking rule, the
//! candidate pairs it yields, the true pairs it finds, and the true pairs
//! only it finds. `kin_blocking --south S.csv [--diaspora D.csv] --north N.csv --truth T.csv`.

use std::collections::{HashMap, HashSet};
use std::fs::File;

use rayon::prelude::*;
use rsm_kin::block::{self, Index, RULES};
use rsm_kin::csvin::BadRowPolicy;
use rsm_kin::features::{PerFeatures, ReqFeatures};
use rsm_kin::linker::Options;
use rsm_kin::records;

/// Per request: candidates per rule, true pairs found per rule, true pairs
/// only that rule found, candidates of the union, true pairs found.
type RequestYield = (Vec<u64>, Vec<u64>, Vec<u64>, u64, u64);

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
    let pf: Vec<PerFeatures> = PerFeatures::for_list(&pers);
    let keys: Vec<Vec<u64>> = pf.par_iter().map(block::person_keys).collect();
    let index = Index::build(&keys);
    let pos: HashMap<&str, u32> = pers
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i as u32))
        .collect();
    let mut want: HashMap<&str, Vec<u32>> = HashMap::new();
    let text = std::fs::read_to_string(truth.ok_or("--truth")?)?;
    for l in text.lines().skip(1) {
        if let Some((r, p)) = l.trim().split_once(',')
            && let Some(&i) = pos.get(p)
        {
            want.entry(r).or_default().push(i);
        }
    }
    let max_block = Options::default().max_block;
    let n = RULES.len();
    // per rule: candidates, found, only-found
    let res: Vec<RequestYield> = reqs
        .par_iter()
        .zip(rf.par_iter())
        .map(|(r, f)| {
            let ks = block::request_keys(f);
            let mut cand = vec![0u64; n];
            let mut found = vec![0u64; n];
            let mut only = vec![0u64; n];
            let mut sets: Vec<HashSet<u32>> = vec![HashSet::new(); n];
            for (ri, rule) in RULES.iter().enumerate() {
                let mine: Vec<_> = ks.iter().copied().filter(|k| k.0 == *rule).collect();
                let c = index.candidates(&mine, max_block);
                cand[ri] = c.len() as u64;
                sets[ri] = c.into_iter().collect();
            }
            let all = index
                .candidates_within(&ks, max_block, rsm_kin::linker::CANDIDATE_BUDGET)
                .len() as u64;
            let mut hit = 0;
            for p in want.get(r.id.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                let by: Vec<usize> = (0..n).filter(|&i| sets[i].contains(p)).collect();
                for &i in &by {
                    found[i] += 1;
                }
                if by.len() == 1 {
                    only[by[0]] += 1;
                }
                if !by.is_empty() {
                    hit += 1;
                } else if std::env::var_os("KIN_MISSED").is_some() {
                    let q = &pers[*p as usize];
                    println!(
                        "missed {} {:?}/{:?}/{:?}/{} {}/{}/{} | {} {:?} {:?} {:?} {}/{}",
                        r.id,
                        r.name,
                        r.birth_year,
                        r.father_name,
                        r.relationship,
                        r.province,
                        r.county,
                        r.village,
                        q.name,
                        q.birth,
                        q.father_name,
                        q.sex,
                        q.province,
                        q.county
                    );
                }
            }
            (cand, found, only, all, hit)
        })
        .collect();
    let mut tot = (vec![0u64; n], vec![0u64; n], vec![0u64; n], 0u64, 0u64);
    for (c, f, o, a, h) in res {
        for i in 0..n {
            tot.0[i] += c[i];
            tot.1[i] += f[i];
            tot.2[i] += o[i];
        }
        tot.3 += a;
        tot.4 += h;
    }
    let tp: usize = want.values().map(Vec::len).sum();
    println!("rule candidates found only");
    for (i, r) in RULES.iter().enumerate() {
        println!("{:?} {} {} {}", r, tot.0[i], tot.1[i], tot.2[i]);
    }
    println!("union candidates={} found={}/{}", tot.3, tot.4, tp);
    Ok(())
}
