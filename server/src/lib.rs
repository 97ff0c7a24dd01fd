//! Rembuk's server: configuration, command line, and the HTTP app that
//! serves the pages, the server functions and the `/api/v1` JSON API over
//! one shared service layer.

pub mod api;
pub mod cli;
mod compress;
pub mod config;
mod join_pages;
pub mod listen;
mod middleware;
pub mod proxy;
pub mod site;
pub mod venue;
pub mod web;

pub use config::Config;
pub use web::{AppState, StartError, build, serve, serve_on};
