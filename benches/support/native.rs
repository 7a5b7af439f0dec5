//! The native floor: the eleven built-in checks under the `cap` framework (CAP accreditation
//! checklist, 2 of every US clinical profile's frameworks) written by hand in Rust, over the same
//! `FactTable` and parameters the Rhai versions read, producing the same `Outcome` — status,
//! credit, note (to the byte, Rhai's float formatting and the reasons a stated fact lapsed
//! included), facts and parameters read in the same order. tests/scale.rs asserts they agree with
//! `rules/controls.rhai` and `rules/retention.rhai` on every built-in and generated provider, so
//! the ratio the bench reports compares like with like: what the interpreter costs over the work
//! a rule must do anyway.

use labfit::profile::ParamValue;
use std::sync::Arc;

use labfit::rules::{FactRead, FactTable, Outcome, OutcomeStatus, ParamRead, Params};
use labfit::FactValue;

/// One native check.
pub type NativeCheck = fn(&FactTable, &Params) -> Outcome;

/// The `cap` framework's checks: (rule file, function, native version).
pub const CAP: [(&str, &str, NativeCheck); 11] = [
    ("rules/controls.rhai", "access_control", access_control),
    ("rules/controls.rhai", "audit_logs", audit_logs),
    ("rules/controls.rhai", "data_export", data_export),
    ("rules/controls.rhai", "downtime_support", downtime_support),
    ("rules/controls.rhai", "recovery_point", recovery_point),
    ("rules/controls.rhai", "recovery_time", recovery_time),
    ("rules/controls.rhai", "region_loss", region_loss),
    ("rules/controls.rhai", "sla_multi_zone", sla_multi_zone),
    (
        "rules/controls.rhai",
        "sla_single_instance",
        sla_single_instance,
    ),
    ("rules/retention.rhai", "retention", retention),
    ("rules/retention.rhai", "cap_record_types", cap_record_types),
];

/// What a check read, in order of first read (as the Rhai API records it).
struct Run<'a> {
    table: &'a FactTable,
    params: &'a Params,
    facts: Vec<Arc<FactRead>>,
    read: Vec<ParamRead>,
}

impl<'a> Run<'a> {
    fn new(table: &'a FactTable, params: &'a Params) -> Self {
        Run {
            table,
            params,
            facts: Vec::new(),
            read: Vec::new(),
        }
    }

    fn fact(&mut self, key: &str) -> Option<Arc<FactRead>> {
        let f = self.table.shared(key)?.clone();
        if !self.facts.iter().any(|r| *r.key == *key) {
            self.facts.push(f.clone());
        }
        Some(f)
    }

    fn param(&mut self, name: &str) -> Option<f64> {
        let v = self.params.get(name).cloned();
        if !self.read.iter().any(|p| p.name == name) {
            self.read.push(ParamRead {
                name: name.to_owned(),
                value: v.clone(),
            });
        }
        match v {
            Some(ParamValue::Number(n)) => Some(n),
            _ => None,
        }
    }

    fn flag(&mut self, name: &str) -> Option<bool> {
        let v = self.params.get(name).cloned();
        if !self.read.iter().any(|p| p.name == name) {
            self.read.push(ParamRead {
                name: name.to_owned(),
                value: v.clone(),
            });
        }
        match v {
            Some(ParamValue::Bool(b)) => Some(b),
            _ => None,
        }
    }

    fn done(self, status: OutcomeStatus, value: Option<f64>, note: String) -> Outcome {
        let note = if status == OutcomeStatus::Unknown {
            lapsed_note(note, &self.facts)
        } else {
            note
        };
        Outcome {
            status,
            value,
            note: note.into(),
            facts: self.facts,
            params: self.read,
            error: None,
            output: Vec::new(),
        }
    }

    fn pass(self, note: String) -> Outcome {
        self.done(OutcomeStatus::Pass, Some(1.0), note)
    }

    fn fail(self, note: String) -> Outcome {
        self.done(OutcomeStatus::Fail, Some(0.0), note)
    }

    fn partial(self, x: f64, note: String) -> Outcome {
        self.done(OutcomeStatus::Partial, Some(x), note)
    }

    fn unknown(self, note: String) -> Outcome {
        self.done(OutcomeStatus::Unknown, None, note)
    }

    fn not_applicable(self, note: String) -> Outcome {
        self.done(OutcomeStatus::NotApplicable, None, note)
    }

    /// A rule that could not run as written (a missing fact or parameter): the Rhai version
    /// would error too; the floor never meets it on well-formed input.
    fn broken(self, what: &str) -> Outcome {
        self.done(OutcomeStatus::Error, None, format!("rule error: {what}"))
    }
}

