//! Workshops and their editable dimensions and stakeholder groups.

use rembuk_domain::{
    AppError, WorkshopId,
    dimension::{DimensionInput, default_dimensions, parse_dimensions},
    group::{GroupInput, default_groups, parse_groups},
    workshop::{Workshop, WorkshopSummary, parse_new_workshop},
};
use serde::{Deserialize, Serialize};

use crate::{
    Caller, Services,
    storage::{self, workshops},
};

/// A new workshop as a form or the API sends it. Dimensions and groups
/// default to the national template and the pentahelix, named in the
/// workshop's language.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WorkshopInput {
    pub title: String,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub starts_on: Option<String>,
    #[serde(default)]
    pub ends_on: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub dimensions: Option<Vec<DimensionInput>>,
    #[serde(default)]
    pub groups: Option<Vec<GroupInput>>,
}

impl Services {
    /// Creates a workshop; its creator becomes its facilitator.
    #[tracing::instrument(skip_all)]
    pub async fn create_workshop(
        &self,
        caller: &Caller,
        input: &WorkshopInput,
    ) -> Result<Workshop, AppError> {
        let user = caller.require_staff()?;
        if !user.role.can_facilitate() {
            return Err(AppError::Forbidden);
        }
        let new = parse_new_workshop(
            &input.title,
            input.place.as_deref(),
            input.starts_on.as_deref(),
            input.ends_on.as_deref(),
            input.language.as_deref(),
        )?;
        let dimensions = match &input.dimensions {
            Some(d) => parse_dimensions(d)?,
            None => default_dimensions(new.language),
        };
        let groups = match &input.groups {
            Some(g) => parse_groups(g)?,
            None => default_groups(new.language),
        };
        let workshop = Workshop {
            id: WorkshopId(uuid::Uuid::new_v4()),
            title: new.title,
            place: new.place,
            starts_on: new.starts_on,
            ends_on: new.ends_on,
            language: new.language,
            dimensions,
            groups,
            created_at: storage::now(),
            privacy: Default::default(),
        };
        let creator = (user.id.0 != uuid::Uuid::nil()).then_some(user.id);
        let mut tx = self.store().write().await?;
        workshops::insert_workshop(tx.conn(), &workshop, creator).await?;
        tx.commit().await?;
        tracing::info!(workshop = %workshop.id, "workshop created");
        Ok(workshop)
    }

    /// A workshop, for those who may read it.
    pub async fn workshop(&self, caller: &Caller, id: WorkshopId) -> Result<Workshop, AppError> {
        let (_, workshop) = self.read_workshop(caller, id).await?;
        Ok(workshop)
    }

    /// The workshops the caller may see, newest first.
    pub async fn list_workshops(&self, caller: &Caller) -> Result<Vec<WorkshopSummary>, AppError> {
        let user = caller.require_staff()?;
        let member = (!user.role.reads_everything()).then_some(user.id);
        let mut conn = self.store().read().await?;
        Ok(workshops::list_workshops(&mut conn, member).await?)
    }

    /// Replaces a workshop's dimensions. A dimension or sub-element that a
    /// question uses cannot be removed (rename it instead).
    #[tracing::instrument(skip_all, fields(workshop = %id))]
    pub async fn set_dimensions(
        &self,
        caller: &Caller,
        id: WorkshopId,
        input: &[DimensionInput],
    ) -> Result<Workshop, AppError> {
        let (mut tx, old) = self.run_workshop(caller, id).await?;
        let dims = parse_dimensions(input)?;
        let old_dim = |key: &str| old.dimensions.iter().find(|d| d.key == key);
        for (dim, sub) in workshops::used_dimension_keys(tx.conn(), id).await? {
            let Some(d) = dims.iter().find(|d| d.key == dim) else {
                let name = old_dim(&dim).map_or(dim.clone(), |d| d.name.clone());
                return Err(AppError::InUse { name });
            };
            if let Some(sub) = sub
                && !d.sub_elements.iter().any(|s| s.key == sub)
            {
                let name = old_dim(&dim)
                    .and_then(|d| d.sub_elements.iter().find(|s| s.key == sub))
                    .map_or(sub.clone(), |s| s.name.clone());
                return Err(AppError::InUse { name });
            }
        }
        workshops::replace_dimensions(tx.conn(), id, &dims).await?;
        let workshop = workshops::workshop(tx.conn(), id)
            .await?
            .ok_or(AppError::Internal)?;
        tx.commit().await?;
        Ok(workshop)
    }

    /// Replaces a workshop's stakeholder groups. A group that participants
    /// chose cannot be removed (rename it instead).
    #[tracing::instrument(skip_all, fields(workshop = %id))]
    pub async fn set_groups(
        &self,
        caller: &Caller,
        id: WorkshopId,
        input: &[GroupInput],
    ) -> Result<Workshop, AppError> {
        let (mut tx, old) = self.run_workshop(caller, id).await?;
        let groups = parse_groups(input)?;
        for used in workshops::used_group_keys(tx.conn(), id).await? {
            if !groups.iter().any(|g| g.key == used) {
                let name = old
                    .groups
                    .iter()
                    .find(|g| g.key == used)
                    .map_or(used.clone(), |g| g.name.clone());
                return Err(AppError::InUse { name });
            }
        }
        workshops::replace_groups(tx.conn(), id, &groups).await?;
        let workshop = workshops::workshop(tx.conn(), id)
            .await?
            .ok_or(AppError::Internal)?;
        tx.commit().await?;
        self.forget_join_info();
        Ok(workshop)
    }
}
