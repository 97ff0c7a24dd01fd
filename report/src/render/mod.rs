//! One module per format. JSON needs none: it is the model serialised.

pub(crate) mod csv;
pub(crate) mod docx;
pub(crate) mod html;
pub(crate) mod markdown;
pub(crate) mod xlsx;
