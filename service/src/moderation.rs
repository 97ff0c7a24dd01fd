//! Facilitation and moderation: approve, hide, restore, edit, pin, tag,
//! merge and undo, paper votes, countdowns, question settings, the
//! pre-moderation switch, co-facilitators, and the audit log that records
//! all of it. Nothing here deletes a participant's contribution: hidden and
//! merged cards keep their text and their (suspended) votes.

use std::{
    sync::{Arc, Weak},
    time::Duration,
};

use rembuk_domain::{
    AppError, CardId, Entity, Field, Problem, QuestionId, SessionId, WorkshopId,
    audit::{AuditAction, AuditEntry},
    card::{Card, CardStatus, parse_reason, parse_text},
    dimension,
    event::{CardTally, Change, Visibility, card_visibility},
    group,
    moderation::{Merged, check_merge, merged_dots, restored_dots},
    question::{Question, QuestionSettings, parse_timer_seconds},
    session::Session,
    time::Timestamp,
    user::{Role, User, parse_email},
};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::{
    Caller, Inner, Services,
    access::Access,
    storage::{self, Tx, audit, cards, events::Recorder, questions, sessions, users, workshops},
};

/// Changes to a card; fields left out stay as they are.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CardPatch {
    /// true hides the card (a reason is required), false restores it.
    #[serde(default)]
    pub hidden: Option<bool>,
    /// Why the card is hidden.
    #[serde(default)]
    pub reason: Option<String>,
    /// New text (the original is kept).
    #[serde(default)]
    pub text: Option<String>,
    /// Highlight on the projector.
    #[serde(default)]
    pub pinned: Option<bool>,
    /// Sub-element key of the question's dimension ("" clears it).
    #[serde(default)]
    pub sub_element: Option<String>,
}

/// Most paper dots recorded for one group on one card.
pub const MAX_PAPER_DOTS: i64 = 10_000;

