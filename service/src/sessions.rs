//! Sessions, questions and phases; the session snapshot.

use std::{sync::Arc, time::Instant};

use rembuk_domain::{
    AppError, Entity, QuestionId, SessionId, WorkshopId,
    audit::AuditAction,
    dimension,
    event::Change,
    event::Visibility,
    question::{Phase, Question, QuestionKind, VoteBudget, VotingMode, parse_prompt},
    session::{JoinCode, JoinInfo, Participant, Session, parse_title},
    snapshot::{Me, SessionSnapshot, WorkshopBrief},
};
use serde::{Deserialize, Serialize};

use crate::{
    Caller, Services,
    access::Access,
    live::Audience,
    storage::{self, Tx, cards, events::Recorder, participants, questions, sessions, workshops},
};

/// A new question as a form or the API sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct QuestionInput {
    pub dimension: String,
    #[serde(default)]
    pub sub_element: Option<String>,
    pub prompt: String,
    pub kind: String,
    #[serde(default)]
    pub vote_budget: Option<i64>,
    /// Hide tallies from participants until the question closes.
    #[serde(default)]
    pub hide_tallies: Option<bool>,
    /// Keep accepting cards while voting.
    #[serde(default)]
    pub cards_while_voting: Option<bool>,
    /// Accept votes while collecting.
    #[serde(default)]
    pub votes_while_collecting: Option<bool>,
    /// `dots`, `scores` (USG for problems, impact/effort for ideas) or
    /// `both` (the default).
    #[serde(default)]
    pub voting_mode: Option<String>,
}

/// How many times a new session tries another random join code.
const CODE_ATTEMPTS: usize = 32;

