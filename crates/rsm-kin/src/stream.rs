//! The batch match with bounded memory: the North's list is read once and
//! indexed, and the request files are read in passes, a chunk at a time (a
//! pass to check rows and count, one to train on a sample, one to score,
//! and one more to explain when asked). Memory is the person side (features
//! shared per distinct name, the index) plus one chunk of requests plus a
//! few numbers and the best candidates per request; predictions stream out
//! in request order. Gives the same predictions as [`crate::batch::run`].

use std::io::Read;

use rayon::prelude::*;

use crate::batch::{self, BatchOptions, Prediction};
use crate::csvin::{self, Encoding};
use crate::error::{KinError, Result, RowIssue};
use crate::explain;
use crate::features::{Known, PerFeatures, PersonInterner, Relation, ReqFeatures, Seeker};
use crate::linker::{self, PersonSide, Progress, Scored, Scores, Stage, Stats, Training};
use crate::model::Model;
use crate::records::{self, Parsed, Person, RecordStream, Request};

/// Persons read per chunk while preparing the North's list.
const PERSON_CHUNK: usize = 8_192;

/// A file the streaming run may read more than once: `open` gives a fresh
/// reader from the start each time.
pub struct Source<'a> {
    /// How the file is named in reported issues (usually its path).
    pub label: String,
    /// Opens the file from the start.
    pub open: Box<dyn Fn() -> std::io::Result<Box<dyn Read + 'a>> + Send + Sync + 'a>,
}

impl<'a> Source<'a> {
    /// A source over a file path.
    pub fn path(path: &'a str) -> Self {
        Self {
            label: path.to_string(),
            open: Box::new(move || {
                Ok(Box::new(std::io::BufReader::with_capacity(
                    1 << 16,
                    std::fs::File::open(path)?,
                )) as Box<dyn Read>)
            }),
        }
    }

    /// A source over bytes held in memory.
    pub fn bytes(label: &str, bytes: &'a [u8]) -> Self {
        Self {
            label: label.to_string(),
            open: Box::new(move || Ok(Box::new(bytes) as Box<dyn Read>)),
        }
    }

    fn reader(&self) -> Result<Box<dyn Read + 'a>> {
        (self.open)().map_err(|e| KinError::Io {
            file: self.label.clone(),
            source: e,
        })
    }
}

/// Record ids as one text and end offsets: no allocation per id.
#[derive(Debug, Default)]
pub struct IdList {
    text: String,
    ends: Vec<usize>,
}

impl IdList {
    /// Appends an id.
    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    /// The `i`-th id.
    pub fn get(&self, i: usize) -> &str {
        let a = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[a..self.ends[i]]
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * std::mem::size_of::<usize>()
    }
}

/// What the streaming run held in memory, for reports.
#[derive(Debug, Clone, Default)]
pub struct Footprint {
    /// Persons indexed.
    pub persons: usize,
    /// Distinct person names (names, fathers, relatives) parsed and shared.
    pub distinct_names: usize,
    /// Distinct places parsed and shared.
    pub distinct_places: usize,
    /// (key, person) entries of the blocking index.
    pub index_entries: usize,
    /// Distinct blocking keys.
    pub index_keys: usize,
    /// Bytes of the blocking index.
    pub index_bytes: usize,
    /// Bytes of the person and request ids.
    pub id_bytes: usize,
    /// Requests streamed.
    pub requests: usize,
    /// Requests per chunk.
    pub chunk: usize,
}

/// What a streaming run returns (its predictions went to the sink).
#[derive(Debug)]
pub struct StreamOutput {
    /// Bad rows skipped and notes, per file in the order given, North last.
    pub issues: Vec<RowIssue>,
    /// Counts.
    pub stats: Stats,
    /// The trained model.
    pub model: Model,
    /// Memory held.
    pub footprint: Footprint,
    /// Predictions written.
    pub predictions: usize,
}

