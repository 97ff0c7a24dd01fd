//! `/admin/workshops/:id/report` and `/admin/sessions/:id/report`: the
//! compiled results the secretariat turns into the master plan. Server
//! HTML only (no WebAssembly): ranked problems and ideas per dimension with
//! per-group votes, breadth and scores, bar charts drawn on the server,
//! ranking views, cross-session merges and the export links.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use rembuk_domain::{
    AppError, CardId, Entity, Lang, SessionId, WorkshopId,
    audit::AuditEntry,
    i18n::fill,
    report::{
        Cluster, DimensionReport, IdeaItem, ProblemItem, RankView, RankedItem, Report, Scope,
        ranked_in,
    },
    time::WIB,
};
use serde::{Deserialize, Serialize};

use super::{PageError, StaffFrame};
use crate::{
    components::{form::ActionError, layout::Loading},
    error::UiResult,
    i18n::{use_lang, use_t},
};

/// What the results page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollupData {
    pub report: Report,
    pub view: RankView,
    /// Bar charts per dimension key: SVG drawn (and escaped) on the server.
    pub charts: BTreeMap<String, String>,
    /// Active cross-session merges (workshop scope only).
    pub clusters: Vec<Cluster>,
    /// The workshop-level record (workshop scope only).
    pub log: Vec<AuditEntry>,
}

/// The compiled results of a workshop, ranked by `by` (`equal` or a group
/// key; anything else ranks by all votes).
#[server(prefix = "/fn", endpoint = "workshop_rollup", output = crate::codec::JsonOut)]
pub async fn workshop_rollup(id: WorkshopId, by: Option<String>) -> UiResult<RollupData> {
    crate::ssr::run(|s, caller| async move {
        let report = s.workshop_report(&caller, id).await?;
        let clusters = s.clusters(&caller, id).await?;
        let log = s.workshop_audit(&caller, id).await?;
        Ok(rollup_data(report, by, clusters, log))
    })
    .await
}

/// The compiled results of one session.
#[server(prefix = "/fn", endpoint = "session_rollup", output = crate::codec::JsonOut)]
pub async fn session_rollup(id: SessionId, by: Option<String>) -> UiResult<RollupData> {
    crate::ssr::run(|s, caller| async move {
        let report = s.session_report(&caller, id).await?;
        Ok(rollup_data(report, by, vec![], vec![]))
    })
    .await
}

#[cfg(feature = "ssr")]
fn rollup_data(
    report: Report,
    by: Option<String>,
    clusters: Vec<Cluster>,
    log: Vec<AuditEntry>,
) -> RollupData {
    let keys: Vec<String> = report.groups.iter().map(|g| g.key.clone()).collect();
    let view = RankView::from_query(by.as_deref(), by.as_deref(), &keys);
    let group = match &view {
        RankView::Group(g) => Some(g.as_str()),
        _ => None,
    };
    // Charts speak the reader's language, like the rest of the page.
    let mut local = report.clone();
    local.language = crate::ssr::lang();
    let charts = report
        .dimension_order
        .iter()
        .map(|k| {
            (
                k.clone(),
                rembuk_report::dimension_chart_svg(&local, k, group),
            )
        })
        .collect();
    RollupData {
        report,
        view,
        charts,
        clusters,
        log,
    }
}

/// Merges duplicates from different sessions into one item of the
/// workshop's results.
#[server(prefix = "/fn", endpoint = "create_cluster", output = crate::codec::JsonOut)]
pub async fn create_cluster(
    workshop_id: WorkshopId,
    cards: Option<Vec<CardId>>,
    text: String,
) -> UiResult<Cluster> {
    crate::ssr::run(|s, caller| async move {
        s.create_cluster(&caller, workshop_id, &cards.unwrap_or_default(), &text)
            .await
    })
    .await
}

/// Undoes a cross-session merge.
#[server(prefix = "/fn", endpoint = "undo_cluster", output = crate::codec::JsonOut)]
pub async fn undo_cluster(cluster_id: String) -> UiResult<()> {
    crate::ssr::run(|s, caller| async move { s.undo_cluster(&caller, &cluster_id).await }).await
}

