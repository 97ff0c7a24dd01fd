//! The participant's phone: the session's open questions, their cards,
//! and the participant's dots.

mod card_form;
mod outbox;
mod question;
mod score;
mod vote;
mod withdraw;

pub use withdraw::WithdrawPage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_params_map};
use rembuk_domain::{
    AppError, CardId, QuestionId, card::Card, snapshot::SessionSnapshot, vote::VoteOutcome,
};

use crate::{
    components::{
        form::{ActionError, CallAction, ErrorBox, call_action},
        layout::{Header, Loading},
    },
    error::{UiError, UiResult},
    features::home::CodeForm,
    i18n::{use_lang, use_t},
    live::{LiveNotice, follow},
};
use outbox::{Outbox, OutboxNotice, Pending, waits};
use question::QuestionPanel;

/// The session as this participant sees it (with their own dots).
#[server(prefix = "/fn", endpoint = "participant_view", protocol = crate::codec::PhoneCall)]
pub async fn participant_view(code: String) -> UiResult<SessionSnapshot> {
    crate::ssr::run(|s, caller| async move {
        let id = s.session_id_for_code(&code).await?;
        s.session_snapshot(&caller, id).await
    })
    .await
}
crate::form_args!(ParticipantView { code });

/// Submits a card. The idempotency key makes a repeated submission (a
/// double tap, a resent form) return the first card.
#[server(prefix = "/fn", endpoint = "submit_card", protocol = crate::codec::PhoneCall)]
pub async fn submit_card(
    question_id: QuestionId,
    text: String,
    kind: Option<String>,
    answers: Option<Vec<CardId>>,
    idempotency_key: Option<String>,
) -> UiResult<Card> {
    crate::ssr::run(|s, caller| async move {
        let input = rembuk_service::CardInput {
            kind,
            text,
            answers: answers.unwrap_or_default(),
            ..Default::default()
        };
        Ok(
            s.submit_card(&caller, question_id, &input, idempotency_key.as_deref())
                .await?
                .card,
        )
    })
    .await
}
crate::form_args!(SubmitCard {
    question_id,
    text,
    kind,
    answers,
    idempotency_key
});

/// Sets the participant's dots on a card.
#[server(prefix = "/fn", endpoint = "set_vote", protocol = crate::codec::PhoneCall)]
pub async fn set_vote(card_id: CardId, dots: i64) -> UiResult<VoteOutcome> {
    crate::ssr::run(|s, caller| async move { s.vote(&caller, card_id, dots).await }).await
}
crate::form_args!(SetVote { card_id, dots });

/// Sets the participant's USG rating of a problem card.
#[server(prefix = "/fn", endpoint = "rate_usg", protocol = crate::codec::PhoneCall)]
pub async fn rate_usg(
    card_id: CardId,
    urgency: i64,
    seriousness: i64,
    growth: i64,
) -> UiResult<rembuk_domain::rating::ScoreOutcome> {
    crate::ssr::run(|s, caller| async move {
        s.rate_usg(&caller, card_id, urgency, seriousness, growth)
            .await
    })
    .await
}
crate::form_args!(RateUsg {
    card_id,
    urgency,
    seriousness,
    growth
});

/// Sets the participant's impact and effort rating of an idea card.
#[server(prefix = "/fn", endpoint = "rate_idea", protocol = crate::codec::PhoneCall)]
pub async fn rate_idea(
    card_id: CardId,
    impact: i64,
    effort: i64,
) -> UiResult<rembuk_domain::rating::ScoreOutcome> {
    crate::ssr::run(|s, caller| async move { s.rate_idea(&caller, card_id, impact, effort).await })
        .await
}
crate::form_args!(RateIdea {
    card_id,
    impact,
    effort
});

