//! The app's features, each with its pages, components and server
//! functions.

pub mod admin;
pub mod auth;
pub mod home;
pub mod join;
pub mod participant;
pub mod projector;