/// The engine's note for an unknown outcome: the rule's note, then why each stated fact it read
/// counts as unknown (out of scope, expired, too old).
fn lapsed_note(note: String, facts: &[Arc<FactRead>]) -> String {
    let why: Vec<String> = facts
        .iter()
        .filter_map(|f| {
            f.lapse
                .as_ref()
                .map(|l| format!("`{}` {}", f.key, l.reason()))
        })
        .collect();
    if why.is_empty() {
        note
    } else if note.is_empty() {
        why.join("; ")
    } else {
        format!("{note} ({})", why.join("; "))
    }
}

/// Rhai's display of a float (`FloatWrapper`): "100.0", "99.95", "0.0", exponent past 1e13.
fn rhai_float(x: f64) -> String {
    let abs = x.abs();
    if abs == 0.0 {
        "0.0".into()
    } else if abs > 10_000_000_000_000.0 || abs < f64::from(0.000_000_000_000_1_f32) {
        format!("{x:e}")
    } else if abs.fract() == 0.0 {
        format!("{x}.0")
    } else {
        format!("{x}")
    }
}

/// The rules' `shown()`: a whole float without its ".0".
fn shown(x: f64) -> String {
    if x == x.floor() {
        format!("{}", x as i64)
    } else {
        rhai_float(x)
    }
}

fn ramp(x: f64, lo: f64, hi: f64) -> f64 {
    if (hi - lo).abs() < f64::EPSILON {
        return if x >= hi { 1.0 } else { 0.0 };
    }
    ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
}

fn nines(p: f64) -> f64 {
    let gap = 1.0 - p / 100.0;
    if gap <= 1e-9 {
        9.0
    } else {
        -gap.log10()
    }
}

/// The rules' `yes_no`: a yes/no fact, with the notes for yes, no and not known.
fn yes_no(t: &FactTable, p: &Params, key: &str, yes: &str, no: &str, missing: &str) -> Outcome {
    let mut run = Run::new(t, p);
    let Some(f) = run.fact(key) else {
        return run.broken(key);
    };
    if !f.known {
        return run.unknown(missing.to_owned());
    }
    match f.value {
        Some(FactValue::Bool(true)) => run.pass(yes.to_owned()),
        Some(FactValue::Bool(false)) => run.fail(no.to_owned()),
        _ => run.broken(key),
    }
}

fn access_control(t: &FactTable, p: &Params) -> Outcome {
    yes_no(t, p, "personnel.access_restricted",
        "the provider's staff and subcontractors reach customer data only when a task needs it, under an approval or a stated exception",
        "the provider does not limit its staff's and subcontractors' access to customer data to what a task needs",
        "it is not known whether the provider limits its staff's and subcontractors' access to customer data to what a task needs")
}

fn audit_logs(t: &FactTable, p: &Params) -> Outcome {
    yes_no(t, p, "logging.customer_audit_access",
        "the customer can read, on demand, audit logs of activity on its account and data",
        "the customer cannot read audit logs of activity on its account and data on demand",
        "it is not known whether the customer can read audit logs of activity on its account and data on demand")
}

fn data_export(t: &FactTable, p: &Params) -> Outcome {
    yes_no(t, p, "export.bulk_all_data",
        "the customer can extract all of its data in bulk whenever it wants, with the provider's interfaces or tools",
        "the customer cannot extract all of its data in bulk whenever it wants",
        "it is not known whether the lab could extract all of its data in bulk whenever it wants")
}

fn downtime_support(t: &FactTable, p: &Params) -> Outcome {
    yes_no(t, p, "support.outage_support_24x7",
        "during an outage the customer can reach support around the clock, with a committed response time for a service-down case",
        "the provider offers no round-the-clock support with a committed response time during an outage",
        "it is not known whether the customer can reach support around the clock, with a committed response time, during an outage")
}

fn region_loss(t: &FactTable, p: &Params) -> Outcome {
    yes_no(t, p, "resilience.region_loss_survivable",
        "customer data survive the loss of a whole region, because a copy is kept in another region",
        "customer data would not survive the loss of a whole region: no copy is kept, or can be kept, in another region",
        "it is not known whether customer data survive the loss of a whole region")
}

/// The rules' `hours_within`: an hours figure against a maximum; above it, credit max / hours.
/// The fact is read before the parameter, as the Rhai call evaluates its arguments.
fn hours_within(t: &FactTable, p: &Params, key: &str, param: &str, what: &str) -> Outcome {
    let mut run = Run::new(t, p);
    let Some(f) = run.fact(key) else {
        return run.broken(key);
    };
    let Some(max) = run.param(param) else {
        return run.broken(param);
    };
    if !f.known {
        return run.unknown(format!(
            "the provider has not stated its {what} after the loss of a region; the profile allows at most {} hours",
            shown(max)
        ));
    }
    let h = match f.value {
        Some(FactValue::Number(h)) => h,
        _ => return run.broken(key),
    };
    if h <= max {
        return run.pass(format!(
            "the provider states a {what} of {} hours after the loss of a region, within the {} hours the profile allows",
            shown(h),
            shown(max)
        ));
    }
    run.partial(
        max / h,
        format!(
            "the provider states a {what} of {} hours after the loss of a region, longer than the {} hours the profile allows",
            shown(h),
            shown(max)
        ),
    )
}

