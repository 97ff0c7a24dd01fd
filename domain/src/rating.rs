//! Scores beyond dots: USG for problems, impact × effort for ideas, and
//! the candidate programmes a facilitator picks.
//!
//! USG (Urgency, Seriousness, Growth) is how Indonesian civil servants rank
//! problems: each is rated 1–5, and a problem's score is the sum of the
//! three means (3–15). Ideas are rated on impact and effort (1–5); those
//! in the high-impact, low-effort quadrant are quick-win candidates.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{AppError, CardId, Field, Lang, Problem, text, wire::Tag};

/// Lowest rating.
pub const RATING_MIN: i64 = 1;
/// Highest rating.
pub const RATING_MAX: i64 = 5;
/// The middle of the scale; the quadrants split here.
pub const MIDPOINT: f32 = 3.0;

fn rating(value: i64, field: Field) -> Result<u8, AppError> {
    if (RATING_MIN..=RATING_MAX).contains(&value) {
        Ok(value as u8)
    } else {
        Err(AppError::invalid(
            field,
            Problem::OutOfRange {
                min: RATING_MIN,
                max: RATING_MAX,
            },
        ))
    }
}

/// One participant's USG rating of a problem card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usg {
    pub urgency: u8,
    pub seriousness: u8,
    pub growth: u8,
}

crate::json_struct!(Usg {
    urgency,
    seriousness,
    growth,
});

impl Usg {
    /// Checks a rating (each 1–5).
    pub fn parse(urgency: i64, seriousness: i64, growth: i64) -> Result<Usg, AppError> {
        Ok(Usg {
            urgency: rating(urgency, Field::Urgency)?,
            seriousness: rating(seriousness, Field::Seriousness)?,
            growth: rating(growth, Field::Growth)?,
        })
    }
}

/// One participant's impact and effort rating of an idea card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactEffort {
    pub impact: u8,
    pub effort: u8,
}

crate::json_struct!(ImpactEffort { impact, effort });

impl ImpactEffort {
    /// Checks a rating (each 1–5).
    pub fn parse(impact: i64, effort: i64) -> Result<ImpactEffort, AppError> {
        Ok(ImpactEffort {
            impact: rating(impact, Field::Impact)?,
            effort: rating(effort, Field::Effort)?,
        })
    }
}

/// Rounds to two decimals, so that every screen and export shows the same.
fn round2(x: f64) -> f32 {
    ((x * 100.0).round() / 100.0) as f32
}

/// A problem card's USG result.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsgScore {
    /// Mean urgency (1–5).
    pub urgency: f32,
    pub seriousness: f32,
    pub growth: f32,
    /// The sum of the three means (3–15).
    pub score: f32,
    /// How many participants rated.
    pub raters: u32,
}

crate::json_struct!(UsgScore {
    urgency,
    seriousness,
    growth,
    score,
    raters,
});

impl UsgScore {
    /// The result from the sums of all ratings; `None` when nobody rated.
    pub fn from_sums(urgency: u64, seriousness: u64, growth: u64, raters: u32) -> Option<UsgScore> {
        (raters > 0).then(|| {
            let n = f64::from(raters);
            let (u, s, g) = (
                urgency as f64 / n,
                seriousness as f64 / n,
                growth as f64 / n,
            );
            UsgScore {
                urgency: round2(u),
                seriousness: round2(s),
                growth: round2(g),
                score: round2(u + s + g),
                raters,
            }
        })
    }

    /// Combines the results of several cards (a merge across sessions),
    /// weighting each by its raters.
    pub fn combine(scores: &[UsgScore]) -> Option<UsgScore> {
        let raters: u32 = scores.iter().map(|s| s.raters).sum();
        let sum = |f: fn(&UsgScore) -> f32| {
            scores
                .iter()
                .map(|s| f64::from(f(s)) * f64::from(s.raters))
                .sum::<f64>()
        };
        (raters > 0).then(|| {
            let n = f64::from(raters);
            let (u, s, g) = (
                sum(|x| x.urgency) / n,
                sum(|x| x.seriousness) / n,
                sum(|x| x.growth) / n,
            );
            UsgScore {
                urgency: round2(u),
                seriousness: round2(s),
                growth: round2(g),
                score: round2(u + s + g),
                raters,
            }
        })
    }
}

// Scores are rounded to two decimals, so equality is exact enough.
impl Eq for UsgScore {}

/// An idea card's impact and effort result.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdeaScore {
    /// Mean impact (1–5).
    pub impact: f32,
    /// Mean effort (1–5).
    pub effort: f32,
    pub raters: u32,
    /// High impact and low effort: a quick-win candidate.
    pub quick_win: bool,
}

crate::json_struct!(IdeaScore {
    impact,
    effort,
    raters,
    quick_win,
});

impl Eq for IdeaScore {}

