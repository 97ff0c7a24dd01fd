//! A session's state as a screen shows it, and how live events update it.
//!
//! The server builds a [`SessionSnapshot`] from the database; phones,
//! consoles and projectors keep one and [`apply`](SessionSnapshot::apply)
//! each live event to it. The same code runs in both places, so a test on
//! the server proves what every screen will show.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{
    CardId, Lang, QuestionId, WorkshopId,
    card::{Card, CardStatus},
    dimension::Dimension,
    event::{GroupCount, LiveEvent},
    group::StakeholderGroup,
    question::{Phase, Question},
    ranking::{self, Imbalance},
    rating::{ImpactEffort, MyRating, MyUsg, Usg},
    session::{Participant, Session},
    tally,
    time::Timestamp,
    vote::VoteOutcome,
};

/// The parts of a workshop a session screen needs.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkshopBrief {
    pub id: WorkshopId,
    pub title: String,
    pub language: Lang,
    pub dimensions: Vec<Dimension>,
    pub groups: Vec<StakeholderGroup>,
    /// What happens to a participant's cards if they withdraw.
    #[serde(default)]
    pub withdrawn_cards: crate::privacy::WithdrawnCards,
}

crate::json_struct!(WorkshopBrief {
    id,
    title,
    language,
    dimensions,
    groups,
    withdrawn_cards: default,
});

/// One of the caller's votes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyVote {
    pub card_id: CardId,
    pub dots: u32,
}

crate::json_struct!(MyVote { card_id, dots });

/// What only the participant asking sees: who they are, their dots and
/// which cards are theirs.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub participant: Participant,
    pub votes: Vec<MyVote>,
    pub cards: Vec<CardId>,
    /// The participant's own USG ratings.
    #[serde(default)]
    pub usg: Vec<MyUsg>,
    /// The participant's own impact/effort ratings.
    #[serde(default)]
    pub ratings: Vec<MyRating>,
}

crate::json_struct!(Me {
    participant,
    votes,
    cards,
    usg: default,
    ratings: default,
});

/// A session at one point in its history (`seq`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSnapshot {
    /// The last change included; resume the live stream after it.
    pub seq: u64,
    pub workshop: WorkshopBrief,
    pub session: Session,
    /// In session order.
    pub questions: Vec<Question>,
    /// Every visible card, any order.
    pub cards: Vec<Card>,
    /// Participants per stakeholder group (groups without any are left out).
    pub participants: Vec<GroupCount>,
    /// The caller, when the caller is a participant.
    pub me: Option<Me>,
    /// The server's clock when the snapshot was taken, so that screens can
    /// show countdowns right even when the phone's clock is off.
    #[serde(default)]
    pub server_now: Timestamp,
}

crate::json_struct!(SessionSnapshot {
    seq,
    workshop,
    session,
    questions,
    cards,
    participants,
    me,
    server_now: default,
});

/// What applying a live event asks of the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The snapshot is up to date.
    Ok,
    /// Events were missed: fetch a fresh snapshot.
    NeedsResync,
}