/// The `?by=` of the page.
fn by_param() -> Signal<Option<String>> {
    let query = use_query_map();
    Signal::derive(move || query.read().get("by"))
}

fn id_param<T>() -> Signal<Option<T>>
where
    T: std::str::FromStr + Send + Sync + 'static,
{
    let params = use_params_map();
    Signal::derive(move || params.read().get("id").and_then(|id| id.parse().ok()))
}

/// `/admin/workshops/:id/report`.
#[component]
pub fn WorkshopRollupPage() -> impl IntoView {
    let t = use_t();
    let id = id_param::<WorkshopId>();
    let by = by_param();
    let merge = ServerAction::<CreateCluster>::new();
    let undo = ServerAction::<UndoCluster>::new();
    let data = Resource::new(
        move || {
            (
                id.get(),
                by.get(),
                merge.version().get(),
                undo.version().get(),
            )
        },
        |(id, by, ..)| async move {
            match id {
                Some(id) => workshop_rollup(id, by).await,
                None => Err(AppError::not_found(Entity::Workshop).into()),
            }
        },
    );
    view! {
        <StaffFrame>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! { <Rollup data merge=Some((merge, undo))/> }.into_any(),
                        Err(error) => view! { <Title text=t.rollup_title()/><PageError error/> }.into_any(),
                    }
                })}
            </Suspense>
        </StaffFrame>
    }
}

/// `/admin/sessions/:id/report`.
#[component]
pub fn SessionRollupPage() -> impl IntoView {
    let t = use_t();
    let id = id_param::<SessionId>();
    let by = by_param();
    let data = Resource::new(
        move || (id.get(), by.get()),
        |(id, by)| async move {
            match id {
                Some(id) => session_rollup(id, by).await,
                None => Err(AppError::not_found(Entity::Session).into()),
            }
        },
    );
    view! {
        <StaffFrame>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! { <Rollup data merge=None/> }.into_any(),
                        Err(error) => view! { <Title text=t.rollup_title()/><PageError error/> }.into_any(),
                    }
                })}
            </Suspense>
        </StaffFrame>
    }
}

type MergeActions = (ServerAction<CreateCluster>, ServerAction<UndoCluster>);

#[component]
fn Rollup(data: RollupData, merge: Option<MergeActions>) -> impl IntoView {
    let t = use_t();
    let RollupData {
        report,
        view,
        charts,
        clusters,
        log,
    } = data;
    let (title, intro, export_base, back) = match report.scope {
        Scope::Workshop => (
            report.workshop.title.clone(),
            t.rollup_intro(),
            format!("/api/v1/workshops/{}/report", report.workshop.id),
            (
                report.workshop.title.clone(),
                format!("/admin/workshops/{}", report.workshop.id),
            ),
        ),
        Scope::Session { session_id } => {
            let session = report
                .participation
                .sessions
                .first()
                .map(|s| s.title.clone())
                .unwrap_or_default();
            (
                session,
                t.rollup_session_intro(),
                format!("/api/v1/sessions/{session_id}/report"),
                (
                    t.console_title().to_string(),
                    format!("/admin/sessions/{session_id}"),
                ),
            )
        }
    };
    let workshop = report.workshop.id;
    let dimensions: Vec<DimensionReport> = report.ordered_dimensions().cloned().collect();
    let empty = dimensions
        .iter()
        .all(|d| d.problems.is_empty() && d.ideas.is_empty());
    let report = StoredValue::new(report);
    let view = StoredValue::new(view);
    let merging = merge.is_some();
    view! {
        <Title text=format!("{} — {}", t.rollup_title(), title)/>
        <main id="main" class="page rollup">
            <p class="eyebrow"><a href=back.1>{back.0}</a></p>
            <h1>{t.rollup_title()} ": " {title}</h1>
            <p class="muted">{intro}</p>
            <ExportLinks base=export_base/>
            <Participation report/>
            <ViewPicker report view/>
            {empty.then(|| view! { <p class="empty">{t.rollup_no_results()}</p> })}
            {merge.map(|(m, u)| view! {
                <ActionError result=m.value()/>
                <ActionError result=u.value()/>
                <Merges clusters=clusters.clone() undo=u/>
            })}
            {dimensions
                .into_iter()
                .filter(|d| !d.problems.is_empty() || !d.ideas.is_empty())
                .map(|d| {
                    let chart = charts.get(&d.key).cloned().unwrap_or_default();
                    view! {
                        <Dimension
                            dimension=d
                            chart
                            report
                            view
                            merge=merge.map(|(m, _)| (workshop, m))
                        />
                    }
                })
                .collect_view()}
            {(merging && !log.is_empty()).then(|| view! { <WorkshopLog log/> })}
        </main>
    }
}

