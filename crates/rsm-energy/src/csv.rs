//! Reads and writes a network folder in PyPSA's CSV vocabulary (`buses.csv`, `links.csv`, `supplies.csv`, `loads.csv`, optional `snapshots.csv`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{EnergyError, InputProblem, Result};
use crate::network::{
    Bus, Link, Load, Network, Snapshot, Supply, country_from_name, default_weight,
};

/// The files of a network folder: file name → contents.
pub type Files = BTreeMap<String, String>;

const BUSES: &str = "buses.csv";
const LINKS: &str = "links.csv";
const SUPPLIES: &str = "supplies.csv";
const LOADS: &str = "loads.csv";
const SNAPSHOTS: &str = "snapshots.csv";

/// Reads the network folder `dir`.
pub fn read_dir(dir: &Path) -> Result<Network> {
    let mut files = Files::new();
    for name in [BUSES, LINKS, SUPPLIES, LOADS, SNAPSHOTS] {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                files.insert(name.to_owned(), text);
            }
            Err(e) if name == SNAPSHOTS && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(EnergyError::Io { path, source }),
        }
    }
    parse(&files)
}

/// Writes `net` as a network folder `dir` (created if needed).
pub fn write_dir(net: &Network, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| EnergyError::Io {
        path: dir.to_owned(),
        source,
    })?;
    for (name, text) in to_files(net) {
        let path = dir.join(&name);
        std::fs::write(&path, text).map_err(|source| EnergyError::Io { path, source })?;
    }
    Ok(())
}

/// One parsed CSV table with its header.
struct Table<'a> {
    file: &'a str,
    header: Vec<&'a str>,
    /// (line number, cells)
    rows: Vec<(usize, Vec<&'a str>)>,
}

impl<'a> Table<'a> {
    fn parse(file: &'a str, text: &'a str) -> Result<Table<'a>> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, head)) = lines.next() else {
            return Err(EnergyError::input(file, 1, "", InputProblem::Missing));
        };
        let header: Vec<&str> = head.split(',').map(str::trim).collect();
        let mut rows = Vec::new();
        for (i, line) in lines {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != header.len() {
                return Err(EnergyError::input(
                    file,
                    i + 1,
                    "",
                    InputProblem::RowWidth {
                        expected: header.len(),
                        found: cells.len(),
                    },
                ));
            }
            rows.push((i + 1, cells));
        }
        Ok(Table { file, header, rows })
    }

    fn col(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| names.contains(h))
    }

    fn need(&self, name: &str) -> Result<usize> {
        self.col(&[name])
            .ok_or_else(|| EnergyError::input(self.file, 1, name, InputProblem::Missing))
    }

    fn text(&self, row: &(usize, Vec<&'a str>), col: usize) -> Result<&'a str> {
        let v = row.1[col];
        if v.is_empty() {
            return Err(EnergyError::input(
                self.file,
                row.0,
                self.header[col],
                InputProblem::Missing,
            ));
        }
        Ok(v)
    }

    fn num(&self, row: &(usize, Vec<&'a str>), col: usize) -> Result<f64> {
        let v = self.text(row, col)?;
        match v.parse::<f64>() {
            Ok(x) if !x.is_nan() => Ok(x),
            _ => Err(EnergyError::input(
                self.file,
                row.0,
                self.header[col],
                InputProblem::NotANumber(v.to_owned()),
            )),
        }
    }

    fn flag(&self, row: &(usize, Vec<&'a str>), col: usize) -> Result<bool> {
        match self.text(row, col)? {
            "1" | "true" | "True" | "TRUE" => Ok(true),
            "0" | "false" | "False" | "FALSE" => Ok(false),
            other => Err(EnergyError::input(
                self.file,
                row.0,
                self.header[col],
                InputProblem::BadFlag(other.to_owned()),
            )),
        }
    }
}

fn file<'a>(files: &'a Files, name: &str) -> Result<&'a str> {
    files
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| EnergyError::Io {
            path: name.into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "file missing"),
        })
}

/// Parses the files of a network folder, validates the network and sorts its components.
pub fn parse(files: &Files) -> Result<Network> {
    let mut net = parse_unchecked(files)?;
    net.validate()?;
    net.sort();
    Ok(net)
}

