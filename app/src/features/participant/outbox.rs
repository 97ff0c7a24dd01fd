//! Votes and cards made while the phone has no signal.
//!
//! When a vote or a card cannot reach the server (a network error, not a
//! refusal), it waits here: kept in the phone's `localStorage` (so closing
//! the browser loses nothing), shown as "waiting for signal", and sent again
//! when the browser says it is back online, and on a backoff timer
//! meanwhile, oldest first. Resending is safe: a vote sets a number of dots
//! (sending it twice counts once) and a card carries its idempotency key
//! (the server returns the first card for a repeat). Later votes on the same
//! card replace a waiting one. When the server asks the phone to wait (its
//! database was busy, or the phone met the limit on one participant's
//! writes), the item waits here too, and the queue waits as long as the
//! server says; the banner then says the server is busy rather than that
//! the signal is gone. A fault of the server's own (a 500) is tried again a
//! few times. When the server refuses an item (the question closed
//! meanwhile, the budget is spent) it is dropped and the reason shown.
//!
//! Without scripts none of this runs: the forms post as usual.

use leptos::prelude::*;
use rembuk_domain::{
    AppError, CardId, QuestionId,
    json::{FromJson, JsonError, Value},
    snapshot::SessionSnapshot,
    wire::{WireError, need},
};
use serde::Serialize;

use crate::error::UiError;

/// Something the phone made that the server has not confirmed. Written
/// by serde, read by `rembuk_domain::json` through [`PendingWire`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Pending {
    Vote {
        card_id: CardId,
        dots: i64,
    },
    Card {
        question_id: QuestionId,
        text: String,
        kind: Option<String>,
        answers: Vec<CardId>,
        idempotency_key: String,
    },
}

/// [`Pending`]'s tag.
#[derive(Clone, Copy)]
enum PendingKind {
    Vote,
    Card,
}

rembuk_domain::tags!(PendingKind {
    Vote = "vote",
    Card = "card",
});

/// Every field of every [`Pending`], as kept in `localStorage`.
struct PendingWire {
    tag: PendingKind,
    card_id: Option<CardId>,
    dots: Option<i64>,
    question_id: Option<QuestionId>,
    text: Option<String>,
    kind: Option<String>,
    answers: Option<Vec<CardId>>,
    idempotency_key: Option<String>,
}

rembuk_domain::json_struct!(PendingWire {
    tag = "type",
    card_id,
    dots,
    question_id,
    text,
    kind,
    answers,
    idempotency_key,
});

impl FromJson for Pending {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        PendingWire::from_json(value)?
            .try_into()
            .map_err(WireError::into_json)
    }
}

impl TryFrom<PendingWire> for Pending {
    type Error = WireError;

    fn try_from(w: PendingWire) -> Result<Self, WireError> {
        Ok(match w.tag {
            PendingKind::Vote => Pending::Vote {
                card_id: need(w.card_id, "card_id")?,
                dots: need(w.dots, "dots")?,
            },
            PendingKind::Card => Pending::Card {
                question_id: need(w.question_id, "question_id")?,
                text: need(w.text, "text")?,
                kind: w.kind,
                answers: need(w.answers, "answers")?,
                idempotency_key: need(w.idempotency_key, "idempotency_key")?,
            },
        })
    }
}

/// The phone's queue for one session. Cheap to copy.
#[derive(Clone, Copy)]
pub struct Outbox {
    items: RwSignal<Vec<Pending>>,
    /// The last refusal of a waiting item, for the page to show.
    refused: RwSignal<Option<Result<(), UiError>>>,
    // Sending happens only in the browser.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    sending: StoredValue<bool>,
    backoff_ms: StoredValue<u32>,
    /// How many times in a row the server failed on the first item with a
    /// fault of its own (a 500).
    faults: StoredValue<u32>,
    /// Whether the queue waits because the server asked it to (or failed),
    /// not because the phone has no signal: the banner says which.
    server_asked: RwSignal<bool>,
    snapshot: RwSignal<SessionSnapshot>,
}

/// First wait before resending after a failure; it doubles up to the most.
const FIRST_RETRY_MS: u32 = 2_000;
const MOST_RETRY_MS: u32 = 30_000;

