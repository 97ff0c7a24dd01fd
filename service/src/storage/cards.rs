//! Cards, the problems ideas answer, dots (participants' and paper), and
//! merges.

use std::collections::HashMap;

use rembuk_domain::{
    CardId, ParticipantId, QuestionId, SessionId, UserId,
    card::{Card, CardKind, CardStatus, GroupDots},
    event::CardTally,
    rating::{IdeaScore, ImpactEffort, MyRating, MyUsg, Programme, Usg, UsgScore},
    snapshot::MyVote,
    time::Timestamp,
};
use sqlx::AnyConnection;

use super::{
    Result, parse_id,
    rows::{AnswerRow, CardRow},
};

/// Card columns with the card's tally: participants' dots plus paper dots.
const CARD_WITH_TALLY: &str = "SELECT c.id, c.question_id, c.session_id, c.kind, c.text, c.group_key, c.created_at,
        c.status, c.pinned, c.sub_element_key, c.on_behalf, c.hidden_reason, c.original_text, c.horizon, c.lead_office,
        CAST(COALESCE((SELECT SUM(v.dots) FROM votes v WHERE v.card_id = c.id), 0)
           + COALESCE((SELECT SUM(p.dots) FROM paper_votes p WHERE p.card_id = c.id), 0) AS BIGINT) AS dots
     FROM cards c";

/// A new card.
pub struct CardInsert<'a> {
    pub id: CardId,
    pub question: QuestionId,
    pub session: SessionId,
    pub participant: Option<ParticipantId>,
    /// The facilitator who typed it in from paper.
    pub entered_by: Option<UserId>,
    pub group: &'a str,
    pub kind: CardKind,
    pub text: &'a str,
    pub status: CardStatus,
    pub idempotency_key: Option<&'a str>,
    pub now: Timestamp,
}