fn parse_unchecked(files: &Files) -> Result<Network> {
    let mut net = Network::default();

    let t = Table::parse(BUSES, file(files, BUSES)?)?;
    let name = t
        .col(&["bus", "name", "Bus"])
        .ok_or_else(|| EnergyError::input(BUSES, 1, "bus", InputProblem::Missing))?;
    let (x, y) = (t.need("x")?, t.need("y")?);
    let country = t.col(&["country"]);
    for r in &t.rows {
        let n = t.text(r, name)?.to_owned();
        let c = match country {
            Some(c) if r.1[c].is_empty() => None,
            Some(c) => Some(r.1[c].to_owned()),
            None => country_from_name(&n),
        };
        net.buses.push(Bus {
            x: t.num(r, x)?,
            y: t.num(r, y)?,
            name: n,
            country: c,
        });
    }

    let t = Table::parse(LINKS, file(files, LINKS)?)?;
    let cols: Vec<usize> = [
        "name",
        "bus0",
        "bus1",
        "p_nom",
        "extendable",
        "p_nom_max",
        "length",
        "capital_cost",
        "efficiency",
        "marginal_cost",
    ]
    .iter()
    .map(|c| t.need(c))
    .collect::<Result<_>>()?;
    let transit = t.col(&["transit"]);
    for r in &t.rows {
        net.links.push(Link {
            name: t.text(r, cols[0])?.to_owned(),
            bus0: t.text(r, cols[1])?.to_owned(),
            bus1: t.text(r, cols[2])?.to_owned(),
            p_nom: t.num(r, cols[3])?,
            extendable: t.flag(r, cols[4])?,
            p_nom_max: t.num(r, cols[5])?,
            length: t.num(r, cols[6])?,
            capital_cost: t.num(r, cols[7])?,
            efficiency: t.num(r, cols[8])?,
            marginal_cost: t.num(r, cols[9])?,
            transit: transit
                .map(|c| {
                    r.1[c]
                        .split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        });
    }

    let t = Table::parse(SUPPLIES, file(files, SUPPLIES)?)?;
    let cols: Vec<usize> = ["name", "bus", "p_nom", "marginal_cost"]
        .iter()
        .map(|c| t.need(c))
        .collect::<Result<_>>()?;
    for r in &t.rows {
        net.supplies.push(Supply {
            name: t.text(r, cols[0])?.to_owned(),
            bus: t.text(r, cols[1])?.to_owned(),
            p_nom: t.num(r, cols[2])?,
            marginal_cost: t.num(r, cols[3])?,
        });
    }

    let t = Table::parse(LOADS, file(files, LOADS)?)?;
    let tcol = t
        .col(&["t", "snapshot"])
        .ok_or_else(|| EnergyError::input(LOADS, 1, "t", InputProblem::Missing))?;
    let bus_cols: Vec<usize> = (0..t.header.len()).filter(|c| *c != tcol).collect();
    let mut loads: Vec<Load> = bus_cols
        .iter()
        .map(|c| Load {
            bus: t.header[*c].to_owned(),
            p_set: Vec::with_capacity(t.rows.len()),
        })
        .collect();
    let w = default_weight(t.rows.len());
    for r in &t.rows {
        net.snapshots.push(Snapshot {
            name: t.text(r, tcol)?.to_owned(),
            weight: w,
        });
        for (load, c) in loads.iter_mut().zip(&bus_cols) {
            load.p_set.push(t.num(r, *c)?);
        }
    }
    net.loads = loads;

    if let Some(text) = files.get(SNAPSHOTS) {
        let t = Table::parse(SNAPSHOTS, text)?;
        let (tc, wc) = (
            t.col(&["t", "snapshot"])
                .ok_or_else(|| EnergyError::input(SNAPSHOTS, 1, "t", InputProblem::Missing))?,
            t.need("weight")?,
        );
        if t.rows.len() != net.snapshots.len() {
            return Err(EnergyError::input(
                SNAPSHOTS,
                t.rows.len() + 1,
                "t",
                InputProblem::Inconsistent(format!(
                    "{} snapshots here, {} in loads.csv",
                    t.rows.len(),
                    net.snapshots.len()
                )),
            ));
        }
        for (r, s) in t.rows.iter().zip(net.snapshots.iter_mut()) {
            let name = t.text(r, tc)?;
            if name != s.name {
                return Err(EnergyError::input(
                    SNAPSHOTS,
                    r.0,
                    "t",
                    InputProblem::Inconsistent(format!("`{name}` but loads.csv has `{}`", s.name)),
                ));
            }
            s.weight = t.num(r, wc)?;
        }
    }
    Ok(net)
}

/// Renders `net` as the files of a network folder. Numbers use Rust's shortest
/// round-trip notation, so `parse(to_files(n)) == n` for a sorted, valid network.
pub fn to_files(net: &Network) -> Files {
    let mut files = Files::new();
    let with_country = net
        .buses
        .iter()
        .any(|b| b.country != country_from_name(&b.name));
    let mut s = String::from(if with_country {
        "bus,x,y,country\n"
    } else {
        "bus,x,y\n"
    });
    for b in &net.buses {
        s += &format!("{},{},{}", b.name, b.x, b.y);
        if with_country {
            s += &format!(",{}", b.country.as_deref().unwrap_or(""));
        }
        s.push('\n');
    }
    files.insert(BUSES.into(), s);

    let with_transit = net.links.iter().any(|l| !l.transit.is_empty());
    let mut s = String::from(
        "name,bus0,bus1,p_nom,extendable,p_nom_max,length,capital_cost,efficiency,marginal_cost",
    );
    s += if with_transit { ",transit\n" } else { "\n" };
    for l in &net.links {
        s += &format!(
            "{},{},{},{},{},{},{},{},{},{}",
            l.name,
            l.bus0,
            l.bus1,
            l.p_nom,
            u8::from(l.extendable),
            l.p_nom_max,
            l.length,
            l.capital_cost,
            l.efficiency,
            l.marginal_cost
        );
        if with_transit {
            s += &format!(",{}", l.transit.join(";"));
        }
        s.push('\n');
    }
    files.insert(LINKS.into(), s);

    let mut s = String::from("name,bus,p_nom,marginal_cost\n");
    for g in &net.supplies {
        s += &format!("{},{},{},{}\n", g.name, g.bus, g.p_nom, g.marginal_cost);
    }
    files.insert(SUPPLIES.into(), s);

    let mut s = String::from("t");
    for l in &net.loads {
        s += &format!(",{}", l.bus);
    }
    s.push('\n');
    for (k, snap) in net.snapshots.iter().enumerate() {
        s += &snap.name;
        for l in &net.loads {
            s += &format!(",{}", l.p_set[k]);
        }
        s.push('\n');
    }
    files.insert(LOADS.into(), s);

    let w = default_weight(net.snapshots.len());
    if net.snapshots.iter().any(|s| s.weight != w) {
        let mut s = String::from("t,weight\n");
        for snap in &net.snapshots {
            s += &format!("{},{}\n", snap.name, snap.weight);
        }
        files.insert(SNAPSHOTS.into(), s);
    }
    files
}
