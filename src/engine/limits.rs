//! The limits of the sandbox, one constant each: set on the rhai engine by `engine::sandbox` (every one
//! explicitly, so debug and release builds behave alike), enforced on rule values by `engine::values`, named in
//! failure messages by `engine::failure`, and read by tests and tools as `assessor::engine::limits`.

/// Operations one rule may run for one case.
pub const MAX_OPERATIONS: u64 = 200_000;
/// Depth of function calls.
pub const MAX_CALL_LEVELS: usize = 32;
/// Depth of nested expressions (top level, inside functions).
pub const MAX_EXPR_DEPTH: (usize, usize) = (64, 32);
/// Length of a string, in bytes.
pub const MAX_STRING_SIZE: usize = 10_000;
/// Elements of an array.
pub const MAX_ARRAY_SIZE: usize = 10_000;
/// Entries of a map.
pub const MAX_MAP_SIZE: usize = 1_000;
/// Variables alive at once.
pub const MAX_VARIABLES: usize = 256;
/// Functions defined in one rule file.
pub const MAX_FUNCTIONS: usize = 64;
/// Wall-clock time one rule may take for one case (the operations limit does not bound the time of operations
/// that are each heavy, such as sorting long lists).
pub const MAX_RULE_TIME: std::time::Duration = std::time::Duration::from_secs(1);
/// Depth of a value a rule gives (lists and maps inside each other).
pub const MAX_VALUE_DEPTH: usize = 16;
/// Size of all values one rule gives for one case (in `met`, `step`, `cap`, …): elements plus string bytes.
pub const MAX_VALUE_SIZE: usize = 100_000;
/// The largest amount (in yuan, either sign) a step, cap, check, threshold or recommendation may have.
pub const MAX_AMOUNT: f64 = 1e12;
/// The clock is read every this many operations.
pub const TIME_CHECK_EVERY: u64 = 16;
