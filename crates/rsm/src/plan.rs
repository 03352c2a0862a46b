//! `rsm plan`: the gas network planner — one run, scenario and N-1 sweeps, comparisons.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use rsm_energy::{
    HighsSolver,
    run::{compare_table, load_network, load_scenario, run, run_many, summary, write_report},
    sweep::{outages, sweep},
};

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Solve a network (a PyPSA-style CSV folder, or `nea14-daily` / `nea14-annual`).
    /// The first line printed is `objective <value>` in the network's cost unit.
    Run {
        network: String,
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Write results (CSV and JSON) into this folder.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Sweep every single outage (N-1) of links and supplies, or a list of scenarios.
    Sweep {
        network: String,
        /// Scenario files to run instead of the N-1 outages.
        #[arg(long = "scenario")]
        scenarios: Vec<PathBuf>,
    },
    /// Compare the base case with one or more scenarios side by side.
    Compare {
        network: String,
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
}

pub fn run_command(cmd: PlanCommand) -> anyhow::Result<()> {
    let solver = HighsSolver::default();
    match cmd {
        PlanCommand::Run {
            network,
            scenario,
            out,
        } => {
            let net = load_network(&network)?;
            let scenario = scenario.map(|p| load_scenario(&p)).transpose()?;
            let report = run(&net, scenario.as_ref(), &solver)?;
            print!("{}", summary(&report));
            if let Some(dir) = out {
                write_report(&report, &dir)
                    .with_context(|| format!("writing {}", dir.display()))?;
                println!("results written to {}", dir.display());
            }
            Ok(())
        }
        PlanCommand::Sweep { network, scenarios } => {
            let net = load_network(&network)?;
            if !scenarios.is_empty() {
                let list = scenarios
                    .iter()
                    .map(|p| load_scenario(p))
                    .collect::<Result<Vec<_>, _>>()?;
                let reports = run_many(&net, &list, &solver)?;
                print!("{}", compare_table(&reports));
                return Ok(());
            }
            let base_report = run(&net, None, &solver)?;
            let list = outages(&base_report.network);
            let bar = ProgressBar::new(list.len() as u64);
            bar.set_style(
                ProgressStyle::with_template("outages [{bar:40}] {pos}/{len} ({elapsed})")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            // One outage at a time through the parallel sweep keeps the bar honest; each
            // is warm-started from nothing, as PyPSA's would be.
            let mut results = Vec::new();
            for item in list.chunks(2) {
                results.extend(sweep(
                    &base_report.network,
                    &solver,
                    &base_report.plan,
                    None,
                    item,
                )?);
                bar.inc(item.len() as u64);
            }
            bar.finish_and_clear();
            println!("base objective {:.4}", base_report.plan.objective);
            println!(
                "{:<8} {:<32} {:>18} {:>16} {:>12}",
                "kind", "outage", "objective", "delta", "unserved"
            );
            for o in &results {
                println!(
                    "{:<8} {:<32} {:>18.4} {:>16.4} {:>12.3}",
                    format!("{:?}", o.kind).to_lowercase(),
                    o.name,
                    o.plan.objective,
                    o.delta,
                    o.unserved_volume
                );
            }
            Ok(())
        }
        PlanCommand::Compare { network, scenarios } => {
            let net = load_network(&network)?;
            let list = scenarios
                .iter()
                .map(|p| load_scenario(p))
                .collect::<Result<Vec<_>, _>>()?;
            let mut reports = vec![run(&net, None, &solver)?];
            reports.extend(run_many(&net, &list, &solver)?);
            print!("{}", compare_table(&reports));
            Ok(())
        }
    }
}
