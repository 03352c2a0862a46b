//! Yearly reports for the Ministerial Council: aggregates only, with every cell below the
//! suppression threshold withheld in one place.

use rsm_core::party::PartyCode;

/// One case as the yearly report sees it: no person, only what is counted. The case store
/// produces these; the report never sees a case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFact {
    /// The party whose focal point opened and referred the case.
    pub referring_party: PartyCode,
    /// The party the case was referred to.
    pub receiving_party: PartyCode,
    /// The referral type's id, as in the referral types file (e.g. `trafficking-victim`).
    pub kind: String,
    /// The day the case was referred.
    pub referred_on: jiff::civil::Date,
    /// How it ended: `None` while open; otherwise the outcome's id (e.g. `declined`,
    /// `closed:reunited-with-family`).
    pub outcome: Option<String>,
    /// The day it was declined or closed, if it was.
    pub resolved_on: Option<jiff::civil::Date>,
}