/// Whether a vote or card the person just made, which failed with `e`,
/// waits in the outbox rather than being shown as refused: there was no
/// signal, or the server asked for it again later (it was busy, or the
/// phone wrote too fast). A fault of the server's own is shown instead: the
/// card form then keeps its text.
pub fn waits(e: &UiError) -> bool {
    matches!(e.0, AppError::Network { .. }) || e.0.retry_after_secs().is_some()
}

impl Outbox {
    /// The queue of `snapshot`'s session, restored from the phone.
    pub fn start(snapshot: RwSignal<SessionSnapshot>) -> Outbox {
        let outbox = Outbox {
            // Empty while rendering on the server and hydrating, so that
            // both agree; the stored queue is read right after.
            items: RwSignal::new(vec![]),
            refused: RwSignal::new(None),
            sending: StoredValue::new(false),
            backoff_ms: StoredValue::new(FIRST_RETRY_MS),
            faults: StoredValue::new(0),
            server_asked: RwSignal::new(false),
            snapshot,
        };
        #[cfg(feature = "hydrate")]
        browser::start(outbox, snapshot.with_untracked(|s| s.session.id));
        outbox
    }

    /// How many items wait.
    pub fn waiting(&self) -> Signal<usize> {
        let items = self.items;
        Signal::derive(move || items.with(Vec::len))
    }

    /// The texts of cards waiting for `question`.
    pub fn cards_waiting(&self, question: QuestionId) -> Signal<Vec<String>> {
        let items = self.items;
        Signal::derive(move || {
            items.with(|v| {
                v.iter()
                    .filter_map(|p| match p {
                        Pending::Card {
                            question_id, text, ..
                        } if *question_id == question => Some(text.clone()),
                        _ => None,
                    })
                    .collect()
            })
        })
    }

    /// The last refusal of a waiting item (shown like a failed action).
    pub fn refused(&self) -> RwSignal<Option<Result<(), UiError>>> {
        self.refused
    }

    /// Keeps `item`, which failed to send with `why` (see [`waits`]),
    /// until it can be sent, and tries again when `why` allows.
    pub fn queue(&self, item: Pending, why: &UiError) {
        self.push(item);
        self.wait(&why.0, keep(&why.0, 0).unwrap_or(Keep::Backoff));
    }

    /// Adds `item` to the queue (a newer vote on a card replaces the
    /// waiting one).
    fn push(&self, item: Pending) {
        if let Pending::Vote { card_id, dots } = &item {
            // The phone shows its own dots at once.
            let dots = u32::try_from(*dots).unwrap_or(0);
            self.snapshot
                .update(|s| s.apply_pending_vote(*card_id, dots));
        }
        self.items.update(|v| {
            if let Pending::Vote { card_id, .. } = &item {
                v.retain(|p| !matches!(p, Pending::Vote { card_id: c, .. } if c == card_id));
            }
            if !v.contains(&item) {
                v.push(item);
            }
        });
    }

    /// Sends what waits, oldest first, until the queue is empty or the
    /// network fails again.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn flush(self) {
        if self.sending.get_value() || self.items.with_untracked(Vec::is_empty) {
            return;
        }
        self.sending.set_value(true);
        leptos::task::spawn_local(async move {
            while let Some(item) = self.items.with_untracked(|v| v.first().cloned()) {
                if let Err(e) = self.send(&item).await {
                    let faults = match e.0 {
                        AppError::Internal => self.faults.get_value() + 1,
                        _ => 0,
                    };
                    self.faults.set_value(faults);
                    match keep(&e.0, faults) {
                        Some(wait) => {
                            self.sending.set_value(false);
                            self.wait(&e.0, wait);
                            return;
                        }
                        None => self.refused.set(Some(Err(e))),
                    }
                }
                self.items.update(|v| {
                    if v.first() == Some(&item) {
                        v.remove(0);
                    }
                });
                self.backoff_ms.set_value(FIRST_RETRY_MS);
                self.faults.set_value(0);
            }
            self.sending.set_value(false);
        });
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    async fn send(&self, item: &Pending) -> Result<(), UiError> {
        match item.clone() {
            Pending::Vote { card_id, dots } => {
                let outcome = super::set_vote(card_id, dots).await?;
                self.snapshot.update(|s| s.apply_vote(&outcome));
            }
            Pending::Card {
                question_id,
                text,
                kind,
                answers,
                idempotency_key,
            } => {
                let card = super::submit_card(
                    question_id,
                    text,
                    kind,
                    Some(answers),
                    Some(idempotency_key),
                )
                .await?;
                self.snapshot.update(|s| s.apply_own_card(&card));
            }
        }
        Ok(())
    }