impl IdeaScore {
    /// The result from the sums of all ratings; `None` when nobody rated.
    pub fn from_sums(impact: u64, effort: u64, raters: u32) -> Option<IdeaScore> {
        (raters > 0).then(|| {
            let n = f64::from(raters);
            let (impact, effort) = (round2(impact as f64 / n), round2(effort as f64 / n));
            IdeaScore {
                impact,
                effort,
                raters,
                quick_win: is_quick_win(impact, effort),
            }
        })
    }

    /// Combines the results of several cards, weighting each by its raters.
    pub fn combine(scores: &[IdeaScore]) -> Option<IdeaScore> {
        let raters: u32 = scores.iter().map(|s| s.raters).sum();
        (raters > 0).then(|| {
            let n = f64::from(raters);
            let impact = round2(
                scores
                    .iter()
                    .map(|s| f64::from(s.impact) * f64::from(s.raters))
                    .sum::<f64>()
                    / n,
            );
            let effort = round2(
                scores
                    .iter()
                    .map(|s| f64::from(s.effort) * f64::from(s.raters))
                    .sum::<f64>()
                    / n,
            );
            IdeaScore {
                impact,
                effort,
                raters,
                quick_win: is_quick_win(impact, effort),
            }
        })
    }
}

/// Whether mean impact and effort fall in the high-impact, low-effort
/// quadrant (strictly above and below the scale's middle).
pub fn is_quick_win(impact: f32, effort: f32) -> bool {
    impact > MIDPOINT && effort < MIDPOINT
}

/// How soon a candidate programme could run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Horizon {
    /// 1–2 years: quick wins.
    Short,
    /// 3–5 years.
    Medium,
    /// 6–10 years.
    Long,
}

crate::tags!(Horizon {
    Short = "short",
    Medium = "medium",
    Long = "long",
});

impl Horizon {
    /// All horizons, soonest first.
    pub const ALL: [Horizon; 3] = [Horizon::Short, Horizon::Medium, Horizon::Long];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        Tag::name(self)
    }

    /// Label for people ("Jangka pendek (1–2 tahun)").
    pub fn label(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            Horizon::Short => t.horizon_short(),
            Horizon::Medium => t.horizon_medium(),
            Horizon::Long => t.horizon_long(),
        }
    }
}

impl FromStr for Horizon {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s.trim() {
            "" => Err(AppError::invalid(Field::Horizon, Problem::Required)),
            name => Tag::from_name(name).ok_or(AppError::invalid(Field::Horizon, Problem::Unknown)),
        }
    }
}

/// An idea marked as a candidate programme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Programme {
    pub horizon: Horizon,
    /// The office (OPD) suggested to lead it.
    pub lead_office: Option<String>,
}

crate::json_struct!(Programme {
    horizon,
    lead_office,
});

/// Checks a candidate programme's lead office.
pub fn parse_lead_office(raw: Option<&str>) -> Result<Option<String>, AppError> {
    text::clean_optional_line(raw, Field::LeadOffice, text::Limits { min: 2, max: 120 })
}

/// A participant's own USG rating of a card. Read through a flat struct
/// rather than serde's `flatten` (see [`crate::wire`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(from = "MyUsgWire")]
pub struct MyUsg {
    pub card_id: CardId,
    #[serde(flatten)]
    pub usg: Usg,
}

#[derive(Deserialize)]
struct MyUsgWire {
    card_id: CardId,
    urgency: u8,
    seriousness: u8,
    growth: u8,
}

impl crate::json::FromJson for MyUsg {
    fn from_json(value: crate::json::Value) -> Result<Self, crate::json::JsonError> {
        MyUsgWire::from_json(value).map(MyUsg::from)
    }
}

crate::json_struct!(MyUsgWire {
    card_id,
    urgency,
    seriousness,
    growth,
});

impl From<MyUsgWire> for MyUsg {
    fn from(w: MyUsgWire) -> Self {
        MyUsg {
            card_id: w.card_id,
            usg: Usg {
                urgency: w.urgency,
                seriousness: w.seriousness,
                growth: w.growth,
            },
        }
    }
}

/// A participant's own impact/effort rating of a card. Read through a
/// flat struct rather than serde's `flatten` (see [`crate::wire`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(from = "MyRatingWire")]
pub struct MyRating {
    pub card_id: CardId,
    #[serde(flatten)]
    pub rating: ImpactEffort,
}

#[derive(Deserialize)]
struct MyRatingWire {
    card_id: CardId,
    impact: u8,
    effort: u8,
}

impl crate::json::FromJson for MyRating {
    fn from_json(value: crate::json::Value) -> Result<Self, crate::json::JsonError> {
        MyRatingWire::from_json(value).map(MyRating::from)
    }
}

crate::json_struct!(MyRatingWire {
    card_id,
    impact,
    effort,
});

impl From<MyRatingWire> for MyRating {
    fn from(w: MyRatingWire) -> Self {
        MyRating {
            card_id: w.card_id,
            rating: ImpactEffort {
                impact: w.impact,
                effort: w.effort,
            },
        }
    }
}