/// Links to every export format.
#[component]
fn ExportLinks(base: String) -> impl IntoView {
    let t = use_t();
    let formats = [
        ("docx", "Word (DOCX)"),
        ("xlsx", "Excel (XLSX)"),
        ("md", "Markdown"),
        ("csv", "CSV"),
        ("json", "JSON"),
    ];
    view! {
        <nav class="exports" aria-label=t.rollup_download()>
            <span class="exports-label">{t.rollup_download()}</span>
            {formats
                .into_iter()
                .map(|(f, label)| view! {
                    <a class="button small" href=format!("{base}?format={f}") download>{label}</a>
                })
                .collect_view()}
            <a class="button small" href=format!("{base}?format=html") target="_blank" rel="noopener">{t.rollup_print()}</a>
        </nav>
    }
}

/// Participants per group, and the groups that are under-represented.
#[component]
fn Participation(report: StoredValue<Report>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    report.with_value(|r| {
        let total = r.participation.total;
        let rows = r
            .groups
            .iter()
            .map(|g| {
                let n = r.participation.by_group.get(&g.key).copied().unwrap_or(0);
                let share = if total == 0 {
                    0.0
                } else {
                    f64::from(n) * 100.0 / f64::from(total)
                };
                view! {
                    <tr>
                        <th scope="row">{g.name.clone()}</th>
                        <td class="num">{lang.number(i64::from(n))}</td>
                        <td class="num">{format!("{} %", lang.decimal(share, 0))}</td>
                    </tr>
                }
            })
            .collect_view();
        let warnings = r
            .imbalances
            .iter()
            .map(|i| {
                view! {
                    <li>
                        {imbalance_text(lang, r.group_name(&i.group), i.participants, i.votes)}
                    </li>
                }
            })
            .collect_view();
        let has_warnings = !r.imbalances.is_empty();
        view! {
            <section class="panel">
                <h2>{t.export_participation_overview()}</h2>
                <p>{fill(t.export_participants_total(), &[("n", &lang.number(i64::from(total)))])}</p>
                <div class="table-scroll">
                    <table class="data">
                        <thead><tr>
                            <th scope="col">{t.export_group()}</th>
                            <th scope="col" class="num">{t.export_participants()}</th>
                            <th scope="col" class="num">{t.export_share()}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {has_warnings.then(|| view! {
                    <div class="banner warn" role="note">
                        <strong>{t.export_imbalances()}</strong>
                        <ul>{warnings}</ul>
                    </div>
                })}
            </section>
        }
    })
}

fn imbalance_text(lang: Lang, group: &str, participants: f64, votes: f64) -> String {
    let t = lang.t();
    format!(
        "{group}: {} {} %, {} {} %",
        t.export_participants_share(),
        lang.decimal(participants * 100.0, 0),
        t.export_votes_share(),
        lang.decimal(votes * 100.0, 0)
    )
}

/// Picks the ranking: all votes, equal group weights, or one group. A plain
/// GET form, so it works before (and without) any script.
#[component]
fn ViewPicker(report: StoredValue<Report>, view: StoredValue<RankView>) -> impl IntoView {
    let t = use_t();
    let current = view.with_value(|v| match v {
        RankView::Overall => String::new(),
        RankView::EqualWeight => "equal".to_string(),
        RankView::Group(g) => g.clone(),
    });
    let groups = report.with_value(|r| r.groups.clone());
    let option = move |value: String, label: String| {
        let selected = value == current;
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <form method="get" class="view-picker">
            <label class="field">
                <span>{t.rollup_view()}</span>
                <select name="by">
                    {option(String::new(), t.rollup_view_overall().to_string())}
                    {option("equal".into(), t.rollup_view_equal().to_string())}
                    {groups
                        .into_iter()
                        .map(|g| option(g.key.clone(), fill(t.rollup_view_group(), &[("group", &g.name)])))
                        .collect_view()}
                </select>
            </label>
            <button class="button" type="submit">{t.rollup_apply()}</button>
        </form>
    }
}

