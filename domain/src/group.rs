//! Stakeholder groups: the pentahelix by default, editable per workshop.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use crate::{
    AppError, Field, Lang, Problem,
    dimension::key_for,
    text::{self, LABEL},
};

/// A stakeholder group participants say they belong to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeholderGroup {
    pub key: String,
    pub name: String,
}

crate::json_struct!(StakeholderGroup { key, name });

/// Most groups a workshop may have.
pub const MAX_GROUPS: usize = 10;

/// The pentahelix: government, academia, business, community, media.
pub fn default_groups(lang: Lang) -> Vec<StakeholderGroup> {
    let t = lang.t();
    [
        ("government", t.group_government()),
        ("academia", t.group_academia()),
        ("business", t.group_business()),
        ("community", t.group_community()),
        ("media", t.group_media()),
    ]
    .into_iter()
    .map(|(key, name)| StakeholderGroup {
        key: key.to_string(),
        name: name.to_string(),
    })
    .collect()
}

/// Input for one group when a facilitator edits the set.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInput {
    #[serde(default)]
    pub key: Option<String>,
    pub name: String,
}

/// Checks an edited group set.
pub fn parse_groups(input: &[GroupInput]) -> Result<Vec<StakeholderGroup>, AppError> {
    if input.is_empty() {
        return Err(AppError::invalid(Field::Groups, Problem::Required));
    }
    if input.len() > MAX_GROUPS {
        return Err(AppError::invalid(
            Field::Groups,
            Problem::TooLong {
                max: MAX_GROUPS as u32,
            },
        ));
    }
    let mut keys = HashSet::new();
    input
        .iter()
        .map(|g| {
            let name = text::clean_line(&g.name, Field::Group, LABEL)?;
            let key = key_for(g.key.as_deref(), &name, Field::Group)?;
            if !keys.insert(key.clone()) {
                return Err(AppError::invalid(Field::Group, Problem::Duplicate));
            }
            Ok(StakeholderGroup { key, name })
        })
        .collect()
}

/// Finds the group a participant picked.
pub fn resolve<'a>(
    groups: &'a [StakeholderGroup],
    key: &str,
) -> Result<&'a StakeholderGroup, AppError> {
    let key = key.trim();
    if key.is_empty() {
        return Err(AppError::invalid(Field::Group, Problem::Required));
    }
    groups
        .iter()
        .find(|g| g.key == key)
        .ok_or_else(|| AppError::invalid(Field::Group, Problem::Unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_pentahelix() {
        let keys: Vec<_> = default_groups(Lang::Id)
            .into_iter()
            .map(|g| g.key)
            .collect();
        assert_eq!(
            keys,
            ["government", "academia", "business", "community", "media"]
        );
        assert_eq!(default_groups(Lang::En)[1].name, "Academia");
    }

    #[test]
    fn groups_resolve_by_key() {
        let groups = default_groups(Lang::Id);
        assert_eq!(resolve(&groups, " media ").unwrap().key, "media");
        assert_eq!(
            resolve(&groups, "students"),
            Err(AppError::invalid(Field::Group, Problem::Unknown))
        );
        assert_eq!(
            resolve(&groups, ""),
            Err(AppError::invalid(Field::Group, Problem::Required))
        );
    }

    #[test]
    fn an_edited_group_set_is_checked() {
        let input = vec![
            GroupInput {
                key: Some("government".into()),
                name: "OPD / SKPK".into(),
            },
            GroupInput {
                key: None,
                name: "Relawan TIK".into(),
            },
        ];
        let groups = parse_groups(&input).unwrap();
        assert_eq!(groups[1].key, "relawan_tik");
        let dup = vec![
            GroupInput {
                key: None,
                name: "A".into(),
            },
            GroupInput {
                key: Some("a".into()),
                name: "B".into(),
            },
        ];
        assert_eq!(
            parse_groups(&dup),
            Err(AppError::invalid(Field::Group, Problem::Duplicate))
        );
        let too_many: Vec<_> = (0..11)
            .map(|i| GroupInput {
                key: None,
                name: format!("Grup {i}"),
            })
            .collect();
        assert!(parse_groups(&too_many).is_err());
    }
}
