//! Posting a question.

use leptos::prelude::*;
use rembuk_domain::{
    SessionId,
    question::{QuestionKind, VotingMode},
};

use super::{ConsoleCtx, CreateQuestion};
use crate::{
    components::form::ActionError,
    i18n::{use_lang, use_t},
};

/// The new-question form: prompt, dimension (or one of its sub-elements),
/// kind, vote budget, and the question's options.
#[component]
pub fn NewQuestion(session: SessionId) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ConsoleCtx { snapshot, .. } = expect_context();
    let action = ServerAction::<CreateQuestion>::new();
    let dims = snapshot.with_untracked(|s| s.workshop.dimensions.clone());
    let open = snapshot.with_untracked(|s| s.questions.is_empty());
    view! {
        <details class="panel new-question" open=open>
            <summary><h2>{t.console_new_question()}</h2></summary>
            <ActionForm action=action attr:class="stack">
                <ActionError result=action.value()/>
                <input type="hidden" name="session_id" value=session.to_string()/>
                <label class="field">
                    <span>{t.field_prompt()}</span>
                    <textarea name="prompt" rows="2" required minlength="3" maxlength="300" placeholder=t.console_prompt_placeholder()></textarea>
                </label>
                <div class="row">
                    <label class="field grow">
                        <span>{t.field_dimension()}</span>
                        <select name="target" required>
                            {dims
                                .into_iter()
                                .map(|d| view! {
                                    <optgroup label=d.name.clone()>
                                        <option value=d.key.clone()>{format!("{} ({})", d.name, t.console_all_sub_elements())}</option>
                                        {d.sub_elements
                                            .iter()
                                            .map(|s| view! { <option value=format!("{}/{}", d.key, s.key)>{format!("{} › {}", d.name, s.name)}</option> })
                                            .collect_view()}
                                    </optgroup>
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>{t.field_kind()}</span>
                        <select name="kind">
                            <option value="problems">{QuestionKind::Problems.label(lang)}</option>
                            <option value="ideas">{QuestionKind::Ideas.label(lang)}</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>{t.field_voting_mode()}</span>
                        <select name="voting_mode">
                            {[VotingMode::Both, VotingMode::Dots, VotingMode::Scores]
                                .into_iter()
                                .map(|m| view! { <option value=m.as_str()>{m.label(lang)}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label class="field narrow-field">
                        <span>{t.field_vote_budget()}</span>
                        <input type="number" name="vote_budget" min="1" max="20" value="3" inputmode="numeric"/>
                    </label>
                </div>
                <fieldset class="options">
                    <legend>{t.console_options()}</legend>
                    <label class="check"><input type="checkbox" name="hide_tallies" value="true"/><span>{t.setting_hide_tallies()}</span></label>
                    <label class="check"><input type="checkbox" name="cards_while_voting" value="true"/><span>{t.setting_cards_while_voting()}</span></label>
                    <label class="check"><input type="checkbox" name="votes_while_collecting" value="true"/><span>{t.setting_votes_while_collecting()}</span></label>
                </fieldset>
                <button class="button primary" type="submit">{t.console_post_question()}</button>
            </ActionForm>
        </details>
    }
}
