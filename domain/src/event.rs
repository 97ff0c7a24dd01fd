//! What happens in a session, as stored and as sent live.
//!
//! Every committed change gets the session's next sequence number and is
//! stored as a [`Change`]. Live connections receive [`LiveEvent`]s built
//! from runs of changes by [`coalesce`]: changes that carry absolute counts
//! (a card's tally, a group's head-count) are folded so that a burst of a
//! thousand votes becomes one message, while every other change passes
//! through in order. Because counts are absolute, folding never loses
//! information: the state after a folded event is the state after its last
//! change.

use serde::{Deserialize, Serialize};

use crate::{
    CardId, QuestionId,
    card::Card,
    question::{Phase, Question},
};

/// One committed change to a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A question was posted.
    QuestionAdded { question: Question },
    /// A question moved to another phase.
    PhaseChanged {
        question_id: QuestionId,
        phase: Phase,
    },
    /// A card was submitted.
    CardAdded { card: Card },
    /// A card's total dots are now `dots`.
    Tally { card_id: CardId, dots: u32 },
    /// A stakeholder group now has `count` participants.
    Joined { group: String, count: u32 },
}

impl Change {
    /// Whether the change only restates a count, so that a later change of
    /// the same count supersedes it.
    pub fn is_count(&self) -> bool {
        matches!(self, Change::Tally { .. } | Change::Joined { .. })
    }

    /// A short name for logs and the events table.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::QuestionAdded { .. } => "question_added",
            Change::PhaseChanged { .. } => "phase_changed",
            Change::CardAdded { .. } => "card_added",
            Change::Tally { .. } => "tally",
            Change::Joined { .. } => "joined",
        }
    }
}

/// A change with its place in the session's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub seq: u64,
    pub change: Change,
}

/// A card's tally.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardTally {
    pub card_id: CardId,
    pub dots: u32,
}

/// A stakeholder group's head-count.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCount {
    pub group: String,
    pub count: u32,
}

/// What a live connection receives, as the `data` of one Server-Sent
/// Event whose `id` is the sequence number of the last change it covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// The stream starts at `seq`; nothing before it will be sent.
    Ready {
        seq: u64,
    },
    /// The client missed too much: fetch the snapshot again, then resume
    /// from its `seq`.
    Resync {
        seq: u64,
    },
    QuestionAdded {
        question: Question,
    },
    PhaseChanged {
        question_id: QuestionId,
        phase: Phase,
    },
    CardAdded {
        card: Card,
    },
    /// New totals for some cards and groups (only those that changed).
    Counts {
        cards: Vec<CardTally>,
        groups: Vec<GroupCount>,
    },
}

/// A live event together with the range of sequence numbers it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub first_seq: u64,
    pub last_seq: u64,
    pub event: LiveEvent,
}

