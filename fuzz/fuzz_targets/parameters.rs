//! Fuzz target: see harness.rs.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "harness.rs"]
#[allow(dead_code, reason = "each target uses one entry point")]
mod harness;

fuzz_target!(|data: &[u8]| harness::parameters(data));
