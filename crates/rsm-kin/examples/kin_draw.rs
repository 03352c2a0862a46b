//! Times the reunion draw on a synthetic eligible list: `cargo run --release -p rsm-kin
//! --example kin_draw -- N COUNT` (N applicants, COUNT drawn; the seed is fixed).

use std::time::Instant;

use rsm_kin::draw::{self, Applicant, EligibleList, Weights};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(130_000);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(n);
    let weights = Weights::parse(include_str!("../data/draw_weights.example.toml")).unwrap();
    let rels = ["parent", "spouse", "child", "sibling", "cousin"];
    let list = EligibleList::new(
        (0..n)
            .map(|i| Applicant {
                id: format!("A{i:07}"),
                birth_year: 1925 + (i * 7 % 26) as i32,
                relationship: rels[i % 5].into(),
            })
            .collect(),
    )
    .unwrap();
    let t = Instant::now();
    let d = draw::draw(&list, &weights, [42; 32], count).unwrap();
    let drawn = t.elapsed();
    let text = draw::render_result(&d);
    let t2 = Instant::now();
    draw::verify_result(&list, &weights, [42; 32], &text).unwrap();
    println!(
        "{n} applicants, {} drawn: draw {:.1} ms, verify (re-run and compare) {:.1} ms",
        d.drawn.len(),
        drawn.as_secs_f64() * 1e3,
        t2.elapsed().as_secs_f64() * 1e3
    );
}
