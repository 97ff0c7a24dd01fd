//! `/s/:code/withdraw`: a participant leaves a session and takes their
//! personal data with them (UU No. 27/2022). A plain form, so it works
//! before or without WASM.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_params_map};
use rembuk_domain::{AppError, privacy::WithdrawnCards};

use super::participant_view;
use crate::{
    components::{
        form::{ActionError, ErrorBox},
        layout::{Header, Loading},
    },
    error::UiError,
    error::UiResult,
    i18n::{use_lang, use_t},
};

/// Withdraws the caller from the session and returns to its join page.
#[server(prefix = "/fn", endpoint = "withdraw_me", output = crate::codec::PhoneOut)]
pub async fn withdraw_me(code: String) -> UiResult<()> {
    crate::ssr::run(|s, caller| async move {
        let id = s.session_id_for_code(&code).await?;
        s.withdraw(&caller, id).await?;
        let code = rembuk_domain::session::JoinCode::parse(&code)?;
        crate::ssr::redirect(&format!("/j/{}?withdrawn=1", code.digits()));
        Ok(())
    })
    .await
}

#[component]
pub fn WithdrawPage() -> impl IntoView {
    let t = use_t();
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let data = Resource::new(code, participant_view);
    view! {
        <Title text=t.withdraw_title()/>
        <Header/>
        <main id="main" class="page narrow">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(snapshot) if snapshot.me.is_some() => view! {
                            <WithdrawForm
                                code=code()
                                session=snapshot.session.title.clone()
                                cards=snapshot.workshop.withdrawn_cards
                            />
                        }
                        .into_any(),
                        Ok(_) | Err(UiError(AppError::NotJoined | AppError::Unauthenticated | AppError::Forbidden)) => {
                            view! { <Redirect path=format!("/j/{}", code())/> }.into_any()
                        }
                        Err(UiError(e)) => view! { <ErrorBox message=e.message(use_lang())/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn WithdrawForm(code: String, session: String, cards: WithdrawnCards) -> impl IntoView {
    let t = use_t();
    let action = ServerAction::<WithdrawMe>::new();
    let cards_line = match cards {
        WithdrawnCards::Keep => t.withdraw_cards_kept(),
        WithdrawnCards::Remove => t.withdraw_cards_removed(),
    };
    view! {
        <p class="eyebrow">{session}</p>
        <h1>{t.withdraw_title()}</h1>
        <ul class="plain-list">
            <li>{t.withdraw_name()}</li>
            <li>{cards_line}</li>
            <li>{t.withdraw_votes()}</li>
            <li>{t.withdraw_rejoin()}</li>
        </ul>
        <ActionForm action=action attr:class="stack">
            <ActionError result=action.value()/>
            <input type="hidden" name="code" value=code.clone()/>
            <button class="button danger big" type="submit">{t.withdraw_confirm()}</button>
            <a class="button big" href=format!("/s/{code}") rel="external">{t.withdraw_cancel()}</a>
        </ActionForm>
    }
}
