//! The − / + buttons that set a participant's dots on a card.

use leptos::prelude::*;
use rembuk_domain::CardId;

use super::{ParticipantActions, SetVote};
use crate::{
    components::form::PostForm,
    i18n::{use_lang, use_t},
};

/// Two real forms (so they work without scripts): take one dot back, give
/// one more. "+" is disabled when the budget is spent. Each button is
/// described by the card's text, which a screen reader reads with it.
#[component]
pub fn VoteControls(card: CardId) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ParticipantActions { snapshot, .. } = expect_context();
    let mine = Signal::derive(move || snapshot.with(|s| s.my_dots(card)));
    let question =
        snapshot.with_untracked(|s| s.cards.iter().find(|c| c.id == card).map(|c| c.question_id));
    let remaining =
        Signal::derive(move || question.map_or(0, |q| snapshot.with(|s| s.my_remaining(q))));
    view! {
        <div class="vote" role="group" aria-label=t.vote_group_label()>
            <VoteButton card more=false mine remaining/>
            <span class="my-dots" aria-live="polite">
                <span class="sr-only">{t.vote_mine()} " "</span>
                <span data-my-dots=card.to_string()>{move || lang.number(i64::from(mine.get()))}</span>
            </span>
            <VoteButton card more=true mine remaining/>
        </div>
    }
}

/// One of the two buttons, in its form. One component for both, so the
/// phone's WebAssembly holds the form once.
#[component]
fn VoteButton(
    card: CardId,
    more: bool,
    mine: Signal<u32>,
    remaining: Signal<u32>,
) -> impl IntoView {
    let t = use_t();
    let ParticipantActions { vote, .. } = expect_context();
    let pending = vote.pending();
    // What the button asks for: the form's hidden `dots` when it posts
    // without scripts, the call's argument with them.
    let dots = move || {
        if more {
            mine.get() + 1
        } else {
            mine.get().saturating_sub(1)
        }
    };
    // Nothing left to give, or nothing to take back.
    let spent = move || if more { remaining.get() } else { mine.get() } == 0;
    let (class, label, sign) = if more {
        ("vote-button plus", t.vote_add(), "+")
    } else {
        ("vote-button minus", t.vote_remove(), "−")
    };
    view! {
        <PostForm action=vote class="vote-form" input=move |_| Some(SetVote { card_id: card, dots: i64::from(dots()) })>
            <input type="hidden" name="card_id" value=card.to_string()/>
            <input type="hidden" name="dots" value=move || dots().to_string()/>
            <button
                class=class
                type="submit"
                disabled=move || spent() || pending.get()
                aria-label=label
                aria-describedby=super::question::card_text_id(card)
            >
                {sign}
            </button>
        </PostForm>
    }
}