/// Stores a new card. A unique violation means its writer already sent a
/// card with this idempotency key.
pub async fn insert_card(conn: &mut AnyConnection, c: &CardInsert<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO cards (id, question_id, session_id, participant_id, entered_by, on_behalf, group_key, kind,
                            text, status, idempotency_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(c.id.to_string())
    .bind(c.question.to_string())
    .bind(c.session.to_string())
    .bind(c.participant.map(|p| p.to_string()))
    .bind(c.entered_by.map(|u| u.to_string()))
    .bind(i64::from(c.entered_by.is_some()))
    .bind(c.group)
    .bind(c.kind.as_str())
    .bind(c.text)
    .bind(c.status.as_str())
    .bind(c.idempotency_key)
    .bind(c.now.millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// Links an idea to the problems it answers (links that exist are kept).
pub async fn insert_answers(
    conn: &mut AnyConnection,
    idea: CardId,
    problems: &[CardId],
) -> Result<()> {
    for p in problems {
        sqlx::query(
            "INSERT INTO card_answers (idea_id, problem_id) VALUES ($1, $2) ON CONFLICT (idea_id, problem_id) DO NOTHING",
        )
        .bind(idea.to_string())
        .bind(p.to_string())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The card a participant (or, for paper cards, a facilitator) already sent
/// with this idempotency key.
pub async fn card_by_idempotency_key(
    conn: &mut AnyConnection,
    participant: Option<ParticipantId>,
    entered_by: Option<UserId>,
    key: &str,
) -> Result<Option<CardId>> {
    let id: Option<String> = match (participant, entered_by) {
        (Some(p), _) => {
            sqlx::query_scalar(
                "SELECT id FROM cards WHERE participant_id = $1 AND idempotency_key = $2",
            )
            .bind(p.to_string())
            .bind(key)
            .fetch_optional(conn)
            .await?
        }
        (None, Some(u)) => {
            sqlx::query_scalar(
                "SELECT id FROM cards WHERE entered_by = $1 AND idempotency_key = $2",
            )
            .bind(u.to_string())
            .bind(key)
            .fetch_optional(conn)
            .await?
        }
        (None, None) => None,
    };
    id.map(|id| parse_id(&id)).transpose()
}

/// A card with its tally, answers and merge sources.
pub async fn card(conn: &mut AnyConnection, id: CardId) -> Result<Option<Card>> {
    let row: Option<CardRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CARD_WITH_TALLY} WHERE c.id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut card = row.into_card()?;
    let answers: Vec<String> = sqlx::query_scalar(
        "SELECT problem_id FROM card_answers WHERE idea_id = $1 ORDER BY problem_id",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    card.answers = answers.iter().map(|a| parse_id(a)).collect::<Result<_>>()?;
    let sources: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.id, s.card_id FROM merge_sources s JOIN merges m ON m.id = s.merge_id
         WHERE m.card_id = $1 AND m.undone_at IS NULL ORDER BY s.card_id",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    card.merge_id = sources.first().map(|(m, _)| m.clone());
    let mut aggregates = aggregates(conn, Scope::Card(id)).await?;
    if let Some(a) = aggregates.remove(&id) {
        a.apply_to(&mut card);
    }
    card.merged_from = sources
        .iter()
        .map(|(_, a)| parse_id(a))
        .collect::<Result<_>>()?;
    Ok(Some(card))
}

/// Every card of a session, whatever its state, with tallies, answers and
/// merge sources (three queries).
pub async fn cards_of_session(conn: &mut AnyConnection, session: SessionId) -> Result<Vec<Card>> {
    let rows: Vec<CardRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CARD_WITH_TALLY} WHERE c.session_id = $1 ORDER BY c.created_at, c.id"
    )))
    .bind(session.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let answers: Vec<AnswerRow> = sqlx::query_as(
        "SELECT a.idea_id, a.problem_id FROM card_answers a JOIN cards c ON c.id = a.idea_id
         WHERE c.session_id = $1 ORDER BY a.idea_id, a.problem_id",
    )
    .bind(session.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let sources: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT m.card_id, m.id, s.card_id FROM merges m JOIN merge_sources s ON s.merge_id = m.id
         WHERE m.session_id = $1 AND m.undone_at IS NULL ORDER BY s.card_id",
    )
    .bind(session.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut by_idea: HashMap<String, Vec<CardId>> = HashMap::new();
    for a in answers {
        by_idea
            .entry(a.idea_id)
            .or_default()
            .push(parse_id(&a.problem_id)?);
    }
    let mut by_merged: HashMap<String, (String, Vec<CardId>)> = HashMap::new();
    for (merged, merge, source) in sources {
        by_merged
            .entry(merged)
            .or_insert_with(|| (merge, Vec::new()))
            .1
            .push(parse_id(&source)?);
    }
    let mut aggregates = aggregates(conn, Scope::Session(session)).await?;
    rows.into_iter()
        .map(|row| {
            let answers = by_idea.remove(&row.id).unwrap_or_default();
            let merged = by_merged.remove(&row.id);
            let mut card = row.into_card()?;
            card.answers = answers;
            if let Some((merge, sources)) = merged {
                card.merge_id = Some(merge);
                card.merged_from = sources;
            }
            if let Some(a) = aggregates.remove(&card.id) {
                a.apply_to(&mut card);
            }
            Ok(card)
        })
        .collect()
}

/// Which cards [`aggregates`] covers.
enum Scope {
    Card(CardId),
    Session(SessionId),
}

/// A card's dots per group and its scores.
#[derive(Default)]
struct Aggregates {
    by_group: Vec<GroupDots>,
    usg: Option<UsgScore>,
    idea: Option<IdeaScore>,
}

impl Aggregates {
    fn apply_to(self, card: &mut Card) {
        card.dots_by_group = self.by_group;
        card.usg = self.usg;
        card.idea_score = self.idea;
    }
}

/// Dots per group (participants' by their group, plus paper dots) and
/// score sums, for one card or all cards of a session, in four grouped
/// queries whatever the number of cards.
async fn aggregates(conn: &mut AnyConnection, scope: Scope) -> Result<HashMap<CardId, Aggregates>> {
    let (filter, key) = match &scope {
        Scope::Card(id) => ("c.id = $1", id.to_string()),
        Scope::Session(id) => ("c.session_id = $1", id.to_string()),
    };
    let mut out: HashMap<CardId, Aggregates> = HashMap::new();
    let dots: Vec<(String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT v.card_id, p.group_key, CAST(SUM(v.dots) AS BIGINT) FROM votes v
         JOIN participants p ON p.id = v.participant_id JOIN cards c ON c.id = v.card_id
         WHERE {filter} GROUP BY v.card_id, p.group_key
         UNION ALL
         SELECT pv.card_id, pv.group_key, CAST(pv.dots AS BIGINT) FROM paper_votes pv JOIN cards c ON c.id = pv.card_id
         WHERE {filter}"
    )))
    .bind(&key)
    .fetch_all(&mut *conn)
    .await?;
    for (card, group, n) in dots {
        let entry = out.entry(parse_id(&card)?).or_default();
        match entry.by_group.iter_mut().find(|g| g.group == group) {
            Some(g) => g.dots += n as u32,
            None => entry.by_group.push(GroupDots {
                group,
                dots: n as u32,
            }),
        }
    }
    for a in out.values_mut() {
        a.by_group.sort_by(|x, y| x.group.cmp(&y.group));
    }
    let usg: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT r.card_id, CAST(SUM(r.urgency) AS BIGINT), CAST(SUM(r.seriousness) AS BIGINT),
                CAST(SUM(r.growth) AS BIGINT), CAST(COUNT(*) AS BIGINT)
         FROM usg_ratings r JOIN cards c ON c.id = r.card_id WHERE {filter} GROUP BY r.card_id"
    )))
    .bind(&key)
    .fetch_all(&mut *conn)
    .await?;
    for (card, u, s, g, n) in usg {
        out.entry(parse_id(&card)?).or_default().usg =
            UsgScore::from_sums(u as u64, s as u64, g as u64, n as u32);
    }
    let ideas: Vec<(String, i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT r.card_id, CAST(SUM(r.impact) AS BIGINT), CAST(SUM(r.effort) AS BIGINT), CAST(COUNT(*) AS BIGINT)
         FROM idea_ratings r JOIN cards c ON c.id = r.card_id WHERE {filter} GROUP BY r.card_id"
    )))
    .bind(&key)
    .fetch_all(conn)
    .await?;
    for (card, i, e, n) in ideas {
        out.entry(parse_id(&card)?).or_default().idea =
            IdeaScore::from_sums(i as u64, e as u64, n as u32);
    }
    Ok(out)
}

