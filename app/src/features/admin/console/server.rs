//! The console's server functions: thin shells over the service.

// Server function arguments are a form's fields, one by one, so that the
// forms post the same without scripts; some forms have many.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use rembuk_domain::{
    CardId, QuestionId, SessionId, audit::AuditEntry, card::Card, question::Question,
    session::Session,
};

use super::ConsoleData;
use crate::error::UiResult;

/// A session for its facilitators (and the secretariat).
#[server(prefix = "/fn", endpoint = "console_view", output = crate::codec::JsonOut)]
pub async fn console_view(id: SessionId) -> UiResult<ConsoleData> {
    crate::ssr::run(|s, caller| async move {
        caller.require_staff()?;
        let snapshot = s.session_snapshot(&caller, id).await?;
        let join_url = s.join_url(crate::ssr::host().as_deref(), snapshot.session.join_code);
        let qr_svg = rembuk_service::qr::svg(&join_url);
        let mut audit = s.audit_log(&caller, id).await?;
        audit.truncate(50);
        Ok(ConsoleData {
            snapshot,
            join_url,
            qr_svg,
            audit,
        })
    })
    .await
}

/// A form's checkbox or hidden "true"/"false".
#[cfg(feature = "ssr")]
fn flag(value: Option<String>) -> Option<bool> {
    value.map(|v| matches!(v.as_str(), "true" | "on" | "yes" | "1"))
}

/// Posts a question. `target` is a dimension key, or `dimension/sub_element`.
#[server(prefix = "/fn", endpoint = "create_question", output = crate::codec::JsonOut)]
pub async fn create_question(
    session_id: SessionId,
    target: String,
    prompt: String,
    kind: String,
    vote_budget: Option<String>,
    hide_tallies: Option<String>,
    cards_while_voting: Option<String>,
    votes_while_collecting: Option<String>,
    voting_mode: Option<String>,
) -> UiResult<Question> {
    crate::ssr::run(|s, caller| async move {
        let (dimension, sub_element) = match target.split_once('/') {
            Some((d, sub)) => (d.to_string(), Some(sub.to_string())),
            None => (target.clone(), None),
        };
        let vote_budget = match vote_budget
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => None,
            Some(v) => Some(v.parse::<i64>().map_err(|_| {
                rembuk_domain::AppError::invalid(
                    rembuk_domain::Field::VoteBudget,
                    rembuk_domain::Problem::Malformed,
                )
            })?),
        };
        let input = rembuk_service::QuestionInput {
            dimension,
            sub_element,
            prompt,
            kind,
            vote_budget,
            hide_tallies: flag(hide_tallies),
            cards_while_voting: flag(cards_while_voting),
            votes_while_collecting: flag(votes_while_collecting),
            voting_mode,
        };
        s.create_question(&caller, session_id, &input).await
    })
    .await
}

/// Moves a question to a phase.
#[server(prefix = "/fn", endpoint = "set_phase", output = crate::codec::JsonOut)]
pub async fn set_phase(question_id: QuestionId, phase: String) -> UiResult<Question> {
    crate::ssr::run(|s, caller| async move { s.set_phase(&caller, question_id, &phase).await })
        .await
}

/// Hides (with a reason), restores, edits, pins or tags a card.
#[server(prefix = "/fn", endpoint = "moderate_card", output = crate::codec::JsonOut)]
pub async fn moderate_card(
    card_id: CardId,
    hidden: Option<String>,
    reason: Option<String>,
    text: Option<String>,
    pinned: Option<String>,
    sub_element: Option<String>,
) -> UiResult<Card> {
    crate::ssr::run(|s, caller| async move {
        let patch = rembuk_service::CardPatch {
            hidden: flag(hidden),
            reason,
            text,
            pinned: flag(pinned),
            sub_element,
        };
        s.update_card(&caller, card_id, &patch).await
    })
    .await
}

/// Approves a card waiting in pre-moderation.
#[server(prefix = "/fn", endpoint = "approve_card", output = crate::codec::JsonOut)]
pub async fn approve_card(card_id: CardId) -> UiResult<Card> {
    crate::ssr::run(|s, caller| async move { s.approve_card(&caller, card_id).await }).await
}

/// Merges the ticked cards into one with `text`.
#[server(prefix = "/fn", endpoint = "merge_cards", output = crate::codec::JsonOut)]
pub async fn merge_cards(
    cards: Option<Vec<CardId>>,
    text: String,
) -> UiResult<rembuk_domain::moderation::Merged> {
    crate::ssr::run(|s, caller| async move {
        s.merge_cards(&caller, &cards.unwrap_or_default(), &text)
            .await
    })
    .await
}

