//! The report as a format-neutral document: a cover, then chapters of
//! sections of blocks. Markdown, Word and HTML only lay this out, so the
//! three always say the same thing in the same order.
//!
//! The chapters are: a participation overview; one chapter per dimension
//! with sections A (participation), B (priority problems), C (ideas),
//! D (quick wins and candidate programmes) and E (that dimension's annex:
//! minority views and raw tallies); and a general annex (method,
//! representation warnings, moderation log).

use rembuk_domain::{
    Lang,
    card::CardStatus,
    i18n::{Strings, fill},
    ranking::UNDER_REPRESENTED,
    report::{DimensionReport, Report, ReportSession, Scope},
    time::{Date, WIB},
};

use crate::table::{Cell, Column, Table, decimal};

/// The whole document.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Document {
    pub lang: Lang,
    /// "Masukan Rancangan Rencana Induk Smart City".
    pub title: String,
    /// The workshop's title.
    pub subtitle: String,
    /// Label and value pairs for the cover (place, dates, scope, …).
    pub facts: Vec<(String, String)>,
    /// What the document is (and is not), for the cover.
    pub note: String,
    pub chapters: Vec<Chapter>,
}

/// A top-level part: the overview, a dimension, or the general annex.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Chapter {
    pub title: String,
    /// The dimension's key, for dimension chapters.
    pub dimension: Option<String>,
    pub sections: Vec<Section>,
}

/// A titled part of a chapter (A–E in a dimension).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// A piece of content.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Block {
    Paragraph(String),
    /// An explanation of what follows, set smaller or in italics.
    Note(String),
    List(Vec<String>),
    /// A small heading above a table.
    Caption(String),
    Table(Table),
    /// The top-problems chart of a dimension (by key); only formats that
    /// can show pictures draw it.
    Chart(String),
}

/// Builds the document for a report.
pub(crate) fn build(report: &Report) -> Document {
    let lang = report.language;
    let t = lang.t();
    let mut chapters = vec![overview(report)];
    chapters.extend(report.ordered_dimensions().map(|d| dimension(report, d)));
    chapters.push(general_annex(report));
    Document {
        lang,
        title: t.export_document_title().to_string(),
        subtitle: report.workshop.title.clone(),
        facts: cover_facts(report),
        note: t.export_draft_note().to_string(),
        chapters,
    }
}

/// Place, dates, scope and compilation date, as far as they are known.
fn cover_facts(report: &Report) -> Vec<(String, String)> {
    let lang = report.language;
    let t = lang.t();
    let w = &report.workshop;
    let mut facts = Vec::new();
    if let Some(place) = w.place.as_deref().filter(|p| !p.trim().is_empty()) {
        facts.push((t.export_place().to_string(), place.to_string()));
    }
    if let Some(start) = w.starts_on {
        let dates = match w.ends_on.filter(|end| *end > start) {
            Some(end) => date_range(lang, start, end),
            None => start.long(lang),
        };
        facts.push((t.export_dates().to_string(), dates));
    }
    facts.push((t.export_scope().to_string(), scope_label(report)));
    facts.push((
        t.export_generated().to_string(),
        report.generated_at.date_at_offset(WIB).long(lang),
    ));
    facts
}

/// "1 s.d. 2 Desember 2026": the start says only what differs from the end.
fn date_range(lang: Lang, start: Date, end: Date) -> String {
    let ((ys, ms, ds), (ye, me, _)) = (start.ymd(), end.ymd());
    let from = if (ys, ms) == (ye, me) {
        ds.to_string()
    } else if ys == ye {
        format!("{ds} {}", lang.month(ms))
    } else {
        start.long(lang)
    };
    fill(
        lang.t().export_date_range(),
        &[("start", &from), ("end", &end.long(lang))],
    )
}

fn scope_label(report: &Report) -> String {
    let t = report.language.t();
    match &report.scope {
        Scope::Workshop => t.export_scope_workshop().to_string(),
        Scope::Session { session_id } => {
            let title = report
                .participation
                .sessions
                .iter()
                .find(|s| s.id == *session_id)
                .map_or_else(|| session_id.to_string(), |s| s.title.clone());
            fill(t.export_scope_session(), &[("session", &title)])
        }
    }
}

