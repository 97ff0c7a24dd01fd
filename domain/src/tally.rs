//! Ranking cards by their dots.

use std::cmp::Ordering;

use crate::card::Card;

/// Orders cards for display: most dots first; ties go to the older card,
/// then to the smaller id, so every screen shows the same order.
pub fn rank_order(a: &Card, b: &Card) -> Ordering {
    b.dots
        .cmp(&a.dots)
        .then_with(|| a.created_at.cmp(&b.created_at))
        .then_with(|| a.id.cmp(&b.id))
}

/// An order of cards ([`rank_order`], [`newest_first`]).
pub type CardOrder = fn(&Card, &Card) -> Ordering;

/// Sorts cards in `order` (stable). Every order goes through this one
/// function-pointer type, so the sort is compiled once for all of them
/// (a stable sort is about 3.5 KB of the phone's WebAssembly per copy).
pub fn sort_cards(cards: &mut [Card], order: CardOrder) {
    cards.sort_by(order);
}

/// Sorts cards into ranking order.
pub fn rank(cards: &mut [Card]) {
    sort_cards(cards, rank_order);
}

/// Orders cards newest first (how a facilitator watches them arrive).
pub fn newest_first(a: &Card, b: &Card) -> Ordering {
    b.created_at
        .cmp(&a.created_at)
        .then_with(|| b.id.cmp(&a.id))
}

/// A bar's length in percent of the largest tally (0 when nobody voted).
pub fn bar_percent(dots: u32, max: u32) -> u32 {
    if max == 0 {
        0
    } else {
        (dots * 100).div_ceil(max).min(100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CardId, time::Timestamp};
    use uuid::Uuid;

    fn card(n: u128, dots: u32, at: i64) -> Card {
        Card {
            text: format!("card {n}"),
            group: "community".into(),
            dots,
            created_at: Timestamp(at),
            ..crate::card::sample_card(n, 0)
        }
    }

    #[test]
    fn more_dots_rank_higher() {
        let mut cards = vec![card(1, 1, 0), card(2, 5, 0), card(3, 3, 0)];
        rank(&mut cards);
        let order: Vec<_> = cards.iter().map(|c| c.dots).collect();
        assert_eq!(order, [5, 3, 1]);
    }

    #[test]
    fn ties_are_broken_by_age_then_id_deterministically() {
        let mut a = vec![card(3, 2, 10), card(2, 2, 5), card(1, 2, 10)];
        let mut b = vec![card(1, 2, 10), card(3, 2, 10), card(2, 2, 5)];
        rank(&mut a);
        rank(&mut b);
        let ids = |v: &[Card]| v.iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a[0].id, CardId(Uuid::from_u128(2)));
        assert_eq!(a[1].id, CardId(Uuid::from_u128(1)));
    }

    #[test]
    fn bars_scale_to_the_leader() {
        assert_eq!(bar_percent(0, 0), 0);
        assert_eq!(bar_percent(5, 10), 50);
        assert_eq!(bar_percent(10, 10), 100);
        assert_eq!(bar_percent(1, 3), 34);
    }
}
