//! Rembuk's user interface.
//!
//! Pages are rendered on the server (every form works before, or without,
//! WebAssembly) and hydrated in the browser, which then follows the
//! session live. Pages, components and server functions are grouped by
//! feature under [`features`]; server functions are thin shells over
//! `rembuk_service::Services`.

#![recursion_limit = "256"]

pub mod app;
pub mod components;
pub mod error;
pub mod features;
pub mod i18n;
pub mod live;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use app::{App, shell};

/// Starts the browser side: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
