//! One renderer per output format, over the report model; none imports another.

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod text;
pub mod toolkit;
pub mod tree;
pub mod words;
