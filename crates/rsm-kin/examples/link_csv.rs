//! General CSV linkage with a column mapping:
//! `link_csv --left A.csv [--right B.csv] --id ID [--right-id ID] --field COL:KIND[:RIGHTCOL] ...
//! --out PAIRS.csv [--threshold P] [--many]`. KIND is name, text, exact or date.
//! Without `--right` the left file is deduplicated (pairs within it).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use rsm_kin::link::{self, FieldKind, FieldSpec, LinkOptions, LinkSpec};

fn main() -> ExitCode {
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("link_csv: {e}");
            ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut left, mut right, mut out) = (None, None, None);
    let (mut id, mut rid) = (None::<String>, None::<String>);
    let mut fields = Vec::new();
    let mut opts = LinkOptions::default();
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--left" => left = Some(val()?),
            "--right" => right = Some(val()?),
            "--out" => out = Some(val()?),
            "--id" => id = Some(val()?),
            "--right-id" => rid = Some(val()?),
            "--threshold" => opts.threshold = val()?.parse()?,
            "--many" => opts.one_to_one = false,
            "--field" => {
                let v = val()?;
                let parts: Vec<&str> = v.split(':').collect();
                let kind = match parts.get(1).copied().unwrap_or("text") {
                    "name" => FieldKind::Name,
                    "exact" => FieldKind::Exact,
                    "date" => FieldKind::Date,
                    "text" => FieldKind::Text,
                    k => return Err(format!("unknown field kind {k}").into()),
                };
                fields.push(FieldSpec {
                    left: parts[0].to_string(),
                    right: parts.get(2).unwrap_or(&parts[0]).to_string(),
                    kind,
                });
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let id = id.ok_or("--id is required")?;
    let spec = LinkSpec {
        right_id: rid.unwrap_or_else(|| id.clone()),
        left_id: id,
        fields,
    };
    if right.is_none() {
        opts.one_to_one = false;
    }
    let l = File::open(left.ok_or("--left is required")?)?;
    let r: Option<Box<dyn std::io::Read>> = match right {
        Some(p) => Some(Box::new(File::open(p)?)),
        None => None,
    };
    let pairs = link::link(l, r, &spec, &opts)?;
    let mut w = BufWriter::new(File::create(out.ok_or("--out is required")?)?);
    writeln!(w, "left_id,right_id,score")?;
    for p in &pairs {
        writeln!(w, "{},{},{:.6}", p.left, p.right, p.score)?;
    }
    w.flush()?;
    eprintln!("{} pairs", pairs.len());
    Ok(())
}
