//! The "draft plan input": a workshop's (or one session's) results compiled
//! per smart city dimension for the master plan.
//!
//! [`compile`] is a pure function from the facts (questions, cards with
//! their tallies and scores, head-counts, the moderation record) to a
//! [`Report`]; the renderers (Markdown, DOCX, XLSX, CSV, HTML) only lay it
//! out. Items are ranked by dots, then by USG score (or impact), then by
//! age and id, so two exports of the same data are identical.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::{
    CardId, Lang, QuestionId, SessionId, WorkshopId,
    audit::AuditEntry,
    card::{Card, CardKind, CardStatus},
    dimension::Dimension,
    event::GroupCount,
    group::StakeholderGroup,
    question::Question,
    ranking::{self, BREADTH_TOP_N, Imbalance},
    rating::{Horizon, IdeaScore, Programme, UsgScore},
    time::{Date, Timestamp},
};

/// What a report covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// Every session of the workshop.
    Workshop,
    /// One session.
    Session { session_id: SessionId },
}

/// The workshop a report belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportWorkshop {
    pub id: WorkshopId,
    pub title: String,
    pub place: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub language: Lang,
}

/// A session in the report, with its head-count per group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSession {
    pub id: SessionId,
    pub title: String,
    pub participants: u32,
    pub by_group: BTreeMap<String, u32>,
}

/// Who took part: head-counts only, never names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participation {
    pub total: u32,
    pub by_group: BTreeMap<String, u32>,
    pub sessions: Vec<ReportSession>,
}

/// A ranked problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemItem {
    pub id: CardId,
    pub rank: u32,
    pub text: String,
    /// Sub-element key, if known.
    pub sub_element: Option<String>,
    /// Titles of the sessions it came from.
    pub sessions: Vec<String>,
    pub dots: u32,
    /// Dots per stakeholder group (every group listed).
    pub dots_by_group: BTreeMap<String, u32>,
    /// In how many groups' top five it is.
    pub breadth: u32,
    /// Its score when every group weighs the same (0–1).
    pub equal_weight: f64,
    pub usg: Option<UsgScore>,
    /// Texts of the cards merged into it.
    pub merged_from: Vec<String>,
}

/// A ranked idea.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdeaItem {
    pub id: CardId,
    pub rank: u32,
    pub text: String,
    pub sub_element: Option<String>,
    pub sessions: Vec<String>,
    pub dots: u32,
    pub dots_by_group: BTreeMap<String, u32>,
    pub breadth: u32,
    pub equal_weight: f64,
    /// The problems it answers (ids of problem items).
    pub answers: Vec<CardId>,
    pub rating: Option<IdeaScore>,
    pub quick_win: bool,
    pub programme: Option<Programme>,
    pub merged_from: Vec<String>,
}

/// A candidate programme (an idea a facilitator marked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeItem {
    pub id: CardId,
    pub text: String,
    pub horizon: Horizon,
    pub lead_office: Option<String>,
}

/// One dimension's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DimensionReport {
    pub key: String,
    pub name: String,
    /// Sub-element names by key.
    pub sub_elements: BTreeMap<String, String>,
    pub questions: Vec<String>,
    pub problems: Vec<ProblemItem>,
    pub ideas: Vec<IdeaItem>,
    /// Ids of ideas in the high-impact, low-effort quadrant, best first.
    pub quick_wins: Vec<CardId>,
    pub programmes: Vec<ProgrammeItem>,
}

/// One card's raw numbers, whatever its state (annex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RawTally {
    pub id: CardId,
    pub dimension: String,
    pub session: String,
    pub kind: CardKind,
    pub status: CardStatus,
    pub text: String,
    pub group: String,
    pub dots: u32,
    pub dots_by_group: BTreeMap<String, u32>,
}

/// A view one group holds that the room does not rank high.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MinorityItem {
    pub dimension: String,
    pub id: CardId,
    pub text: String,
    pub group: String,
}

/// A moderation action with the session it happened in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogEntry {
    pub session: String,
    #[serde(flatten)]
    pub entry: AuditEntry,
}

/// Method, raw numbers, moderation record and minority views.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Annex {
    /// How the results were gathered and ranked, in the report's language.
    pub method: Vec<String>,
    pub raw_tallies: Vec<RawTally>,
    pub moderation_log: Vec<LogEntry>,
    pub minority_views: Vec<MinorityItem>,
}

