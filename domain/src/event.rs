//! What happens in a session, as stored and as sent live.
//!
//! Every committed change gets the session's next sequence number and is
//! stored as a [`StoredEvent`]: the [`Change`] as staff see it, and what
//! participants may see of it ([`Visibility`]) — a pending card, a tally of
//! a question that hides its tallies, a moderator's reason are for staff
//! only. Live connections receive [`Frame`]s built by [`coalesce`]: runs of
//! changes that carry absolute counts (a card's tally, a group's
//! head-count) are folded so that a burst of a thousand votes becomes one
//! message, every other change passes through in order, and each frame has
//! a staff and a participant version covering the same sequence numbers,
//! so both kinds of connection can resume from the same `Last-Event-ID`.
//! Because counts are absolute, folding never loses information.

use serde::{Deserialize, Serialize};

use crate::{
    CardId, QuestionId,
    card::{Card, GroupDots},
    question::{Phase, Question},
    rating::{IdeaScore, UsgScore},
    wire::{WireError, need},
};

/// One committed change to a session, as staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A question was posted.
    QuestionAdded { question: Question },
    /// A question's settings or countdown changed.
    QuestionUpdated { question: Question },
    /// A question moved to another phase.
    PhaseChanged {
        question_id: QuestionId,
        phase: Phase,
    },
    /// A card was submitted.
    CardAdded { card: Card },
    /// A card was moderated (approved, hidden, restored, edited, pinned,
    /// tagged, merged).
    CardUpdated { card: Card },
    /// A card left the participants' view (only ever a participant version).
    CardRemoved { card_id: CardId },
    /// A card's dots (total and per group) and scores are now these.
    Tally(CardTally),
    /// A stakeholder group now has `count` participants.
    Joined { group: String, count: u32 },
    /// The session's pre-moderation switch.
    SessionUpdated { premoderate: bool },
    /// The session's join passcode was set, changed or cleared (staff only:
    /// the projector shows it to the hall).
    PasscodeChanged { passcode: Option<String> },
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
            Change::QuestionUpdated { .. } => "question_updated",
            Change::PhaseChanged { .. } => "phase_changed",
            Change::CardAdded { .. } => "card_added",
            Change::CardUpdated { .. } => "card_updated",
            Change::CardRemoved { .. } => "card_removed",
            Change::Tally { .. } => "tally",
            Change::Joined { .. } => "joined",
            Change::SessionUpdated { .. } => "session_updated",
            Change::PasscodeChanged { .. } => "passcode_changed",
        }
    }

    /// The live event that carries this change.
    pub fn to_live(&self) -> LiveEvent {
        match self.clone() {
            Change::QuestionAdded { question } => LiveEvent::QuestionAdded { question },
            Change::QuestionUpdated { question } => LiveEvent::QuestionUpdated { question },
            Change::PhaseChanged { question_id, phase } => {
                LiveEvent::PhaseChanged { question_id, phase }
            }
            Change::CardAdded { card } => LiveEvent::CardAdded { card },
            Change::CardUpdated { card } => LiveEvent::CardUpdated { card },
            Change::CardRemoved { card_id } => LiveEvent::CardRemoved { card_id },
            Change::Tally(tally) => LiveEvent::Counts {
                cards: vec![tally],
                groups: vec![],
            },
            Change::Joined { group, count } => LiveEvent::Counts {
                cards: vec![],
                groups: vec![GroupCount { group, count }],
            },
            Change::SessionUpdated { premoderate } => LiveEvent::SessionUpdated { premoderate },
            Change::PasscodeChanged { passcode } => LiveEvent::PasscodeChanged { passcode },
        }
    }
}

/// What participants see of a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "visibility", content = "change", rename_all = "snake_case")]
pub enum Visibility {
    /// The same as staff.
    All,
    /// Nothing.
    Staff,
    /// Another change (a card without its moderation details, a removal…).
    Masked(Box<Change>),
}

/// A change with its place in the session's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub seq: u64,
    pub change: Change,
    pub public: Visibility,
}

impl StoredEvent {
    /// The change as participants see it, if at all.
    pub fn public_change(&self) -> Option<&Change> {
        match &self.public {
            Visibility::All => Some(&self.change),
            Visibility::Staff => None,
            Visibility::Masked(c) => Some(c.as_ref()),
        }
    }
}

