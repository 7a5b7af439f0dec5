//! The built-in content as a compliance officer would check it: each fact the content review
//! corrected keeps its status (and scope), each corrected citation keeps its wording and its
//! verification flag, and the rules the review added (the DOJ Data Security Program, CAP's
//! retention by record type, Annex 11 clause by clause, Chapter V's remote access) behave as
//! their sources say. Read through the library, from the files compiled into the binary.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::collections::BTreeSet;

use labfit::graph::catalog::{Aggregate, Requirement, Verification};
use labfit::graph::NodeKind;
use labfit::profile::ParamValue;
use labfit::{Engine, FactValue, GateState, Options, Status, Verdict};

fn engine() -> Engine {
    Engine::builtin().expect("built-in content loads")
}

fn options() -> Options {
    Options {
        as_of: Some("2026-01-01".parse().unwrap()),
        assumptions: Vec::new(),
    }
}

fn req<'a>(e: &'a Engine, id: &str) -> &'a Requirement {
    let g = e.graph();
    &g.node(
        g.find(id)
            .unwrap_or_else(|| panic!("{id} is in the catalog")),
    )
    .unwrap()
    .req
}

fn citation(e: &Engine, id: &str) -> String {
    req(e, id).citation.clone().unwrap_or_default()
}

fn description(e: &Engine, id: &str) -> String {
    req(e, id).description.clone().unwrap_or_default()
}

fn children(e: &Engine, id: &str) -> (Aggregate, BTreeSet<String>) {
    let g = e.graph();
    let NodeKind::Composite {
        aggregate,
        children,
    } = &g.node(g.find(id).unwrap()).unwrap().kind
    else {
        panic!("{id} is a composite")
    };
    let ids = children
        .iter()
        .map(|(c, _)| g.node(*c).unwrap().req.id.clone())
        .collect();
    (*aggregate, ids)
}

/// (status, value, covers) of a built-in provider's fact.
fn fact(e: &Engine, provider: &str, key: &str) -> (Status, Option<FactValue>, Option<Vec<String>>) {
    let ev = e.evidence(provider).unwrap();
    let f = ev
        .facts
        .get(key)
        .unwrap_or_else(|| panic!("{provider} states {key}"));
    (f.status, f.value.clone(), f.covers.clone())
}

fn text(s: &str) -> Option<FactValue> {
    Some(FactValue::Text(s.to_owned()))
}

// ------------------------------------------------------------------ facts that said more than their source

#[test]
fn facts_corrected_by_the_review_keep_their_status_and_scope() {
    let e = engine();
    // Tencent's certificates cover TRTC (communication) only.
    for key in [
        "cert.iso27001",
        "cert.iso27017",
        "cert.iso27018",
        "cert.csa_star",
    ] {
        let (status, _, covers) = fact(&e, "tencent-cloud", key);
        assert_eq!(status, Status::Claimed, "{key}");
        assert_eq!(covers, Some(vec!["communication".to_owned()]), "{key}");
    }
    // "Does not appear to provide" is not "does not provide"; answers to other questions are unknown.
    for key in [
        "mss.offered",
        "export.bulk_all_data",
        "resilience.region_loss_survivable",
        "security.intrusion_notification",
    ] {
        assert_eq!(
            fact(&e, "tencent-cloud", key).0,
            Status::Unknown,
            "tencent {key}"
        );
    }
    // Tencent's SOC 2 is dated by its page, so it lapses.
    let ev = e.evidence("tencent-cloud").unwrap();
    assert_eq!(
        ev.facts["attest.soc2"].as_of,
        Some("2021-03-19".parse().unwrap())
    );
    // Inferences are not facts.
    for (provider, key) in [
        ("google-cloud", "residency.region_selection"),
        ("google-cloud", "security.encryption_at_rest"),
        ("aws", "security.encryption_at_rest"),
        ("aws", "auth.fedramp"),
        ("ibm-cloud", "sla.compute_multi_zone_pct"),
        ("oracle-cloud", "resilience.region_loss_survivable"),
        ("digitalocean", "exit.deletes_data"),
    ] {
        assert_eq!(
            fact(&e, provider, key).0,
            Status::Unknown,
            "{provider} {key}"
        );
    }
    // Oracle's SOC 2 and ISO 27001 cover Oracle Integration only.
    for key in ["attest.soc2", "cert.iso27001"] {
        assert_eq!(
            fact(&e, "oracle-cloud", key).2,
            Some(vec!["integration".to_owned()]),
            "oracle {key}"
        );
    }
}

