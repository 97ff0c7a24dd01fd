//! Small labels: phases, dimensions, groups.

use leptos::prelude::*;
use rembuk_domain::question::Phase;

use crate::i18n::use_lang;

/// The phase of a question as a coloured pill.
#[component]
pub fn PhaseBadge(#[prop(into)] phase: Signal<Phase>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <span class=move || format!("pill phase-{}", phase.get().as_str())>{move || phase.get().label(lang)}</span>
    }
}

/// A dimension (and sub-element) chip.
#[component]
pub fn DimensionChip(#[prop(into)] name: String, sub: Option<String>) -> impl IntoView {
    view! {
        <span class="chip">
            {name}
            {sub.map(|s| view! { <span class="chip-sub">" · " {s}</span> })}
        </span>
    }
}