/// A card's current tally and scores, as a live event carries them. One
/// query (every vote reads it): the first part is the card's row of score
/// sums, marked by its empty group; the others are its dots per group.
pub async fn card_tally(conn: &mut AnyConnection, id: CardId) -> Result<Option<CardTally>> {
    let rows: Vec<TallyRow> = sqlx::query_as(CARD_TALLY)
        .bind(id.to_string())
        .fetch_all(conn)
        .await?;
    Ok(tally_of(id, rows))
}

/// A row of [`CARD_TALLY`]: a group (none: the card's row of score sums)
/// and its dots, then the sums of urgency, seriousness, growth, the USG
/// raters, impact, effort and the idea raters.
pub(super) type TallyRow = (Option<String>, i64, i64, i64, i64, i64, i64, i64);

/// A card's tally (`$1`: the card), in [`TallyRow`]s. Its dots per group
/// come from the group each vote carries, which the database keeps equal
/// to the voter's (migration `0005_vote_groups` on SQLite, `0006` on
/// PostgreSQL): one range of the `votes_card` index, whatever the room's
/// size, without a look-up per vote.
pub(super) const CARD_TALLY: &str = "SELECT CAST(NULL AS TEXT),
            CAST((SELECT COALESCE(SUM(urgency), 0) FROM usg_ratings WHERE card_id = $1) AS BIGINT),
            CAST((SELECT COALESCE(SUM(seriousness), 0) FROM usg_ratings WHERE card_id = $1) AS BIGINT),
            CAST((SELECT COALESCE(SUM(growth), 0) FROM usg_ratings WHERE card_id = $1) AS BIGINT),
            CAST((SELECT COUNT(*) FROM usg_ratings WHERE card_id = $1) AS BIGINT),
            CAST((SELECT COALESCE(SUM(impact), 0) FROM idea_ratings WHERE card_id = $1) AS BIGINT),
            CAST((SELECT COALESCE(SUM(effort), 0) FROM idea_ratings WHERE card_id = $1) AS BIGINT),
            CAST((SELECT COUNT(*) FROM idea_ratings WHERE card_id = $1) AS BIGINT)
         FROM cards WHERE id = $1
         UNION ALL
         SELECT v.group_key, CAST(SUM(v.dots) AS BIGINT), 0, 0, 0, 0, 0, 0 FROM votes v
         WHERE v.card_id = $1 GROUP BY v.group_key
         UNION ALL
         SELECT pv.group_key, CAST(pv.dots AS BIGINT), 0, 0, 0, 0, 0, 0
         FROM paper_votes pv WHERE pv.card_id = $1";

