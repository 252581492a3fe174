//! Arbitrary bytes as a case file: parsing, validation and assessment on the default policy must never panic,
//! and a case that validates must always be assessed (a rule failure on a valid case is a bug in the policy).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn policy() -> &'static assessor::Policy {
    static POLICY: OnceLock<assessor::Policy> = OnceLock::new();
    POLICY.get_or_init(|| match assessor::Policy::embedded() {
        Ok(p) => p,
        Err(e) => panic!("the default policy does not load: {e:?}"),
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(case) = assessor::validate::parse_case(data) {
        if let Err(e) = assessor::assess(&case, policy()) {
            panic!("a valid case failed: {e}");
        }
    }
});