// ---------------------------------------------------------------------------
// Participation overview

fn overview(report: &Report) -> Chapter {
    let t = report.language.t();
    let total = fill(
        t.export_participants_total(),
        &[(
            "n",
            &report.language.number(report.participation.total.into()),
        )],
    );
    Chapter {
        title: t.export_participation_overview().to_string(),
        dimension: None,
        sections: vec![
            Section {
                title: t.export_by_group().to_string(),
                blocks: vec![
                    Block::Paragraph(total),
                    Block::Table(participation_by_group(report)),
                ],
            },
            Section {
                title: t.export_by_session().to_string(),
                blocks: vec![table_or(
                    participation_by_session(report),
                    t.export_no_sessions(),
                )],
            },
        ],
    }
}

/// Head-count and share per stakeholder group, with a total row.
pub(crate) fn participation_by_group(report: &Report) -> Table {
    let t = report.language.t();
    let p = &report.participation;
    let mut table = Table::new(vec![
        Column::medium(t.export_group()),
        Column::number(t.export_participants()),
        Column::number(t.export_share()),
    ]);
    for g in &report.groups {
        let n = p.by_group.get(&g.key).copied().unwrap_or(0);
        table.push(vec![Cell::text(&g.name), Cell::Int(n), share(n, p.total)]);
    }
    table.push(vec![
        Cell::text(t.export_total()),
        Cell::Int(p.total),
        share(p.total, p.total),
    ]);
    table
}

/// Head-count per session and group.
pub(crate) fn participation_by_session(report: &Report) -> Table {
    sessions_table(report, report.participation.sessions.iter())
}

fn sessions_table<'a>(report: &Report, sessions: impl Iterator<Item = &'a ReportSession>) -> Table {
    let t = report.language.t();
    let mut columns = vec![Column::wide(t.export_session())];
    columns.extend(report.groups.iter().map(|g| Column::number(&g.name)));
    columns.push(Column::number(t.export_total()));
    let mut table = Table::new(columns);
    for s in sessions {
        let mut row = vec![Cell::text(&s.title)];
        row.extend(
            report
                .groups
                .iter()
                .map(|g| Cell::Int(s.by_group.get(&g.key).copied().unwrap_or(0))),
        );
        row.push(Cell::Int(s.participants));
        table.push(row);
    }
    table
}

/// `part / whole`, blank when there is no whole.
fn share(part: u32, whole: u32) -> Cell {
    if whole == 0 {
        Cell::Blank
    } else {
        Cell::Share(f64::from(part) / f64::from(whole))
    }
}

/// The table, or a sentence saying there is nothing to show.
fn table_or(table: Table, empty: &str) -> Block {
    if table.is_empty() {
        Block::Paragraph(empty.to_string())
    } else {
        Block::Table(table)
    }
}

/// A note explaining the table, then the table; or only the sentence saying
/// there is nothing to show (the explanation of nothing is noise).
fn noted_table_or(note: &str, table: Table, empty: &str) -> Vec<Block> {
    if table.is_empty() {
        vec![Block::Paragraph(empty.to_string())]
    } else {
        vec![Block::Note(note.to_string()), Block::Table(table)]
    }
}

// ---------------------------------------------------------------------------
// One dimension

fn dimension(report: &Report, dim: &DimensionReport) -> Chapter {
    let t = report.language.t();
    let titled = |letter: char, title: &str, blocks: Vec<Block>| Section {
        title: format!("{letter}. {title}"),
        blocks,
    };
    Chapter {
        title: dim.name.clone(),
        dimension: Some(dim.key.clone()),
        sections: vec![
            titled('A', t.export_participation(), participation(report, dim)),
            titled('B', t.export_problems(), problems(report, dim)),
            titled('C', t.export_ideas(), ideas(report, dim)),
            titled('D', t.export_shortlist(), shortlist(report, dim)),
            titled('E', t.export_annex(), dimension_annex(report, dim)),
        ],
    }
}

