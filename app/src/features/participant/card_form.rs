//! Writing a problem or idea card.

use leptos::{html, prelude::*};
use rembuk_domain::{QuestionId, card::CardKind, question::QuestionKind};

use super::{
    ParticipantActions, SubmitCard,
    outbox::{Outbox, Pending, waits},
};
use crate::{
    components::form::{ActionError, PostForm, call_action},
    error::UiError,
    i18n::use_t,
};

/// The card form of a question that collects cards. An idea may tick the
/// problem cards (of this session) it answers.
#[component]
pub fn CardForm(question: QuestionId, kind: QuestionKind) -> impl IntoView {
    let t = use_t();
    let ParticipantActions { snapshot, .. } = expect_context();
    let action = call_action::<SubmitCard>();
    let key = RwSignal::new(crate::components::form::new_key());
    let form = NodeRef::<html::Form>::new();
    let outbox = expect_context::<Outbox>();
    // The card being sent, kept for the outbox should the network fail.
    let sending = StoredValue::new(None::<SubmitCard>);
    // Whether the last card went through. Said in words (a status), since
    // the card shows in the list below the form, out of a screen reader's
    // way and often off a phone's screen.
    let sent = RwSignal::new(false);
    crate::components::watch(move |_| {
        if let Some(input) = action.input().get() {
            sending.set_value(Some(input));
            sent.set(false);
        }
    });
    // Whether the outbox takes a card that failed with `e`: one the
    // server asks for again later, which this page sent. A plain post's
    // refusal (sent before scripts ran, or without them) is shown instead.
    let queued = move |e: &UiError| waits(e) && sending.with_value(Option::is_some);
    let done = move || {
        key.set(crate::components::form::new_key());
        if let Some(form) = form.get() {
            form.reset();
        }
    };
    crate::components::watch(move |_| match action.value().get() {
        Some(Ok(card)) => {
            snapshot.update(|s| s.apply_own_card(&card));
            sent.set(true);
            done();
        }
        // No signal, or a server that asks for it again later: the card
        // waits in the outbox, and the form is free for the next one.
        Some(Err(e)) if queued(&e) => {
            if let Some(input) = sending.get_value() {
                outbox.queue(
                    Pending::Card {
                        question_id: input.question_id,
                        text: input.text,
                        kind: input.kind,
                        answers: input.answers.unwrap_or_default(),
                        idempotency_key: input
                            .idempotency_key
                            .unwrap_or_else(crate::components::form::new_key),
                    },
                    &e,
                );
                done();
            }
        }
        _ => {}
    });
    let waiting = outbox.cards_waiting(question);
    let problems = Memo::new(move |_| {
        snapshot.with(|s| {
            s.cards
                .iter()
                .filter(|c| c.kind == CardKind::Problem)
                .map(|c| (c.id, c.text.clone()))
                .collect::<Vec<_>>()
        })
    });
    let (label, placeholder) = match kind {
        QuestionKind::Problems => (t.card_problem_label(), t.card_problem_placeholder()),
        QuestionKind::Ideas => (t.card_idea_label(), t.card_idea_placeholder()),
    };
    let field_id = format!("text-{question}");
    view! {
        <PostForm action=action node_ref=form class="card-form stack" input=move |f| Some(SubmitCard {
            question_id: question,
            text: f.text("text")?,
            kind: None,
            answers: Some(f.parse_all("answers[]")?).filter(|a: &Vec<_>| !a.is_empty()),
            idempotency_key: f.text("idempotency_key"),
        })>
            // As `Result<(), _>`, the type of the page's other error boxes:
            // one copy of the box in the phone's WebAssembly.
            <ActionError result=Signal::derive(move || {
                action.value().with(|r| match r {
                    Some(Err(e)) if !queued(e) => Some(Err::<(), _>(e.clone())),
                    _ => None,
                })
            })/>
            // Redrawn whole when it changes: a few lines of text, and two
            // identical cards may wait at once.
            {move || {
                waiting
                    .get()
                    .into_iter()
                    .map(|text| view! {
                        <p class="waiting-card" data-waiting-card="">
                            <span class="chip waiting">{t.outbox_card_waiting()}</span> " " {text}
                        </p>
                    })
                    .collect_view()
            }}
            <input type="hidden" name="question_id" value=question.to_string()/>
            <input type="hidden" name="idempotency_key" value=move || key.get()/>
            <label class="field" for=field_id.clone()>
                <span>{label}</span>
            </label>
            <textarea id=field_id name="text" rows="3" maxlength="500" required placeholder=placeholder></textarea>
            <Show when=move || snapshot.with(|s| s.session.premoderate)>
                <p class="muted small">{t.participant_premoderated()}</p>
            </Show>
            {(kind == QuestionKind::Ideas).then(|| view! {
                <Show when=move || !problems.with(Vec::is_empty)>
                    <details class="answers-picker">
                        <summary>{t.card_answers_summary()}</summary>
                        <For each=move || problems.get() key=|(id, _)| *id let((id, text))>
                            <label class="check">
                                <input type="checkbox" name="answers[]" value=id.to_string()/>
                                <span>{text}</span>
                            </label>
                        </For>
                    </details>
                </Show>
            })}
            <button class="button primary" type="submit" disabled=move || action.pending().get()>
                {move || if action.pending().get() { t.card_sending() } else { t.card_submit() }}
            </button>
            <p class="muted small" role="status">{move || sent.get().then(|| t.card_sent())}</p>
        </PostForm>
    }
}
