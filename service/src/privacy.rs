//! Personal data: a participant withdrawing from their phone, a workshop's
//! privacy settings, purging personal data after the retention date, and a
//! session's join passcode.

use rembuk_domain::{
    AppError, CardId, Entity, SessionId, WorkshopId,
    audit::{AuditAction, AuditEntry},
    event::{Change, Visibility},
    privacy::{self, WithdrawnCards},
    session::Session,
    time::Date,
    workshop::Workshop,
};
use serde::{Deserialize, Serialize};

use crate::{
    Caller, Services,
    storage::{self, audit, cards, events::Recorder, participants, questions, sessions, workshops},
};

/// What a withdrawal removed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawn {
    /// Cards that stay in the session, no longer linked to the participant.
    pub cards_kept: u32,
    /// Cards taken out of the session.
    pub cards_removed: u32,
    /// Dots and ratings taken back (those in questions not yet closed).
    pub votes_removed: u32,
}

/// A workshop's privacy settings as a form or the API sends them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PrivacyInput {
    /// `keep` (default) or `remove`.
    pub withdrawn_cards: String,
    /// `YYYY-MM-DD`; empty or missing: no retention date.
    #[serde(default)]
    pub retain_until: Option<String>,
}

/// What a purge did to one workshop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purged {
    pub workshop: WorkshopId,
    pub title: String,
    /// Participants whose name and device link were removed.
    pub participants: u64,
}

impl Services {
    /// Withdraws the calling participant from a session: their name,
    /// language and device link go; their cards stay unlinked or are
    /// removed, as the workshop says; their dots and ratings in questions
    /// not yet closed are taken back. Votes in closed questions stay
    /// counted in their group, tied to nobody.
    #[tracing::instrument(skip_all, fields(%session))]
    pub async fn withdraw(
        &self,
        caller: &Caller,
        session: SessionId,
    ) -> Result<Withdrawn, AppError> {
        let mut tx = self.store().write().await?;
        let me = self.participant_in(tx.conn(), caller, session).await?;
        let s = sessions::session(tx.conn(), session)
            .await?
            .ok_or(AppError::not_found(Entity::Session))?;
        let workshop = workshops::workshop(tx.conn(), s.workshop_id)
            .await?
            .ok_or(AppError::Internal)?;
        let mut rec = Recorder::begin(tx.conn(), session).await?;
        let now = storage::now();

        let touched = cards::cards_with_open_votes(tx.conn(), me.id).await?;
        let votes_removed = cards::delete_open_votes(tx.conn(), me.id).await? as u32;
        let mine = cards::cards_by(tx.conn(), me.id).await?;
        let (cards_kept, cards_removed) = match workshop.privacy.withdrawn_cards {
            WithdrawnCards::Keep => {
                cards::detach_cards(tx.conn(), me.id).await?;
                (mine.len() as u32, 0)
            }
            WithdrawnCards::Remove => {
                cards::delete_cards(tx.conn(), &mine).await?;
                for card_id in &mine {
                    rec.record(
                        tx.conn(),
                        &Change::CardRemoved { card_id: *card_id },
                        &Visibility::All,
                        now,
                    )
                    .await?;
                }
                (0, mine.len() as u32)
            }
        };
        // New totals for the cards whose dots were taken back.
        for card_id in touched.iter().filter(|c| !mine.contains(c)) {
            self.record_tally(&mut rec, &mut tx, *card_id, now).await?;
        }
        let keep_row = cards::has_votes(tx.conn(), me.id).await?;
        participants::withdraw(tx.conn(), me.id, keep_row, now).await?;
        let count = participants::group_count(tx.conn(), session, &me.group).await?;
        rec.record(
            tx.conn(),
            &Change::Joined {
                group: me.group.clone(),
                count,
            },
            &Visibility::All,
            now,
        )
        .await?;
        let withdrawn = Withdrawn {
            cards_kept,
            cards_removed,
            votes_removed,
        };
        audit::insert_audit(
            tx.conn(),
            session,
            &AuditEntry {
                at: now,
                actor: AuditEntry::PARTICIPANT.into(),
                action: AuditAction::Withdrawal,
                target: None,
                reason: None,
                detail: Some(format!(
                    "{}: {cards_kept} / {cards_removed} / {votes_removed}",
                    workshop.privacy.withdrawn_cards.as_str()
                )),
            },
        )
        .await?;
        tx.commit().await?;
        self.live().notify(session, rec.last());
        tracing::info!(%session, "participant withdrew");
        Ok(withdrawn)
    }

    async fn record_tally(
        &self,
        rec: &mut Recorder,
        tx: &mut storage::Tx,
        card_id: CardId,
        now: rembuk_domain::time::Timestamp,
    ) -> Result<(), AppError> {
        let Some(tally) = cards::card_tally(tx.conn(), card_id).await? else {
            return Ok(());
        };
        let Some(card) = cards::card(tx.conn(), card_id).await? else {
            return Ok(());
        };
        let public = questions::question(tx.conn(), card.question_id)
            .await?
            .is_some_and(|q| q.tallies_public());
        let visibility = if public {
            Visibility::All
        } else {
            Visibility::Staff
        };
        rec.record(tx.conn(), &Change::Tally(tally), &visibility, now)
            .await?;
        Ok(())
    }

