//! What participants do: join, write cards, spend dots. Facilitators use
//! the same card path to type in paper cards.

use rembuk_domain::{
    AppError, CardId, Entity, Field, Lang, ParticipantId, Problem, QuestionId,
    card::{Card, CardStatus, check_answers, parse_new_card},
    event::{Change, Visibility, card_visibility},
    group,
    privacy::passcode_matches,
    question::{Action, Phase},
    session::{CONSENT_VERSION, Participant, parse_join},
    user::User,
    vote::{VoteOutcome, check_budget, parse_dots},
};
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::{
    Caller, Services,
    access::Access,
    auth::{self, TokenKind, hash_token},
    storage::{
        self, CardInsert, ParticipantInsert, Tx, cards,
        events::Recorder,
        participants, questions, sessions,
        votes::{self, Verdict},
        workshops,
    },
};

/// A join request as a form or the API sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct JoinInput {
    pub code: String,
    pub group: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub consent: bool,
    /// The session's passcode, when it asks for one.
    #[serde(default)]
    pub passcode: Option<String>,
}

/// The result of joining.
#[derive(Clone)]
pub struct Joined {
    pub participant: Participant,
    /// The device token to keep (the one presented, or a new one).
    pub token: String,
    /// False when this device had joined the session before.
    pub created: bool,
}

impl std::fmt::Debug for Joined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Joined")
            .field("participant", &self.participant)
            .field("token", &"<redacted>")
            .field("created", &self.created)
            .finish()
    }
}

/// A new card as a form or the API sends it. A facilitator typing in a
/// paper card sets `on_behalf` and the writer's `group`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CardInput {
    #[serde(default)]
    pub kind: Option<String>,
    pub text: String,
    #[serde(default)]
    pub answers: Vec<CardId>,
    /// Paper cards: the stakeholder group of whoever wrote it.
    #[serde(default)]
    pub group: Option<String>,
    /// Paper cards: entered by a facilitator on someone's behalf.
    #[serde(default)]
    pub on_behalf: bool,
}

/// The result of submitting a card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub card: Card,
    /// False when this was a retry and the card already existed.
    pub created: bool,
}

/// Longest idempotency key accepted.
const MAX_IDEMPOTENCY_KEY: usize = 128;

/// Who writes a card.
enum Writer {
    Participant(Participant),
    Facilitator(User),
}

impl Services {
    /// Joins a session by its code. A device that joined before stays the
    /// same participant (its group and name are updated); its token is
    /// kept, so one phone is one participant across a workshop's sessions.
    pub async fn join(
        &self,
        caller: &Caller,
        input: &JoinInput,
        language: Option<Lang>,
    ) -> Result<Joined, AppError> {
        self.join_from(caller, input, language, None).await
    }

