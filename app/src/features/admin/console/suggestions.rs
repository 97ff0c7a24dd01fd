//! Likely duplicates, with a one-click merge.

use leptos::prelude::*;
use rembuk_domain::{QuestionId, similar};

use super::ConsoleCtx;
use crate::i18n::use_t;

/// Most suggestions shown per question.
const SHOWN: usize = 5;

/// Pairs of this question's cards that say the same thing.
#[component]
pub fn Suggestions(question: QuestionId) -> impl IntoView {
    let t = use_t();
    let ConsoleCtx {
        snapshot, merge, ..
    } = expect_context();
    let pairs = Memo::new(move |_| {
        snapshot.with(|s| {
            let cards = s.newest_cards(question);
            let texts: Vec<_> = cards.iter().map(|c| (c.id, c.text.as_str())).collect();
            similar::suggest(&texts, SHOWN)
                .into_iter()
                .filter_map(|p| {
                    let a = cards.iter().find(|c| c.id == p.a)?;
                    let b = cards.iter().find(|c| c.id == p.b)?;
                    Some((a.clone(), b.clone()))
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || !pairs.with(Vec::is_empty)>
            <div class="suggestions">
                <h4>{t.console_suggestions()}</h4>
                <ul>
                    <For each=move || pairs.get() key=|(a, b)| (a.id, b.id) let((a, b))>
                        {
                            // The longer text usually says more; the facilitator can edit after.
                            let text = if b.text.chars().count() > a.text.chars().count() { b.text.clone() } else { a.text.clone() };
                            view! {
                                <li class="suggestion">
                                    <span class="pair">"“" {a.text.clone()} "” ≈ “" {b.text.clone()} "”"</span>
                                    <ActionForm action=merge attr:class="inline-form">
                                        <input type="hidden" name="cards[0]" value=a.id.to_string()/>
                                        <input type="hidden" name="cards[1]" value=b.id.to_string()/>
                                        <input type="hidden" name="text" value=text/>
                                        <button class="button small" type="submit">{t.console_merge()}</button>
                                    </ActionForm>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </div>
        </Show>
    }
}