/// The compiled results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub scope: Scope,
    pub workshop: ReportWorkshop,
    pub language: Lang,
    pub generated_at: Timestamp,
    pub groups: Vec<StakeholderGroup>,
    pub participation: Participation,
    /// Groups under 10 % of participants or of dots.
    pub imbalances: Vec<Imbalance>,
    /// Per dimension key, in the workshop's order.
    pub dimensions: BTreeMap<String, DimensionReport>,
    /// The dimension keys in the workshop's order (JSON objects have none).
    pub dimension_order: Vec<String>,
    pub annex: Annex,
}

/// A session's facts for [`compile`].
#[derive(Clone, Debug)]
pub struct SessionFacts {
    pub id: SessionId,
    pub title: String,
    pub questions: Vec<Question>,
    /// Every card, whatever its state.
    pub cards: Vec<Card>,
    pub participants: Vec<GroupCount>,
    pub audit: Vec<AuditEntry>,
}

/// Cards from several sessions that the secretariat merged into one item
/// of the workshop report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cluster {
    pub id: String,
    pub text: String,
    pub cards: Vec<CardId>,
}

/// Everything [`compile`] needs.
#[derive(Clone, Debug)]
pub struct Facts {
    pub scope: Scope,
    pub workshop: ReportWorkshop,
    pub dimensions: Vec<Dimension>,
    pub groups: Vec<StakeholderGroup>,
    pub sessions: Vec<SessionFacts>,
    pub clusters: Vec<Cluster>,
    /// The workshop-level record (cross-session merges and their undoing).
    pub workshop_audit: Vec<AuditEntry>,
    pub generated_at: Timestamp,
}

/// How many cards one group ranks high for a minority view.
const MINORITY_GROUP_TOP: usize = 3;
/// How many cards the room ranks high.
const MINORITY_OVERALL_TOP: usize = 10;

struct Entry<'a> {
    card: Card,
    question: &'a Question,
    sessions: Vec<String>,
    merged_from: Vec<String>,
}