    /// [`Services::join`] from a network address: in a session with a
    /// passcode, wrong guesses from one address are slowed down.
    #[tracing::instrument(skip_all, fields(code = %input.code))]
    pub async fn join_from(
        &self,
        caller: &Caller,
        input: &JoinInput,
        language: Option<Lang>,
        address: Option<IpAddr>,
    ) -> Result<Joined, AppError> {
        let request = parse_join(
            &input.code,
            &input.group,
            input.name.as_deref(),
            input.consent,
        )?;
        let mut tx = self.store().write().await?;
        let session = sessions::session_by_code(tx.conn(), request.code)
            .await?
            .ok_or(AppError::not_found(Entity::Session))?;
        let workshop = workshops::workshop(tx.conn(), session.workshop_id)
            .await?
            .ok_or(AppError::Internal)?;
        let group = group::resolve(&workshop.groups, &request.group)?
            .key
            .clone();

        let presented = match &caller.device {
            Some(token) if participants::token_known(tx.conn(), &hash_token(token)).await? => {
                Some(token.clone())
            }
            _ => None,
        };
        let token = presented.unwrap_or_else(|| auth::new_token(TokenKind::Device));
        let hash = hash_token(&token);
        let now = storage::now();
        let existing = participants::participant_by_token(tx.conn(), session.id, &hash).await?;
        // Who joined already is in; a newcomer needs the passcode.
        if let Some(expected) = &session.passcode
            && existing.is_none()
        {
            let key = format!(
                "{}/{}",
                session.id,
                address.map(|a| a.to_string()).unwrap_or_default()
            );
            self.passcode_guard().check(&key)?;
            if !passcode_matches(expected, input.passcode.as_deref()) {
                self.passcode_guard().fail(&key);
                return Err(AppError::WrongPasscode);
            }
        }
        if let Some(old) = &existing
            && old.group == group
        {
            // Nothing others see changes: no live event.
            participants::update_participant(
                tx.conn(),
                old.id,
                &group,
                request.name.as_deref(),
                language,
                CONSENT_VERSION,
                now,
            )
            .await?;
            tx.commit().await?;
            let participant = Participant {
                name: request.name,
                language: language.or(old.language),
                ..old.clone()
            };
            return Ok(Joined {
                participant,
                token,
                created: false,
            });
        }
        let mut rec = Recorder::begin(tx.conn(), session.id).await?;
        let (participant, created) = match existing {
            Some(old) => {
                participants::update_participant(
                    tx.conn(),
                    old.id,
                    &group,
                    request.name.as_deref(),
                    language,
                    CONSENT_VERSION,
                    now,
                )
                .await?;
                // Both groups' head-counts change.
                let count = participants::group_count(tx.conn(), session.id, &old.group).await?;
                let change = Change::Joined {
                    group: old.group.clone(),
                    count,
                };
                rec.record(tx.conn(), &change, &Visibility::All, now)
                    .await?;
                let participant = Participant {
                    group: group.clone(),
                    name: request.name,
                    language: language.or(old.language),
                    ..old
                };
                (participant, false)
            }
            None => {
                let participant = Participant {
                    id: ParticipantId(uuid::Uuid::new_v4()),
                    session_id: session.id,
                    group: group.clone(),
                    name: request.name.clone(),
                    language,
                    joined_at: now,
                };
                participants::insert_participant(
                    tx.conn(),
                    &ParticipantInsert {
                        id: participant.id,
                        session: session.id,
                        token_hash: &hash,
                        group: &group,
                        name: request.name.as_deref(),
                        language,
                        consent_version: CONSENT_VERSION,
                        now,
                    },
                )
                .await?;
                (participant, true)
            }
        };
        let count = participants::group_count(tx.conn(), session.id, &group).await?;
        rec.record(
            tx.conn(),
            &Change::Joined {
                group: group.clone(),
                count,
            },
            &Visibility::All,
            now,
        )
        .await?;
        tx.commit().await?;
        self.live().notify(session.id, rec.last());
        if created {
            tracing::info!(session = %session.id, group = %group, "participant joined");
        }
        Ok(Joined {
            participant,
            token,
            created,
        })
    }