/// Marks an idea as a candidate programme (`horizon` empty clears it).
#[server(prefix = "/fn", endpoint = "set_programme", output = crate::codec::JsonOut)]
pub async fn set_programme(
    card_id: CardId,
    horizon: String,
    lead_office: Option<String>,
) -> UiResult<Card> {
    crate::ssr::run(|s, caller| async move {
        s.set_programme(
            &caller,
            card_id,
            Some(horizon.as_str()),
            lead_office.as_deref(),
        )
        .await
    })
    .await
}

/// Undoes a merge.
#[server(prefix = "/fn", endpoint = "undo_merge", output = crate::codec::JsonOut)]
pub async fn undo_merge(merge_id: String) -> UiResult<Vec<Card>> {
    crate::ssr::run(|s, caller| async move { s.undo_merge(&caller, &merge_id).await }).await
}

/// Starts a countdown of `minutes` (or clears it with 0).
#[server(prefix = "/fn", endpoint = "set_timer", output = crate::codec::JsonOut)]
pub async fn set_timer(question_id: QuestionId, minutes: String) -> UiResult<Question> {
    crate::ssr::run(|s, caller| async move {
        let minutes: f64 = minutes.trim().replace(',', ".").parse().map_err(|_| {
            rembuk_domain::AppError::invalid(
                rembuk_domain::Field::Seconds,
                rembuk_domain::Problem::Malformed,
            )
        })?;
        s.set_timer(&caller, question_id, (minutes * 60.0).round() as i64)
            .await
    })
    .await
}

/// Turns one question setting on or off.
#[server(prefix = "/fn", endpoint = "question_setting", output = crate::codec::JsonOut)]
pub async fn question_setting(
    question_id: QuestionId,
    setting: String,
    value: String,
) -> UiResult<Question> {
    crate::ssr::run(|s, caller| async move {
        let value_text = value.clone();
        let on = flag(Some(value));
        let settings = match setting.as_str() {
            "hide_tallies" => rembuk_domain::question::QuestionSettings {
                hide_tallies: on,
                ..Default::default()
            },
            "tallies_revealed" => rembuk_domain::question::QuestionSettings {
                tallies_revealed: on,
                ..Default::default()
            },
            "cards_while_voting" => rembuk_domain::question::QuestionSettings {
                cards_while_voting: on,
                ..Default::default()
            },
            "votes_while_collecting" => rembuk_domain::question::QuestionSettings {
                votes_while_collecting: on,
                ..Default::default()
            },
            "voting_mode" => rembuk_domain::question::QuestionSettings {
                voting_mode: Some(value_text.parse()?),
                ..Default::default()
            },
            _ => {
                return Err(rembuk_domain::AppError::Malformed {
                    detail: format!("unknown setting {setting}"),
                });
            }
        };
        s.update_question(&caller, question_id, &settings).await
    })
    .await
}

/// Turns pre-moderation on or off.
#[server(prefix = "/fn", endpoint = "set_premoderation", output = crate::codec::JsonOut)]
pub async fn set_premoderation(session_id: SessionId, premoderate: String) -> UiResult<Session> {
    crate::ssr::run(|s, caller| async move {
        s.set_premoderation(
            &caller,
            session_id,
            flag(Some(premoderate)).unwrap_or(false),
        )
        .await
    })
    .await
}

/// Types in a paper card on someone's behalf.
/// Sets or removes the passcode newcomers need to join.
#[server(prefix = "/fn", endpoint = "set_session_passcode", output = crate::codec::JsonOut)]
pub async fn set_session_passcode(session_id: SessionId, passcode: String) -> UiResult<Session> {
    crate::ssr::run(|s, caller| async move {
        s.set_passcode(&caller, session_id, Some(&passcode)).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "paper_card", output = crate::codec::JsonOut)]
pub async fn paper_card(
    question_id: QuestionId,
    text: String,
    group: String,
    idempotency_key: Option<String>,
) -> UiResult<Card> {
    crate::ssr::run(|s, caller| async move {
        let input = rembuk_service::CardInput {
            text,
            group: Some(group),
            on_behalf: true,
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

/// Records dots from paper or a show of hands for one group.
#[server(prefix = "/fn", endpoint = "paper_votes", output = crate::codec::JsonOut)]
pub async fn paper_votes(card_id: CardId, group: String, dots: String) -> UiResult<Card> {
    crate::ssr::run(|s, caller| async move {
        let dots: i64 = dots.trim().parse().map_err(|_| {
            rembuk_domain::AppError::invalid(
                rembuk_domain::Field::Dots,
                rembuk_domain::Problem::Malformed,
            )
        })?;
        s.set_paper_votes(&caller, card_id, &group, dots).await
    })
    .await
}

/// The session's moderation record.
#[server(prefix = "/fn", endpoint = "session_audit", output = crate::codec::JsonOut)]
pub async fn session_audit(session_id: SessionId) -> UiResult<Vec<AuditEntry>> {
    crate::ssr::run(|s, caller| async move { s.audit_log(&caller, session_id).await }).await
}