    /// Sets a workshop's privacy settings (its facilitators and admins).
    pub async fn set_privacy(
        &self,
        caller: &Caller,
        id: WorkshopId,
        input: &PrivacyInput,
    ) -> Result<Workshop, AppError> {
        let (mut tx, mut workshop) = self.run_workshop(caller, id).await?;
        let (withdrawn_cards, retain_until) = privacy::parse_privacy(
            &input.withdrawn_cards,
            input.retain_until.as_deref(),
            workshop.ends_on,
        )?;
        workshops::set_privacy(tx.conn(), id, withdrawn_cards, retain_until).await?;
        tx.commit().await?;
        workshop.privacy.withdrawn_cards = withdrawn_cards;
        workshop.privacy.retain_until = retain_until;
        Ok(workshop)
    }

    /// Sets or clears a session's join passcode. Participants who joined
    /// already stay in; staff screens (the projector) hear the new one live.
    pub async fn set_passcode(
        &self,
        caller: &Caller,
        id: SessionId,
        passcode: Option<&str>,
    ) -> Result<Session, AppError> {
        caller.require_staff()?;
        let passcode = privacy::parse_passcode(passcode)?;
        let (mut tx, mut session, user) = self.run_session(caller, id).await?;
        if session.passcode == passcode {
            tx.rollback().await?;
            return Ok(session);
        }
        let mut rec = Recorder::begin(tx.conn(), id).await?;
        sessions::set_passcode(tx.conn(), id, passcode.as_deref()).await?;
        // The projector shows the passcode to the hall: it must change
        // there too. Participants' streams never carry it.
        rec.record(
            tx.conn(),
            &Change::PasscodeChanged {
                passcode: passcode.clone(),
            },
            &Visibility::Staff,
            storage::now(),
        )
        .await?;
        let detail = if passcode.is_some() { "on" } else { "off" };
        self.audit(
            &mut tx,
            id,
            user,
            AuditAction::Passcode,
            Some(id.to_string()),
            None,
            Some(detail.into()),
        )
        .await?;
        tx.commit().await?;
        self.forget_join_info();
        self.live().notify(id, rec.last());
        session.passcode = passcode;
        Ok(session)
    }

    /// Purges the personal data of one workshop whose retention date has
    /// passed (administrators only).
    pub async fn purge_workshop(
        &self,
        caller: &Caller,
        id: WorkshopId,
        today: Date,
    ) -> Result<Purged, AppError> {
        caller.require_admin()?;
        let mut tx = self.store().write().await?;
        let workshop = workshops::workshop(tx.conn(), id)
            .await?
            .ok_or(AppError::not_found(Entity::Workshop))?;
        privacy::may_purge(&workshop.privacy, today)?;
        let participants = workshops::purge_personal_data(tx.conn(), id, storage::now()).await?;
        tx.commit().await?;
        tracing::info!(workshop = %id, participants, "personal data purged");
        Ok(Purged {
            workshop: id,
            title: workshop.title,
            participants,
        })
    }

    /// The workshops a purge on `today` would touch: `only`, if its
    /// retention date has passed, or every workshop that is due.
    pub async fn purge_preview(
        &self,
        caller: &Caller,
        only: Option<WorkshopId>,
        today: Date,
    ) -> Result<Vec<(WorkshopId, String)>, AppError> {
        caller.require_admin()?;
        let mut conn = self.store().read().await?;
        let ids = match only {
            Some(id) => {
                let w = workshops::workshop(&mut conn, id)
                    .await?
                    .ok_or(AppError::not_found(Entity::Workshop))?;
                privacy::may_purge(&w.privacy, today)?;
                vec![id]
            }
            None => due_for_purge(&mut conn, today).await?,
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(w) = workshops::workshop(&mut conn, id).await? {
                out.push((id, w.title));
            }
        }
        Ok(out)
    }

    /// Purges every workshop whose retention date lies before `today` and
    /// that was not purged yet (administrators only).
    pub async fn purge_due(&self, caller: &Caller, today: Date) -> Result<Vec<Purged>, AppError> {
        caller.require_admin()?;
        let due = {
            let mut conn = self.store().read().await?;
            due_for_purge(&mut conn, today).await?
        };
        let mut done = Vec::with_capacity(due.len());
        for id in due {
            done.push(self.purge_workshop(caller, id, today).await?);
        }
        Ok(done)
    }
}

/// Workshops not yet purged whose retention date has passed on `today`.
async fn due_for_purge(
    conn: &mut sqlx::AnyConnection,
    today: Date,
) -> Result<Vec<WorkshopId>, AppError> {
    let mut due = vec![];
    for id in workshops::purge_candidates(conn).await? {
        if let Some(w) = workshops::workshop(conn, id).await?
            && privacy::may_purge(&w.privacy, today).is_ok()
        {
            due.push(id);
        }
    }
    Ok(due)
}