impl Services {
    /// Records one moderation action.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn audit(
        &self,
        tx: &mut Tx,
        session: SessionId,
        actor: &User,
        action: AuditAction,
        target: Option<String>,
        reason: Option<String>,
        detail: Option<String>,
    ) -> Result<(), AppError> {
        let entry = AuditEntry {
            at: storage::now(),
            actor: actor.email.clone(),
            action,
            target,
            reason,
            detail,
        };
        audit::insert_audit(tx.conn(), session, &entry).await?;
        Ok(())
    }

    /// Opens a write transaction on a card for a facilitator who may run its
    /// session: the card, its question and session, and the session lock.
    /// Who is asking is checked before anything is read.
    pub(crate) async fn open_card<'c>(
        &self,
        caller: &'c Caller,
        card: CardId,
    ) -> Result<(Tx, Recorder, &'c User, Card, Question, Session), AppError> {
        caller.require_staff()?;
        let mut tx = self.store().write().await?;
        let question_id = cards::question_of_card(tx.conn(), card)
            .await?
            .ok_or(AppError::not_found(Entity::Card))?;
        let (question, session, user) = self
            .question_as(tx.conn(), caller, question_id, Access::Run)
            .await?;
        let rec = Recorder::begin(tx.conn(), session.id).await?;
        let card = cards::card(tx.conn(), card)
            .await?
            .ok_or(AppError::Internal)?;
        Ok((tx, rec, user, card, question, session))
    }

    /// Records that a card changed, for staff and, as far as they may see
    /// it, for participants.
    async fn record_card(
        &self,
        tx: &mut Tx,
        rec: &mut Recorder,
        before: &Card,
        question: &Question,
    ) -> Result<Card, AppError> {
        let card = cards::card(tx.conn(), before.id)
            .await?
            .ok_or(AppError::Internal)?;
        let public = card_visibility(&card, question.tallies_public(), before.is_visible());
        rec.record(
            tx.conn(),
            &Change::CardUpdated { card: card.clone() },
            &public,
            storage::now(),
        )
        .await?;
        Ok(card)
    }

    /// Approves a card waiting in pre-moderation.
    pub async fn approve_card(&self, caller: &Caller, card: CardId) -> Result<Card, AppError> {
        let (mut tx, mut rec, user, before, question, session) =
            self.open_card(caller, card).await?;
        if before.status != CardStatus::Pending {
            tx.rollback().await?;
            return Ok(before);
        }
        cards::set_status(tx.conn(), card, CardStatus::Visible, None).await?;
        let after = self
            .record_card(&mut tx, &mut rec, &before, &question)
            .await?;
        self.audit(
            &mut tx,
            session.id,
            user,
            AuditAction::Approve,
            Some(card.to_string()),
            None,
            Some(after.text.clone()),
        )
        .await?;
        tx.commit().await?;
        self.live().notify(session.id, rec.last());
        Ok(after)
    }

    /// Hides, restores, edits, pins or tags a card.
    pub async fn update_card(
        &self,
        caller: &Caller,
        card: CardId,
        patch: &CardPatch,
    ) -> Result<Card, AppError> {
        let (mut tx, mut rec, user, before, question, session) =
            self.open_card(caller, card).await?;
        let now = storage::now();
        let target = Some(card.to_string());
        let mut actions: Vec<(AuditAction, Option<String>, Option<String>)> = Vec::new();
        let mut restored = false;
        if let Some(text) = &patch.text {
            let text = parse_text(text)?;
            if text != before.text {
                cards::set_text(tx.conn(), card, &text).await?;
                actions.push((
                    AuditAction::Edit,
                    None,
                    Some(format!("{} → {}", before.text, text)),
                ));
            }
        }
        if let Some(pinned) = patch.pinned
            && pinned != before.pinned
        {
            cards::set_pinned(tx.conn(), card, pinned).await?;
            actions.push((
                if pinned {
                    AuditAction::Pin
                } else {
                    AuditAction::Unpin
                },
                None,
                None,
            ));
        }
        if let Some(sub) = &patch.sub_element {
            let sub = sub.trim();
            let sub = if sub.is_empty() {
                None
            } else {
                let workshop = workshops::workshop(tx.conn(), session.workshop_id)
                    .await?
                    .ok_or(AppError::Internal)?;
                let (_, found) =
                    dimension::resolve(&workshop.dimensions, &question.dimension, Some(sub))?;
                found.map(|s| s.key.clone())
            };
            if sub != before.sub_element {
                cards::set_sub_element(tx.conn(), card, sub.as_deref()).await?;
                actions.push((AuditAction::Tag, None, sub));
            }
        }
        // A reason is checked whenever one is sent, even when the card is
        // already in the state asked for.
        let reason = parse_reason(patch.reason.as_deref())?;
        match patch.hidden {
            Some(true) if before.status != CardStatus::Hidden => {
                if before.status == CardStatus::Merged {
                    return Err(AppError::CardMerged);
                }
                let reason = reason.ok_or(AppError::invalid(Field::Reason, Problem::Required))?;
                cards::set_status(tx.conn(), card, CardStatus::Hidden, Some(&reason)).await?;
                actions.push((AuditAction::Hide, Some(reason), Some(before.text.clone())));
            }
            Some(false) if before.status == CardStatus::Hidden => {
                cards::set_status(tx.conn(), card, CardStatus::Visible, None).await?;
                self.restore_votes(&mut tx, &question, card, now).await?;
                restored = true;
                actions.push((AuditAction::Restore, reason, Some(before.text.clone())));
            }
            Some(false) if before.status == CardStatus::Merged => return Err(AppError::CardMerged),
            _ => {}
        }
        if actions.is_empty() {
            tx.rollback().await?;
            return Ok(before);
        }
        let after = self
            .record_card(&mut tx, &mut rec, &before, &question)
            .await?;
        if restored {
            let change = Change::Tally(CardTally::of(&after));
            let public = if question.tallies_public() {
                Visibility::All
            } else {
                Visibility::Staff
            };
            rec.record(tx.conn(), &change, &public, now).await?;
        }
        for (action, reason, detail) in actions {
            self.audit(
                &mut tx,
                session.id,
                user,
                action,
                target.clone(),
                reason,
                detail,
            )
            .await?;
        }
        tx.commit().await?;
        self.live().notify(session.id, rec.last());
        Ok(after)
    }

    /// Gives participants back their suspended dots on a card that is
    /// visible again, as far as their budget allows.
    async fn restore_votes(
        &self,
        tx: &mut Tx,
        question: &Question,
        card: CardId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        for vote in cards::votes_on_card(tx.conn(), card).await? {
            let (participant, suspended) = (vote.participant, vote.dots);
            let mine = cards::dots_on_question(tx.conn(), participant, question.id).await?;
            let elsewhere: u32 = mine
                .iter()
                .filter(|(c, _)| *c != card)
                .map(|(_, d)| d)
                .sum();
            let back = restored_dots(question.vote_budget, elsewhere, suspended);
            if back != suspended {
                cards::set_dots(
                    tx.conn(),
                    participant,
                    &vote.group,
                    card,
                    question.id,
                    back,
                    now,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Merges cards of one question into a new card with `text`: each
    /// participant's dots move to it, so do paper dots and ideas' links.
    pub async fn merge_cards(
        &self,
        caller: &Caller,
        ids: &[CardId],
        text: &str,
    ) -> Result<Merged, AppError> {
        let first = *ids
            .first()
            .ok_or(AppError::invalid(Field::Cards, Problem::Required))?;
        let (mut tx, mut rec, user, _, question, session) = self.open_card(caller, first).await?;
        let mut sources = Vec::with_capacity(ids.len());
        for id in ids {
            let card = cards::card(tx.conn(), *id)
                .await?
                .ok_or(AppError::not_found(Entity::Card))?;
            sources.push(card);
        }
        check_merge(&sources)?;
        if sources.iter().any(|c| !c.is_visible()) {
            return Err(AppError::invalid(Field::Cards, Problem::Unknown));
        }
        let text = parse_text(text)?;
        let now = storage::now();
        let merged_id = CardId(uuid::Uuid::new_v4());
        let merge_id = uuid::Uuid::new_v4().to_string();
        cards::insert_card(
            tx.conn(),
            &storage::CardInsert {
                id: merged_id,
                question: question.id,
                session: session.id,
                participant: None,
                entered_by: None,
                group: &sources[0].group,
                kind: sources[0].kind,
                text: &text,
                status: CardStatus::Visible,
                idempotency_key: None,
                now,
            },
        )
        .await?;
        // Dots: per participant (and their group), the sum over the sources.
        let mut per_participant: std::collections::BTreeMap<
            (rembuk_domain::ParticipantId, String),
            Vec<u32>,
        > = Default::default();
        let mut paper: std::collections::BTreeMap<String, u32> = Default::default();
        for source in &sources {
            for vote in cards::votes_on_card(tx.conn(), source.id).await? {
                per_participant
                    .entry((vote.participant, vote.group))
                    .or_default()
                    .push(vote.dots);
            }
            for (group, dots) in cards::paper_votes(tx.conn(), source.id).await? {
                *paper.entry(group).or_default() += dots;
            }
        }
        for ((p, group), dots) in per_participant {
            cards::set_dots(
                tx.conn(),
                p,
                &group,
                merged_id,
                question.id,
                merged_dots(&dots),
                now,
            )
            .await?;
        }
        for (group, dots) in paper {
            cards::set_paper_votes(tx.conn(), merged_id, &group, dots, now).await?;
        }
        let answers: Vec<CardId> = {
            let mut all: Vec<CardId> = sources
                .iter()
                .flat_map(|c| c.answers.iter().copied())
                .collect();
            all.sort();
            all.dedup();
            all
        };
        cards::insert_answers(tx.conn(), merged_id, &answers).await?;
        let source_ids: Vec<CardId> = sources.iter().map(|c| c.id).collect();
        cards::record_merge(
            tx.conn(),
            &merge_id,
            session.id,
            merged_id,
            &source_ids,
            Some(user.id).filter(|u| !u.0.is_nil()),
            now,
        )
        .await?;
        for source in &sources {
            self.record_card(&mut tx, &mut rec, source, &question)
                .await?;
        }
        let merged = cards::card(tx.conn(), merged_id)
            .await?
            .ok_or(AppError::Internal)?;
        let public = card_visibility(&merged, question.tallies_public(), false);
        rec.record(
            tx.conn(),
            &Change::CardAdded {
                card: merged.clone(),
            },
            &public,
            now,
        )
        .await?;
        // Ideas that answered a source now answer the merged card.
        record_ideas(&mut tx, &mut rec, &question, now, |c| {
            c.answers.contains(&merged_id) && c.id != merged_id
        })
        .await?;
        let detail = sources
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(" + ");
        self.audit(
            &mut tx,
            session.id,
            user,
            AuditAction::Merge,
            Some(merged_id.to_string()),
            None,
            Some(format!("{detail} → {text}")),
        )
        .await?;
        tx.commit().await?;
        self.live().notify(session.id, rec.last());
        Ok(Merged {
            merge_id,
            card: merged,
        })
    }

    /// Undoes a merge: the original cards come back with their dots (as far
    /// as each participant's budget still allows) and their links; the
    /// merged card leaves the board (its record stays).
    pub async fn undo_merge(&self, caller: &Caller, merge_id: &str) -> Result<Vec<Card>, AppError> {
        caller.require_staff()?;
        let merge = {
            let mut conn = self.store().read().await?;
            cards::merge(&mut conn, merge_id)
                .await?
                .ok_or(AppError::not_found(Entity::Merge))?
        };
        let (mut tx, mut rec, user, merged, question, session) =
            self.open_card(caller, merge.card).await?;
        if merge.undone {
            tx.rollback().await?;
            return Err(AppError::AlreadyUndone);
        }
        let now = storage::now();
        cards::set_status(tx.conn(), merged.id, CardStatus::Merged, None).await?;
        self.record_card(&mut tx, &mut rec, &merged, &question)
            .await?;
        cards::record_unmerge(
            tx.conn(),
            merge_id,
            Some(user.id).filter(|u| !u.0.is_nil()),
            now,
        )
        .await?;
        let mut restored = Vec::new();
        for source in &merge.sources {
            let before = cards::card(tx.conn(), *source)
                .await?
                .ok_or(AppError::Internal)?;
            cards::set_status(tx.conn(), *source, CardStatus::Visible, None).await?;
            self.restore_votes(&mut tx, &question, *source, now).await?;
            let after = self
                .record_card(&mut tx, &mut rec, &before, &question)
                .await?;
            restored.push(after);
        }
        record_ideas(&mut tx, &mut rec, &question, now, |c| {
            c.answers.iter().any(|a| merge.sources.contains(a))
        })
        .await?;
        let detail = restored
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(" + ");
        self.audit(
            &mut tx,
            session.id,
            user,
            AuditAction::Unmerge,
            Some(merged.id.to_string()),
            None,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        self.live().notify(session.id, rec.last());
        Ok(restored)
    }

    /// Records the dots a group gave a card on paper or by a show of hands
    /// (replacing what was recorded for that group before).
    pub async fn set_paper_votes(
        &self,
        caller: &Caller,
        card: CardId,
        group: &str,
        dots: i64,
    ) -> Result<Card, AppError> {
        let (mut tx, mut rec, user, before, question, session) =
            self.open_card(caller, card).await?;
        if !(0..=MAX_PAPER_DOTS).contains(&dots) {
            return Err(AppError::invalid(
                Field::Dots,
                Problem::OutOfRange {
                    min: 0,
                    max: MAX_PAPER_DOTS,
                },
            ));
        }
        if !before.is_visible() {
            return Err(AppError::not_found(Entity::Card));
        }
        let workshop = workshops::workshop(tx.conn(), session.workshop_id)
            .await?
            .ok_or(AppError::Internal)?;
        let group = group::resolve(&workshop.groups, group)?.key.clone();
        let now = storage::now();
        cards::set_paper_votes(tx.conn(), card, &group, dots as u32, now).await?;
        let after = cards::card(tx.conn(), card)
            .await?
            .ok_or(AppError::Internal)?;
        let public = if question.tallies_public() {
            Visibility::All
        } else {
            Visibility::Staff
        };
        rec.record(
            tx.conn(),
            &Change::Tally(CardTally::of(&after)),
            &public,
            now,
        )
        .await?;
        self.audit(
            &mut tx,
            session.id,
            user,
            AuditAction::PaperVotes,
            Some(card.to_string()),
            None,
            Some(format!("{group}: {dots}")),
        )
        .await?;
        tx.commit().await?;
        self.live().notify(session.id, rec.last());
        Ok(after)
    }

    /// Opens a write transaction on a question for a facilitator.
    async fn run_question<'c>(
        &self,
        caller: &'c Caller,
        id: QuestionId,
    ) -> Result<(Tx, Recorder, &'c User, Question), AppError> {
        caller.require_staff()?;
        let mut tx = self.store().write().await?;
        let (question, session, user) =
            self.question_as(tx.conn(), caller, id, Access::Run).await?;
        let rec = Recorder::begin(tx.conn(), session.id).await?;
        Ok((tx, rec, user, question))
    }

    /// Starts a countdown of `seconds` on a question (0 stops it). When it
    /// ends, the question moves to its next phase by itself.
    pub async fn set_timer(
        &self,
        caller: &Caller,
        id: QuestionId,
        seconds: i64,
    ) -> Result<Question, AppError> {
        let (mut tx, mut rec, user, mut question) = self.run_question(caller, id).await?;
        let seconds = parse_timer_seconds(seconds)?;
        let now = storage::now();
        question.timer_ends_at = seconds.map(|s| Timestamp(now.millis() + i64::from(s) * 1000));
        questions::set_timer(tx.conn(), id, question.timer_ends_at).await?;
        rec.record(
            tx.conn(),
            &Change::QuestionUpdated {
                question: question.clone(),
            },
            &Visibility::All,
            now,
        )
        .await?;
        let detail = seconds.map_or_else(|| "0".to_string(), |s| s.to_string());
        self.audit(
            &mut tx,
            question.session_id,
            user,
            AuditAction::Timer,
            Some(id.to_string()),
            None,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        self.live().notify(question.session_id, rec.last());
        self.timers().changed();
        Ok(question)
    }

    /// Changes a question's settings: hidden tallies (and revealing them on
    /// the projector), cards while voting, votes while collecting.
    pub async fn update_question(
        &self,
        caller: &Caller,
        id: QuestionId,
        settings: &QuestionSettings,
    ) -> Result<Question, AppError> {
        let (mut tx, mut rec, user, mut question) = self.run_question(caller, id).await?;
        let was_public = question.tallies_public();
        if !settings.apply(&mut question) {
            tx.rollback().await?;
            return Ok(question);
        }
        let now = storage::now();
        questions::update_settings(tx.conn(), &question).await?;
        rec.record(
            tx.conn(),
            &Change::QuestionUpdated {
                question: question.clone(),
            },
            &Visibility::All,
            now,
        )
        .await?;
        if !was_public && question.tallies_public() {
            self.reveal_tallies(&mut tx, &mut rec, &question).await?;
        }
        let detail = serde_json::to_string(settings).ok();
        self.audit(
            &mut tx,
            question.session_id,
            user,
            AuditAction::Settings,
            Some(id.to_string()),
            None,
            detail,
        )
        .await?;
        tx.commit().await?;
        self.live().notify(question.session_id, rec.last());
        Ok(question)
    }

    /// Ends a countdown that ran out: the question moves to its next phase.
    /// Safe to call twice and from several instances: only the call that
    /// finds the same countdown still running acts.
    pub async fn expire_timer(&self, id: QuestionId, ends_at: Timestamp) -> Result<(), AppError> {
        let mut tx = self.store().write().await?;
        let Some(question) = questions::question(tx.conn(), id).await? else {
            return Ok(());
        };
        if question.timer_ends_at != Some(ends_at) || storage::now() < ends_at {
            tx.rollback().await?;
            return Ok(());
        }
        let session = question.session_id;
        let mut rec = Recorder::begin(tx.conn(), session).await?;
        match question.phase.next() {
            Some(next) => {
                self.change_phase(&mut tx, &mut rec, question, next).await?;
                let timer = User {
                    id: rembuk_domain::UserId(uuid::Uuid::nil()),
                    email: "timer".into(),
                    role: Role::Facilitator,
                };
                self.audit(
                    &mut tx,
                    session,
                    &timer,
                    AuditAction::Phase,
                    Some(id.to_string()),
                    None,
                    Some(next.as_str().into()),
                )
                .await?;
            }
            None => {
                let mut question = question;
                question.timer_ends_at = None;
                questions::set_timer(tx.conn(), id, None).await?;
                rec.record(
                    tx.conn(),
                    &Change::QuestionUpdated { question },
                    &Visibility::All,
                    storage::now(),
                )
                .await?;
            }
        }
        tx.commit().await?;
        self.live().notify(session, rec.last());
        tracing::info!(question = %id, "countdown ended");
        Ok(())
    }

    /// Turns pre-moderation of a session on or off.
    pub async fn set_premoderation(
        &self,
        caller: &Caller,
        id: SessionId,
        premoderate: bool,
    ) -> Result<Session, AppError> {
        let (mut tx, mut session, user) = self.run_session(caller, id).await?;
        if session.premoderate == premoderate {
            tx.rollback().await?;
            return Ok(session);
        }
        let mut rec = Recorder::begin(tx.conn(), id).await?;
        sessions::set_premoderate(tx.conn(), id, premoderate).await?;
        session.premoderate = premoderate;
        rec.record(
            tx.conn(),
            &Change::SessionUpdated { premoderate },
            &Visibility::All,
            storage::now(),
        )
        .await?;
        self.audit(
            &mut tx,
            id,
            user,
            AuditAction::Moderation,
            Some(id.to_string()),
            None,
            Some(premoderate.to_string()),
        )
        .await?;
        tx.commit().await?;
        self.live().notify(id, rec.last());
        Ok(session)
    }

    /// A session's moderation record, newest first (staff who may read it).
    pub async fn audit_log(
        &self,
        caller: &Caller,
        id: SessionId,
    ) -> Result<Vec<AuditEntry>, AppError> {
        caller.require_staff()?;
        let mut conn = self.store().read().await?;
        self.session_as(&mut conn, caller, id, Access::Read).await?;
        Ok(audit::audit_of(&mut conn, id, 1000).await?)
    }

    /// The facilitators of a workshop.
    pub async fn members(
        &self,
        caller: &Caller,
        workshop: WorkshopId,
    ) -> Result<Vec<User>, AppError> {
        let (mut conn, _) = self.read_workshop(caller, workshop).await?;
        Ok(workshops::members_of(&mut conn, workshop).await?)
    }

    /// Adds a co-facilitator to a workshop (administrators only). The
    /// account must exist and be a facilitator or administrator.
    pub async fn add_member(
        &self,
        caller: &Caller,
        workshop: WorkshopId,
        email: &str,
    ) -> Result<Vec<User>, AppError> {
        caller.require_admin()?;
        let email = parse_email(email)?;
        let mut tx = self.store().write().await?;
        workshops::workshop(tx.conn(), workshop)
            .await?
            .ok_or(AppError::not_found(Entity::Workshop))?;
        let user = users::user_by_email(tx.conn(), &email)
            .await?
            .ok_or(AppError::not_found(Entity::User))?;
        if !user.role.can_facilitate() {
            return Err(AppError::invalid(Field::Role, Problem::Unknown));
        }
        workshops::add_member(tx.conn(), workshop, user.id).await?;
        let members = workshops::members_of(tx.conn(), workshop).await?;
        tx.commit().await?;
        Ok(members)
    }

    /// The countdown scheduler.
    pub(crate) fn timers(&self) -> &Timers {
        &self.inner.timers
    }
}

/// Ends countdowns on time. One task per process looks at the running
/// countdowns in the database (so they survive a restart and work across
/// instances), sleeps until the next one ends, and is woken early when a
/// countdown is set.
#[derive(Debug, Default)]
pub struct Timers {
    wake: Notify,
}

impl Timers {
    /// Tells the scheduler that countdowns changed.
    pub fn changed(&self) {
        self.wake.notify_one();
    }

    /// Starts the scheduler task for `inner`; it ends when the services do.
    pub(crate) fn start(inner: Weak<Inner>) {
        tokio::spawn(async move {
            loop {
                let Some(strong) = inner.upgrade() else { break };
                let services = Services { inner: strong };
                let next = services.fire_due_timers().await;
                let wait = next.map_or(Duration::from_secs(30), |ms| {
                    Duration::from_millis(ms.clamp(0, 30_000) as u64)
                });
                let inner_for_wait: Arc<Inner> = services.inner.clone();
                drop(services);
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = inner_for_wait.timers.wake.notified() => {}
                }
            }
        });
    }
}

impl Services {
    /// Ends every countdown that ran out; returns milliseconds until the
    /// next one ends.
    async fn fire_due_timers(&self) -> Option<i64> {
        let running = match self.store().read().await {
            Ok(mut conn) => questions::running_timers(&mut conn)
                .await
                .unwrap_or_default(),
            Err(_) => return Some(1_000),
        };
        let now = storage::now();
        let mut next: Option<i64> = None;
        for (question, ends_at) in running {
            if ends_at <= now {
                if let Err(e) = self.expire_timer(question, ends_at).await {
                    tracing::warn!(error = %e, %question, "could not end a countdown; retrying");
                    next = Some(next.map_or(1_000, |n| n.min(1_000)));
                }
            } else {
                let ms = ends_at.millis() - now.millis();
                next = Some(next.map_or(ms, |n| n.min(ms)));
            }
        }
        next
    }
}

/// Records, as updated, every card of the question's session that `answers`
/// picks: the ideas whose links a merge or its undo just moved.
async fn record_ideas(
    tx: &mut Tx,
    rec: &mut Recorder,
    question: &Question,
    now: Timestamp,
    answers: impl Fn(&Card) -> bool,
) -> Result<(), AppError> {
    let all_cards = cards::cards_of_session(tx.conn(), question.session_id).await?;
    for idea in all_cards.iter().filter(|c| answers(c)) {
        let public = card_visibility(idea, question.tallies_public(), idea.is_visible());
        rec.record(
            tx.conn(),
            &Change::CardUpdated { card: idea.clone() },
            &public,
            now,
        )
        .await?;
    }
    Ok(())
}
