//! Every rule of the regime file parser, each with the path and rule it must report.

use rsm_regime::{Regime, RegimeIssue};

const HEAD: &str = "id = \"test\"\nversion = \"1\"\ntitle = \"Test\"\n";

const GOOD_TYPE: &str = r#"
[[types]]
id = "drill"
title = "Drill"
basket = "security"
origin = "made up"

[types.fields.troops]
kind = "integer"
unit = "troops"
min = 0
required = true

[types.fields.kind]
kind = "enum"
values = ["land", "amphibious"]
required = true

[types.fields.window]
kind = "time_window"
required = true

[types.fields.year]
kind = "integer"
unit = "year"
required = true

[[types.threshold.any]]
field = "troops"
at_least = 100

[types.deadline]
rule = "before_start"
days = 10
start = "window"
"#;

fn issues(body: &str) -> Vec<RegimeIssue> {
    Regime::parse(&format!("{HEAD}{body}"))
        .expect_err("must be refused")
        .issues
}

/// Asserts that the file is refused with an issue at `path` with `rule`.
fn refused(body: &str, path: &str, rule: &str) -> RegimeIssue {
    let all = issues(body);
    all.iter()
        .find(|i| i.path == path && i.rule == rule)
        .cloned()
        .unwrap_or_else(|| panic!("expected {path} / {rule}, got {all:#?}"))
}

fn with(replace: &str, by: &str) -> String {
    assert!(GOOD_TYPE.contains(replace), "fixture has `{replace}`");
    GOOD_TYPE.replacen(replace, by, 1)
}

#[test]
fn the_good_fixture_parses() {
    let r = Regime::parse(&format!("{HEAD}{GOOD_TYPE}")).unwrap();
    assert_eq!(r.types().len(), 1);
    let names: Vec<_> = r.types()[0]
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["troops", "kind", "window", "year"],
        "file order kept"
    );
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let i = refused("[[types]\n", "", "syntax");
    assert_eq!(i.line, Some(4));
    assert!(i.column.is_some());
}

#[test]
fn unknown_keys_are_refused_with_their_path_and_location() {
    let i = refused(
        &with("min = 0", "min = 0\nminimum = 3"),
        "types[0].fields.troops.minimum",
        "unknown_key",
    );
    assert!(i.line.is_some(), "{i}");
    refused(
        &with(
            "origin = \"made up\"",
            "origin = \"made up\"\ncolour = \"red\"",
        ),
        "types[0].colour",
        "unknown_key",
    );
    refused(&format!("extra = 1\n{GOOD_TYPE}"), "extra", "unknown_key");
}

#[test]
fn wrong_value_types_name_the_exact_path() {
    let i = refused(
        &with("min = 0", "min = \"zero\""),
        "types[0].fields.troops.min",
        "wrong_type",
    );
    assert!(i.to_string().contains("types[0].fields.troops.min"), "{i}");
    refused(
        &with("basket = \"security\"", "basket = \"defence\""),
        "types[0].basket",
        "unknown_value",
    );
    refused(
        &with("kind = \"integer\"", "kind = \"float\""),
        "types[0].fields.troops.kind",
        "unknown_value",
    );
    refused(
        &with("rule = \"before_start\"", "rule = \"sometime\""),
        "types[0].deadline.rule",
        "unknown_value",
    );
}

#[test]
fn missing_keys_are_named() {
    refused(&with("title = \"Drill\"\n", ""), "types[0]", "missing_key");
    refused(
        &with("unit = \"troops\"\n", ""),
        "types[0].fields.troops.unit",
        "missing_key",
    );
}

#[test]
fn duplicate_and_bad_ids_are_refused() {
    let i = refused(
        &format!("{GOOD_TYPE}{GOOD_TYPE}"),
        "types[1].id",
        "duplicate_id",
    );
    assert!(i.line.is_some());
    refused(
        &with("id = \"drill\"", "id = \"Drill!\""),
        "types[0].id",
        "bad_id",
    );
    let r = Regime::parse(&format!(
        "id = \"Bad Id\"\nversion = \"1\"\ntitle = \"T\"\n{GOOD_TYPE}"
    ));
    assert!(
        r.unwrap_err()
            .issues
            .iter()
            .any(|i| i.path == "id" && i.rule == "bad_id")
    );
    refused(
        &with("[types.fields.year]", "[types.fields.Year]"),
        "types[0].fields.Year",
        "bad_name",
    );
}

