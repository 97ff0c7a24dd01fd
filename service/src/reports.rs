//! Compiling results: reports per workshop and per session, and the
//! workshop roll-up's cross-session merges.

use rembuk_domain::{
    AppError, CardId, Entity, Field, Problem, SessionId, WorkshopId,
    audit::{AuditAction, AuditEntry},
    card::parse_text,
    report::{Cluster, Facts, Report, ReportWorkshop, Scope, SessionFacts, compile},
    session::Session,
    workshop::Workshop,
};

use crate::{
    Caller, Services,
    access::Access,
    storage::{self, audit, cards, clusters, participants, questions, sessions, workshops},
};

/// Most cards in one cross-session merge.
const MAX_CLUSTER: usize = 50;

impl Services {
    /// The draft plan input of a whole workshop (staff who may read it: the
    /// secretariat, its facilitators, administrators). Available at any
    /// time, reflecting the current tallies.
    pub async fn workshop_report(
        &self,
        caller: &Caller,
        id: WorkshopId,
    ) -> Result<Report, AppError> {
        caller.require_staff()?;
        let mut tx = self.store().read_tx().await?;
        let (workshop, _) = self
            .workshop_as(tx.conn(), caller, id, Access::Read)
            .await?;
        let sessions = sessions::sessions_of(tx.conn(), id).await?;
        let clusters = clusters::clusters_of(tx.conn(), id).await?;
        let log = audit::workshop_audit_of(tx.conn(), id).await?;
        let facts = self
            .facts(&mut tx, Scope::Workshop, workshop, sessions, clusters, log)
            .await?;
        tx.rollback().await?;
        Ok(compile(&facts))
    }

    /// The draft plan input of one session.
    pub async fn session_report(&self, caller: &Caller, id: SessionId) -> Result<Report, AppError> {
        caller.require_staff()?;
        let mut tx = self.store().read_tx().await?;
        let (session, _) = self.session_as(tx.conn(), caller, id, Access::Read).await?;
        let workshop = workshops::workshop(tx.conn(), session.workshop_id)
            .await?
            .ok_or(AppError::Internal)?;
        let facts = self
            .facts(
                &mut tx,
                Scope::Session { session_id: id },
                workshop,
                vec![session],
                vec![],
                vec![],
            )
            .await?;
        tx.rollback().await?;
        Ok(compile(&facts))
    }

    async fn facts(
        &self,
        tx: &mut storage::Tx,
        scope: Scope,
        workshop: Workshop,
        sessions: Vec<Session>,
        clusters: Vec<Cluster>,
        workshop_audit: Vec<AuditEntry>,
    ) -> Result<Facts, AppError> {
        let mut session_facts = Vec::with_capacity(sessions.len());
        for s in sessions {
            session_facts.push(SessionFacts {
                questions: questions::questions_of(tx.conn(), s.id).await?,
                cards: cards::cards_of_session(tx.conn(), s.id).await?,
                participants: participants::group_counts(tx.conn(), s.id).await?,
                audit: audit::audit_all(tx.conn(), s.id).await?,
                id: s.id,
                title: s.title,
            });
        }
        Ok(Facts {
            scope,
            workshop: ReportWorkshop {
                id: workshop.id,
                title: workshop.title,
                place: workshop.place,
                starts_on: workshop.starts_on,
                ends_on: workshop.ends_on,
                language: workshop.language,
            },
            dimensions: workshop.dimensions,
            groups: workshop.groups,
            sessions: session_facts,
            clusters,
            workshop_audit,
            generated_at: storage::now(),
        })
    }

    /// Merges cards from the workshop's sessions into one item of the
    /// workshop report. The sessions' own cards are not changed; the merge
    /// is recorded and can be undone.
    pub async fn create_cluster(
        &self,
        caller: &Caller,
        workshop: WorkshopId,
        ids: &[CardId],
        text: &str,
    ) -> Result<Cluster, AppError> {
        let user = caller.require_staff()?.clone();
        let mut tx = self.store().write().await?;
        self.workshop_as(tx.conn(), caller, workshop, Access::Read)
            .await?;
        let mut unique: Vec<CardId> = ids.to_vec();
        unique.sort();
        unique.dedup();
        if unique.len() < 2 {
            return Err(AppError::invalid(
                Field::Cards,
                Problem::TooShort { min: 2 },
            ));
        }
        if unique.len() > MAX_CLUSTER {
            return Err(AppError::invalid(
                Field::Cards,
                Problem::TooLong {
                    max: MAX_CLUSTER as u32,
                },
            ));
        }
        let own: Vec<SessionId> = sessions::sessions_of(tx.conn(), workshop)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let taken: Vec<CardId> = clusters::clusters_of(tx.conn(), workshop)
            .await?
            .into_iter()
            .flat_map(|c| c.cards)
            .collect();
        let mut kind = None;
        let mut texts = Vec::new();
        for id in &unique {
            let card = cards::card(tx.conn(), *id)
                .await?
                .ok_or(AppError::not_found(Entity::Card))?;
            let same_kind = *kind.get_or_insert(card.kind) == card.kind;
            if !own.contains(&card.session_id)
                || !card.is_visible()
                || taken.contains(id)
                || !same_kind
            {
                return Err(AppError::invalid(Field::Cards, Problem::Unknown));
            }
            texts.push(card.text);
        }
        let cluster = Cluster {
            id: uuid::Uuid::new_v4().to_string(),
            text: parse_text(text)?,
            cards: unique,
        };
        let now = storage::now();
        let by = (!user.id.0.is_nil()).then_some(user.id);
        clusters::insert_cluster(tx.conn(), workshop, &cluster, by, now).await?;
        let entry = AuditEntry {
            at: now,
            actor: user.email.clone(),
            action: AuditAction::Cluster,
            target: Some(cluster.id.clone()),
            reason: None,
            detail: Some(format!("{} → {}", texts.join(" + "), cluster.text)),
        };
        audit::insert_workshop_audit(tx.conn(), workshop, &entry).await?;
        tx.commit().await?;
        Ok(cluster)
    }

    /// Undoes a cross-session merge.
    pub async fn undo_cluster(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        let user = caller.require_staff()?.clone();
        let mut tx = self.store().write().await?;
        let (workshop, undone) = clusters::cluster_workshop(tx.conn(), id)
            .await?
            .ok_or(AppError::not_found(Entity::Merge))?;
        self.authorize_workshop(tx.conn(), caller, workshop, Access::Read)
            .await?;
        if undone {
            return Err(AppError::AlreadyUndone);
        }
        let now = storage::now();
        clusters::undo_cluster(tx.conn(), id, now).await?;
        let entry = AuditEntry {
            at: now,
            actor: user.email,
            action: AuditAction::Uncluster,
            target: Some(id.to_string()),
            reason: None,
            detail: None,
        };
        audit::insert_workshop_audit(tx.conn(), workshop, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The workshop's active cross-session merges.
    pub async fn clusters(
        &self,
        caller: &Caller,
        workshop: WorkshopId,
    ) -> Result<Vec<Cluster>, AppError> {
        let (mut conn, _) = self.read_workshop(caller, workshop).await?;
        Ok(clusters::clusters_of(&mut conn, workshop).await?)
    }

    /// The workshop-level record (cross-session merges), oldest first.
    pub async fn workshop_audit(
        &self,
        caller: &Caller,
        workshop: WorkshopId,
    ) -> Result<Vec<AuditEntry>, AppError> {
        let (mut conn, _) = self.read_workshop(caller, workshop).await?;
        Ok(audit::workshop_audit_of(&mut conn, workshop).await?)
    }
}
