//! A request's features made with the North list's parsed names copied
//! ([`ReqFeatures::with_known`]) equal those made by parsing every name
//! ([`ReqFeatures::new`]), on requests many of whose names the list holds.

use rsm_kin::csvin::BadRowPolicy;
use rsm_kin::features::{PersonInterner, ReqFeatures};
use rsm_kin::records;

#[test]
fn copied_names_give_the_parsed_features() {
    let Some(data) = crate::shared_data() else {
        eprintln!("shared data not present; skipped");
        return;
    };
    for set in ["dev-2k", "dev-2k-diaspora"] {
        let dir = data.join("kin").join(set);
        let open = |f: &str| std::fs::File::open(dir.join(f)).unwrap();
        let mut requests = records::load_requests(open("south.csv"), "south", BadRowPolicy::Skip)
            .unwrap()
            .records;
        if dir.join("diaspora.csv").is_file() {
            requests.extend(
                records::load_requests(open("diaspora.csv"), "diaspora", BadRowPolicy::Skip)
                    .unwrap()
                    .records,
            );
        }
        let persons = records::load_persons(open("north.csv"), "north", BadRowPolicy::Skip)
            .unwrap()
            .records;
        let mut interner = PersonInterner::default();
        interner.prepare(&persons);
        let known = interner.into_known();
        let mut copied = 0;
        for r in &requests {
            copied += [&r.applicant_name, &r.father_name, &r.name]
                .iter()
                .filter(|t| known.names.contains_key(t.as_str()))
                .count();
            let parsed = format!("{:?}", ReqFeatures::new(r));
            let with_known = format!("{:?}", ReqFeatures::with_known(r, Some(&known)));
            assert_eq!(with_known, parsed, "{set}: request {}", r.id);
        }
        assert!(
            copied >= requests.len(),
            "{set}: the test should copy names ({copied} copied)"
        );
    }
}
