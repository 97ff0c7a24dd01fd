//! The vote arithmetic of moderation: what happens to dots when a card is
//! hidden, restored, merged, or a merge is undone.
//!
//! The rules, which the service applies in its transactions:
//! - dots on a card that is not visible (hidden, merged, pending) are
//!   suspended: they stay stored, but do not count towards the tally or
//!   the participant's budget, so hiding a card gives its dots back;
//! - when a card becomes visible again (restore, undo of a merge), each
//!   participant gets back at most what still fits their budget
//!   ([`restored_dots`]): nobody ends up over budget because they spent the
//!   freed dots meanwhile;
//! - a merged card gets, per participant, the sum of their dots on the
//!   cards it replaces ([`merged_dots`]), which already fitted the budget.

use std::collections::HashSet;

use crate::{
    AppError, CardId, Field, Problem,
    card::{Card, CardStatus},
    question::VoteBudget,
};

/// A merge: its id (to undo it) and the merged card.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Merged {
    pub merge_id: String,
    pub card: Card,
}

/// Dots a participant gets back on a card that becomes visible again:
/// what they had, as far as the budget still allows.
pub fn restored_dots(budget: VoteBudget, used_elsewhere: u32, suspended: u32) -> u32 {
    suspended.min(budget.get().saturating_sub(used_elsewhere))
}

/// A participant's dots on a merged card: the sum of their dots on the
/// cards it replaces.
pub fn merged_dots(sources: &[u32]) -> u32 {
    sources.iter().sum()
}

/// Most cards merged at once.
pub const MAX_MERGE: usize = 20;

