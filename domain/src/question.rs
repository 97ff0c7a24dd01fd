//! Questions, their phases and their vote budgets.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{
    AppError, Field, Lang, Problem, QuestionId, SessionId,
    card::CardKind,
    text::{self, Limits},
    time::Timestamp,
    wire::Tag,
};

/// What a question collects.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Problems the regency faces in a dimension.
    Problems,
    /// Ideas and programmes, possibly answering problems.
    Ideas,
}

crate::tags!(QuestionKind {
    Problems = "problems",
    Ideas = "ideas",
});

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
        Tag::name(self)
    }

    /// Label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            QuestionKind::Problems => lang.t().kind_problems(),
            QuestionKind::Ideas => lang.t().kind_ideas(),
        }
    }
}

impl FromStr for QuestionKind {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            "" => Err(AppError::invalid(Field::Kind, Problem::Required)),
            name => Tag::from_name(name).ok_or(AppError::invalid(Field::Kind, Problem::Unknown)),
        }
    }
}

/// Where a question stands. A facilitator moves it collecting → voting →
/// closed; going back (to collect more, or to reopen a vote) is allowed, as
/// rooms rarely follow the plan exactly.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
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

crate::tags!(Phase {
    Collecting = "collecting",
    Voting = "voting",
    Closed = "closed",
});

/// Something a participant does that a phase may forbid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Submit a problem or idea card.
    SubmitCard,
    /// Set one's dots on a card (including taking them back).
    Vote,
}

crate::tags!(Action {
    SubmitCard = "submit_card",
    Vote = "vote",
});

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
        Tag::name(self)
    }

    /// Label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            Phase::Collecting => t.phase_collecting(),
            Phase::Voting => t.phase_voting(),
            Phase::Closed => t.phase_closed(),
        }
    }
}

impl FromStr for Phase {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            "" => Err(AppError::invalid(Field::Phase, Problem::Required)),
            name => Tag::from_name(name).ok_or(AppError::invalid(Field::Phase, Problem::Unknown)),
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

impl crate::json::FromJson for VoteBudget {
    fn from_json(value: crate::json::Value) -> Result<Self, crate::json::JsonError> {
        u32::from_json(value).map(VoteBudget)
    }
}

impl Default for VoteBudget {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A question posted to a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Participants see no tallies until the question closes, so that early
    /// votes do not sway later ones.
    #[serde(default)]
    pub hide_tallies: bool,
    /// The facilitator shows the hidden tallies on the projector anyway.
    #[serde(default)]
    pub tallies_revealed: bool,
    /// New cards are still accepted while voting.
    #[serde(default)]
    pub cards_while_voting: bool,
    /// Votes are already accepted while collecting.
    #[serde(default)]
    pub votes_while_collecting: bool,
    /// When the countdown ends (and the question moves to its next phase).
    #[serde(default)]
    pub timer_ends_at: Option<Timestamp>,
    /// Dots, scores (USG for problems, impact/effort for ideas), or both.
    #[serde(default)]
    pub voting_mode: VotingMode,
}

crate::json_struct!(Question {
    id,
    session_id,
    dimension,
    sub_element,
    prompt,
    kind,
    vote_budget,
    phase,
    position,
    created_at,
    hide_tallies: default,
    tallies_revealed: default,
    cards_while_voting: default,
    votes_while_collecting: default,
    timer_ends_at: default,
    voting_mode: default,
});

/// How participants weigh a question's cards while voting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VotingMode {
    /// Dot voting only.
    Dots,
    /// Scores only: USG for problems, impact and effort for ideas.
    Scores,
    /// Both.
    #[default]
    Both,
}

crate::tags!(VotingMode {
    Dots = "dots",
    Scores = "scores",
    Both = "both",
});

impl VotingMode {
    /// The API name.
    pub fn as_str(self) -> &'static str {
        Tag::name(self)
    }

    /// Whether dots are given.
    pub fn dots(self) -> bool {
        self != VotingMode::Scores
    }

    /// Whether scores are given.
    pub fn scores(self) -> bool {
        self != VotingMode::Dots
    }

    /// Label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            VotingMode::Dots => t.mode_dots(),
            VotingMode::Scores => t.mode_scores(),
            VotingMode::Both => t.mode_both(),
        }
    }
}

