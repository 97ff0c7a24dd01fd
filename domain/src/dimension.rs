//! Smart city dimensions and their sub-elements.
//!
//! Every workshop starts from the six dimensions of the national "Gerakan
//! Menuju 100 Smart City" framework (names from the translation files) and
//! may rename, add or remove them.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use crate::{
    AppError, Field, Lang, Problem,
    i18n::Strings,
    text::{self, LABEL},
};

/// A sub-element of a dimension, e.g. `health` in Smart Living.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubElement {
    pub key: String,
    pub name: String,
}

crate::json_struct!(SubElement { key, name });

/// A dimension of a workshop, e.g. `governance`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    pub key: String,
    pub name: String,
    pub sub_elements: Vec<SubElement>,
}

crate::json_struct!(Dimension {
    key,
    name,
    sub_elements,
});

/// Most dimensions a workshop may have.
pub const MAX_DIMENSIONS: usize = 12;
/// Most sub-elements a dimension may have.
pub const MAX_SUB_ELEMENTS: usize = 12;

type Name = fn(&Strings) -> &'static str;
type Template = &'static [(&'static str, Name, &'static [(&'static str, Name)])];

/// The default template: dimension keys, names and sub-elements.
const TEMPLATE: Template = &[
    (
        "governance",
        |t| t.dim_governance(),
        &[
            ("public_service", |t| t.sub_governance_public_service()),
            ("bureaucracy", |t| t.sub_governance_bureaucracy()),
            ("public_policy", |t| t.sub_governance_public_policy()),
        ],
    ),
    (
        "branding",
        |t| t.dim_branding(),
        &[
            ("tourism", |t| t.sub_branding_tourism()),
            ("business", |t| t.sub_branding_business()),
            ("city_appearance", |t| t.sub_branding_city_appearance()),
        ],
    ),
    (
        "economy",
        |t| t.dim_economy(),
        &[
            ("industry", |t| t.sub_economy_industry()),
            ("welfare", |t| t.sub_economy_welfare()),
            ("transactions", |t| t.sub_economy_transactions()),
        ],
    ),
    (
        "living",
        |t| t.dim_living(),
        &[
            ("spatial_harmony", |t| t.sub_living_spatial_harmony()),
            ("health", |t| t.sub_living_health()),
            ("mobility", |t| t.sub_living_mobility()),
        ],
    ),
    (
        "society",
        |t| t.dim_society(),
        &[
            ("community", |t| t.sub_society_community()),
            ("learning", |t| t.sub_society_learning()),
            ("security", |t| t.sub_society_security()),
        ],
    ),
    (
        "environment",
        |t| t.dim_environment(),
        &[
            ("protection", |t| t.sub_environment_protection()),
            ("waste", |t| t.sub_environment_waste()),
            ("energy", |t| t.sub_environment_energy()),
        ],
    ),
];

/// The six default dimensions, named in `lang`.
pub fn default_dimensions(lang: Lang) -> Vec<Dimension> {
    let t = lang.t();
    TEMPLATE
        .iter()
        .map(|(key, name, subs)| Dimension {
            key: (*key).to_string(),
            name: name(t).to_string(),
            sub_elements: subs
                .iter()
                .map(|(key, name)| SubElement {
                    key: (*key).to_string(),
                    name: name(t).to_string(),
                })
                .collect(),
        })
        .collect()
}

/// Input for one dimension when a facilitator edits the set: the key may be
/// left out for a new dimension and is then made from the name.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionInput {
    #[serde(default)]
    pub key: Option<String>,
    pub name: String,
    #[serde(default)]
    pub sub_elements: Vec<SubElementInput>,
}

/// Input for one sub-element.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubElementInput {
    #[serde(default)]
    pub key: Option<String>,
    pub name: String,
}

/// Checks an edited dimension set: names present and short, keys valid and
/// unique, counts within limits.
pub fn parse_dimensions(input: &[DimensionInput]) -> Result<Vec<Dimension>, AppError> {
    if input.is_empty() {
        return Err(AppError::invalid(Field::Dimensions, Problem::Required));
    }
    if input.len() > MAX_DIMENSIONS {
        return Err(AppError::invalid(
            Field::Dimensions,
            Problem::TooLong {
                max: MAX_DIMENSIONS as u32,
            },
        ));
    }
    let mut keys = HashSet::new();
    input
        .iter()
        .map(|d| {
            let name = text::clean_line(&d.name, Field::Dimension, LABEL)?;
            let key = key_for(d.key.as_deref(), &name, Field::Dimension)?;
            if !keys.insert(key.clone()) {
                return Err(AppError::invalid(Field::Dimension, Problem::Duplicate));
            }
            if d.sub_elements.len() > MAX_SUB_ELEMENTS {
                return Err(AppError::invalid(
                    Field::SubElement,
                    Problem::TooLong {
                        max: MAX_SUB_ELEMENTS as u32,
                    },
                ));
            }
            let mut sub_keys = HashSet::new();
            let sub_elements = d
                .sub_elements
                .iter()
                .map(|s| {
                    let name = text::clean_line(&s.name, Field::SubElement, LABEL)?;
                    let key = key_for(s.key.as_deref(), &name, Field::SubElement)?;
                    if !sub_keys.insert(key.clone()) {
                        return Err(AppError::invalid(Field::SubElement, Problem::Duplicate));
                    }
                    Ok(SubElement { key, name })
                })
                .collect::<Result<_, _>>()?;
            Ok(Dimension {
                key,
                name,
                sub_elements,
            })
        })
        .collect()
}

