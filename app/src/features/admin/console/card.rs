//! One card in the console, with its moderation actions, and the merge bar.

use leptos::prelude::*;
use rembuk_domain::{
    QuestionId,
    card::{Card, CardKind, CardStatus},
    i18n::fill,
    rating::Horizon,
};

use super::{ConsoleCtx, PaperVotes};
use crate::{
    components::form::{ActionError, textarea_text},
    i18n::{use_lang, use_t},
};

/// The id of the merge form of a question (card checkboxes belong to it).
fn merge_form_id(question: QuestionId) -> String {
    format!("merge-{question}")
}

/// A card with everything a facilitator can do to it.
#[component]
pub fn ConsoleCard(
    card: Card,
    question: QuestionId,
    /// How many stakeholder groups have this card in their top five.
    #[prop(optional)]
    breadth: u32,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ctx: ConsoleCtx = expect_context();
    let (group, subs, groups, sub_name) = ctx.snapshot.with_untracked(|s| {
        let q = s.question(question);
        let dim = q.map(|q| q.dimension.clone()).unwrap_or_default();
        let subs = s
            .workshop
            .dimensions
            .iter()
            .find(|d| d.key == dim)
            .map(|d| d.sub_elements.clone())
            .unwrap_or_default();
        let sub_name = card
            .sub_element
            .as_deref()
            .map(|k| s.sub_element_name(&dim, k).to_string());
        (
            s.group_name(&card.group).to_string(),
            subs,
            s.workshop.groups.clone(),
            sub_name,
        )
    });
    let cid = card.id;
    let visible = card.status == CardStatus::Visible;
    let (moderate, approve, undo) = (ctx.moderate, ctx.approve, ctx.undo);
    let per_group = ctx.snapshot.with_untracked(|s| {
        card.dots_by_group
            .iter()
            .filter(|g| g.dots > 0)
            .map(|g| {
                format!(
                    "{} {}",
                    s.group_name(&g.group),
                    lang.number(i64::from(g.dots))
                )
            })
            .collect::<Vec<_>>()
            .join(" · ")
    });
    let score = match card.kind {
        CardKind::Problem => card.usg.map(|u| {
            fill(
                t.score_usg_result(),
                &[
                    ("score", &lang.decimal(f64::from(u.score), 1)),
                    ("raters", &lang.number(i64::from(u.raters))),
                ],
            )
        }),
        CardKind::Idea => card.idea_score.map(|i| {
            fill(
                t.score_idea_result(),
                &[
                    ("impact", &lang.decimal(f64::from(i.impact), 1)),
                    ("effort", &lang.decimal(f64::from(i.effort), 1)),
                    ("raters", &lang.number(i64::from(i.raters))),
                ],
            )
        }),
    };
    let quick_win = card.idea_score.is_some_and(|i| i.quick_win);
    let programme = card.programme.clone().map(|p| {
        let lead = p.lead_office.map(|o| format!(" · {o}")).unwrap_or_default();
        format!("{}: {}{lead}", t.console_programme(), p.horizon.label(lang))
    });
    let paper = ServerAction::<PaperVotes>::new();
    let programme_action = ctx.programme;
    view! {
        <li class="card console-card" class:pinned=card.pinned data-card=cid.to_string() data-status=card.status.as_str()>
            <div class="card-row">
                {visible.then(|| view! {
                    <label class="select-card">
                        <input type="checkbox" name="cards[]" value=cid.to_string() form=merge_form_id(question) data-text=card.text.clone()/>
                        <span class="sr-only">{t.console_select()}</span>
                    </label>
                })}
                <div class="card-body">
                    <p class="card-text">{card.text.clone()}</p>
                    <div class="card-foot">
                        <span class="chip group">{group}</span>
                        {sub_name.map(|s| view! { <span class="chip">{s}</span> })}
                        {card.pinned.then(|| view! { <span class="chip pin-tag">{t.console_pinned()}</span> })}
                        {card.on_behalf.then(|| view! { <span class="chip">{t.console_on_behalf()}</span> })}
                        {card.original_text.clone().map(|o| view! { <span class="chip" title=o>{t.console_edited()}</span> })}
                        {(!card.merged_from.is_empty()).then(|| view! {
                            <span class="chip">{rembuk_domain::i18n::fill(t.console_merged_from(), &[("n", &card.merged_from.len().to_string())])}</span>
                        })}
                        {card.hidden_reason.clone().map(|r| view! { <span class="chip hidden-tag">{t.console_hidden_because()} " " {r}</span> })}
                        {(card.status == CardStatus::Merged).then(|| view! { <span class="chip hidden-tag">{t.console_merged_away()}</span> })}
                        {score.map(|s| view! { <span class="chip score">{s}</span> })}
                        {quick_win.then(|| view! { <span class="chip quick-win">{t.export_quick_win()}</span> })}
                        {programme.map(|p| view! { <span class="chip programme">{p}</span> })}
                        {(breadth > 0).then(|| view! {
                            <span class="chip breadth">{fill(t.console_breadth(), &[("n", &lang.number(i64::from(breadth)))])}</span>
                        })}
                        <span class="tally"><span class="tally-number" data-tally=cid.to_string()>{lang.number(i64::from(card.dots))}</span> " " {t.participant_votes_unit()}</span>
                    </div>
                    {(!per_group.is_empty()).then(|| view! { <p class="muted small per-group">{per_group}</p> })}
                </div>
            </div>
            <div class="card-actions">
                {(card.status == CardStatus::Pending).then(|| view! {
                    <ActionForm action=approve attr:class="inline-form">
                        <input type="hidden" name="card_id" value=cid.to_string()/>
                        <button class="button small primary" type="submit">{t.console_approve()}</button>
                    </ActionForm>
                })}
                {visible.then(|| view! {
                    <ActionForm action=moderate attr:class="inline-form">
                        <input type="hidden" name="card_id" value=cid.to_string()/>
                        <input type="hidden" name="pinned" value=(!card.pinned).to_string()/>
                        <button class="button small" type="submit">{if card.pinned { t.console_unpin() } else { t.console_pin() }}</button>
                    </ActionForm>
                })}
                {card.merge_id.clone().filter(|_| visible).map(|merge| view! {
                    <ActionForm action=undo attr:class="inline-form">
                        <input type="hidden" name="merge_id" value=merge/>
                        <button class="button small" type="submit">{t.console_undo_merge()}</button>
                    </ActionForm>
                })}
                {(card.status == CardStatus::Hidden).then(|| view! {
                    <ActionForm action=moderate attr:class="inline-form">
                        <input type="hidden" name="card_id" value=cid.to_string()/>
                        <input type="hidden" name="hidden" value="false"/>
                        <button class="button small" type="submit">{t.console_restore()}</button>
                    </ActionForm>
                })}
                {matches!(card.status, CardStatus::Visible | CardStatus::Pending).then(|| view! {
                    <details class="action">
                        <summary class="button small">{t.console_hide()}</summary>
                        <ActionForm action=moderate attr:class="stack">
                            <input type="hidden" name="card_id" value=cid.to_string()/>
                            <input type="hidden" name="hidden" value="true"/>
                            <label class="field">
                                <span>{t.field_reason()}</span>
                                <input type="text" name="reason" required minlength="2" maxlength="200" placeholder=t.console_reason_placeholder()/>
                            </label>
                            <button class="button small primary" type="submit">{t.console_hide()}</button>
                        </ActionForm>
                    </details>
                })}
                {visible.then(|| view! {
                    <details class="action">
                        <summary class="button small">{t.console_edit()}</summary>
                        <ActionForm action=moderate attr:class="stack">
                            <input type="hidden" name="card_id" value=cid.to_string()/>
                            <label class="field">
                                <span>{t.field_text()}</span>
                                <textarea name="text" rows="3" maxlength="500" required>{textarea_text(&card.text)}</textarea>
                            </label>
                            {card.original_text.clone().map(|o| view! { <p class="muted small">{t.console_original()} " " {o}</p> })}
                            <button class="button small primary" type="submit">{t.console_save()}</button>
                        </ActionForm>
                    </details>
                })}
                {(visible && !subs.is_empty()).then(|| view! {
                    <details class="action">
                        <summary class="button small">{t.field_sub_element()}</summary>
                        <ActionForm action=moderate attr:class="stack">
                            <input type="hidden" name="card_id" value=cid.to_string()/>
                            <select name="sub_element" aria-label=t.field_sub_element()>
                                <option value="">{t.console_no_sub_element()}</option>
                                {subs
                                    .iter()
                                    .map(|s| {
                                        let selected = card.sub_element.as_deref() == Some(s.key.as_str());
                                        view! { <option value=s.key.clone() selected=selected>{s.name.clone()}</option> }
                                    })
                                    .collect_view()}
                            </select>
                            <button class="button small primary" type="submit">{t.console_save()}</button>
                        </ActionForm>
                    </details>
                })}
                {(visible && card.kind == CardKind::Idea).then(|| {
                    let current = card.programme.clone();
                    let horizon = current.as_ref().map(|p| p.horizon);
                    let lead = current.and_then(|p| p.lead_office).unwrap_or_default();
                    view! {
                        <details class="action">
                            <summary class="button small">{t.console_programme()}</summary>
                            <ActionForm action=programme_action attr:class="stack">
                                <input type="hidden" name="card_id" value=cid.to_string()/>
                                <label class="field">
                                    <span>{t.field_horizon()}</span>
                                    <select name="horizon">
                                        <option value="" selected=horizon.is_none()>{t.console_programme_none()}</option>
                                        {Horizon::ALL
                                            .into_iter()
                                            .map(|h| view! { <option value=h.as_str() selected=horizon == Some(h)>{h.label(lang)}</option> })
                                            .collect_view()}
                                    </select>
                                </label>
                                <label class="field">
                                    <span>{t.field_lead_office()}</span>
                                    <input type="text" name="lead_office" maxlength="120" value=lead placeholder=t.console_lead_office_placeholder()/>
                                </label>
                                <button class="button small primary" type="submit">{t.console_save()}</button>
                            </ActionForm>
                        </details>
                    }
                })}
                {visible.then(|| view! {
                    <details class="action">
                        <summary class="button small">{t.console_paper_votes()}</summary>
                        <ActionForm action=paper attr:class="stack">
                            <ActionError result=paper.value()/>
                            <input type="hidden" name="card_id" value=cid.to_string()/>
                            <div class="row">
                                <select name="group" aria-label=t.field_group()>
                                    {groups.iter().map(|g| view! { <option value=g.key.clone()>{g.name.clone()}</option> }).collect_view()}
                                </select>
                                <input type="number" name="dots" min="0" max="10000" value="0" inputmode="numeric" aria-label=t.field_dots()/>
                            </div>
                            <button class="button small primary" type="submit">{t.console_save()}</button>
                        </ActionForm>
                    </details>
                })}
            </div>
        </li>
    }
}

/// Merging the ticked cards of a question into one.
#[component]
pub fn MergeBar(question: QuestionId) -> impl IntoView {
    let t = use_t();
    let ConsoleCtx { merge, .. } = expect_context();
    let form = NodeRef::<leptos::html::Form>::new();
    crate::components::watch(move |_| {
        if let Some(Ok(_)) = merge.value().get()
            && let Some(form) = form.get()
        {
            form.reset();
        }
    });
    view! {
        <ActionForm action=merge node_ref=form attr:id=merge_form_id(question) attr:class="merge-bar">
            <label class="field grow">
                <span>{t.console_merge_text()}</span>
                <input type="text" name="text" required minlength="2" maxlength="500" placeholder=t.console_merge_placeholder()/>
            </label>
            <button class="button" type="submit">{t.console_merge()}</button>
        </ActionForm>
    }
}
