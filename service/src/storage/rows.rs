//! Database rows and their conversion into domain types.

use rembuk_domain::{
    card::{Card, CardKind, CardStatus},
    event::{Change, StoredEvent, Visibility},
    privacy::{Privacy, WithdrawnCards},
    question::{Phase, Question, QuestionKind, VoteBudget, VotingMode},
    rating::{Horizon, Programme},
    session::{JoinCode, Participant, Session},
    time::{Date, Timestamp},
    user::{Role, User},
};

use super::{Result, StorageError, parse_id};

fn corrupt(what: &str, value: &str) -> StorageError {
    StorageError::Corrupt(format!("{what} {value:?}"))
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: String,
    pub email: String,
    pub role: String,
}

impl UserRow {
    pub fn into_user(self) -> Result<User> {
        Ok(User {
            id: parse_id(&self.id)?,
            role: self
                .role
                .parse::<Role>()
                .map_err(|_| corrupt("role", &self.role))?,
            email: self.email,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct WorkshopRow {
    pub id: String,
    pub title: String,
    pub place: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub language: String,
    pub created_at: i64,
    pub withdrawn_cards: String,
    pub retain_until: Option<String>,
    pub purged_at: Option<i64>,
}

impl WorkshopRow {
    pub fn privacy(&self) -> Result<Privacy> {
        Ok(Privacy {
            withdrawn_cards: WithdrawnCards::parse(&self.withdrawn_cards)
                .map_err(|_| corrupt("withdrawn_cards", &self.withdrawn_cards))?,
            retain_until: Self::date(&self.retain_until)?,
            purged_at: self.purged_at.map(Timestamp),
        })
    }

    pub fn date(raw: &Option<String>) -> Result<Option<Date>> {
        raw.as_deref()
            .map(|d| Date::parse(d).ok_or_else(|| corrupt("date", d)))
            .transpose()
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DimensionRow {
    pub key: String,
    pub name: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SubElementRow {
    pub dimension_key: String,
    pub key: String,
    pub name: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct GroupRow {
    pub key: String,
    pub name: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    pub id: String,
    pub workshop_id: String,
    pub title: String,
    pub join_code: i64,
    pub created_at: i64,
    pub premoderate: i64,
    pub passcode: Option<String>,
}

impl SessionRow {
    pub fn into_session(self) -> Result<Session> {
        let code = u32::try_from(self.join_code)
            .ok()
            .and_then(|c| JoinCode::parse(&c.to_string()).ok())
            .ok_or_else(|| corrupt("join code", &self.join_code.to_string()))?;
        Ok(Session {
            id: parse_id(&self.id)?,
            workshop_id: parse_id(&self.workshop_id)?,
            title: self.title,
            join_code: code,
            created_at: Timestamp(self.created_at),
            premoderate: self.premoderate != 0,
            passcode: self.passcode,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct QuestionRow {
    pub id: String,
    pub session_id: String,
    pub dimension_key: String,
    pub sub_element_key: Option<String>,
    pub prompt: String,
    pub kind: String,
    pub vote_budget: i64,
    pub phase: String,
    pub position: i64,
    pub created_at: i64,
    pub hide_tallies: i64,
    pub tallies_revealed: i64,
    pub cards_while_voting: i64,
    pub votes_while_collecting: i64,
    pub timer_ends_at: Option<i64>,
    pub voting_mode: String,
}

impl QuestionRow {
    /// The question's columns of a row read straight from SQLite
    /// ([`super::direct`]), by name as sqlx reads them.
    pub fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<QuestionRow> {
        Ok(QuestionRow {
            id: row.get("id")?,
            session_id: row.get("session_id")?,
            dimension_key: row.get("dimension_key")?,
            sub_element_key: row.get("sub_element_key")?,
            prompt: row.get("prompt")?,
            kind: row.get("kind")?,
            vote_budget: row.get("vote_budget")?,
            phase: row.get("phase")?,
            position: row.get("position")?,
            created_at: row.get("created_at")?,
            hide_tallies: row.get("hide_tallies")?,
            tallies_revealed: row.get("tallies_revealed")?,
            cards_while_voting: row.get("cards_while_voting")?,
            votes_while_collecting: row.get("votes_while_collecting")?,
            timer_ends_at: row.get("timer_ends_at")?,
            voting_mode: row.get("voting_mode")?,
        })
    }

    pub fn into_question(self) -> Result<Question> {
        Ok(Question {
            id: parse_id(&self.id)?,
            session_id: parse_id(&self.session_id)?,
            kind: self
                .kind
                .parse::<QuestionKind>()
                .map_err(|_| corrupt("question kind", &self.kind))?,
            phase: self
                .phase
                .parse::<Phase>()
                .map_err(|_| corrupt("phase", &self.phase))?,
            vote_budget: VoteBudget::parse(self.vote_budget)
                .map_err(|_| corrupt("vote budget", &self.vote_budget.to_string()))?,
            dimension: self.dimension_key,
            sub_element: self.sub_element_key,
            prompt: self.prompt,
            position: self.position as u32,
            created_at: Timestamp(self.created_at),
            hide_tallies: self.hide_tallies != 0,
            tallies_revealed: self.tallies_revealed != 0,
            cards_while_voting: self.cards_while_voting != 0,
            votes_while_collecting: self.votes_while_collecting != 0,
            timer_ends_at: self.timer_ends_at.map(Timestamp),
            voting_mode: self
                .voting_mode
                .parse::<VotingMode>()
                .map_err(|_| corrupt("voting mode", &self.voting_mode))?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ParticipantRow {
    pub id: String,
    pub session_id: String,
    pub group_key: String,
    pub display_name: Option<String>,
    pub language: Option<String>,
    pub created_at: i64,
}

impl ParticipantRow {
    pub fn into_participant(self) -> Result<Participant> {
        Ok(Participant {
            id: parse_id(&self.id)?,
            session_id: parse_id(&self.session_id)?,
            group: self.group_key,
            name: self.display_name,
            language: self.language.as_deref().and_then(|l| l.parse().ok()),
            joined_at: Timestamp(self.created_at),
        })
    }
}

/// A card with its tally; its answers and merge sources come from other
/// queries.
#[derive(sqlx::FromRow)]
pub(crate) struct CardRow {
    pub id: String,
    pub question_id: String,
    pub session_id: String,
    pub kind: String,
    pub text: String,
    pub group_key: String,
    pub dots: i64,
    pub created_at: i64,
    pub status: String,
    pub pinned: i64,
    pub sub_element_key: Option<String>,
    pub on_behalf: i64,
    pub hidden_reason: Option<String>,
    pub original_text: Option<String>,
    pub horizon: Option<String>,
    pub lead_office: Option<String>,
}

impl CardRow {
    pub fn into_card(self) -> Result<Card> {
        Ok(Card {
            id: parse_id(&self.id)?,
            question_id: parse_id(&self.question_id)?,
            session_id: parse_id(&self.session_id)?,
            kind: self
                .kind
                .parse::<CardKind>()
                .map_err(|_| corrupt("card kind", &self.kind))?,
            status: self
                .status
                .parse::<CardStatus>()
                .map_err(|()| corrupt("card status", &self.status))?,
            edited: self.original_text.is_some(),
            text: self.text,
            group: self.group_key,
            answers: Vec::new(),
            dots: u32::try_from(self.dots).map_err(|_| corrupt("dots", &self.dots.to_string()))?,
            created_at: Timestamp(self.created_at),
            pinned: self.pinned != 0,
            sub_element: self.sub_element_key,
            on_behalf: self.on_behalf != 0,
            merged_from: Vec::new(),
            merge_id: None,
            hidden_reason: self.hidden_reason,
            original_text: self.original_text,
            dots_by_group: Vec::new(),
            usg: None,
            idea_score: None,
            programme: match self.horizon {
                Some(h) => Some(Programme {
                    horizon: h.parse::<Horizon>().map_err(|_| corrupt("horizon", &h))?,
                    lead_office: self.lead_office,
                }),
                None => None,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AnswerRow {
    pub idea_id: String,
    pub problem_id: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    pub seq: i64,
    pub payload: String,
    pub audience: String,
    pub public_payload: Option<String>,
}

impl EventRow {
    pub fn into_event(self) -> Result<StoredEvent> {
        let parse = |json: &str| -> Result<Change> {
            serde_json::from_str(json)
                .map_err(|e| StorageError::Corrupt(format!("event {}: {e}", self.seq)))
        };
        let change = parse(&self.payload)?;
        let public = match (self.audience.as_str(), &self.public_payload) {
            ("staff", _) => Visibility::Staff,
            ("masked", Some(p)) => Visibility::Masked(Box::new(parse(p)?)),
            _ => Visibility::All,
        };
        Ok(StoredEvent {
            seq: self.seq as u64,
            change,
            public,
        })
    }
}