/// Compiles the facts into a report.
pub fn compile(facts: &Facts) -> Report {
    let lang = facts.workshop.language;
    let group_keys: Vec<String> = facts.groups.iter().map(|g| g.key.clone()).collect();
    let all_groups = |by: &[crate::card::GroupDots]| -> BTreeMap<String, u32> {
        let mut m: BTreeMap<String, u32> = group_keys.iter().map(|g| (g.clone(), 0)).collect();
        for g in by {
            *m.entry(g.group.clone()).or_default() += g.dots;
        }
        m
    };

    // Which session and question each card belongs to.
    let mut question_of: HashMap<QuestionId, (&Question, &SessionFacts)> = HashMap::new();
    for s in &facts.sessions {
        for q in &s.questions {
            question_of.insert(q.id, (q, s));
        }
    }
    let visible: Vec<(&Card, &Question, &SessionFacts)> = facts
        .sessions
        .iter()
        .flat_map(|s| {
            s.cards
                .iter()
                .filter(|c| c.is_visible())
                .map(move |c| (c, s))
        })
        .filter_map(|(c, s)| question_of.get(&c.question_id).map(|(q, _)| (c, *q, s)))
        .collect();

    // Cross-session clusters become one entry; every other visible card is
    // its own.
    let mut clustered: HashMap<CardId, usize> = HashMap::new();
    for (i, cl) in facts.clusters.iter().enumerate() {
        for id in &cl.cards {
            clustered.insert(*id, i);
        }
    }
    let mut entries: Vec<Entry> = Vec::new();
    for (i, cl) in facts.clusters.iter().enumerate() {
        let members: Vec<&(&Card, &Question, &SessionFacts)> = visible
            .iter()
            .filter(|(c, ..)| clustered.get(&c.id) == Some(&i))
            .collect();
        let Some((first, question, _)) = members.first() else {
            continue;
        };
        let mut card = (*first).clone();
        card.text = cl.text.clone();
        card.dots = members.iter().map(|(c, ..)| c.dots).sum();
        card.dots_by_group = all_groups(
            &members
                .iter()
                .flat_map(|(c, ..)| c.dots_by_group.clone())
                .collect::<Vec<_>>(),
        )
        .into_iter()
        .filter(|(_, d)| *d > 0)
        .map(|(group, dots)| crate::card::GroupDots { group, dots })
        .collect();
        card.usg = UsgScore::combine(
            &members
                .iter()
                .filter_map(|(c, ..)| c.usg)
                .collect::<Vec<_>>(),
        );
        card.idea_score = IdeaScore::combine(
            &members
                .iter()
                .filter_map(|(c, ..)| c.idea_score)
                .collect::<Vec<_>>(),
        );
        card.programme = members.iter().find_map(|(c, ..)| c.programme.clone());
        card.answers = members
            .iter()
            .flat_map(|(c, ..)| c.answers.clone())
            .collect();
        card.created_at = members
            .iter()
            .map(|(c, ..)| c.created_at)
            .min()
            .unwrap_or(card.created_at);
        let mut sessions: Vec<String> = members.iter().map(|(_, _, s)| s.title.clone()).collect();
        sessions.dedup();
        entries.push(Entry {
            card,
            question,
            sessions,
            merged_from: members.iter().map(|(c, ..)| c.text.clone()).collect(),
        });
    }
    for (card, question, session) in &visible {
        if clustered.contains_key(&card.id) {
            continue;
        }
        let merged_from = card
            .merged_from
            .iter()
            .filter_map(|id| {
                session
                    .cards
                    .iter()
                    .find(|c| c.id == *id)
                    .map(|c| c.text.clone())
            })
            .collect();
        entries.push(Entry {
            card: (*card).clone(),
            question,
            sessions: vec![session.title.clone()],
            merged_from,
        });
    }
    // Answers that point into a cluster point at the cluster's entry.
    let cluster_entry: HashMap<CardId, CardId> = facts
        .clusters
        .iter()
        .filter_map(|cl| {
            let head = entries
                .iter()
                .find(|e| cl.cards.contains(&e.card.id))?
                .card
                .id;
            Some(cl.cards.iter().map(move |c| (*c, head)))
        })
        .flatten()
        .collect();

    let mut dimensions = BTreeMap::new();
    for dim in &facts.dimensions {
        let sub_of = |e: &Entry| {
            e.card
                .sub_element
                .clone()
                .or_else(|| e.question.sub_element.clone())
        };
        let in_dim: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.question.dimension == dim.key)
            .collect();
        let problems: Vec<&Entry> = in_dim
            .iter()
            .copied()
            .filter(|e| e.card.kind == CardKind::Problem)
            .collect();
        let ideas: Vec<&Entry> = in_dim
            .iter()
            .copied()
            .filter(|e| e.card.kind == CardKind::Idea)
            .collect();
        let cards_of = |list: &[&Entry]| list.iter().map(|e| e.card.clone()).collect::<Vec<Card>>();
        let (problem_cards, idea_cards) = (cards_of(&problems), cards_of(&ideas));
        let (pb, ib) = (
            ranking::breadth(&problem_cards, &group_keys, BREADTH_TOP_N),
            ranking::breadth(&idea_cards, &group_keys, BREADTH_TOP_N),
        );
        let (pw, iw) = (
            ranking::equal_weight_scores(&problem_cards, &group_keys),
            ranking::equal_weight_scores(&idea_cards, &group_keys),
        );
        let mut problem_items: Vec<ProblemItem> = problems
            .iter()
            .map(|e| ProblemItem {
                id: e.card.id,
                rank: 0,
                text: e.card.text.clone(),
                sub_element: sub_of(e),
                sessions: e.sessions.clone(),
                dots: e.card.dots,
                dots_by_group: all_groups(&e.card.dots_by_group),
                breadth: pb.get(&e.card.id).copied().unwrap_or(0),
                equal_weight: round3(pw.get(&e.card.id).copied().unwrap_or(0.0)),
                usg: e.card.usg,
                merged_from: e.merged_from.clone(),
            })
            .collect();
        let created: HashMap<CardId, Timestamp> = in_dim
            .iter()
            .map(|e| (e.card.id, e.card.created_at))
            .collect();
        problem_items.sort_by(|a, b| {
            b.dots
                .cmp(&a.dots)
                .then_with(|| score_of(b.usg).total_cmp(&score_of(a.usg)))
                .then_with(|| created[&a.id].cmp(&created[&b.id]))
                .then_with(|| a.id.cmp(&b.id))
        });
        for (i, p) in problem_items.iter_mut().enumerate() {
            p.rank = i as u32 + 1;
        }
        let mut idea_items: Vec<IdeaItem> = ideas
            .iter()
            .map(|e| {
                let mut answers: Vec<CardId> = e
                    .card
                    .answers
                    .iter()
                    .map(|a| cluster_entry.get(a).copied().unwrap_or(*a))
                    .collect();
                answers.sort();
                answers.dedup();
                IdeaItem {
                    id: e.card.id,
                    rank: 0,
                    text: e.card.text.clone(),
                    sub_element: sub_of(e),
                    sessions: e.sessions.clone(),
                    dots: e.card.dots,
                    dots_by_group: all_groups(&e.card.dots_by_group),
                    breadth: ib.get(&e.card.id).copied().unwrap_or(0),
                    equal_weight: round3(iw.get(&e.card.id).copied().unwrap_or(0.0)),
                    answers,
                    rating: e.card.idea_score,
                    quick_win: e.card.idea_score.is_some_and(|s| s.quick_win),
                    programme: e.card.programme.clone(),
                    merged_from: e.merged_from.clone(),
                }
            })
            .collect();
        idea_items.sort_by(|a, b| {
            b.dots
                .cmp(&a.dots)
                .then_with(|| impact_of(b.rating).total_cmp(&impact_of(a.rating)))
                .then_with(|| created[&a.id].cmp(&created[&b.id]))
                .then_with(|| a.id.cmp(&b.id))
        });
        for (i, p) in idea_items.iter_mut().enumerate() {
            p.rank = i as u32 + 1;
        }
        let mut quick: Vec<&IdeaItem> = idea_items.iter().filter(|i| i.quick_win).collect();
        quick.sort_by(|a, b| {
            let (ra, rb) = (a.rating.unwrap(), b.rating.unwrap());
            rb.impact
                .total_cmp(&ra.impact)
                .then_with(|| ra.effort.total_cmp(&rb.effort))
                .then_with(|| a.rank.cmp(&b.rank))
        });
        let mut programmes: Vec<ProgrammeItem> = idea_items
            .iter()
            .filter_map(|i| {
                let p = i.programme.clone()?;
                Some(ProgrammeItem {
                    id: i.id,
                    text: i.text.clone(),
                    horizon: p.horizon,
                    lead_office: p.lead_office,
                })
            })
            .collect();
        programmes.sort_by_key(|p| Horizon::ALL.iter().position(|h| *h == p.horizon));
        let mut questions: Vec<String> = facts
            .sessions
            .iter()
            .flat_map(|s| {
                s.questions
                    .iter()
                    .filter(|q| q.dimension == dim.key)
                    .map(|q| q.prompt.clone())
            })
            .collect();
        questions.dedup();
        dimensions.insert(
            dim.key.clone(),
            DimensionReport {
                key: dim.key.clone(),
                name: dim.name.clone(),
                sub_elements: dim
                    .sub_elements
                    .iter()
                    .map(|s| (s.key.clone(), s.name.clone()))
                    .collect(),
                questions,
                quick_wins: quick.iter().map(|i| i.id).collect(),
                programmes,
                problems: problem_items,
                ideas: idea_items,
            },
        );
    }

    // Participation: head-counts per group, overall and per session.
    let sessions: Vec<ReportSession> = facts
        .sessions
        .iter()
        .map(|s| {
            let by_group: BTreeMap<String, u32> = group_keys
                .iter()
                .map(|g| {
                    (
                        g.clone(),
                        s.participants
                            .iter()
                            .find(|p| &p.group == g)
                            .map_or(0, |p| p.count),
                    )
                })
                .collect();
            ReportSession {
                id: s.id,
                title: s.title.clone(),
                participants: by_group.values().sum(),
                by_group,
            }
        })
        .collect();
    let mut by_group: BTreeMap<String, u32> = group_keys.iter().map(|g| (g.clone(), 0)).collect();
    for s in &sessions {
        for (g, n) in &s.by_group {
            *by_group.entry(g.clone()).or_default() += n;
        }
    }
    let mut dots_by_group: HashMap<String, u32> = HashMap::new();
    for (card, ..) in &visible {
        for g in &card.dots_by_group {
            *dots_by_group.entry(g.group.clone()).or_default() += g.dots;
        }
    }
    let participants_by_group: HashMap<String, u32> =
        by_group.iter().map(|(g, n)| (g.clone(), *n)).collect();
    let imbalances = ranking::imbalances(&group_keys, &participants_by_group, &dots_by_group);

    // Annex.
    let mut raw_tallies: Vec<RawTally> = facts
        .sessions
        .iter()
        .flat_map(|s| {
            s.cards.iter().map(move |c| RawTally {
                id: c.id,
                dimension: s
                    .questions
                    .iter()
                    .find(|q| q.id == c.question_id)
                    .map(|q| q.dimension.clone())
                    .unwrap_or_default(),
                session: s.title.clone(),
                kind: c.kind,
                status: c.status,
                text: c.text.clone(),
                group: c.group.clone(),
                dots: c.dots,
                dots_by_group: all_groups(&c.dots_by_group),
            })
        })
        .collect();
    raw_tallies.sort_by(|a, b| {
        a.dimension
            .cmp(&b.dimension)
            .then_with(|| b.dots.cmp(&a.dots))
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut moderation_log: Vec<LogEntry> = facts
        .sessions
        .iter()
        .flat_map(|s| {
            s.audit.iter().map(move |e| LogEntry {
                session: s.title.clone(),
                entry: e.clone(),
            })
        })
        .chain(facts.workshop_audit.iter().map(|e| LogEntry {
            session: facts.workshop.title.clone(),
            entry: e.clone(),
        }))
        .collect();
    moderation_log.sort_by(|a, b| {
        a.entry
            .at
            .cmp(&b.entry.at)
            .then_with(|| a.session.cmp(&b.session))
    });
    let mut minority_views = Vec::new();
    for dim in &facts.dimensions {
        let cards: Vec<Card> = entries
            .iter()
            .filter(|e| e.question.dimension == dim.key)
            .map(|e| e.card.clone())
            .collect();
        for v in ranking::minority_views(
            &cards,
            &group_keys,
            MINORITY_OVERALL_TOP,
            MINORITY_GROUP_TOP,
        ) {
            if let Some(c) = cards.iter().find(|c| c.id == v.card_id) {
                minority_views.push(MinorityItem {
                    dimension: dim.key.clone(),
                    id: c.id,
                    text: c.text.clone(),
                    group: v.group,
                });
            }
        }
    }

    Report {
        scope: facts.scope.clone(),
        workshop: facts.workshop.clone(),
        language: lang,
        generated_at: facts.generated_at,
        groups: facts.groups.clone(),
        participation: Participation {
            total: by_group.values().sum(),
            by_group,
            sessions,
        },
        imbalances,
        dimension_order: facts.dimensions.iter().map(|d| d.key.clone()).collect(),
        dimensions,
        annex: Annex {
            method: method(lang),
            raw_tallies,
            moderation_log,
            minority_views,
        },
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn score_of(usg: Option<UsgScore>) -> f32 {
    usg.map_or(0.0, |u| u.score)
}

fn impact_of(rating: Option<IdeaScore>) -> f32 {
    rating.map_or(0.0, |r| r.impact)
}

/// The method paragraphs of the annex.
pub fn method(lang: Lang) -> Vec<String> {
    let t = lang.t();
    vec![
        t.report_method_dots().to_string(),
        t.report_method_usg().to_string(),
        t.report_method_ideas().to_string(),
        t.report_method_groups().to_string(),
        t.report_method_moderation().to_string(),
    ]
}

impl Report {
    /// The dimensions in the workshop's order.
    pub fn ordered_dimensions(&self) -> impl Iterator<Item = &DimensionReport> {
        self.dimension_order
            .iter()
            .filter_map(|k| self.dimensions.get(k))
    }

    /// A stakeholder group's name.
    pub fn group_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.groups
            .iter()
            .find(|g| g.key == key)
            .map_or(key, |g| g.name.as_str())
    }
}

/// How a ranking is read: by all dots, by one group's dots, or as if every
/// group had the same total weight.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", content = "group", rename_all = "snake_case")]
pub enum RankView {
    #[default]
    Overall,
    Group(String),
    EqualWeight,
}

impl RankView {
    /// From a page's query: `?group=KEY` wins over `?weighting=equal`; an
    /// unknown group falls back to the overall view.
    pub fn from_query(group: Option<&str>, weighting: Option<&str>, groups: &[String]) -> RankView {
        match group.map(str::trim).filter(|g| !g.is_empty()) {
            Some(g) if groups.iter().any(|k| k == g) => RankView::Group(g.to_string()),
            _ if weighting.map(str::trim) == Some("equal") => RankView::EqualWeight,
            _ => RankView::Overall,
        }
    }
}

/// An item of a ranked list.
pub trait RankedItem {
    fn rank(&self) -> u32;
    fn dots(&self) -> u32;
    fn dots_by_group(&self) -> &BTreeMap<String, u32>;
    fn equal_weight(&self) -> f64;

    /// The number the view ranks by.
    fn weight_in(&self, view: &RankView) -> f64 {
        match view {
            RankView::Overall => f64::from(self.dots()),
            RankView::Group(g) => f64::from(self.dots_by_group().get(g).copied().unwrap_or(0)),
            RankView::EqualWeight => self.equal_weight(),
        }
    }
}

macro_rules! ranked_item {
    ($t:ty) => {
        impl RankedItem for $t {
            fn rank(&self) -> u32 {
                self.rank
            }
            fn dots(&self) -> u32 {
                self.dots
            }
            fn dots_by_group(&self) -> &BTreeMap<String, u32> {
                &self.dots_by_group
            }
            fn equal_weight(&self) -> f64 {
                self.equal_weight
            }
        }
    };
}
ranked_item!(ProblemItem);
ranked_item!(IdeaItem);

/// The items in the order a view ranks them; ties keep the overall rank,
/// so the order is always the same.
pub fn ranked_in<'a, T: RankedItem>(items: &'a [T], view: &RankView) -> Vec<&'a T> {
    let mut out: Vec<&T> = items.iter().collect();
    out.sort_by(|a, b| {
        b.weight_in(view)
            .total_cmp(&a.weight_in(view))
            .then_with(|| a.rank().cmp(&b.rank()))
    });
    out
}

