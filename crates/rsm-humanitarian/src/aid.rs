//! Aid tracking: pledges, commitments and disbursements by donor, recipient, sector and year,
//! in the original currency with a dated conversion table.
