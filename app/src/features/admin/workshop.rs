//! `/admin/workshops/:id`: a workshop's sessions, dimensions and groups.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use rembuk_domain::{WorkshopId, session::Session, workshop::Workshop};
use serde::{Deserialize, Serialize};

use super::{
    PageError, StaffFrame,
    dimensions::{DimensionsEditor, GroupsEditor, SaveDimensions, SaveGroups},
    privacy::{PrivacyPanel, SavePrivacy},
};
use crate::{
    components::{form::ActionError, layout::Loading},
    error::UiResult,
    i18n::{use_lang, use_t},
};

/// A session with the link participants open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionLink {
    pub session: Session,
    pub join_url: String,
}

/// What the workshop page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkshopData {
    pub workshop: Workshop,
    pub sessions: Vec<SessionLink>,
    /// The facilitators who run it.
    pub members: Vec<rembuk_domain::user::User>,
    /// Whether the viewer may add facilitators (administrators).
    pub can_add_members: bool,
}

/// A workshop and its sessions.
#[server(prefix = "/fn", endpoint = "workshop_view", output = crate::codec::JsonOut)]
pub async fn workshop_view(id: WorkshopId) -> UiResult<WorkshopData> {
    crate::ssr::run(|s, caller| async move {
        let workshop = s.workshop(&caller, id).await?;
        let host = crate::ssr::host();
        let sessions = s
            .sessions_of(&caller, id)
            .await?
            .into_iter()
            .map(|session| SessionLink {
                join_url: s.join_url(host.as_deref(), session.join_code),
                session,
            })
            .collect();
        let members = s.members(&caller, id).await?;
        let can_add_members = caller
            .staff
            .as_ref()
            .is_some_and(|u| u.role == rembuk_domain::user::Role::Admin);
        Ok(WorkshopData {
            workshop,
            sessions,
            members,
            can_add_members,
        })
    })
    .await
}

/// Adds a session to a workshop.
#[server(prefix = "/fn", endpoint = "create_session", output = crate::codec::JsonOut)]
pub async fn create_session(workshop_id: WorkshopId, title: String) -> UiResult<Session> {
    crate::ssr::run(|s, caller| async move { s.create_session(&caller, workshop_id, &title).await })
        .await
}

/// Adds a co-facilitator (administrators only).
#[server(prefix = "/fn", endpoint = "add_member", output = crate::codec::JsonOut)]
pub async fn add_member(
    workshop_id: WorkshopId,
    email: String,
) -> UiResult<Vec<rembuk_domain::user::User>> {
    crate::ssr::run(|s, caller| async move { s.add_member(&caller, workshop_id, &email).await })
        .await
}

/// `/admin/workshops/:id`.
#[component]
pub fn WorkshopPage() -> impl IntoView {
    let t = use_t();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<WorkshopId>().ok())
    };
    let create = ServerAction::<CreateSession>::new();
    let save_dims = ServerAction::<SaveDimensions>::new();
    let save_groups = ServerAction::<SaveGroups>::new();
    let add = ServerAction::<AddMember>::new();
    provide_context(add);
    let save_privacy = ServerAction::<SavePrivacy>::new();
    provide_context(save_privacy);
    let data = Resource::new(
        move || {
            (
                id(),
                create.version().get(),
                save_dims.version().get(),
                save_groups.version().get(),
                save_privacy.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => workshop_view(id).await,
                None => {
                    Err(rembuk_domain::AppError::not_found(rembuk_domain::Entity::Workshop).into())
                }
            }
        },
    );
    view! {
        <StaffFrame>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => view! { <Workshop view create save_dims save_groups/> }.into_any(),
                        Err(error) => view! { <Title text=t.workshop_title()/><PageError error/> }.into_any(),
                    }
                })}
            </Suspense>
        </StaffFrame>
    }
}