/// A. The questions asked, who was in the room, and whose votes shaped
/// this dimension.
fn participation(report: &Report, dim: &DimensionReport) -> Vec<Block> {
    let t = report.language.t();
    let mut blocks = Vec::new();
    if !dim.questions.is_empty() {
        blocks.push(Block::Caption(t.export_questions().to_string()));
        blocks.push(Block::List(dim.questions.clone()));
    }
    let sessions = sessions_of(report, dim);
    if sessions.is_empty() {
        // Nobody discussed it: a table of zeros would only be noise.
        blocks.push(Block::Paragraph(
            t.export_no_dimension_sessions().to_string(),
        ));
        return blocks;
    }
    blocks.push(Block::Caption(
        t.export_dimension_participation().to_string(),
    ));
    blocks.push(Block::Table(dimension_groups(report, dim, &sessions)));
    blocks.push(Block::Caption(t.export_dimension_sessions().to_string()));
    blocks.push(Block::Table(sessions_table(report, sessions.into_iter())));
    blocks
}

/// The sessions that produced cards in this dimension, in the report's
/// session order. Hidden and merged cards count: the discussion happened.
fn sessions_of<'a>(report: &'a Report, dim: &DimensionReport) -> Vec<&'a ReportSession> {
    let named = |title: &str| {
        report
            .annex
            .raw_tallies
            .iter()
            .any(|r| r.dimension == dim.key && r.session == title)
            || dim
                .problems
                .iter()
                .any(|p| p.sessions.iter().any(|s| s == title))
            || dim
                .ideas
                .iter()
                .any(|i| i.sessions.iter().any(|s| s == title))
    };
    report
        .participation
        .sessions
        .iter()
        .filter(|s| named(&s.title))
        .collect()
}

/// Per group: head-count of the dimension's sessions and dots spent on the
/// dimension's cards, with a total row.
fn dimension_groups(report: &Report, dim: &DimensionReport, sessions: &[&ReportSession]) -> Table {
    let t = report.language.t();
    let mut table = Table::new(vec![
        Column::medium(t.export_group()),
        Column::number(t.export_participants()),
        Column::number(t.export_votes()),
    ]);
    let (mut people_total, mut dots_total) = (0, 0);
    for g in &report.groups {
        let people: u32 = sessions
            .iter()
            .map(|s| s.by_group.get(&g.key).copied().unwrap_or(0))
            .sum();
        let dots: u32 = dim
            .problems
            .iter()
            .map(|p| &p.dots_by_group)
            .chain(dim.ideas.iter().map(|i| &i.dots_by_group))
            .map(|by| by.get(&g.key).copied().unwrap_or(0))
            .sum();
        people_total += people;
        dots_total += dots;
        table.push(vec![
            Cell::text(&g.name),
            Cell::Int(people),
            Cell::Int(dots),
        ]);
    }
    table.push(vec![
        Cell::text(t.export_total()),
        Cell::Int(people_total),
        Cell::Int(dots_total),
    ]);
    table
}

/// A sub-element's name, or its key when the dimension no longer has it.
pub(crate) fn sub_element_name(dim: &DimensionReport, key: Option<&str>) -> Cell {
    Cell::opt_text(key.map(|k| dim.sub_elements.get(k).map_or(k, String::as_str)))
}

/// B. Problems ranked, their votes per group and their USG scores.
fn problems(report: &Report, dim: &DimensionReport) -> Vec<Block> {
    let t = report.language.t();
    if dim.problems.is_empty() {
        return vec![Block::Paragraph(t.export_no_problems().to_string())];
    }
    let usg = usg_table(report, dim);
    vec![
        Block::Chart(dim.key.clone()),
        Block::Caption(t.export_problem_ranking().to_string()),
        Block::Table(problem_ranking(report, dim)),
        Block::Caption(t.export_problem_votes().to_string()),
        Block::Table(problem_votes(report, dim)),
        Block::Caption(t.export_usg_matrix().to_string()),
        table_or(usg, t.export_no_usg()),
    ]
}

