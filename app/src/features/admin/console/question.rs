//! One question in the console: phases, countdown, settings, its cards.

use leptos::prelude::*;
use rembuk_domain::{
    QuestionId,
    card::{Card, CardStatus},
    question::{Phase, Question},
};

use super::{
    ConsoleCtx, PaperCard, QuestionSetting, SetTimer,
    card::{ConsoleCard, MergeBar},
    suggestions::Suggestions,
};
use crate::{
    components::{
        badges::{DimensionChip, PhaseBadge},
        countdown::Countdown,
        form::ActionError,
    },
    i18n::{use_lang, use_t},
};

/// What of a card's scores, programme and per-group dots the console shows:
/// a change re-renders the card.
fn scores_key(c: &Card) -> String {
    format!(
        "{:?}{:?}{:?}{:?}",
        c.usg, c.idea_score, c.programme, c.dots_by_group
    )
}

/// A question with its controls and cards.
#[component]
pub fn ConsoleQuestion(id: QuestionId) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ctx: ConsoleCtx = expect_context();
    let snapshot = ctx.snapshot;
    let question = Memo::new(move |_| snapshot.with(|s| s.question(id).cloned()));
    let current =
        Signal::derive(move || question.with(|q| q.as_ref().map_or(Phase::Closed, |q| q.phase)));
    let ends_at =
        Signal::derive(move || question.with(|q| q.as_ref().and_then(|q| q.timer_ends_at)));
    let ranked = RwSignal::new(false);
    // Each card with its breadth: both change as votes come in.
    let cards = Memo::new(move |_| {
        snapshot.with(|s| {
            let breadth = s.breadth(id);
            let cards = if ranked.get() {
                s.ranked_cards(id)
            } else {
                s.newest_cards(id)
            };
            cards
                .into_iter()
                .map(|c| {
                    let b = breadth.get(&c.id).copied().unwrap_or(0);
                    (c, b)
                })
                .collect::<Vec<_>>()
        })
    });
    let set_aside = Memo::new(move |_| {
        snapshot.with(|s| {
            let mut c = s.cards_with(id, CardStatus::Hidden);
            c.extend(s.cards_with(id, CardStatus::Merged));
            c
        })
    });
    let phase = ctx.phase;
    move || {
        let q = question.get()?;
        let (dim, sub) = snapshot.with_untracked(|s| {
            (
                s.dimension_name(&q.dimension).to_string(),
                q.sub_element
                    .as_deref()
                    .map(|sub| s.sub_element_name(&q.dimension, sub).to_string()),
            )
        });
        Some(view! {
            <section class="panel console-question" data-question=id.to_string() data-phase=move || current.get().as_str()>
                <div class="question-meta">
                    <DimensionChip name=dim sub=sub/>
                    <span class="chip kind">{q.kind.label(lang)}</span>
                    <PhaseBadge phase=current/>
                    <span class="muted small">{rembuk_domain::i18n::fill(t.console_budget(), &[("n", &q.vote_budget.get().to_string())])}</span>
                    <Countdown ends_at now=ctx.now/>
                </div>
                <h2>{q.prompt.clone()}</h2>
                <div class="phase-controls" role="group" aria-label=t.field_phase()>
                    {Phase::ALL
                        .into_iter()
                        .map(|p| view! {
                            <ActionForm action=phase attr:class="inline-form">
                                <input type="hidden" name="question_id" value=id.to_string()/>
                                <input type="hidden" name="phase" value=p.as_str()/>
                                <button
                                    class="button small"
                                    class:primary=move || current.get().next() == Some(p)
                                    type="submit"
                                    disabled=move || current.get() == p
                                    data-phase-button=p.as_str()
                                >
                                    {p.label(lang)}
                                </button>
                            </ActionForm>
                        })
                        .collect_view()}
                    <TimerControl question=id ends_at/>
                </div>
                <Settings question=question/>
                <div class="list-head">
                    <h3>{t.participant_cards()} " " <span class="count">{move || cards.with(Vec::len)}</span></h3>
                    <div class="sort" role="group" aria-label=t.console_sort()>
                        <button class="button small ghost-dark" aria-pressed=move || (!ranked.get()).to_string() on:click=move |_| ranked.set(false)>
                            {t.console_sort_newest()}
                        </button>
                        <button class="button small ghost-dark" aria-pressed=move || ranked.get().to_string() on:click=move |_| ranked.set(true)>
                            {t.console_sort_ranked()}
                        </button>
                    </div>
                </div>
                <Suggestions question=id/>
                <ol class="cards compact">
                    <For each=move || cards.get() key=|(c, b): &(Card, u32)| (c.id, c.dots, *b, c.pinned, c.text.clone(), c.sub_element.clone(), scores_key(c)) let((card, breadth))>
                        <ConsoleCard card question=id breadth/>
                    </For>
                </ol>
                <MergeBar question=id/>
                <PaperCardForm question=id/>
                <Show when=move || !set_aside.with(Vec::is_empty)>
                    <details class="set-aside">
                        <summary>{t.console_set_aside()} " " <span class="count">{move || set_aside.with(Vec::len)}</span></summary>
                        <ol class="cards compact">
                            <For each=move || set_aside.get() key=|c: &Card| (c.id, c.status) let(card)>
                                <ConsoleCard card question=id/>
                            </For>
                        </ol>
                    </details>
                </Show>
            </section>
        })
    }
}