/// Checks that cards can be merged: at least two distinct cards, all of
/// one question, none already merged away.
pub fn check_merge(cards: &[Card]) -> Result<(), AppError> {
    let ids: HashSet<CardId> = cards.iter().map(|c| c.id).collect();
    if ids.len() != cards.len() {
        return Err(AppError::invalid(Field::Cards, Problem::Duplicate));
    }
    if cards.len() < 2 {
        return Err(AppError::invalid(
            Field::Cards,
            Problem::TooShort { min: 2 },
        ));
    }
    if cards.len() > MAX_MERGE {
        return Err(AppError::invalid(
            Field::Cards,
            Problem::TooLong {
                max: MAX_MERGE as u32,
            },
        ));
    }
    let question = cards[0].question_id;
    if cards
        .iter()
        .any(|c| c.question_id != question || c.kind != cards[0].kind)
    {
        return Err(AppError::invalid(Field::Cards, Problem::WrongKind));
    }
    if cards.iter().any(|c| c.status == CardStatus::Merged) {
        return Err(AppError::invalid(Field::Cards, Problem::Unknown));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vote::check_budget;
    use proptest::prelude::*;
    use std::collections::HashMap;

    const BUDGET: u32 = 3;

    fn budget() -> VoteBudget {
        VoteBudget::parse(i64::from(BUDGET)).unwrap()
    }

    #[test]
    fn restoring_gives_back_only_what_fits() {
        assert_eq!(restored_dots(budget(), 0, 2), 2);
        assert_eq!(restored_dots(budget(), 2, 2), 1);
        assert_eq!(restored_dots(budget(), 3, 2), 0);
        assert_eq!(restored_dots(budget(), 5, 2), 0, "even when already over");
    }

    #[test]
    fn a_merged_card_sums_each_participants_dots() {
        assert_eq!(merged_dots(&[1, 2]), 3);
        assert_eq!(merged_dots(&[]), 0);
    }

    /// A model of one question's board, run through the same rules as the
    /// service: cards with a status, stored dots per participant and card.
    #[derive(Debug, Default)]
    struct Board {
        visible: Vec<bool>,
        dots: HashMap<(usize, usize), u32>,
        merges: Vec<(usize, Vec<usize>, bool)>,
    }

    #[derive(Clone, Debug)]
    enum Op {
        Vote { p: usize, card: usize, dots: u32 },
        Hide(usize),
        Restore(usize),
        Merge(Vec<usize>),
        Undo(usize),
    }

    impl Board {
        fn used_elsewhere(&self, p: usize, card: usize) -> u32 {
            self.dots
                .iter()
                .filter(|((pp, c), _)| *pp == p && *c != card && self.visible[*c])
                .map(|(_, d)| d)
                .sum()
        }

        fn make_visible(&mut self, card: usize, participants: usize) {
            self.visible[card] = true;
            for p in 0..participants {
                if let Some(d) = self.dots.get(&(p, card)).copied() {
                    let back = restored_dots(budget(), self.used_elsewhere(p, card), d);
                    self.dots.insert((p, card), back);
                }
            }
        }

        fn apply(&mut self, op: Op, participants: usize) {
            let n = self.visible.len();
            match op {
                Op::Vote { p, card, dots } if card < n && self.visible[card] => {
                    let current = self.dots.get(&(p, card)).copied().unwrap_or(0);
                    if check_budget(budget(), current, self.used_elsewhere(p, card), dots).is_ok() {
                        self.dots.insert((p, card), dots);
                    }
                }
                Op::Hide(card) if card < n => self.visible[card] = false,
                Op::Restore(card)
                    if card < n
                        && !self.visible[card]
                        && !self
                            .merges
                            .iter()
                            .any(|(_, s, live)| *live && s.contains(&card)) =>
                {
                    self.make_visible(card, participants);
                }
                Op::Merge(sources) => {
                    let mut sources: Vec<usize> = sources
                        .into_iter()
                        .filter(|c| *c < n && self.visible[*c])
                        .collect();
                    sources.sort();
                    sources.dedup();
                    if sources.len() < 2 {
                        return;
                    }
                    let merged = self.visible.len();
                    self.visible.push(true);
                    for p in 0..participants {
                        let per: Vec<u32> = sources
                            .iter()
                            .map(|c| self.dots.get(&(p, *c)).copied().unwrap_or(0))
                            .collect();
                        let d = merged_dots(&per);
                        if d > 0 {
                            self.dots.insert((p, merged), d);
                        }
                    }
                    for c in &sources {
                        self.visible[*c] = false;
                    }
                    self.merges.push((merged, sources, true));
                }
                Op::Undo(i) if i < self.merges.len() && self.merges[i].2 => {
                    let (merged, sources, _) = self.merges[i].clone();
                    self.merges[i].2 = false;
                    self.visible[merged] = false;
                    self.dots.retain(|(_, c), _| *c != merged);
                    for c in sources {
                        self.make_visible(c, participants);
                    }
                }
                _ => {}
            }
        }

        fn check(&self, participants: usize) {
            for p in 0..participants {
                let used: u32 = self
                    .dots
                    .iter()
                    .filter(|((pp, c), _)| *pp == p && self.visible[*c])
                    .map(|(_, d)| d)
                    .sum();
                assert!(
                    used <= BUDGET,
                    "participant {p} uses {used} of {BUDGET}: {self:?}"
                );
            }
        }
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..4usize, 0..8usize, 0..=4u32).prop_map(|(p, card, dots)| Op::Vote { p, card, dots }),
            1 => (0..8usize).prop_map(Op::Hide),
            1 => (0..8usize).prop_map(Op::Restore),
            1 => prop::collection::vec(0..8usize, 2..4).prop_map(Op::Merge),
            1 => (0..4usize).prop_map(Op::Undo),
        ]
    }

    proptest! {
        /// Any sequence of votes, hides, restores, merges and undos keeps
        /// every participant within budget.
        #[test]
        fn moderation_never_pushes_anyone_over_budget(ops in prop::collection::vec(op(), 1..60)) {
            let participants = 4;
            let mut board = Board { visible: vec![true; 5], ..Default::default() };
            for op in ops {
                board.apply(op, participants);
                board.check(participants);
            }
        }
    }

    fn card(n: u128, q: u128) -> Card {
        Card {
            text: "x".into(),
            created_at: crate::time::Timestamp(0),
            ..crate::card::sample_card(n, q)
        }
    }

    #[test]
    fn merges_need_two_cards_of_one_question() {
        assert!(check_merge(&[card(1, 1), card(2, 1)]).is_ok());
        assert_eq!(
            check_merge(&[card(1, 1)]),
            Err(AppError::invalid(
                Field::Cards,
                Problem::TooShort { min: 2 }
            ))
        );
        assert_eq!(
            check_merge(&[card(1, 1), card(1, 1)]),
            Err(AppError::invalid(Field::Cards, Problem::Duplicate))
        );
        assert_eq!(
            check_merge(&[card(1, 1), card(2, 2)]),
            Err(AppError::invalid(Field::Cards, Problem::WrongKind))
        );
        let mut gone = card(3, 1);
        gone.status = CardStatus::Merged;
        assert!(check_merge(&[card(1, 1), gone]).is_err());
    }
}