    /// Notes why the queue waits, and tries again when `wait` says.
    fn wait(self, why: &AppError, wait: Keep) {
        self.server_asked
            .set(!matches!(why, AppError::Network { .. }));
        match wait {
            Keep::Backoff => self.retry_later(),
            Keep::For(ms) => self.retry_in(ms),
        }
    }

    fn retry_later(self) {
        let wait = self.backoff_ms.get_value();
        self.backoff_ms
            .set_value(wait.saturating_mul(2).min(MOST_RETRY_MS));
        self.retry_in(wait);
    }

    /// Sends what waits again after `ms`.
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    fn retry_in(self, ms: u32) {
        #[cfg(feature = "hydrate")]
        set_timeout(
            move || self.flush(),
            std::time::Duration::from_millis(u64::from(ms)),
        );
    }
}

/// Why a waiting item that failed to send stays in the queue.
#[derive(Debug, PartialEq, Eq)]
enum Keep {
    /// No signal: try again on the backoff timer, or when the browser says
    /// it is back online.
    Backoff,
    /// The server asked the phone to wait (it was busy, or the phone sent
    /// too much at once): try again after this many milliseconds. A phone
    /// that was offline for a while sends everything it kept at once, and
    /// may meet the limit on one participant's writes.
    For(u32),
}

/// How many faults of the server's own (500) in a row an item outlasts
/// before it is dropped as refused: a passing fault is retried, a request
/// that always fails does not hold the queue for ever.
const FAULT_TRIES: u32 = 3;

/// Whether a waiting item that failed with `e` stays in the queue (and
/// when to try again), or was refused and is dropped (`None`). `faults` is
/// how many times in a row the server failed on it with a fault of its own,
/// this time included.
fn keep(e: &AppError, faults: u32) -> Option<Keep> {
    let gave_up = matches!(e, AppError::Internal) && faults >= FAULT_TRIES;
    if !e.is_transient() || gave_up {
        return None;
    }
    Some(match e.retry_after_secs() {
        Some(secs) => Keep::For(secs.saturating_mul(1_000).max(1_000)),
        None => Keep::Backoff,
    })
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use rembuk_domain::SessionId;

    use super::{Outbox, Pending};

    fn key(session: SessionId) -> String {
        format!("rembuk.outbox.{session}")
    }

    fn storage() -> Option<web_sys::Storage> {
        window().local_storage().ok().flatten()
    }

    /// Restores the stored queue, keeps it stored, and resends when the
    /// browser is back online.
    pub fn start(outbox: Outbox, session: SessionId) {
        let stored: Vec<Pending> = storage()
            .and_then(|s| s.get_item(&key(session)).ok().flatten())
            .and_then(|json| rembuk_domain::json::read(&json).ok())
            .unwrap_or_default();
        crate::components::watch(move |first: Option<()>| {
            let items = outbox.items.get();
            if first.is_none() {
                // After hydration: bring back what an earlier visit left.
                if !stored.is_empty() {
                    for item in stored.clone() {
                        outbox.push(item);
                    }
                    outbox.flush();
                }
                return;
            }
            if let Some(s) = storage() {
                let _ = if items.is_empty() {
                    s.remove_item(&key(session))
                } else {
                    s.set_item(
                        &key(session),
                        &serde_json::to_string(&items).unwrap_or_default(),
                    )
                };
            }
        });
        let online = window_event_listener(leptos::ev::online, move |_| {
            outbox.backoff_ms.set_value(super::FIRST_RETRY_MS);
            outbox.flush();
        });
        on_cleanup(move || online.remove());
    }
}

