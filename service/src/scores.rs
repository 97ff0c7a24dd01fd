//! USG and impact/effort ratings, and candidate programmes.

use rembuk_domain::{
    AppError, CardId, Entity, Field, Problem,
    audit::AuditAction,
    card::{Card, CardKind},
    event::{Change, Visibility, card_visibility},
    question::Action,
    rating::{Horizon, ImpactEffort, Programme, ScoreOutcome, Usg, parse_lead_office},
};

use crate::{
    Caller, Services,
    storage::{self, cards, events::Recorder, questions},
};

/// A participant's rating of one card.
enum Rating {
    Usg(Usg),
    Idea(ImpactEffort),
}

impl Services {
    /// Sets the caller's USG rating of a problem card (1–5 each); setting it
    /// again replaces it.
    pub async fn rate_usg(
        &self,
        caller: &Caller,
        card: CardId,
        urgency: i64,
        seriousness: i64,
        growth: i64,
    ) -> Result<ScoreOutcome, AppError> {
        let usg = Usg::parse(urgency, seriousness, growth)?;
        self.rate(caller, card, Rating::Usg(usg)).await
    }

    /// Sets the caller's impact and effort rating of an idea card.
    pub async fn rate_idea(
        &self,
        caller: &Caller,
        card: CardId,
        impact: i64,
        effort: i64,
    ) -> Result<ScoreOutcome, AppError> {
        let rating = ImpactEffort::parse(impact, effort)?;
        self.rate(caller, card, Rating::Idea(rating)).await
    }

    async fn rate(
        &self,
        caller: &Caller,
        card_id: CardId,
        rating: Rating,
    ) -> Result<ScoreOutcome, AppError> {
        let mut tx = self.store().write().await?;
        let question_id = cards::question_of_card(tx.conn(), card_id)
            .await?
            .ok_or(AppError::not_found(Entity::Card))?;
        let session = questions::question(tx.conn(), question_id)
            .await?
            .ok_or(AppError::Internal)?
            .session_id;
        let participant = self.participant_in(tx.conn(), caller, session).await?;
        self.limits().write(participant.id, session)?;
        let mut rec = Recorder::begin(tx.conn(), session).await?;
        let question = questions::question(tx.conn(), question_id)
            .await?
            .ok_or(AppError::Internal)?;
        let card = cards::card(tx.conn(), card_id)
            .await?
            .ok_or(AppError::Internal)?;
        if !card.is_visible() {
            return Err(AppError::not_found(Entity::Card));
        }
        question.check(Action::Vote)?;
        if !question.voting_mode.scores() {
            return Err(AppError::ScoresOff);
        }
        let now = storage::now();
        let changed = match (&rating, card.kind) {
            (Rating::Usg(usg), CardKind::Problem) => {
                cards::set_usg(tx.conn(), participant.id, card_id, question_id, *usg, now).await?
            }
            (Rating::Idea(r), CardKind::Idea) => {
                cards::set_idea_rating(tx.conn(), participant.id, card_id, question_id, *r, now)
                    .await?
            }
            _ => return Err(AppError::invalid(Field::Kind, Problem::WrongKind)),
        };
        let tally = cards::card_tally(tx.conn(), card_id)
            .await?
            .ok_or(AppError::Internal)?;
        let public = question.tallies_public();
        // Sending the same rating again (a retry on a weak signal) changes
        // nothing and records nothing.
        let seq = if changed {
            let visibility = if public {
                Visibility::All
            } else {
                Visibility::Staff
            };
            let seq = rec
                .record(tx.conn(), &Change::Tally(tally.clone()), &visibility, now)
                .await?;
            tx.commit().await?;
            self.live().notify(session, seq);
            seq
        } else {
            tx.rollback().await?;
            0
        };
        let (usg, idea) = match rating {
            Rating::Usg(u) => (Some(u), None),
            Rating::Idea(r) => (None, Some(r)),
        };
        Ok(ScoreOutcome {
            card_id,
            usg,
            rating: idea,
            usg_score: tally.usg.filter(|_| public),
            idea_score: tally.idea.filter(|_| public),
            seq,
        })
    }

    /// Marks an idea as a candidate programme with a horizon and an optional
    /// lead office, or clears the mark when `horizon` is empty.
    pub async fn set_programme(
        &self,
        caller: &Caller,
        card: CardId,
        horizon: Option<&str>,
        lead_office: Option<&str>,
    ) -> Result<Card, AppError> {
        let (mut tx, mut rec, user, before, question, _) = self.open_card(caller, card).await?;
        if before.kind != CardKind::Idea {
            return Err(AppError::invalid(Field::Kind, Problem::WrongKind));
        }
        let programme = match horizon.map(str::trim).filter(|h| !h.is_empty()) {
            None => None,
            Some(h) => Some(Programme {
                horizon: h.parse::<Horizon>()?,
                lead_office: parse_lead_office(lead_office)?,
            }),
        };
        if programme == before.programme {
            tx.rollback().await?;
            return Ok(before);
        }
        cards::set_programme(tx.conn(), card, programme.as_ref()).await?;
        let after = cards::card(tx.conn(), card)
            .await?
            .ok_or(AppError::Internal)?;
        let public = card_visibility(&after, question.tallies_public(), before.is_visible());
        rec.record(
            tx.conn(),
            &Change::CardUpdated {
                card: after.clone(),
            },
            &public,
            storage::now(),
        )
        .await?;
        let detail = programme.as_ref().map(|p| {
            format!(
                "{}{}",
                p.horizon.as_str(),
                p.lead_office
                    .as_deref()
                    .map(|o| format!(" · {o}"))
                    .unwrap_or_default()
            )
        });
        self.audit(
            &mut tx,
            question.session_id,
            user,
            AuditAction::Programme,
            Some(card.to_string()),
            None,
            detail,
        )
        .await?;
        tx.commit().await?;
        self.live().notify(question.session_id, rec.last());
        Ok(after)
    }
}
