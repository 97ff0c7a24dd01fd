//! Editing a workshop's dimensions and stakeholder groups with plain forms:
//! rename in place, clear a name to remove, fill the empty row to add.

use leptos::prelude::*;
use rembuk_domain::{
    WorkshopId, dimension::Dimension, group::StakeholderGroup, workshop::Workshop,
};
use serde::{Deserialize, Serialize};

use crate::{components::form::ActionError, error::UiResult, i18n::use_t};

/// One dimension as the editor posts it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DimensionForm {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub subs: Vec<NamedForm>,
}

/// A sub-element or group as the editor posts it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedForm {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub name: String,
}

/// Turns the posted rows into the service's input: rows whose name was
/// cleared are removed.
#[cfg(any(test, feature = "ssr"))]
pub fn dimensions_input(rows: Vec<DimensionForm>) -> Vec<rembuk_domain::dimension::DimensionInput> {
    use rembuk_domain::dimension::{DimensionInput, SubElementInput};
    rows.into_iter()
        .filter(|d| !d.name.trim().is_empty())
        .map(|d| DimensionInput {
            key: d.key.filter(|k| !k.is_empty()),
            name: d.name,
            sub_elements: d
                .subs
                .into_iter()
                .filter(|s| !s.name.trim().is_empty())
                .map(|s| SubElementInput {
                    key: s.key.filter(|k| !k.is_empty()),
                    name: s.name,
                })
                .collect(),
        })
        .collect()
}

/// Saves a workshop's dimensions.
#[server(prefix = "/fn", endpoint = "save_dimensions", output = crate::codec::JsonOut)]
pub async fn save_dimensions(
    workshop_id: WorkshopId,
    dims: Option<Vec<DimensionForm>>,
) -> UiResult<Workshop> {
    crate::ssr::run(|s, caller| async move {
        s.set_dimensions(
            &caller,
            workshop_id,
            &dimensions_input(dims.unwrap_or_default()),
        )
        .await
    })
    .await
}

/// Saves a workshop's stakeholder groups.
#[server(prefix = "/fn", endpoint = "save_groups", output = crate::codec::JsonOut)]
pub async fn save_groups(
    workshop_id: WorkshopId,
    groups: Option<Vec<NamedForm>>,
) -> UiResult<Workshop> {
    crate::ssr::run(|s, caller| async move {
        let input: Vec<rembuk_domain::group::GroupInput> = groups
            .unwrap_or_default()
            .into_iter()
            .filter(|g| !g.name.trim().is_empty())
            .map(|g| rembuk_domain::group::GroupInput {
                key: g.key.filter(|k| !k.is_empty()),
                name: g.name,
            })
            .collect();
        s.set_groups(&caller, workshop_id, &input).await
    })
    .await
}

/// The dimensions form.
#[component]
pub fn DimensionsEditor(
    workshop: WorkshopId,
    dimensions: Vec<Dimension>,
    action: ServerAction<SaveDimensions>,
) -> impl IntoView {
    let t = use_t();
    let next = dimensions.len();
    view! {
        <section class="panel">
            <h2>{t.dims_title()}</h2>
            <p class="muted small">{t.dims_hint()}</p>
            <ActionForm action=action attr:class="stack editor">
                <ActionError result=action.value()/>
                <input type="hidden" name="workshop_id" value=workshop.to_string()/>
                {dimensions
                    .into_iter()
                    .enumerate()
                    .map(|(i, d)| {
                        let subs = d.sub_elements.len();
                        view! {
                            <fieldset class="dimension">
                                <legend class="sr-only">{d.name.clone()}</legend>
                                <input type="hidden" name=format!("dims[{i}][key]") value=d.key.clone()/>
                                <label class="field">
                                    <span>{t.field_dimension()}</span>
                                    <input type="text" name=format!("dims[{i}][name]") value=d.name.clone() maxlength="80"/>
                                </label>
                                <div class="subs">
                                    {d
                                        .sub_elements
                                        .iter()
                                        .enumerate()
                                        .map(|(j, s)| view! {
                                            <input type="hidden" name=format!("dims[{i}][subs][{j}][key]") value=s.key.clone()/>
                                            <input
                                                type="text"
                                                name=format!("dims[{i}][subs][{j}][name]")
                                                value=s.name.clone()
                                                maxlength="80"
                                                aria-label=t.field_sub_element()
                                            />
                                        })
                                        .collect_view()}
                                    <input
                                        type="text"
                                        name=format!("dims[{i}][subs][{subs}][name]")
                                        maxlength="80"
                                        placeholder=t.dims_new_sub()
                                        aria-label=t.dims_new_sub()
                                    />
                                </div>
                            </fieldset>
                        }
                    })
                    .collect_view()}
                <fieldset class="dimension new">
                    <legend class="sr-only">{t.dims_new()}</legend>
                    <label class="field">
                        <span>{t.dims_new()}</span>
                        <input type="text" name=format!("dims[{next}][name]") maxlength="80"/>
                    </label>
                </fieldset>
                <button class="button" type="submit">{t.dims_save()}</button>
            </ActionForm>
        </section>
    }
}

/// The stakeholder groups form.
#[component]
pub fn GroupsEditor(
    workshop: WorkshopId,
    groups: Vec<StakeholderGroup>,
    action: ServerAction<SaveGroups>,
) -> impl IntoView {
    let t = use_t();
    let next = groups.len();
    view! {
        <section class="panel">
            <h2>{t.groups_title()}</h2>
            <p class="muted small">{t.groups_hint()}</p>
            <ActionForm action=action attr:class="stack editor">
                <ActionError result=action.value()/>
                <input type="hidden" name="workshop_id" value=workshop.to_string()/>
                {groups
                    .into_iter()
                    .enumerate()
                    .map(|(i, g)| view! {
                        <input type="hidden" name=format!("groups[{i}][key]") value=g.key.clone()/>
                        <input type="text" name=format!("groups[{i}][name]") value=g.name.clone() maxlength="80" aria-label=t.field_group()/>
                    })
                    .collect_view()}
                <input type="text" name=format!("groups[{next}][name]") maxlength="80" placeholder=t.groups_new() aria-label=t.groups_new()/>
                <button class="button" type="submit">{t.groups_save()}</button>
            </ActionForm>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleared_rows_are_removed_and_keys_kept() {
        let rows = vec![
            DimensionForm {
                key: Some("governance".into()),
                name: "Tata Kelola".into(),
                subs: vec![
                    NamedForm {
                        key: Some("bureaucracy".into()),
                        name: "".into(),
                    },
                    NamedForm {
                        key: None,
                        name: "Arsip digital".into(),
                    },
                ],
            },
            DimensionForm {
                key: Some("branding".into()),
                name: " ".into(),
                subs: vec![],
            },
            DimensionForm {
                key: None,
                name: "".into(),
                subs: vec![],
            },
        ];
        let input = dimensions_input(rows);
        assert_eq!(input.len(), 1);
        assert_eq!(input[0].key.as_deref(), Some("governance"));
        assert_eq!(input[0].sub_elements.len(), 1);
        assert_eq!(input[0].sub_elements[0].key, None);
    }
}
