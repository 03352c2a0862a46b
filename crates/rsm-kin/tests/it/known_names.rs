//! A request's features made with the North list's parsed names copied
//! ([`ReqFeatures::with_known`]) equal those made by parsing every name
//! ([`ReqFeatures::new`]), on requests many of whose names the list holds.

use rsm_kin::features::{PersonInterner, ReqFeatures};

#[test]
fn copied_names_give_the_parsed_features() {
    if crate::shared_data().is_none() {
        eprintln!("shared data not present; skipped");
        return;
    }
    for set in ["dev-2k", "dev-2k-diaspora"] {
        let (requests, persons) = crate::dev_set(set).expect("shared data present");
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
