//! Regime versions: ordered, never retroactive, and the one in force at an instant.

use rsm_regime::{HistoryError, RegimeHistory, RegimeVersion, default_regime};

use crate::support::ts;

fn version(effective: &str, basis: &str) -> RegimeVersion {
    RegimeVersion {
        effective: ts(effective),
        basis: basis.into(),
        regime: default_regime().unwrap(),
    }
}

#[test]
fn versions_are_in_order_and_in_force_from_their_instant() {
    let mut h = RegimeHistory::single(
        default_regime().unwrap(),
        ts("2026-01-01T00:00:00Z"),
        "Founding Declaration",
    );
    h.add(
        version("2027-07-01T00:00:00Z", "MC.DEC/3/27"),
        ts("2027-06-20T00:00:00Z"),
    )
    .unwrap();
    assert!(h.in_force_at(ts("2025-12-31T23:59:59Z")).is_none());
    assert_eq!(
        h.in_force_at(ts("2027-06-30T23:59:59Z")).unwrap().basis,
        "Founding Declaration"
    );
    assert_eq!(
        h.in_force_at(ts("2027-07-01T00:00:00Z")).unwrap().basis,
        "MC.DEC/3/27"
    );

    let err = h
        .add(
            version("2027-03-01T00:00:00Z", "MC.DEC/4/27"),
            ts("2027-02-01T00:00:00Z"),
        )
        .unwrap_err();
    assert!(matches!(err, HistoryError::OutOfOrder { .. }), "{err}");
    let err = h
        .add(
            version("2027-08-01T00:00:00Z", "SEC.ACT/2027/9"),
            ts("2027-09-01T00:00:00Z"),
        )
        .unwrap_err();
    assert!(matches!(err, HistoryError::Retroactive { .. }), "{err}");
    let err = h
        .add(
            version("2027-09-01T00:00:00Z", "  "),
            ts("2027-08-01T00:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(err, HistoryError::MissingBasis);
    assert_eq!(h.versions().len(), 2, "refused versions leave no trace");
}