fn recovery_point(t: &FactTable, p: &Params) -> Outcome {
    hours_within(
        t,
        p,
        "resilience.rpo_hours",
        "max_rpo_hours",
        "recovery point objective",
    )
}

fn recovery_time(t: &FactTable, p: &Params) -> Outcome {
    hours_within(
        t,
        p,
        "resilience.rto_hours",
        "max_rto_hours",
        "recovery time objective",
    )
}

fn sla(t: &FactTable, p: &Params, key: &str, param: &str, what: &str, missing: &str) -> Outcome {
    let mut run = Run::new(t, p);
    let Some(f) = run.fact(key) else {
        return run.broken(key);
    };
    let Some(min) = run.param(param) else {
        return run.broken(param);
    };
    let pct = match (&f.value, f.known) {
        (Some(FactValue::Number(n)), true) => *n,
        _ => return run.unknown(format!("{missing}; the profile asks for {} %", shown(min))),
    };
    if pct >= min {
        return run.pass(format!(
            "{what} SLA of {} % meets the {} % minimum",
            rhai_float(pct),
            shown(min)
        ));
    }
    let x = ramp(nines(pct), nines(min) - 1.0, nines(min));
    run.partial(
        x,
        format!(
            "{what} SLA of {} % is below the {} % minimum (a tenfold larger downtime allowance would score zero)",
            rhai_float(pct),
            shown(min)
        ),
    )
}

fn sla_multi_zone(t: &FactTable, p: &Params) -> Outcome {
    sla(
        t,
        p,
        "sla.compute_multi_zone_pct",
        "min_multi_zone_sla_pct",
        "multi-zone compute",
        "the provider's SLA for compute spread over several zones is not known",
    )
}

fn sla_single_instance(t: &FactTable, p: &Params) -> Outcome {
    sla(
        t,
        p,
        "sla.compute_single_instance_pct",
        "min_single_instance_sla_pct",
        "single-instance compute",
        "the provider's SLA for a single compute instance is not known",
    )
}

fn retention(t: &FactTable, p: &Params) -> Outcome {
    let mut run = Run::new(t, p);
    let Some(years) = run.param("min_retention_years") else {
        return run.broken("min_retention_years");
    };
    lock_covers(run, years, "the lab's records")
}

/// `retention.rhai::cap_record_types`: CAP's report periods by record type, the longer deciding.
fn cap_record_types(t: &FactTable, p: &Params) -> Outcome {
    let mut run = Run::new(t, p);
    let Some(pathology) = run.flag("performs_anatomic_pathology") else {
        return run.broken("performs_anatomic_pathology");
    };
    if !pathology {
        return run.not_applicable("the profile says the lab does no anatomic pathology or cytology, so CAP's longer retention periods for their reports do not apply".into());
    }
    let Some(s) = run.param("cap_surgical_pathology_report_years") else {
        return run.broken("cap_surgical_pathology_report_years");
    };
    let Some(c) = run.param("cap_cytology_report_years") else {
        return run.broken("cap_cytology_report_years");
    };
    if s == c {
        return lock_covers(run, s, "surgical pathology and cytology reports (CAP)");
    }
    if s > c {
        lock_covers(run, s, "surgical pathology reports (CAP)")
    } else {
        lock_covers(run, c, "cytology reports (CAP)")
    }
}

/// `retention.rhai::lock_covers`: the retention lock against `years` for `what`.
fn lock_covers(mut run: Run<'_>, years: f64, what: &str) -> Outcome {
    let Some(f) = run.fact("storage.retention_lock_years") else {
        return run.broken("storage");
    };
    let y = match (&f.value, f.known) {
        (Some(FactValue::Integer(y)), true) => *y,
        _ => {
            return run.unknown(format!(
                "it is not known whether, or for how long, the provider's storage can lock records against deletion; {what} must be kept {} years",
                shown(years)
            ))
        }
    };
    if y as f64 >= years {
        return run.pass(format!(
            "the provider's storage can lock records for up to {y} years, covering the {} years {what} must be kept",
            shown(years)
        ));
    }
    if y <= 0 {
        return run.partial(0.5, format!(
            "the provider's storage cannot lock records against deletion (0 years), so nothing but the lab's own care keeps {what} for the {} years required",
            shown(years)
        ));
    }
    run.partial(
        0.5 + 0.5 * ramp(y as f64, 0.0, years),
        format!("the provider's storage can lock records for only {y} of the {} years {what} must be kept", shown(years)),
    )
}