/// The form a dimension's ticked cards belong to.
fn cluster_form_id(dimension: &str, kind: &str) -> String {
    format!("cluster-{dimension}-{kind}")
}

#[component]
fn Dimension(
    dimension: DimensionReport,
    chart: String,
    report: StoredValue<Report>,
    view: StoredValue<RankView>,
    merge: Option<(WorkshopId, ServerAction<CreateCluster>)>,
) -> impl IntoView {
    let t = use_t();
    let key = dimension.key.clone();
    // Items carry sub-element keys; people read names.
    let sub_name =
        |key: Option<String>| key.map(|k| dimension.sub_elements.get(&k).cloned().unwrap_or(k));
    let problems: Vec<ProblemItem> = view.with_value(|v| {
        ranked_in(&dimension.problems, v)
            .into_iter()
            .map(|p| ProblemItem {
                sub_element: sub_name(p.sub_element.clone()),
                ..p.clone()
            })
            .collect()
    });
    let ideas: Vec<IdeaItem> = view.with_value(|v| {
        ranked_in(&dimension.ideas, v)
            .into_iter()
            .map(|i| IdeaItem {
                sub_element: sub_name(i.sub_element.clone()),
                ..i.clone()
            })
            .collect()
    });
    let quick: Vec<String> = dimension
        .quick_wins
        .iter()
        .filter_map(|id| dimension.ideas.iter().find(|i| i.id == *id))
        .map(|i| i.text.clone())
        .collect();
    let programmes = dimension.programmes.clone();
    let lang = use_lang();
    let merge_problems = merge.map(|(w, m)| (w, m, cluster_form_id(&key, "problems")));
    let merge_ideas = merge.map(|(w, m)| (w, m, cluster_form_id(&key, "ideas")));
    view! {
        <section class="panel dimension" id=format!("dim-{key}")>
            <h2>{dimension.name.clone()}</h2>
            <figure class="chart" inner_html=chart></figure>
            {(!problems.is_empty()).then(|| view! {
                <h3>{t.export_problems()}</h3>
                <ProblemTable items=problems report view form=merge_problems.as_ref().map(|m| m.2.clone())/>
                {merge_problems.clone().map(|(w, m, id)| view! { <ClusterForm workshop=w action=m id/> })}
            })}
            {(!ideas.is_empty()).then(|| view! {
                <h3>{t.export_ideas()}</h3>
                <IdeaTable items=ideas report view form=merge_ideas.as_ref().map(|m| m.2.clone())/>
                {merge_ideas.clone().map(|(w, m, id)| view! { <ClusterForm workshop=w action=m id/> })}
            })}
            {(!quick.is_empty()).then(|| view! {
                <h3>{t.export_quick_wins()}</h3>
                <ul class="bullets">{quick.into_iter().map(|q| view! { <li>{q}</li> }).collect_view()}</ul>
            })}
            {(!programmes.is_empty()).then(|| view! {
                <h3>{t.export_programmes()}</h3>
                <ul class="bullets">
                    {programmes
                        .into_iter()
                        .map(|p| view! {
                            <li>
                                {p.text}
                                " · " <span class="chip">{p.horizon.label(lang)}</span>
                                {p.lead_office.map(|o| view! { " " <span class="chip">{o}</span> })}
                            </li>
                        })
                        .collect_view()}
                </ul>
            })}
        </section>
    }
}

