//! Workshops: one FGD event with its dimensions and stakeholder groups.

use serde::{Deserialize, Serialize};

use crate::{
    AppError, Field, Lang, Problem, WorkshopId,
    dimension::Dimension,
    group::StakeholderGroup,
    text::{self, PLACE, TITLE},
    time::{Date, Timestamp},
};

/// A workshop as everyone sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workshop {
    pub id: WorkshopId,
    pub title: String,
    pub place: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    /// The language of its pages and exports, unless a person picks another.
    pub language: Lang,
    pub dimensions: Vec<Dimension>,
    pub groups: Vec<StakeholderGroup>,
    pub created_at: Timestamp,
    /// Withdrawal and retention of personal data.
    #[serde(default)]
    pub privacy: crate::privacy::Privacy,
}

/// A workshop in a list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkshopSummary {
    pub id: WorkshopId,
    pub title: String,
    pub place: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub language: Lang,
    pub session_count: u32,
    pub created_at: Timestamp,
}

/// A new workshop's details, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWorkshop {
    pub title: String,
    pub place: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub language: Lang,
}

/// Checks a workshop's details as typed into a form or sent to the API.
/// Dates are `YYYY-MM-DD`; an empty string means "not given".
pub fn parse_new_workshop(
    title: &str,
    place: Option<&str>,
    starts_on: Option<&str>,
    ends_on: Option<&str>,
    language: Option<&str>,
) -> Result<NewWorkshop, AppError> {
    let title = text::clean_line(title, Field::Title, TITLE)?;
    let place = text::clean_optional_line(place, Field::Place, PLACE)?;
    let starts_on = parse_optional_date(starts_on, Field::StartsOn)?;
    let ends_on = parse_optional_date(ends_on, Field::EndsOn)?;
    if let (Some(start), Some(end)) = (starts_on, ends_on)
        && end < start
    {
        return Err(AppError::invalid(Field::EndsOn, Problem::BeforeStart));
    }
    let language = match language.map(str::trim).filter(|l| !l.is_empty()) {
        None => Lang::default(),
        Some(l) => l
            .parse()
            .map_err(|()| AppError::invalid(Field::Language, Problem::Unknown))?,
    };
    Ok(NewWorkshop {
        title,
        place,
        starts_on,
        ends_on,
        language,
    })
}

fn parse_optional_date(raw: Option<&str>, field: Field) -> Result<Option<Date>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Date::parse(s)
            .map(Some)
            .ok_or(AppError::invalid(field, Problem::Malformed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workshop_needs_only_a_title() {
        let w = parse_new_workshop("FGD Smart City Aceh Selatan", None, None, None, None).unwrap();
        assert_eq!(w.language, Lang::Id);
        assert_eq!(w.place, None);
    }

    #[test]
    fn dates_must_be_real_and_in_order() {
        let w = parse_new_workshop(
            "FG",
            Some("Tapaktuan"),
            Some("2026-12-01"),
            Some("2026-12-02"),
            Some("en"),
        )
        .unwrap_err();
        assert_eq!(
            w,
            AppError::invalid(Field::Title, Problem::TooShort { min: 3 })
        );
        let ok = parse_new_workshop(
            "FGD 1",
            Some("Tapaktuan"),
            Some("2026-12-01"),
            Some("2026-12-02"),
            Some("en"),
        )
        .unwrap();
        assert_eq!(ok.language, Lang::En);
        assert_eq!(
            parse_new_workshop("FGD 1", None, Some("2026-12-02"), Some("2026-12-01"), None),
            Err(AppError::invalid(Field::EndsOn, Problem::BeforeStart))
        );
        assert_eq!(
            parse_new_workshop("FGD 1", None, Some("1 Desember"), None, None),
            Err(AppError::invalid(Field::StartsOn, Problem::Malformed))
        );
        assert_eq!(
            parse_new_workshop("FGD 1", None, None, None, Some("fr")),
            Err(AppError::invalid(Field::Language, Problem::Unknown))
        );
    }
}