/// A card's text, followed by the texts merged into it.
fn text_with_merges(t: &Strings, text: &str, merged_from: &[String]) -> Cell {
    if merged_from.is_empty() {
        Cell::text(text)
    } else {
        let merged = fill(
            t.export_merged_from(),
            &[("cards", &merged_from.join("; "))],
        );
        Cell::Lines(vec![text.to_string(), merged])
    }
}

fn problem_ranking(report: &Report, dim: &DimensionReport) -> Table {
    let t = report.language.t();
    let mut table = Table::new(vec![
        Column::number(t.export_rank()),
        Column::wide(t.export_problem()),
        Column::medium(t.export_sub_element()),
        Column::medium(t.export_sessions()),
        Column::number(t.export_votes()),
        Column::number(t.export_breadth()),
        Column::number(t.export_usg_score()),
    ]);
    for p in &dim.problems {
        table.push(vec![
            Cell::Int(p.rank),
            text_with_merges(t, &p.text, &p.merged_from),
            sub_element_name(dim, p.sub_element.as_deref()),
            Cell::Lines(p.sessions.clone()),
            Cell::Int(p.dots),
            Cell::Int(p.breadth),
            Cell::opt_score(p.usg.map(|u| u.score)),
        ]);
    }
    table
}

fn problem_votes(report: &Report, dim: &DimensionReport) -> Table {
    let t = report.language.t();
    let mut columns = vec![
        Column::number(t.export_rank()),
        Column::wide(t.export_problem()),
    ];
    columns.extend(report.groups.iter().map(|g| Column::number(&g.name)));
    columns.push(Column::number(t.export_total()));
    let mut table = Table::new(columns);
    for p in &dim.problems {
        let mut row = vec![Cell::Int(p.rank), Cell::text(&p.text)];
        row.extend(
            report
                .groups
                .iter()
                .map(|g| Cell::Int(p.dots_by_group.get(&g.key).copied().unwrap_or(0))),
        );
        row.push(Cell::Int(p.dots));
        table.push(row);
    }
    table
}

/// The USG matrix of the problems somebody rated.
fn usg_table(report: &Report, dim: &DimensionReport) -> Table {
    let t = report.language.t();
    let mut table = Table::new(vec![
        Column::number(t.export_rank()),
        Column::wide(t.export_problem()),
        Column::number(t.export_urgency()),
        Column::number(t.export_seriousness()),
        Column::number(t.export_growth()),
        Column::number(t.export_usg_score()),
        Column::number(t.export_raters()),
    ]);
    for p in &dim.problems {
        let Some(u) = p.usg else { continue };
        table.push(vec![
            Cell::Int(p.rank),
            Cell::text(&p.text),
            Cell::score(u.urgency),
            Cell::score(u.seriousness),
            Cell::score(u.growth),
            Cell::score(u.score),
            Cell::Int(u.raters),
        ]);
    }
    table
}

/// The texts of the problems an idea answers. An answered card that is no
/// longer a ranked problem (hidden, or in another dimension) is still
/// named from the raw tallies, so the link is not silently lost.
pub(crate) fn answered_problems(report: &Report, answers: &[rembuk_domain::CardId]) -> Vec<String> {
    answers
        .iter()
        .filter_map(|id| {
            report
                .dimensions
                .values()
                .flat_map(|d| &d.problems)
                .find(|p| p.id == *id)
                .map(|p| p.text.clone())
                .or_else(|| {
                    report
                        .annex
                        .raw_tallies
                        .iter()
                        .find(|r| r.id == *id)
                        .map(|r| r.text.clone())
                })
        })
        .collect()
}

