//! Integration tests of rsm-regime, in one binary: regime parsing, validation, the default
//! regime, data-driven compliance scenarios and properties.

mod default_regime;
mod engine;
mod history;
mod parse;
mod props;
mod scenarios;
mod support;
mod validate;
