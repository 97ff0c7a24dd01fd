//! One row per report item (problem or idea) with every number beside it:
//! the shape a spreadsheet user filters and pivots. The CSV is this table
//! across all dimensions; each workbook sheet is one dimension's slice.

use std::collections::BTreeMap;

use rembuk_domain::{
    card::CardKind,
    i18n::fill,
    report::{DimensionReport, IdeaItem, ProblemItem, Report},
};

use crate::{
    outline::{answered_problems, sub_element_name},
    table::{Cell, Column, Table},
};

/// Problems then ideas of the given dimensions. With `with_dimension` the
/// rows start with the dimension's key and name (needed once dimensions
/// share a table).
pub(crate) fn items<'a>(
    report: &Report,
    dimensions: impl IntoIterator<Item = &'a DimensionReport>,
    with_dimension: bool,
) -> Table {
    let mut table = Table::new(columns(report, with_dimension));
    for dim in dimensions {
        let lead = |row: Vec<Cell>| -> Vec<Cell> {
            let mut full = Vec::with_capacity(row.len() + 2);
            if with_dimension {
                full.push(Cell::text(&dim.key));
                full.push(Cell::text(&dim.name));
            }
            full.extend(row);
            full
        };
        for p in &dim.problems {
            table.push(lead(problem_row(report, dim, p)));
        }
        for i in &dim.ideas {
            table.push(lead(idea_row(report, dim, i)));
        }
    }
    table
}

fn columns(report: &Report, with_dimension: bool) -> Vec<Column> {
    let t = report.language.t();
    let mut columns = Vec::new();
    if with_dimension {
        columns.push(Column::narrow(t.export_dimension_key()));
        columns.push(Column::medium(t.export_dimension()));
    }
    columns.extend([
        Column::narrow(t.export_kind()),
        Column::number(t.export_rank()),
        Column::wide(t.export_text()),
        Column::medium(t.export_sub_element()),
        Column::medium(t.export_sessions()),
        Column::number(t.export_votes()),
    ]);
    columns.extend(
        report
            .groups
            .iter()
            .map(|g| Column::number(fill(t.export_votes_of_group(), &[("group", &g.name)]))),
    );
    columns.extend([
        Column::number(t.export_breadth()),
        Column::number(t.export_urgency()),
        Column::number(t.export_seriousness()),
        Column::number(t.export_growth()),
        Column::number(t.export_usg_score()),
        Column::number(t.export_raters()),
        Column::number(t.export_impact()),
        Column::number(t.export_effort()),
        Column::narrow(t.export_quick_win()),
        Column::medium(t.export_horizon()),
        Column::medium(t.export_lead_office()),
        Column::wide(t.export_answers()),
        Column::wide(t.export_merged_column()),
    ]);
    columns
}

/// What problems and ideas share: the first columns of every row.
struct Head<'a> {
    kind: CardKind,
    rank: u32,
    text: &'a str,
    sub_element: Option<&'a str>,
    sessions: &'a [String],
    dots: u32,
    dots_by_group: &'a BTreeMap<String, u32>,
}

impl Head<'_> {
    /// Kind, rank, text, sub-element, sessions, dots and dots per group.
    fn cells(&self, report: &Report, dim: &DimensionReport) -> Vec<Cell> {
        let mut row = vec![
            Cell::text(self.kind.label(report.language)),
            Cell::Int(self.rank),
            Cell::text(self.text),
            sub_element_name(dim, self.sub_element),
            Cell::Lines(self.sessions.to_vec()),
            Cell::Int(self.dots),
        ];
        row.extend(
            report
                .groups
                .iter()
                .map(|g| Cell::Int(self.dots_by_group.get(&g.key).copied().unwrap_or(0))),
        );
        row
    }
}

fn problem_row(report: &Report, dim: &DimensionReport, p: &ProblemItem) -> Vec<Cell> {
    let head = Head {
        kind: CardKind::Problem,
        rank: p.rank,
        text: &p.text,
        sub_element: p.sub_element.as_deref(),
        sessions: &p.sessions,
        dots: p.dots,
        dots_by_group: &p.dots_by_group,
    };
    let mut row = head.cells(report, dim);
    let usg = p.usg;
    row.extend([
        Cell::Int(p.breadth),
        Cell::opt_score(usg.map(|u| u.urgency)),
        Cell::opt_score(usg.map(|u| u.seriousness)),
        Cell::opt_score(usg.map(|u| u.growth)),
        Cell::opt_score(usg.map(|u| u.score)),
        usg.map_or(Cell::Blank, |u| Cell::Int(u.raters)),
        // Impact, effort, quick win, horizon, lead office, answers: ideas only.
        Cell::Blank,
        Cell::Blank,
        Cell::Blank,
        Cell::Blank,
        Cell::Blank,
        Cell::Blank,
        Cell::Lines(p.merged_from.clone()),
    ]);
    row
}

fn idea_row(report: &Report, dim: &DimensionReport, i: &IdeaItem) -> Vec<Cell> {
    let lang = report.language;
    let head = Head {
        kind: CardKind::Idea,
        rank: i.rank,
        text: &i.text,
        sub_element: i.sub_element.as_deref(),
        sessions: &i.sessions,
        dots: i.dots,
        dots_by_group: &i.dots_by_group,
    };
    let mut row = head.cells(report, dim);
    let rating = i.rating;
    let programme = i.programme.as_ref();
    row.extend([
        Cell::Int(i.breadth),
        // Urgency, seriousness, growth, USG score: problems only.
        Cell::Blank,
        Cell::Blank,
        Cell::Blank,
        Cell::Blank,
        rating.map_or(Cell::Blank, |r| Cell::Int(r.raters)),
        Cell::opt_score(rating.map(|r| r.impact)),
        Cell::opt_score(rating.map(|r| r.effort)),
        Cell::Flag(i.quick_win),
        Cell::opt_text(programme.map(|p| p.horizon.label(lang))),
        Cell::opt_text(programme.and_then(|p| p.lead_office.clone())),
        Cell::Lines(answered_problems(report, &i.answers)),
        Cell::Lines(i.merged_from.clone()),
    ]);
    row
}

/// Every problem of every dimension with its USG scores (blank where
/// nobody rated): the matrix civil servants rank problems with.
pub(crate) fn usg_matrix(report: &Report) -> Table {
    let t = report.language.t();
    let mut table = Table::new(vec![
        Column::medium(t.export_dimension()),
        Column::number(t.export_rank()),
        Column::wide(t.export_problem()),
        Column::number(t.export_urgency()),
        Column::number(t.export_seriousness()),
        Column::number(t.export_growth()),
        Column::number(t.export_usg_score()),
        Column::number(t.export_raters()),
    ]);
    for dim in report.ordered_dimensions() {
        for p in &dim.problems {
            let usg = p.usg;
            table.push(vec![
                Cell::text(&dim.name),
                Cell::Int(p.rank),
                Cell::text(&p.text),
                Cell::opt_score(usg.map(|u| u.urgency)),
                Cell::opt_score(usg.map(|u| u.seriousness)),
                Cell::opt_score(usg.map(|u| u.growth)),
                Cell::opt_score(usg.map(|u| u.score)),
                usg.map_or(Cell::Blank, |u| Cell::Int(u.raters)),
            ]);
        }
    }
    table
}