/// C. Ideas ranked, with what they answer and how they were rated.
fn ideas(report: &Report, dim: &DimensionReport) -> Vec<Block> {
    let t = report.language.t();
    let mut table = Table::new(vec![
        Column::number(t.export_rank()),
        Column::wide(t.export_idea()),
        Column::wide(t.export_answers()),
        Column::medium(t.export_sub_element()),
        Column::number(t.export_votes()),
        Column::number(t.export_impact()),
        Column::number(t.export_effort()),
        Column::narrow(t.export_quick_win()),
    ]);
    for i in &dim.ideas {
        table.push(vec![
            Cell::Int(i.rank),
            text_with_merges(t, &i.text, &i.merged_from),
            Cell::Lines(answered_problems(report, &i.answers)),
            sub_element_name(dim, i.sub_element.as_deref()),
            Cell::Int(i.dots),
            Cell::opt_score(i.rating.map(|r| r.impact)),
            Cell::opt_score(i.rating.map(|r| r.effort)),
            Cell::Flag(i.quick_win),
        ]);
    }
    vec![table_or(table, t.export_no_ideas())]
}

/// D. The quick-win shortlist and the candidate programmes.
fn shortlist(report: &Report, dim: &DimensionReport) -> Vec<Block> {
    let t = report.language.t();
    vec![
        Block::Caption(t.export_quick_wins().to_string()),
        table_or(quick_wins(report, dim), t.export_no_quick_wins()),
        Block::Caption(t.export_programmes().to_string()),
        table_or(programmes(report, dim), t.export_no_programmes()),
    ]
}

fn quick_wins(report: &Report, dim: &DimensionReport) -> Table {
    let t = report.language.t();
    let mut table = Table::new(vec![
        Column::number(t.export_rank()),
        Column::wide(t.export_idea()),
        Column::number(t.export_impact()),
        Column::number(t.export_effort()),
        Column::number(t.export_votes()),
    ]);
    for idea in dim
        .quick_wins
        .iter()
        .filter_map(|id| dim.ideas.iter().find(|i| i.id == *id))
    {
        table.push(vec![
            Cell::Int(idea.rank),
            Cell::text(&idea.text),
            Cell::opt_score(idea.rating.map(|r| r.impact)),
            Cell::opt_score(idea.rating.map(|r| r.effort)),
            Cell::Int(idea.dots),
        ]);
    }
    table
}

fn programmes(report: &Report, dim: &DimensionReport) -> Table {
    let lang = report.language;
    let t = lang.t();
    let mut table = Table::new(vec![
        Column::wide(t.export_programme()),
        Column::medium(t.export_horizon()),
        Column::medium(t.export_lead_office()),
    ]);
    for p in &dim.programmes {
        table.push(vec![
            Cell::text(&p.text),
            Cell::text(p.horizon.label(lang)),
            Cell::text(p.lead_office.as_deref().unwrap_or(t.export_not_set())),
        ]);
    }
    table
}

/// E. Minority views and every card's raw numbers for this dimension.
fn dimension_annex(report: &Report, dim: &DimensionReport) -> Vec<Block> {
    let t = report.language.t();
    let mut blocks = vec![Block::Caption(t.export_minority_views().to_string())];
    blocks.extend(noted_table_or(
        t.export_minority_note(),
        minority_views(report, dim),
        t.export_no_minority(),
    ));
    blocks.push(Block::Caption(t.export_raw_tallies().to_string()));
    blocks.extend(noted_table_or(
        t.export_raw_tallies_note(),
        raw_tallies(report, dim),
        t.export_no_cards(),
    ));
    blocks
}

fn minority_views(report: &Report, dim: &DimensionReport) -> Table {
    let t = report.language.t();
    let mut table = Table::new(vec![
        Column::medium(t.export_group()),
        Column::wide(t.export_card()),
    ]);
    for m in report
        .annex
        .minority_views
        .iter()
        .filter(|m| m.dimension == dim.key)
    {
        table.push(vec![
            Cell::text(report.group_name(&m.group)),
            Cell::text(&m.text),
        ]);
    }
    table
}

