//! A workshop's privacy settings: what withdrawing removes, and how long
//! personal data is kept before `rembuk purge` may remove it.

use leptos::prelude::*;
use rembuk_domain::{
    WorkshopId,
    privacy::{Privacy, WithdrawnCards},
    workshop::Workshop,
};

use crate::{
    components::form::ActionError,
    error::UiResult,
    i18n::{use_lang, use_t},
};

/// Saves a workshop's privacy settings.
#[server(prefix = "/fn", endpoint = "save_privacy", output = crate::codec::JsonOut)]
pub async fn save_privacy(
    workshop_id: WorkshopId,
    withdrawn_cards: String,
    retain_until: Option<String>,
) -> UiResult<Workshop> {
    crate::ssr::run(|s, caller| async move {
        let input = rembuk_service::PrivacyInput {
            withdrawn_cards,
            retain_until,
        };
        s.set_privacy(&caller, workshop_id, &input).await
    })
    .await
}

#[component]
pub fn PrivacyPanel(
    workshop: WorkshopId,
    privacy: Privacy,
    action: ServerAction<SavePrivacy>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let keep = privacy.withdrawn_cards == WithdrawnCards::Keep;
    let until = privacy
        .retain_until
        .map(|d| d.to_string())
        .unwrap_or_default();
    view! {
        <section class="panel" id="privacy">
            <h2>{t.privacy_title()}</h2>
            <p class="muted small">{t.privacy_lead()}</p>
            {privacy.purged_at.map(|at| view! {
                <p class="notice small">{rembuk_domain::i18n::fill(t.privacy_purged(), &[("date", &at.date_at_offset(7 * 60).long(lang))])}</p>
            })}
            <ActionForm action=action attr:class="stack">
                <ActionError result=action.value()/>
                <input type="hidden" name="workshop_id" value=workshop.to_string()/>
                <fieldset class="choices">
                    <legend>{t.field_withdrawn_cards()}</legend>
                    <label class="choice">
                        <input type="radio" name="withdrawn_cards" value="keep" checked=keep/>
                        <span>{t.privacy_keep()}</span>
                    </label>
                    <label class="choice">
                        <input type="radio" name="withdrawn_cards" value="remove" checked=!keep/>
                        <span>{t.privacy_remove()}</span>
                    </label>
                </fieldset>
                <label class="field">
                    <span>{t.field_retain_until()}</span>
                    <input type="date" name="retain_until" value=until/>
                    <small>{t.privacy_retain_hint()}</small>
                </label>
                <button class="button" type="submit">{t.privacy_save()}</button>
            </ActionForm>
        </section>
    }
}
