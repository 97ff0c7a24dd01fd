//! Countdowns on every screen.

use leptos::prelude::*;
use rembuk_domain::time::Timestamp;

/// The current time in milliseconds as a signal: ticking twice a second in
/// the browser, the server's time when rendered on the server.
///
/// Phones keep their clocks in sync with the network, so the phone's own
/// clock is trusted, unless it is off from the server's by more than half
/// a minute (then the server's time, corrected by the phone's, is used).
pub fn clock(server_now: Timestamp) -> Signal<i64> {
    #[cfg(feature = "hydrate")]
    {
        let local = || js_sys::Date::now() as i64;
        let offset = server_now.millis() - local();
        let offset = if offset.abs() > 30_000 { offset } else { 0 };
        let now = RwSignal::new(local() + offset);
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(local() + offset),
            std::time::Duration::from_millis(500),
        ) {
            on_cleanup(move || handle.clear());
        }
        now.into()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Signal::derive(move || server_now.millis())
    }
}

/// `mm:ss` left until `ends_at` (never negative).
pub fn remaining(ends_at: Timestamp, now: i64) -> String {
    let secs = ((ends_at.millis() - now).max(0) + 999) / 1000;
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

/// A running countdown, or nothing when none runs.
#[component]
pub fn Countdown(
    #[prop(into)] ends_at: Signal<Option<Timestamp>>,
    now: Signal<i64>,
) -> impl IntoView {
    let t = crate::i18n::use_t();
    move || {
        ends_at.get().map(|end| {
            let left = remaining(end, now.get());
            let urgent = end.millis() - now.get() < 30_000;
            view! {
                <span class="countdown" class:urgent=urgent role="timer" aria-label=t.countdown_label()>
                    <span aria-hidden="true">"⏱ "</span>
                    <span class="countdown-time">{left}</span>
                </span>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_time_rounds_up_and_stops_at_zero() {
        assert_eq!(remaining(Timestamp(10_000), 0), "00:10");
        assert_eq!(remaining(Timestamp(10_000), 9_001), "00:01");
        assert_eq!(remaining(Timestamp(10_000), 10_000), "00:00");
        assert_eq!(remaining(Timestamp(10_000), 99_000), "00:00");
        assert_eq!(remaining(Timestamp(185_000), 0), "03:05");
    }
}