fn raw_tallies(report: &Report, dim: &DimensionReport) -> Table {
    let lang = report.language;
    let t = lang.t();
    let mut table = Table::new(vec![
        Column::wide(t.export_card()),
        Column::narrow(t.export_kind()),
        Column::narrow(t.export_status()),
        Column::medium(t.export_session()),
        Column::medium(t.export_author_group()),
        Column::number(t.export_votes()),
    ]);
    for r in report
        .annex
        .raw_tallies
        .iter()
        .filter(|r| r.dimension == dim.key)
    {
        table.push(vec![
            Cell::text(&r.text),
            Cell::text(r.kind.label(lang)),
            Cell::text(status_label(lang, r.status)),
            Cell::text(&r.session),
            Cell::text(report.group_name(&r.group)),
            Cell::Int(r.dots),
        ]);
    }
    table
}

fn status_label(lang: Lang, status: CardStatus) -> &'static str {
    let t = lang.t();
    match status {
        CardStatus::Visible => t.export_status_visible(),
        CardStatus::Pending => t.export_status_pending(),
        CardStatus::Hidden => t.export_status_hidden(),
        CardStatus::Merged => t.export_status_merged(),
    }
}

// ---------------------------------------------------------------------------
// General annex

fn general_annex(report: &Report) -> Chapter {
    let t = report.language.t();
    let method = report
        .annex
        .method
        .iter()
        .map(|p| Block::Paragraph(p.clone()))
        .collect();
    Chapter {
        title: t.export_general_annex().to_string(),
        dimension: None,
        sections: vec![
            Section {
                title: t.export_method().to_string(),
                blocks: method,
            },
            Section {
                title: t.export_imbalances().to_string(),
                blocks: imbalance_blocks(report),
            },
            Section {
                title: t.export_moderation_log().to_string(),
                blocks: vec![table_or(moderation_log(report), t.export_no_moderation())],
            },
        ],
    }
}

fn imbalance_blocks(report: &Report) -> Vec<Block> {
    noted_table_or(
        &imbalance_note(report),
        imbalances(report),
        report.language.t().export_no_imbalances(),
    )
}

/// "Groups under 10 % …", with the threshold the domain really uses.
pub(crate) fn imbalance_note(report: &Report) -> String {
    let lang = report.language;
    let percent = format!("{}%", decimal(lang, UNDER_REPRESENTED * 100.0, 0));
    fill(lang.t().export_imbalance_note(), &[("percent", &percent)])
}

/// Groups under-represented in the room or in the votes.
pub(crate) fn imbalances(report: &Report) -> Table {
    let t = report.language.t();
    let mut table = Table::new(vec![
        Column::medium(t.export_group()),
        Column::number(t.export_participants_share()),
        Column::number(t.export_votes_share()),
    ]);
    for i in &report.imbalances {
        table.push(vec![
            Cell::text(report.group_name(&i.group)),
            Cell::Share(i.participants),
            Cell::Share(i.votes),
        ]);
    }
    table
}

/// Every moderation action, oldest first, with its date and WIB time.
pub(crate) fn moderation_log(report: &Report) -> Table {
    let lang = report.language;
    let t = lang.t();
    let mut table = Table::new(vec![
        Column::medium(t.export_date()),
        Column::narrow(t.export_time_wib()),
        Column::medium(t.export_session()),
        Column::medium(t.export_action()),
        Column::medium(t.export_actor()),
        Column::medium(t.export_target()),
        Column::medium(t.export_reason()),
        Column::wide(t.export_detail()),
    ]);
    for log in &report.annex.moderation_log {
        let e = &log.entry;
        table.push(vec![
            Cell::text(e.at.date_at_offset(WIB).to_string()),
            Cell::text(e.at.clock_at_offset(WIB)),
            Cell::text(&log.session),
            Cell::text(e.action.label(lang)),
            Cell::text(e.actor_label(lang)),
            Cell::opt_text(
                e.target
                    .as_deref()
                    .map(|target| target_name(report, target)),
            ),
            Cell::opt_text(e.reason.clone()),
            Cell::opt_text(e.detail.clone()),
        ]);
    }
    table
}

/// A moderation target as people know it: a card's text rather than its
/// id when the card is in the report.
fn target_name(report: &Report, target: &str) -> String {
    report
        .annex
        .raw_tallies
        .iter()
        .find(|r| r.id.to_string() == target)
        .map_or_else(|| target.to_string(), |r| r.text.clone())
}
