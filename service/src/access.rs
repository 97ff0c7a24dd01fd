//! Who is calling, and what they may do.

use rembuk_domain::{
    AppError, Entity, QuestionId, SessionId, WorkshopId,
    question::Question,
    session::{Participant, Session},
    user::{Role, User},
    workshop::Workshop,
};
use sqlx::{Any, AnyConnection, pool::PoolConnection};

use crate::{
    Services,
    auth::{Credentials, hash_token},
    storage::{self, Tx, participants, questions, sessions, users, workshops},
};

/// The caller of an operation: a signed-in staff member, a participant's
/// device, both (a facilitator testing on their own phone), or neither.
#[derive(Clone, Default)]
pub struct Caller {
    /// The signed-in staff account, if its login is valid.
    pub staff: Option<User>,
    /// The device token (participants), if any.
    pub device: Option<String>,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("staff", &self.staff.as_ref().map(|u| (&u.email, u.role)))
            .field("device", &self.device.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Caller {
    /// A caller with no credentials.
    pub fn anonymous() -> Caller {
        Caller::default()
    }

    /// The command line, acting as an administrator.
    pub fn system() -> Caller {
        Caller {
            staff: Some(User {
                id: rembuk_domain::UserId(uuid::Uuid::nil()),
                email: "system".into(),
                role: Role::Admin,
            }),
            device: None,
        }
    }

    /// The signed-in staff account, or the error that explains why there is
    /// none: 401 for nobody, 403 for a participant.
    pub fn require_staff(&self) -> Result<&User, AppError> {
        match (&self.staff, &self.device) {
            (Some(user), _) => Ok(user),
            (None, Some(_)) => Err(AppError::Forbidden),
            (None, None) => Err(AppError::Unauthenticated),
        }
    }

    /// The signed-in administrator, or why not: 401 for nobody, 403 for
    /// anyone else.
    pub fn require_admin(&self) -> Result<&User, AppError> {
        let user = self.require_staff()?;
        if user.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        Ok(user)
    }

    pub(crate) fn device_hash(&self) -> Option<String> {
        self.device.as_deref().map(hash_token)
    }

    /// Why the caller is not a participant of a session: 401 without any
    /// credentials, 403 for staff-only callers and for a device that has
    /// not joined it.
    pub(crate) fn not_a_participant(&self) -> AppError {
        match (&self.device, &self.staff) {
            (Some(_), _) => AppError::NotJoined,
            (None, Some(_)) => AppError::Forbidden,
            (None, None) => AppError::Unauthenticated,
        }
    }
}

/// What a staff member wants to do with a workshop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// See it and its results.
    Read,
    /// Change it or run its sessions.
    Run,
}

impl Services {
    /// Resolves a request's credentials. An expired or revoked login counts
    /// as no login; a device token is checked per session later.
    pub async fn caller(&self, creds: &Credentials) -> Result<Caller, AppError> {
        let mut caller = Caller {
            staff: None,
            device: creds.device.clone(),
        };
        if let Some(token) = &creds.staff {
            let mut conn = self.store().read().await?;
            if let Some(row) = users::staff_session(&mut conn, &hash_token(token)).await?
                && !row.revoked
                && row.expires_at > storage::now()
            {
                caller.staff = Some(row.user);
            }
        }
        Ok(caller)
    }

    /// Checks that the caller may `access` a workshop.
    pub(crate) async fn authorize_workshop<'c>(
        &self,
        conn: &mut AnyConnection,
        caller: &'c Caller,
        workshop: WorkshopId,
        access: Access,
    ) -> Result<&'c User, AppError> {
        let user = caller.require_staff()?;
        let allowed = match (user.role, access) {
            (Role::Admin, _) | (Role::Secretariat, Access::Read) => true,
            (Role::Secretariat, Access::Run) => false,
            (Role::Facilitator, _) => workshops::is_member(conn, workshop, user.id).await?,
        };
        if allowed {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The workshop, once the caller may `access` it: 404 when there is no
    /// such workshop, 403 when it is not theirs. Callers check
    /// [`Caller::require_staff`] before they open `conn`, so that a caller
    /// who is not staff is turned away before anything is read.
    pub(crate) async fn workshop_as<'c>(
        &self,
        conn: &mut AnyConnection,
        caller: &'c Caller,
        id: WorkshopId,
        access: Access,
    ) -> Result<(Workshop, &'c User), AppError> {
        let workshop = workshops::workshop(conn, id)
            .await?
            .ok_or(AppError::not_found(Entity::Workshop))?;
        let user = self.authorize_workshop(conn, caller, id, access).await?;
        Ok((workshop, user))
    }