#[test]
fn thresholds_must_name_integer_fields_and_valid_enum_values() {
    refused(
        &with(
            "field = \"troops\"\nat_least",
            "field = \"tanks\"\nat_least",
        ),
        "types[0].threshold.any[0].field",
        "unknown_field",
    );
    refused(
        &with("field = \"troops\"\nat_least", "field = \"kind\"\nat_least"),
        "types[0].threshold.any[0].field",
        "not_integer",
    );
    let cond = "at_least = 100\nwhen = { field = \"kind\", any_of = [\"airborne\"] }";
    refused(
        &with("at_least = 100", cond),
        "types[0].threshold.any[0].when.any_of[0]",
        "unknown_value",
    );
    let cond = "at_least = 100\nwhen = { field = \"troops\", any_of = [\"x\"] }";
    refused(
        &with("at_least = 100", cond),
        "types[0].threshold.any[0].when.field",
        "not_enum",
    );
    let cond = "at_least = 100\nwhen = { field = \"nothing\", any_of = [\"x\"] }";
    refused(
        &with("at_least = 100", cond),
        "types[0].threshold.any[0].when.field",
        "unknown_field",
    );
}

#[test]
fn deadlines_must_point_at_existing_fields_of_the_right_kind() {
    refused(
        &with("start = \"window\"", "start = \"begin\""),
        "types[0].deadline.start",
        "unknown_field",
    );
    refused(
        &with("start = \"window\"", "start = \"troops\""),
        "types[0].deadline.start",
        "wrong_kind",
    );
    refused(
        &with("start = \"window\"\n", ""),
        "types[0].deadline.start",
        "missing_key",
    );
    let optional = with(
        "kind = \"time_window\"\nrequired = true",
        "kind = \"time_window\"",
    );
    refused(&optional, "types[0].deadline.start", "not_required");
    refused(
        &with("days = 10", "days = 10\nhours = 3"),
        "types[0].deadline.days",
        "conflict",
    );
    refused(
        &with("days = 10", "days = 0"),
        "types[0].deadline.days",
        "out_of_range",
    );
    refused(
        &with("days = 10", "days = 10\nmonth = 3"),
        "types[0].deadline.month",
        "not_allowed",
    );
    refused(
        &with("days = 10", "days = 10\nzone = \"Mars/Olympus\""),
        "types[0].deadline.zone",
        "bad_zone",
    );
    let annual = "rule = \"annual\"\nmonth = 2\nday = 30\nyear_field = \"year\"\n";
    refused(
        &with(
            "rule = \"before_start\"\ndays = 10\nstart = \"window\"\n",
            annual,
        ),
        "types[0].deadline.day",
        "out_of_range",
    );
    let annual = "rule = \"annual\"\nmonth = 13\nday = 1\nyear_field = \"troops\"\n";
    refused(
        &with(
            "rule = \"before_start\"\ndays = 10\nstart = \"window\"\n",
            annual,
        ),
        "types[0].deadline.month",
        "out_of_range",
    );
    let annual = "rule = \"annual\"\nmonth = 1\nday = 1\nyear_field = \"kind\"\n";
    refused(
        &with(
            "rule = \"before_start\"\ndays = 10\nstart = \"window\"\n",
            annual,
        ),
        "types[0].deadline.year_field",
        "wrong_kind",
    );
    let annual =
        "rule = \"annual\"\nmonth = 1\nday = 1\nyear_field = \"year\"\nzone = \"activity\"\n";
    refused(
        &with(
            "rule = \"before_start\"\ndays = 10\nstart = \"window\"\n",
            annual,
        ),
        "types[0].deadline.zone",
        "no_activity_zone",
    );
    let after = "rule = \"after_event\"\nhours = 4\nevent = \"year\"\n";
    refused(
        &with(
            "rule = \"before_start\"\ndays = 10\nstart = \"window\"\n",
            after,
        ),
        "types[0].deadline.event",
        "wrong_kind",
    );
    let after =
        "rule = \"after_request\"\nescalation = [{ step = \"Meet!\", within_hours = 48 }]\n";
    let body = with(
        "rule = \"before_start\"\ndays = 10\nstart = \"window\"\n",
        after,
    );
    refused(&body, "types[0].deadline.hours", "missing_key");
    refused(&body, "types[0].deadline.escalation[0].step", "bad_id");
}

