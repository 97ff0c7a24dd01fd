//! `/admin`: the workshops a staff member can see, and a new workshop.

use leptos::prelude::*;
use leptos_meta::Title;
use rembuk_domain::{Lang, workshop::WorkshopSummary};

use super::{PageError, StaffFrame};
use crate::{
    components::{form::ActionError, layout::Loading},
    error::UiResult,
    i18n::{use_lang, use_t},
};

/// The caller's workshops, newest first.
#[server(prefix = "/fn", endpoint = "my_workshops", output = crate::codec::JsonOut)]
pub async fn my_workshops() -> UiResult<Vec<WorkshopSummary>> {
    crate::ssr::run(|s, caller| async move { s.list_workshops(&caller).await }).await
}

/// Creates a workshop with the default dimensions and groups, and opens it.
#[server(prefix = "/fn", endpoint = "create_workshop", output = crate::codec::JsonOut)]
pub async fn create_workshop(
    title: String,
    place: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    language: Option<String>,
) -> UiResult<()> {
    crate::ssr::run(|s, caller| async move {
        let input = rembuk_service::WorkshopInput {
            title,
            place,
            starts_on,
            ends_on,
            language,
            ..Default::default()
        };
        let workshop = s.create_workshop(&caller, &input).await?;
        crate::ssr::redirect(&format!("/admin/workshops/{}", workshop.id));
        Ok(())
    })
    .await
}

/// `/admin`.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let t = use_t();
    view! {
        <Title text=t.dashboard_title()/>
        <StaffFrame>
            <main id="main" class="page">
                <h1>{t.dashboard_title()}</h1>
                <div class="grid two">
                    <WorkshopList/>
                    <NewWorkshop/>
                </div>
            </main>
        </StaffFrame>
    }
}

#[component]
fn WorkshopList() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let list = Resource::new(|| (), |_| my_workshops());
    view! {
        <section class="panel">
            <h2>{t.dashboard_list()}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t.dashboard_empty()}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="rows">
                                {list
                                    .into_iter()
                                    .map(|w| view! {
                                        <li>
                                            <a class="row-link" href=format!("/admin/workshops/{}", w.id)>
                                                <strong>{w.title.clone()}</strong>
                                                <span class="muted">{summary_line(&w, lang)}</span>
                                            </a>
                                        </li>
                                    })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(error) => view! { <PageError error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// "Tapaktuan · 1–2 December 2026 · 3 sessions".
fn summary_line(w: &WorkshopSummary, lang: Lang) -> String {
    let t = lang.t();
    let mut parts = Vec::new();
    if let Some(p) = &w.place {
        parts.push(p.clone());
    }
    match (w.starts_on, w.ends_on) {
        (Some(s), Some(e)) if s != e => parts.push(format!("{} – {}", s.long(lang), e.long(lang))),
        (Some(s), _) => parts.push(s.long(lang)),
        _ => {}
    }
    parts.push(rembuk_domain::i18n::fill(
        t.dashboard_sessions(),
        &[("n", &lang.number(i64::from(w.session_count)))],
    ));
    parts.join(" · ")
}

#[component]
fn NewWorkshop() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let action = ServerAction::<CreateWorkshop>::new();
    view! {
        <section class="panel">
            <h2>{t.dashboard_new()}</h2>
            <ActionForm action=action attr:class="stack">
                <ActionError result=action.value()/>
                <label class="field">
                    <span>{t.field_title()}</span>
                    <input type="text" name="title" required minlength="3" maxlength="120" placeholder=t.dashboard_title_placeholder()/>
                </label>
                <label class="field">
                    <span>{t.field_place()}</span>
                    <input type="text" name="place" maxlength="120"/>
                </label>
                <div class="row">
                    <label class="field">
                        <span>{t.field_starts_on()}</span>
                        <input type="date" name="starts_on"/>
                    </label>
                    <label class="field">
                        <span>{t.field_ends_on()}</span>
                        <input type="date" name="ends_on"/>
                    </label>
                </div>
                <label class="field">
                    <span>{t.field_language()}</span>
                    <select name="language">
                        <option value="id" selected=lang == Lang::Id>"Bahasa Indonesia"</option>
                        <option value="en" selected=lang == Lang::En>"English"</option>
                    </select>
                </label>
                <p class="muted small">{t.dashboard_defaults_hint()}</p>
                <button class="button primary" type="submit">{t.dashboard_create()}</button>
            </ActionForm>
        </section>
    }
}