/// The given key, checked, or a key made from the name.
pub(crate) fn key_for(key: Option<&str>, name: &str, field: Field) -> Result<String, AppError> {
    match key.map(str::trim).filter(|k| !k.is_empty()) {
        Some(key) => text::parse_key(key, field),
        None => {
            let slug = text::slug(name);
            if slug.is_empty() {
                // A name without Latin letters still needs a stable key.
                let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                });
                Ok(format!("k_{:08x}", hash as u32))
            } else if slug.starts_with(|c: char| c.is_ascii_digit()) {
                Ok(format!("k_{slug}"))
            } else {
                Ok(slug)
            }
        }
    }
}

/// Finds a dimension and, if given, checks the sub-element belongs to it.
pub fn resolve<'a>(
    dimensions: &'a [Dimension],
    dimension: &str,
    sub_element: Option<&str>,
) -> Result<(&'a Dimension, Option<&'a SubElement>), AppError> {
    let dim = dimensions
        .iter()
        .find(|d| d.key == dimension.trim())
        .ok_or_else(|| {
            if dimension.trim().is_empty() {
                AppError::invalid(Field::Dimension, Problem::Required)
            } else {
                AppError::invalid(Field::Dimension, Problem::Unknown)
            }
        })?;
    let sub = match sub_element.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(key) => Some(
            dim.sub_elements
                .iter()
                .find(|s| s.key == key)
                .ok_or_else(|| AppError::invalid(Field::SubElement, Problem::Unknown))?,
        ),
    };
    Ok((dim, sub))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_has_the_six_national_dimensions_with_three_sub_elements_each() {
        let dims = default_dimensions(Lang::Id);
        let keys: Vec<_> = dims.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "governance",
                "branding",
                "economy",
                "living",
                "society",
                "environment"
            ]
        );
        assert!(dims.iter().all(|d| d.sub_elements.len() == 3));
        assert_eq!(dims[0].name, "Tata Kelola Cerdas");
        assert_eq!(default_dimensions(Lang::En)[0].name, "Smart Governance");
        assert_eq!(dims[3].sub_elements[1].key, "health");
    }

    #[test]
    fn default_keys_are_the_same_in_every_language() {
        let id: Vec<_> = default_dimensions(Lang::Id)
            .into_iter()
            .map(|d| d.key)
            .collect();
        let en: Vec<_> = default_dimensions(Lang::En)
            .into_iter()
            .map(|d| d.key)
            .collect();
        assert_eq!(id, en);
    }

    #[test]
    fn an_edited_set_keeps_keys_and_makes_new_ones_from_names() {
        let input = vec![
            DimensionInput {
                key: Some("governance".into()),
                name: "Tata Kelola".into(),
                sub_elements: vec![],
            },
            DimensionInput {
                key: None,
                name: "Maritim Cerdas".into(),
                sub_elements: vec![SubElementInput {
                    key: None,
                    name: "Pelabuhan".into(),
                }],
            },
        ];
        let dims = parse_dimensions(&input).unwrap();
        assert_eq!(dims[0].key, "governance");
        assert_eq!(dims[1].key, "maritim_cerdas");
        assert_eq!(dims[1].sub_elements[0].key, "pelabuhan");
    }

    #[test]
    fn duplicate_or_empty_dimensions_are_refused() {
        let dup = vec![
            DimensionInput {
                key: None,
                name: "Ekonomi".into(),
                sub_elements: vec![],
            },
            DimensionInput {
                key: None,
                name: "ekonomi".into(),
                sub_elements: vec![],
            },
        ];
        assert_eq!(
            parse_dimensions(&dup),
            Err(AppError::invalid(Field::Dimension, Problem::Duplicate))
        );
        assert_eq!(
            parse_dimensions(&[]),
            Err(AppError::invalid(Field::Dimensions, Problem::Required))
        );
        let blank = vec![DimensionInput {
            key: None,
            name: "  ".into(),
            sub_elements: vec![],
        }];
        assert!(parse_dimensions(&blank).is_err());
    }

    #[test]
    fn names_without_latin_letters_still_get_a_key() {
        for name in ["١٢٣", "市", "2030 Vision"] {
            let key = key_for(None, name, Field::Dimension).unwrap();
            assert!(text::parse_key(&key, Field::Dimension).is_ok(), "{key}");
        }
        assert_ne!(
            key_for(None, "市", Field::Dimension),
            key_for(None, "町", Field::Dimension)
        );
    }

    #[test]
    fn resolve_checks_dimension_and_sub_element() {
        let dims = default_dimensions(Lang::En);
        let (d, s) = resolve(&dims, "living", Some("health")).unwrap();
        assert_eq!(d.key, "living");
        assert_eq!(s.unwrap().key, "health");
        assert!(resolve(&dims, "living", Some("")).unwrap().1.is_none());
        assert_eq!(
            resolve(&dims, "space", None).unwrap_err(),
            AppError::invalid(Field::Dimension, Problem::Unknown)
        );
        assert_eq!(
            resolve(&dims, "living", Some("waste")).unwrap_err(),
            AppError::invalid(Field::SubElement, Problem::Unknown)
        );
    }
}
