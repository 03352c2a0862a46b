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

/// Reads the network folder `dir`: this crate's vocabulary, or PyPSA's own
/// `export_to_csv_folder` layout when the folder has `generators.csv` and no `supplies.csv`.
pub fn read_dir(dir: &Path) -> Result<Network> {
    if dir.join("generators.csv").exists() && !dir.join(SUPPLIES).exists() {
        return read_pypsa_dir(dir);
    }
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

/// PyPSA component files this reader cannot represent; their presence is an error.
const PYPSA_UNSUPPORTED: [&str; 8] = [
    "lines.csv",
    "transformers.csv",
    "stores.csv",
    "storage_units.csv",
    "generators-p_max_pu.csv",
    "generators-p_min_pu.csv",
    "links-p_max_pu.csv",
    "links-p_min_pu.csv",
];

/// Reads a folder written by PyPSA's `Network.export_to_csv_folder` (buses, links,
/// generators, loads with `loads-p_set.csv`, `snapshots.csv` with objective weights).
/// Absent columns and empty cells take PyPSA's defaults; attributes the model cannot
/// represent (e.g. `p_min_pu`, extendable generators, stores) are refused.
pub fn read_pypsa_dir(dir: &Path) -> Result<Network> {
    for name in PYPSA_UNSUPPORTED {
        if dir.join(name).exists() {
            return Err(EnergyError::input(
                name,
                1,
                "",
                InputProblem::Inconsistent("component not supported by rsm-energy".into()),
            ));
        }
    }
    let mut files = Files::new();
    for name in [
        "buses.csv",
        "links.csv",
        "generators.csv",
        "loads.csv",
        "loads-p_set.csv",
        SNAPSHOTS,
    ] {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                files.insert(name.to_owned(), text);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && name != "buses.csv" => {}
            Err(source) => return Err(EnergyError::Io { path, source }),
        }
    }
    parse_pypsa(&files)
}