#[test]
fn field_definitions_are_checked_per_kind() {
    refused(
        &with("min = 0", "min = 5\nmax = 1"),
        "types[0].fields.troops.min",
        "min_above_max",
    );
    refused(
        &with("values = [\"land\", \"amphibious\"]", "values = []"),
        "types[0].fields.kind.values",
        "empty",
    );
    refused(
        &with(
            "values = [\"land\", \"amphibious\"]",
            "values = [\"land\", \"land\"]",
        ),
        "types[0].fields.kind.values",
        "duplicate_value",
    );
    refused(
        &with(
            "values = [\"land\", \"amphibious\"]",
            "values = [\"land\"]\nunit = \"x\"",
        ),
        "types[0].fields.kind.unit",
        "not_allowed",
    );
    refused(
        &with("kind = \"time_window\"", "kind = \"text\""),
        "types[0].fields.window.max_len",
        "missing_key",
    );
    refused(
        &with("kind = \"time_window\"", "kind = \"text\"\nmax_len = 0"),
        "types[0].fields.window.max_len",
        "out_of_range",
    );
}

#[test]
fn owers_and_distribution_are_checked() {
    let o = "origin = \"made up\"\nowed_by = \"everyone\"";
    refused(
        &with("origin = \"made up\"", o),
        "types[0].owed_by",
        "unknown_value",
    );
    let d = "origin = \"made up\"\ndistribution = \"body:X Y\"";
    refused(
        &with("origin = \"made up\"", d),
        "types[0].distribution",
        "unknown_value",
    );
    let ok = "origin = \"made up\"\ndistribution = \"body:peace-regime-talks\"\nowed_by = \"body:peace-regime-talks\"";
    assert!(Regime::parse(&format!("{HEAD}{}", with("origin = \"made up\"", ok))).is_ok());
}

#[test]
fn several_problems_are_reported_together() {
    let body = with("start = \"window\"", "start = \"begin\"")
        .replace("field = \"troops\"\nat_least", "field = \"nope\"\nat_least");
    let all = issues(&body);
    assert_eq!(all.len(), 2, "{all:#?}");
    let text = rsm_regime::RegimeError { issues: all }.to_string();
    assert!(
        text.contains("types[0].deadline.start")
            && text.contains("types[0].threshold.any[0].field"),
        "{text}"
    );
}

#[test]
fn an_empty_regime_is_refused() {
    let e = Regime::parse(HEAD).unwrap_err();
    assert_eq!(e.issues[0].path, "types");
    assert_eq!(e.issues[0].rule, "empty");
}

#[test]
fn only_one_type_may_set_the_consultation_schedule() {
    let reply = |id: &str| {
        format!(
            "[[types]]\nid = \"{id}\"\ntitle = \"R\"\nbasket = \"security\"\norigin = \"o\"\n[types.deadline]\nrule = \"after_request\"\nhours = 48\n"
        )
    };
    assert!(Regime::parse(&format!("{HEAD}{}", reply("a"))).is_ok());
    refused(
        &format!("{}{}", reply("a"), reply("b")),
        "types",
        "several_reply_types",
    );
}

#[test]
fn a_follow_up_must_name_an_existing_type_zoned_field_and_text_reference() {
    let base = |follows: &str| {
        format!(
            "{GOOD_TYPE}[[types]]\nid = \"report\"\ntitle = \"R\"\nbasket = \"security\"\norigin = \"o\"\n\
             [types.fields.at]\nkind = \"datetime\"\nrequired = true\n\
             [types.fields.about]\nkind = \"text\"\nmax_len = 100\n\
             [types.deadline]\nrule = \"after_event\"\nhours = 24\nevent = \"at\"\nfollows = {follows}\n"
        )
    };
    let ok = base("{ type = \"drill\", field = \"window\", reference = \"about\" }");
    assert!(Regime::parse(&format!("{HEAD}{ok}")).is_ok());
    let p = "types[1].deadline.follows";
    refused(
        &base("{ type = \"parade\", field = \"window\", reference = \"about\" }"),
        &format!("{p}.type"),
        "unknown_type",
    );
    refused(
        &base("{ type = \"report\", field = \"at\", reference = \"about\" }"),
        &format!("{p}.type"),
        "self_reference",
    );
    refused(
        &base("{ type = \"drill\", field = \"troops\", reference = \"about\" }"),
        &format!("{p}.field"),
        "wrong_kind",
    );
    refused(
        &base("{ type = \"drill\", field = \"when\", reference = \"about\" }"),
        &format!("{p}.field"),
        "unknown_field",
    );
    refused(
        &base("{ type = \"drill\", field = \"window\", reference = \"at\" }"),
        &format!("{p}.reference"),
        "wrong_kind",
    );
    refused(
        &base("{ type = \"drill\", field = \"window\", reference = \"ref\" }"),
        &format!("{p}.reference"),
        "unknown_field",
    );
    refused(
        &base("{ type = \"drill\", field = \"window\", reference = \"about\", extra = 1 }"),
        &format!("{p}.extra"),
        "unknown_key",
    );
}
