//! Small building blocks shared by several features.

pub mod badges;
pub mod countdown;
pub mod form;
pub mod layout;