/// Calls `f(request number, request)` for each usable request of the
/// sources, in order.
fn each_request(
    sources: &[Source<'_>],
    encodings: &[Encoding],
    families: &records::Families,
    mut f: impl FnMut(usize, Request) -> Result<()>,
) -> Result<()> {
    let mut ri = 0;
    for (src, &enc) in sources.iter().zip(encodings) {
        let mut s = RecordStream::requests(src.reader()?, enc, &src.label)?;
        while let Some(p) = s.next_request()? {
            if let Parsed::Kept(mut r, _) = p {
                families.fill(ri, &mut r);
                f(ri, r)?;
                ri += 1;
            }
        }
    }
    Ok(())
}

/// The usable requests of the sources, in order, read one at a time.
struct RequestReader<'s, 'a> {
    sources: &'s [Source<'a>],
    encodings: &'s [Encoding],
    /// The source being read (index) and its stream.
    at: usize,
    stream: Option<RecordStream<Box<dyn Read + 'a>, records::RequestColumns>>,
    /// Number of the next request.
    ri: usize,
}

impl<'s, 'a> RequestReader<'s, 'a> {
    fn new(sources: &'s [Source<'a>], encodings: &'s [Encoding]) -> Self {
        Self {
            sources,
            encodings,
            at: 0,
            stream: None,
            ri: 0,
        }
    }

    /// The next usable request and its number, or `None` at the end.
    fn next(&mut self) -> Result<Option<(usize, Request)>> {
        loop {
            if let Some(s) = self.stream.as_mut() {
                match s.next_request()? {
                    Some(Parsed::Kept(r, _)) => {
                        self.ri += 1;
                        return Ok(Some((self.ri - 1, r)));
                    }
                    Some(Parsed::Bad(_)) => continue,
                    None => {
                        self.stream = None;
                        self.at += 1;
                    }
                }
            }
            let (Some(src), Some(&enc)) = (self.sources.get(self.at), self.encodings.get(self.at))
            else {
                return Ok(None);
            };
            self.stream = Some(RecordStream::requests(src.reader()?, enc, &src.label)?);
        }
    }

    /// Fills `buf` with up to `chunk` of the requests `want` picks; false
    /// when the sources are exhausted.
    fn fill(
        &mut self,
        buf: &mut Vec<(usize, Request)>,
        chunk: usize,
        want: &dyn Fn(usize) -> bool,
    ) -> Result<bool> {
        while buf.len() < chunk {
            match self.next()? {
                Some((ri, r)) => {
                    if want(ri) {
                        buf.push((ri, r));
                    }
                }
                None => return Ok(false),
            }
        }
        Ok(true)
    }
}