/// What participants may see of a card change: the card itself when it is
/// visible (without moderation details, and without its tally while
/// tallies are hidden), else its removal (or nothing for a card they never
/// saw).
pub fn card_visibility(card: &Card, tallies_public: bool, was_public: bool) -> Visibility {
    if card.is_visible() {
        let public = card.public(tallies_public);
        if was_public {
            Visibility::Masked(Box::new(Change::CardUpdated { card: public }))
        } else {
            Visibility::Masked(Box::new(Change::CardAdded { card: public }))
        }
    } else if was_public {
        Visibility::Masked(Box::new(Change::CardRemoved { card_id: card.id }))
    } else {
        Visibility::Staff
    }
}

/// A card's tally.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardTally {
    pub card_id: CardId,
    pub dots: u32,
    /// Dots per stakeholder group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_group: Vec<GroupDots>,
    /// USG result (problem cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usg: Option<UsgScore>,
    /// Impact/effort result (idea cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idea: Option<IdeaScore>,
}

crate::json_struct!(CardTally {
    card_id,
    dots,
    by_group: default,
    usg: default,
    idea: default,
});

impl CardTally {
    /// Just a total (tests and simple callers).
    pub fn dots(card_id: CardId, dots: u32) -> CardTally {
        CardTally {
            card_id,
            dots,
            by_group: vec![],
            usg: None,
            idea: None,
        }
    }

    /// A card's current tally.
    pub fn of(card: &Card) -> CardTally {
        CardTally {
            card_id: card.id,
            dots: card.dots,
            by_group: card.dots_by_group.clone(),
            usg: card.usg,
            idea: card.idea_score,
        }
    }

    /// The tally as participants receive it: totals and scores, without
    /// the dots per stakeholder group. No phone shows them, they are most
    /// of a tally's bytes when thousands of phones listen, and in a group
    /// of one or two they would show how those people voted (UU PDP: collect
    /// and share only what the purpose needs). Staff and the projector keep
    /// them.
    pub fn for_participants(&self) -> CardTally {
        CardTally {
            by_group: vec![],
            ..self.clone()
        }
    }

    /// Writes this tally into a card.
    pub fn apply_to(&self, card: &mut Card) {
        card.dots = self.dots;
        card.dots_by_group = self.by_group.clone();
        card.usg = self.usg;
        card.idea_score = self.idea;
    }
}

/// A stakeholder group's head-count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupCount {
    pub group: String,
    pub count: u32,
}

crate::json_struct!(GroupCount { group, count });

/// What a live connection receives, as the `data` of one Server-Sent
/// Event whose `id` is the sequence number of the last change it covers.
/// Read through [`LiveEventWire`] (see [`crate::wire`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "LiveEventWire")]
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
    QuestionUpdated {
        question: Question,
    },
    PhaseChanged {
        question_id: QuestionId,
        phase: Phase,
    },
    CardAdded {
        card: Card,
    },
    CardUpdated {
        card: Card,
    },
    CardRemoved {
        card_id: CardId,
    },
    /// New totals for some cards and groups (only those that changed).
    Counts {
        cards: Vec<CardTally>,
        groups: Vec<GroupCount>,
    },
    SessionUpdated {
        premoderate: bool,
    },
    /// The join passcode now (`null`: none). Staff streams only.
    PasscodeChanged {
        passcode: Option<String>,
    },
}

/// [`LiveEvent`]'s tag.
#[derive(Clone, Copy)]
enum LiveEventKind {
    Ready,
    Resync,
    QuestionAdded,
    QuestionUpdated,
    PhaseChanged,
    CardAdded,
    CardUpdated,
    CardRemoved,
    Counts,
    SessionUpdated,
    PasscodeChanged,
}

crate::tags!(LiveEventKind {
    Ready = "ready",
    Resync = "resync",
    QuestionAdded = "question_added",
    QuestionUpdated = "question_updated",
    PhaseChanged = "phase_changed",
    CardAdded = "card_added",
    CardUpdated = "card_updated",
    CardRemoved = "card_removed",
    Counts = "counts",
    SessionUpdated = "session_updated",
    PasscodeChanged = "passcode_changed",
});

/// Every field of every [`LiveEvent`], as read from JSON.
#[derive(Deserialize)]
struct LiveEventWire {
    #[serde(rename = "type")]
    kind: LiveEventKind,
    seq: Option<u64>,
    question: Option<Question>,
    question_id: Option<QuestionId>,
    phase: Option<Phase>,
    card: Option<Card>,
    card_id: Option<CardId>,
    cards: Option<Vec<CardTally>>,
    groups: Option<Vec<GroupCount>>,
    premoderate: Option<bool>,
    passcode: Option<String>,
}

