//! `rsm kin`: batch matching of separated-family lists and general two-file CSV linkage.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::PathBuf,
};

use anyhow::{Context, bail};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use rsm_kin::{
    batch::{self, BatchOptions},
    csvin::BadRowPolicy,
    link::{self, FieldKind, FieldSpec, LinkOptions, LinkSpec},
    linker::Progress,
    stream,
};

#[derive(Debug, Subcommand)]
pub enum KinCommand {
    /// Match South tracing requests (and diaspora requests) against a North person list;
    /// writes `request_id,person_id,score`.
    Match {
        #[arg(long)]
        south: PathBuf,
        #[arg(long)]
        diaspora: Option<PathBuf>,
        #[arg(long)]
        north: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Also write each match's evidence and weights as JSON lines.
        #[arg(long)]
        explain: Option<PathBuf>,
        /// Refuse a file with any bad row instead of skipping the bad rows.
        #[arg(long)]
        refuse_bad_rows: bool,
        /// Also list runner-up candidates below the threshold, for review.
        #[arg(long)]
        runners_up: bool,
    },
    /// Link two CSV files (or deduplicate one) with a column mapping.
    Link {
        #[arg(long)]
        left: PathBuf,
        /// The second file; without it the left file is deduplicated.
        #[arg(long)]
        right: Option<PathBuf>,
        /// The id column (of the left file, and of the right unless --right-id).
        #[arg(long)]
        id: String,
        #[arg(long)]
        right_id: Option<String>,
        /// COLUMN:KIND[:RIGHT_COLUMN] with KIND name, text, exact or date; repeatable.
        #[arg(long = "field", required = true)]
        fields: Vec<String>,
        #[arg(long)]
        out: PathBuf,
        /// Keep pairs with at least this probability.
        #[arg(long, default_value_t = 0.5)]
        threshold: f64,
        /// Report every pair above the threshold, not only each left record's best.
        #[arg(long)]
        many: bool,
    },
    /// Write the canonical text of an eligible list and the committee's weights (no names):
    /// what the log's salted commitment covers before a reunion draw.
    DrawList {
        /// CSV with applicant_id, birth_year, relationship (other columns are ignored).
        #[arg(long)]
        eligible: PathBuf,
        /// The committee's weights (TOML: reference_year, [age], [relationship]).
        #[arg(long)]
        weights: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// The reunion draw: weighted selection without replacement, seeded by the root of a
    /// signed log checkpoint that includes the list's commitment.
    Draw {
        #[arg(long)]
        eligible: PathBuf,
        #[arg(long)]
        weights: PathBuf,
        /// The signed checkpoint note whose root is the seed (or a tlog-proof receipt carrying it).
        #[arg(long)]
        checkpoint: PathBuf,
        /// The log's verifier key (checks the checkpoint's signature).
        #[arg(long)]
        vkey: Option<String>,
        /// How many to draw (default: everyone, i.e. a full order).
        #[arg(long)]
        count: Option<usize>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Re-run a reunion draw and check it: checkpoint signature, the list's commitment in
    /// the log before the checkpoint, and the result byte for byte.
    VerifyDraw {
        #[arg(long)]
        eligible: PathBuf,
        #[arg(long)]
        weights: PathBuf,
        #[arg(long)]
        checkpoint: PathBuf,
        /// The tlog-proof receipt of the list's commitment entry under that checkpoint.
        #[arg(long)]
        receipt: PathBuf,
        /// The salt of the commitment (hex file saved by `rsm submit --salted`).
        #[arg(long)]
        salt: Option<PathBuf>,
        #[arg(long)]
        vkey: String,
        /// The draw's result file to check.
        #[arg(long)]
        result: PathBuf,
    },
}

fn bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({elapsed})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

pub fn run(cmd: KinCommand) -> anyhow::Result<()> {
    match cmd {
        KinCommand::DrawList {
            eligible,
            weights,
            out,
        } => crate::kin_draw::draw_list(eligible, weights, out),
        KinCommand::Draw {
            eligible,
            weights,
            checkpoint,
            vkey,
            count,
            out,
        } => crate::kin_draw::run_draw(eligible, weights, checkpoint, vkey, count, out),
        KinCommand::VerifyDraw {
            eligible,
            weights,
            checkpoint,
            receipt,
            salt,
            vkey,
            result,
        } => {
            crate::kin_draw::run_verify(eligible, weights, checkpoint, receipt, salt, vkey, result)
        }
        KinCommand::Match {
            south,
            diaspora,
            north,
            out,
            explain,
            refuse_bad_rows,
            runners_up,
        } => {
            let opts = BatchOptions {
                bad_rows: if refuse_bad_rows {
                    BadRowPolicy::Refuse
                } else {
                    BadRowPolicy::Skip
                },
                explain: explain.is_some(),
                include_runners_up: runners_up,
                ..BatchOptions::default()
            };
            // Streamed: the North's list is indexed once, the requests are read a chunk at a
            // time and the predictions written as they come (memory bounded by the index).
            let text = |p: &PathBuf| {
                p.to_str()
                    .map(str::to_owned)
                    .with_context(|| format!("{} is not a UTF-8 path", p.display()))
            };
            let (south, north) = (text(&south)?, text(&north)?);
            let diaspora = diaspora.as_ref().map(text).transpose()?;
            let mut sources = vec![stream::Source::path(&south)];
            if let Some(d) = &diaspora {
                sources.push(stream::Source::path(d));
            }
            let north_src = stream::Source::path(&north);
            let create =
                |p: &PathBuf| File::create(p).with_context(|| format!("creating {}", p.display()));
            let mut pred_w = BufWriter::new(create(&out)?);
            let mut expl_w = explain
                .as_ref()
                .map(create)
                .transpose()?
                .map(BufWriter::new);
            batch::write_predictions_header(&mut pred_w)?;
            let mut assigned = 0usize;
            let mut sink = |p: batch::Prediction| -> rsm_kin::Result<()> {
                assigned += usize::from(p.assigned);
                batch::write_prediction(&mut pred_w, &p)?;
                if let Some(w) = expl_w.as_mut() {
                    batch::write_explanation(w, &p)?;
                }
                Ok(())
            };
            let progress = bar();
            let report = |p: Progress| {
                progress.set_message(format!("{:?}", p.stage).to_lowercase());
                progress.set_length(p.total);
                progress.set_position(p.done.min(p.total));
            };
            let result = stream::run(&sources, &north_src, &opts, &mut sink, &report)?;
            progress.finish_and_clear();
            use std::io::Write as _;
            pred_w.flush()?;
            if let Some(mut w) = expl_w {
                w.flush()?;
            }
            for issue in &result.issues {
                eprintln!("skipped {issue}");
            }
            println!(
                "{assigned} matches written to {} ({} bad rows skipped)",
                out.display(),
                result.issues.len()
            );
            Ok(())
        }
        KinCommand::Link {
            left,
            right,
            id,
            right_id,
            fields,
            out,
            threshold,
            many,
        } => {
            let mut specs = Vec::new();
            for f in &fields {
                let parts: Vec<&str> = f.split(':').collect();
                let kind = match parts.get(1).copied().unwrap_or("text") {
                    "name" => FieldKind::Name,
                    "exact" => FieldKind::Exact,
                    "date" => FieldKind::Date,
                    "text" => FieldKind::Text,
                    k => bail!("--field {f}: unknown kind {k}; use name, text, exact or date"),
                };
                specs.push(FieldSpec {
                    left: parts[0].to_owned(),
                    right: parts.get(2).unwrap_or(&parts[0]).to_string(),
                    kind,
                });
            }
            let spec = LinkSpec {
                right_id: right_id.unwrap_or_else(|| id.clone()),
                left_id: id,
                fields: specs,
            };
            let opts = LinkOptions {
                threshold,
                one_to_one: !many,
                ..LinkOptions::default()
            };
            let spinner = ProgressBar::new_spinner();
            spinner.set_message("linking");
            spinner.enable_steady_tick(std::time::Duration::from_millis(120));
            let left_file =
                File::open(&left).with_context(|| format!("opening {}", left.display()))?;
            let right_file: Option<Box<dyn std::io::Read>> = match &right {
                Some(p) => Some(Box::new(
                    File::open(p).with_context(|| format!("opening {}", p.display()))?,
                )),
                None => None,
            };
            let pairs = link::link(left_file, right_file, &spec, &opts)?;
            spinner.finish_and_clear();
            let mut w = BufWriter::new(
                File::create(&out).with_context(|| format!("creating {}", out.display()))?,
            );
            writeln!(w, "left_id,right_id,score")?;
            for p in &pairs {
                writeln!(w, "{},{},{:.6}", p.left, p.right, p.score)?;
            }
            w.flush()?;
            println!("{} pairs written to {}", pairs.len(), out.display());
            Ok(())
        }
    }
}