    /// The session, once the caller may `access` its workshop: 404 when
    /// there is no such session, 403 when its workshop is not theirs. As
    /// with [`Services::workshop_as`], check staff before opening `conn`.
    pub(crate) async fn session_as<'c>(
        &self,
        conn: &mut AnyConnection,
        caller: &'c Caller,
        id: SessionId,
        access: Access,
    ) -> Result<(Session, &'c User), AppError> {
        let session = sessions::session(conn, id)
            .await?
            .ok_or(AppError::not_found(Entity::Session))?;
        let user = self
            .authorize_workshop(conn, caller, session.workshop_id, access)
            .await?;
        Ok((session, user))
    }

    /// The question and its session, once the caller may `access` the
    /// session's workshop: 404 when there is no such question, 403 when the
    /// workshop is not theirs. As with [`Services::workshop_as`], check
    /// staff before opening `conn`.
    pub(crate) async fn question_as<'c>(
        &self,
        conn: &mut AnyConnection,
        caller: &'c Caller,
        id: QuestionId,
        access: Access,
    ) -> Result<(Question, Session, &'c User), AppError> {
        let question = questions::question(conn, id)
            .await?
            .ok_or(AppError::not_found(Entity::Question))?;
        let session = sessions::session(conn, question.session_id)
            .await?
            .ok_or(AppError::Internal)?;
        let user = self
            .authorize_workshop(conn, caller, session.workshop_id, access)
            .await?;
        Ok((question, session, user))
    }

    /// A read connection and the workshop, for staff who may read it.
    pub(crate) async fn read_workshop(
        &self,
        caller: &Caller,
        id: WorkshopId,
    ) -> Result<(PoolConnection<Any>, Workshop), AppError> {
        caller.require_staff()?;
        let mut conn = self.store().read().await?;
        let (workshop, _) = self
            .workshop_as(&mut conn, caller, id, Access::Read)
            .await?;
        Ok((conn, workshop))
    }

    /// A write transaction and the workshop, for staff who may run it.
    pub(crate) async fn run_workshop(
        &self,
        caller: &Caller,
        id: WorkshopId,
    ) -> Result<(Tx, Workshop), AppError> {
        caller.require_staff()?;
        let mut tx = self.store().write().await?;
        let (workshop, _) = self.workshop_as(tx.conn(), caller, id, Access::Run).await?;
        Ok((tx, workshop))
    }

    /// A write transaction and the session, for staff who may run its
    /// workshop.
    pub(crate) async fn run_session<'c>(
        &self,
        caller: &'c Caller,
        id: SessionId,
    ) -> Result<(Tx, Session, &'c User), AppError> {
        caller.require_staff()?;
        let mut tx = self.store().write().await?;
        let (session, user) = self.session_as(tx.conn(), caller, id, Access::Run).await?;
        Ok((tx, session, user))
    }

    /// The participant the caller is in `session`. 401 without any
    /// credentials, 403 for staff-only callers and for devices that have not
    /// joined this session.
    pub(crate) async fn participant_in(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
        session: SessionId,
    ) -> Result<Participant, AppError> {
        let Some(hash) = caller.device_hash() else {
            return Err(caller.not_a_participant());
        };
        participants::participant_by_token(conn, session, &hash)
            .await?
            .ok_or(AppError::NotJoined)
    }
}
