//! Cards waiting for approval (pre-moderation).

use leptos::prelude::*;
use rembuk_domain::card::CardStatus;

use super::{ConsoleCtx, card::ConsoleCard};
use crate::i18n::use_t;

/// Every pending card of the session, oldest first, with approve and hide.
#[component]
pub fn PendingQueue() -> impl IntoView {
    let t = use_t();
    let ConsoleCtx { snapshot, .. } = expect_context();
    let pending = Memo::new(move |_| {
        snapshot.with(|s| {
            let mut cards: Vec<_> = s
                .cards
                .iter()
                .filter(|c| c.status == CardStatus::Pending)
                .cloned()
                .collect();
            cards.sort_by_key(|c| (c.created_at, c.id));
            cards
        })
    });
    view! {
        <Show when=move || !pending.with(Vec::is_empty)>
            <section class="panel queue" aria-live="polite">
                <h2>{t.console_queue()} " " <span class="count">{move || pending.with(Vec::len)}</span></h2>
                <ol class="cards compact">
                    <For each=move || pending.get() key=|c| c.id let(card)>
                        {
                            let question = card.question_id;
                            view! { <ConsoleCard card question/> }
                        }
                    </For>
                </ol>
            </section>
        </Show>
    }
}