impl crate::json::FromJson for LiveEvent {
    fn from_json(value: crate::json::Value) -> Result<Self, crate::json::JsonError> {
        LiveEventWire::from_json(value)?
            .try_into()
            .map_err(WireError::into_json)
    }
}

crate::json_struct!(LiveEventWire {
    kind = "type",
    seq,
    question,
    question_id,
    phase,
    card,
    card_id,
    cards,
    groups,
    premoderate,
    passcode,
});

impl TryFrom<LiveEventWire> for LiveEvent {
    type Error = WireError;

    fn try_from(w: LiveEventWire) -> Result<Self, WireError> {
        use LiveEventKind as K;
        Ok(match w.kind {
            K::Ready => LiveEvent::Ready {
                seq: need(w.seq, "seq")?,
            },
            K::Resync => LiveEvent::Resync {
                seq: need(w.seq, "seq")?,
            },
            K::QuestionAdded => LiveEvent::QuestionAdded {
                question: need(w.question, "question")?,
            },
            K::QuestionUpdated => LiveEvent::QuestionUpdated {
                question: need(w.question, "question")?,
            },
            K::PhaseChanged => LiveEvent::PhaseChanged {
                question_id: need(w.question_id, "question_id")?,
                phase: need(w.phase, "phase")?,
            },
            K::CardAdded => LiveEvent::CardAdded {
                card: need(w.card, "card")?,
            },
            K::CardUpdated => LiveEvent::CardUpdated {
                card: need(w.card, "card")?,
            },
            K::CardRemoved => LiveEvent::CardRemoved {
                card_id: need(w.card_id, "card_id")?,
            },
            K::Counts => LiveEvent::Counts {
                cards: need(w.cards, "cards")?,
                groups: need(w.groups, "groups")?,
            },
            K::SessionUpdated => LiveEvent::SessionUpdated {
                premoderate: need(w.premoderate, "premoderate")?,
            },
            // Absent or null: no passcode, as the derived reader had it.
            K::PasscodeChanged => LiveEvent::PasscodeChanged {
                passcode: w.passcode,
            },
        })
    }
}

/// The live events covering the sequence numbers `first_seq..=last_seq`:
/// one for staff, and one for participants (`None` when they see nothing
/// of these changes; they still learn the id, so they resume after it).
///
/// A frame covering more than one number is always a run of counts
/// ([`LiveEvent::Counts`]) holding the latest totals, never a difference:
/// a client that already has part of its range may apply it whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub first_seq: u64,
    pub last_seq: u64,
    pub staff: LiveEvent,
    pub public: Option<LiveEvent>,
}

#[derive(Default)]
struct CountsRun {
    cards: Vec<CardTally>,
    groups: Vec<GroupCount>,
}

impl CountsRun {
    fn add(&mut self, change: &Change) {
        self.add_tally(change, |t| t.clone());
    }

    /// Adds a change as participants receive it: a tally without its
    /// per-group breakdown (see [`CardTally::for_participants`]).
    fn add_public(&mut self, change: &Change) {
        self.add_tally(change, CardTally::for_participants);
    }

    fn add_tally(&mut self, change: &Change, view: impl Fn(&CardTally) -> CardTally) {
        match change {
            Change::Tally(tally) => {
                let tally = view(tally);
                match self.cards.iter_mut().find(|t| t.card_id == tally.card_id) {
                    Some(t) => *t = tally,
                    None => self.cards.push(tally),
                }
            }
            Change::Joined { group, count } => {
                match self.groups.iter_mut().find(|g| g.group == *group) {
                    Some(g) => g.count = *count,
                    None => self.groups.push(GroupCount {
                        group: group.clone(),
                        count: *count,
                    }),
                }
            }
            _ => {}
        }
    }

    fn into_event(self) -> Option<LiveEvent> {
        (!self.cards.is_empty() || !self.groups.is_empty()).then_some(LiveEvent::Counts {
            cards: self.cards,
            groups: self.groups,
        })
    }
}