/// Turns consecutive stored events into live frames, folding each run of
/// count changes into one [`LiveEvent::Counts`] that keeps the latest count
/// per card and group (in order of first appearance).
pub fn coalesce(events: &[StoredEvent]) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut run: Option<(u64, u64, Vec<CardTally>, Vec<GroupCount>)> = None;
    let flush = |run: &mut Option<(u64, u64, Vec<CardTally>, Vec<GroupCount>)>,
                 frames: &mut Vec<Frame>| {
        if let Some((first_seq, last_seq, cards, groups)) = run.take() {
            frames.push(Frame {
                first_seq,
                last_seq,
                event: LiveEvent::Counts { cards, groups },
            });
        }
    };
    for ev in events {
        match &ev.change {
            Change::Tally { card_id, dots } => {
                let (_, last, cards, _) =
                    run.get_or_insert_with(|| (ev.seq, ev.seq, vec![], vec![]));
                *last = ev.seq;
                match cards.iter_mut().find(|t| t.card_id == *card_id) {
                    Some(t) => t.dots = *dots,
                    None => cards.push(CardTally {
                        card_id: *card_id,
                        dots: *dots,
                    }),
                }
            }
            Change::Joined { group, count } => {
                let (_, last, _, groups) =
                    run.get_or_insert_with(|| (ev.seq, ev.seq, vec![], vec![]));
                *last = ev.seq;
                match groups.iter_mut().find(|g| g.group == *group) {
                    Some(g) => g.count = *count,
                    None => groups.push(GroupCount {
                        group: group.clone(),
                        count: *count,
                    }),
                }
            }
            other => {
                flush(&mut run, &mut frames);
                let event = match other.clone() {
                    Change::QuestionAdded { question } => LiveEvent::QuestionAdded { question },
                    Change::PhaseChanged { question_id, phase } => {
                        LiveEvent::PhaseChanged { question_id, phase }
                    }
                    Change::CardAdded { card } => LiveEvent::CardAdded { card },
                    Change::Tally { .. } | Change::Joined { .. } => {
                        unreachable!("counts are folded above")
                    }
                };
                frames.push(Frame {
                    first_seq: ev.seq,
                    last_seq: ev.seq,
                    event,
                });
            }
        }
    }
    flush(&mut run, &mut frames);
    frames
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn tally(seq: u64, card: u128, dots: u32) -> StoredEvent {
        StoredEvent {
            seq,
            change: Change::Tally {
                card_id: CardId(Uuid::from_u128(card)),
                dots,
            },
        }
    }

    fn phase(seq: u64) -> StoredEvent {
        StoredEvent {
            seq,
            change: Change::PhaseChanged {
                question_id: QuestionId(Uuid::nil()),
                phase: Phase::Voting,
            },
        }
    }

    #[test]
    fn a_burst_of_tallies_becomes_one_frame_with_the_latest_totals() {
        let events: Vec<_> = (1..=1000)
            .map(|i| tally(i, u128::from(i % 3), i as u32))
            .collect();
        let frames = coalesce(&events);
        assert_eq!(frames.len(), 1);
        assert_eq!((frames[0].first_seq, frames[0].last_seq), (1, 1000));
        let LiveEvent::Counts { cards, groups } = &frames[0].event else {
            panic!()
        };
        assert!(groups.is_empty());
        assert_eq!(cards.len(), 3);
        assert_eq!(
            cards
                .iter()
                .find(|t| t.card_id == CardId(Uuid::from_u128(1)))
                .unwrap()
                .dots,
            1000
        );
        assert_eq!(
            cards
                .iter()
                .find(|t| t.card_id == CardId(Uuid::from_u128(0)))
                .unwrap()
                .dots,
            999
        );
    }

    #[test]
    fn other_changes_keep_their_order_and_split_runs() {
        let events = vec![tally(1, 1, 1), tally(2, 1, 2), phase(3), tally(4, 1, 3)];
        let frames = coalesce(&events);
        let spans: Vec<_> = frames.iter().map(|f| (f.first_seq, f.last_seq)).collect();
        assert_eq!(spans, [(1, 2), (3, 3), (4, 4)]);
        assert!(matches!(frames[1].event, LiveEvent::PhaseChanged { .. }));
    }

    #[test]
    fn frames_cover_every_sequence_number_exactly_once() {
        let events: Vec<_> = (1..=50)
            .map(|i| {
                if i % 7 == 0 {
                    phase(i)
                } else {
                    tally(i, u128::from(i % 4), i as u32)
                }
            })
            .collect();
        let frames = coalesce(&events);
        let mut expected = 1;
        for f in &frames {
            assert_eq!(f.first_seq, expected);
            assert!(f.last_seq >= f.first_seq);
            expected = f.last_seq + 1;
        }
        assert_eq!(expected, 51);
    }

    #[test]
    fn joins_fold_per_group() {
        let events = vec![
            StoredEvent {
                seq: 5,
                change: Change::Joined {
                    group: "media".into(),
                    count: 1,
                },
            },
            StoredEvent {
                seq: 6,
                change: Change::Joined {
                    group: "academia".into(),
                    count: 1,
                },
            },
            StoredEvent {
                seq: 7,
                change: Change::Joined {
                    group: "media".into(),
                    count: 2,
                },
            },
        ];
        let frames = coalesce(&events);
        let LiveEvent::Counts { groups, .. } = &frames[0].event else {
            panic!()
        };
        assert_eq!(
            groups,
            &vec![
                GroupCount {
                    group: "media".into(),
                    count: 2
                },
                GroupCount {
                    group: "academia".into(),
                    count: 1
                }
            ]
        );
    }

    #[test]
    fn live_events_serialise_with_a_type_tag() {
        let json = serde_json::to_value(LiveEvent::Resync { seq: 9 }).unwrap();
        assert_eq!(json, serde_json::json!({"type": "resync", "seq": 9}));
        let change = Change::Tally {
            card_id: CardId(Uuid::nil()),
            dots: 2,
        };
        let back: Change = serde_json::from_str(&serde_json::to_string(&change).unwrap()).unwrap();
        assert_eq!(back, change);
    }
}
