//! Dot voting: each participant spends a small budget of dots per question,
//! may put several on one card, and may take them back.

use serde::{Deserialize, Serialize};

use crate::{AppError, CardId, Field, Problem, QuestionId, question::VoteBudget};

/// Checks the dots a participant asks to have on one card.
pub fn parse_dots(n: i64) -> Result<u32, AppError> {
    let max = i64::from(VoteBudget::MAX);
    if (0..=max).contains(&n) {
        Ok(n as u32)
    } else {
        Err(AppError::invalid(
            Field::Dots,
            Problem::OutOfRange { min: 0, max },
        ))
    }
}

/// Decides whether a participant may have `requested` dots on a card.
///
/// `current` is what they have on that card now, `elsewhere` what they
/// have on the question's other cards. Lowering is always allowed, even if
/// the budget shrank meanwhile, so nobody is stuck with dots they cannot
/// take back; raising must keep the question's total within the budget.
pub fn check_budget(
    budget: VoteBudget,
    current: u32,
    elsewhere: u32,
    requested: u32,
) -> Result<(), AppError> {
    if requested <= current || elsewhere.saturating_add(requested) <= budget.get() {
        Ok(())
    } else {
        Err(AppError::OverBudget {
            budget: budget.get(),
            used_elsewhere: elsewhere,
            requested,
        })
    }
}

/// What a participant's vote changed, as the API answers it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteOutcome {
    pub card_id: CardId,
    pub question_id: QuestionId,
    /// The caller's dots on this card now.
    pub dots: u32,
    /// All dots on this card now (absent while the question hides its
    /// tallies from participants).
    pub total: Option<u32>,
    /// The question's budget.
    pub budget: u32,
    /// The caller's dots on the whole question now.
    pub used: u32,
    /// Dots the caller has left on this question.
    pub remaining: u32,
    /// The session event that carries the new tally (0 when nothing
    /// changed); a phone that has seen this event id shows this vote.
    pub seq: u64,
}

crate::json_struct!(VoteOutcome {
    card_id,
    question_id,
    dots,
    total,
    budget,
    used,
    remaining,
    seq,
});

#[cfg(test)]
mod tests {
    use super::*;

    fn b(n: i64) -> VoteBudget {
        VoteBudget::parse(n).unwrap()
    }

    #[test]
    fn dots_fit_the_budget_across_cards() {
        assert!(check_budget(b(3), 0, 0, 3).is_ok());
        assert!(check_budget(b(3), 0, 2, 1).is_ok());
        assert_eq!(
            check_budget(b(3), 0, 2, 2),
            Err(AppError::OverBudget {
                budget: 3,
                used_elsewhere: 2,
                requested: 2
            })
        );
    }

    #[test]
    fn several_dots_on_one_card_are_allowed() {
        assert!(check_budget(b(3), 1, 0, 3).is_ok());
        assert!(check_budget(b(3), 1, 0, 4).is_err());
    }

    #[test]
    fn taking_dots_back_is_always_allowed() {
        assert!(check_budget(b(3), 2, 1, 0).is_ok());
        // The budget was lowered to 1 after the participant spent 3.
        assert!(check_budget(b(1), 2, 1, 1).is_ok());
        assert!(check_budget(b(1), 2, 1, 2).is_ok());
        assert!(check_budget(b(1), 2, 1, 3).is_err());
    }

    #[test]
    fn dots_are_whole_and_bounded() {
        assert_eq!(parse_dots(0).unwrap(), 0);
        assert_eq!(parse_dots(20).unwrap(), 20);
        assert!(parse_dots(-1).is_err());
        assert!(parse_dots(21).is_err());
    }

    /// Any sequence of set-dots requests keeps a participant within budget,
    /// and the total equals the sum of what was accepted.
    #[test]
    fn random_vote_sequences_never_exceed_the_budget() {
        let budget = b(3);
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200 {
            let mut mine = [0u32; 5];
            for _ in 0..50 {
                let card = (next() % 5) as usize;
                let requested = (next() % 5) as u32;
                let elsewhere: u32 = mine
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != card)
                    .map(|(_, d)| d)
                    .sum();
                if check_budget(budget, mine[card], elsewhere, requested).is_ok() {
                    mine[card] = requested;
                }
                assert!(mine.iter().sum::<u32>() <= budget.get(), "{mine:?}");
            }
        }
    }
}