impl SessionSnapshot {
    /// Applies one live event whose SSE id is `seq`.
    pub fn apply(&mut self, seq: u64, event: &LiveEvent) -> Applied {
        match event {
            LiveEvent::Ready { .. } => {}
            LiveEvent::Resync { .. } => return Applied::NeedsResync,
            LiveEvent::QuestionAdded { question } | LiveEvent::QuestionUpdated { question } => {
                // Kept in the server's order (position, then creation) by
                // placing the question, not by sorting: a sort of
                // questions would be the phone's second copy of the
                // standard library's sort.
                if let Some(i) = self.questions.iter().position(|q| q.id == question.id) {
                    self.questions.remove(i);
                }
                let order = |q: &Question| (q.position, q.created_at);
                let at = self
                    .questions
                    .partition_point(|q| order(q) <= order(question));
                self.questions.insert(at, question.clone());
            }
            LiveEvent::PhaseChanged { question_id, phase } => {
                if let Some(q) = self.questions.iter_mut().find(|q| q.id == *question_id) {
                    q.phase = *phase;
                }
            }
            LiveEvent::CardAdded { card } | LiveEvent::CardUpdated { card } => {
                match self.cards.iter_mut().find(|c| c.id == card.id) {
                    Some(c) => *c = card.clone(),
                    None => self.cards.push(card.clone()),
                }
            }
            LiveEvent::CardRemoved { card_id } => {
                // The writer keeps seeing their own card, marked as not shown.
                if self.is_mine(*card_id) {
                    if let Some(c) = self.cards.iter_mut().find(|c| c.id == *card_id) {
                        c.status = CardStatus::Hidden;
                    }
                } else {
                    self.cards.retain(|c| c.id != *card_id);
                }
            }
            LiveEvent::Counts { cards, groups } => {
                for t in cards {
                    if let Some(c) = self.cards.iter_mut().find(|c| c.id == t.card_id) {
                        t.apply_to(c);
                    }
                }
                for g in groups {
                    match self.participants.iter_mut().find(|p| p.group == g.group) {
                        Some(p) => p.count = g.count,
                        None => self.participants.push(g.clone()),
                    }
                }
            }
            LiveEvent::SessionUpdated { premoderate } => self.session.premoderate = *premoderate,
            LiveEvent::PasscodeChanged { passcode } => self.session.passcode = passcode.clone(),
        }
        self.seq = self.seq.max(seq);
        Applied::Ok
    }

    /// The snapshot as one participant may see it: visible cards (and their
    /// own, whatever their state), no moderation details, no tallies of
    /// questions that hide them.
    pub fn for_participant(mut self) -> SessionSnapshot {
        let mine: Vec<CardId> = self
            .me
            .as_ref()
            .map(|m| m.cards.clone())
            .unwrap_or_default();
        let public_tallies: Vec<QuestionId> = self
            .questions
            .iter()
            .filter(|q| q.tallies_public())
            .map(|q| q.id)
            .collect();
        self.session.passcode = None;
        self.cards
            .retain(|c| c.is_visible() || mine.contains(&c.id));
        for c in &mut self.cards {
            *c = c.public(public_tallies.contains(&c.question_id));
        }
        self
    }

    /// Records the caller's own vote as the server confirmed it.
    pub fn apply_vote(&mut self, outcome: &VoteOutcome) {
        if let Some(card) = self.cards.iter_mut().find(|c| c.id == outcome.card_id)
            && let Some(total) = outcome.total
            // A live event may already carry a newer total; never go back.
            && outcome.seq >= self.seq
        {
            card.dots = total;
        }
        self.apply_pending_vote(outcome.card_id, outcome.dots);
    }

    /// Records the caller's own dots on a card before the server has them
    /// (a vote waiting for signal): the phone shows the dots at once, so a
    /// second tap builds on the first; totals wait for the server.
    pub fn apply_pending_vote(&mut self, card_id: CardId, dots: u32) {
        if let Some(me) = &mut self.me {
            me.votes.retain(|v| v.card_id != card_id);
            if dots > 0 {
                me.votes.push(MyVote { card_id, dots });
            }
        }
    }

    /// Records the caller's own USG rating as the server confirmed it.
    pub fn apply_my_usg(&mut self, card_id: CardId, usg: Usg) {
        if let Some(me) = &mut self.me {
            me.usg.retain(|r| r.card_id != card_id);
            me.usg.push(MyUsg { card_id, usg });
        }
    }

    /// Records the caller's own impact/effort rating as the server
    /// confirmed it.
    pub fn apply_my_rating(&mut self, card_id: CardId, rating: ImpactEffort) {
        if let Some(me) = &mut self.me {
            me.ratings.retain(|r| r.card_id != card_id);
            me.ratings.push(MyRating { card_id, rating });
        }
    }

    /// The caller's USG rating of a card.
    pub fn my_usg(&self, card: CardId) -> Option<Usg> {
        self.me
            .as_ref()?
            .usg
            .iter()
            .find(|r| r.card_id == card)
            .map(|r| r.usg)
    }