/// What a participant's rating changed, as the API answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreOutcome {
    pub card_id: CardId,
    /// The caller's USG rating now (problems).
    pub usg: Option<Usg>,
    /// The caller's impact/effort rating now (ideas).
    pub rating: Option<ImpactEffort>,
    /// The card's result now (absent while the question hides tallies).
    pub usg_score: Option<UsgScore>,
    pub idea_score: Option<IdeaScore>,
    /// The session event that carries the new result (0 when nothing
    /// changed).
    pub seq: u64,
}

crate::json_struct!(ScoreOutcome {
    card_id,
    usg,
    rating,
    usg_score,
    idea_score,
    seq,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_ratings_are_flat_objects_that_read_back() {
        let card_id = CardId(uuid::Uuid::from_u128(7));
        let usg = MyUsg {
            card_id,
            usg: Usg::parse(5, 4, 3).unwrap(),
        };
        let json = serde_json::to_value(&usg).unwrap();
        assert_eq!(json["urgency"], 5);
        assert_eq!(json["growth"], 3);
        assert_eq!(serde_json::from_value::<MyUsg>(json).unwrap(), usg);
        let rating = MyRating {
            card_id,
            rating: ImpactEffort::parse(2, 1).unwrap(),
        };
        let json = serde_json::to_string(&rating).unwrap();
        assert!(json.contains(r#""impact":2"#), "{json}");
        assert_eq!(serde_json::from_str::<MyRating>(&json).unwrap(), rating);
    }

    #[test]
    fn ratings_are_one_to_five() {
        assert!(Usg::parse(1, 5, 3).is_ok());
        assert_eq!(
            Usg::parse(0, 5, 3),
            Err(AppError::invalid(
                Field::Urgency,
                Problem::OutOfRange { min: 1, max: 5 }
            ))
        );
        assert_eq!(
            Usg::parse(1, 6, 3).unwrap_err(),
            AppError::invalid(Field::Seriousness, Problem::OutOfRange { min: 1, max: 5 })
        );
        assert!(ImpactEffort::parse(5, 1).is_ok());
        assert!(ImpactEffort::parse(5, -1).is_err());
    }

    #[test]
    fn the_usg_score_sums_the_three_means() {
        // Two raters: (5,4,3) and (3,4,5).
        let s = UsgScore::from_sums(8, 8, 8, 2).unwrap();
        assert_eq!(
            (s.urgency, s.seriousness, s.growth, s.score, s.raters),
            (4.0, 4.0, 4.0, 12.0, 2)
        );
        let s = UsgScore::from_sums(5, 4, 4, 3).unwrap();
        assert_eq!(s.urgency, 1.67);
        assert_eq!(s.score, 4.33, "sums the unrounded means, then rounds");
        assert_eq!(UsgScore::from_sums(0, 0, 0, 0), None);
        let max = UsgScore::from_sums(5, 5, 5, 1).unwrap();
        assert_eq!(max.score, 15.0);
    }

    #[test]
    fn combining_weights_by_raters() {
        let a = UsgScore::from_sums(5, 5, 5, 1).unwrap();
        let b = UsgScore::from_sums(3, 3, 3, 3).unwrap();
        let c = UsgScore::combine(&[a, b]).unwrap();
        assert_eq!((c.urgency, c.raters), (2.0, 4), "(5 × 1 + 1 × 3) / 4");
        assert_eq!(UsgScore::combine(&[]), None);
        let x = IdeaScore::from_sums(10, 2, 2).unwrap();
        let y = IdeaScore::from_sums(2, 10, 2).unwrap();
        assert_eq!(IdeaScore::combine(&[x, y]).unwrap().impact, 3.0);
    }

    #[test]
    fn quick_wins_are_high_impact_and_low_effort() {
        assert!(IdeaScore::from_sums(9, 3, 2).unwrap().quick_win);
        assert!(
            !IdeaScore::from_sums(6, 3, 2).unwrap().quick_win,
            "impact exactly at the middle is not high"
        );
        assert!(
            !IdeaScore::from_sums(9, 6, 2).unwrap().quick_win,
            "effort exactly at the middle is not low"
        );
        assert!(!IdeaScore::from_sums(2, 2, 2).unwrap().quick_win);
    }

    #[test]
    fn horizons_parse() {
        for h in Horizon::ALL {
            assert_eq!(h.as_str().parse::<Horizon>().unwrap(), h);
            assert!(!h.label(Lang::Id).is_empty());
        }
        assert!("soon".parse::<Horizon>().is_err());
        assert_eq!(
            parse_lead_office(Some("  Dinas Kominfo "))
                .unwrap()
                .as_deref(),
            Some("Dinas Kominfo")
        );
        assert_eq!(parse_lead_office(Some("")).unwrap(), None);
    }
}
