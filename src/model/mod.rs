//! The data, with no logic beyond reading and naming it: the case file ([`case`]), the recommendation
//! ([`recommendation`], [`exploration`]), the policy's structural codes ([`codes`]), its parameters as data
//! ([`params`]), the fact catalogue derived from the case schema ([`facts`], [`schema`]), languages and labels
//! ([`text`]) and the "did you mean" helper ([`suggest`]). The bottom layer: it imports from no other.

pub mod case;
pub mod codes;
pub mod exploration;
pub mod facts;
pub mod params;
pub mod recommendation;
pub mod schema;
pub mod suggest;
pub mod text;