impl Services {
    /// Adds a session to a workshop, with a fresh join code.
    #[tracing::instrument(skip_all, fields(%workshop))]
    pub async fn create_session(
        &self,
        caller: &Caller,
        workshop: WorkshopId,
        title: &str,
    ) -> Result<Session, AppError> {
        caller.require_staff()?;
        {
            let mut conn = self.store().read().await?;
            self.workshop_as(&mut conn, caller, workshop, Access::Run)
                .await?;
        }
        let title = parse_title(title)?;
        for _ in 0..CODE_ATTEMPTS {
            let session = Session {
                id: SessionId(uuid::Uuid::new_v4()),
                workshop_id: workshop,
                title: title.clone(),
                join_code: JoinCode::from_random(rand::random()),
                created_at: storage::now(),
                premoderate: false,
                passcode: None,
            };
            let mut tx = self.store().write().await?;
            match sessions::insert_session(tx.conn(), &session).await {
                Ok(()) => {
                    tx.commit().await?;
                    tracing::info!(session = %session.id, %workshop, "session created");
                    return Ok(session);
                }
                Err(e) if e.is_unique_violation() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        tracing::error!("no free join code after {CODE_ATTEMPTS} attempts");
        Err(AppError::Internal)
    }

    /// A workshop's sessions.
    pub async fn sessions_of(
        &self,
        caller: &Caller,
        workshop: WorkshopId,
    ) -> Result<Vec<Session>, AppError> {
        let (mut conn, _) = self.read_workshop(caller, workshop).await?;
        Ok(sessions::sessions_of(&mut conn, workshop).await?)
    }

    /// What the join page shows for a code. Kept in memory for a moment
    /// (see `crate::joins`): the whole hall opens it at once.
    pub async fn join_info(&self, code: &str) -> Result<JoinInfo, AppError> {
        let code = JoinCode::parse(code)?;
        let generation = match self.inner.joins.get(code, Instant::now()) {
            Ok(info) => return Ok(JoinInfo::clone(&info)),
            Err(generation) => generation,
        };
        let info = {
            let mut conn = self.store().read().await?;
            sessions::join_info(&mut conn, code)
                .await?
                .ok_or(AppError::not_found(Entity::Session))?
        };
        self.inner
            .joins
            .put(Arc::new(info.clone()), generation, Instant::now());
        Ok(info)
    }

    /// The language of the workshop behind a join code (public: it only
    /// picks the words of a page).
    pub async fn join_language(&self, code: &str) -> Result<rembuk_domain::Lang, AppError> {
        Ok(self.join_info(code).await?.language)
    }

    /// Counts the writes that changed what join codes show (in this
    /// process): something derived from a code's data under another count
    /// is out of date.
    pub fn join_info_generation(&self) -> u64 {
        self.inner.joins.generation()
    }

    /// Empties the join codes' cache, after a write that may change what
    /// a code shows has committed.
    pub(crate) fn forget_join_info(&self) {
        self.inner.joins.forget_all();
    }

    /// The caller's participant in a session, if their device joined it.
    pub async fn participant_of(
        &self,
        caller: &Caller,
        session: SessionId,
    ) -> Result<Option<Participant>, AppError> {
        let Some(hash) = caller.device_hash() else {
            return Ok(None);
        };
        let mut conn = self.store().read().await?;
        Ok(participants::participant_by_token(&mut conn, session, &hash).await?)
    }

    /// The language of the workshop a session belongs to (public: it only
    /// picks the words of a page).
    pub async fn session_language(&self, id: SessionId) -> Result<rembuk_domain::Lang, AppError> {
        let mut conn = self.store().read().await?;
        sessions::language_of(&mut conn, id)
            .await?
            .ok_or(AppError::not_found(Entity::Session))
    }

    /// The session id behind a join code.
    pub async fn session_id_for_code(&self, code: &str) -> Result<SessionId, AppError> {
        let code = JoinCode::parse(code)?;
        let mut conn = self.store().read().await?;
        Ok(sessions::session_by_code(&mut conn, code)
            .await?
            .ok_or(AppError::not_found(Entity::Session))?
            .id)
    }

    /// A session as its screens show it, for staff who may read its
    /// workshop (everything, with moderation states) and for its
    /// participants (what they may see, and their own dots and cards).
    #[tracing::instrument(skip_all, fields(session = %id))]
    pub async fn session_snapshot(
        &self,
        caller: &Caller,
        id: SessionId,
    ) -> Result<SessionSnapshot, AppError> {
        let mut tx = self.store().read_tx().await?;
        let seq = sessions::last_seq(tx.conn(), id).await?;
        let session = sessions::session(tx.conn(), id)
            .await?
            .ok_or(AppError::not_found(Entity::Session))?;
        let (me, staff) = match self
            .authorize_workshop(tx.conn(), caller, session.workshop_id, Access::Read)
            .await
        {
            Ok(_) => match caller.device_hash() {
                // A facilitator who also joined from this browser sees their
                // own votes too.
                Some(hash) => (
                    participants::participant_by_token(tx.conn(), id, &hash).await?,
                    true,
                ),
                None => (None, true),
            },
            Err(staff_error) => match self.participant_in(tx.conn(), caller, id).await {
                Ok(p) => (Some(p), false),
                Err(AppError::NotJoined) => return Err(AppError::NotJoined),
                Err(_) => return Err(staff_error),
            },
        };
        let workshop = workshops::workshop(tx.conn(), session.workshop_id)
            .await?
            .ok_or(AppError::Internal)?;
        let questions = questions::questions_of(tx.conn(), id).await?;
        let cards = cards::cards_of_session(tx.conn(), id).await?;
        let participants = participants::group_counts(tx.conn(), id).await?;
        let me = match me {
            Some(participant) => {
                let (usg, ratings) = cards::ratings_of(tx.conn(), participant.id).await?;
                Some(Me {
                    votes: cards::votes_of(tx.conn(), participant.id).await?,
                    cards: cards::cards_by(tx.conn(), participant.id).await?,
                    usg,
                    ratings,
                    participant,
                })
            }
            None => None,
        };
        tx.rollback().await?;
        let snapshot = SessionSnapshot {
            seq,
            workshop: WorkshopBrief {
                id: workshop.id,
                title: workshop.title,
                language: workshop.language,
                dimensions: workshop.dimensions,
                groups: workshop.groups,
                withdrawn_cards: workshop.privacy.withdrawn_cards,
            },
            session,
            questions,
            cards,
            participants,
            me,
            server_now: storage::now(),
        };
        Ok(if staff {
            snapshot
        } else {
            snapshot.for_participant()
        })
    }

    /// Checks that the caller may watch a session's live stream, and says
    /// what they may see of it. A participant's stream counts against their
    /// limit of open streams until the returned guard is dropped.
    pub async fn authorize_live(
        &self,
        caller: &Caller,
        id: SessionId,
    ) -> Result<(Audience, Option<crate::StreamGuard>), AppError> {
        let mut conn = self.store().read().await?;
        let session = sessions::session(&mut conn, id)
            .await?
            .ok_or(AppError::not_found(Entity::Session))?;
        match self
            .authorize_workshop(&mut conn, caller, session.workshop_id, Access::Read)
            .await
        {
            Ok(_) => Ok((Audience::Staff, None)),
            Err(staff_error) => match self.participant_in(&mut conn, caller, id).await {
                Ok(p) => Ok((
                    Audience::Participant,
                    Some(self.limits().open_stream(p.id)?),
                )),
                Err(AppError::NotJoined) => Err(AppError::NotJoined),
                Err(_) => Err(staff_error),
            },
        }
    }

    /// Posts a question to a session. It opens for cards at once.
    #[tracing::instrument(skip_all, fields(%session))]
    pub async fn create_question(
        &self,
        caller: &Caller,
        session: SessionId,
        input: &QuestionInput,
    ) -> Result<Question, AppError> {
        let (mut tx, s, _) = self.run_session(caller, session).await?;
        let kind: QuestionKind = input.kind.parse()?;
        let prompt = parse_prompt(&input.prompt)?;
        let vote_budget = match input.vote_budget {
            Some(n) => VoteBudget::parse(n)?,
            None => VoteBudget::default(),
        };
        let workshop = workshops::workshop(tx.conn(), s.workshop_id)
            .await?
            .ok_or(AppError::Internal)?;
        let (dim, sub) = dimension::resolve(
            &workshop.dimensions,
            &input.dimension,
            input.sub_element.as_deref(),
        )?;
        let mut rec = Recorder::begin(tx.conn(), session).await?;
        let question = Question {
            id: QuestionId(uuid::Uuid::new_v4()),
            session_id: session,
            dimension: dim.key.clone(),
            sub_element: sub.map(|s| s.key.clone()),
            prompt,
            kind,
            vote_budget,
            phase: Phase::Collecting,
            position: questions::next_position(tx.conn(), session).await?,
            created_at: storage::now(),
            hide_tallies: input.hide_tallies.unwrap_or(false),
            tallies_revealed: false,
            cards_while_voting: input.cards_while_voting.unwrap_or(false),
            votes_while_collecting: input.votes_while_collecting.unwrap_or(false),
            timer_ends_at: None,
            voting_mode: match input.voting_mode.as_deref() {
                Some(mode) => mode.parse()?,
                None => VotingMode::Both,
            },
        };
        questions::insert_question(tx.conn(), &question, s.workshop_id).await?;
        questions::update_settings(tx.conn(), &question).await?;
        let change = Change::QuestionAdded {
            question: question.clone(),
        };
        rec.record(tx.conn(), &change, &Visibility::All, question.created_at)
            .await?;
        tx.commit().await?;
        self.live().notify(session, rec.last());
        Ok(question)
    }

    /// Moves a question to a phase. Setting the phase it already has
    /// changes nothing (the request is idempotent). A running countdown
    /// stops; a question that hid its tallies shows them when it closes.
    #[tracing::instrument(skip_all, fields(question = %id, phase))]
    pub async fn set_phase(
        &self,
        caller: &Caller,
        id: QuestionId,
        phase: &str,
    ) -> Result<Question, AppError> {
        let user = caller.require_staff()?;
        let mut tx = self.store().write().await?;
        let (question, s, _) = self.question_as(tx.conn(), caller, id, Access::Run).await?;
        let phase: Phase = phase.parse()?;
        if question.phase == phase {
            return Ok(question);
        }
        let mut rec = Recorder::begin(tx.conn(), s.id).await?;
        let question = self
            .change_phase(&mut tx, &mut rec, question, phase)
            .await?;
        self.audit(
            &mut tx,
            s.id,
            user,
            AuditAction::Phase,
            Some(id.to_string()),
            None,
            Some(phase.as_str().into()),
        )
        .await?;
        tx.commit().await?;
        self.live().notify(s.id, rec.last());
        self.timers().changed();
        tracing::info!(question = %id, phase = phase.as_str(), "phase changed");
        Ok(question)
    }

    /// Changes a question's phase inside a transaction: stores it, stops a
    /// countdown, records the changes, and reveals hidden tallies on close.
    pub(crate) async fn change_phase(
        &self,
        tx: &mut Tx,
        rec: &mut Recorder,
        mut question: Question,
        phase: Phase,
    ) -> Result<Question, AppError> {
        let now = storage::now();
        let was_public = question.tallies_public();
        questions::set_phase(tx.conn(), question.id, phase, now).await?;
        question.phase = phase;
        let change = Change::PhaseChanged {
            question_id: question.id,
            phase,
        };
        rec.record(tx.conn(), &change, &Visibility::All, now)
            .await?;
        if question.timer_ends_at.take().is_some() {
            questions::set_timer(tx.conn(), question.id, None).await?;
            let change = Change::QuestionUpdated {
                question: question.clone(),
            };
            rec.record(tx.conn(), &change, &Visibility::All, now)
                .await?;
        }
        if !was_public && question.tallies_public() {
            self.reveal_tallies(tx, rec, &question).await?;
        }
        Ok(question)
    }

    /// Sends participants the tallies of a question that hid them.
    pub(crate) async fn reveal_tallies(
        &self,
        tx: &mut Tx,
        rec: &mut Recorder,
        question: &Question,
    ) -> Result<(), AppError> {
        let now = storage::now();
        let all = cards::cards_of_session(tx.conn(), question.session_id).await?;
        for card in all
            .iter()
            .filter(|c| c.question_id == question.id && c.is_visible())
        {
            let change = Change::Tally(rembuk_domain::event::CardTally::of(card));
            rec.record(tx.conn(), &change, &Visibility::All, now)
                .await?;
        }
        Ok(())
    }
}