    /// The caller's impact/effort rating of a card.
    pub fn my_rating(&self, card: CardId) -> Option<ImpactEffort> {
        self.me
            .as_ref()?
            .ratings
            .iter()
            .find(|r| r.card_id == card)
            .map(|r| r.rating)
    }

    /// Records a card the caller just submitted.
    pub fn apply_own_card(&mut self, card: &Card) {
        if !self.cards.iter().any(|c| c.id == card.id) {
            self.cards.push(card.clone());
        }
        if let Some(me) = &mut self.me
            && !me.cards.contains(&card.id)
        {
            me.cards.push(card.id);
        }
    }

    /// A question by id.
    pub fn question(&self, id: QuestionId) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The question a room is working on: the newest one that is not closed,
    /// else the newest one.
    pub fn current_question(&self) -> Option<&Question> {
        self.questions
            .iter()
            .rev()
            .find(|q| q.phase != Phase::Closed)
            .or_else(|| self.questions.last())
    }

    /// The visible cards of a question, ranked by dots.
    pub fn ranked_cards(&self, question: QuestionId) -> Vec<Card> {
        let mut cards = self.cards_with(question, CardStatus::Visible);
        tally::rank(&mut cards);
        cards
    }

    /// The visible cards of a question, newest first.
    pub fn newest_cards(&self, question: QuestionId) -> Vec<Card> {
        self.cards_with(question, CardStatus::Visible)
    }

    /// The cards of a question in a moderation state, newest first.
    pub fn cards_with(&self, question: QuestionId, status: CardStatus) -> Vec<Card> {
        let mut cards: Vec<Card> = self
            .cards
            .iter()
            .filter(|c| c.question_id == question && c.status == status)
            .cloned()
            .collect();
        tally::sort_cards(&mut cards, tally::newest_first);
        cards
    }

    /// The caller's own cards of a question that others do not see (waiting
    /// for approval, or hidden).
    pub fn my_unseen_cards(&self, question: QuestionId) -> Vec<Card> {
        self.cards
            .iter()
            .filter(|c| c.question_id == question && !c.is_visible() && self.is_mine(c.id))
            .cloned()
            .collect()
    }

    /// The caller's dots on a card.
    pub fn my_dots(&self, card: CardId) -> u32 {
        self.me
            .as_ref()
            .and_then(|me| me.votes.iter().find(|v| v.card_id == card))
            .map_or(0, |v| v.dots)
    }

    /// The caller's dots on a whole question (dots on hidden or merged
    /// cards are given back).
    pub fn my_used(&self, question: QuestionId) -> u32 {
        let Some(me) = &self.me else { return 0 };
        me.votes
            .iter()
            .filter(|v| {
                self.cards
                    .iter()
                    .any(|c| c.id == v.card_id && c.question_id == question && c.is_visible())
            })
            .map(|v| v.dots)
            .sum()
    }

    /// Dots the caller has left on a question.
    pub fn my_remaining(&self, question: QuestionId) -> u32 {
        let budget = self.question(question).map_or(0, |q| q.vote_budget.get());
        budget.saturating_sub(self.my_used(question))
    }

    /// Whether the caller wrote this card.
    pub fn is_mine(&self, card: CardId) -> bool {
        self.me.as_ref().is_some_and(|me| me.cards.contains(&card))
    }

    /// How many groups put each visible card of a question in their top
    /// five.
    pub fn breadth(&self, question: QuestionId) -> HashMap<CardId, u32> {
        let cards = self.cards_with(question, CardStatus::Visible);
        ranking::breadth(&cards, &self.group_keys(), ranking::BREADTH_TOP_N)
    }

    /// Groups with under a tenth of the room or of the session's dots.
    pub fn imbalances(&self) -> Vec<Imbalance> {
        let participants: HashMap<String, u32> = self
            .participants
            .iter()
            .map(|g| (g.group.clone(), g.count))
            .collect();
        let mut dots: HashMap<String, u32> = HashMap::new();
        for card in self.cards.iter().filter(|c| c.is_visible()) {
            for g in &card.dots_by_group {
                *dots.entry(g.group.clone()).or_default() += g.dots;
            }
        }
        ranking::imbalances(&self.group_keys(), &participants, &dots)
    }