#[test]
fn headquarters_are_iso_codes_with_the_status_their_sources_earn() {
    let e = engine();
    let spec = e.vocabulary().get("jurisdiction.hq_country").unwrap();
    assert!(!spec.informational, "the DOJ rule reads it");
    assert!(spec.values.iter().any(|v| v == "CN") && spec.values.len() == 249);
    // Alibaba Group says so itself; Tencent's and Huawei's come from third parties and copies.
    assert_eq!(
        fact(&e, "alibaba-cloud", "jurisdiction.hq_country"),
        (Status::Claimed, text("CN"), None)
    );
    for provider in ["tencent-cloud", "huawei-cloud"] {
        assert_eq!(
            fact(&e, provider, "jurisdiction.hq_country"),
            (Status::Reported, text("CN"), None),
            "{provider}"
        );
    }
    for provider in ["aws", "google-cloud", "microsoft-azure", "digitalocean"] {
        assert_eq!(
            fact(&e, provider, "jurisdiction.hq_country").1,
            text("US"),
            "{provider}"
        );
    }
    assert!(e.vocabulary().get("subprocessors.countries").is_some());
}

#[test]
fn every_vocabulary_fact_is_read_by_a_rule_or_marked_as_context() {
    let e = engine();
    let rules: String = e
        .rules()
        .files()
        .map(|(_, f)| f.text().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    for (key, spec) in e.vocabulary().iter() {
        let read = rules.contains(&format!("\"{key}\""));
        assert!(
            read || spec.informational,
            "{key} is read by no rule and not informational"
        );
        assert!(
            !(read && spec.informational),
            "{key} is informational but a rule reads it"
        );
    }
}

// ------------------------------------------------------------------ citations and logic

#[test]
fn hipaa_termination_cites_the_privacy_rule_and_the_2013_wording() {
    let e = engine();
    let c = citation(&e, "hipaa.termination_right");
    assert!(c.contains("164.504(e)(2)(iii)"), "{c}");
    assert!(
        !c.contains("164.314(a)(2)(i)(D)"),
        "(D) was removed in 2013: {c}"
    );
    assert_eq!(
        req(&e, "hipaa.termination_right").verification,
        Some(Verification::Secondary)
    );
    let r = req(&e, "hipaa.baa_safeguards");
    assert!(
        !r.title.contains("administrative, physical and technical"),
        "the 2004 wording: {}",
        r.title
    );
    assert!(r.title.contains("comply with the Security Rule"));
    assert!(r.url.as_deref().unwrap_or("").contains("ecfr.gov"));
}

#[test]
fn cjis_training_is_before_access_then_annual() {
    let e = engine();
    let r = req(&e, "cjis.training");
    assert!(r.title.contains("before they get access, then every year"));
    assert!(citation(&e, "cjis.training").contains("AT-2 and AT-3"));
    let d = description(&e, "cjis.training");
    assert!(
        d.contains("then annually") && d.contains("no longer applies"),
        "{d}"
    );
    assert_eq!(r.verification, Some(Verification::Secondary));
}

#[test]
fn cap_and_the_guide_cite_only_what_was_read() {
    let e = engine();
    assert_eq!(
        req(&e, "cap.record_retention").verification,
        Some(Verification::Secondary),
        "GEN.20377 was read on a 2006 mailing-list post"
    );
    let c = citation(&e, "lab-baseline");
    assert!(c.contains("chapter 6") && !c.contains("6.2"), "{c}");
}

#[test]
fn chapter_v_needs_both_residency_and_covered_remote_access() {
    let e = engine();
    let (agg, kids) = children(&e, "gdpr.international_transfers");
    assert_eq!(agg, Aggregate::All);
    assert_eq!(
        kids,
        BTreeSet::from(["gdpr.data_location".into(), "gdpr.remote_access".into()])
    );
    assert_eq!(children(&e, "gdpr.data_location").0, Aggregate::Any);
    assert!(citation(&e, "gdpr.remote_access").contains("EDPB Guidelines 05/2021"));

    // EEA residency alone: before, `any` met the gate; now remote access from India fails it.
    let profile = e.profile("eu-clinical-lab").unwrap();
    let ev = e.evidence("digitalocean").unwrap();
    let mut o = options();
    o.assumptions = vec![
        e.assumption("residency.region_selection=true").unwrap(),
        e.assumption("support.countries=IE,IN").unwrap(),
        e.assumption("transfers.sccs=false").unwrap(),
    ];
    let r = e.score(&profile, &ev, &o);
    assert_eq!(
        r.gate("gdpr.international_transfers").unwrap().state,
        GateState::Failed
    );
}

#[test]
fn the_eu_processor_deadline_leaves_the_controller_its_72_hours() {
    let e = engine();
    let p = e.profile("eu-clinical-lab").unwrap();
    let v = &p.profile.params["max_breach_notice_hours"];
    assert_eq!(v.value, ParamValue::Number(24.0));
    assert!(v.source.as_deref().unwrap_or("").contains("labfit policy"));
    assert!(description(&e, "gdpr.breach_notice").contains("sets no hours"));
}

#[test]
fn a_us_lab_is_never_asked_for_a_gdpr_agreement() {
    let e = engine();
    let profile = e.profile("us-clinical-diagnostics").unwrap();
    for p in e.builtin_providers().map(str::to_owned).collect::<Vec<_>>() {
        let r = e.score(&profile, &e.evidence(&p).unwrap(), &options());
        for q in &r.questions {
            assert_ne!(&*q.fact, "contract.dpa_gdpr", "{p}: {:?}", q.frameworks);
            assert!(!q.ask.contains("GDPR"), "{p}: {}", q.ask);
        }
    }
    // The EU lab still is.
    let eu = e.profile("eu-clinical-lab").unwrap();
    let r = e.score(&eu, &e.evidence("aws").unwrap(), &options());
    assert!(r.questions.iter().any(|q| &*q.fact == "contract.dpa_gdpr"));
}

// ------------------------------------------------------------------ rules labs now face

#[test]
fn the_doj_data_security_program_is_declared_with_its_thresholds() {
    let e = engine();
    let params = e.parameters();
    for (name, default) in [
        ("dsp_bulk_human_genomic_persons", 100.0),
        ("dsp_bulk_human_omic_persons", 1000.0),
        ("dsp_bulk_personal_health_persons", 10000.0),
    ] {
        let spec = params.get(name).unwrap();
        assert_eq!(spec.default, ParamValue::Number(default), "{name}");
        assert!(spec.source.contains("28 CFR 202.205"), "{name}");
    }
    let countries = &params.get("dsp_countries_of_concern").unwrap().default;
    for c in ["CN", "HK", "MO", "CU", "IR", "KP", "RU", "VE"] {
        assert!(
            matches!(countries, ParamValue::List(l) if l.contains(&ParamValue::Text(c.into()))),
            "{c}"
        );
    }
    assert!(citation(&e, "doj-dsp").contains("28 CFR Part 202"));
    assert!(citation(&e, "dsp.covered_person_access").contains("202.303"));
    assert_eq!(children(&e, "dsp.covered_person_access").0, Aggregate::All);
    for id in [
        "dsp.provider_country",
        "dsp.support_country",
        "dsp.subprocessor_country",
    ] {
        assert_eq!(
            req(&e, id).verification,
            Some(Verification::Secondary),
            "{id}"
        );
    }
    for p in [
        "academic-genomics",
        "us-clinical-diagnostics",
        "public-health-lab",
    ] {
        let profile = e.profile(p).unwrap();
        assert!(
            profile
                .profile
                .frameworks
                .iter()
                .any(|(f, _)| f == "doj-dsp"),
            "{p}"
        );
        assert!(
            profile
                .profile
                .gates
                .iter()
                .any(|g| g.id == "dsp.covered_person_access"),
            "{p}"
        );
    }
}

#[test]
fn the_doj_rule_decides_for_providers_headquartered_in_china() {
    let e = engine();
    let profile = e.profile("academic-genomics").unwrap();
    let evidence: Vec<_> = e
        .builtin_providers()
        .map(|p| e.evidence(p).unwrap())
        .collect();
    let c = e.compare(&profile, &evidence, &options());
    let alibaba = c.ranking.iter().find(|r| r.id == "alibaba-cloud").unwrap();
    assert_eq!(alibaba.verdict, Verdict::Ineligible);
    let r = e.score(&profile, &e.evidence("alibaba-cloud").unwrap(), &options());
    assert_eq!(
        r.gate("dsp.covered_person_access").unwrap().state,
        GateState::Failed
    );
    // Tencent's and Huawei's headquarters rest on third parties: the gate stays open, and the
    // question that settles it is the headquarters.
    for p in ["tencent-cloud", "huawei-cloud"] {
        let r = e.score(&profile, &e.evidence(p).unwrap(), &options());
        assert_eq!(
            r.gate("dsp.covered_person_access").unwrap().state,
            GateState::Open,
            "{p}"
        );
        assert!(
            r.node("dsp.provider_country").unwrap().hi <= 0.5 + 1e-9,
            "{p}"
        );
        let mut o = options();
        o.assumptions = vec![e.assumption("jurisdiction.hq_country=CN").unwrap()];
        let confirmed = e.score(&profile, &e.evidence(p).unwrap(), &o);
        assert_eq!(confirmed.verdict, Verdict::Ineligible, "{p}");
    }
    // Its citation is in explain.
    let ex = labfit::report::explain::explain(&r, Some("dsp.covered_person_access")).unwrap();
    assert!(ex
        .root
        .citation
        .as_deref()
        .unwrap_or("")
        .contains("202.303"));
}

#[test]
fn cap_retention_by_record_type_applies_to_a_pathology_lab() {
    let e = engine();
    let p = e.profile("us-clinical-diagnostics").unwrap();
    for name in [
        "cap_surgical_pathology_report_years",
        "cap_cytology_report_years",
    ] {
        let v = &p.profile.params[name];
        assert_eq!(v.value, ParamValue::Number(10.0), "{name}");
        assert!(v.source.as_deref().unwrap_or("").contains("CAP"), "{name}");
    }
    assert_eq!(
        req(&e, "cap.retention_by_record_type").verification,
        Some(Verification::TextSeen)
    );
    // Not applicable until the lab says it does pathology; then it is scored.
    let r = e.score(&p, &e.evidence("aws").unwrap(), &options());
    assert_eq!(
        r.node("cap.retention_by_record_type").unwrap().status,
        labfit::report::NodeStatus::NotApplicable
    );
    let dir = std::env::temp_dir().join(format!("labfit-content-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pathology-lab.yaml");
    std::fs::write(
        &path,
        "labfit: profile/v1\nid: pathology-lab\ntitle: A US anatomic pathology lab\nextends: us-clinical-diagnostics\nparams:\n  performs_anatomic_pathology: {value: true, source: \"the lab reports surgical pathology\"}\n",
    )
    .unwrap();
    let path_lab = e.profile(path.to_str().unwrap()).unwrap();
    let r = e.score(&path_lab, &e.evidence("aws").unwrap(), &options());
    assert_ne!(
        r.node("cap.retention_by_record_type").unwrap().status,
        labfit::report::NodeStatus::NotApplicable
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn annex_11_has_a_requirement_per_operational_clause() {
    let e = engine();
    let (_, kids) = children(&e, "annex11");
    for (id, clause) in [
        ("annex11.validation", "§4"),
        ("annex11.data_storage", "§7"),
        ("annex11.audit_trails", "§9"),
        ("annex11.security", "§12"),
        ("annex11.business_continuity", "§16"),
        ("annex11.archiving", "§17"),
    ] {
        assert!(kids.contains(id), "{id}");
        assert!(citation(&e, id).contains(clause), "{id}");
        assert!(req(&e, id)
            .url
            .as_deref()
            .unwrap_or("")
            .contains("health.ec.europa.eu"));
    }
    assert!(e.graph().find("annex11.operational_controls").is_none());
    assert_eq!(
        req(&e, "annex11.validation").verification,
        Some(Verification::Unverified),
        "§4's sub-clauses were not read"
    );
}

#[test]
fn the_profiles_say_where_their_numbers_come_from() {
    let e = engine();
    for p in ["academic-genomics", "public-health-lab", "forensic-lab"] {
        let s = e.profile(p).unwrap().profile.params["min_fedramp_level"]
            .source
            .clone()
            .unwrap_or_default();
        assert!(
            !s.contains("archetype suggestion") && !s.contains("archetype proxy"),
            "{p}: {s}"
        );
    }
    let phl = e.profile("public-health-lab").unwrap();
    let s = phl.profile.params["min_multi_zone_sla_pct"]
        .source
        .clone()
        .unwrap_or_default();
    assert!(
        s.contains("labfit's choice") && s.contains("US clinical archetype"),
        "{s}"
    );
    assert!(phl.profile.params["min_fedramp_level"]
        .source
        .as_deref()
        .unwrap_or("")
        .contains("SP 800-60"));
}
