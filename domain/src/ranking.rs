//! Reading results per stakeholder group: breadth, equal group weights,
//! balance warnings and minority views. Only aggregates per group are
//! used; nothing here knows who voted for what.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{CardId, card::Card, tally};

/// How many of a group's top cards count towards a card's breadth.
pub const BREADTH_TOP_N: usize = 5;
/// Below this share of participants or votes a group is under-represented.
pub const UNDER_REPRESENTED: f64 = 0.10;

/// A card's dots from one group.
fn group_dots(card: &Card, group: &str) -> u32 {
    card.dots_by_group
        .iter()
        .find(|g| g.group == group)
        .map_or(0, |g| g.dots)
}

/// A group's ranking of the cards it gave dots to (most first; ties in the
/// overall order).
pub fn group_ranking<'a>(cards: &'a [Card], group: &str) -> Vec<&'a Card> {
    let mut mine: Vec<&Card> = cards.iter().filter(|c| group_dots(c, group) > 0).collect();
    mine.sort_by(|a, b| {
        group_dots(b, group)
            .cmp(&group_dots(a, group))
            .then_with(|| tally::rank_order(a, b))
    });
    mine
}

/// For each card, in how many groups' top `top_n` it is.
pub fn breadth(cards: &[Card], groups: &[String], top_n: usize) -> HashMap<CardId, u32> {
    let mut out: HashMap<CardId, u32> = cards.iter().map(|c| (c.id, 0)).collect();
    for g in groups {
        for c in group_ranking(cards, g).into_iter().take(top_n) {
            *out.entry(c.id).or_default() += 1;
        }
    }
    out
}

/// Each card's score when every group that voted weighs the same: the mean,
/// over those groups, of the share of the group's dots the card got
/// (0–1). A large group cannot outvote a small one.
pub fn equal_weight_scores(cards: &[Card], groups: &[String]) -> HashMap<CardId, f64> {
    let totals: Vec<(&String, u32)> = groups
        .iter()
        .map(|g| (g, cards.iter().map(|c| group_dots(c, g)).sum::<u32>()))
        .filter(|(_, total)| *total > 0)
        .collect();
    let n = totals.len().max(1) as f64;
    cards
        .iter()
        .map(|c| {
            let score: f64 = totals
                .iter()
                .map(|(g, total)| f64::from(group_dots(c, g)) / f64::from(*total))
                .sum();
            (c.id, score / n)
        })
        .collect()
}

/// Cards ranked as if every group had the same total weight; ties fall
/// back to dots, then to the usual order.
pub fn rank_equal_weight(cards: &mut [Card], groups: &[String]) {
    let scores = equal_weight_scores(cards, groups);
    cards.sort_by(|a, b| {
        scores[&b.id]
            .total_cmp(&scores[&a.id])
            .then_with(|| tally::rank_order(a, b))
    });
}

/// A group with too small a share of the room or of the votes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Imbalance {
    pub group: String,
    /// Share of participants (0–1).
    pub participants: f64,
    /// Share of dots (0–1).
    pub votes: f64,
}

/// Groups under [`UNDER_REPRESENTED`] of participants or of dots (only
/// once anyone joined or voted).
pub fn imbalances(
    groups: &[String],
    participants: &HashMap<String, u32>,
    dots: &HashMap<String, u32>,
) -> Vec<Imbalance> {
    let total_p: u32 = participants.values().sum();
    let total_d: u32 = dots.values().sum();
    if total_p == 0 {
        return vec![];
    }
    groups
        .iter()
        .filter_map(|g| {
            let p = f64::from(participants.get(g).copied().unwrap_or(0)) / f64::from(total_p);
            let d = if total_d == 0 {
                1.0
            } else {
                f64::from(dots.get(g).copied().unwrap_or(0)) / f64::from(total_d)
            };
            (p < UNDER_REPRESENTED || d < UNDER_REPRESENTED).then(|| Imbalance {
                group: g.clone(),
                participants: (p * 1000.0).round() / 1000.0,
                votes: if total_d == 0 {
                    0.0
                } else {
                    (d * 1000.0).round() / 1000.0
                },
            })
        })
        .collect()
}

/// A card one group ranks high that the room as a whole does not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MinorityView {
    pub card_id: CardId,
    pub group: String,
}