#[cfg(test)]
mod view_tests {
    use super::*;

    fn item(rank: u32, dots: u32, by_group: &[(&str, u32)], equal: f64) -> ProblemItem {
        ProblemItem {
            id: CardId(uuid::Uuid::from_u128(u128::from(rank))),
            rank,
            text: format!("item {rank}"),
            sub_element: None,
            sessions: vec![],
            dots,
            dots_by_group: by_group.iter().map(|(g, d)| (g.to_string(), *d)).collect(),
            breadth: 0,
            equal_weight: equal,
            usg: None,
            merged_from: vec![],
        }
    }

    fn ranks(items: Vec<&ProblemItem>) -> Vec<u32> {
        items.into_iter().map(|i| i.rank).collect()
    }

    #[test]
    fn views_reorder_by_group_and_equal_weight_with_ties_in_overall_order() {
        let items = vec![
            item(1, 9, &[("government", 8), ("community", 1)], 0.30),
            item(2, 5, &[("community", 5)], 0.50),
            item(3, 5, &[("community", 3), ("media", 2)], 0.50),
            item(4, 0, &[], 0.0),
        ];
        assert_eq!(ranks(ranked_in(&items, &RankView::Overall)), [1, 2, 3, 4]);
        assert_eq!(
            ranks(ranked_in(&items, &RankView::Group("community".into()))),
            [2, 3, 1, 4]
        );
        assert_eq!(
            ranks(ranked_in(&items, &RankView::Group("media".into()))),
            [3, 1, 2, 4],
            "items the group gave nothing keep the overall order"
        );
        assert_eq!(
            ranks(ranked_in(&items, &RankView::EqualWeight)),
            [2, 3, 1, 4]
        );
    }

    #[test]
    fn the_query_picks_a_known_group_or_equal_weighting() {
        let groups = vec!["community".to_string(), "media".to_string()];
        assert_eq!(
            RankView::from_query(Some("media"), Some("equal"), &groups),
            RankView::Group("media".into())
        );
        assert_eq!(
            RankView::from_query(Some("nobody"), Some("equal"), &groups),
            RankView::EqualWeight
        );
        assert_eq!(
            RankView::from_query(Some(""), None, &groups),
            RankView::Overall
        );
        assert_eq!(
            RankView::from_query(None, Some("by-votes"), &groups),
            RankView::Overall
        );
    }
}