/// The card's tally from the rows of [`CARD_TALLY`]; `None`: no such card.
pub(super) fn tally_of(id: CardId, rows: Vec<TallyRow>) -> Option<CardTally> {
    let &(_, u, s, g, usg_n, i, e, idea_n) = rows.iter().find(|row| row.0.is_none())?;
    let dots = rows
        .into_iter()
        .filter_map(|(group, n, ..)| group.map(|group| (group, n)));
    let mut by_group: Vec<GroupDots> = vec![];
    for (group, n) in dots {
        match by_group.iter_mut().find(|x| x.group == group) {
            Some(x) => x.dots += n as u32,
            None => by_group.push(GroupDots {
                group,
                dots: n as u32,
            }),
        }
    }
    by_group.sort_by(|x, y| x.group.cmp(&y.group));
    Some(CardTally {
        card_id: id,
        dots: by_group.iter().map(|x| x.dots).sum(),
        by_group,
        usg: UsgScore::from_sums(u as u64, s as u64, g as u64, usg_n as u32),
        idea: IdeaScore::from_sums(i as u64, e as u64, idea_n as u32),
    })
}

/// Sets a participant's USG rating of a card.
pub async fn set_usg(
    conn: &mut AnyConnection,
    participant: ParticipantId,
    card: CardId,
    question: QuestionId,
    usg: Usg,
    now: Timestamp,
) -> Result<bool> {
    let changed = sqlx::query(
        "INSERT INTO usg_ratings (participant_id, card_id, question_id, urgency, seriousness, growth, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (participant_id, card_id) DO UPDATE SET urgency = excluded.urgency,
             seriousness = excluded.seriousness, growth = excluded.growth, updated_at = excluded.updated_at
         WHERE usg_ratings.urgency <> excluded.urgency OR usg_ratings.seriousness <> excluded.seriousness
             OR usg_ratings.growth <> excluded.growth",
    )
    .bind(participant.to_string())
    .bind(card.to_string())
    .bind(question.to_string())
    .bind(i64::from(usg.urgency))
    .bind(i64::from(usg.seriousness))
    .bind(i64::from(usg.growth))
    .bind(now.millis())
    .execute(conn)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Sets a participant's impact/effort rating of a card.
pub async fn set_idea_rating(
    conn: &mut AnyConnection,
    participant: ParticipantId,
    card: CardId,
    question: QuestionId,
    rating: ImpactEffort,
    now: Timestamp,
) -> Result<bool> {
    let changed = sqlx::query(
        "INSERT INTO idea_ratings (participant_id, card_id, question_id, impact, effort, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (participant_id, card_id) DO UPDATE SET impact = excluded.impact, effort = excluded.effort,
             updated_at = excluded.updated_at
         WHERE idea_ratings.impact <> excluded.impact OR idea_ratings.effort <> excluded.effort",
    )
    .bind(participant.to_string())
    .bind(card.to_string())
    .bind(question.to_string())
    .bind(i64::from(rating.impact))
    .bind(i64::from(rating.effort))
    .bind(now.millis())
    .execute(conn)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// A participant's ratings: USG and impact/effort.
pub async fn ratings_of(
    conn: &mut AnyConnection,
    participant: ParticipantId,
) -> Result<(Vec<MyUsg>, Vec<MyRating>)> {
    let usg: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT card_id, urgency, seriousness, growth FROM usg_ratings WHERE participant_id = $1 ORDER BY card_id",
    )
    .bind(participant.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let ideas: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT card_id, impact, effort FROM idea_ratings WHERE participant_id = $1 ORDER BY card_id")
            .bind(participant.to_string())
            .fetch_all(conn)
            .await?;
    let usg = usg
        .into_iter()
        .map(|(id, u, s, g)| {
            Ok(MyUsg {
                card_id: parse_id(&id)?,
                usg: Usg {
                    urgency: u as u8,
                    seriousness: s as u8,
                    growth: g as u8,
                },
            })
        })
        .collect::<Result<_>>()?;
    let ideas = ideas
        .into_iter()
        .map(|(id, i, e)| {
            Ok(MyRating {
                card_id: parse_id(&id)?,
                rating: ImpactEffort {
                    impact: i as u8,
                    effort: e as u8,
                },
            })
        })
        .collect::<Result<_>>()?;
    Ok((usg, ideas))
}

/// Marks an idea as a candidate programme (or clears it with `None`).
pub async fn set_programme(
    conn: &mut AnyConnection,
    card: CardId,
    programme: Option<&Programme>,
) -> Result<()> {
    sqlx::query("UPDATE cards SET horizon = $2, lead_office = $3 WHERE id = $1")
        .bind(card.to_string())
        .bind(programme.map(|p| p.horizon.as_str()))
        .bind(programme.and_then(|p| p.lead_office.as_deref()))
        .execute(conn)
        .await?;
    Ok(())
}

/// Of `ids`, those that are visible problem cards of `session`.
pub async fn problem_cards_among(
    conn: &mut AnyConnection,
    session: SessionId,
    ids: &[CardId],
) -> Result<Vec<CardId>> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let hit: Option<String> = sqlx::query_scalar(
            "SELECT id FROM cards WHERE id = $1 AND session_id = $2 AND kind = 'problem' AND status = 'visible'",
        )
        .bind(id.to_string())
        .bind(session.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        if hit.is_some() {
            found.push(*id);
        }
    }
    Ok(found)
}

/// The question a card belongs to.
pub async fn question_of_card(
    conn: &mut AnyConnection,
    card: CardId,
) -> Result<Option<QuestionId>> {
    let id: Option<String> = sqlx::query_scalar("SELECT question_id FROM cards WHERE id = $1")
        .bind(card.to_string())
        .fetch_optional(conn)
        .await?;
    id.map(|id| parse_id(&id)).transpose()
}

/// A participant's dots per visible card on one question (dots on hidden or
/// merged cards are suspended and do not count).
pub async fn dots_on_question(
    conn: &mut AnyConnection,
    participant: ParticipantId,
    question: QuestionId,
) -> Result<Vec<(CardId, u32)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT v.card_id, v.dots FROM votes v JOIN cards c ON c.id = v.card_id
         WHERE v.participant_id = $1 AND v.question_id = $2 AND c.status = 'visible'",
    )
    .bind(participant.to_string())
    .bind(question.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, dots)| Ok((parse_id(&id)?, dots as u32)))
        .collect()
}

