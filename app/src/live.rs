//! Following a session live in the browser.
//!
//! The page starts from the snapshot the server rendered, then opens an
//! `EventSource` on `/api/v1/sessions/{id}/events?after=<seq>` and applies
//! each event with the same `SessionSnapshot::apply` the server tests. The
//! browser reconnects by itself and sends `Last-Event-ID`, so nothing is
//! missed or applied twice; when the server says `resync`, the page fetches
//! a fresh snapshot. On the server, and without scripts, this does nothing:
//! the page then offers a refresh link.

use leptos::{either::Either, prelude::*};
use rembuk_domain::snapshot::SessionSnapshot;

/// The state of the live connection, for the "reconnecting" notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveStatus {
    /// Not started (server render, or scripts off).
    Idle,
    Connected,
    Reconnecting,
}

impl LiveStatus {
    /// The page's `data-live` value (tests and styles wait on it).
    pub fn as_str(self) -> &'static str {
        match self {
            LiveStatus::Idle => "idle",
            LiveStatus::Connected => "connected",
            LiveStatus::Reconnecting => "reconnecting",
        }
    }
}

/// Keeps `snapshot` up to date from the session's live stream. `refetch`
/// loads a fresh snapshot when the stream asks for one.
pub fn follow<F, Fut>(snapshot: RwSignal<SessionSnapshot>, refetch: F) -> RwSignal<LiveStatus>
where
    F: Fn() -> Fut + Clone + 'static,
    Fut: Future<Output = Option<SessionSnapshot>> + 'static,
{
    let status = RwSignal::new(LiveStatus::Idle);
    #[cfg(feature = "hydrate")]
    browser::open(snapshot, refetch, status);
    #[cfg(not(feature = "hydrate"))]
    let _ = (snapshot, refetch);
    status
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::{prelude::*, task::spawn_local};
    use rembuk_domain::{
        event::LiveEvent,
        snapshot::{Applied, SessionSnapshot},
    };
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{EventSource, MessageEvent};

    use super::LiveStatus;

    pub fn open<F, Fut>(
        snapshot: RwSignal<SessionSnapshot>,
        refetch: F,
        status: RwSignal<LiveStatus>,
    ) where
        F: Fn() -> Fut + Clone + 'static,
        Fut: Future<Output = Option<SessionSnapshot>> + 'static,
    {
        let (id, seq) = snapshot.with_untracked(|s| (s.session.id, s.seq));
        let url = format!("/api/v1/sessions/{id}/events?after={seq}");
        let Ok(source) = EventSource::new(&url) else {
            return;
        };

        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(data) = e.data().as_string() else {
                return;
            };
            let Ok(event) = rembuk_domain::json::read::<LiveEvent>(&data) else {
                return;
            };
            let seq = e.last_event_id().parse::<u64>().unwrap_or(0);
            status.set(LiveStatus::Connected);
            let mut applied = Applied::Ok;
            snapshot.update(|s| applied = s.apply(seq, &event));
            if applied == Applied::NeedsResync {
                let refetch = refetch.clone();
                spawn_local(async move {
                    if let Some(fresh) = refetch().await {
                        snapshot.set(fresh);
                    }
                });
            }
        });
        let on_open = Closure::<dyn FnMut()>::new(move || status.set(LiveStatus::Connected));
        let on_error = Closure::<dyn FnMut()>::new(move || status.set(LiveStatus::Reconnecting));
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The closures must live as long as the connection; the page owns both.
        let keep = StoredValue::new_local((on_message, on_open, on_error));
        let source = StoredValue::new_local(source);
        on_cleanup(move || {
            source.with_value(|s| s.close());
            keep.dispose();
        });
    }
}

/// A notice while the live connection is down, with a manual refresh.
#[component]
pub fn LiveNotice(status: RwSignal<LiveStatus>) -> impl IntoView {
    let t = crate::i18n::use_t();
    view! {
        <div class="live-notice" role="status" aria-live="polite">
            {move || match status.get() {
                LiveStatus::Reconnecting => Some(Either::Left(view! {
                    <p class="banner warn">{t.live_reconnecting()} " " <a href="" rel="external">{t.live_refresh()}</a></p>
                })),
                // Until scripts run (or when they never do), say how to see
                // new cards: reload.
                LiveStatus::Idle => Some(Either::Right(view! {
                    <p class="banner quiet">{t.live_noscript()} " " <a href="" rel="external">{t.live_refresh()}</a></p>
                })),
                LiveStatus::Connected => None,
            }}
        </div>
    }
}
