//! The general linkage API on Splink's fake_1000 (deduplication).

use std::collections::HashSet;

use rsm_kin::link::{self, FieldKind, FieldSpec, LinkOptions, LinkSpec};

#[test]
fn fake_1000_dedupe() {
    let Some(data) = crate::shared_data() else {
        return;
    };
    let path = data.join("linkage/fake_1000.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let spec = LinkSpec {
        left_id: "unique_id".into(),
        right_id: "unique_id".into(),
        fields: [
            ("first_name", FieldKind::Name),
            ("surname", FieldKind::Name),
            ("dob", FieldKind::Date),
            ("city", FieldKind::Text),
            ("email", FieldKind::Text),
        ]
        .into_iter()
        .map(|(c, k)| FieldSpec {
            left: c.into(),
            right: c.into(),
            kind: k,
        })
        .collect(),
    };
    let opts = LinkOptions {
        one_to_one: false,
        ..Default::default()
    };
    let pairs = link::link(text.as_bytes(), None, &spec, &opts).unwrap();
    // Truth from the cluster column.
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[6].to_string())
        })
        .collect();
    let mut truth = HashSet::new();
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            if a.1 == b.1 {
                truth.insert((a.0.clone(), b.0.clone()));
            }
        }
    }
    let pred: HashSet<(String, String)> = pairs
        .iter()
        .map(|p| (p.left.clone(), p.right.clone()))
        .collect();
    let tp = pred.intersection(&truth).count() as f64;
    let precision = tp / pred.len() as f64;
    assert!(precision > 0.95, "precision {precision}");
    assert!(tp / truth.len() as f64 > 0.6);
}