    /// Submits a card to a question. With an idempotency key, a retry of an
    /// accepted submission returns the first card instead of a second one,
    /// even if the question has closed meanwhile. In a pre-moderated session
    /// a participant's card waits for approval; a facilitator's paper card
    /// (`on_behalf`) never does.
    #[tracing::instrument(skip_all, fields(%question))]
    pub async fn submit_card(
        &self,
        caller: &Caller,
        question: QuestionId,
        input: &CardInput,
        idempotency_key: Option<&str>,
    ) -> Result<Submitted, AppError> {
        let key = match idempotency_key.map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) if k.len() > MAX_IDEMPOTENCY_KEY => {
                return Err(AppError::invalid(
                    Field::IdempotencyKey,
                    Problem::TooLong {
                        max: MAX_IDEMPOTENCY_KEY as u32,
                    },
                ));
            }
            Some(k) if !k.bytes().all(|b| b.is_ascii_graphic()) => {
                return Err(AppError::invalid(Field::IdempotencyKey, Problem::Malformed));
            }
            other => other,
        };
        match self.try_submit_card(caller, question, input, key).await {
            // Two copies of one request raced past the lookup; the database
            // kept one. Answer the loser with the winner's card.
            Err(SubmitError::Duplicate) => self
                .try_submit_card(caller, question, input, key)
                .await
                .map_err(Into::into),
            other => other.map_err(Into::into),
        }
    }

    async fn writer(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        question: &rembuk_domain::question::Question,
        on_behalf: bool,
    ) -> Result<Writer, AppError> {
        if on_behalf {
            let session = sessions::session(tx.conn(), question.session_id)
                .await?
                .ok_or(AppError::Internal)?;
            let user = self
                .authorize_workshop(tx.conn(), caller, session.workshop_id, Access::Run)
                .await?;
            Ok(Writer::Facilitator(user.clone()))
        } else {
            Ok(Writer::Participant(
                self.participant_in(tx.conn(), caller, question.session_id)
                    .await?,
            ))
        }
    }

    async fn try_submit_card(
        &self,
        caller: &Caller,
        question_id: QuestionId,
        input: &CardInput,
        key: Option<&str>,
    ) -> Result<Submitted, SubmitError> {
        let mut tx = self.store().write().await?;
        let question = questions::question(tx.conn(), question_id)
            .await?
            .ok_or(AppError::not_found(Entity::Question))?;
        let writer = self
            .writer(&mut tx, caller, &question, input.on_behalf)
            .await?;
        let (participant, entered_by) = match &writer {
            Writer::Participant(p) => (Some(p.id), None),
            Writer::Facilitator(u) => (None, Some(u.id)),
        };
        if let Some(key) = key
            && let Some(id) =
                cards::card_by_idempotency_key(tx.conn(), participant, entered_by, key).await?
        {
            let card = cards::card(tx.conn(), id)
                .await?
                .ok_or(AppError::Internal)?;
            return Ok(Submitted {
                card,
                created: false,
            });
        }
        // A replay above is free: a phone catching up after a dropout
        // must not meet the limit for cards it already sent.
        if let Some(p) = participant {
            self.limits().write(p, question.session_id)?;
        }
        let session = sessions::session(tx.conn(), question.session_id)
            .await?
            .ok_or(AppError::Internal)?;
        let (group, status) = match &writer {
            Writer::Participant(p) => {
                question.check(Action::SubmitCard)?;
                let status = if session.premoderate {
                    CardStatus::Pending
                } else {
                    CardStatus::Visible
                };
                (p.group.clone(), status)
            }
            Writer::Facilitator(_) => {
                if question.phase == Phase::Closed {
                    return Err(AppError::PhaseForbids {
                        phase: Phase::Closed,
                        action: Action::SubmitCard,
                    }
                    .into());
                }
                let workshop = workshops::workshop(tx.conn(), session.workshop_id)
                    .await?
                    .ok_or(AppError::Internal)?;
                let group = group::resolve(&workshop.groups, input.group.as_deref().unwrap_or(""))?
                    .key
                    .clone();
                (group, CardStatus::Visible)
            }
        };
        let new = parse_new_card(
            question.kind,
            input.kind.as_deref(),
            &input.text,
            &input.answers,
        )?;
        if !new.answers.is_empty() {
            let known =
                cards::problem_cards_among(tx.conn(), question.session_id, &new.answers).await?;
            check_answers(&new.answers, &known)?;
        }
        let mut rec = Recorder::begin(tx.conn(), question.session_id).await?;
        let now = storage::now();
        let id = CardId(uuid::Uuid::new_v4());
        let inserted = cards::insert_card(
            tx.conn(),
            &CardInsert {
                id,
                question: question_id,
                session: question.session_id,
                participant,
                entered_by,
                group: &group,
                kind: new.kind,
                text: &new.text,
                status,
                idempotency_key: key,
                now,
            },
        )
        .await;
        match inserted {
            Ok(()) => {}
            Err(e) if e.is_unique_violation() => return Err(SubmitError::Duplicate),
            Err(e) => return Err(e.into()),
        }
        cards::insert_answers(tx.conn(), id, &new.answers).await?;
        let card = cards::card(tx.conn(), id)
            .await?
            .ok_or(AppError::Internal)?;
        let public = card_visibility(&card, question.tallies_public(), false);
        rec.record(
            tx.conn(),
            &Change::CardAdded { card: card.clone() },
            &public,
            now,
        )
        .await?;
        if let Writer::Facilitator(user) = &writer {
            let detail = format!("{group}: {}", card.text);
            self.audit(
                &mut tx,
                question.session_id,
                user,
                rembuk_domain::audit::AuditAction::PaperCard,
                Some(id.to_string()),
                None,
                Some(detail),
            )
            .await?;
        }
        tx.commit().await?;
        self.live().notify(card.session_id, rec.last());
        Ok(Submitted {
            card,
            created: true,
        })
    }

    /// Sets the caller's dots on a visible card to `dots` (0 takes them
    /// back), within the question's budget. Setting the same number again
    /// changes nothing, so retries and duplicates count once. While a
    /// question hides its tallies, the answer carries no total.
    #[tracing::instrument(skip_all, fields(card = %card_id, dots))]
    pub async fn vote(
        &self,
        caller: &Caller,
        card_id: CardId,
        dots: i64,
    ) -> Result<VoteOutcome, AppError> {
        let requested = parse_dots(dots)?;
        // A caller without a device is nobody in any session.
        let device = caller.device_hash().unwrap_or_default();
        let (this, caller) = (self.clone(), caller.clone());
        // A hall votes at once: on SQLite the votes waiting for the writer
        // share one transaction (each in a savepoint of its own).
        let (cast, outcome) = self
            .store()
            .cast_vote(card_id, device, move |ballot| {
                this.judge_vote(&caller, card_id, requested, ballot)
            })
            .await?
            .ok_or(AppError::not_found(Entity::Card))?;
        self.live().notify(cast.session, cast.seq);
        let total = outcome.public.then_some(cast.total);
        Ok(VoteOutcome {
            total,
            seq: cast.seq,
            ..outcome.vote
        })
    }

    /// The rules of a vote, on what its ballot read: whether the caller
    /// may set `requested` dots on the card, and what to write.
    fn judge_vote(
        &self,
        caller: &Caller,
        card_id: CardId,
        requested: u32,
        ballot: votes::Ballot,
    ) -> Result<(Verdict, Judged), AppError> {
        let session = ballot.session;
        let participant = ballot
            .participant
            .ok_or_else(|| caller.not_a_participant())?;
        self.limits().write(participant.id, session)?;
        let question = ballot.question.ok_or(AppError::not_found(Entity::Card))?;
        question.check(Action::Vote)?;
        if !question.voting_mode.dots() {
            return Err(AppError::DotsOff);
        }
        let (current, elsewhere) = (ballot.here, ballot.elsewhere);
        check_budget(question.vote_budget, current, elsewhere, requested)?;
        let budget = question.vote_budget.get();
        let public = question.tallies_public();
        let vote = VoteOutcome {
            card_id,
            question_id: question.id,
            dots: requested,
            total: None,
            budget,
            used: elsewhere + requested,
            remaining: budget.saturating_sub(elsewhere + requested),
            seq: 0,
        };
        let verdict = if requested == current {
            Verdict::Unchanged
        } else {
            Verdict::Set {
                participant,
                question: question.id,
                dots: requested,
                visibility: if public {
                    Visibility::All
                } else {
                    Visibility::Staff
                },
            }
        };
        Ok((verdict, Judged { vote, public }))
    }
}

/// A vote as its rules judged it: the answer but for its total and number.
struct Judged {
    vote: VoteOutcome,
    /// Whether the caller may see the card's total.
    public: bool,
}

enum SubmitError {
    Duplicate,
    App(AppError),
}

impl From<AppError> for SubmitError {
    fn from(e: AppError) -> Self {
        SubmitError::App(e)
    }
}

impl From<storage::StorageError> for SubmitError {
    fn from(e: storage::StorageError) -> Self {
        SubmitError::App(e.into())
    }
}

impl From<SubmitError> for AppError {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::App(e) => e,
            SubmitError::Duplicate => AppError::Internal,
        }
    }
}