/// A participant's stored dots on a card, with the group they count for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVote {
    pub participant: ParticipantId,
    /// The participant's stakeholder group ('' for none).
    pub group: String,
    pub dots: u32,
}

/// Every participant's stored dots on a card (also while it is not visible).
pub async fn votes_on_card(conn: &mut AnyConnection, card: CardId) -> Result<Vec<StoredVote>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT participant_id, group_key, dots FROM votes WHERE card_id = $1 ORDER BY participant_id",
    )
    .bind(card.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, group, dots)| {
            Ok(StoredVote {
                participant: parse_id(&id)?,
                group,
                dots: dots as u32,
            })
        })
        .collect()
}

/// Sets a participant's dots on a card (0 removes the vote).
pub async fn set_dots(
    conn: &mut AnyConnection,
    participant: ParticipantId,
    group: &str,
    card: CardId,
    question: QuestionId,
    dots: u32,
    now: Timestamp,
) -> Result<()> {
    if dots == 0 {
        sqlx::query(DELETE_DOTS)
            .bind(participant.to_string())
            .bind(card.to_string())
            .execute(conn)
            .await?;
    } else {
        sqlx::query(UPSERT_DOTS)
            .bind(participant.to_string())
            .bind(card.to_string())
            .bind(question.to_string())
            .bind(i64::from(dots))
            .bind(now.millis())
            .bind(group)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Takes a participant's dots off a card (`$1`: the participant, `$2`: the
/// card).
pub(super) const DELETE_DOTS: &str = "DELETE FROM votes WHERE participant_id = $1 AND card_id = $2";

/// Sets a participant's dots on a card (`$1`: the participant, `$2`: the
/// card, `$3`: its question, `$4`: the dots, `$5`: now, `$6`: the
/// participant's group, which the card's tally reads ([`CARD_TALLY`]; the
/// caller has it from its own read of the participant or the vote).
pub(super) const UPSERT_DOTS: &str =
    "INSERT INTO votes (participant_id, card_id, question_id, dots, updated_at, group_key)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (participant_id, card_id) DO UPDATE
     SET dots = excluded.dots, updated_at = excluded.updated_at, group_key = excluded.group_key";

/// All dots on a card (`$1`): participants' and paper.
pub(super) const CARD_TOTAL: &str =
    "SELECT CAST(COALESCE((SELECT SUM(dots) FROM votes WHERE card_id = $1), 0)
           + COALESCE((SELECT SUM(dots) FROM paper_votes WHERE card_id = $1), 0) AS BIGINT)";

/// All dots on a card: participants' and paper.
pub async fn card_total(conn: &mut AnyConnection, card: CardId) -> Result<u32> {
    let n: i64 = sqlx::query_scalar(CARD_TOTAL)
        .bind(card.to_string())
        .fetch_one(conn)
        .await?;
    Ok(n as u32)
}

/// Every vote of a participant.
pub async fn votes_of(conn: &mut AnyConnection, participant: ParticipantId) -> Result<Vec<MyVote>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT card_id, dots FROM votes WHERE participant_id = $1 ORDER BY card_id",
    )
    .bind(participant.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, dots)| {
            Ok(MyVote {
                card_id: parse_id(&id)?,
                dots: dots as u32,
            })
        })
        .collect()
}

