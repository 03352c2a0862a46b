//! `plan_run NETWORK_DIR [--scenario FILE] [--out DIR] [--n-1 [--cold]] [--timings]`: solve a network and print a summary.
//!
//! `--n-1` adds the outage sweep (warm-started from the base solution; `--cold` without);
//! `--timings` prints the time of loading, model building, the HiGHS run, reading results and
//! indicators apart (LP only).
//!
//! NETWORK_DIR is a folder in PyPSA's CSV vocabulary or a built-in name (`nea14-daily`, `nea14-annual`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use rsm_energy::HighsSolver;
use rsm_energy::run::{Report, load_network, load_scenario, run, summary, write_report};
use rsm_energy::security::{dependence, n1_by_country};
use rsm_energy::sweep::{n_minus_1, outages, sweep as sweep_outages};

fn main() -> ExitCode {
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut network, mut scenario, mut out) = (None, None, None);
    let (mut sweep, mut timings, mut cold) = (false, false, false);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--scenario" => scenario = Some(PathBuf::from(args.next().ok_or("--scenario FILE")?)),
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out DIR")?)),
            "--n-1" => sweep = true,
            "--timings" => timings = true,
            "--cold" => cold = true,
            _ if network.is_none() => network = Some(a),
            _ => return Err(format!("unexpected argument `{a}`").into()),
        }
    }
    let network = network.ok_or(
        "usage: plan_run NETWORK_DIR [--scenario FILE] [--out DIR] [--n-1 [--cold]] [--timings]",
    )?;
    let start = Instant::now();
    let net = load_network(&network)?;
    let scenario = scenario.map(|p| load_scenario(&p)).transpose()?;
    let solver = HighsSolver::default();
    let t_load = start.elapsed().as_secs_f64();
    let report = if timings && scenario.as_ref().is_none_or(|s| s.build_rules().is_empty()) {
        // The same steps as `run`, timed apart: model building, the HiGHS run, reading results.
        use rsm_energy::LpSolver;
        let network = match &scenario {
            Some(s) => s.apply(&net)?,
            None => net,
        };
        let t = Instant::now();
        let f = rsm_energy::model::formulate(&network);
        let t_build = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let sol = solver.solve(&f.lp, None)?;
        let t_solve = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let plan = rsm_energy::plan::read(&network, &f, &sol);
        let t_read = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let report = Report {
            scenario: scenario
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            n1: n1_by_country(&network, Some(&plan)),
            dependence: dependence(&network, &plan),
            network,
            plan,
        };
        println!(
            "time_load_s {t_load:.3} time_build_s {t_build:.3} time_solve_s {t_solve:.3} time_read_s {t_read:.3} time_indicators_s {:.3}",
            t.elapsed().as_secs_f64()
        );
        report
    } else {
        run(&net, scenario.as_ref(), &solver)?
    };
    print!("{}", summary(&report));
    if let Some(dir) = out {
        write_report(&report, &dir)?;
    }
    println!("elapsed_s {:.3}", start.elapsed().as_secs_f64());
    if sweep {
        let t = Instant::now();
        let (base, outages) = if cold {
            let base = rsm_energy::solve(&report.network, &solver)?;
            let list = outages(&report.network);
            let results = sweep_outages(&report.network, &solver, &base, None, &list)?;
            (base, results)
        } else {
            n_minus_1(&report.network, &solver)?
        };
        for o in &outages {
            println!(
                "outage {:?} {} objective {:.4} delta {:.4} unserved {:.3} iterations {}",
                o.kind, o.name, o.plan.objective, o.delta, o.unserved_volume, o.plan.iterations
            );
        }
        println!(
            "n-1 {} outages base {:.4} elapsed_s {:.3}",
            outages.len(),
            base.objective,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