    fn group_keys(&self) -> Vec<String> {
        self.workshop.groups.iter().map(|g| g.key.clone()).collect()
    }

    /// Everyone who joined.
    pub fn participant_count(&self) -> u32 {
        self.participants.iter().map(|g| g.count).sum()
    }

    /// A dimension's name in this workshop (its key if unknown).
    pub fn dimension_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.workshop
            .dimensions
            .iter()
            .find(|d| d.key == key)
            .map_or(key, |d| d.name.as_str())
    }

    /// A sub-element's name (its key if unknown).
    pub fn sub_element_name<'a>(&'a self, dimension: &str, key: &'a str) -> &'a str {
        self.workshop
            .dimensions
            .iter()
            .find(|d| d.key == dimension)
            .and_then(|d| d.sub_elements.iter().find(|s| s.key == key))
            .map_or(key, |s| s.name.as_str())
    }

    /// A stakeholder group's name (its key if unknown).
    pub fn group_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.workshop
            .groups
            .iter()
            .find(|g| g.key == key)
            .map_or(key, |g| g.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ParticipantId, SessionId,
        dimension::default_dimensions,
        event::{CardTally, Change, StoredEvent, Visibility, coalesce},
        group::default_groups,
        question::{QuestionKind, VoteBudget},
        session::JoinCode,
    };
    use uuid::Uuid;

    fn snapshot() -> SessionSnapshot {
        let session_id = SessionId(Uuid::from_u128(1));
        SessionSnapshot {
            seq: 0,
            workshop: WorkshopBrief {
                id: WorkshopId(Uuid::from_u128(2)),
                title: "FGD".into(),
                language: Lang::Id,
                dimensions: default_dimensions(Lang::Id),
                groups: default_groups(Lang::Id),
                withdrawn_cards: Default::default(),
            },
            session: Session {
                id: session_id,
                workshop_id: WorkshopId(Uuid::from_u128(2)),
                title: "Hari 1".into(),
                join_code: JoinCode::from_random(7),
                created_at: Timestamp(0),
                premoderate: false,
                passcode: None,
            },
            questions: vec![],
            cards: vec![],
            participants: vec![],
            me: Some(Me {
                participant: Participant {
                    id: ParticipantId(Uuid::from_u128(3)),
                    session_id,
                    group: "academia".into(),
                    name: None,
                    language: None,
                    joined_at: Timestamp(0),
                },
                votes: vec![],
                cards: vec![],
                usg: vec![],
                ratings: vec![],
            }),
            server_now: Timestamp(0),
        }
    }

    fn question(n: u128, phase: Phase) -> Question {
        Question {
            id: QuestionId(Uuid::from_u128(n)),
            session_id: SessionId(Uuid::from_u128(1)),
            dimension: "living".into(),
            sub_element: None,
            prompt: "Apa masalah kesehatan?".into(),
            kind: QuestionKind::Problems,
            vote_budget: VoteBudget::DEFAULT,
            phase,
            position: n as u32,
            created_at: Timestamp(n as i64),
            hide_tallies: false,
            tallies_revealed: false,
            cards_while_voting: false,
            votes_while_collecting: false,
            timer_ends_at: None,
            voting_mode: crate::question::VotingMode::Both,
        }
    }

    fn card(n: u128, q: u128) -> Card {
        Card {
            session_id: SessionId(Uuid::from_u128(1)),
            ..crate::card::sample_card(n, q)
        }
    }

    /// A snapshot with every optional part filled in, as a phone reads it
    /// from the page and from `participant_view`.
    fn full_snapshot() -> SessionSnapshot {
        use crate::rating::{Horizon, IdeaScore, Programme, UsgScore};
        let mut s = snapshot();
        s.seq = 41;
        s.server_now = Timestamp(1_764_000_000_123);
        s.workshop.withdrawn_cards = crate::privacy::WithdrawnCards::Remove;
        s.session.premoderate = true;
        s.session.passcode = Some("1234".into());
        let mut q = question(10, Phase::Voting);
        q.sub_element = Some("kesehatan".into());
        q.timer_ends_at = Some(Timestamp(1_764_000_060_000));
        q.hide_tallies = true;
        q.tallies_revealed = true;
        q.cards_while_voting = true;
        q.votes_while_collecting = true;
        q.voting_mode = crate::question::VotingMode::Scores;
        q.vote_budget = VoteBudget::parse(7).unwrap();
        let mut c = card(100, 10);
        c.text = "Jalan \"rusak\"\nbaris dua — é 😀 </script>".into();
        c.answers = vec![CardId(Uuid::from_u128(101))];
        c.dots = 5;
        c.status = CardStatus::Hidden;
        c.pinned = true;
        c.sub_element = Some("jalan".into());
        c.on_behalf = true;
        c.edited = true;
        c.merged_from = vec![CardId(Uuid::from_u128(102))];
        c.merge_id = Some("m1".into());
        c.hidden_reason = Some("off topic".into());
        c.original_text = Some("jalan".into());
        c.dots_by_group = vec![crate::card::GroupDots {
            group: "media".into(),
            dots: 5,
        }];
        c.usg = UsgScore::from_sums(11, 9, 7, 3);
        c.idea_score = IdeaScore::from_sums(8, 5, 3);
        c.programme = Some(Programme {
            horizon: Horizon::Medium,
            lead_office: Some("Diskominfo".into()),
        });
        s.questions = vec![q, question(11, Phase::Closed)];
        s.cards = vec![c, card(103, 11)];
        s.participants = vec![GroupCount {
            group: "media".into(),
            count: 12,
        }];
        let me = s.me.as_mut().unwrap();
        me.participant.name = Some("Ani".into());
        me.participant.language = Some(Lang::En);
        me.votes = vec![crate::snapshot::MyVote {
            card_id: CardId(Uuid::from_u128(100)),
            dots: 2,
        }];
        me.cards = vec![CardId(Uuid::from_u128(103))];
        me.usg = vec![MyUsg {
            card_id: CardId(Uuid::from_u128(100)),
            usg: Usg {
                urgency: 5,
                seriousness: 4,
                growth: 1,
            },
        }];
        me.ratings = vec![MyRating {
            card_id: CardId(Uuid::from_u128(100)),
            rating: ImpactEffort {
                impact: 3,
                effort: 2,
            },
        }];
        s
    }

    #[test]
    fn the_browser_reads_a_snapshot_as_serde_writes_it() {
        for s in [snapshot(), full_snapshot()] {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(crate::json::read::<SessionSnapshot>(&json), Ok(s), "{json}");
        }
        // Without the fields serde fills in by default, both readers agree.
        let mut json = serde_json::to_value(full_snapshot()).unwrap();
        json.as_object_mut().unwrap().remove("server_now");
        let card = &mut json["cards"][1];
        for default in [
            "status",
            "pinned",
            "sub_element",
            "merged_from",
            "usg",
            "programme",
        ] {
            card.as_object_mut().unwrap().remove(default);
        }
        json["me"].as_object_mut().unwrap().remove("ratings");
        let text = json.to_string();
        assert_eq!(
            crate::json::read::<SessionSnapshot>(&text),
            Ok(serde_json::from_str::<SessionSnapshot>(&text).unwrap())
        );
    }

    #[test]
    fn the_browser_reads_a_vote_and_a_score_as_serde_writes_them() {
        use crate::rating::{ScoreOutcome, UsgScore};
        let vote = VoteOutcome {
            card_id: CardId(Uuid::from_u128(100)),
            question_id: QuestionId(Uuid::from_u128(10)),
            dots: 2,
            total: None,
            budget: 3,
            used: 2,
            remaining: 1,
            seq: u64::MAX,
        };
        let json = serde_json::to_string(&vote).unwrap();
        assert_eq!(crate::json::read(&json), Ok(vote));
        let score = ScoreOutcome {
            card_id: CardId(Uuid::from_u128(100)),
            usg: Some(Usg {
                urgency: 1,
                seriousness: 2,
                growth: 3,
            }),
            rating: Some(ImpactEffort {
                impact: 4,
                effort: 5,
            }),
            usg_score: UsgScore::from_sums(10, 10, 11, 3),
            idea_score: None,
            seq: 3,
        };
        let json = serde_json::to_string(&score).unwrap();
        assert_eq!(crate::json::read(&json), Ok(score));
    }

    #[test]
    fn replaying_coalesced_events_equals_applying_each_change() {
        let changes = vec![
            Change::QuestionAdded {
                question: question(10, Phase::Collecting),
            },
            Change::CardAdded {
                card: card(100, 10),
            },
            Change::CardAdded {
                card: card(101, 10),
            },
            Change::Joined {
                group: "media".into(),
                count: 1,
            },
            Change::PhaseChanged {
                question_id: QuestionId(Uuid::from_u128(10)),
                phase: Phase::Voting,
            },
            Change::Tally(CardTally::dots(CardId(Uuid::from_u128(100)), 1)),
            Change::Tally(CardTally::dots(CardId(Uuid::from_u128(101)), 2)),
            Change::Tally(CardTally::dots(CardId(Uuid::from_u128(100)), 3)),
            Change::Joined {
                group: "media".into(),
                count: 2,
            },
        ];
        let events: Vec<_> = changes
            .into_iter()
            .enumerate()
            .map(|(i, change)| StoredEvent {
                seq: i as u64 + 1,
                change,
                public: Visibility::All,
            })
            .collect();

        let mut one_by_one = snapshot();
        for ev in &events {
            for frame in coalesce(std::slice::from_ref(ev)) {
                one_by_one.apply(frame.last_seq, &frame.staff);
            }
        }
        let mut folded = snapshot();
        for frame in coalesce(&events) {
            folded.apply(frame.last_seq, &frame.staff);
        }
        assert_eq!(one_by_one, folded);
        assert_eq!(folded.seq, 9);
        let ranked = folded.ranked_cards(QuestionId(Uuid::from_u128(10)));
        assert_eq!(ranked.iter().map(|c| c.dots).collect::<Vec<_>>(), [3, 2]);
        assert_eq!(folded.participant_count(), 2);
        assert_eq!(folded.questions[0].phase, Phase::Voting);
    }

    #[test]
    fn questions_stay_in_the_servers_order_as_they_come_and_move() {
        let mut s = snapshot();
        s.questions = vec![];
        let ids = |s: &SessionSnapshot| {
            s.questions
                .iter()
                .map(|q| q.id.0.as_u128())
                .collect::<Vec<_>>()
        };
        for (seq, n) in [3u128, 1, 2].into_iter().enumerate() {
            let question = question(n, Phase::Collecting);
            s.apply(seq as u64 + 1, &LiveEvent::QuestionAdded { question });
        }
        assert_eq!(ids(&s), [1, 2, 3]);
        // The same position: the one created first comes first.
        let mut late = question(4, Phase::Collecting);
        late.position = 2;
        s.apply(
            4,
            &LiveEvent::QuestionAdded {
                question: late.clone(),
            },
        );
        assert_eq!(ids(&s), [1, 2, 4, 3]);
        // Moved to the front, and changed; still one of it.
        late.position = 0;
        late.prompt = "Dipindah".into();
        s.apply(5, &LiveEvent::QuestionUpdated { question: late });
        assert_eq!(ids(&s), [4, 1, 2, 3]);
        assert_eq!(s.questions[0].prompt, "Dipindah");
        // An update in place keeps its place.
        let mut two = question(2, Phase::Voting);
        two.prompt = "Memilih".into();
        s.apply(6, &LiveEvent::QuestionUpdated { question: two });
        assert_eq!(ids(&s), [4, 1, 2, 3]);
        assert_eq!(s.questions[2].phase, Phase::Voting);
    }

    #[test]
    fn applying_the_same_card_twice_keeps_one_card() {
        let mut s = snapshot();
        let ev = LiveEvent::CardAdded { card: card(1, 10) };
        s.apply(1, &ev);
        s.apply(1, &ev);
        assert_eq!(s.cards.len(), 1);
    }

    #[test]
    fn resync_is_reported() {
        let mut s = snapshot();
        assert_eq!(
            s.apply(5, &LiveEvent::Resync { seq: 5 }),
            Applied::NeedsResync
        );
    }

    #[test]
    fn own_votes_track_the_budget() {
        let mut s = snapshot();
        s.apply(
            1,
            &LiveEvent::QuestionAdded {
                question: question(10, Phase::Voting),
            },
        );
        s.apply(
            2,
            &LiveEvent::CardAdded {
                card: card(100, 10),
            },
        );
        s.apply(
            3,
            &LiveEvent::CardAdded {
                card: card(101, 10),
            },
        );
        let outcome = |card: u128, dots, total, seq| VoteOutcome {
            card_id: CardId(Uuid::from_u128(card)),
            question_id: QuestionId(Uuid::from_u128(10)),
            dots,
            total: Some(total),
            budget: 3,
            used: 0,
            remaining: 0,
            seq,
        };
        s.apply_vote(&outcome(100, 2, 2, 4));
        s.apply_vote(&outcome(101, 1, 5, 5));
        let q = QuestionId(Uuid::from_u128(10));
        assert_eq!(s.my_used(q), 3);
        assert_eq!(s.my_remaining(q), 0);
        assert_eq!(s.my_dots(CardId(Uuid::from_u128(101))), 1);
        s.apply_vote(&outcome(100, 0, 0, 6));
        assert_eq!(s.my_remaining(q), 2);
        assert!(s.me.as_ref().unwrap().votes.iter().all(|v| v.dots > 0));
    }

    #[test]
    fn a_vote_waiting_for_signal_shows_as_mine_and_leaves_totals_alone() {
        let mut s = snapshot();
        s.apply(
            1,
            &LiveEvent::CardAdded {
                card: card(100, 10),
            },
        );
        let id = CardId(Uuid::from_u128(100));
        let q = QuestionId(Uuid::from_u128(10));
        s.apply_pending_vote(id, 1);
        s.apply_pending_vote(id, 2);
        assert_eq!(s.my_dots(id), 2);
        assert_eq!(s.my_used(q), 2);
        assert_eq!(s.cards[0].dots, 0, "totals wait for the server");
        s.apply_pending_vote(id, 0);
        assert_eq!(s.my_dots(id), 0);
        assert!(s.me.as_ref().unwrap().votes.is_empty());
    }

    #[test]
    fn a_stale_vote_answer_does_not_undo_a_newer_live_total() {
        let mut s = snapshot();
        s.apply(
            1,
            &LiveEvent::CardAdded {
                card: card(100, 10),
            },
        );
        s.apply(
            9,
            &LiveEvent::Counts {
                cards: vec![CardTally::dots(CardId(Uuid::from_u128(100)), 7)],
                groups: vec![],
            },
        );
        s.apply_vote(&VoteOutcome {
            card_id: CardId(Uuid::from_u128(100)),
            question_id: QuestionId(Uuid::from_u128(10)),
            dots: 1,
            total: Some(5),
            budget: 3,
            used: 1,
            remaining: 2,
            seq: 6,
        });
        assert_eq!(s.cards[0].dots, 7);
        assert_eq!(s.my_dots(CardId(Uuid::from_u128(100))), 1);
    }

    #[test]
    fn hidden_cards_leave_phones_and_give_their_dots_back() {
        let mut s = snapshot();
        s.apply(
            1,
            &LiveEvent::QuestionAdded {
                question: question(10, Phase::Voting),
            },
        );
        s.apply(
            2,
            &LiveEvent::CardAdded {
                card: card(100, 10),
            },
        );
        s.apply(
            3,
            &LiveEvent::CardAdded {
                card: card(101, 10),
            },
        );
        s.me.as_mut().unwrap().votes = vec![MyVote {
            card_id: CardId(Uuid::from_u128(100)),
            dots: 2,
        }];
        let q = QuestionId(Uuid::from_u128(10));
        assert_eq!(s.my_remaining(q), 1);
        s.apply(
            4,
            &LiveEvent::CardRemoved {
                card_id: CardId(Uuid::from_u128(100)),
            },
        );
        assert_eq!(s.cards.len(), 1);
        assert_eq!(s.my_remaining(q), 3);
    }

    #[test]
    fn participants_get_no_hidden_tallies_and_no_one_elses_pending_cards() {
        let mut s = snapshot();
        let mut q = question(10, Phase::Voting);
        q.hide_tallies = true;
        s.questions.push(q);
        let mut a = card(100, 10);
        a.dots = 5;
        let mut pending = card(101, 10);
        pending.status = CardStatus::Pending;
        let mut mine = card(102, 10);
        mine.status = CardStatus::Pending;
        let mut hidden = card(103, 10);
        hidden.status = CardStatus::Hidden;
        hidden.hidden_reason = Some("ujaran kebencian".into());
        s.cards = vec![a, pending, mine, hidden];
        s.me.as_mut().unwrap().cards = vec![CardId(Uuid::from_u128(102))];
        let p = s.for_participant();
        let ids: Vec<_> = p.cards.iter().map(|c| c.id.0.as_u128()).collect();
        assert_eq!(ids, [100, 102]);
        assert_eq!(p.cards[0].dots, 0);
        assert_eq!(p.my_unseen_cards(QuestionId(Uuid::from_u128(10))).len(), 1);
    }

    #[test]
    fn the_current_question_is_the_newest_open_one() {
        let mut s = snapshot();
        assert!(s.current_question().is_none());
        s.apply(
            1,
            &LiveEvent::QuestionAdded {
                question: question(1, Phase::Voting),
            },
        );
        s.apply(
            2,
            &LiveEvent::QuestionAdded {
                question: question(2, Phase::Closed),
            },
        );
        assert_eq!(
            s.current_question().unwrap().id,
            QuestionId(Uuid::from_u128(1))
        );
        s.apply(
            3,
            &LiveEvent::PhaseChanged {
                question_id: QuestionId(Uuid::from_u128(1)),
                phase: Phase::Closed,
            },
        );
        assert_eq!(
            s.current_question().unwrap().id,
            QuestionId(Uuid::from_u128(2))
        );
    }

    #[test]
    fn breadth_and_imbalances_read_the_groups_dots() {
        use crate::card::GroupDots;
        let mut s = snapshot();
        s.questions.push(question(1, Phase::Voting));
        let by = |pairs: &[(&str, u32)]| -> Vec<GroupDots> {
            pairs
                .iter()
                .map(|(g, d)| GroupDots {
                    group: g.to_string(),
                    dots: *d,
                })
                .collect()
        };
        let mut a = card(10, 1);
        a.dots = 12;
        a.dots_by_group = by(&[("community", 11), ("government", 1)]);
        let mut b = card(11, 1);
        b.dots = 1;
        b.dots_by_group = by(&[("community", 1)]);
        let mut hidden = card(12, 1);
        hidden.status = CardStatus::Hidden;
        hidden.dots_by_group = by(&[("media", 50)]);
        s.cards = vec![a, b, hidden];
        s.participants = vec![
            GroupCount {
                group: "community".into(),
                count: 9,
            },
            GroupCount {
                group: "government".into(),
                count: 1,
            },
        ];
        let breadth = s.breadth(QuestionId(Uuid::from_u128(1)));
        assert_eq!(breadth[&CardId(Uuid::from_u128(10))], 2);
        assert_eq!(breadth[&CardId(Uuid::from_u128(11))], 1);
        assert!(!breadth.contains_key(&CardId(Uuid::from_u128(12))));
        let warn: Vec<String> = s.imbalances().into_iter().map(|i| i.group).collect();
        // Government has 10 % of the room but under 10 % of the dots; the
        // groups nobody came from are flagged too; the hidden card's dots
        // do not count.
        assert!(warn.contains(&"government".to_string()));
        assert!(warn.contains(&"media".to_string()));
        assert!(!warn.contains(&"community".to_string()));
    }
}
