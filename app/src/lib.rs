//! Rembuk's user interface.
//!
//! Pages are rendered on the server, and every form works before, or
//! without, WebAssembly. Only the live parts are islands hydrated in the
//! browser: the participant's session, the facilitator's console and the
//! projector, which follow the session over Server-Sent Events. Pages, components and server functions are grouped by
//! feature under [`features`]; server functions are thin shells over
//! `rembuk_service::Services`.

#![recursion_limit = "256"]

pub mod app;
pub mod codec;
pub mod components;
pub mod error;
pub mod features;
#[cfg(feature = "hydrate")]
pub mod fetch;
pub mod i18n;
pub mod live;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use app::{App, PHONE_BUNDLE, SiteFiles, shell};

/// Starts the browser side: brings the page's islands (its live parts) to
/// life. Everything else on the page is plain server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
