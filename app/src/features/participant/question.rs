//! One question on the participant's phone.

use leptos::prelude::*;
use rembuk_domain::{
    QuestionId,
    card::{Card, CardKind, CardStatus},
    question::{Action, Phase},
    tally::bar_percent,
};

use super::{
    ParticipantActions,
    card_form::CardForm,
    score::{ScoreForm, format_decimal},
    vote::VoteControls,
};
use crate::{
    components::{
        badges::{DimensionChip, PhaseBadge},
        countdown::Countdown,
    },
    i18n::{use_lang, use_t},
};

/// A question with what the participant can do in its current phase. Only
/// what changes re-renders, so a countdown or a tally never clears a card
/// being typed.
#[component]
pub fn QuestionPanel(id: QuestionId) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ParticipantActions { snapshot, now, .. } = expect_context();
    let question = Memo::new(move |_| snapshot.with(|s| s.question(id).cloned()));
    let phase =
        Memo::new(move |_| question.with(|q| q.as_ref().map_or(Phase::Closed, |q| q.phase)));
    let cards_open = Memo::new(move |_| {
        question.with(|q| q.as_ref().is_some_and(|q| q.allows(Action::SubmitCard)))
    });
    let votes_open = Memo::new(move |_| {
        question.with(|q| {
            q.as_ref()
                .is_some_and(|q| q.allows(Action::Vote) && q.voting_mode.dots())
        })
    });
    let scores_open = Memo::new(move |_| {
        question.with(|q| {
            q.as_ref()
                .is_some_and(|q| q.allows(Action::Vote) && q.voting_mode.scores())
        })
    });
    let tallies =
        Memo::new(move |_| question.with(|q| q.as_ref().is_some_and(|q| q.tallies_public())));
    let ends_at =
        Signal::derive(move || question.with(|q| q.as_ref().and_then(|q| q.timer_ends_at)));
    let q = question.get_untracked()?;
    let (dim, sub) = snapshot.with_untracked(|s| {
        (
            s.dimension_name(&q.dimension).to_string(),
            q.sub_element
                .as_deref()
                .map(|sub| s.sub_element_name(&q.dimension, sub).to_string()),
        )
    });
    let heading = format!("q-{id}");
    let kind = q.kind;
    Some(crate::components::erase_on_server(view! {
        <section class="question" aria-labelledby=format!("q-{id}") data-phase=move || phase.get().as_str()>
            <div class="question-meta">
                <DimensionChip name=dim sub=sub/>
                <span class="chip kind">{kind.label(lang)}</span>
                <PhaseBadge phase/>
                <Countdown ends_at now/>
            </div>
            <h2 id=heading>{q.prompt.clone()}</h2>
            // Spoken when the facilitator moves the question on.
            <p class="phase-help" role="status">
                {move || match phase.get() {
                    Phase::Collecting => t.participant_help_collecting(),
                    Phase::Voting => t.participant_help_voting(),
                    Phase::Closed => t.participant_help_closed(),
                }}
            </p>
            <Show when=move || cards_open.get()>
                <CardForm question=id kind/>
            </Show>
            <MyUnseenCards question=id/>
            <Show when=move || votes_open.get()>
                <BudgetMeter question=id/>
            </Show>
            <Show when=move || !tallies.get()>
                <p class="notice small">{t.participant_tallies_hidden()}</p>
            </Show>
            {move || {
                view! {
                    <CardList question=id phase=phase.get() votes=votes_open.get() scores=scores_open.get() tallies=tallies.get()/>
                }
            }}
        </section>
    }))
}

/// "Your votes: ●●○, 1 left".
#[component]
fn BudgetMeter(question: QuestionId) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ParticipantActions { snapshot, .. } = expect_context();
    let budget = move || snapshot.with(|s| s.question(question).map_or(0, |q| q.vote_budget.get()));
    let used = move || snapshot.with(|s| s.my_used(question));
    view! {
        <div class="budget" aria-live="polite">
            <span class="dots" aria-hidden="true">
                {move || {
                    let (b, u) = (budget(), used());
                    (0..b).map(|i| if i < u { "●" } else { "○" }).collect::<String>()
                }}
            </span>
            <span>
                {move || rembuk_domain::i18n::fill(
                    t.participant_votes_left(),
                    &[("left", &lang.number(i64::from(budget().saturating_sub(used())))), ("budget", &budget().to_string())],
                )}
            </span>
        </div>
    }
}