/// `/s/:code`: the participant's session page.
#[component]
pub fn ParticipantPage() -> impl IntoView {
    let t = use_t();
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let data = Resource::new(code, participant_view);
    view! {
        <Suspense fallback=move || view! { <Header/><main id="main" class="page"><Loading/></main> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(snapshot) if snapshot.me.is_some() => {
                        let title = snapshot.session.title.clone();
                        let workshop = snapshot.workshop.title.clone();
                        let json = serde_json::to_string(&snapshot).unwrap_or_default();
                        provide_context(Start { snapshot, code: code() });
                        view! {
                            <Title text=title/>
                            <Header context=workshop/>
                            <div id=START_ID hidden data-snapshot=json data-code=code()></div>
                            <ParticipantSession/>
                        }
                        .into_any()
                    }
                    Ok(_) | Err(UiError(AppError::NotJoined | AppError::Unauthenticated | AppError::Forbidden)) => {
                        view! { <Redirect path=format!("/j/{}", code())/> }.into_any()
                    }
                    Err(UiError(e)) => view! {
                        <Title text=t.join_title()/>
                        <Header/>
                        <main id="main" class="page narrow">
                            <ErrorBox message=e.message(use_lang())/>
                            <CodeForm/>
                        </main>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// Actions shared by every question on the page.
#[derive(Clone, Copy)]
pub struct ParticipantActions {
    pub snapshot: RwSignal<SessionSnapshot>,
    pub vote: CallAction<SetVote>,
    pub usg: CallAction<RateUsg>,
    pub idea: CallAction<RateIdea>,
    /// The clock for countdowns.
    pub now: Signal<i64>,
}

/// An action's error, if its last result is one.
fn refusal<T>(result: &Option<Result<T, UiError>>) -> Option<UiError> {
    result.as_ref()?.as_ref().err().cloned()
}

/// The element that carries the snapshot and join code the participant's
/// island starts from.
const START_ID: &str = "participant-start";

/// What the participant's island starts from. The island takes no props:
/// Leptos would read them with serde, and a phone then carries serde's
/// reader for every type in a snapshot. The server hands them over as
/// context and writes them into the page as JSON ([`START_ID`]); the
/// browser reads that with `rembuk_domain::json`.
#[derive(Clone)]
struct Start {
    snapshot: SessionSnapshot,
    code: String,
}

impl Start {
    #[cfg(not(feature = "hydrate"))]
    fn take() -> Start {
        expect_context::<Start>()
    }

    #[cfg(feature = "hydrate")]
    fn take() -> Start {
        let element = document().get_element_by_id(START_ID);
        let read = |name: &str| element.as_ref().and_then(|e| e.get_attribute(name));
        let snapshot = read("data-snapshot")
            .and_then(|json| rembuk_domain::json::read(&json).ok())
            .expect("the page carries the session's snapshot");
        Start {
            snapshot,
            code: read("data-code").unwrap_or_default(),
        }
    }
}

/// The live part of the participant's page (an island: the only code the
/// phone downloads for it).
#[island]
fn ParticipantSession() -> impl IntoView {
    let Start { snapshot, code } = Start::take();
    crate::i18n::provide_lang();
    let t = use_t();
    let snapshot = RwSignal::new(snapshot);
    let refetch_code = code.clone();
    let status = follow(snapshot, move || {
        let code = refetch_code.clone();
        async move { participant_view(code).await.ok() }
    });
    let outbox = Outbox::start(snapshot);
    provide_context(outbox);
    let vote = call_action::<SetVote>();
    // Why the server last refused a vote or a rating, shown until the next
    // one goes through. One signal for the three actions: the phone's
    // WebAssembly then holds one error box, not one per action's type.
    // It starts with the refusal a plain post of one of their forms came
    // back with, so that the page says why before scripts run, or without.
    let usg = call_action::<RateUsg>();
    let idea = call_action::<RateIdea>();
    let posted = vote
        .value()
        .with_untracked(refusal)
        .or_else(|| usg.value().with_untracked(refusal))
        .or_else(|| idea.value().with_untracked(refusal));
    let refused = RwSignal::new(posted.map(Err::<(), _>));
    let answer = move |result: Result<(), UiError>| refused.set(result.err().map(Err));
    // The vote being sent, kept for the outbox should the network fail.
    let sending = StoredValue::new(None::<SetVote>);
    crate::components::watch(move |_| {
        if let Some(input) = vote.input().get() {
            sending.set_value(Some(input));
        }
    });
    crate::components::watch(move |_| match vote.value().get() {
        Some(Ok(outcome)) => {
            snapshot.update(|s| s.apply_vote(&outcome));
            answer(Ok(()));
        }
        // No signal, or a server that asks for it again later, is not an
        // error here: the outbox keeps the vote.
        Some(Err(e)) if waits(&e) => {
            if let Some(SetVote { card_id, dots }) = sending.get_value() {
                outbox.queue(Pending::Vote { card_id, dots }, &e);
            }
        }
        Some(Err(e)) => answer(Err(e)),
        None => {}
    });
    let now = crate::components::countdown::clock(snapshot.with_untracked(|s| s.server_now));
    crate::components::watch(move |_| match usg.value().get() {
        Some(Ok(outcome)) => {
            if let Some(mine) = outcome.usg {
                snapshot.update(|s| s.apply_my_usg(outcome.card_id, mine));
            }
            answer(Ok(()));
        }
        Some(Err(e)) => answer(Err(e)),
        None => {}
    });
    crate::components::watch(move |_| match idea.value().get() {
        Some(Ok(outcome)) => {
            if let Some(mine) = outcome.rating {
                snapshot.update(|s| s.apply_my_rating(outcome.card_id, mine));
            }
            answer(Ok(()));
        }
        Some(Err(e)) => answer(Err(e)),
        None => {}
    });
    provide_context(ParticipantActions {
        snapshot,
        vote,
        usg,
        idea,
        now,
    });

    let title = snapshot.with_untracked(|s| s.session.title.clone());
    let me = move || {
        snapshot.with(|s| {
            s.me.as_ref()
                .map(|m| s.group_name(&m.participant.group).to_string())
                .unwrap_or_default()
        })
    };
    let open = Memo::new(move |_| {
        snapshot.with(|s| {
            s.questions
                .iter()
                .rev()
                .filter(|q| q.phase.is_open())
                .map(|q| q.id)
                .collect::<Vec<_>>()
        })
    });
    let closed = Memo::new(move |_| {
        snapshot.with(|s| {
            s.questions
                .iter()
                .rev()
                .filter(|q| !q.phase.is_open())
                .map(|q| q.id)
                .collect::<Vec<_>>()
        })
    });
    // What a screen reader says without the reader moving: the question
    // the facilitator opened last, when it changes.
    let newest = move || {
        let id = open.with(|open| open.first().copied())?;
        snapshot.with(|s| {
            s.question(id).map(|q| {
                rembuk_domain::i18n::fill(t.participant_now_open(), &[("prompt", &q.prompt)])
            })
        })
    };
    view! {
        <main id="main" class="page participant" data-live=move || status.get().as_str()>
            <LiveNotice status/>
            <OutboxNotice/>
            <p class="sr-only" role="status">{newest}</p>
            <div class="session-head">
                <h1>{title}</h1>
                <p class="me">
                    {t.participant_you_are()} " " <strong>{me}</strong> " · "
                    <a href=format!("/j/{code}") rel="external">{t.participant_change()}</a>
                </p>
            </div>
            <div class="toast-area">
                <ActionError result=refused/>
                <ActionError result=outbox.refused()/>
            </div>
            <Show
                when=move || !open.get().is_empty()
                fallback=move || view! { <p class="empty">{t.participant_no_open_question()}</p> }
            >
                <QuestionList ids=open/>
            </Show>
            <Show when=move || !closed.get().is_empty()>
                <details class="closed-questions">
                    <summary>{t.participant_closed_questions()}</summary>
                    <QuestionList ids=closed/>
                </details>
            </Show>
            <p class="withdraw-link">
                <a href=format!("/s/{code}/withdraw") rel="external">{t.withdraw_link()}</a>
            </p>
        </main>
    }
}

/// Questions by id, each in its panel. One component for the open and the
/// closed ones, so the phone's WebAssembly holds one keyed list of
/// questions, not two.
#[component]
fn QuestionList(ids: Memo<Vec<QuestionId>>) -> impl IntoView {
    view! {
        <For each=move || ids.get() key=|id| *id let(id)>
            <QuestionPanel id/>
        </For>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::codec::ToForm;
    use rembuk_domain::{CardId, QuestionId};

    /// What the server reads from a form, as server_fn's `PostUrl` does.
    fn read<T: serde::de::DeserializeOwned>(form: &str) -> T {
        serde_qs::Config::new(5, false)
            .deserialize_str(form)
            .unwrap_or_else(|e| panic!("{form}: {e}"))
    }

    #[test]
    fn the_phone_writes_the_forms_the_server_reads() {
        let card = CardId::from_uuid(uuid::Uuid::new_v4());
        let question = QuestionId::from_uuid(uuid::Uuid::new_v4());

        let vote: SetVote = read(
            &SetVote {
                card_id: card,
                dots: -3,
            }
            .to_form(),
        );
        assert_eq!((vote.card_id, vote.dots), (card, -3));

        let usg: RateUsg = read(
            &RateUsg {
                card_id: card,
                urgency: 5,
                seriousness: 1,
                growth: 3,
            }
            .to_form(),
        );
        assert_eq!(
            (usg.card_id, usg.urgency, usg.seriousness, usg.growth),
            (card, 5, 1, 3)
        );

        let idea: RateIdea = read(
            &RateIdea {
                card_id: card,
                impact: 4,
                effort: 2,
            }
            .to_form(),
        );
        assert_eq!((idea.card_id, idea.impact, idea.effort), (card, 4, 2));

        // Every character a person may type, and a list.
        let text = "Jalan rusak & banjir = 50% <di> \"Tapaktuan\"? 1+1 #2 ümlaut 🌧\n/\\;";
        let answers = vec![
            CardId::from_uuid(uuid::Uuid::new_v4()),
            CardId::from_uuid(uuid::Uuid::new_v4()),
            CardId::from_uuid(uuid::Uuid::new_v4()),
        ];
        let sent = SubmitCard {
            question_id: question,
            text: text.to_string(),
            kind: Some("idea".to_string()),
            answers: Some(answers.clone()),
            idempotency_key: Some("w-1f-2a".to_string()),
        };
        let got: SubmitCard = read(&sent.to_form());
        assert_eq!(got.question_id, question);
        assert_eq!(got.text, text);
        assert_eq!(got.kind.as_deref(), Some("idea"));
        assert_eq!(got.answers, Some(answers));
        assert_eq!(got.idempotency_key.as_deref(), Some("w-1f-2a"));

        // Absent options are absent fields.
        let bare = SubmitCard {
            question_id: question,
            text: String::new(),
            kind: None,
            answers: None,
            idempotency_key: None,
        };
        let form = bare.to_form();
        assert_eq!(form, format!("question_id={question}&text="));
        let got: SubmitCard = read(&form);
        assert_eq!(
            (
                got.text.as_str(),
                got.kind,
                got.answers,
                got.idempotency_key
            ),
            ("", None, None, None)
        );

        let view: ParticipantView = read(
            &ParticipantView {
                code: "123 456".into(),
            }
            .to_form(),
        );
        assert_eq!(view.code, "123 456");
    }
}
