//! Integration tests of the `rsm` binary: one test binary, modules per story.

mod log;