/// Turns consecutive stored events into live frames, folding each run of
/// count changes into one [`LiveEvent::Counts`] that keeps the latest count
/// per card and group (in order of first appearance).
pub fn coalesce(events: &[StoredEvent]) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut run: Option<(u64, u64, CountsRun, CountsRun)> = None;
    let flush = |run: &mut Option<(u64, u64, CountsRun, CountsRun)>, frames: &mut Vec<Frame>| {
        if let Some((first_seq, last_seq, staff, public)) = run.take() {
            let staff = staff.into_event().unwrap_or(LiveEvent::Counts {
                cards: vec![],
                groups: vec![],
            });
            frames.push(Frame {
                first_seq,
                last_seq,
                staff,
                public: public.into_event(),
            });
        }
    };
    for ev in events {
        if ev.change.is_count() {
            let (_, last, staff, public) = run.get_or_insert_with(|| {
                (ev.seq, ev.seq, CountsRun::default(), CountsRun::default())
            });
            *last = ev.seq;
            staff.add(&ev.change);
            if let Some(c) = ev.public_change().filter(|c| c.is_count()) {
                public.add_public(c);
            }
        } else {
            flush(&mut run, &mut frames);
            frames.push(Frame {
                first_seq: ev.seq,
                last_seq: ev.seq,
                staff: ev.change.to_live(),
                public: ev.public_change().map(Change::to_live),
            });
        }
    }
    flush(&mut run, &mut frames);
    frames
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{card::CardStatus, time::Timestamp};
    use uuid::Uuid;

    fn tally(seq: u64, card: u128, dots: u32) -> StoredEvent {
        StoredEvent {
            seq,
            change: Change::Tally(CardTally::dots(CardId(Uuid::from_u128(card)), dots)),
            public: Visibility::All,
        }
    }

    fn hidden_tally(seq: u64, card: u128, dots: u32) -> StoredEvent {
        StoredEvent {
            public: Visibility::Staff,
            ..tally(seq, card, dots)
        }
    }

    fn phase(seq: u64) -> StoredEvent {
        StoredEvent {
            seq,
            change: Change::PhaseChanged {
                question_id: QuestionId(Uuid::nil()),
                phase: Phase::Voting,
            },
            public: Visibility::All,
        }
    }

    fn card(status: CardStatus) -> Card {
        Card {
            text: "Jalan rusak".into(),
            dots: 4,
            created_at: Timestamp(0),
            status,
            hidden_reason: Some("duplikat".into()),
            dots_by_group: vec![GroupDots {
                group: "media".into(),
                dots: 4,
            }],
            ..crate::card::sample_card(9, 0)
        }
    }

    #[test]
    fn every_live_event_reads_back_as_written() {
        let question = crate::question::sample_question(Phase::Voting);
        let mut tally = CardTally::of(&card(CardStatus::Visible));
        tally.usg = UsgScore::from_sums(9, 8, 7, 2);
        let events = [
            LiveEvent::Ready { seq: 7 },
            LiveEvent::Resync { seq: 8 },
            LiveEvent::QuestionAdded {
                question: question.clone(),
            },
            LiveEvent::QuestionUpdated { question },
            LiveEvent::PhaseChanged {
                question_id: QuestionId(Uuid::from_u128(3)),
                phase: Phase::Closed,
            },
            LiveEvent::CardAdded {
                card: card(CardStatus::Visible),
            },
            LiveEvent::CardUpdated {
                card: card(CardStatus::Hidden),
            },
            LiveEvent::CardRemoved {
                card_id: CardId(Uuid::from_u128(4)),
            },
            LiveEvent::Counts {
                cards: vec![tally],
                groups: vec![GroupCount {
                    group: "media".into(),
                    count: 2,
                }],
            },
            LiveEvent::SessionUpdated { premoderate: true },
            LiveEvent::PasscodeChanged {
                passcode: Some("4321".into()),
            },
            LiveEvent::PasscodeChanged { passcode: None },
        ];
        let seen: std::collections::BTreeSet<_> = events.iter().map(variant).collect();
        assert_eq!(seen, (0..11).collect(), "an example of every variant");
        for event in events {
            let json = serde_json::to_string(&event).unwrap();
            assert_eq!(
                serde_json::from_str::<LiveEvent>(&json).unwrap(),
                event,
                "{json}"
            );
            assert_eq!(crate::json::read::<LiveEvent>(&json), Ok(event), "{json}");
        }
    }

    /// A number per variant: a new variant fails to compile here, and then
    /// the round trip above fails until it has an example, so the wire
    /// reader can never miss one.
    fn variant(e: &LiveEvent) -> usize {
        match e {
            LiveEvent::Ready { .. } => 0,
            LiveEvent::Resync { .. } => 1,
            LiveEvent::QuestionAdded { .. } => 2,
            LiveEvent::QuestionUpdated { .. } => 3,
            LiveEvent::PhaseChanged { .. } => 4,
            LiveEvent::CardAdded { .. } => 5,
            LiveEvent::CardUpdated { .. } => 6,
            LiveEvent::CardRemoved { .. } => 7,
            LiveEvent::Counts { .. } => 8,
            LiveEvent::SessionUpdated { .. } => 9,
            LiveEvent::PasscodeChanged { .. } => 10,
        }
    }

    #[test]
    fn a_live_event_reads_whatever_the_order_of_its_fields() {
        let event: LiveEvent =
            serde_json::from_str(r#"{"seq": 5, "extra": [1, {"a": null}], "type": "resync"}"#)
                .unwrap();
        assert_eq!(event, LiveEvent::Resync { seq: 5 });
        let missing = serde_json::from_str::<LiveEvent>(r#"{"type": "ready"}"#).unwrap_err();
        assert!(
            missing.to_string().contains("missing field `seq`"),
            "{missing}"
        );
        let unknown = serde_json::from_str::<LiveEvent>(r#"{"type": "party"}"#).unwrap_err();
        assert!(
            unknown.to_string().contains("unknown variant `party`"),
            "{unknown}"
        );
        // The browser's reader agrees.
        assert_eq!(
            crate::json::read(r#"{"seq": 5, "extra": [1, {"a": null}], "type": "resync"}"#),
            Ok(LiveEvent::Resync { seq: 5 })
        );
        let missing = crate::json::read::<LiveEvent>(r#"{"type": "ready"}"#).unwrap_err();
        assert_eq!(missing.to_string(), "missing field in `seq`");
        let unknown = crate::json::read::<LiveEvent>(r#"{"type": "party"}"#).unwrap_err();
        assert_eq!(unknown.to_string(), "unknown name in `type`");
    }

    #[test]
    fn a_burst_of_tallies_becomes_one_frame_with_the_latest_totals() {
        let events: Vec<_> = (1..=1000)
            .map(|i| tally(i, u128::from(i % 3), i as u32))
            .collect();
        let frames = coalesce(&events);
        assert_eq!(frames.len(), 1);
        assert_eq!((frames[0].first_seq, frames[0].last_seq), (1, 1000));
        let LiveEvent::Counts { cards, groups } = &frames[0].staff else {
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
        assert_eq!(frames[0].public, Some(frames[0].staff.clone()));
    }

    #[test]
    fn other_changes_keep_their_order_and_split_runs() {
        let events = vec![tally(1, 1, 1), tally(2, 1, 2), phase(3), tally(4, 1, 3)];
        let frames = coalesce(&events);
        let spans: Vec<_> = frames.iter().map(|f| (f.first_seq, f.last_seq)).collect();
        assert_eq!(spans, [(1, 2), (3, 3), (4, 4)]);
        assert!(matches!(frames[1].staff, LiveEvent::PhaseChanged { .. }));
    }

    #[test]
    fn frames_cover_every_sequence_number_exactly_once_for_both_audiences() {
        let events: Vec<_> = (1..=60)
            .map(|i| match i % 7 {
                0 => phase(i),
                3 => hidden_tally(i, u128::from(i % 4), i as u32),
                _ => tally(i, u128::from(i % 4), i as u32),
            })
            .collect();
        let frames = coalesce(&events);
        let mut expected = 1;
        for f in &frames {
            assert_eq!(f.first_seq, expected);
            assert!(f.last_seq >= f.first_seq);
            if f.last_seq > f.first_seq {
                assert!(
                    matches!(f.staff, LiveEvent::Counts { .. }),
                    "only counts span"
                );
            }
            expected = f.last_seq + 1;
        }
        assert_eq!(expected, 61);
    }

    /// What a screen shows of the cards' dots after applying `frames`.
    fn screen(frames: &[Frame], mut dots: Vec<(CardId, u32)>) -> Vec<(CardId, u32)> {
        for f in frames {
            if let LiveEvent::Counts { cards, .. } = &f.staff {
                for t in cards {
                    match dots.iter_mut().find(|(id, _)| *id == t.card_id) {
                        Some(d) => d.1 = t.dots,
                        None => dots.push((t.card_id, t.dots)),
                    }
                }
            }
        }
        dots.sort();
        dots
    }

    #[test]
    fn a_run_applied_over_part_of_its_range_gives_the_same_totals() {
        // A stream read 1..=k from the database; the hub then sends its own
        // run j..=40, which starts before k. Applying it whole must show
        // what applying 1..=40 once shows.
        let events: Vec<_> = (1..=40)
            .map(|i| tally(i, u128::from(i % 5), (i * 7 % 11) as u32))
            .collect();
        let once = screen(&coalesce(&events), vec![]);
        for k in 1..40 {
            for j in 1..=k {
                let caught_up = screen(&coalesce(&events[..k as usize]), vec![]);
                let hub_run = coalesce(&events[j as usize - 1..]);
                assert_eq!(hub_run.len(), 1);
                assert_eq!(screen(&hub_run, caught_up), once, "k = {k}, j = {j}");
            }
        }
    }

    #[test]
    fn participants_get_totals_without_dots_per_group() {
        let mut by_group = tally(1, 1, 3);
        let Change::Tally(t) = &mut by_group.change else {
            panic!()
        };
        t.by_group = vec![
            GroupDots {
                group: "media".into(),
                dots: 1,
            },
            GroupDots {
                group: "community".into(),
                dots: 2,
            },
        ];
        let frames = coalesce(&[by_group.clone()]);
        let LiveEvent::Counts { cards: staff, .. } = &frames[0].staff else {
            panic!()
        };
        assert_eq!(staff[0].by_group.len(), 2, "staff keep the breakdown");
        let Some(LiveEvent::Counts { cards: public, .. }) = &frames[0].public else {
            panic!()
        };
        assert_eq!(
            public,
            &vec![CardTally::dots(CardId(Uuid::from_u128(1)), 3)]
        );
    }

    #[test]
    fn staff_only_tallies_never_reach_participants() {
        let frames = coalesce(&[hidden_tally(1, 1, 5), hidden_tally(2, 2, 7)]);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].public, None, "participants only learn the id");
        let LiveEvent::Counts { cards, .. } = &frames[0].staff else {
            panic!()
        };
        assert_eq!(cards.len(), 2);
        let mixed = coalesce(&[hidden_tally(1, 1, 5), tally(2, 2, 7)]);
        let Some(LiveEvent::Counts { cards, .. }) = &mixed[0].public else {
            panic!()
        };
        assert_eq!(cards, &vec![CardTally::dots(CardId(Uuid::from_u128(2)), 7)]);
    }

    #[test]
    fn participants_see_cards_without_moderation_details() {
        let visible = card(CardStatus::Visible);
        let Visibility::Masked(change) = card_visibility(&visible, true, false) else {
            panic!()
        };
        let Change::CardAdded { card: public } = *change else {
            panic!()
        };
        assert_eq!(public.hidden_reason, None);
        assert_eq!(public.dots, 4);
        assert_eq!(public.dots_by_group, vec![], "no phone gets per-group dots");
        let Visibility::Masked(change) = card_visibility(&visible, false, true) else {
            panic!()
        };
        let Change::CardUpdated { card: public } = *change else {
            panic!()
        };
        assert_eq!(public.dots, 0, "hidden tallies stay hidden");
        let hidden = card(CardStatus::Hidden);
        assert_eq!(
            card_visibility(&hidden, true, true),
            Visibility::Masked(Box::new(Change::CardRemoved { card_id: hidden.id }))
        );
        assert_eq!(
            card_visibility(&card(CardStatus::Pending), true, false),
            Visibility::Staff
        );
    }

    #[test]
    fn joins_fold_per_group() {
        let join = |seq, group: &str, count| StoredEvent {
            seq,
            change: Change::Joined {
                group: group.into(),
                count,
            },
            public: Visibility::All,
        };
        let frames = coalesce(&[
            join(5, "media", 1),
            join(6, "academia", 1),
            join(7, "media", 2),
        ]);
        let LiveEvent::Counts { groups, .. } = &frames[0].staff else {
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
    fn events_serialise_with_type_tags() {
        let json = serde_json::to_value(LiveEvent::Resync { seq: 9 }).unwrap();
        assert_eq!(json, serde_json::json!({"type": "resync", "seq": 9}));
        let stored = hidden_tally(3, 1, 2);
        let back: StoredEvent =
            serde_json::from_str(&serde_json::to_string(&stored).unwrap()).unwrap();
        assert_eq!(back, stored);
        let masked = Visibility::Masked(Box::new(Change::CardRemoved {
            card_id: CardId(Uuid::nil()),
        }));
        let back: Visibility =
            serde_json::from_str(&serde_json::to_string(&masked).unwrap()).unwrap();
        assert_eq!(back, masked);
    }
}