/// The cards a participant wrote.
pub async fn cards_by(conn: &mut AnyConnection, participant: ParticipantId) -> Result<Vec<CardId>> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM cards WHERE participant_id = $1 ORDER BY created_at")
            .bind(participant.to_string())
            .fetch_all(conn)
            .await?;
    ids.iter().map(|id| parse_id(id)).collect()
}

/// Moves a card to a moderation state, with the reason for hiding it.
pub async fn set_status(
    conn: &mut AnyConnection,
    card: CardId,
    status: CardStatus,
    reason: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE cards SET status = $2, hidden_reason = $3 WHERE id = $1")
        .bind(card.to_string())
        .bind(status.as_str())
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a card's text, keeping the text as first written.
pub async fn set_text(conn: &mut AnyConnection, card: CardId, text: &str) -> Result<()> {
    sqlx::query(
        "UPDATE cards SET original_text = COALESCE(original_text, text), text = $2 WHERE id = $1",
    )
    .bind(card.to_string())
    .bind(text)
    .execute(conn)
    .await?;
    Ok(())
}

/// Pins or unpins a card.
pub async fn set_pinned(conn: &mut AnyConnection, card: CardId, pinned: bool) -> Result<()> {
    sqlx::query("UPDATE cards SET pinned = $2 WHERE id = $1")
        .bind(card.to_string())
        .bind(i64::from(pinned))
        .execute(conn)
        .await?;
    Ok(())
}

/// Tags a card with a sub-element (or clears the tag).
pub async fn set_sub_element(
    conn: &mut AnyConnection,
    card: CardId,
    sub_element: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE cards SET sub_element_key = $2 WHERE id = $1")
        .bind(card.to_string())
        .bind(sub_element)
        .execute(conn)
        .await?;
    Ok(())
}

/// Paper dots of a card per group.
pub async fn paper_votes(conn: &mut AnyConnection, card: CardId) -> Result<Vec<(String, u32)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT group_key, dots FROM paper_votes WHERE card_id = $1 ORDER BY group_key",
    )
    .bind(card.to_string())
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(g, d)| (g, d as u32)).collect())
}

