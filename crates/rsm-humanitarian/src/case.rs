//! Case referral between parties' focal points: referral types as data, consent or legal
//! basis, the fields each referral type carries, and the referral life cycle.
