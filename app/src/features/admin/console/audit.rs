//! The moderation record in the console.

use leptos::prelude::*;
use rembuk_domain::{SessionId, audit::AuditEntry, time::WIB};

use super::{ConsoleCtx, session_audit};
use crate::i18n::{use_lang, use_t};

/// The latest moderation actions, refreshed as the session changes.
#[component]
pub fn AuditPanel(session: SessionId, initial: Vec<AuditEntry>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ConsoleCtx { snapshot, .. } = expect_context();
    let entries = RwSignal::new(initial);
    let open = RwSignal::new(false);
    let load = Action::new(move |_: &()| async move { session_audit(session).await });
    crate::components::watch(move |_| {
        if let Some(Ok(mut list)) = load.value().get() {
            list.truncate(50);
            entries.set(list);
        }
    });
    // Reload when something changed while the panel is open.
    Effect::new(move |previous: Option<u64>| {
        let seq = snapshot.with(|s| s.seq);
        if open.get() && previous.is_some_and(|p| p != seq) {
            load.dispatch(());
        }
        seq
    });
    view! {
        <details class="panel audit" on:toggle=move |_| open.update(|o| *o = !*o)>
            <summary><h2>{t.console_audit()}</h2></summary>
            <Show when=move || !entries.with(Vec::is_empty) fallback=move || view! { <p class="empty">{t.console_audit_empty()}</p> }>
                <table class="audit-table">
                    <thead>
                        <tr><th>{t.console_audit_when()}</th><th>{t.console_audit_who()}</th><th>{t.console_audit_what()}</th><th>{t.field_reason()}</th></tr>
                    </thead>
                    <tbody>
                        <For each=move || entries.get() key=|e| (e.at, e.action, e.target.clone()) let(e)>
                            <tr>
                                <td>{e.at.clock_at_offset(WIB)}</td>
                                <td>{e.actor_label(lang).to_string()}</td>
                                <td>{e.action.label(lang)} {e.detail.clone().map(|d| view! { <span class="muted small">" · " {d}</span> })}</td>
                                <td>{e.reason.clone().unwrap_or_default()}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </Show>
        </details>
    }
}