/// Start or stop a countdown.
#[component]
fn TimerControl(
    question: QuestionId,
    ends_at: Signal<Option<rembuk_domain::time::Timestamp>>,
) -> impl IntoView {
    let t = use_t();
    let action = ServerAction::<SetTimer>::new();
    view! {
        <ActionForm action=action attr:class="timer-form">
            <input type="hidden" name="question_id" value=question.to_string()/>
            <Show
                when=move || ends_at.get().is_some()
                fallback=move || view! {
                    <label class="timer-minutes">
                        <span class="sr-only">{t.console_timer_minutes()}</span>
                        <input type="number" name="minutes" min="0.5" max="120" step="0.5" value="3" inputmode="decimal"/>
                    </label>
                    <button class="button small" type="submit">{t.console_timer_start()}</button>
                }
            >
                <input type="hidden" name="minutes" value="0"/>
                <button class="button small" type="submit">{t.console_timer_stop()}</button>
            </Show>
        </ActionForm>
        <ActionError result=action.value()/>
    }
}

/// The question's on/off settings.
#[component]
fn Settings(question: Memo<Option<Question>>) -> impl IntoView {
    let t = use_t();
    let action = ServerAction::<QuestionSetting>::new();
    let toggle = move |setting: &'static str, label: &'static str, get: fn(&Question) -> bool| {
        let on = move || question.with(|q| q.as_ref().is_some_and(get));
        let id =
            move || question.with(|q| q.as_ref().map(|q| q.id.to_string()).unwrap_or_default());
        view! {
            <ActionForm action=action attr:class="inline-form">
                <input type="hidden" name="question_id" value=id/>
                <input type="hidden" name="setting" value=setting/>
                <input type="hidden" name="value" value=move || (!on()).to_string()/>
                <button class="button small toggle" class:on=on type="submit" aria-pressed=move || on().to_string() data-setting=setting>
                    {label}
                </button>
            </ActionForm>
        }
    };
    view! {
        <div class="settings" role="group" aria-label=t.console_options()>
            {toggle("hide_tallies", t.setting_hide_tallies(), |q| q.hide_tallies)}
            <Show when=move || question.with(|q| q.as_ref().is_some_and(|q| q.hide_tallies && !q.tallies_public()))>
                {toggle("tallies_revealed", t.setting_tallies_revealed(), |q| q.tallies_revealed)}
            </Show>
            {toggle("cards_while_voting", t.setting_cards_while_voting(), |q| q.cards_while_voting)}
            {toggle("votes_while_collecting", t.setting_votes_while_collecting(), |q| q.votes_while_collecting)}
        </div>
        <ActionError result=action.value()/>
    }
}

/// Typing in a card someone wrote on paper.
#[component]
fn PaperCardForm(question: QuestionId) -> impl IntoView {
    let t = use_t();
    let ConsoleCtx { snapshot, .. } = expect_context();
    let action = ServerAction::<PaperCard>::new();
    let groups = snapshot.with_untracked(|s| s.workshop.groups.clone());
    let form = NodeRef::<leptos::html::Form>::new();
    let key = RwSignal::new(crate::components::form::new_key());
    crate::components::watch(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            key.set(crate::components::form::new_key());
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    view! {
        <details class="paper-card">
            <summary>{t.console_paper_card()}</summary>
            <ActionForm action=action node_ref=form attr:class="stack">
                <ActionError result=action.value()/>
                <input type="hidden" name="question_id" value=question.to_string()/>
                <input type="hidden" name="idempotency_key" value=move || key.get()/>
                <label class="field">
                    <span>{t.field_text()}</span>
                    <textarea name="text" rows="2" maxlength="500" required></textarea>
                </label>
                <label class="field">
                    <span>{t.field_group()}</span>
                    <select name="group" required>
                        {groups.into_iter().map(|g| view! { <option value=g.key>{g.name}</option> }).collect_view()}
                    </select>
                </label>
                <button class="button" type="submit">{t.console_paper_submit()}</button>
            </ActionForm>
        </details>
    }
}
