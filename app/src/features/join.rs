//! Joining a session from a phone: code, stakeholder group, optional name,
//! consent. No account, no email.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use rembuk_domain::{
    AppError, Entity,
    session::{JoinInfo, Participant},
};
use serde::{Deserialize, Serialize};

use crate::{
    components::{
        form::{ActionError, ErrorBox},
        layout::{Header, Loading},
    },
    error::{UiError, UiResult},
    features::home::CodeForm,
    i18n::{use_lang, use_t},
};

/// The join page's data: the session, and the caller if this device joined
/// before (to fill in the form).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JoinData {
    pub info: JoinInfo,
    pub me: Option<Participant>,
}

/// The session behind a code, and whether this device joined it.
#[server(prefix = "/fn", endpoint = "join_state", output = crate::codec::JsonOut)]
pub async fn join_state(code: String) -> UiResult<JoinData> {
    crate::ssr::run(|s, caller| async move {
        let info = s.join_info(&code).await?;
        let me = s.participant_of(&caller, info.session_id).await?;
        Ok(JoinData { info, me })
    })
    .await
}

/// Joins the session and opens it.
#[server(prefix = "/fn", endpoint = "join_session", output = crate::codec::JsonOut)]
pub async fn join_session(
    code: String,
    group: String,
    name: Option<String>,
    consent: Option<String>,
    passcode: Option<String>,
) -> UiResult<()> {
    crate::ssr::run(|s, caller| async move {
        let input = rembuk_service::JoinInput {
            code,
            group,
            name,
            consent: consent.is_some_and(|c| !c.is_empty()),
            passcode,
        };
        let joined = s
            .join_from(
                &caller,
                &input,
                crate::ssr::chosen_lang(),
                crate::ssr::client_ip(),
            )
            .await?;
        crate::ssr::set_cookie(&s.cookies().device_cookie(&joined.token));
        let code = rembuk_domain::session::JoinCode::parse(&input.code)?;
        crate::ssr::redirect(&format!("/s/{}", code.digits()));
        Ok(())
    })
    .await
}

/// `/j/:code`, the address in the QR code.
#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let code = Signal::derive(move || params.read().get("code").unwrap_or_default());
    view! { <JoinView code/> }
}

/// `/j?code=…`, where the front page's form goes.
#[component]
pub fn JoinByQueryPage() -> impl IntoView {
    let query = use_query_map();
    let code = Signal::derive(move || query.read().get("code").unwrap_or_default());
    view! { <JoinView code/> }
}

#[component]
fn JoinView(code: Signal<String>) -> impl IntoView {
    let t = use_t();
    let state = Resource::new(move || code.get(), join_state);
    let query = use_query_map();
    let withdrawn = move || query.read().get("withdrawn").is_some();
    view! {
        <Title text=t.join_title()/>
        <Header/>
        <main id="main" class="page narrow">
            <Show when=withdrawn>
                <p class="notice" role="status">{t.withdraw_done()}</p>
            </Show>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match state.await {
                        Ok(state) => view! { <JoinForm state/> }.into_any(),
                        Err(e) => view! { <UnknownCode error=e code=code.get_untracked()/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn UnknownCode(error: UiError, code: String) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let message = match error.0 {
        AppError::NotFound {
            what: Entity::Session,
        } => t.join_unknown_code().to_string(),
        other => other.message(lang),
    };
    view! {
        <h1>{t.join_title()}</h1>
        <ErrorBox message/>
        <CodeForm value=code/>
    }
}

#[component]
fn JoinForm(state: JoinData) -> impl IntoView {
    let t = use_t();
    let action = ServerAction::<JoinSession>::new();
    let info = state.info;
    let me = state.me;
    let chosen = me.as_ref().map(|p| p.group.clone());
    let name = me.as_ref().and_then(|p| p.name.clone()).unwrap_or_default();
    let rejoining = me.is_some();
    view! {
        <p class="eyebrow">{info.workshop_title.clone()}</p>
        <h1>{info.session_title.clone()}</h1>
        {info.place.clone().map(|p| view! { <p class="muted">{p}</p> })}
        {rejoining.then(|| view! {
            <p class="notice">
                {t.join_welcome_back()} " "
                <a href=format!("/s/{}", info.code.digits()) rel="external">{t.join_continue()}</a>
            </p>
        })}
        <ActionForm action=action attr:class="stack join-form">
            <ActionError result=action.value()/>
            <input type="hidden" name="code" value=info.code.digits()/>
            <fieldset class="choices">
                <legend>{t.join_group_question()}</legend>
                {info
                    .groups
                    .iter()
                    .map(|g| {
                        let checked = chosen.as_deref() == Some(g.key.as_str());
                        view! {
                            <label class="choice">
                                <input type="radio" name="group" value=g.key.clone() checked=checked required/>
                                <span>{g.name.clone()}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            {(info.passcode_required && !rejoining).then(|| view! {
                <label class="field">
                    <span>{t.field_passcode()}</span>
                    <input type="text" name="passcode" required minlength="4" maxlength="16"
                        autocomplete="off" autocapitalize="characters" spellcheck="false"
                        class="passcode-input"/>
                    <small>{t.join_passcode_hint()}</small>
                </label>
            })}
            <label class="field">
                <span>{t.join_name_label()}</span>
                <input type="text" name="name" maxlength="60" autocomplete="nickname" value=name/>
                <small>{t.join_name_hint()}</small>
            </label>
            <div class="consent">
                <p>{t.join_consent_text()}</p>
                <label class="check">
                    <input type="checkbox" name="consent" value="yes" required checked=rejoining/>
                    <span>{t.join_consent_accept()}</span>
                </label>
            </div>
            <button class="button primary big" type="submit">{t.join_submit()}</button>
        </ActionForm>
    }
}