impl FromStr for VotingMode {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            // "usg" (problems) and "rating" (ideas) name the same thing.
            "usg" | "rating" => Ok(VotingMode::Scores),
            "" => Ok(VotingMode::Both),
            name => {
                Tag::from_name(name).ok_or(AppError::invalid(Field::VotingMode, Problem::Unknown))
            }
        }
    }
}

impl Question {
    /// Whether `action` is allowed now, given the phase and the question's
    /// settings.
    pub fn allows(&self, action: Action) -> bool {
        match (self.phase, action) {
            (Phase::Collecting, Action::SubmitCard) | (Phase::Voting, Action::Vote) => true,
            (Phase::Collecting, Action::Vote) => self.votes_while_collecting,
            (Phase::Voting, Action::SubmitCard) => self.cards_while_voting,
            (Phase::Closed, _) => false,
        }
    }

    /// Fails with a [`AppError::PhaseForbids`] unless `action` is allowed.
    pub fn check(&self, action: Action) -> Result<(), AppError> {
        if self.allows(action) {
            Ok(())
        } else {
            Err(AppError::PhaseForbids {
                phase: self.phase,
                action,
            })
        }
    }

    /// Whether participants may see the tallies now.
    pub fn tallies_public(&self) -> bool {
        !self.hide_tallies || self.phase == Phase::Closed
    }

    /// Whether the projector shows the tallies now.
    pub fn tallies_on_projector(&self) -> bool {
        self.tallies_public() || self.tallies_revealed
    }
}

/// Settings a facilitator changes on a question; `None` leaves one as is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionSettings {
    #[serde(default)]
    pub hide_tallies: Option<bool>,
    #[serde(default)]
    pub tallies_revealed: Option<bool>,
    #[serde(default)]
    pub cards_while_voting: Option<bool>,
    #[serde(default)]
    pub votes_while_collecting: Option<bool>,
    /// `dots`, `scores` (`usg`, `rating`) or `both`.
    #[serde(default)]
    pub voting_mode: Option<VotingMode>,
}

impl QuestionSettings {
    /// Applies the settings to a question; returns whether anything changed.
    pub fn apply(&self, q: &mut Question) -> bool {
        let before = q.clone();
        if let Some(v) = self.hide_tallies {
            q.hide_tallies = v;
        }
        if let Some(v) = self.tallies_revealed {
            q.tallies_revealed = v;
        }
        if let Some(v) = self.cards_while_voting {
            q.cards_while_voting = v;
        }
        if let Some(v) = self.votes_while_collecting {
            q.votes_while_collecting = v;
        }
        if let Some(v) = self.voting_mode {
            q.voting_mode = v;
        }
        *q != before
    }
}

/// Longest countdown a question may have (two hours).
pub const MAX_TIMER_SECONDS: i64 = 2 * 3600;

/// Checks a countdown length; 0 clears the countdown.
pub fn parse_timer_seconds(seconds: i64) -> Result<Option<u32>, AppError> {
    match seconds {
        0 => Ok(None),
        s if (1..=MAX_TIMER_SECONDS).contains(&s) => Ok(Some(s as u32)),
        _ => Err(AppError::invalid(
            Field::Seconds,
            Problem::OutOfRange {
                min: 0,
                max: MAX_TIMER_SECONDS,
            },
        )),
    }
}

/// Checks a question's prompt.
pub fn parse_prompt(raw: &str) -> Result<String, AppError> {
    text::clean(raw, Field::Prompt, Limits { min: 3, max: 300 })
}

