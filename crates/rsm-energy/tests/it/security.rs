//! The EU N-1 indicator and supplier/transit dependence.

use rsm_energy::security::{N1Terms, dependence, n1_by_country};
use rsm_energy::{HighsSolver, data, solve};

use crate::support::close;

#[test]
fn n1_formula_worked_example() {
    // A zone with 60 entry, 20 production, 15 storage, 30 LNG; the largest entry is 40;
    // peak demand 80: (60 + 20 + 15 + 30 − 40) / 80 × 100 = 106.25 %.
    let t = N1Terms {
        ep_m: 60.0,
        p_m: 20.0,
        s_m: 15.0,
        lng_m: 30.0,
        i_m: 40.0,
        d_max: 80.0,
    };
    close(t.percent().unwrap(), 106.25, 1e-12);
    assert_eq!(N1Terms::default().percent(), None);
}

#[test]
fn nea14_existing_n1_by_country() {
    let n = data::builtin("nea14-annual").unwrap().unwrap();
    let r = n1_by_country(&n, None);
    let names: Vec<&str> = r.iter().map(|c| c.country.as_str()).collect();
    assert_eq!(names, ["CN", "JP", "KR"]);
    // Japan and Korea: one LNG entry each and nothing else → losing it leaves 0 %.
    let jp = &r[1];
    assert_eq!(jp.largest, "REG_JP");
    close(jp.terms.lng_m, 849.315068, 1e-12);
    close(jp.percent, 0.0, 1e-12);
    assert_eq!(r[2].largest, "REG_KR");
    // China: entries PS1_X and FER (as delivered), LNG 93.15 + 22.47, production 109.59 + 13.70,
    // largest PS1_X; demand 64.93 + 162.19.
    let cn = &r[0];
    let ep = 104.109589 * 0.9997 + 32.876712 * 0.994;
    close(cn.terms.ep_m, ep, 1e-12);
    close(cn.terms.i_m, 104.109589 * 0.9997, 1e-12);
    let expect = (ep + 109.589041 + 13.69863 + 93.150685 + 22.465753 - 104.109589 * 0.9997)
        / (64.931507 + 162.191781)
        * 100.0;
    close(cn.percent, expect, 1e-12);
}

#[test]
fn nea14_dependence_sums_to_one_and_sees_transit() {
    let n = data::builtin("nea14-annual").unwrap().unwrap();
    let p = solve(&n, &HighsSolver::default()).unwrap();
    let deps = dependence(&n, &p);
    for d in &deps {
        let total: f64 = d.origins.iter().map(|(_, s)| s).sum();
        close(total, 1.0, 1e-9);
        assert!(d.hhi > 0.0 && d.hhi <= 1.0 + 1e-12);
    }
    let cn = deps.iter().find(|d| d.country == "CN").unwrap();
    // Power of Siberia 2 gas reaches CN_N through Mongolia.
    if p.build("PS2_MN_new").unwrap().new_capacity > 1.0 {
        assert!(cn.transit.iter().any(|(c, s)| c == "MN" && *s > 0.0));
    }
}

#[test]
fn dependence_traces_origin_and_transit_through_a_chain() {
    use crate::support::net;
    // RU field → KP → KR (60 % of KR's demand), LNG → KR the rest; one transit link is
    // labelled as crossing MN as well.
    let list = [
        ("buses.csv", "bus,x,y\nRU_A,0,0\nKP,1,0\nKR,2,0\nLNG,3,0\n"),
        (
            "links.csv",
            "name,bus0,bus1,p_nom,extendable,p_nom_max,length,capital_cost,efficiency,marginal_cost,transit\n\
             ru_kp,RU_A,KP,60,0,0,10,0,1,0,MN\n\
             kp_kr,KP,KR,60,0,0,10,0,1,0,\n\
             reg,LNG,KR,100,0,0,0,0,1,0,\n",
        ),
        (
            "supplies.csv",
            "name,bus,p_nom,marginal_cost\nfield,RU_A,100,1\nspot,LNG,100,5\n",
        ),
        ("loads.csv", "t,KR\n0,100\n"),
    ];
    let n = net(&list).unwrap();
    let p = solve(&n, &HighsSolver::default()).unwrap();
    let d = dependence(&n, &p);
    assert_eq!(d.len(), 1);
    let kr = &d[0];
    assert_eq!(kr.country, "KR");
    let share = |v: &[(String, f64)], k: &str| v.iter().find(|(c, _)| c == k).map_or(0.0, |x| x.1);
    close(share(&kr.origins, "RU"), 0.6, 1e-12);
    close(share(&kr.origins, "LNG"), 0.4, 1e-12);
    close(share(&kr.transit, "KP"), 0.6, 1e-12);
    close(share(&kr.transit, "MN"), 0.6, 1e-12);
    close(share(&kr.transit, "RU"), 0.0, 1e-12);
    close(kr.max_single_supplier, 0.6, 1e-12);
    close(kr.hhi, 0.36 + 0.16, 1e-12);
}

#[test]
fn regression_no_production_is_zero_not_negative_zero() {
    // An empty f64 sum is -0.0 in Rust; a country without production printed "-0".
    let n = data::builtin("nea14-annual").unwrap().unwrap();
    let jp = n1_by_country(&n, None)
        .into_iter()
        .find(|c| c.country == "JP")
        .unwrap();
    assert!(jp.terms.p_m.is_sign_positive(), "{}", jp.terms.p_m);
}
