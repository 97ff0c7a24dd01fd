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
    let ParticipantActions { snapshot, vote, .. } = expect_context();
    let mine = move || snapshot.with(|s| s.my_dots(card));
    let question =
        snapshot.with_untracked(|s| s.cards.iter().find(|c| c.id == card).map(|c| c.question_id));
    let remaining = move || question.map_or(0, |q| snapshot.with(|s| s.my_remaining(q)));
    let pending = vote.pending();
    let describe_minus = super::question::card_text_id(card);
    let describe_plus = describe_minus.clone();
    // What each button asks for: the form's hidden `dots` when it posts
    // without scripts, the call's argument with them.
    let less = move || mine().saturating_sub(1);
    let more = move || mine() + 1;
    let set = move |dots: u32| {
        Some(SetVote {
            card_id: card,
            dots: i64::from(dots),
        })
    };
    view! {
        <div class="vote" role="group" aria-label=t.vote_group_label()>
            <PostForm action=vote class="vote-form" input=move |_| set(less())>
                <input type="hidden" name="card_id" value=card.to_string()/>
                <input type="hidden" name="dots" value=move || less().to_string()/>
                <button
                    class="vote-button minus"
                    type="submit"
                    disabled=move || mine() == 0 || pending.get()
                    aria-label=t.vote_remove()
                    aria-describedby=describe_minus
                >
                    "−"
                </button>
            </PostForm>
            <span class="my-dots" aria-live="polite">
                <span class="sr-only">{t.vote_mine()} " "</span>
                <span data-my-dots=card.to_string()>{move || lang.number(i64::from(mine()))}</span>
            </span>
            <PostForm action=vote class="vote-form" input=move |_| set(more())>
                <input type="hidden" name="card_id" value=card.to_string()/>
                <input type="hidden" name="dots" value=move || more().to_string()/>
                <button
                    class="vote-button plus"
                    type="submit"
                    disabled=move || remaining() == 0 || pending.get()
                    aria-label=t.vote_add()
                    aria-describedby=describe_plus
                >
                    "+"
                </button>
            </PostForm>
        </div>
    }
}
