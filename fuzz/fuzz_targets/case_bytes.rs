//! Arbitrary bytes as a case file: parsing, validation and assessment on the default policy must never panic,
//! and a case that validates must always be assessed (a rule failure on a valid case is a bug in the policy),
//! except where the policy has no parameter value in force on the case's decision date (its wage figures start
//! with 2022 decisions): that is reported as a gap in the policy's data (a failure of kind `ParameterNotInForce`,
//! matched by kind, never by message text), not a failure of the engine.
#![no_main]

use std::sync::OnceLock;

use assessor::engine::FailureKind;
use assessor::AssessError;
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
        match assessor::assess(&case, policy()) {
            Ok(_)
            | Err(AssessError::Rule {
                kind: FailureKind::ParameterNotInForce,
                ..
            }) => {}
            Err(e) => panic!("a valid case failed: {e}"),
        }
    }
});