/// The banner while something waits for signal, or for the server.
#[component]
pub fn OutboxNotice() -> impl IntoView {
    let t = crate::i18n::use_t();
    let lang = crate::i18n::use_lang();
    let outbox = expect_context::<Outbox>();
    let waiting = outbox.waiting();
    let server_asked = outbox.server_asked;
    view! {
        <div class="outbox-notice" role="status" aria-live="polite">
            {move || {
                let n = waiting.get();
                let text = if server_asked.get() {
                    t.outbox_waiting_server()
                } else {
                    t.outbox_waiting()
                };
                (n > 0).then(|| view! {
                    <p class="banner warn" data-waiting=n>
                        {rembuk_domain::i18n::fill(text, &[("n", &lang.number(n as i64))])}
                    </p>
                })
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_signal_and_slow_down_keep_an_item_and_a_refusal_drops_it() {
        // A fault of the server's own is tried again, three times in all.
        assert_eq!(keep(&AppError::Internal, 1), Some(Keep::Backoff));
        assert_eq!(keep(&AppError::Internal, 2), Some(Keep::Backoff));
        assert_eq!(keep(&AppError::Internal, 3), None);
        assert_eq!(
            keep(
                &AppError::Network {
                    detail: "fetch failed".into()
                },
                0
            ),
            Some(Keep::Backoff)
        );
        assert_eq!(
            keep(
                &AppError::RateLimited {
                    retry_after_secs: 3
                },
                0
            ),
            Some(Keep::For(3_000))
        );
        // The database was busy: nothing was saved, send it again.
        assert_eq!(
            keep(
                &AppError::Unavailable {
                    retry_after_secs: 2
                },
                0
            ),
            Some(Keep::For(2_000))
        );
        // "Now" from the server still waits a moment, not a busy loop.
        assert_eq!(
            keep(
                &AppError::RateLimited {
                    retry_after_secs: 0
                },
                0
            ),
            Some(Keep::For(1_000))
        );
        assert_eq!(keep(&AppError::DotsOff, 0), None);
        assert_eq!(
            keep(&AppError::not_found(rembuk_domain::Entity::Card), 0),
            None
        );
    }

    #[test]
    fn a_fresh_vote_or_card_waits_for_signal_or_when_the_server_asks() {
        let waits = |e: AppError| waits(&UiError(e));
        assert!(waits(AppError::Network {
            detail: "fetch failed".into()
        }));
        assert!(waits(AppError::RateLimited {
            retry_after_secs: 3
        }));
        assert!(waits(AppError::Unavailable {
            retry_after_secs: 2
        }));
        // A fault of the server's own is shown, and the form keeps the
        // text: the outbox would drop it after a few more faults.
        assert!(!waits(AppError::Internal));
        assert!(!waits(AppError::DotsOff));
    }

    /// What a phone kept in `localStorage` before this build must still
    /// be read (and sent) after an update.
    #[test]
    fn waiting_items_read_back_in_the_stored_form() {
        let card_id = CardId(uuid::Uuid::from_u128(5));
        let items = vec![
            Pending::Vote { card_id, dots: 2 },
            Pending::Card {
                question_id: QuestionId(uuid::Uuid::from_u128(6)),
                text: "Jalan ke pelabuhan rusak".into(),
                kind: Some("idea".into()),
                answers: vec![card_id],
                idempotency_key: "k-1".into(),
            },
            Pending::Card {
                question_id: QuestionId(uuid::Uuid::from_u128(6)),
                text: "Air bersih".into(),
                kind: None,
                answers: vec![],
                idempotency_key: "k-2".into(),
            },
        ];
        let json = serde_json::to_string(&items).unwrap();
        assert!(
            json.starts_with(
                r#"[{"type":"vote","card_id":"00000000-0000-0000-0000-000000000005","dots":2},"#
            ),
            "{json}"
        );
        assert_eq!(rembuk_domain::json::read::<Vec<Pending>>(&json), Ok(items));
        let broken = rembuk_domain::json::read::<Vec<Pending>>(r#"[{"type":"vote","dots":1}]"#);
        assert_eq!(
            broken.unwrap_err().to_string(),
            "missing field in `card_id`"
        );
    }
}