/// Streams the requests `want` picks in chunks of `chunk`, `work` taking
/// each chunk while the next is read: the reading (sequential, on this
/// thread) overlaps the work (in the thread pool). Chunks come in order.
fn pipelined(
    sources: &[Source<'_>],
    encodings: &[Encoding],
    families: &records::Families,
    chunk: usize,
    want: &dyn Fn(usize) -> bool,
    mut work: impl FnMut(Vec<(usize, Request)>) + Send,
) -> Result<()> {
    let mut reader = RequestReader::new(sources, encodings);
    let mut cur = Vec::with_capacity(chunk);
    let mut more = reader.fill(&mut cur, chunk, want)?;
    while !cur.is_empty() {
        let mut next = Vec::new();
        let mut read = Ok(false);
        let mut batch = std::mem::take(&mut cur);
        for (ri, r) in &mut batch {
            families.fill(*ri, r);
        }
        let work = &mut work;
        rayon::in_place_scope(|s| {
            s.spawn(move |_| work(batch));
            if more {
                next.reserve(chunk);
                read = reader.fill(&mut next, chunk, want);
            }
        });
        more = read?;
        cur = next;
    }
    Ok(())
}

/// Streams requests in chunks of prepared features: `want` picks the
/// requests to prepare, `f` gets each full chunk (request number, features).
fn each_chunk(
    sources: &[Source<'_>],
    encodings: &[Encoding],
    families: &records::Families,
    chunk: usize,
    want: impl Fn(usize) -> bool,
    known: Option<&Known>,
    mut f: impl FnMut(&[(usize, &ReqFeatures)]) + Send,
) -> Result<()> {
    pipelined(sources, encodings, families, chunk, &want, |buf| {
        let feats: Vec<ReqFeatures> = buf
            .par_iter()
            .map(|(_, r)| ReqFeatures::with_known(r, known))
            .collect();
        // The records are not needed past their features (the next chunk
        // is being read meanwhile).
        let numbers: Vec<usize> = buf.iter().map(|(ri, _)| *ri).collect();
        drop(buf);
        let batch: Vec<(usize, &ReqFeatures)> = numbers.into_iter().zip(feats.iter()).collect();
        f(&batch);
    })
}

/// What pass 1 over the request files keeps: each file's encoding, the
/// usable requests' ids, applicants and families, and the files' issues.
struct Scanned {
    encodings: Vec<Encoding>,
    request_ids: IdList,
    families: records::Families,
    seekers: Vec<Seeker>,
    issues: Vec<RowIssue>,
}

/// Pass 1 over the requests: checks every row, keeps ids and applicants.
fn scan_requests(requests: &[Source<'_>], opts: &BatchOptions) -> Result<Scanned> {
    let mut issues = Vec::new();
    let mut encodings = Vec::new();
    let mut request_ids = IdList::default();
    let mut families = records::Families::default();
    let mut seekers: Vec<Seeker> = Vec::new();
    // An applicant files several requests (dev-20k: 47,000 requests, 11,000
    // applicant names), not one after another: each name's surname class is
    // parsed once ([`Seeker::of`] reads nothing else of the name).
    let mut surnames: rustc_hash::FxHashMap<String, Option<u16>> = Default::default();
    for src in requests {
        let enc = csvin::sniff(src.reader()?, &src.label)?;
        encodings.push(enc);
        let mut s = RecordStream::requests(src.reader()?, enc, &src.label)?;
        let (mut notes, mut bad) = (Vec::new(), Vec::new());
        while let Some(p) = s.next_request()? {
            match p {
                Parsed::Kept(r, note) => {
                    notes.extend(note);
                    request_ids.push(&r.id);
                    families.push(&r);
                    let a = families.applicants.last().copied().flatten();
                    let seeker = match surnames.get(r.applicant_name.as_str()) {
                        Some(&surname) => Seeker {
                            applicant: a,
                            relation: Relation::parse(&r.relationship),
                            surname,
                        },
                        None => {
                            let s = Seeker::of(a, &r);
                            surnames.insert(r.applicant_name.clone(), s.surname);
                            s
                        }
                    };
                    seekers.push(seeker);
                }
                Parsed::Bad(b) => bad.push(b),
            }
        }
        let (settled, _) = records::settle_issues(&src.label, notes, bad, opts.bad_rows)?;
        issues.extend(settled);
    }
    families.done();
    Ok(Scanned {
        encodings,
        request_ids,
        families,
        seekers,
        issues,
    })
}

/// The North's list as read: ids, features (shared per distinct name and
/// place), the records themselves only when explaining, and the issues.
struct NorthRead {
    person_ids: IdList,
    pf: Vec<PerFeatures>,
    kept_persons: Vec<Person>,
    /// The names parsed, by text (requests copy the ones they share).
    known_names: Known,
    distinct_names: usize,
    distinct_places: usize,
    issues: Vec<RowIssue>,
}

/// Reads the North's list a chunk at a time, each chunk prepared (in the
/// pool) while the next is read.
fn read_north(north: &Source<'_>, opts: &BatchOptions) -> Result<NorthRead> {
    let mut person_ids = IdList::default();
    let mut pf: Vec<PerFeatures> = Vec::new();
    let mut kept_persons: Vec<Person> = Vec::new();
    let mut interner = PersonInterner::default();
    let issues;
    {
        let enc = csvin::sniff(north.reader()?, &north.label)?;
        let mut s = RecordStream::persons(north.reader()?, enc, &north.label)?;
        let (mut notes, mut bad) = (Vec::new(), Vec::new());
        let mut prepare = |mut chunk: Vec<Person>| {
            pf.extend(interner.prepare(&chunk));
            for p in chunk.iter() {
                person_ids.push(&p.id);
            }
            if opts.explain {
                kept_persons.append(&mut chunk);
            }
        };
        let mut read = |chunk: &mut Vec<Person>| -> Result<bool> {
            while chunk.len() < PERSON_CHUNK {
                match s.next_person()? {
                    Some(Parsed::Kept(p, note)) => {
                        notes.extend(note);
                        chunk.push(p);
                    }
                    Some(Parsed::Bad(b)) => bad.push(b),
                    None => return Ok(false),
                }
            }
            Ok(true)
        };
        let mut cur: Vec<Person> = Vec::with_capacity(PERSON_CHUNK);
        let mut more = read(&mut cur)?;
        while !cur.is_empty() {
            let mut next: Vec<Person> = Vec::new();
            let mut got = Ok(false);
            let batch = std::mem::take(&mut cur);
            let prepare = &mut prepare;
            rayon::in_place_scope(|sc| {
                sc.spawn(move |_| prepare(batch));
                if more {
                    next.reserve(PERSON_CHUNK);
                    got = read(&mut next);
                }
            });
            more = got?;
            cur = next;
        }
        let (settled, _) = records::settle_issues(&north.label, notes, bad, opts.bad_rows)?;
        issues = settled;
    }
    pf.shrink_to_fit();
    let (distinct_names, distinct_places) = interner.distinct();
    Ok(NorthRead {
        person_ids,
        pf,
        kept_persons,
        known_names: interner.into_known(),
        distinct_names,
        distinct_places,
        issues,
    })
}

/// Runs the batch match streaming: `requests` are the South's file and
/// optionally the diaspora's, `north` the North's list; each prediction
/// goes to `sink` in request order (with its explanation when
/// `opts.explain`). The predictions are those of [`crate::batch::run`].
pub fn run(
    requests: &[Source<'_>],
    north: &Source<'_>,
    opts: &BatchOptions,
    sink: &mut dyn FnMut(Prediction) -> Result<()>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<StreamOutput> {
    if !(0.0..=1.0).contains(&opts.linker.threshold) {
        return Err(KinError::Options(format!(
            "threshold {} is not a probability",
            opts.linker.threshold
        )));
    }
    let report = |stage, done: usize, total: usize| {
        progress(Progress {
            stage,
            done: done as u64,
            total: total as u64,
        });
    };
    report(Stage::Load, 0, requests.len() + 1);
    // Pass 1 over the requests (one thread, sequential by nature: ids,
    // applicants and families in file order) runs beside the North's list
    // and its index, which do not depend on it: the two take about as long.
    let mut scanned = None;
    let north_side = rayon::in_place_scope(|s| {
        // In the pool rather than on a thread of its own: a new thread would
        // get its own malloc arena, whose garbage nothing reuses later.
        s.spawn(|_| scanned = Some(scan_requests(requests, opts)));
        read_north(north, opts).map(|n| {
            report(Stage::Load, requests.len() + 1, requests.len() + 1);
            report(Stage::Index, 0, n.pf.len());
            let index = PersonSide::index_of(&n.pf);
            let tf = linker::TermFreq::for_persons(&n.pf);
            report(Stage::Index, n.pf.len(), n.pf.len());
            (n, index, tf)
        })
    });
    let scanned = scanned.expect("the scope ran the scan");
    // The requests' errors first, as when they were read first.
    let Scanned {
        encodings,
        request_ids,
        families,
        seekers,
        issues: mut all_issues,
    } = scanned?;
    let (north_read, index, tf) = north_side?;
    let NorthRead {
        person_ids,
        pf,
        kept_persons,
        known_names,
        distinct_names,
        distinct_places,
        issues: north_issues,
    } = north_read;
    all_issues.extend(north_issues);
    let issues = all_issues;
    let families = &families;
    let n = request_ids.len();
    let side = PersonSide {
        persons: &pf,
        index,
        tf,
    };

    // Pass 2: train on the sampled requests only.
    let chunk = opts.linker.chunk.max(1);
    report(Stage::Train, 0, 2);
    let mut training = Training::new(&side, n, &opts.linker);
    {
        // Requests are parsed in batches and each wanted one prepared,
        // compared and dropped within one task: no batch of features held.
        let training = &mut training;
        let want = |ri: usize| training.wants(ri);
        let wanted: Vec<bool> = (0..n).map(want).collect();
        pipelined(
            requests,
            &encodings,
            families,
            chunk,
            &|ri| wanted[ri],
            |buf| training.add_requests(&buf, Some(&known_names)),
        )?;
    }
    report(Stage::Train, 1, 2);
    let mut compared = training.take_compared();
    let model = training.finish();
    report(Stage::Train, 2, 2);

    // Pass 3: score every request, chunk by chunk.
    let mut scores = Scores::new(n);
    let mut done = 0;
    each_chunk(
        requests,
        &encodings,
        families,
        chunk,
        |_| true,
        Some(&known_names),
        |batch| {
            let scored = side.score_with(&model, &opts.linker, batch, &mut compared);
            for (&(ri, _), s) in batch.iter().zip(scored) {
                scores.put(ri, s);
            }
            done += batch.len();
            report(Stage::Score, done, n);
        },
    )?;
    let size = side.size();
    let footprint = Footprint {
        persons: pf.len(),
        distinct_names,
        distinct_places,
        index_entries: side.index.len(),
        index_keys: side.index.distinct_keys(),
        index_bytes: side.index.heap_bytes(),
        id_bytes: request_ids.bytes() + person_ids.bytes(),
        requests: n,
        chunk,
    };
    // Predictions in request order.
    let mut written = 0usize;
    let mut emit = |ri: usize, s: &Scored, assigned: bool, explanation| -> Result<()> {
        written += 1;
        sink(Prediction {
            request_id: request_ids.get(ri).to_string(),
            person_id: person_ids.get(s.person as usize).to_string(),
            score: s.prob,
            weight: s.weight,
            assigned,
            explanation,
        })
    };
    let conclude = |model| linker::conclude(size, model, scores, &seekers, &opts.linker, progress);
    if !opts.explain {
        // The North's features and index are done with: freed before the
        // assignment, whose memory then reuses theirs instead of adding to
        // the peak. The features (62,000 persons' shared names and places
        // on dev-20k: some 20 ms) are freed in the pool while the
        // assignment runs.
        drop(side);
        let (out, ()) = rayon::join(
            || conclude(model),
            move || {
                drop(known_names);
                drop(pf);
            },
        );
        for ri in 0..n {
            let mut res = Ok(());
            batch::predictions_of(&out, ri, opts, |s, assigned| {
                if res.is_ok() {
                    res = emit(ri, s, assigned, None);
                }
            });
            res?;
        }
        return Ok(StreamOutput {
            issues,
            stats: out.stats,
            model: out.model,
            footprint,
            predictions: written,
        });
    }
    let out = conclude(model);
    // Explanations need the records again (pass 4).
    each_request(requests, &encodings, families, |ri, r| {
        let mut rf: Option<ReqFeatures> = None;
        let mut res = Ok(());
        batch::predictions_of(&out, ri, opts, |s, assigned| {
            let rf = rf.get_or_insert_with(|| ReqFeatures::with_known(&r, Some(&known_names)));
            let p = s.person as usize;
            let mut e = explain::explain(&r, rf, &kept_persons[p], &pf[p], &out.model, &side.tf);
            if let Some(c) = out.contested.get(&(ri as u32, s.person)) {
                let j = c.by as usize;
                explain::add_claim_elsewhere(&mut e, request_ids.get(j), seekers[j].relation, c);
            }
            if res.is_ok() {
                res = emit(ri, s, assigned, Some(e));
            }
        });
        res
    })?;
    Ok(StreamOutput {
        issues,
        stats: out.stats,
        model: out.model,
        footprint,
        predictions: written,
    })
}
