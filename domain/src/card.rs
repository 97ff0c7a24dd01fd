//! Problem and idea cards.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{
    AppError, CardId, Field, Lang, Problem, QuestionId, SessionId,
    question::QuestionKind,
    rating::{IdeaScore, Programme, UsgScore},
    text::{self, CARD_TEXT},
    time::Timestamp,
    wire::Tag,
};

/// What a card holds.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    Problem,
    Idea,
}

crate::tags!(CardKind {
    Problem = "problem",
    Idea = "idea",
});

impl CardKind {
    /// The API name (`problem` / `idea`).
    pub fn as_str(self) -> &'static str {
        Tag::name(self)
    }

    /// Label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CardKind::Problem => lang.t().kind_problem(),
            CardKind::Idea => lang.t().kind_idea(),
        }
    }
}

impl FromStr for CardKind {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            "" => Err(AppError::invalid(Field::Kind, Problem::Required)),
            name => Tag::from_name(name).ok_or(AppError::invalid(Field::Kind, Problem::Unknown)),
        }
    }
}

/// Where a card stands in moderation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    /// Everyone sees it.
    #[default]
    Visible,
    /// Waiting for a facilitator's approval (pre-moderation); only staff and
    /// its writer see it.
    Pending,
    /// Hidden by a facilitator (with a reason); its votes are suspended.
    Hidden,
    /// Merged into another card; its votes moved there.
    Merged,
}

crate::tags!(CardStatus {
    Visible = "visible",
    Pending = "pending",
    Hidden = "hidden",
    Merged = "merged",
});

impl CardStatus {
    /// The API name.
    pub fn as_str(self) -> &'static str {
        Tag::name(self)
    }
}

impl FromStr for CardStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "visible" => Ok(CardStatus::Visible),
            "pending" => Ok(CardStatus::Pending),
            "hidden" => Ok(CardStatus::Hidden),
            "merged" => Ok(CardStatus::Merged),
            _ => Err(()),
        }
    }
}

/// A card. Participants see it without its author (only their stakeholder
/// group) and without the moderation fields; staff see everything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Card {
    pub id: CardId,
    pub question_id: QuestionId,
    pub session_id: SessionId,
    pub kind: CardKind,
    pub text: String,
    /// The stakeholder group of whoever wrote it.
    pub group: String,
    /// Problem cards this idea answers (always empty for problems).
    pub answers: Vec<CardId>,
    /// Dots on this card: participants' and those recorded from paper.
    pub dots: u32,
    pub created_at: Timestamp,
    #[serde(default)]
    pub status: CardStatus,
    /// Highlighted on the projector.
    #[serde(default)]
    pub pinned: bool,
    /// Sub-element a facilitator tagged the card with.
    #[serde(default)]
    pub sub_element: Option<String>,
    /// A facilitator typed it in from paper.
    #[serde(default)]
    pub on_behalf: bool,
    /// A facilitator edited the text.
    #[serde(default)]
    pub edited: bool,
    /// The cards merged into this one.
    #[serde(default)]
    pub merged_from: Vec<CardId>,
    /// Staff only: the merge that made this card (to undo it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_id: Option<String>,
    /// Staff only: why it was hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden_reason: Option<String>,
    /// Staff only: the text as written, when a facilitator edited it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_text: Option<String>,
    /// Dots per stakeholder group (participants' and paper).
    #[serde(default)]
    pub dots_by_group: Vec<GroupDots>,
    /// USG result (problem cards that were rated).
    #[serde(default)]
    pub usg: Option<UsgScore>,
    /// Impact/effort result (idea cards that were rated).
    #[serde(default)]
    pub idea_score: Option<IdeaScore>,
    /// Marked by a facilitator as a candidate programme (ideas).
    #[serde(default)]
    pub programme: Option<Programme>,
}

crate::json_struct!(Card {
    id,
    question_id,
    session_id,
    kind,
    text,
    group,
    answers,
    dots,
    created_at,
    status: default,
    pinned: default,
    sub_element: default,
    on_behalf: default,
    edited: default,
    merged_from: default,
    merge_id: default,
    hidden_reason: default,
    original_text: default,
    dots_by_group: default,
    usg: default,
    idea_score: default,
    programme: default,
});

/// A card's dots from one stakeholder group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupDots {
    pub group: String,
    pub dots: u32,
}

crate::json_struct!(GroupDots { group, dots });

impl Card {
    /// Whether everyone sees it.
    pub fn is_visible(&self) -> bool {
        self.status == CardStatus::Visible
    }

    /// The card as participants may see it: no moderation details, no
    /// dots per group (as in [`CardTally::for_participants`]), and no tally
    /// while the question hides tallies.
    ///
    /// [`CardTally::for_participants`]: crate::event::CardTally::for_participants
    pub fn public(&self, tallies_public: bool) -> Card {
        Card {
            hidden_reason: None,
            original_text: None,
            merge_id: None,
            dots: if tallies_public { self.dots } else { 0 },
            dots_by_group: vec![],
            usg: if tallies_public { self.usg } else { None },
            idea_score: if tallies_public {
                self.idea_score
            } else {
                None
            },
            ..self.clone()
        }
    }
}

