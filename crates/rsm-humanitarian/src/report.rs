//! Yearly reports for the Ministerial Council: aggregates only, with every cell below the
//! suppression threshold withheld in one place.