/// The participant's own cards that others do not see: waiting for a
/// facilitator's approval, or set aside.
#[component]
fn MyUnseenCards(question: QuestionId) -> impl IntoView {
    let t = use_t();
    let ParticipantActions { snapshot, .. } = expect_context();
    let mine = Memo::new(move |_| snapshot.with(|s| s.my_unseen_cards(question)));
    view! {
        <Show when=move || !mine.with(Vec::is_empty)>
            <ul class="my-unseen">
                // Redrawn whole when it changes: text only, nothing to keep.
                {move || {
                    mine.get()
                        .into_iter()
                        .map(|card| view! {
                            <li class="card mine unseen">
                                <p class="card-text">{card.text}</p>
                                <span class="chip waiting">
                                    {if card.status == CardStatus::Pending { t.participant_waiting_approval() } else { t.participant_not_shown() }}
                                </span>
                            </li>
                        })
                        .collect_view()
                }}
            </ul>
        </Show>
    }
}

/// The question's cards: newest first while collecting, in a stable order
/// while voting (so nothing moves under a thumb), ranked once closed.
#[component]
fn CardList(
    question: QuestionId,
    phase: Phase,
    votes: bool,
    scores: bool,
    tallies: bool,
) -> impl IntoView {
    let t = use_t();
    let ParticipantActions { snapshot, .. } = expect_context();
    let cards = Memo::new(move |_| {
        snapshot.with(|s| match phase {
            Phase::Collecting => s.newest_cards(question),
            Phase::Voting => {
                let mut c = s.newest_cards(question);
                c.reverse();
                c
            }
            Phase::Closed => s.ranked_cards(question),
        })
    });
    let max = Memo::new(move |_| cards.with(|c| c.iter().map(|c| c.dots).max().unwrap_or(0)));
    view! {
        <h3 class="list-title">
            {t.participant_cards()} " " <span class="count">{move || cards.with(Vec::len)}</span>
        </h3>
        <Show
            when=move || !cards.with(Vec::is_empty)
            fallback=move || view! { <p class="empty">{t.participant_no_cards()}</p> }
        >
            <ol class="cards">
                <For each=move || cards.get() key=|c| (c.id, c.dots, c.text.clone()) let(card)>
                    <CardItem card phase votes scores tallies max=max/>
                </For>
            </ol>
        </Show>
    }
}

#[component]
fn CardItem(
    card: Card,
    phase: Phase,
    votes: bool,
    scores: bool,
    tallies: bool,
    max: Memo<u32>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ParticipantActions { snapshot, .. } = expect_context();
    let (mine, group, answers) = snapshot.with_untracked(|s| {
        let answers: Vec<String> = card
            .answers
            .iter()
            .filter_map(|a| s.cards.iter().find(|c| c.id == *a).map(|c| c.text.clone()))
            .collect();
        (
            s.is_mine(card.id),
            s.group_name(&card.group).to_string(),
            answers,
        )
    });
    let id = card.id;
    let dots = card.dots;
    view! {
        <li class="card" class:mine=mine data-card=id.to_string()>
            <p class="card-text" id=card_text_id(id)>{card.text.clone()}</p>
            {(card.kind == CardKind::Idea && !answers.is_empty()).then(|| view! {
                <p class="answers">{t.participant_answers()} " " {answers.join(" · ")}</p>
            })}
            <div class="card-foot">
                <span class="chip group">{group}</span>
                {mine.then(|| view! { <span class="chip mine-tag">{t.participant_yours()}</span> })}
                {tallies.then(|| view! {
                    <span class="tally" aria-label=t.participant_total_votes()>
                        <span class="tally-number" data-tally=id.to_string()>{lang.number(i64::from(dots))}</span>
                        " " {t.participant_votes_unit()}
                    </span>
                })}
            </div>
            {(phase == Phase::Closed && tallies).then(|| view! {
                <div class="bar" aria-hidden="true">
                    <span style=move || format!("width: {}%", bar_percent(dots, max.get()))></span>
                </div>
            })}
            {votes.then(|| view! { <VoteControls card=id/> })}
            {scores.then(|| view! { <ScoreForm card=id kind=card.kind tallies/> })}
            {(!scores && tallies && phase == Phase::Closed).then(|| card.usg.map(|u| view! {
                <p class="muted small">
                    {rembuk_domain::i18n::fill(t.score_usg_result(), &[("score", &format_decimal(u.score, lang)), ("raters", &lang.number(i64::from(u.raters)))])}
                </p>
            }))}
        </li>
    }
}

/// The id of a card's text on the page, which the controls acting on the
/// card point to (`aria-describedby`), so that a screen reader says which
/// card a button is for.
pub(super) fn card_text_id(card: rembuk_domain::CardId) -> String {
    format!("card-text-{card}")
}
