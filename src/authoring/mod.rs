//! Tools for rule and profile authors: lint (`labfit check`), rule tests (`labfit test`) and
//! JSON Schemas.

pub mod lint;
pub mod schema;
pub mod testing;