/// Sets a card's paper dots for a group (0 removes them).
pub async fn set_paper_votes(
    conn: &mut AnyConnection,
    card: CardId,
    group: &str,
    dots: u32,
    now: Timestamp,
) -> Result<()> {
    if dots == 0 {
        sqlx::query("DELETE FROM paper_votes WHERE card_id = $1 AND group_key = $2")
            .bind(card.to_string())
            .bind(group)
            .execute(conn)
            .await?;
    } else {
        sqlx::query(
            "INSERT INTO paper_votes (card_id, group_key, dots, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (card_id, group_key) DO UPDATE SET dots = excluded.dots, updated_at = excluded.updated_at",
        )
        .bind(card.to_string())
        .bind(group)
        .bind(i64::from(dots))
        .bind(now.millis())
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Records a merge of `sources` into `card`, marks the sources merged, and
/// moves idea → problem links from the sources to the merged card
/// (remembering them for an undo).
pub async fn record_merge(
    conn: &mut AnyConnection,
    merge: &str,
    session: SessionId,
    card: CardId,
    sources: &[CardId],
    by: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO merges (id, session_id, card_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(merge)
        .bind(session.to_string())
        .bind(card.to_string())
        .bind(by.map(|u| u.to_string()))
        .bind(now.millis())
        .execute(&mut *conn)
        .await?;
    for source in sources {
        sqlx::query("INSERT INTO merge_sources (merge_id, card_id) VALUES ($1, $2)")
            .bind(merge)
            .bind(source.to_string())
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE cards SET status = 'merged', merge_id = $2 WHERE id = $1")
            .bind(source.to_string())
            .bind(merge)
            .execute(&mut *conn)
            .await?;
        let links: Vec<String> =
            sqlx::query_scalar("SELECT idea_id FROM card_answers WHERE problem_id = $1")
                .bind(source.to_string())
                .fetch_all(&mut *conn)
                .await?;
        for idea in links {
            sqlx::query(
                "INSERT INTO merge_answers (merge_id, idea_id, problem_id) VALUES ($1, $2, $3)
                 ON CONFLICT (merge_id, idea_id, problem_id) DO NOTHING",
            )
            .bind(merge)
            .bind(&idea)
            .bind(source.to_string())
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO card_answers (idea_id, problem_id) VALUES ($1, $2) ON CONFLICT (idea_id, problem_id) DO NOTHING",
            )
            .bind(&idea)
            .bind(card.to_string())
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM card_answers WHERE idea_id = $1 AND problem_id = $2")
                .bind(&idea)
                .bind(source.to_string())
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// A merge: its merged card, sources, and whether it was undone.
pub struct MergeRow {
    pub session: SessionId,
    pub card: CardId,
    pub sources: Vec<CardId>,
    pub undone: bool,
}

/// A merge by id.
pub async fn merge(conn: &mut AnyConnection, merge: &str) -> Result<Option<MergeRow>> {
    let row: Option<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT session_id, card_id, undone_at FROM merges WHERE id = $1")
            .bind(merge)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((session, card, undone_at)) = row else {
        return Ok(None);
    };
    let sources: Vec<String> = sqlx::query_scalar(
        "SELECT card_id FROM merge_sources WHERE merge_id = $1 ORDER BY card_id",
    )
    .bind(merge)
    .fetch_all(conn)
    .await?;
    Ok(Some(MergeRow {
        session: parse_id(&session)?,
        card: parse_id(&card)?,
        sources: sources.iter().map(|s| parse_id(s)).collect::<Result<_>>()?,
        undone: undone_at.is_some(),
    }))
}

/// Undoes a merge's bookkeeping: the sources are cards of their own again
/// (their state is set by the caller), the moved links go back, and the
/// merge is marked undone.
pub async fn record_unmerge(
    conn: &mut AnyConnection,
    merge: &str,
    by: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    let card: String = sqlx::query_scalar("SELECT card_id FROM merges WHERE id = $1")
        .bind(merge)
        .fetch_one(&mut *conn)
        .await?;
    let moved: Vec<(String, String)> =
        sqlx::query_as("SELECT idea_id, problem_id FROM merge_answers WHERE merge_id = $1")
            .bind(merge)
            .fetch_all(&mut *conn)
            .await?;
    for (idea, problem) in moved {
        sqlx::query(
            "INSERT INTO card_answers (idea_id, problem_id) VALUES ($1, $2) ON CONFLICT (idea_id, problem_id) DO NOTHING",
        )
        .bind(&idea)
        .bind(&problem)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM card_answers WHERE idea_id = $1 AND problem_id = $2")
            .bind(&idea)
            .bind(&card)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("UPDATE cards SET merge_id = NULL WHERE merge_id = $1")
        .bind(merge)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE merges SET undone_at = $2, undone_by = $3 WHERE id = $1")
        .bind(merge)
        .bind(now.millis())
        .bind(by.map(|u| u.to_string()))
        .execute(conn)
        .await?;
    Ok(())
}

/// The merge that merged a card away, if any.
pub async fn merge_of_source(conn: &mut AnyConnection, card: CardId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT merge_id FROM cards WHERE id = $1")
            .bind(card.to_string())
            .fetch_optional(conn)
            .await?
            .flatten(),
    )
}

/// Cards on which a participant's dots or ratings sit in questions that
/// are not closed yet.
pub async fn cards_with_open_votes(
    conn: &mut AnyConnection,
    participant: ParticipantId,
) -> Result<Vec<CardId>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT card_id FROM votes v JOIN questions q ON q.id = v.question_id
         WHERE v.participant_id = $1 AND q.phase <> 'closed'
         UNION
         SELECT card_id FROM usg_ratings r JOIN questions q ON q.id = r.question_id
         WHERE r.participant_id = $1 AND q.phase <> 'closed'
         UNION
         SELECT card_id FROM idea_ratings r JOIN questions q ON q.id = r.question_id
         WHERE r.participant_id = $1 AND q.phase <> 'closed'",
    )
    .bind(participant.to_string())
    .fetch_all(conn)
    .await?;
    ids.iter().map(|id| parse_id(id)).collect()
}

/// Takes back a participant's dots and ratings in questions that are not
/// closed; returns how many were removed.
pub async fn delete_open_votes(
    conn: &mut AnyConnection,
    participant: ParticipantId,
) -> Result<u64> {
    let mut removed = 0;
    for table in ["votes", "usg_ratings", "idea_ratings"] {
        removed += sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE participant_id = $1
             AND question_id IN (SELECT id FROM questions WHERE phase <> 'closed')"
        )))
        .bind(participant.to_string())
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(removed)
}

/// Whether any dots or ratings of a participant remain.
pub async fn has_votes(conn: &mut AnyConnection, participant: ParticipantId) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST((SELECT COUNT(*) FROM votes WHERE participant_id = $1)
                   + (SELECT COUNT(*) FROM usg_ratings WHERE participant_id = $1)
                   + (SELECT COUNT(*) FROM idea_ratings WHERE participant_id = $1) AS BIGINT)",
    )
    .bind(participant.to_string())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Unlinks a participant's cards from them; the cards stay.
pub async fn detach_cards(conn: &mut AnyConnection, participant: ParticipantId) -> Result<u64> {
    Ok(
        sqlx::query("UPDATE cards SET participant_id = NULL WHERE participant_id = $1")
            .bind(participant.to_string())
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Deletes cards; their answer links, dots, ratings and merge records go
/// with them (the schema cascades).
pub async fn delete_cards(conn: &mut AnyConnection, ids: &[CardId]) -> Result<()> {
    for id in ids {
        sqlx::query("DELETE FROM cards WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