/// A problems question in `phase`, for the unit tests of this crate.
#[cfg(test)]
pub(crate) fn sample_question(phase: Phase) -> Question {
    use crate::{SessionId, time::Timestamp};
    Question {
        id: QuestionId(uuid::Uuid::nil()),
        session_id: SessionId(uuid::Uuid::nil()),
        dimension: "living".into(),
        sub_element: None,
        prompt: "Apa?".into(),
        kind: QuestionKind::Problems,
        vote_budget: VoteBudget::DEFAULT,
        phase,
        position: 0,
        created_at: Timestamp(0),
        hide_tallies: false,
        tallies_revealed: false,
        cards_while_voting: false,
        votes_while_collecting: false,
        timer_ends_at: None,
        voting_mode: VotingMode::Both,
    }
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
    fn kinds_and_voting_modes_parse_from_form_values() {
        for kind in [QuestionKind::Problems, QuestionKind::Ideas] {
            assert_eq!(format!(" {} ", kind.as_str()).parse(), Ok(kind));
        }
        assert_eq!(
            "".parse::<QuestionKind>(),
            Err(AppError::invalid(Field::Kind, Problem::Required))
        );
        assert_eq!(
            "Problems".parse::<QuestionKind>(),
            Err(AppError::invalid(Field::Kind, Problem::Unknown))
        );
        for (value, mode) in [
            ("dots", VotingMode::Dots),
            ("scores", VotingMode::Scores),
            ("usg", VotingMode::Scores),
            ("rating", VotingMode::Scores),
            (" both", VotingMode::Both),
            ("", VotingMode::Both),
        ] {
            assert_eq!(value.parse(), Ok(mode), "{value:?}");
        }
        assert_eq!(
            "all".parse::<VotingMode>(),
            Err(AppError::invalid(Field::VotingMode, Problem::Unknown))
        );
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

    fn question(phase: Phase) -> Question {
        sample_question(phase)
    }

    #[test]
    fn settings_can_open_cards_while_voting_and_votes_while_collecting() {
        let mut q = question(Phase::Voting);
        assert!(!q.allows(Action::SubmitCard));
        q.cards_while_voting = true;
        assert!(q.allows(Action::SubmitCard));
        let mut q = question(Phase::Collecting);
        assert!(!q.allows(Action::Vote));
        q.votes_while_collecting = true;
        assert!(q.allows(Action::Vote));
        let mut q = question(Phase::Closed);
        q.cards_while_voting = true;
        q.votes_while_collecting = true;
        assert!(
            !q.allows(Action::Vote) && !q.allows(Action::SubmitCard),
            "closed is closed"
        );
    }

    #[test]
    fn hidden_tallies_show_once_closed_and_on_the_projector_when_revealed() {
        let mut q = question(Phase::Voting);
        assert!(q.tallies_public());
        q.hide_tallies = true;
        assert!(!q.tallies_public() && !q.tallies_on_projector());
        q.tallies_revealed = true;
        assert!(!q.tallies_public() && q.tallies_on_projector());
        q.phase = Phase::Closed;
        assert!(q.tallies_public());
    }

    #[test]
    fn settings_change_only_what_is_given() {
        let mut q = question(Phase::Voting);
        assert!(!QuestionSettings::default().apply(&mut q));
        assert!(
            QuestionSettings {
                hide_tallies: Some(true),
                ..Default::default()
            }
            .apply(&mut q)
        );
        assert!(q.hide_tallies && !q.cards_while_voting);
        assert!(
            !QuestionSettings {
                hide_tallies: Some(true),
                ..Default::default()
            }
            .apply(&mut q)
        );
    }

    #[test]
    fn timers_are_bounded_and_zero_clears() {
        assert_eq!(parse_timer_seconds(0).unwrap(), None);
        assert_eq!(parse_timer_seconds(90).unwrap(), Some(90));
        assert!(parse_timer_seconds(-1).is_err());
        assert!(parse_timer_seconds(MAX_TIMER_SECONDS + 1).is_err());
    }

    #[test]
    fn a_kind_maps_to_its_card_kind() {
        assert_eq!(QuestionKind::Problems.card_kind(), CardKind::Problem);
        assert_eq!(QuestionKind::Ideas.card_kind(), CardKind::Idea);
        assert!("Problems".parse::<QuestionKind>().is_err());
    }
}
