//! Tools for rule and profile authors: lint (`labfit check`), rule tests (`labfit test`) and
//! JSON Schemas, starting files (`labfit new`).

pub mod lint;
pub mod schema;
pub mod templates;
pub mod testing;