/// "Masyarakat 3 · Pemerintah 1".
fn by_group_text(report: &Report, item: &impl RankedItem, lang: Lang) -> String {
    item.dots_by_group()
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(g, n)| format!("{} {}", report.group_name(g), lang.number(i64::from(*n))))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The number the current view ranks by, when it is not the plain dots.
fn view_weight(view: &RankView, item: &impl RankedItem, lang: Lang) -> Option<String> {
    match view {
        RankView::Overall => None,
        RankView::Group(_) => Some(lang.number(item.weight_in(view) as i64)),
        RankView::EqualWeight => Some(lang.decimal(item.weight_in(view) * 100.0, 1)),
    }
}

/// The item's text, where it came from, and what was merged into it.
#[component]
fn ItemText(
    text: String,
    sub_element: Option<String>,
    sessions: Vec<String>,
    merged_from: Vec<String>,
) -> impl IntoView {
    let t = use_t();
    view! {
        <span class="item-text">{text}</span>
        {sub_element.map(|s| view! { " " <span class="chip">{s}</span> })}
        {(!sessions.is_empty()).then(|| view! {
            <span class="item-meta">{fill(t.rollup_from_sessions(), &[("sessions", &sessions.join(", "))])}</span>
        })}
        {(!merged_from.is_empty()).then(|| view! {
            <span class="item-meta">{fill(t.export_merged_from(), &[("cards", &merged_from.join(" · "))])}</span>
        })}
    }
}

/// A tick box that puts the item in the dimension's merge form.
#[component]
fn Tick(id: CardId, text: String, form: Option<String>) -> impl IntoView {
    let t = use_t();
    form.map(|form| {
        view! {
            <td class="tick">
                <input
                    type="checkbox"
                    name="cards[]"
                    value=id.to_string()
                    form=form
                    aria-label=fill(t.rollup_select(), &[("text", &text)])
                />
            </td>
        }
    })
}

