//! Integration tests: the corpus (snapshots and key expectations), the sandbox, the command line, the schemas.

// A test that panics, unwraps a None or indexes past the end fails, which is what it should do.
#![allow(
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used
)]

mod citations;
mod cli;
mod compact;
mod corpus;
mod diff;
mod engine;
mod hardening;
mod interview;
mod laws;
mod layers;
mod memo;
mod peers_item;
mod policies;
mod reliability;
mod reports;
mod review;
mod schema;
mod serve;
mod serve_hostile;
mod summary;
mod support;
mod wage_base;
mod whatif;
