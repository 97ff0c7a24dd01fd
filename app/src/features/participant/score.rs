//! Rating a card: USG for problems, impact and effort for ideas. Plain
//! forms (radio buttons 1–5), so they work without scripts too.

use leptos::{either::Either, prelude::*};
use rembuk_domain::{CardId, card::CardKind};

use super::{ParticipantActions, RateIdea, RateUsg};
use crate::{
    components::form::PostForm,
    i18n::{use_lang, use_t},
};

/// One 1–5 scale as big radio buttons.
#[component]
fn Scale(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    current: Option<u8>,
    card: CardId,
) -> impl IntoView {
    view! {
        <fieldset class="scale">
            <legend>{label} <small>{hint}</small></legend>
            <div class="scale-options">
                {(1..=5u8)
                    .map(|n| {
                        let id = format!("{name}-{card}-{n}");
                        view! {
                            <input type="radio" id=id.clone() name=name value=n.to_string() checked=current == Some(n) required/>
                            <label for=id>{n}</label>
                        }
                    })
                    .collect_view()}
            </div>
        </fieldset>
    }
}

/// The rating form of a card, with the card's result when it is public.
#[component]
pub fn ScoreForm(card: CardId, kind: CardKind, tallies: bool) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ParticipantActions {
        snapshot,
        usg,
        idea,
        ..
    } = expect_context();
    let (mine_usg, mine_rating) = snapshot.with_untracked(|s| (s.my_usg(card), s.my_rating(card)));
    let result = move || {
        snapshot.with(|s| {
            let c = s.cards.iter().find(|c| c.id == card)?;
            match kind {
                CardKind::Problem => c.usg.map(|u| {
                    rembuk_domain::i18n::fill(
                        t.score_usg_result(),
                        &[
                            ("score", &format_decimal(u.score, lang)),
                            ("raters", &lang.number(i64::from(u.raters))),
                        ],
                    )
                }),
                CardKind::Idea => c.idea_score.map(|i| {
                    rembuk_domain::i18n::fill(
                        t.score_idea_result(),
                        &[
                            ("impact", &format_decimal(i.impact, lang)),
                            ("effort", &format_decimal(i.effort, lang)),
                            ("raters", &lang.number(i64::from(i.raters))),
                        ],
                    )
                }),
            }
        })
    };
    let rated = mine_usg.is_some() || mine_rating.is_some();
    let form = match kind {
        CardKind::Problem => Either::Left(view! {
            <PostForm action=usg class="score-form" input=move |f| Some(RateUsg {
                card_id: card,
                urgency: f.parse("urgency")?,
                seriousness: f.parse("seriousness")?,
                growth: f.parse("growth")?,
            })>
                <input type="hidden" name="card_id" value=card.to_string()/>
                <Scale name="urgency" label=t.field_urgency() hint=t.score_urgency_hint() current=mine_usg.map(|u| u.urgency) card/>
                <Scale name="seriousness" label=t.field_seriousness() hint=t.score_seriousness_hint() current=mine_usg.map(|u| u.seriousness) card/>
                <Scale name="growth" label=t.field_growth() hint=t.score_growth_hint() current=mine_usg.map(|u| u.growth) card/>
                <button class="button small primary" type="submit">{t.score_save()}</button>
            </PostForm>
        }),
        CardKind::Idea => Either::Right(view! {
            <PostForm action=idea class="score-form" input=move |f| Some(RateIdea {
                card_id: card,
                impact: f.parse("impact")?,
                effort: f.parse("effort")?,
            })>
                <input type="hidden" name="card_id" value=card.to_string()/>
                <Scale name="impact" label=t.field_impact() hint=t.score_impact_hint() current=mine_rating.map(|r| r.impact) card/>
                <Scale name="effort" label=t.field_effort() hint=t.score_effort_hint() current=mine_rating.map(|r| r.effort) card/>
                <button class="button small primary" type="submit">{t.score_save()}</button>
            </PostForm>
        }),
    };
    view! {
        <details class="score" open=!rated>
            <summary>
                {if rated { t.score_rated() } else { t.score_rate() }}
                {move || tallies.then(result).flatten().map(|r| view! { <span class="score-result">" · " {r}</span> })}
            </summary>
            {form}
        </details>
    }
}

/// A mean as people write it: one decimal, comma in Indonesian.
pub fn format_decimal(x: f32, lang: rembuk_domain::Lang) -> String {
    lang.decimal(f64::from(x), 1)
}
