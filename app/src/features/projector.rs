//! `/admin/sessions/:id/screen`: the full-screen projector view for the
//! hall: join code and QR always visible, the current question with its
//! countdown, and its cards ranked by dots (pinned cards first), live; or,
//! at the facilitator's choice, a chart of the dimension's top problems,
//! overall or for one stakeholder group.

use leptos::prelude::*;
use leptos_meta::Title;
use rembuk_domain::{question::Phase, snapshot::SessionSnapshot, tally::bar_percent};

use crate::{
    components::{
        badges::PhaseBadge,
        countdown::{Countdown, clock},
        layout::Loading,
    },
    features::admin::{
        PageError,
        console::{ConsoleData, console_resource, console_view},
    },
    i18n::{use_lang, use_t},
    live::follow,
};

/// How many cards fit the screen at 1080p.
const MAX_CARDS: usize = 30;

/// `/admin/sessions/:id/screen`.
#[component]
pub fn ProjectorPage() -> impl IntoView {
    let t = use_t();
    let data = console_resource();
    view! {
        <Title text=t.projector_title()/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <ProjectorLive data/> }.into_any(),
                    Err(error) => view! { <PageError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The live projector screen: a lazy island, in a WASM chunk of its own.
/// Not an island in the phone's bundle (see the `phone` feature).
#[cfg_attr(not(feature = "phone"), island(lazy))]
#[cfg_attr(feature = "phone", component)]
fn ProjectorLive(data: ConsoleData) -> impl IntoView {
    crate::i18n::provide_lang();
    let t = use_t();
    let lang = use_lang();
    let id = data.snapshot.session.id;
    let now = clock(data.snapshot.server_now);
    let snapshot = RwSignal::new(data.snapshot);
    let status = follow(snapshot, move || async move {
        console_view(id).await.ok().map(|v| v.snapshot)
    });
    let code = snapshot.with_untracked(|s| s.session.join_code);
    let current = Memo::new(move |_| snapshot.with(|s| s.current_question().cloned()));
    let phase =
        Signal::derive(move || current.with(|q| q.as_ref().map_or(Phase::Closed, |q| q.phase)));
    let ends_at =
        Signal::derive(move || current.with(|q| q.as_ref().and_then(|q| q.timer_ends_at)));
    let show_tallies =
        Memo::new(move |_| current.with(|q| q.as_ref().is_some_and(|q| q.tallies_on_projector())));
    let cards = Memo::new(move |_| {
        snapshot.with(|s| {
            let Some(q) = s.current_question() else {
                return vec![];
            };
            let mut cards = if q.tallies_on_projector() {
                s.ranked_cards(q.id)
            } else {
                s.newest_cards(q.id)
            };
            // Pinned cards lead, in their ranked order.
            cards.sort_by_key(|c| !c.pinned);
            cards.truncate(MAX_CARDS);
            cards
        })
    });
    let max = Memo::new(move |_| cards.with(|c| c.iter().map(|c| c.dots).max().unwrap_or(0)));
    // Results as a chart: the server draws the dimension's top problems
    // (overall or for one group); the address changes with the tallies so
    // the picture follows the votes.
    let as_chart = RwSignal::new(false);
    let chart_group = RwSignal::new(String::new());
    let groups = snapshot.with_untracked(|s| s.workshop.groups.clone());
    let chart_src = Memo::new(move |_| {
        let dimension = current.with(|q| q.as_ref().map(|q| q.dimension.clone()))?;
        let version = snapshot.with(|s| {
            s.cards
                .iter()
                .filter(|c| c.is_visible())
                .flat_map(|c| c.dots_by_group.iter().map(|g| g.dots))
                .fold(0u64, |h, d| h.wrapping_mul(31).wrapping_add(u64::from(d)))
        });
        Some(format!(
            "/api/v1/sessions/{id}/chart.svg?dimension={dimension}&group={}&v={version:x}",
            chart_group.get()
        ))
    });
    let join_host = data
        .join_url
        .split("/j/")
        .next()
        .unwrap_or_default()
        .trim_start_matches("http://")
        .to_string();
    view! {
        <main id="main" class="projector" data-live=move || status.get().as_str()>
            <aside class="projector-join">
                <p class="projector-label">{t.projector_join_at()}</p>
                <p class="projector-host">{join_host}</p>
                <p class="projector-label">{t.projector_code()}</p>
                <p class="projector-code">{code.spaced()}</p>
                // Live: a facilitator may set or change it during the session.
                {move || snapshot.with(|s| s.session.passcode.clone()).map(|p| view! {
                    <p class="projector-label">{t.field_passcode()}</p>
                    <p class="projector-code passcode">{p}</p>
                })}
                <div class="qr" inner_html=data.qr_svg.clone()></div>
                <p class="projector-count">
                    {move || rembuk_domain::i18n::fill(
                        t.projector_joined(),
                        &[("n", &lang.number(i64::from(snapshot.with(SessionSnapshot::participant_count))))],
                    )}
                </p>
            </aside>
            <section class="projector-main">
                {move || match current.get() {
                    None => view! { <h1 class="projector-waiting">{t.projector_waiting()}</h1> }.into_any(),
                    Some(q) => view! {
                        <header class="projector-question">
                            <p class="projector-dimension">
                                {snapshot.with_untracked(|s| s.dimension_name(&q.dimension).to_string())}
                                " " <PhaseBadge phase/>
                                <Countdown ends_at now/>
                            </p>
                            <h1>{q.prompt.clone()}</h1>
                        </header>
                    }
                    .into_any(),
                }}
                <Show when=move || !show_tallies.get() && current.with(Option::is_some)>
                    <p class="projector-hidden">{t.projector_tallies_hidden()}</p>
                </Show>
                <Show when=move || as_chart.get() && show_tallies.get()>
                    <ResultsChart src=chart_src/>
                </Show>
                <ol class="projector-cards" class:hidden=move || as_chart.get() && show_tallies.get()>
                    <For each=move || cards.get() key=|c| (c.id, c.dots, c.pinned, c.text.clone()) let(card)>
                        <li class:pinned=card.pinned>
                            <span class="projector-card-text">{card.text.clone()}</span>
                            <Show when=move || show_tallies.get()>
                                <span class="projector-bar" aria-hidden="true">
                                    <span style=move || format!("width: {}%", bar_percent(card.dots, max.get()))></span>
                                </span>
                                <span class="projector-dots" data-tally=card.id.to_string()>{lang.number(i64::from(card.dots))}</span>
                            </Show>
                        </li>
                    </For>
                </ol>
                <ViewControls as_chart chart_group groups/>
            </section>
        </main>
    }
}

/// The server's chart of the dimension's top problems.
#[component]
fn ResultsChart(src: Memo<Option<String>>) -> impl IntoView {
    let t = use_t();
    view! {
        <figure class="projector-chart">
            <img src=move || src.get().unwrap_or_default() alt=t.projector_chart_alt()/>
        </figure>
    }
    .into_any()
}

/// Cards or chart, and whose votes the chart shows.
#[component]
fn ViewControls(
    as_chart: RwSignal<bool>,
    chart_group: RwSignal<String>,
    groups: Vec<rembuk_domain::group::StakeholderGroup>,
) -> impl IntoView {
    let t = use_t();
    view! {
        <div class="projector-controls" role="group" aria-label=t.projector_view()>
            <button type="button" class="button small ghost" aria-pressed=move || (!as_chart.get()).to_string() on:click=move |_| as_chart.set(false)>
                {t.projector_view_cards()}
            </button>
            <button type="button" class="button small ghost" aria-pressed=move || as_chart.get().to_string() on:click=move |_| as_chart.set(true)>
                {t.projector_view_chart()}
            </button>
            <select aria-label=t.field_group() hidden=move || !as_chart.get() on:change=move |ev| chart_group.set(event_target_value(&ev))>
                <option value="">{t.projector_all_groups()}</option>
                {groups.into_iter().map(|g| view! { <option value=g.key>{g.name}</option> }).collect_view()}
            </select>
        </div>
    }
    .into_any()
}