impl<'a> Table<'a> {
    fn num_or(&self, row: &(usize, Vec<&'a str>), col: Option<usize>, default: f64) -> Result<f64> {
        match col {
            Some(c) if !row.1[c].is_empty() => self.num(row, c),
            _ => Ok(default),
        }
    }

    fn flag_or(&self, row: &(usize, Vec<&'a str>), col: Option<usize>) -> Result<bool> {
        match col {
            Some(c) if !row.1[c].is_empty() => self.flag(row, c),
            _ => Ok(false),
        }
    }

    /// Refuses a column whose values differ from the default the model assumes.
    fn only_default(&self, row: &(usize, Vec<&'a str>), name: &str, default: f64) -> Result<()> {
        if let Some(c) = self.col(&[name]) {
            let v = self.num_or(row, Some(c), default)?;
            if v != default {
                return Err(EnergyError::input(
                    self.file,
                    row.0,
                    name,
                    InputProblem::Inconsistent(format!("only {default} is supported, found {v}")),
                ));
            }
        }
        Ok(())
    }
}

/// Parses the files of a PyPSA export (see [`read_pypsa_dir`]), validates and sorts.
pub fn parse_pypsa(files: &Files) -> Result<Network> {
    let mut net = Network::default();
    let t = Table::parse("buses.csv", file(files, "buses.csv")?)?;
    let name = t
        .col(&["name", "Bus", "bus"])
        .ok_or_else(|| EnergyError::input("buses.csv", 1, "name", InputProblem::Missing))?;
    let (x, y, country) = (t.col(&["x"]), t.col(&["y"]), t.col(&["country"]));
    for r in &t.rows {
        let n = t.text(r, name)?.to_owned();
        let c = match country {
            Some(c) if !r.1[c].is_empty() => Some(r.1[c].to_owned()),
            _ => country_from_name(&n),
        };
        net.buses.push(Bus {
            x: t.num_or(r, x, 0.0)?,
            y: t.num_or(r, y, 0.0)?,
            name: n,
            country: c,
        });
    }
    if let Some(text) = files.get("links.csv") {
        let t = Table::parse("links.csv", text)?;
        let (name, bus0, bus1) = (t.need("name")?, t.need("bus0")?, t.need("bus1")?);
        let c = |n: &str| t.col(&[n]);
        for r in &t.rows {
            t.only_default(r, "p_min_pu", 0.0)?;
            t.only_default(r, "p_max_pu", 1.0)?;
            t.only_default(r, "p_nom_min", 0.0)?;
            let extendable = t.flag_or(r, c("p_nom_extendable"))?;
            let p_nom = t.num_or(r, c("p_nom"), 0.0)?;
            let max = t.num_or(r, c("p_nom_max"), f64::INFINITY)?;
            net.links.push(Link {
                name: t.text(r, name)?.to_owned(),
                bus0: t.text(r, bus0)?.to_owned(),
                bus1: t.text(r, bus1)?.to_owned(),
                p_nom,
                extendable,
                p_nom_max: if extendable { max } else { 0.0 },
                length: t.num_or(r, c("length"), 0.0)?,
                capital_cost: t.num_or(r, c("capital_cost"), 0.0)?,
                efficiency: t.num_or(r, c("efficiency"), 1.0)?,
                marginal_cost: t.num_or(r, c("marginal_cost"), 0.0)?,
                transit: Vec::new(),
            });
        }
    }
    if let Some(text) = files.get("generators.csv") {
        let t = Table::parse("generators.csv", text)?;
        let (name, bus) = (t.need("name")?, t.need("bus")?);
        let c = |n: &str| t.col(&[n]);
        for r in &t.rows {
            t.only_default(r, "p_min_pu", 0.0)?;
            t.only_default(r, "p_max_pu", 1.0)?;
            if t.flag_or(r, c("p_nom_extendable"))? {
                return Err(EnergyError::input(
                    "generators.csv",
                    r.0,
                    "p_nom_extendable",
                    InputProblem::Inconsistent("extendable generators are not supported".into()),
                ));
            }
            net.supplies.push(Supply {
                name: t.text(r, name)?.to_owned(),
                bus: t.text(r, bus)?.to_owned(),
                p_nom: t.num_or(r, c("p_nom"), 0.0)?,
                marginal_cost: t.num_or(r, c("marginal_cost"), 0.0)?,
            });
        }
    }
    // Snapshots and weights.
    let series = files
        .get("loads-p_set.csv")
        .map(|text| Table::parse("loads-p_set.csv", text))
        .transpose()?;
    if let Some(text) = files.get(SNAPSHOTS) {
        let t = Table::parse(SNAPSHOTS, text)?;
        let sc = t.need("snapshot")?;
        let wc = t.col(&["objective"]);
        for r in &t.rows {
            net.snapshots.push(Snapshot {
                name: t.text(r, sc)?.to_owned(),
                weight: t.num_or(r, wc, 1.0)?,
            });
        }
    } else if let Some(s) = &series {
        for r in &s.rows {
            net.snapshots.push(Snapshot {
                name: s.text(r, 0)?.to_owned(),
                weight: 1.0,
            });
        }
    }
    // Loads: static `loads.csv` (name, bus, p_set) and the `loads-p_set.csv` series, summed by bus.
    let mut by_bus: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let nt = net.snapshots.len();
    if let Some(text) = files.get("loads.csv") {
        let t = Table::parse("loads.csv", text)?;
        let (name, bus, p_set) = (t.need("name")?, t.need("bus")?, t.col(&["p_set"]));
        for r in &t.rows {
            let load = t.text(r, name)?;
            let bus = t.text(r, bus)?.to_owned();
            let mut values = vec![t.num_or(r, p_set, 0.0)?; nt];
            if let Some(s) = &series
                && let Some(c) = s.col(&[load])
            {
                if s.rows.len() != nt {
                    return Err(EnergyError::input(
                        "loads-p_set.csv",
                        s.rows.len() + 1,
                        load,
                        InputProblem::Inconsistent(format!(
                            "{} rows, {nt} snapshots",
                            s.rows.len()
                        )),
                    ));
                }
                for (k, r) in s.rows.iter().enumerate() {
                    values[k] = s.num(r, c)?;
                }
            }
            let entry = by_bus.entry(bus).or_insert_with(|| vec![0.0; nt]);
            entry.iter_mut().zip(values).for_each(|(a, b)| *a += b);
        }
    }
    net.loads = by_bus
        .into_iter()
        .map(|(bus, p_set)| Load { bus, p_set })
        .collect();
    net.validate()?;
    net.sort();
    Ok(net)
}
