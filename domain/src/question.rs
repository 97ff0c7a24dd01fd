//! Questions, their phases and their vote budgets.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{
    AppError, Field, Lang, Problem, QuestionId, SessionId,
    card::CardKind,
    text::{self, Limits},
    time::Timestamp,
};

/// What a question collects.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Problems the regency faces in a dimension.
    Problems,
    /// Ideas and programmes, possibly answering problems.
    Ideas,
}

impl QuestionKind {
    /// The kind of card this question collects.
    pub fn card_kind(self) -> CardKind {
        match self {
            QuestionKind::Problems => CardKind::Problem,
            QuestionKind::Ideas => CardKind::Idea,
        }
    }

    /// The API name (`problems` / `ideas`).
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Problems => "problems",
            QuestionKind::Ideas => "ideas",
        }
    }

    /// Label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            QuestionKind::Problems => lang.t().kind_problems,
            QuestionKind::Ideas => lang.t().kind_ideas,
        }
    }
}

impl FromStr for QuestionKind {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            "problems" => Ok(QuestionKind::Problems),
            "ideas" => Ok(QuestionKind::Ideas),
            "" => Err(AppError::invalid(Field::Kind, Problem::Required)),
            _ => Err(AppError::invalid(Field::Kind, Problem::Unknown)),
        }
    }
}

/// Where a question stands. A facilitator moves it collecting → voting →
/// closed; going back (to collect more, or to reopen a vote) is allowed, as
/// rooms rarely follow the plan exactly.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Participants write cards; dots are not yet spent, so early cards
    /// gain no head start.
    Collecting,
    /// Participants spend their dots; no new cards, so everyone votes on
    /// the same list.
    Voting,
    /// Results are final: no cards, no votes.
    Closed,
}

/// Something a participant does that a phase may forbid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Submit a problem or idea card.
    SubmitCard,
    /// Set one's dots on a card (including taking them back).
    Vote,
}

impl Phase {
    /// All phases in their usual order.
    pub const ALL: [Phase; 3] = [Phase::Collecting, Phase::Voting, Phase::Closed];

    /// Whether `action` is allowed in this phase.
    pub fn allows(self, action: Action) -> bool {
        matches!(
            (self, action),
            (Phase::Collecting, Action::SubmitCard) | (Phase::Voting, Action::Vote)
        )
    }

    /// Fails with a [`AppError::PhaseForbids`] unless `action` is allowed.
    pub fn check(self, action: Action) -> Result<(), AppError> {
        if self.allows(action) {
            Ok(())
        } else {
            Err(AppError::PhaseForbids {
                phase: self,
                action,
            })
        }
    }

    /// The phase a facilitator usually moves to next, if any.
    pub fn next(self) -> Option<Phase> {
        match self {
            Phase::Collecting => Some(Phase::Voting),
            Phase::Voting => Some(Phase::Closed),
            Phase::Closed => None,
        }
    }

    /// Whether participants still see the question as open.
    pub fn is_open(self) -> bool {
        self != Phase::Closed
    }

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Collecting => "collecting",
            Phase::Voting => "voting",
            Phase::Closed => "closed",
        }
    }

    /// Label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            Phase::Collecting => t.phase_collecting,
            Phase::Voting => t.phase_voting,
            Phase::Closed => t.phase_closed,
        }
    }
}

impl FromStr for Phase {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            "collecting" => Ok(Phase::Collecting),
            "voting" => Ok(Phase::Voting),
            "closed" => Ok(Phase::Closed),
            "" => Err(AppError::invalid(Field::Phase, Problem::Required)),
            _ => Err(AppError::invalid(Field::Phase, Problem::Unknown)),
        }
    }
}

/// How many dots each participant may spend on one question.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VoteBudget(u32);

impl VoteBudget {
    /// Dot voting's usual small budget.
    pub const DEFAULT: VoteBudget = VoteBudget(3);
    /// Fewest dots a question may give.
    pub const MIN: u32 = 1;
    /// Most dots a question may give: beyond this, dot voting stops
    /// expressing priorities.
    pub const MAX: u32 = 20;

    /// Checks a budget a facilitator asked for.
    pub fn parse(dots: i64) -> Result<VoteBudget, AppError> {
        if (i64::from(Self::MIN)..=i64::from(Self::MAX)).contains(&dots) {
            Ok(VoteBudget(dots as u32))
        } else {
            Err(AppError::invalid(
                Field::VoteBudget,
                Problem::OutOfRange {
                    min: i64::from(Self::MIN),
                    max: i64::from(Self::MAX),
                },
            ))
        }
    }

    /// The number of dots.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for VoteBudget {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A question posted to a session.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: QuestionId,
    pub session_id: SessionId,
    /// Key of the workshop dimension, e.g. `governance`.
    pub dimension: String,
    /// Key of the sub-element within the dimension, if narrowed down.
    pub sub_element: Option<String>,
    pub prompt: String,
    pub kind: QuestionKind,
    pub vote_budget: VoteBudget,
    pub phase: Phase,
    /// Order within the session (0 first).
    pub position: u32,
    pub created_at: Timestamp,
}

/// Checks a question's prompt.
pub fn parse_prompt(raw: &str) -> Result<String, AppError> {
    text::clean(raw, Field::Prompt, Limits { min: 3, max: 300 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collecting_takes_cards_but_no_dots() {
        assert!(Phase::Collecting.allows(Action::SubmitCard));
        assert!(!Phase::Collecting.allows(Action::Vote));
    }

    #[test]
    fn voting_takes_dots_but_no_cards() {
        assert!(Phase::Voting.allows(Action::Vote));
        assert!(!Phase::Voting.allows(Action::SubmitCard));
    }

    #[test]
    fn closed_takes_nothing() {
        assert!(!Phase::Closed.allows(Action::Vote));
        assert!(!Phase::Closed.allows(Action::SubmitCard));
        assert_eq!(
            Phase::Closed.check(Action::Vote),
            Err(AppError::PhaseForbids {
                phase: Phase::Closed,
                action: Action::Vote
            })
        );
    }

    #[test]
    fn phases_advance_in_order_and_end_at_closed() {
        assert_eq!(Phase::Collecting.next(), Some(Phase::Voting));
        assert_eq!(Phase::Voting.next(), Some(Phase::Closed));
        assert_eq!(Phase::Closed.next(), None);
    }

    #[test]
    fn phases_parse_from_their_api_names_only() {
        for p in Phase::ALL {
            assert_eq!(p.as_str().parse::<Phase>().unwrap(), p);
        }
        assert_eq!(
            "open".parse::<Phase>(),
            Err(AppError::invalid(Field::Phase, Problem::Unknown))
        );
    }

    #[test]
    fn budgets_stay_small_and_positive() {
        assert_eq!(VoteBudget::default().get(), 3);
        assert_eq!(VoteBudget::parse(1).unwrap().get(), 1);
        assert_eq!(VoteBudget::parse(20).unwrap().get(), 20);
        for bad in [0, -1, 21, 1000] {
            assert!(VoteBudget::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_kind_maps_to_its_card_kind() {
        assert_eq!(QuestionKind::Problems.card_kind(), CardKind::Problem);
        assert_eq!(QuestionKind::Ideas.card_kind(), CardKind::Idea);
        assert!("Problems".parse::<QuestionKind>().is_err());
    }
}