/// Checks a moderator's reason (for hiding a card).
pub fn parse_reason(raw: Option<&str>) -> Result<Option<String>, AppError> {
    text::clean_optional_line(raw, Field::Reason, text::Limits { min: 2, max: 200 })
}

/// Checks a moderator's edit of a card's text (same limits as writing it).
pub fn parse_text(raw: &str) -> Result<String, AppError> {
    text::clean(raw, Field::Text, CARD_TEXT)
}

/// Most problem cards one idea may point at.
pub const MAX_ANSWERS: usize = 10;

/// A new card, checked against its question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCard {
    pub kind: CardKind,
    pub text: String,
    pub answers: Vec<CardId>,
}

/// Checks a new card. `kind` may be left out and is then the question's;
/// if given it must fit the question. Only ideas may answer problems.
pub fn parse_new_card(
    question_kind: QuestionKind,
    kind: Option<&str>,
    text: &str,
    answers: &[CardId],
) -> Result<NewCard, AppError> {
    let expected = question_kind.card_kind();
    let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => expected,
        Some(k) => k.parse::<CardKind>()?,
    };
    if kind != expected {
        return Err(AppError::invalid(Field::Kind, Problem::WrongKind));
    }
    let text = text::clean(text, Field::Text, CARD_TEXT)?;
    let mut unique = Vec::with_capacity(answers.len());
    for id in answers {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    if kind == CardKind::Problem && !unique.is_empty() {
        return Err(AppError::invalid(Field::Answers, Problem::WrongKind));
    }
    if unique.len() > MAX_ANSWERS {
        return Err(AppError::invalid(
            Field::Answers,
            Problem::TooLong {
                max: MAX_ANSWERS as u32,
            },
        ));
    }
    Ok(NewCard {
        kind,
        text,
        answers: unique,
    })
}

/// Checks that every answered card is a problem card of the same session,
/// given the ids of the problem cards that exist there.
pub fn check_answers(
    answers: &[CardId],
    problem_cards_in_session: &[CardId],
) -> Result<(), AppError> {
    if answers.iter().all(|a| problem_cards_in_session.contains(a)) {
        Ok(())
    } else {
        Err(AppError::invalid(Field::Answers, Problem::Unknown))
    }
}

/// A visible problem card numbered `n` of question `q`, for the unit tests
/// of this crate: no dots, no merges, no scores; the text is "kartu n".
#[cfg(test)]
pub(crate) fn sample_card(n: u128, q: u128) -> Card {
    use crate::{CardId, QuestionId, SessionId, time::Timestamp};
    Card {
        id: CardId(uuid::Uuid::from_u128(n)),
        question_id: QuestionId(uuid::Uuid::from_u128(q)),
        session_id: SessionId(uuid::Uuid::nil()),
        kind: CardKind::Problem,
        text: format!("kartu {n}"),
        group: "media".into(),
        answers: vec![],
        dots: 0,
        created_at: Timestamp(n as i64),
        status: CardStatus::Visible,
        pinned: false,
        sub_element: None,
        on_behalf: false,
        edited: false,
        merged_from: vec![],
        merge_id: None,
        hidden_reason: None,
        original_text: None,
        dots_by_group: vec![],
        usg: None,
        idea_score: None,
        programme: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn id(n: u128) -> CardId {
        CardId(Uuid::from_u128(n))
    }

    #[test]
    fn kind_defaults_to_the_questions() {
        let c = parse_new_card(QuestionKind::Problems, None, "Jalan rusak di Kluet", &[]).unwrap();
        assert_eq!(c.kind, CardKind::Problem);
    }

    #[test]
    fn an_idea_cannot_go_to_a_problems_question() {
        assert_eq!(
            parse_new_card(
                QuestionKind::Problems,
                Some("idea"),
                "Aplikasi lapor jalan",
                &[]
            ),
            Err(AppError::invalid(Field::Kind, Problem::WrongKind))
        );
    }

    #[test]
    fn only_ideas_answer_problems_and_duplicates_collapse() {
        let c = parse_new_card(
            QuestionKind::Ideas,
            Some("idea"),
            "Aplikasi lapor jalan",
            &[id(1), id(1), id(2)],
        )
        .unwrap();
        assert_eq!(c.answers, vec![id(1), id(2)]);
        assert_eq!(
            parse_new_card(QuestionKind::Problems, None, "Jalan rusak", &[id(1)]),
            Err(AppError::invalid(Field::Answers, Problem::WrongKind))
        );
        let many: Vec<_> = (0..11).map(id).collect();
        assert_eq!(
            parse_new_card(QuestionKind::Ideas, None, "Banyak", &many),
            Err(AppError::invalid(
                Field::Answers,
                Problem::TooLong { max: 10 }
            ))
        );
    }

    #[test]
    fn card_text_over_500_characters_is_refused() {
        let long = "a".repeat(501);
        assert_eq!(
            parse_new_card(QuestionKind::Problems, None, &long, &[]),
            Err(AppError::invalid(
                Field::Text,
                Problem::TooLong { max: 500 }
            ))
        );
    }

    #[test]
    fn answers_must_be_problems_of_the_session() {
        assert!(check_answers(&[id(1)], &[id(1), id(2)]).is_ok());
        assert_eq!(
            check_answers(&[id(3)], &[id(1)]),
            Err(AppError::invalid(Field::Answers, Problem::Unknown))
        );
    }
}