/// Cards in some group's top `group_top` that are outside the overall top
/// `overall_top`: views a report should not lose.
pub fn minority_views(
    cards: &[Card],
    groups: &[String],
    overall_top: usize,
    group_top: usize,
) -> Vec<MinorityView> {
    let mut ranked: Vec<&Card> = cards.iter().collect();
    ranked.sort_by(|a, b| tally::rank_order(a, b));
    let top: Vec<CardId> = ranked.iter().take(overall_top).map(|c| c.id).collect();
    let mut out = Vec::new();
    for g in groups {
        for c in group_ranking(cards, g).into_iter().take(group_top) {
            if !top.contains(&c.id) {
                out.push(MinorityView {
                    card_id: c.id,
                    group: g.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::GroupDots;
    use uuid::Uuid;

    fn card(n: u128, by_group: &[(&str, u32)]) -> Card {
        Card {
            dots: by_group.iter().map(|(_, d)| d).sum(),
            dots_by_group: by_group
                .iter()
                .map(|(g, d)| GroupDots {
                    group: (*g).into(),
                    dots: *d,
                })
                .collect(),
            ..crate::card::sample_card(n, 0)
        }
    }

    fn groups() -> Vec<String> {
        ["government", "academia", "business", "community", "media"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn breadth_counts_the_groups_that_rank_a_card_high() {
        let cards = vec![
            card(
                1,
                &[
                    ("government", 1),
                    ("academia", 1),
                    ("business", 1),
                    ("community", 1),
                    ("media", 1),
                ],
            ),
            card(2, &[("government", 30)]),
        ];
        let b = breadth(&cards, &groups(), 1);
        assert_eq!(b[&cards[0].id], 4, "first in every group but government");
        assert_eq!(b[&cards[1].id], 1);
    }

    #[test]
    fn equal_weights_stop_a_large_group_outvoting_the_rest() {
        // Government (large) puts 30 dots on card 2; four small groups put
        // 2 dots each on card 1.
        let mut cards = vec![
            card(
                1,
                &[
                    ("academia", 2),
                    ("business", 2),
                    ("community", 2),
                    ("media", 2),
                ],
            ),
            card(2, &[("government", 30)]),
        ];
        let mut by_dots = cards.clone();
        tally::rank(&mut by_dots);
        assert_eq!(by_dots[0].id, cards[1].id, "by raw dots the big group wins");
        rank_equal_weight(&mut cards, &groups());
        assert_eq!(
            cards[0].id,
            CardId(Uuid::from_u128(1)),
            "with equal weights the breadth wins"
        );
        let s = equal_weight_scores(&cards, &groups());
        assert!((s[&CardId(Uuid::from_u128(1))] - 0.8).abs() < 1e-9);
    }

    #[test]
    fn equal_weight_ties_are_deterministic() {
        let a = vec![card(2, &[("media", 1)]), card(1, &[("media", 1)])];
        let b = vec![card(1, &[("media", 1)]), card(2, &[("media", 1)])];
        let (mut a, mut b) = (a, b);
        rank_equal_weight(&mut a, &groups());
        rank_equal_weight(&mut b, &groups());
        assert_eq!(
            a.iter().map(|c| c.id).collect::<Vec<_>>(),
            b.iter().map(|c| c.id).collect::<Vec<_>>()
        );
        assert_eq!(a[0].id, CardId(Uuid::from_u128(1)), "older card first");
    }

    #[test]
    fn small_groups_are_flagged() {
        let participants: HashMap<String, u32> = [
            ("government", 30),
            ("academia", 10),
            ("business", 8),
            ("community", 10),
            ("media", 2),
        ]
        .map(|(g, n)| (g.to_string(), n))
        .into();
        let dots: HashMap<String, u32> = [
            ("government", 90),
            ("academia", 30),
            ("business", 5),
            ("community", 30),
            ("media", 6),
        ]
        .map(|(g, n)| (g.to_string(), n))
        .into();
        let flagged: Vec<String> = imbalances(&groups(), &participants, &dots)
            .into_iter()
            .map(|i| i.group)
            .collect();
        assert_eq!(flagged, ["business", "media"]);
        assert!(imbalances(&groups(), &HashMap::new(), &HashMap::new()).is_empty());
    }

    #[test]
    fn minority_views_are_kept() {
        let mut cards: Vec<Card> = (1..=5)
            .map(|n| card(n, &[("government", 10 - n as u32)]))
            .collect();
        cards.push(card(9, &[("media", 1)]));
        let views = minority_views(&cards, &groups(), 3, 1);
        assert_eq!(
            views,
            vec![MinorityView {
                card_id: CardId(Uuid::from_u128(9)),
                group: "media".into()
            }]
        );
    }
}
