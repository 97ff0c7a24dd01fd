//! Sessions, questions and phases; the session snapshot.

use rembuk_domain::{
    AppError, Entity, QuestionId, SessionId, WorkshopId, dimension,
    event::Change,
    question::{Phase, Question, QuestionKind, VoteBudget, parse_prompt},
    session::{JoinCode, JoinInfo, Participant, Session, parse_title},
    snapshot::{Me, SessionSnapshot, WorkshopBrief},
};
use serde::{Deserialize, Serialize};

use crate::{
    Caller, Services,
    access::Access,
    storage::{self, cards, events, participants, questions, sessions, workshops},
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
            workshops::workshop(&mut conn, workshop)
                .await?
                .ok_or(AppError::not_found(Entity::Workshop))?;
            self.authorize_workshop(&mut conn, caller, workshop, Access::Run)
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
        caller.require_staff()?;
        let mut conn = self.store().read().await?;
        workshops::workshop(&mut conn, workshop)
            .await?
            .ok_or(AppError::not_found(Entity::Workshop))?;
        self.authorize_workshop(&mut conn, caller, workshop, Access::Read)
            .await?;
        Ok(sessions::sessions_of(&mut conn, workshop).await?)
    }

    /// What the join page shows for a code.
    pub async fn join_info(&self, code: &str) -> Result<JoinInfo, AppError> {
        let code = JoinCode::parse(code)?;
        let mut conn = self.store().read().await?;
        let session = sessions::session_by_code(&mut conn, code)
            .await?
            .ok_or(AppError::not_found(Entity::Session))?;
        let workshop = workshops::workshop(&mut conn, session.workshop_id)
            .await?
            .ok_or(AppError::Internal)?;
        Ok(JoinInfo {
            session_id: session.id,
            session_title: session.title,
            workshop_title: workshop.title,
            place: workshop.place,
            language: workshop.language,
            code: session.join_code,
            groups: workshop.groups,
        })
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
        let session = sessions::session(&mut conn, id)
            .await?
            .ok_or(AppError::not_found(Entity::Session))?;
        let workshop = workshops::workshop(&mut conn, session.workshop_id)
            .await?
            .ok_or(AppError::Internal)?;
        Ok(workshop.language)
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
    /// workshop and for its participants (with their own votes).
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
        let me = match self
            .authorize_workshop(tx.conn(), caller, session.workshop_id, Access::Read)
            .await
        {
            Ok(_) => match caller.device_hash() {
                // A facilitator who also joined from this browser sees their
                // own votes too.
                Some(hash) => participants::participant_by_token(tx.conn(), id, &hash).await?,
                None => None,
            },
            Err(staff_error) => match self.participant_in(tx.conn(), caller, id).await {
                Ok(p) => Some(p),
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
            Some(participant) => Some(Me {
                votes: cards::votes_of(tx.conn(), participant.id).await?,
                cards: cards::cards_by(tx.conn(), participant.id).await?,
                participant,
            }),
            None => None,
        };
        tx.rollback().await?;
        Ok(SessionSnapshot {
            seq,
            workshop: WorkshopBrief {
                id: workshop.id,
                title: workshop.title,
                language: workshop.language,
                dimensions: workshop.dimensions,
                groups: workshop.groups,
            },
            session,
            questions,
            cards,
            participants,
            me,
        })
    }

    /// Checks that the caller may watch a session's live stream.
    pub async fn authorize_live(&self, caller: &Caller, id: SessionId) -> Result<(), AppError> {
        let mut conn = self.store().read().await?;
        let session = sessions::session(&mut conn, id)
            .await?
            .ok_or(AppError::not_found(Entity::Session))?;
        match self
            .authorize_workshop(&mut conn, caller, session.workshop_id, Access::Read)
            .await
        {
            Ok(_) => Ok(()),
            Err(staff_error) => match self.participant_in(&mut conn, caller, id).await {
                Ok(_) => Ok(()),
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
        caller.require_staff()?;
        let mut tx = self.store().write().await?;
        let s = sessions::session(tx.conn(), session)
            .await?
            .ok_or(AppError::not_found(Entity::Session))?;
        self.authorize_workshop(tx.conn(), caller, s.workshop_id, Access::Run)
            .await?;
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
        let seq = sessions::next_seq(tx.conn(), session).await?;
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
        };
        questions::insert_question(tx.conn(), &question, s.workshop_id).await?;
        let change = Change::QuestionAdded {
            question: question.clone(),
        };
        events::append_event(tx.conn(), session, seq, &change, question.created_at).await?;
        tx.commit().await?;
        self.live().notify(session, seq);
        Ok(question)
    }

    /// Moves a question to a phase. Setting the phase it already has
    /// changes nothing (the request is idempotent).
    #[tracing::instrument(skip_all, fields(question = %id, phase))]
    pub async fn set_phase(
        &self,
        caller: &Caller,
        id: QuestionId,
        phase: &str,
    ) -> Result<Question, AppError> {
        caller.require_staff()?;
        let mut tx = self.store().write().await?;
        let mut question = questions::question(tx.conn(), id)
            .await?
            .ok_or(AppError::not_found(Entity::Question))?;
        let s = sessions::session(tx.conn(), question.session_id)
            .await?
            .ok_or(AppError::Internal)?;
        self.authorize_workshop(tx.conn(), caller, s.workshop_id, Access::Run)
            .await?;
        let phase: Phase = phase.parse()?;
        if question.phase == phase {
            return Ok(question);
        }
        let seq = sessions::next_seq(tx.conn(), s.id).await?;
        let now = storage::now();
        questions::set_phase(tx.conn(), id, phase, now).await?;
        events::append_event(
            tx.conn(),
            s.id,
            seq,
            &Change::PhaseChanged {
                question_id: id,
                phase,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.live().notify(s.id, seq);
        tracing::info!(question = %id, phase = phase.as_str(), "phase changed");
        question.phase = phase;
        Ok(question)
    }
}
