//! The humanitarian basket of RSM as a pure library: case referral between parties' focal
//! points (referral types as data, consent, need-to-know field sets, the referral life
//! cycle), aid tracking (pledges, commitments, disbursements, dated currency conversion) and
//! the yearly aggregate reports with small-cell suppression. Time comes in as arguments;
//! nothing here reads the clock.

pub mod aid;
pub mod case;
pub mod report;
