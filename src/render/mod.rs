//! One renderer per output format, over the report model; none imports another. What they
//! share is in three places, so the formats cannot drift apart: `toolkit` (number formats,
//! clipping, prose and styling helpers), `words` (the sentences every format says) and `view`
//! (what a comparison shows, worked out once).

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod oscal;
pub mod text;
pub mod toolkit;
pub mod tree;
pub mod view;
pub mod words;