#[component]
fn Workshop(
    view: WorkshopData,
    create: ServerAction<CreateSession>,
    save_dims: ServerAction<SaveDimensions>,
    save_groups: ServerAction<SaveGroups>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let save_privacy: ServerAction<SavePrivacy> = expect_context();
    let w = view.workshop;
    let dates = match (w.starts_on, w.ends_on) {
        (Some(s), Some(e)) if s != e => Some(format!("{} – {}", s.long(lang), e.long(lang))),
        (Some(s), _) => Some(s.long(lang)),
        _ => None,
    };
    view! {
        <Title text=w.title.clone()/>
        <main id="main" class="page">
            <p class="eyebrow"><a href="/admin">{t.nav_workshops()}</a></p>
            <h1>{w.title.clone()}</h1>
            <p class="muted">
                {[w.place.clone(), dates, Some(w.language.code().to_uppercase())].into_iter().flatten().collect::<Vec<_>>().join(" · ")}
            </p>
            <p><a class="button primary" href=format!("/admin/workshops/{}/report", w.id)>{t.rollup_open()}</a></p>
            <section class="panel">
                <h2>{t.workshop_sessions()}</h2>
                {if view.sessions.is_empty() {
                    view! { <p class="empty">{t.workshop_no_sessions()}</p> }.into_any()
                } else {
                    view! {
                        <ul class="rows sessions">
                            {view
                                .sessions
                                .into_iter()
                                .map(|s| view! {
                                    <li>
                                        <a class="row-link" href=format!("/admin/sessions/{}", s.session.id)>
                                            <strong>{s.session.title.clone()}</strong>
                                            <span class="code" aria-label=t.field_code()>{s.session.join_code.spaced()}</span>
                                        </a>
                                        <span class="row-actions">
                                            <a href=format!("/admin/sessions/{}/screen", s.session.id)>{t.workshop_projector()}</a>
                                            <a href=format!("/admin/sessions/{}/report", s.session.id)>{t.rollup_open_session()}</a>
                                            <a href=s.join_url.clone() rel="external">{s.join_url.clone()}</a>
                                        </span>
                                    </li>
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
                <ActionForm action=create attr:class="inline-create">
                    <ActionError result=create.value()/>
                    <input type="hidden" name="workshop_id" value=w.id.to_string()/>
                    <label class="field grow">
                        <span>{t.workshop_new_session()}</span>
                        <input type="text" name="title" required minlength="3" maxlength="120" placeholder=t.workshop_session_placeholder()/>
                    </label>
                    <button class="button primary" type="submit">{t.workshop_add_session()}</button>
                </ActionForm>
            </section>
            <div class="grid two">
                <DimensionsEditor workshop=w.id dimensions=w.dimensions.clone() action=save_dims/>
                <div>
                    <GroupsEditor workshop=w.id groups=w.groups.clone() action=save_groups/>
                    <Members workshop=w.id members=view.members.clone() can_add=view.can_add_members/>
                    <PrivacyPanel workshop=w.id privacy=w.privacy.clone() action=save_privacy/>
                </div>
            </div>
        </main>
    }
}

/// The workshop's facilitators; administrators add co-facilitators here.
#[component]
fn Members(
    workshop: WorkshopId,
    members: Vec<rembuk_domain::user::User>,
    can_add: bool,
) -> impl IntoView {
    let t = use_t();
    let add: ServerAction<AddMember> = expect_context();
    view! {
        <section class="panel">
            <h2>{t.members_title()}</h2>
            <ul class="rows">
                {members.into_iter().map(|m| view! { <li>{m.email}</li> }).collect_view()}
            </ul>
            {can_add.then(|| view! {
                <ActionForm action=add attr:class="inline-create">
                    <ActionError result=add.value()/>
                    <input type="hidden" name="workshop_id" value=workshop.to_string()/>
                    <label class="field grow">
                        <span>{t.members_add_label()}</span>
                        <input type="email" name="email" required placeholder="fasilitator@example.go.id"/>
                    </label>
                    <button class="button" type="submit">{t.members_add()}</button>
                </ActionForm>
            })}
        </section>
    }
}