#[component]
fn ProblemTable(
    items: Vec<ProblemItem>,
    report: StoredValue<Report>,
    view: StoredValue<RankView>,
    form: Option<String>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ranked_by = view.with_value(|v| !matches!(v, RankView::Overall));
    let ticks = form.is_some();
    let rows = items
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let groups = report.with_value(|r| by_group_text(r, &p, lang));
            let weight = view.with_value(|v| view_weight(v, &p, lang));
            let usg = match p.usg {
                Some(u) => fill(
                    t.score_usg_result(),
                    &[
                        ("score", &lang.decimal(f64::from(u.score), 1)),
                        ("raters", &lang.number(i64::from(u.raters))),
                    ],
                ),
                None => t.rollup_usg_none().to_string(),
            };
            view! {
                <tr>
                    <Tick id=p.id text=p.text.clone() form=form.clone()/>
                    <td class="num">{i + 1}</td>
                    <td><ItemText text=p.text sub_element=p.sub_element sessions=p.sessions merged_from=p.merged_from/></td>
                    {weight.map(|w| view! { <td class="num strong">{w}</td> })}
                    <td class="num">{lang.number(i64::from(p.dots))}</td>
                    <td class="groups">{groups}</td>
                    <td class="num">{p.breadth}</td>
                    <td>{usg}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data ranked">
                <thead><tr>
                    {ticks.then(|| view! { <th scope="col"><span class="sr-only">{t.rollup_merge()}</span></th> })}
                    <th scope="col" class="num">{t.export_rank()}</th>
                    <th scope="col">{t.export_problem()}</th>
                    {ranked_by.then(|| view! { <th scope="col" class="num">{t.rollup_weight()}</th> })}
                    <th scope="col" class="num">{t.export_votes()}</th>
                    <th scope="col">{t.export_problem_votes()}</th>
                    <th scope="col" class="num">{t.export_breadth()}</th>
                    <th scope="col">{t.export_usg_score()}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn IdeaTable(
    items: Vec<IdeaItem>,
    report: StoredValue<Report>,
    view: StoredValue<RankView>,
    form: Option<String>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ranked_by = view.with_value(|v| !matches!(v, RankView::Overall));
    let ticks = form.is_some();
    let rows = items
        .into_iter()
        .enumerate()
        .map(|(i, idea)| {
            let groups = report.with_value(|r| by_group_text(r, &idea, lang));
            let weight = view.with_value(|v| view_weight(v, &idea, lang));
            let rating = idea.rating.map(|r| {
                fill(
                    t.score_idea_result(),
                    &[
                        ("impact", &lang.decimal(f64::from(r.impact), 1)),
                        ("effort", &lang.decimal(f64::from(r.effort), 1)),
                        ("raters", &lang.number(i64::from(r.raters))),
                    ],
                )
            });
            view! {
                <tr>
                    <Tick id=idea.id text=idea.text.clone() form=form.clone()/>
                    <td class="num">{i + 1}</td>
                    <td>
                        <ItemText text=idea.text sub_element=idea.sub_element sessions=idea.sessions merged_from=idea.merged_from/>
                        {idea.quick_win.then(|| view! { " " <span class="chip quick-win">{t.export_quick_win()}</span> })}
                        {idea.programme.map(|p| view! { " " <span class="chip">{t.export_programme()} ": " {p.horizon.label(lang)}</span> })}
                    </td>
                    {weight.map(|w| view! { <td class="num strong">{w}</td> })}
                    <td class="num">{lang.number(i64::from(idea.dots))}</td>
                    <td class="groups">{groups}</td>
                    <td class="num">{idea.breadth}</td>
                    <td>{rating.unwrap_or_else(|| t.rollup_usg_none().to_string())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data ranked">
                <thead><tr>
                    {ticks.then(|| view! { <th scope="col"><span class="sr-only">{t.rollup_merge()}</span></th> })}
                    <th scope="col" class="num">{t.export_rank()}</th>
                    <th scope="col">{t.export_idea()}</th>
                    {ranked_by.then(|| view! { <th scope="col" class="num">{t.rollup_weight()}</th> })}
                    <th scope="col" class="num">{t.export_votes()}</th>
                    <th scope="col">{t.export_problem_votes()}</th>
                    <th scope="col" class="num">{t.export_breadth()}</th>
                    <th scope="col">{t.export_impact()} " / " {t.export_effort()}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Merges the ticked items of one list.
#[component]
fn ClusterForm(
    workshop: WorkshopId,
    action: ServerAction<CreateCluster>,
    id: String,
) -> impl IntoView {
    let t = use_t();
    view! {
        <ActionForm action attr:id=id attr:class="merge-bar">
            <input type="hidden" name="workshop_id" value=workshop.to_string()/>
            <p class="muted small">{t.rollup_merge_hint()}</p>
            <label class="field grow">
                <span>{t.rollup_merge_text()}</span>
                <input type="text" name="text" required minlength="2" maxlength="500"/>
            </label>
            <button class="button" type="submit">{t.rollup_merge()}</button>
        </ActionForm>
    }
}

/// The active cross-session merges, each with its undo button.
#[component]
fn Merges(clusters: Vec<Cluster>, undo: ServerAction<UndoCluster>) -> impl IntoView {
    let t = use_t();
    view! {
        <section class="panel">
            <h2>{t.rollup_merges()}</h2>
            {if clusters.is_empty() {
                view! { <p class="empty">{t.rollup_no_merges()}</p> }.into_any()
            } else {
                view! {
                    <ul class="rows">
                        {clusters
                            .into_iter()
                            .map(|c| view! {
                                <li>
                                    <span>{c.text} " " <span class="chip">{c.cards.len()}</span></span>
                                    <ActionForm action=undo attr:class="inline">
                                        <input type="hidden" name="cluster_id" value=c.id/>
                                        <button class="button small" type="submit">{t.rollup_undo()}</button>
                                    </ActionForm>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

/// Who merged or unmerged what, across sessions.
#[component]
fn WorkshopLog(log: Vec<AuditEntry>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    view! {
        <section class="panel">
            <h2>{t.rollup_log()}</h2>
            <ul class="rows audit">
                {log
                    .into_iter()
                    .rev()
                    .map(|e| view! {
                        <li>
                            <span class="muted">{format!("{} {} WIB", e.at.date_at_offset(WIB), e.at.clock_at_offset(WIB))}</span>
                            " " <strong>{e.action.label(lang)}</strong>
                            " · " {e.actor}
                            {e.detail.map(|d| view! { " · " <span>{d}</span> })}
                        </li>
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
